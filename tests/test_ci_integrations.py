"""The pre-commit hooks and the GitHub Action, run for real.

The pre-commit tests use the hooks the way users do: a `.pre-commit-config.yaml` that
names a git repository holding this working tree at a commit, and `pre-commit run`,
which pip-installs the project into its own environment (about 30 s, once per session;
it needs PyPI, as CI does). `pre-commit try-repo` would do the same but rebuilds that
environment on every call (it uses a throw-away store).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

VENV_BIN = Path(sys.executable).parent
PREVIEW = 'HEADERS = {"Authorization": "Bearer x", "OpenAI-Beta": "realtime=v1"}\n'
GA = 'HEADERS = {"Authorization": "Bearer x"}\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", ".ci-venv", "*.egg-info", "__pycache__", ".pytest_cache",
                                     ".ruff_cache", ".hypothesis", ".realtime_migrate_cache", "build", "dist",
                                     "node_modules")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def test_every_subpackage_ships_in_the_wheel() -> None:
    """pre-commit, the Action and `.ci/run` install the wheel, not the checkout: a package missing
    from `[tool.setuptools] packages` breaks every run there while editable installs work."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "realtime_migrate").rglob("__init__.py")
               if "__pycache__" not in p.parts}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"realtime-migrate", "realtime-migrate-fix"}
    assert hooks["realtime-migrate"]["entry"].startswith("realtime-migrate scan")
    assert hooks["realtime-migrate-fix"]["entry"].startswith("realtime-migrate fix --exit-non-zero-on-fix")
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi", "jupyter", "javascript", "jsx", "ts", "tsx", "html"]
        assert hook["require_serial"] is False


@pytest.fixture(scope="session")
def precommit(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A committed copy of this working tree, and a runner of `pre-commit try-repo` against it."""
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "hookrepo"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "snapshot", cwd=repo)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    config = (f"repos:\n- repo: {repo.as_posix()}\n  rev: {rev}\n  hooks:\n"
              "  - id: realtime-migrate\n  - id: realtime-migrate-fix\n")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(base / "cache"), "NO_COLOR": "1",
           "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    counter = iter(range(1000))

    def run(hook: str, files: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], Path]:
        work = base / f"work{next(counter)}"
        work.mkdir()
        git("init", "-q", cwd=work)
        (work / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        for name, text in files.items():
            (work / name).write_text(text, encoding="utf-8")
        git("add", "-A", cwd=work)
        proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", hook, "--verbose", "--files", *files],
                              cwd=work, env=env, capture_output=True, text=True, timeout=600)
        return proc, work

    return run


def test_precommit_check_hook(precommit) -> None:  # type: ignore[no-untyped-def]
    proc, _ = precommit("realtime-migrate", {"app.py": PREVIEW, "notes.txt": PREVIEW})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "realtime-migrate (check)" in proc.stdout and "Failed" in proc.stdout
    assert "app.py:1:41: RTM001" in proc.stdout
    assert "notes.txt" not in proc.stdout.split("realtime-migrate (check)")[1]  # types_or: python only
    proc, _ = precommit("realtime-migrate", {"app.py": GA, "stub.pyi": GA})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_precommit_fix_hook(precommit) -> None:  # type: ignore[no-untyped-def]
    proc, work = precommit("realtime-migrate-fix", {"app.py": PREVIEW, "ok.py": GA})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # a file changed: the commit must stop
    assert "fixed app.py:1:41: RTM001" in proc.stdout  # which file, what was fixed
    assert "Fixed 1 finding in 1 file." in proc.stdout
    assert (work / "app.py").read_text(encoding="utf-8") == GA
    assert (work / "ok.py").read_text(encoding="utf-8") == GA


def action_steps() -> list[dict]:  # type: ignore[type-arg]
    doc = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert doc["runs"]["using"] == "composite"
    assert set(doc["inputs"]) >= {"paths", "args", "version"}
    return doc["runs"]["steps"]


def test_action_definition() -> None:
    steps = action_steps()
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = steps[1]
    assert '"$ACTION_PATH"' in install["run"] and install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert "${{" not in install["run"] and "${{" not in steps[2]["run"]  # inputs only via env: no injection
    assert "--output-format github" in steps[2]["run"]


def test_action_scan_step_annotates(tmp_path: Path) -> None:
    """Runs the action's scan script with the inputs a workflow would pass."""
    scan = action_steps()[2]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(PREVIEW, encoding="utf-8")
    (tmp_path / "other.py").write_text(PREVIEW.replace("HEADERS", "H2"), encoding="utf-8")
    (tmp_path / "skipped.py").write_text(PREVIEW, encoding="utf-8")

    def run(args: str, paths: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "BIN": str(VENV_BIN), "ARGS": args, "PATHS": paths, "NO_COLOR": "1"}
        return subprocess.run(["bash", "-c", scan["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)

    proc = run("--select RTM001", "src other.py")
    assert proc.returncode == 1, proc.stderr
    assert "::error file=src/app.py,line=1,col=41,endLine=1,endColumn=69,title=RTM001::" in proc.stdout
    assert "::error file=other.py," in proc.stdout and "skipped.py" not in proc.stdout
    assert run("--exit-zero", "src").returncode == 0

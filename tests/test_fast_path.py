"""The typer-free fast path of entry.py says exactly what the typer app says, and imports less.

Each case runs twice as a real process: with the fast path, and with
REALTIME_MIGRATE_FAST_PATH=0 (always the typer app). stdout, stderr and the exit code must be
byte-identical. Then: which heavy modules each kind of run imports (`--version`, `--help`
and clean runs never import libcst; the fast path never imports typer).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, run_cli

CLEAN = 'import json\n\n\ndef load(path):\n    with open(path) as fh:\n        return json.load(fh)\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "clean.py").write_text(CLEAN, encoding="utf-8")
    positives = sorted((FIXTURES / "rules").glob("*/positive_*.py"))
    assert positives
    for i, p in enumerate(positives[:6]):
        shutil.copyfile(p, root / "src" / f"p{i}_{p.name}")
    (root / ".git").mkdir()  # the config walk and the cache root stop here
    return root


def _both(args: list[str], cwd: Path, tmp_path: Path, extra_env: dict[str, str] | None = None,
          copy: bool = False) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """(fast path, typer app). With copy=True each run gets its own copy of cwd (fix writes files)."""
    out = []
    for name, fast in (("fast", "1"), ("typer", "0")):
        where = cwd
        if copy:
            where = tmp_path / f"copy-{name}"
            shutil.copytree(cwd, where)
        env = {"REALTIME_MIGRATE_FAST_PATH": fast, "REALTIME_MIGRATE_CACHE_DIR": str(tmp_path / f"cache-{name}"),
               "PRE_COMMIT": "", **(extra_env or {})}
        out.append(run_cli(args, cwd=where, env=env))
    return out[0], out[1]


def _same(a: subprocess.CompletedProcess[str], b: subprocess.CompletedProcess[str]) -> None:
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


CASES = [
    ["scan", "src/clean.py"],
    ["scan", "src"],
    ["scan", "src", "--exit-zero"],
    ["scan", "--select", "RTM001", "src"],
    ["scan", "--select=RTM003,RTM001", "--ignore", "RTM001", "src"],
    ["scan", "src", "--no-cache", "--unsafe-fixes"],
    ["scan", "src", "--exclude", "p0_*", "--force-exclude", "--max-file-size", "0.001"],
    ["scan", "src/clean.py", "missing.py"],
    ["scan", "--select", "NOPE", "src"],
    ["scan", "--bogus", "src"],
    ["scan", "src", "-o", "json"],
    ["scan"],
    ["fix", "src/clean.py"],
    ["--version"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a) or "(none)")
def test_same_output(project: Path, tmp_path: Path, args: list[str]) -> None:
    fast, slow = _both(args, project, tmp_path)
    _same(fast, slow)


@pytest.mark.parametrize("args", [["fix", "src"], ["fix", "--exit-non-zero-on-fix", "src"],
                                  ["fix", "--unsafe-fixes", "src"]], ids=" ".join)
def test_same_fix(project: Path, tmp_path: Path, args: list[str]) -> None:
    fast, slow = _both(args, project, tmp_path, copy=True)
    _same(fast, slow)
    for p in (tmp_path / "copy-fast").rglob("*.py"):
        assert p.read_bytes() == (tmp_path / "copy-typer" / p.relative_to(tmp_path / "copy-fast")).read_bytes()


@pytest.mark.parametrize("table", [
    '[tool.realtime-migrate]\nignore = ["RTM003"]\n',
    '[tool.realtime-migrate]\nselect = ["RTM001"]\nunsafe-fixes = true\n',
    '[tool.realtime-migrate]\nper-file-ignores = { "src/p1_*" = ["RTM0"] }\nextend-exclude = ["p2_*"]\n',
    '[tool.realtime-migrate]\nnot-a-key = 1\n',
    '[tool.realtime-migrate\n',
    '[project]\nname = "x"\n',
])
def test_same_with_config(project: Path, tmp_path: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(table, encoding="utf-8")
    for args in (["scan", "src"], ["scan", "src/clean.py"], ["scan", "--ignore", "RTM001", "src"]):
        fast, slow = _both(args, project, tmp_path)
        _same(fast, slow)


def test_clean_output_is_the_usual_one(project: Path, tmp_path: Path) -> None:
    fast, _ = _both(["scan", "src/clean.py"], project, tmp_path)
    assert (fast.returncode, fast.stdout, fast.stderr) == (0, "All checks passed (1 file checked).\n", "")


# -- what each run imports ----------------------------------------------------------------------
PROBE = """
import sys
sys.argv = ["realtime-migrate", *sys.argv[1:]]
from realtime_migrate import entry
try:
    entry.main()
except SystemExit:
    pass
print("\\nMODULES", " ".join(m for m in ("typer", "libcst", "rich.console", "click") if m in sys.modules),
      file=sys.stderr)
"""


def _imported(args: list[str], cwd: Path, tmp_path: Path, **env: str) -> set[str]:
    import os

    full = {**os.environ, "NO_COLOR": "1", "REALTIME_MIGRATE_CACHE_DIR": str(tmp_path / "probe-cache"), **env}
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, env=full,
                          timeout=120)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES")][-1]
    return set(line.split()[1:])


def test_clean_run_imports_neither_typer_nor_libcst(project: Path, tmp_path: Path) -> None:
    assert _imported(["scan", "src/clean.py"], project, tmp_path, PRE_COMMIT="1") == set()
    assert _imported(["fix", "src/clean.py"], project, tmp_path) == set()
    assert _imported(["--version"], project, tmp_path) == set()


def test_run_with_findings_imports_libcst_not_typer(project: Path, tmp_path: Path) -> None:
    assert _imported(["scan", "src", "--no-cache"], project, tmp_path, REALTIME_MIGRATE_JOBS="1") == {"libcst"}


def test_warm_cache_run_imports_nothing_heavy(project: Path, tmp_path: Path) -> None:
    _imported(["scan", "src"], project, tmp_path)
    assert _imported(["scan", "src"], project, tmp_path) == set()


def test_help_does_not_import_libcst(project: Path, tmp_path: Path) -> None:
    modules = _imported(["--help"], project, tmp_path)
    assert "libcst" not in modules and "typer" in modules
    modules = _imported(["scan", "--help"], project, tmp_path)
    assert "libcst" not in modules

"""`[tool.realtime-migrate]` in pyproject.toml: discovery, validation, and flags over config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

HEADER = 'H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n'  # RTM001, safe fix
EVENT = 'if event["type"] == "response.audio.delta":\n    pass\n'  # RTM003


def project(tmp: Path, table: str, files: dict[str, str] | None = None, git: bool = True) -> Path:
    root = tmp / "proj"
    root.mkdir()
    if git:
        (root / ".git").mkdir()
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.realtime-migrate]\n{table}\n",
                                         encoding="utf-8")
    for name, text in (files or {"app.py": HEADER + EVENT}).items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def codes(proc) -> list[str]:  # type: ignore[no-untyped-def]
    assert proc.returncode in (0, 1), proc.stderr
    return [f["code"] for f in json.loads(proc.stdout)["findings"]]


def test_select_and_ignore_from_config(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["RTM0"]\nignore = ["RTM003"]')
    assert codes(run_cli(["scan", "-o", "json", "."], cwd=root)) == ["RTM001"]


def test_config_found_by_walking_up_from_the_scanned_path(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["RTM001"]', {"pkg/sub/app.py": HEADER + EVENT})
    # Run from outside the project, naming a file deep inside it.
    proc = run_cli(["scan", "-o", "json", str(root / "pkg" / "sub" / "app.py")], cwd=tmp_path)
    assert codes(proc) == ["RTM003"]


def test_walk_skips_pyproject_without_the_table_and_stops_at_git_root(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "pyproject.toml").write_text('[tool.realtime-migrate]\nignore = ["RTM001"]\n', encoding="utf-8")
    repo = outer / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    (repo / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")  # no table
    (repo / "sub" / "app.py").write_text(HEADER + EVENT, encoding="utf-8")
    # The outer config is beyond the repository root: not used.
    assert codes(run_cli(["scan", "-o", "json", "sub"], cwd=repo)) == ["RTM001", "RTM003"]
    # Without the .git boundary the walk reaches it.
    (repo / ".git").rmdir()
    assert codes(run_cli(["scan", "-o", "json", "sub"], cwd=repo)) == ["RTM003"]


def test_explicit_config_overrides_discovery(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["RTM001"]')
    other = tmp_path / "ci.toml"
    other.write_text('ignore = ["RTM003"]\n', encoding="utf-8")  # a plain TOML file is the table itself
    assert codes(run_cli(["scan", "-o", "json", "--config", str(other), "."], cwd=root)) == ["RTM001"]
    missing = run_cli(["scan", "--config", "nope.toml", "."], cwd=root)
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


def test_flags_override_config(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["RTM003"]')
    # --select starts afresh; --ignore adds to the config's ignore.
    assert codes(run_cli(["scan", "-o", "json", "--select", "RTM001", "."], cwd=root)) == ["RTM001"]
    assert codes(run_cli(["scan", "-o", "json", "--ignore", "RTM003", "."], cwd=root)) == []


@pytest.mark.parametrize("table,needle", [
    ('selct = ["RTM001"]', "unknown key `selct` (did you mean `select`?)"),
    ('per_file_ignores = {}', "unknown key `per_file_ignores` (did you mean `per-file-ignores`?)"),
    ('line-length = 3', "unknown key `line-length`"),
    ('select = "RTM001"', "`select` must be a list of strings, got str"),
    ('ignore = ["RTM999"]', "`ignore` has unknown rule selector(s) 'RTM999'"),
    ('unsafe-fixes = "yes"', "`unsafe-fixes` must be true or false"),
    ('exclude = [1]', "`exclude` must be a list of strings"),
    ('per-file-ignores = {"tests/*" = "RTM001"}', "`per-file-ignores.'tests/*'` must be a list of rule codes"),
    ('per-file-ignores = {"tests/*" = ["XX1"]}', "unknown rule selector(s) 'XX1'"),
    ('select = [', "is not valid TOML"),
])
def test_bad_config_is_a_clear_error(tmp_path: Path, table: str, needle: str) -> None:
    root = project(tmp_path, table)
    for command in (["scan", "."], ["fix", "."], ["baseline", "."]):
        proc = run_cli(command, cwd=root)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert needle in proc.stderr and "pyproject.toml" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert HEADER in (root / "app.py").read_text(encoding="utf-8")  # fix did not run


def test_per_file_ignores_relative_to_the_config_and_by_file_name(tmp_path: Path) -> None:
    files = {"src/app.py": HEADER, "tests/test_app.py": HEADER, "src/conftest.py": HEADER, "legacy/old.py": HEADER}
    root = project(tmp_path, '[tool.realtime-migrate.per-file-ignores]\n"tests/*" = ["RTM001"]\n'
                             '"conftest.py" = ["RTM0"]\n"legacy/**" = ["beta-header"]', files)
    expect = ["src/app.py"]
    assert sorted({f["path"] for f in json.loads(run_cli(["scan", "-o", "json", "."], cwd=root).stdout)["findings"]}) \
        == [f"./{p}" for p in expect]
    # The same from a sub-directory (globs are anchored at the config file, not the cwd).
    proc = run_cli(["scan", "-o", "json", "../tests", "../src"], cwd=root / "legacy")
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["../src/app.py"]


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    files = {"app.py": HEADER, "gen/a.py": HEADER, "vendor/b.py": HEADER}
    root = project(tmp_path, 'exclude = ["gen"]\nextend-exclude = ["vendor"]', files)
    found = {f["path"] for f in json.loads(run_cli(["scan", "-o", "json", "."], cwd=root).stdout)["findings"]}
    assert found == {"./app.py"}
    # --exclude replaces the config's exclude; extend-exclude still applies.
    found = {f["path"] for f in json.loads(run_cli(["scan", "-o", "json", "--exclude", "app.py", "."],
                                                   cwd=root).stdout)["findings"]}
    assert found == {"./gen/a.py"}


def test_force_exclude_applies_excludes_to_named_files(tmp_path: Path) -> None:
    root = project(tmp_path, 'exclude = ["gen"]', {"gen/a.py": HEADER, "build/b.py": HEADER, "app.py": EVENT})
    named = ["gen/a.py", "build/b.py", "app.py"]
    assert sorted(codes(run_cli(["scan", "-o", "json", *named], cwd=root))) == ["RTM001", "RTM001", "RTM003"]
    assert codes(run_cli(["scan", "-o", "json", "--force-exclude", *named], cwd=root)) == ["RTM003"]
    only_excluded = run_cli(["scan", "--force-exclude", "gen/a.py"], cwd=root)
    assert only_excluded.returncode == 0


def test_unsafe_fixes_from_config_and_no_unsafe_fixes_flag(tmp_path: Path) -> None:
    unsafe_case = 'H = {\n    "OpenAI-Beta": "realtime=v1",  # needed?\n    "X": "y",\n}\n'
    root = project(tmp_path, "unsafe-fixes = true", {"app.py": unsafe_case})
    proc = run_cli(["fix", "--no-unsafe-fixes", "app.py"], cwd=root)
    assert proc.returncode == 1 and "realtime=v1" in (root / "app.py").read_text(encoding="utf-8")
    proc = run_cli(["fix", "app.py"], cwd=root)
    assert proc.returncode == 0, proc.stdout
    assert "realtime=v1" not in (root / "app.py").read_text(encoding="utf-8")

"""The exit-code contract pipelines rely on, for every combination that matters.

0 nothing left; 1 findings remain (or, with --exit-non-zero-on-fix / --diff, a change
was made or is pending); 2 a usage/config error or a file that could not be processed.
`fix` never exits 0 while findings remain (Fixit #409); --exit-zero never hides a 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

FIXABLE = 'H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n'
UNFIXABLE = 'BETA = "realtime=v1"\n'
GA = 'H = {"X": "y"}\n'
BROKEN = "def f(:\n    'realtime=v1'\n"


@pytest.mark.parametrize("files,args,code", [
    ({"a.py": GA}, ["scan"], 0),
    ({"a.py": FIXABLE}, ["scan"], 1),
    ({"a.py": FIXABLE}, ["scan", "--exit-zero"], 0),
    ({"a.py": BROKEN}, ["scan", "--exit-zero"], 2),
    ({"a.py": FIXABLE, "b.py": BROKEN}, ["scan"], 2),
    ({"a.py": GA}, ["fix"], 0),
    ({"a.py": GA}, ["fix", "--exit-non-zero-on-fix"], 0),
    ({"a.py": FIXABLE}, ["fix"], 0),
    ({"a.py": FIXABLE}, ["fix", "--exit-non-zero-on-fix"], 1),
    ({"a.py": FIXABLE}, ["fix", "--diff"], 1),
    ({"a.py": UNFIXABLE}, ["fix"], 1),
    ({"a.py": FIXABLE + UNFIXABLE}, ["fix"], 1),
    ({"a.py": FIXABLE, "b.py": BROKEN}, ["fix"], 2),
    ({"a.py": GA}, ["scan", "--select", "NOPE"], 2),
    ({"a.py": GA}, ["scan", "-o", "yaml"], 2),
])
def test_exit_codes(tmp_path: Path, files: dict[str, str], args: list[str], code: int) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run_cli([*args, "."], cwd=tmp_path)
    assert proc.returncode == code, (proc.stdout, proc.stderr)


def test_fix_has_no_exit_zero() -> None:
    proc = run_cli(["fix", "--exit-zero", "."])
    assert proc.returncode == 2 and "No such option" in proc.stderr


def test_fix_then_scan_agree(tmp_path: Path) -> None:
    """After a `fix` that exits 1, `scan` reports exactly what `fix` said remains."""
    (tmp_path / "a.py").write_text(FIXABLE + UNFIXABLE, encoding="utf-8")
    fixed = run_cli(["fix", "-o", "concise", "."], cwd=tmp_path)
    scanned = run_cli(["scan", "-o", "concise", "."], cwd=tmp_path)
    assert fixed.returncode == scanned.returncode == 1
    remaining = [ln for ln in fixed.stdout.splitlines() if ln.startswith("a.py:")]
    assert remaining == [ln for ln in scanned.stdout.splitlines() if ln.startswith("a.py:")]
    assert remaining and remaining[0].startswith("a.py:2:8: RTM001")


def test_fix_lists_changed_files_and_fixes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE, encoding="utf-8")
    (tmp_path / "b.py").write_text(GA, encoding="utf-8")
    proc = run_cli(["fix", "--exit-non-zero-on-fix", "."], cwd=tmp_path)
    assert proc.returncode == 1
    assert "fixed ./a.py:1:6: RTM001" in proc.stdout
    assert "Fixed 1 finding in 1 file." in proc.stdout
    assert "b.py" not in proc.stdout

"""`scan -` and `fix -` for editors and formatters-in-a-pipe: code on stdin, fixed code on stdout."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli

PREVIEW = 'H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\r\nBETA = "realtime=v1"\r\n'
FIXED = 'H = {"X": "y"}\r\nBETA = "realtime=v1"\r\n'


def test_scan_stdin_reports_with_the_stdin_filename(tmp_path: Path) -> None:
    proc = run_cli(["scan", "-o", "concise", "--stdin-filename", "pkg/app.py", "-"], cwd=tmp_path, stdin=PREVIEW)
    assert proc.returncode == 1
    assert proc.stdout.startswith("pkg/app.py:1:6: RTM001 ")
    assert not (tmp_path / "pkg").exists()


def test_scan_stdin_default_name_and_clean_input(tmp_path: Path) -> None:
    proc = run_cli(["scan", "-o", "concise", "-"], cwd=tmp_path, stdin=PREVIEW)
    assert proc.stdout.startswith("<stdin>:1:6: RTM001 ")
    assert run_cli(["scan", "-"], cwd=tmp_path, stdin="x = 1\n").returncode == 0


def test_fix_stdin_prints_fixed_code_and_reports_on_stderr(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "fix", "--stdin-filename", "app.py", "-"],
                          input=PREVIEW.encode(), capture_output=True, cwd=tmp_path, env={"NO_COLOR": "1"})
    assert proc.stdout == FIXED.encode()  # byte-exact: CRLF kept
    assert "fixed app.py:1:6: RTM001" in proc.stderr.decode()
    assert proc.returncode == 1  # the bare constant cannot be fixed: findings remain


def test_fix_stdin_unchanged_input_is_echoed_and_exit_codes_hold(tmp_path: Path) -> None:
    proc = run_cli(["fix", "-"], cwd=tmp_path, stdin="x = 1\n")
    assert proc.stdout == "x = 1\n" and proc.returncode == 0
    fixable = 'H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n'
    assert run_cli(["fix", "-"], cwd=tmp_path, stdin=fixable).returncode == 0
    proc = run_cli(["fix", "--exit-non-zero-on-fix", "-"], cwd=tmp_path, stdin=fixable)
    assert proc.returncode == 1 and proc.stdout == 'H = {"X": "y"}\n'


def test_fix_stdin_diff_and_json(tmp_path: Path) -> None:
    proc = run_cli(["fix", "--diff", "--stdin-filename", "app.py", "-"], cwd=tmp_path, stdin=PREVIEW)
    assert "-H = {\"OpenAI-Beta\"" in proc.stdout and proc.returncode == 1
    proc = run_cli(["fix", "-o", "json", "-"], cwd=tmp_path, stdin=PREVIEW)
    assert proc.stdout == FIXED.replace("\r\n", "\n")  # text-mode pipe in the test; code only on stdout
    assert json.loads(proc.stderr)["summary"]["fixed"] == 1


def test_stdin_filename_picks_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.realtime-migrate.per-file-ignores]\n"tests/*" = ["RTM001"]\n',
                                             encoding="utf-8")
    (tmp_path / ".git").mkdir()
    assert run_cli(["scan", "--stdin-filename", "tests/t.py", "-"], cwd=tmp_path, stdin=PREVIEW).returncode == 0
    assert run_cli(["scan", "--stdin-filename", "src/t.py", "-"], cwd=tmp_path, stdin=PREVIEW).returncode == 1


def test_stdin_errors(tmp_path: Path) -> None:
    proc = run_cli(["scan", "-o", "concise", "--stdin-filename", "x.py", "-"], cwd=tmp_path,
                   stdin="def f(:\n  'realtime=v1'\n")
    assert proc.returncode == 2 and "x.py: error: syntax error" in proc.stdout
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    proc = run_cli(["scan", "-", "a.py"], cwd=tmp_path, stdin="x = 1\n")
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr

"""The progress bar: drawn on a terminal for a big run, never in pipes or CI logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

pty = pytest.importorskip("pty")

N = 250  # above progress.MIN_FILES


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    for i in range(N):
        (root / f"m{i:03}.py").write_text(f"x = {i}\n", encoding="utf-8")
    (root / "m999.py").write_text('H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n', encoding="utf-8")
    return root


def run_with_tty_stderr(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "realtime_migrate", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=slave, env={**os.environ, "TERM": "xterm-256color", **env})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=60)
    os.close(master)
    return code, out, b"".join(chunks).decode(errors="replace")


def test_bar_on_a_terminal_for_a_big_run(big_tree: Path) -> None:
    env = {k: "" for k in ("CI", "GITHUB_ACTIONS")}
    code, out, err = run_with_tty_stderr(["scan", "-o", "concise", "."], big_tree, env)
    assert code == 1
    assert f"/{N + 1}" in err and "realtime-migrate" in err  # the bar's M/N counter
    assert "\x1b[" not in out and "m999.py:1:6: RTM001" in out  # stdout stays clean


def test_no_bar_in_ci_even_on_a_terminal(big_tree: Path) -> None:
    code, _, err = run_with_tty_stderr(["scan", "."], big_tree, {"CI": "true"})
    assert code == 1 and f"/{N + 1}" not in err


def test_no_bar_when_stderr_is_a_pipe(big_tree: Path) -> None:
    proc = run_cli(["scan", "."], cwd=big_tree, env={"CI": ""})
    assert proc.returncode == 1
    assert proc.stderr == ""


def test_no_bar_for_a_small_run(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    code, _, err = run_with_tty_stderr(["scan", "."], tmp_path, {"CI": ""})
    assert code == 0 and err == ""

"""Shared helpers for tests: run the engine on text, and the CLI as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from realtime_migrate import catalog, engine
from realtime_migrate.model import Finding
from realtime_migrate.rule import Rule

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def rules_for(code: str | None) -> tuple[Rule, ...]:
    return catalog.select([code]) if code else catalog.all_rules()


def scan_text(text: str, code: str | None = None, path: str = "case.py") -> list[Finding]:
    return engine.analyse(path, text, rules_for(code))


def fix_text(text: str, code: str | None = None, unsafe: bool = False, path: str = "case.py") -> str:
    return engine.fix_text(path, text, rules_for(code), unsafe=unsafe).text


def run_cli(args: Sequence[str], cwd: Path | str | None = None, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "realtime_migrate", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=full_env, timeout=120)


def compiles(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True

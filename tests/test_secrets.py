"""No key or token from a scanned file ever appears in what the linter prints or writes beside it.

Code frames show the source line, fixes show re-rendered header dicts, GA forms may echo
a URL: every output format, the `fix --diff` output and the baseline file are checked
against a file full of keys, while `fix` itself must still write the file's exact text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import run_cli
from typer.testing import CliRunner

from realtime_migrate.cli import app
from realtime_migrate.report import FORMATS

OPENAI_KEY = "sk-proj-Q7vN2xLmA9SECRETkeyZ81wq"
SVC_KEY = "sk-svcacct-Z9wX8SECRETsvc7Tq"
EPHEMERAL = "ek_68af91c2SECRETephemeral04"
AZURE_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SECRETS = (OPENAI_KEY, SVC_KEY, EPHEMERAL, AZURE_KEY)
# A leak of a part is a leak: the distinctive middles must not show either.
FRAGMENTS = ("Q7vN2xLmA9", "SECRETkey", "SECRETsvc", "SECRETephemeral", "5b4a39281706")

APP = f'''\
import websockets

HEADERS = {{"Authorization": "Bearer {OPENAI_KEY}", "OpenAI-Beta": "realtime=v1"}}
PROTOCOLS = ["realtime", "openai-insecure-api-key.{OPENAI_KEY}", "openai-beta.realtime-v1"]
EPHEMERAL_HEADERS = [("Authorization", "Bearer {EPHEMERAL}"), ("OpenAI-Beta", "realtime=v1")]
SVC = {{"Authorization": "Bearer {SVC_KEY}", "OpenAI-Beta": "realtime=v1"}}
AZURE_URL = ("wss://contoso.openai.azure.com/openai/realtime?api-version=2025-04-01-preview"
             "&deployment=gpt-4o-realtime-preview&api-key={AZURE_KEY}")


async def main():
    headers = {{"api-key": "{AZURE_KEY}", "OpenAI-Beta": "realtime=v1"}}
    async with websockets.connect(f"wss://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview&key={EPHEMERAL}",
                                  additional_headers=headers) as ws:
        async for event in ws:
            if event["type"] == "response.audio.delta":  # key {OPENAI_KEY}
                print(event["delta"])
'''


def _leaks(text: str) -> list[str]:
    return [s for s in (*SECRETS, *FRAGMENTS) if s in text]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def _cli(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """The real typer app in this process (a subprocess per format would cost a minute)."""
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", [["scan"], ["scan", "--unsafe-fixes"], ["fix", "--diff"],
                                     ["fix", "--diff", "--unsafe-fixes"], ["fix", "--unsafe-fixes"]])
def test_no_output_format_shows_a_key(project: Path, fmt: str, command: list[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _cli([*command, "--no-cache", "-o", fmt, "app.py"], project, monkeypatch)
    assert code in (0, 1), out
    assert "RTM001" in out or command[0] == "fix", out  # not vacuous: the lines with keys were reported
    assert _leaks(out) == [], out
    if command == ["fix", "--unsafe-fixes"]:
        # What was displayed was masked; what was written is the file's own text, keys and all.
        written = (project / "app.py").read_text(encoding="utf-8")
        assert "realtime=v1" not in written and '"response.output_audio.delta"' in written
        assert all(s in written for s in SECRETS)


def test_code_frames_and_fixes_are_masked_not_dropped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, text = _cli(["scan", "--no-cache", "app.py"], project, monkeypatch)
    assert 'HEADERS = {"Authorization": "Bearer ***", "OpenAI-Beta": "realtime=v1"}' in text
    _, raw = _cli(["scan", "--no-cache", "-o", "json", "app.py"], project, monkeypatch)
    doc = json.loads(raw)
    contents = [e["content"] for f in doc["findings"] if f["fix"] for e in f["fix"]["edits"]]
    assert any("Bearer ***" in c for c in contents), contents  # a re-rendered dict keeps its masked header


def test_baseline_file_holds_no_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _cli(["baseline", "app.py", "--output", "baseline.json"], project, monkeypatch)
    assert code == 0, out
    stored = (project / "baseline.json").read_text(encoding="utf-8")
    assert '"line_text"' in stored and _leaks(stored) == [], stored
    code, out = _cli(["scan", "--no-cache", "--baseline", "baseline.json", "app.py"], project, monkeypatch)
    assert code == 0 and _leaks(out) == [], out  # and the masked keys still match the same findings


def test_real_process_text_and_diff(project: Path) -> None:
    """Once through a real subprocess: stdout and stderr of scan and of fix --diff."""
    for args in (["scan", "app.py"], ["fix", "--diff", "--unsafe-fixes", "app.py"]):
        run = run_cli(args, cwd=project)
        assert run.returncode == 1, run.stdout + run.stderr
        assert re.search(r"RTM00\d", run.stdout)
        assert _leaks(run.stdout + run.stderr) == []
    assert (project / "app.py").read_text(encoding="utf-8") == APP

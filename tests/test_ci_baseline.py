"""Baselines: adopt the tool on a legacy tree today, fail only on new preview-era code."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli

LEGACY = (
    "import os\n"
    'HEADERS = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n'
    'if event["type"] == "response.audio.delta":\n'
    "    pass\n"
)
NEW_LINE = 'if event["type"] == "response.audio.done":\n    pass\n'


def setup(tmp: Path) -> Path:
    (tmp / "src").mkdir()
    (tmp / "src" / "app.py").write_text(LEGACY, encoding="utf-8")
    proc = run_cli(["baseline", "src"], cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 2 findings to realtime-migrate-baseline.json" in proc.stdout
    return tmp / "realtime-migrate-baseline.json"


def test_baseline_file_is_keyed_on_line_text_not_numbers(tmp_path: Path) -> None:
    path = setup(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == 1
    entry = doc["findings"][0]
    assert entry["path"] == "src/app.py" and entry["code"] == "RTM001"
    assert entry["line_text"] == 'HEADERS = {"OpenAI-Beta": "realtime=v1", "X": "y"}'
    assert entry["occurrence"] == 0


def test_scan_with_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    setup(tmp_path)
    clean = run_cli(["scan", "--baseline", "realtime-migrate-baseline.json", "src"], cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert "2 known findings hidden by the baseline" in clean.stdout
    assert run_cli(["scan", "src"], cwd=tmp_path).returncode == 1  # without it, everything is reported

    # Moving code (lines added above, re-indentation) does not resurface known findings ...
    app = tmp_path / "src" / "app.py"
    app.write_text("# a new header comment\n\n" + LEGACY.replace("HEADERS =", "HEADERS  ="), encoding="utf-8")
    assert run_cli(["scan", "--baseline", "realtime-migrate-baseline.json", "src"], cwd=tmp_path).returncode == 0

    # ... but new preview code, and a second copy of a known line, are reported.
    app.write_text(app.read_text(encoding="utf-8") + NEW_LINE + LEGACY.splitlines(keepends=True)[1], encoding="utf-8")
    proc = run_cli(["scan", "-o", "json", "--baseline", "realtime-migrate-baseline.json", "src"], cwd=tmp_path)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert [(f["code"], f["location"]["line"]) for f in doc["findings"]] == [("RTM003", 7), ("RTM001", 9)]
    assert doc["summary"]["baselined"] == 2


def test_baseline_works_from_another_directory(tmp_path: Path) -> None:
    path = setup(tmp_path)
    proc = run_cli(["scan", "--baseline", str(path), "app.py"], cwd=tmp_path / "src")
    assert proc.returncode == 0, proc.stdout


def test_baseline_custom_output_and_errors(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LEGACY, encoding="utf-8")
    (tmp_path / "bad.py").write_text("def f(:\n  'realtime=v1'\n", encoding="utf-8")
    proc = run_cli(["baseline", "--output", "ci/known.json", "."], cwd=tmp_path)
    assert proc.returncode == 2  # written, but a file could not be analysed: say so
    assert "bad.py" in proc.stderr
    (tmp_path / "ci").mkdir()
    proc = run_cli(["baseline", "--output", "ci/known.json", "a.py"], cwd=tmp_path)
    assert proc.returncode == 0 and (tmp_path / "ci" / "known.json").is_file()


def test_missing_or_foreign_baseline_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LEGACY, encoding="utf-8")
    proc = run_cli(["scan", "--baseline", "nope.json", "a.py"], cwd=tmp_path)
    assert proc.returncode == 2 and "nope.json not found" in proc.stderr
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    proc = run_cli(["scan", "--baseline", "other.json", "a.py"], cwd=tmp_path)
    assert proc.returncode == 2 and "not a realtime-migrate baseline" in proc.stderr


def test_fix_ignores_the_baseline(tmp_path: Path) -> None:
    setup(tmp_path)
    proc = run_cli(["fix", "src"], cwd=tmp_path)
    assert "--baseline" not in run_cli(["fix", "--help"]).stdout.replace("baseline does not", "")
    assert proc.returncode == 0
    assert "realtime=v1" not in (tmp_path / "src" / "app.py").read_text(encoding="utf-8")


def test_baseline_file_holds_no_credentials(tmp_path: Path) -> None:
    key = "sk-proj-" + "A1b2C3d4" * 4
    line = f'H = {{"Authorization": "Bearer {key}", "OpenAI-Beta": "realtime=v1"}}\n'
    (tmp_path / "a.py").write_text(line, encoding="utf-8")
    assert run_cli(["baseline", "a.py"], cwd=tmp_path).returncode == 0
    text = (tmp_path / "realtime-migrate-baseline.json").read_text(encoding="utf-8")
    assert key not in text and "A1b2C3d4" not in text
    assert run_cli(["scan", "--baseline", "realtime-migrate-baseline.json", "a.py"], cwd=tmp_path).returncode == 0

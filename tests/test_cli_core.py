"""The CLI contract of the core issue, exercised as a user would: real processes, real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import ROOT, compiles, run_cli

EXAMPLE = ROOT / "examples" / "voice_agent.py"
PREVIEW = 'if event["type"] == "response.audio.delta":\n    pass\n'
GA = 'if event["type"] == "response.output_audio.delta":\n    pass\n'


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_scan_reports_with_code_frame_and_exit_1(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    proc = run_cli(["scan", str(p)])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{p}:1:21: RTM003" in proc.stdout
    assert "^^^^^^^^^^^^^^^^^^^^^^" in proc.stdout
    assert 'GA: "response.output_audio.delta"' in proc.stdout
    assert "Found 1 finding in 1 file; 1 fixable with fix." in proc.stdout


def test_scan_clean_exit_0(tmp_path: Path) -> None:
    write(tmp_path, "pkg/ga.py", GA)
    write(tmp_path, "pkg/other.py", "print('hello')\n")
    proc = run_cli(["scan", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout
    assert "All checks passed" in proc.stdout


def test_exit_zero_and_notes_do_not_fail(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    assert run_cli(["scan", "--exit-zero", str(p)]).returncode == 0
    note = write(tmp_path, "note.py", "# we used to handle response.audio.delta here\nx = 1\n")
    proc = run_cli(["scan", str(note)])
    assert proc.returncode == 0, proc.stdout
    assert "note" in proc.stdout and "RTM003" in proc.stdout


def test_json_carries_every_field(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    proc = run_cli(["scan", "--output-format", "json", str(p)])
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    (f,) = doc["findings"]
    assert f["code"] == "RTM003" and f["name"] == "renamed-server-event"
    assert f["location"] == {"line": 1, "column": 21} and f["end_location"] == {"line": 1, "column": 43}
    assert f["severity"] == "error" and f["path"] == str(p)
    assert f["fix"]["applicability"] == "safe"
    assert f["fix"]["edits"] == [{"content": '"response.output_audio.delta"', "location": {"line": 1, "column": 21},
                                  "end_location": {"line": 1, "column": 43}}]
    assert f["url"].endswith("#rtm003-renamed-server-event")
    assert doc["summary"]["findings"] == 1 and doc["summary"]["fixable"] == 1


def test_fix_diff_writes_nothing(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    before = p.read_bytes()
    proc = run_cli(["fix", "--diff", str(p)])
    assert proc.returncode == 1
    assert '-if event["type"] == "response.audio.delta":' in proc.stdout
    assert '+if event["type"] == "response.output_audio.delta":' in proc.stdout
    assert p.read_bytes() == before


def test_fix_rewrites_and_exits_0_when_nothing_remains(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    proc = run_cli(["fix", str(p)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert p.read_text() == GA
    assert run_cli(["fix", "--exit-non-zero-on-fix", str(write(tmp_path, "b.py", PREVIEW))]).returncode == 1


def test_fix_exits_1_when_unfixable_findings_remain(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", 'BETA = "realtime=v1"\n' + PREVIEW)
    proc = run_cli(["fix", str(p)])
    assert proc.returncode == 1
    assert "response.output_audio.delta" in p.read_text()
    assert "1 remaining" in proc.stdout


def test_unsafe_fixes_only_on_request(tmp_path: Path) -> None:
    text = 'H = {\n    "A": "b",\n    "OpenAI-Beta": "realtime=v1",  # preview\n}\n'
    p = write(tmp_path, "app.py", text)
    assert run_cli(["fix", str(p)]).returncode == 1
    assert p.read_text() == text
    assert run_cli(["fix", "--unsafe-fixes", str(p)]).returncode == 0
    assert p.read_text() == 'H = {\n    "A": "b",\n}\n'


def test_select_and_ignore(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", 'H = {"OpenAI-Beta": "realtime=v1"}\n' + PREVIEW)
    out = json.loads(run_cli(["scan", "-o", "json", "--select", "RTM001", str(p)]).stdout)
    assert {f["code"] for f in out["findings"]} == {"RTM001"}
    out = json.loads(run_cli(["scan", "-o", "json", "--ignore", "RTM001", str(p)]).stdout)
    assert "RTM001" not in {f["code"] for f in out["findings"]}
    bad = run_cli(["scan", "--select", "XYZ9", str(p)])
    assert bad.returncode == 2 and "XYZ9" in bad.stderr


def test_suppression_comment(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", 'x = "response.audio.delta"  # realtime-migrate: ignore[RTM003] legacy relay\n')
    assert run_cli(["scan", str(p)]).returncode == 0
    q = write(tmp_path, "q.py", '# realtime-migrate: ignore-file\nx = "response.audio.delta"\n')
    assert run_cli(["scan", str(q)]).returncode == 0


def test_discovery_skips_venvs_and_excludes(tmp_path: Path) -> None:
    write(tmp_path, "node_modules/x.py", PREVIEW)
    write(tmp_path, ".venv/lib/x.py", PREVIEW)
    write(tmp_path, "env2/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "env2/lib/x.py", PREVIEW)
    write(tmp_path, "gen/x.py", PREVIEW)
    assert run_cli(["scan", "--exclude", "gen", str(tmp_path)]).returncode == 0
    assert run_cli(["scan", str(tmp_path)]).returncode == 1


def test_missing_path_is_exit_2_and_others_still_processed(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py", PREVIEW)
    proc = run_cli(["scan", str(tmp_path / "nope.py"), str(p)])
    assert proc.returncode == 2
    assert "nope.py: no such file or directory" in proc.stdout
    assert "RTM003" in proc.stdout


def test_bundled_example_fix_is_idempotent(tmp_path: Path) -> None:
    copy = tmp_path / "voice_agent.py"
    shutil.copy(EXAMPLE, copy)
    run_cli(["fix", str(copy)])
    once = copy.read_bytes()
    assert compiles(once.decode())
    run_cli(["fix", str(copy)])
    assert copy.read_bytes() == once
    assert b"realtime=v1" not in once and b"response.output_audio.delta" in once


def test_version_and_help() -> None:
    assert run_cli(["--version"]).stdout.startswith("realtime-migrate ")
    proc = run_cli(["--help"])
    assert proc.returncode == 0 and "scan" in proc.stdout and "fix" in proc.stdout


def test_suppression_codes_without_brackets_are_not_a_blanket(tmp_path: Path) -> None:
    p = write(tmp_path, "app.py",
              'H = {"OpenAI-Beta": "realtime=v1", "t": "response.audio.delta"}  # realtime-migrate: ignore RTM001\n')
    doc = json.loads(run_cli(["scan", "-o", "json", str(p)]).stdout)
    assert {f["code"] for f in doc["findings"]} == {"RTM003"}

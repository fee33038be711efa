"""Every output format, rendered from one real run, as a CI system would consume it.

Each format must carry the findings and the tool errors (a file that does not parse),
so a pipeline never reads "clean" where the tool did not look.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import run_cli

from realtime_migrate import catalog

# The official schema travels with the tests (source and checksum in tests/data/README.md).
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

PREVIEW = (
    "import os\n"
    'HEADERS = {"Authorization": AUTH_VALUE, "OpenAI-Beta": "realtime=v1"}\n'
    'BETA = "realtime=v1"\n'
    'if event["type"] == "response.audio.delta":\n'
    "    pass\n"
)
BROKEN = 'def f(:\n    "realtime=v1"\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(PREVIEW, encoding="utf-8")
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "clean.py").write_text("print('hello')\n", encoding="utf-8")
    return tmp_path


def scan(tree: Path, fmt: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(["scan", "-o", fmt, *extra, "."], cwd=tree)


def test_concise_one_line_per_finding(tree: Path) -> None:
    proc = scan(tree, "concise")
    assert proc.returncode == 2  # the broken file
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("broken.py: error: syntax error")
    findings = [ln for ln in lines if ln.startswith("app.py:")]
    assert findings[0] == ("app.py:2:41: RTM001 Preview `OpenAI-Beta: realtime=v1` header: "
                           "a GA endpoint refuses it with `beta_api_shape_disabled`")
    assert any(ln.startswith("app.py:4:21: RTM003 ") for ln in findings)
    assert len(findings) == 3
    assert lines[-1].startswith("Found 3 findings in 1 file")
    assert "|" not in proc.stdout  # no code frame


def test_github_annotations(tree: Path) -> None:
    proc = scan(tree, "github", "--select", "RTM001,RTM003")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::error file=broken.py,title=realtime-migrate parse::syntax error at line ")
    first = next(ln for ln in lines if "line=2," in ln)
    props, message = first[len("::error "):].split("::", 1)
    assert props == "file=app.py,line=2,col=41,endLine=2,endColumn=69,title=RTM001"
    assert message.startswith("RTM001 Preview `OpenAI-Beta: realtime=v1` header")
    assert "%0AFix: " in message and "\n" not in message


def test_github_escapes_and_notices(tmp_path: Path) -> None:
    # A mention in a comment is a note (never fails the run): it must be a ::notice.
    p = tmp_path / "odd, name%.py"
    p.write_text('# old servers sent "response.audio.delta"\nx = 1\n', encoding="utf-8")
    proc = run_cli(["scan", "-o", "github", p.name], cwd=tmp_path)
    notices = [ln for ln in proc.stdout.splitlines() if ln.startswith("::")]
    if not notices:
        pytest.skip("no rule reports notes for comments yet")
    assert notices[0].startswith("::notice file=odd%2C name%25.py,line=1,")
    assert proc.returncode == 0


def test_junit_follows_ruff_layout(tree: Path) -> None:
    proc = scan(tree, "junit")
    assert proc.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(proc.stdout.split("\n", 1)[1])
    assert root.tag == "testsuites" and root.get("name") == "realtime-migrate"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"app.py", "broken.py"}
    cases = suites["app.py"].findall("testcase")
    assert [c.get("name") for c in cases] == ["org.realtime-migrate.RTM001"] * 2 + ["org.realtime-migrate.RTM003"]
    assert cases[0].get("classname") == "app.py" and cases[0].get("line") == "2" and cases[0].get("column") == "41"
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message", "").startswith("Preview `OpenAI-Beta")
    assert suites["broken.py"].find("testcase/error") is not None
    assert root.get("tests") == "4" and root.get("failures") == "3" and root.get("errors") == "1"


def test_junit_clean_run_is_one_passing_case(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    proc = run_cli(["scan", "-o", "junit", "."], cwd=tmp_path)
    assert proc.returncode == 0
    root = ET.fromstring(proc.stdout.split("\n", 1)[1])
    assert [c.get("name") for c in root.iter("testcase")] == ["No errors found"]
    assert root.get("failures") == "0"


def test_sarif_validates_against_the_official_schema(tree: Path) -> None:
    assert SARIF_SCHEMA.is_file(), f"the SARIF schema is expected at {SARIF_SCHEMA}"
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    proc = scan(tree, "sarif")
    doc = json.loads(proc.stdout)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    # The validator must be able to fail: a result without its message is rejected.
    broken = json.loads(proc.stdout)
    del broken["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_rules_fixes_and_tool_errors(tree: Path) -> None:
    run = json.loads(scan(tree, "sarif").stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in catalog.all_rules()]
    rtm001 = rules[[r["id"] for r in rules].index("RTM001")]
    assert rtm001["name"] == "beta-header"
    assert rtm001["shortDescription"]["text"] and rtm001["fullDescription"]["text"]
    assert rtm001["helpUri"].endswith("#rtm001-beta-header")
    assert "### Fix safety" in rtm001["help"]["markdown"]
    assert run["columnKind"] == "unicodeCodePoints"

    results = run["results"]
    assert len(results) == 3
    first = results[0]
    assert first["ruleId"] == "RTM001" and rules[first["ruleIndex"]]["id"] == "RTM001"
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 2, "startColumn": 41, "endLine": 2, "endColumn": 69}
    (change,) = first["fixes"][0]["artifactChanges"]
    (rep,) = change["replacements"]
    assert first["properties"]["applicability"] == "safe"
    # Applying the replacement to the file gives what `fix` writes.
    lines = PREVIEW.splitlines(keepends=True)
    r = rep["deletedRegion"]
    assert r["startLine"] == r["endLine"] == 2
    line = lines[1]
    fixed_line = line[:r["startColumn"] - 1] + rep["insertedContent"]["text"] + line[r["endColumn"] - 1:]
    assert fixed_line == 'HEADERS = {"Authorization": AUTH_VALUE}\n'
    assert "fixes" not in results[1]  # the bare `realtime=v1` constant is report-only

    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and "syntax error" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_sarif_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_text(PREVIEW, encoding="utf-8")
    before = json.loads(run_cli(["scan", "-o", "sarif", "."], cwd=tmp_path).stdout)
    p.write_text("\n\n# moved down\n" + PREVIEW, encoding="utf-8")
    after = json.loads(run_cli(["scan", "-o", "sarif", "."], cwd=tmp_path).stdout)

    def prints(doc):  # type: ignore[no-untyped-def]
        return [r["partialFingerprints"]["realtimeMigrate/v1"] for r in doc["runs"][0]["results"]]

    assert prints(before) == prints(after)
    assert len(set(prints(before))) == 3


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "junit"])
def test_tool_errors_appear_in_every_format(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b'x = "\xff realtime=v1"\n')
    proc = run_cli(["scan", "-o", fmt, "."], cwd=tmp_path)
    assert proc.returncode == 2
    assert "broken.py" in proc.stdout and "latin.py" in proc.stdout
    assert "decode" in proc.stdout or "encoding" in proc.stdout  # the reason, not just the name
    assert "All checks passed" not in proc.stdout


def test_fix_lists_what_it_changed_in_concise_and_json(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_text('H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n', encoding="utf-8")
    proc = run_cli(["fix", "-o", "json", "app.py"], cwd=tmp_path)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["summary"]["changed_files"] == ["app.py"] and doc["fixed"][0]["code"] == "RTM001"


def test_unknown_format_is_a_usage_error_before_any_work(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_text('H = {"OpenAI-Beta": "realtime=v1", "X": "y"}\n', encoding="utf-8")
    proc = run_cli(["fix", "-o", "xml", "app.py"], cwd=tmp_path)
    assert proc.returncode == 2 and "unknown output format 'xml'" in proc.stderr
    assert "realtime=v1" in p.read_text(encoding="utf-8")  # nothing was written


def test_text_colour_only_when_asked_and_no_color_wins(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PREVIEW, encoding="utf-8")
    piped = run_cli(["scan", "."], cwd=tmp_path, env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.stdout  # a pipe is not a terminal
    forced = run_cli(["scan", "."], cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    both = run_cli(["scan", "."], cwd=tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in both.stdout


MULTI = (
    "import json\n"
    "\n"
    "\n"
    "async def configure(ws):\n"
    "    await ws.send(json.dumps({\n"
    '        "type": "session.update",\n'
    '        "session": {\n'
    '            "type": "realtime",\n'
    '            "modalities": ["text", "audio"],  # both\n'
    '            "voice": "alloy",\n'
    '            "input_audio_format": "pcm16",\n'
    "        },\n"
    "    }))\n"
    "\n"
    "\n"
    "def on_event(event):\n"
    '    if event["type"] == "response.audio.delta":\n'
    "        pass\n"
)


def _apply_sarif(text: str, replacements: list[dict]) -> str:
    """Apply SARIF replacements (1-based lines, 1-based code-point columns) the way a viewer does."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col - 1

    spans = sorted({(offset(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
                     offset(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"]),
                     r["insertedContent"]["text"]) for r in replacements}, reverse=True)
    for (start, end, new), nxt in zip(spans, [*spans[1:], None], strict=True):
        assert nxt is None or nxt[1] <= start, "overlapping SARIF replacements"
        text = text[:start] + new + text[end:]
    return text


def test_sarif_fixes_are_schema_valid_exact_edits_with_their_safety(tmp_path: Path) -> None:
    """Issue #13: every finding with a fix carries it in SARIF, marked safe or unsafe in the fix's properties,
    and the replacements, applied as a viewer would, give exactly what `fix` writes."""
    (tmp_path / "app.py").write_text(MULTI, encoding="utf-8")
    doc = json.loads(run_cli(["scan", "-o", "sarif", "."], cwd=tmp_path).stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    findings = json.loads(run_cli(["scan", "-o", "json", "."], cwd=tmp_path).stdout)["findings"]
    results = doc["runs"][0]["results"]
    assert len(results) == len(findings) >= 3
    safe: list[dict] = []
    for res, finding in zip(results, findings, strict=True):
        assert ("fixes" in res) == (finding.get("fix") is not None), res["ruleId"]
        if "fixes" in res:
            (fix,) = res["fixes"]
            assert fix["properties"]["applicability"] in ("safe", "unsafe")
            assert fix["properties"]["safe"] == (fix["properties"]["applicability"] == "safe")
            replacements = fix["artifactChanges"][0]["replacements"]
            compile(_apply_sarif(MULTI, replacements), "app.py", "exec")  # each fix alone leaves Python
            if fix["properties"]["safe"]:
                safe += replacements
    assert safe
    assert run_cli(["fix", "."], cwd=tmp_path).returncode in (0, 1)
    assert _apply_sarif(MULTI, safe) == (tmp_path / "app.py").read_text(encoding="utf-8")

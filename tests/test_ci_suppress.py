"""Suppression comments as a CI user meets them: unused ones are reported (RTM900), never for
rules the run switched off, and their fix removes only what is stale."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli

USED = 'H = {"OpenAI-Beta": "realtime=v1"}  # realtime-migrate: ignore[RTM001]\n'
STALE = 'H = {"X": "y"}  # realtime-migrate: ignore[RTM001]\n'
MIXED = 'H = {"OpenAI-Beta": "realtime=v1"}  # realtime-migrate: ignore[RTM001, RTM003]\n'


def scan_json(tmp: Path, text: str, *args: str) -> list[tuple[str, int, str]]:
    (tmp / "a.py").write_text(text, encoding="utf-8")
    proc = run_cli(["scan", "-o", "json", *args, "a.py"], cwd=tmp)
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["code"], f["location"]["line"], f["message"]) for f in json.loads(proc.stdout)["findings"]]


def test_used_suppression_is_silent(tmp_path: Path) -> None:
    assert scan_json(tmp_path, USED) == []


def test_stale_suppression_is_reported_and_fixed(tmp_path: Path) -> None:
    (code, line, message), = scan_json(tmp_path, STALE)
    assert (code, line) == ("RTM900", 1) and "no RTM001 finding here" in message
    proc = run_cli(["fix", "a.py"], cwd=tmp_path)
    assert proc.returncode == 0
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == 'H = {"X": "y"}\n'


def test_only_the_unused_code_is_removed(tmp_path: Path) -> None:
    assert [c for c, _, _ in scan_json(tmp_path, MIXED)] == ["RTM900"]
    run_cli(["fix", "a.py"], cwd=tmp_path)
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == USED


def test_switched_off_rules_are_never_judged(tmp_path: Path) -> None:
    # RTM001 is ignored for this run: its suppression may well be needed; do not report or remove it.
    assert scan_json(tmp_path, USED, "--ignore", "RTM001") == []
    (tmp_path / "a.py").write_text(USED, encoding="utf-8")
    run_cli(["fix", "--ignore", "RTM001", "a.py"], cwd=tmp_path)
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == USED
    # Same through per-file-ignores in the config.
    (tmp_path / "pyproject.toml").write_text('[tool.realtime-migrate.per-file-ignores]\n"a.py" = ["RTM001"]\n',
                                             encoding="utf-8")
    assert scan_json(tmp_path, USED) == []


def test_rtm900_can_be_ignored_and_a_directive_can_keep_itself(tmp_path: Path) -> None:
    assert scan_json(tmp_path, STALE, "--ignore", "RTM900") == []
    assert scan_json(tmp_path, 'H = {"X": "y"}  # realtime-migrate: ignore[RTM001, RTM900] kept on purpose\n') == []


def test_file_level_and_unknown_codes(tmp_path: Path) -> None:
    text = "# realtime-migrate: ignore-file[RTM001]\n" + USED.replace("  # realtime-migrate: ignore[RTM001]", "") \
        + "x = 1  # realtime-migrate: ignore[RTM9999]\n"
    found = scan_json(tmp_path, text)
    assert [(c, ln) for c, ln, _ in found] == [("RTM900", 3)]
    assert "RTM9999: no such rule" in found[0][2]


def test_suppressed_findings_do_not_fail_ci_and_show_in_no_format(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(USED, encoding="utf-8")
    for fmt in ("text", "concise", "github", "junit"):
        proc = run_cli(["scan", "-o", fmt, "a.py"], cwd=tmp_path)
        assert proc.returncode == 0, (fmt, proc.stdout)
        assert "RTM001" not in proc.stdout, fmt
    sarif = json.loads(run_cli(["scan", "-o", "sarif", "a.py"], cwd=tmp_path).stdout)
    assert sarif["runs"][0]["results"] == []


ADOPT = (
    'H = {"OpenAI-Beta": "realtime=v1"}  # keep this\n'
    'DOC = """\n'
    "realtime=v1\n"
    '"""\n'
    'Z = "realtime=v1"  # realtime-migrate: ignore[RTM003]\n'
    'if event["type"] == "response.audio.delta":\n'
    "    pass\n"
)
ADOPTED = (
    'H = {"OpenAI-Beta": "realtime=v1"}  # keep this  # realtime-migrate: ignore[RTM001]\n'
    'DOC = """\n'
    "realtime=v1\n"
    '"""  # realtime-migrate: ignore[RTM001]\n'
    'Z = "realtime=v1"  # realtime-migrate: ignore[RTM003, RTM001]\n'
    'if event["type"] == "response.audio.delta":  # realtime-migrate: ignore[RTM003]\n'
    "    pass\n"
)


def test_add_suppressions_writes_directives_where_comments_can_go(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(ADOPT, encoding="utf-8")
    proc = run_cli(["scan", "-o", "concise", "--add-suppressions", "a.py"], cwd=tmp_path)
    assert "Added 4 suppressions in 1 file." in proc.stderr
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == ADOPTED
    # What is left is reported: the pre-existing stale RTM003 code in line 5.
    assert proc.returncode == 1
    assert [ln.split(": ")[0] for ln in proc.stdout.splitlines() if ln.startswith("a.py:")] == ["a.py:5:20"]
    again = run_cli(["scan", "--ignore", "RTM900", "--add-suppressions", "a.py"], cwd=tmp_path)
    assert again.returncode == 0 and "Added 0 suppressions" in again.stderr
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == ADOPTED


def test_bare_directive_is_judged_when_every_rule_ran(tmp_path: Path) -> None:
    text = 'x = 1  # realtime-migrate: ignore\nH = {"OpenAI-Beta": "realtime=v1"}  # realtime-migrate: ignore\n'
    assert [(c, ln) for c, ln, _ in scan_json(tmp_path, text)] == [("RTM900", 1)]
    # With a rule switched off whose trigger is in the file, a bare directive cannot be judged.
    assert scan_json(tmp_path, text, "--ignore", "RTM001") == []

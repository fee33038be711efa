"""Golden before/after fixtures for every rule (fixtures/rules/<CODE>/*.py).

Each fixture has a snapshot `<name>.py.snap` with the findings, the `fix` output and the
`fix --unsafe-fixes` output, computed with that rule alone. Regenerate after a reviewed
change with `RTM_UPDATE_SNAPSHOTS=1 pytest tests/test_rule_fixtures.py`.

File-name prefixes are contracts the tests enforce:
  positive_*  at least one finding of the rule;
  negative_*, ga_*  no finding of the rule, and `fix` leaves the file byte-identical;
  comment_*   a finding, and every comment of the input survives the safe `fix`.
"""

from __future__ import annotations

import io
import os
import tokenize
from pathlib import Path

import pytest
from helpers import FIXTURES, compiles, fix_text, scan_text

from realtime_migrate import catalog
from realtime_migrate.model import Finding

RULE_FIXTURES = FIXTURES / "rules"
CASES = sorted(p for p in RULE_FIXTURES.glob("RTM*/*.py"))
UPDATE = os.environ.get("RTM_UPDATE_SNAPSHOTS") == "1"


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


def _read(p: Path) -> str:
    return p.read_bytes().decode("utf-8")


def _finding_line(f: Finding) -> str:
    fix = "no-fix" if f.fix is None else f.fix.applicability.value
    kind = "note" if f.is_note else "error"
    return f"{f.line}:{f.col + 1}-{f.end_line}:{f.end_col + 1} {f.code} {kind} {fix} {f.message}"


def snapshot(code: str, text: str) -> str:
    findings = scan_text(text, code)
    safe = fix_text(text, code)
    unsafe = fix_text(text, code, unsafe=True)
    parts = ["## findings", *(_finding_line(f) for f in findings), "## fix", safe.rstrip("\n"),
             "## fix --unsafe-fixes", "(same as fix)" if unsafe == safe else unsafe.rstrip("\n"), ""]
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_snapshot(case: Path) -> None:
    code = case.parent.name
    actual = snapshot(code, _read(case))
    snap = case.with_name(case.name + ".snap")
    if UPDATE or not snap.exists():
        snap.write_text(actual, encoding="utf-8", newline="\n")
        if not UPDATE:
            pytest.fail(f"snapshot {snap.name} was missing and has been written: review and commit it")
    assert actual == snap.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_fix_is_idempotent_and_parses(case: Path) -> None:
    code = case.parent.name
    text = _read(case)
    for unsafe in (False, True):
        once = fix_text(text, code, unsafe=unsafe)
        assert compiles(once), f"fix output does not compile (unsafe={unsafe})"
        assert fix_text(once, code, unsafe=unsafe) == once, f"fix is not idempotent (unsafe={unsafe})"
        if not unsafe:
            left = [f for f in scan_text(once, code) if f.fix is not None and f.fix.is_safe]
            assert not left, f"safe fixes left after fix: {left}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_prefix_contract(case: Path) -> None:
    code = case.parent.name
    text = _read(case)
    findings = [f for f in scan_text(text, code) if f.code == code and not f.is_note]
    name = case.name
    if name.startswith(("negative_", "ga_")):
        assert not findings, [_finding_line(f) for f in findings]
        assert fix_text(text, code, unsafe=True) == text
    elif name.startswith("positive_"):
        assert findings, "positive fixture without a finding"
    elif name.startswith("comment_"):
        assert findings, "comment fixture without a finding"
        fixed = fix_text(text, code)
        for comment in _comments(text):
            assert comment in fixed, f"comment {comment!r} lost by the safe fix"
    else:
        pytest.fail(f"fixture name {name} must start with positive_, negative_, ga_ or comment_")


def _comments(text: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]


@pytest.mark.parametrize("rule", catalog.all_rules(), ids=lambda r: r.code)
def test_every_rule_has_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    names = [p.name for p in (RULE_FIXTURES / rule.code).glob("*.py")]
    for prefix in ("positive_", "negative_", "comment_"):
        assert any(n.startswith(prefix) for n in names), f"{rule.code} lacks a {prefix}* fixture"


@pytest.mark.parametrize("rule", catalog.all_rules(), ids=lambda r: r.code)
def test_positive_inputs_contain_a_trigger(rule) -> None:  # type: ignore[no-untyped-def]
    """Every fixture and docs example that shows a finding holds a trigger and the rule's context.

    (The engine runs a rule only where `applies_to` holds, so this guards the rule's reach, not the prefilter.)"""
    texts = [_read(p) for p in (RULE_FIXTURES / rule.code).glob("*.py") if not p.name.startswith(("negative_", "ga_"))]
    texts += [ex.before for ex in rule.examples]
    for text in texts:
        assert rule.applies_to(text.encode("utf-8").lower()), text[:200]


def _examples():  # type: ignore[no-untyped-def]
    for rule in catalog.all_rules():
        for i, ex in enumerate(rule.examples):
            yield pytest.param(rule, ex, id=f"{rule.code}-example{i}")


@pytest.mark.parametrize("rule,example", list(_examples()))
def test_rule_examples(rule, example) -> None:  # type: ignore[no-untyped-def]
    findings = [f for f in scan_text(example.before, rule.code) if f.code == rule.code and not f.is_note]
    assert findings, "example shows no finding"
    expected = example.before if example.after is None else example.after
    assert fix_text(example.before, rule.code) == expected
    if example.unsafe_after is not None:
        assert fix_text(example.before, rule.code, unsafe=True) == example.unsafe_after


def test_docs_and_examples_exist_for_every_rule() -> None:
    for rule in catalog.all_rules():
        assert rule.examples, f"{rule.code} has no examples"
        for section in (rule.what, rule.why, rule.example, rule.use_instead, rule.fix_safety):
            assert section.strip()

"""QA regressions: minimal reproductions of problems found on real public Realtime code.

Each `fixtures/qa/*.py` is a small synthetic program (written for this suite; no third-party
code) whose header comments state what the tool must do with it:

    # expected: <one line for humans: what should happen and why>
    # status: open | fixed          open = the bug is not fixed yet (test is xfail, strict)
    # open-in: expectations | invariants | both
                                    which test an open bug fails today (default: expectations)
    # expect-codes: RTM001,RTM003   each code has at least one error finding; `none` = no
                                    error finding at all (notes are allowed)
    # expect-no-codes: RTM003       none of these codes reports anything (notes included)
    # expect-lines: 7,9-11          an error finding (any code) starts on each of these lines
                                    (or, for a range, somewhere in it)
    # expect-no-lines: 7            no error finding starts on these lines
    # expect-notes: RTM003          each code has at least one note (info) finding
    # expect-message-contains: TEXT some finding's message contains TEXT
    # expect-message-not-contains: TEXT  no finding's message contains TEXT
    # expect-fixed-contains: TEXT   the safe `fix` output contains TEXT (`\\n` = newline)
    # expect-fixed-not-contains: TEXT
    # expect-unsafe-contains: TEXT  the same for `fix --unsafe-fixes`
    # expect-unsafe-not-contains: TEXT
    # expect-unchanged: yes         the safe fix leaves the file byte-identical
    # expect-unsafe-unchanged: yes  the unsafe fix leaves the file byte-identical
    # expect-unsafe-finding-lines: 7  a finding on this line has an unsafe fix or no fix

Every fixture, open or fixed, must also satisfy the invariants: no crash, the safe and the
unsafe fix outputs compile, and fixing the output again changes nothing (idempotence).
Rules are selected through the prefilter, as the CLI does, so a missing trigger shows here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, compiles

from realtime_migrate import catalog, engine
from realtime_migrate.model import Finding
from realtime_migrate.prefilter import Prefilter

QA = FIXTURES / "qa"
CASES = sorted(QA.glob("*.py"))
DIRECTIVE = re.compile(r"^#\s*(expected|status|open-in|expect-[a-z-]+)\s*:\s?(.*)$")
KNOWN = {
    "expected", "status", "open-in", "expect-codes", "expect-no-codes", "expect-lines", "expect-no-lines",
    "expect-notes", "expect-fixed-contains", "expect-fixed-not-contains", "expect-unsafe-contains",
    "expect-unsafe-not-contains", "expect-unchanged", "expect-unsafe-unchanged",
    "expect-unsafe-finding-lines", "expect-message-contains", "expect-message-not-contains",
}


@dataclass
class Spec:
    path: Path
    text: str
    directives: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str) -> list[str]:
        return self.directives.get(key, [])

    def items(self, key: str) -> list[str]:
        return [x.strip() for v in self.get(key) for x in v.split(",") if x.strip()]

    def lines(self, key: str) -> list[range]:
        out = []
        for x in self.items(key):
            lo, _, hi = x.partition("-")
            out.append(range(int(lo), int(hi or lo) + 1))
        return out

    def texts(self, key: str) -> list[str]:
        return [v.replace("\\n", "\n") for v in self.get(key)]

    @property
    def is_open(self) -> bool:
        return (self.get("status") or ["fixed"])[0].strip() == "open"

    def open_in(self, test: str) -> bool:
        where = (self.get("open-in") or ["expectations"])[0].strip()
        return self.is_open and where in (test, "both")


def load(path: Path) -> Spec:
    text = path.read_bytes().decode("utf-8")
    spec = Spec(path, text)
    for line in text.splitlines():
        m = DIRECTIVE.match(line)
        if m:
            spec.directives.setdefault(m.group(1), []).append(m.group(2).rstrip())
    return spec


def _rules(text: str):
    rules = catalog.all_rules()
    return Prefilter(rules).rules_for(text.encode("utf-8"))


def scan(text: str) -> list[Finding]:
    return engine.analyse("case.py", text, _rules(text))


def fix(text: str, unsafe: bool = False) -> str:
    return engine.fix_text("case.py", text, _rules(text), unsafe=unsafe).text


def _body(text: str) -> str:
    """The text without the header directives, so that they never satisfy a check themselves."""
    return "".join(line for line in text.splitlines(keepends=True) if not DIRECTIVE.match(line))


def _describe(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.line}:{f.col + 1} {f.code} {'note' if f.is_note else 'error'} "
                     f"{'no-fix' if f.fix is None else f.fix.applicability.value} {f.message}"
                     for f in findings) or "  (no findings)"


def _param(p: Path, test: str):
    spec = load(p)
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError,
                               reason=f"open QA bug: {' '.join(spec.get('expected'))}")] if spec.open_in(test) else []
    return pytest.param(p, id=p.stem, marks=marks)


def test_fixtures_are_well_formed() -> None:
    assert CASES, "no QA fixtures"
    for p in CASES:
        spec = load(p)
        assert spec.get("expected"), f"{p.name}: missing '# expected:' header"
        unknown = set(spec.directives) - KNOWN
        assert not unknown, f"{p.name}: unknown directives {sorted(unknown)}"
        assert (spec.get("status") or ["fixed"])[0].strip() in ("open", "fixed"), p.name
        assert (spec.get("open-in") or ["expectations"])[0].strip() in ("expectations", "invariants", "both"), p.name
        assert len(spec.directives) > 2 or spec.get("expect-codes"), f"{p.name}: no expectation"


@pytest.mark.parametrize("case", [_param(p, "invariants") for p in CASES])
def test_invariants(case: Path) -> None:
    """No crash; fix outputs compile; a second fix is a no-op (open cases too, unless open-in says so)."""
    text = load(case).text
    try:
        scan(text)
    except Exception as exc:  # an internal error is a failure of this test, not an error of the suite
        raise AssertionError(f"scan crashed: {type(exc).__name__}: {exc}") from exc
    for unsafe in (False, True):
        try:
            out = fix(text, unsafe=unsafe)
        except Exception as exc:
            raise AssertionError(f"fix crashed: {type(exc).__name__}: {exc}") from exc
        assert compiles(out), f"fix{' --unsafe-fixes' if unsafe else ''} output does not compile:\n{out}"
        again = fix(out, unsafe=unsafe)
        assert again == out, f"fix{' --unsafe-fixes' if unsafe else ''} is not idempotent"


@pytest.mark.parametrize("case", [_param(p, "expectations") for p in CASES])
def test_expectations(case: Path) -> None:
    spec = load(case)
    try:
        findings = scan(spec.text)
    except Exception as exc:
        raise AssertionError(f"scan crashed: {type(exc).__name__}: {exc}") from exc
    # Notes on the header lines themselves (they quote event names) are not part of the case.
    header = {i for i, line in enumerate(spec.text.splitlines(), 1) if DIRECTIVE.match(line)}
    findings = [f for f in findings if f.line not in header]
    errors = [f for f in findings if not f.is_note]
    notes = [f for f in findings if f.is_note]
    shown = _describe(findings)

    codes = spec.items("expect-codes")
    if codes == ["none"]:
        assert not errors, f"expected no error finding, got:\n{shown}"
    else:
        for code in codes:
            assert any(f.code == code for f in errors), f"expected a {code} finding, got:\n{shown}"
    for code in spec.items("expect-no-codes"):
        assert not any(f.code == code for f in findings), f"expected no {code} finding, got:\n{shown}"
    for code in spec.items("expect-notes"):
        assert any(f.code == code for f in notes), f"expected a {code} note, got:\n{shown}"
    for t in spec.texts("expect-message-contains"):
        assert any(t in f.message for f in findings), f"expected a message containing {t!r}, got:\n{shown}"
    for t in spec.texts("expect-message-not-contains"):
        assert not any(t in f.message for f in findings), f"expected no message containing {t!r}, got:\n{shown}"
    for lines in spec.lines("expect-lines"):
        assert any(f.line in lines for f in errors), f"expected a finding on line(s) {lines}, got:\n{shown}"
    for lines in spec.lines("expect-no-lines"):
        assert not any(f.line in lines for f in errors), f"expected no finding on line(s) {lines}, got:\n{shown}"
    for lines in spec.lines("expect-unsafe-finding-lines"):
        line = lines
        here = [f for f in errors if f.line in lines]
        assert here, f"expected a finding on line {line}, got:\n{shown}"
        assert all(f.fix is None or not f.fix.is_safe for f in here), \
            f"expected only unsafe or report-only findings on line {line}, got:\n{shown}"

    needs_safe = any(spec.get(k) for k in ("expect-fixed-contains", "expect-fixed-not-contains", "expect-unchanged"))
    needs_unsafe = any(spec.get(k) for k in ("expect-unsafe-contains", "expect-unsafe-not-contains",
                                             "expect-unsafe-unchanged"))
    if needs_safe:
        safe = fix(spec.text)
        body = _body(safe)
        for t in spec.texts("expect-fixed-contains"):
            assert t in body, f"safe fix output lacks {t!r}:\n{safe}"
        for t in spec.texts("expect-fixed-not-contains"):
            assert t not in body, f"safe fix output contains {t!r}:\n{safe}"
        if spec.get("expect-unchanged"):
            assert safe == spec.text, f"safe fix changed the file:\n{safe}"
    if needs_unsafe:
        unsafe = fix(spec.text, unsafe=True)
        ubody = _body(unsafe)
        for t in spec.texts("expect-unsafe-contains"):
            assert t in ubody, f"unsafe fix output lacks {t!r}:\n{unsafe}"
        for t in spec.texts("expect-unsafe-not-contains"):
            assert t not in ubody, f"unsafe fix output contains {t!r}:\n{unsafe}"
        if spec.get("expect-unsafe-unchanged"):
            assert unsafe == spec.text, f"unsafe fix changed the file:\n{unsafe}"


def test_cli_runs_over_all_fixtures(tmp_path: Path) -> None:
    """The real CLI over the whole directory: no internal error, no exit code 2.

    Fixtures of open bugs that fail the invariants today (a known crash) are left out.
    """
    for p in CASES:
        if not load(p).open_in("invariants"):
            (tmp_path / p.name).write_bytes(p.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "scan", str(tmp_path), "-o", "json",
                           "--exit-zero"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert not report["errors"], report["errors"]
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "fix", "--unsafe-fixes", str(tmp_path),
                           "-o", "json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert not json.loads(proc.stdout)["errors"]


NOTEBOOK = {
    "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": [
        'headers = {"Authorization": "Bearer k", "OpenAI-Beta": "realtime=v1"}\n',
        'if event["type"] == "response.audio.delta":\n',
        "    play(event)\n",
    ]}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


@pytest.mark.parametrize("explicit", [
    pytest.param(False, id="directory"),  # fixed: notebooks are analysed (tests/test_notebooks.py)
    pytest.param(True, id="explicit-path"),
])
def test_notebooks_are_not_silently_passed(tmp_path: Path, explicit: bool) -> None:
    """A preview notebook is analysed (exit 1, RTM001/RTM003) or at least named as skipped."""
    nb = tmp_path / "realtime_demo.ipynb"
    nb.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    target = nb if explicit else tmp_path
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "scan", str(target)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    out = proc.stdout + proc.stderr
    analysed = proc.returncode == 1 and "RTM001" in out
    skipped_loudly = "realtime_demo.ipynb" in out and "skip" in out.lower()
    assert analysed or skipped_loudly, out

"""Parse → rules → findings, and the fix loop.

Works on decoded text and knows nothing of files, so the CLI, the pre-commit hook,
stdin and the tests share it. libcst is imported here only, and this module is only
imported once a file has passed the prefilter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper

from realtime_migrate import matchers
from realtime_migrate.matchers.base import FileContext
from realtime_migrate.model import Edit, Finding
from realtime_migrate.rule import Rule
from realtime_migrate.suppress import Suppressions

MAX_FIX_PASSES = 12


class ParseFailure(Exception):
    """The file is not Python that we can parse; message is one line."""


class FixFailure(Exception):
    """A bug in a fix (output does not parse, or fixes do not converge); the file is left untouched."""


def parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid syntax"
        raise ParseFailure(f"syntax error at line {exc.raw_line}, column {exc.raw_column}: {first}") from None
    except (RecursionError, MemoryError) as exc:
        raise ParseFailure(f"cannot parse: {type(exc).__name__}") from None


def analyse(path: str, text: str, rules: Sequence[Rule]) -> list[Finding]:
    """All findings in `text` (suppressions applied), sorted by position."""
    if not rules:
        return []
    module = parse(text)
    ctx = FileContext(path=path, text=text, module=module)
    visitors = [matchers.load(rule.matcher)(rule, ctx) for rule in rules]
    MetadataWrapper(module, unsafe_skip_copy=True).visit_batched(visitors)
    suppressions = Suppressions.parse(text)
    findings = suppressions.filter(ctx.findings) + suppressions.unused_findings(path, text, rules)
    return sorted(set(findings), key=Finding.sort_key)


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; overlapping ones wait for the next pass."""
    accepted: list[Edit] = []
    last_end = -1
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end, e.content)):
        if edit.start < last_end or (accepted and edit.start == accepted[-1].start == edit.end):
            continue
        accepted.append(edit)
        last_end = edit.end
    out = []
    pos = 0
    for edit in accepted:
        out.append(text[pos:edit.start])
        out.append(edit.content)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out), accepted


@dataclass
class FixOutcome:
    text: str
    fixed: list[Finding]
    remaining: list[Finding]
    passes: int


def _fix_groups(findings: Sequence[Finding], unsafe: bool) -> list[tuple[Finding, tuple[Edit, ...]]]:
    return [
        (f, f.fix.edits)
        for f in findings
        if f.fix is not None and not f.is_note and (f.fix.is_safe or unsafe)
    ]


def fix_text(path: str, text: str, rules: Sequence[Rule], *, unsafe: bool = False) -> FixOutcome:
    """Apply fixes until nothing changes, checking after every pass that the result parses."""
    fixed: list[Finding] = []
    current = text
    findings = analyse(path, current, rules)
    for passes in range(1, MAX_FIX_PASSES + 1):
        groups = _fix_groups(findings, unsafe)
        if not groups:
            return FixOutcome(current, fixed, findings, passes - 1)
        # A finding's edits are all-or-nothing: take whole groups that do not overlap.
        chosen: list[Edit] = []
        taken: list[tuple[int, int]] = []
        for finding, edits in groups:
            if all(e in chosen or not any(e.start < b and a < e.end or e.start == e.end == a for a, b in taken)
                   for e in edits):
                for e in edits:
                    if e not in chosen:
                        chosen.append(e)
                        taken.append((e.start, e.end))
                fixed.append(finding)
        new_text, _ = apply_edits(current, chosen)
        try:
            parse(new_text)
            compile(new_text, path, "exec", dont_inherit=True, flags=cst_compile_flags())
        except (ParseFailure, SyntaxError, ValueError) as exc:
            raise FixFailure(f"internal error: fix produced code that does not parse ({exc}); file left untouched") from None
        if new_text == current:
            return FixOutcome(current, fixed, findings, passes)
        current = new_text
        findings = analyse(path, current, rules)
    raise FixFailure(f"internal error: fixes did not converge after {MAX_FIX_PASSES} passes; file left untouched")


def cst_compile_flags() -> int:
    import ast

    return ast.PyCF_ONLY_AST

"""One program being analysed: byte/character positions, text edits, and findings (demoted to notes where
the code speaks another protocol on purpose)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from realtime_migrate.model import Applicability, Edit, Finding, Fix, Severity
from realtime_migrate.protocol import REALTIME_SCOPE
from realtime_migrate.redact import redact
from realtime_migrate.rule import Rule


@dataclass
class _Ctx:
    path: str
    text: str
    raw: bytes
    rules: dict[str, Rule]
    findings: list[Finding]
    foreign: bool
    line_starts: list[int]
    ascii: bool
    comments: list[tuple[int, int]]  # character spans of the file's comments
    _byte_starts: list[int] | None = None  # byte offset of each line, for `char` in a file that is not ASCII
    responses: bool = False  # the file also calls the Responses API, which streams some preview event names

    def char(self, byte: int) -> int:
        """Character offset of a byte offset: tree-sitter counts bytes, edits and columns count characters."""
        if self.ascii:
            return byte
        if self._byte_starts is None:
            self._byte_starts = [0] + [m.end() for m in re.finditer(b"\n", self.raw)]
        line = bisect.bisect_right(self._byte_starts, byte) - 1  # decode only the line's head, not the file's
        return self.line_starts[line] + len(self.raw[self._byte_starts[line]:byte].decode("utf-8", "replace"))

    def pos(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based column) of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line]

    def span(self, node: Any) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def src(self, node: Any) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def edit(self, start: int, end: int, content: str) -> Edit:
        sl, sc = self.pos(start)
        el, ec = self.pos(end)
        return Edit(start, end, content, sl, sc, el, ec)

    def replace(self, node: Any, content: str) -> Edit:
        return self.edit(*self.span(node), content)

    def report(self, code: str, node: Any, message: str, *, edits: Sequence[Edit] = (), unsafe: bool = False,
               ga_form: str | None = None, title: str | None = None, note: bool = False) -> None:
        rule = self.rules.get(code)
        if rule is None:
            return
        start, end = self.span(node)
        line, col = self.pos(start)
        end_line, end_col = self.pos(end)
        if not note and _legacy_branch(self, node):
            note = True
            message += (" (inside a branch for the preview protocol, such as legacy Azure `api-version` support: kept "
                        "on purpose? If it is, suppress this; if not, migrate it)")
        if not note and self.responses and _responses_scope(self, node):
            note = True
            message += " (in code that calls the Responses API, which streams events of the same names)"
        severity = Severity.INFO if (note or self.foreign) else Severity.ERROR
        fix = None
        if edits and severity is Severity.ERROR:
            # a fix that drops a comment is unsafe by construction (as for Python)
            lost = any(e.start <= cs and ce <= e.end and self.text[cs:ce] not in e.content
                       for e in edits for cs, ce in self.comments)
            applicability = Applicability.UNSAFE if (unsafe or lost) else Applicability.SAFE
            fix = Fix(tuple(sorted(edits)), applicability, title or f"Replace with {ga_form}")
        source_line = _line(self.text, self.line_starts, line)
        self.findings.append(Finding(rule.code, rule.name, redact(message), self.path, line, col, end_line, end_col,
                                     severity, fix, redact(ga_form) if ga_form else ga_form, redact(source_line)))


def _line(text: str, starts: list[int], line: int) -> str:
    return text[starts[line - 1]:].split("\n", 1)[0].rstrip("\r")


_LEGACY_TEST = re.compile(r"legacy|preview|beta|api_?version", re.IGNORECASE)


def _responses_scope(ctx: _Ctx, node: Any) -> bool:
    """In a file that calls both APIs (an SDK bundle), the class or top-level function around `node` shows no sign
    of Realtime: its event names are the Responses API's."""
    scope, parent = node, node.parent
    while parent is not None and parent.type != "program":
        if parent.type in ("class_declaration", "class", "function_declaration", "method_definition"):
            scope = parent
            if parent.type in ("class_declaration", "class"):
                break
        parent = parent.parent
    return scope is not node and not REALTIME_SCOPE.search(ctx.src(scope))


def _legacy_branch(ctx: _Ctx, node: Any) -> bool:
    """Code inside `if (isAzure && apiVersion) { ... }` (or a `? :` on such a test): deliberate support for the preview
    protocol beside GA code, as frameworks keep for legacy Azure deployments. Its findings are notes."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type in ("if_statement", "ternary_expression"):
            test = parent.child_by_field_name("condition")
            if test is not None and child.id != test.id and _LEGACY_TEST.search(ctx.src(test)):
                consequence = parent.child_by_field_name("consequence")
                if consequence is not None and consequence.id == child.id:
                    return True
        child, parent = parent, parent.parent
    return False


def _remove_element(ctx: _Ctx, container: Any, element: Any) -> Edit:
    """Remove an array element or object member with its separating comma (and the blank before/after)."""
    start, end = ctx.span(element)
    text = ctx.text
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        after += 1
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] in "\r\n":  # the member had its own line: drop the line
            line_start = text.rfind("\n", 0, start) + 1
            if not text[line_start:start].strip():
                nl = text.find("\n", after)
                return ctx.edit(line_start, nl + 1 if nl >= 0 else len(text), "")
        return ctx.edit(start, after, "")
    before = start
    while before > 0 and text[before - 1] in " \t\r\n":
        before -= 1
    if before > 0 and text[before - 1] == ",":
        return ctx.edit(before - 1, end, "")
    return ctx.edit(start, end, "")


def _remove_statement(ctx: _Ctx, statement: Any) -> Edit:
    start, end = ctx.span(statement)
    text = ctx.text
    line_start = text.rfind("\n", 0, start) + 1
    nl = text.find("\n", end)
    if not text[line_start:start].strip() and not text[end:nl if nl >= 0 else len(text)].strip():
        return ctx.edit(line_start, nl + 1 if nl >= 0 else len(text), "")
    return ctx.edit(start, end, "")

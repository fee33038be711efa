"""What every matcher shares: reporting, positions, and edits built from CST nodes.

A matcher never edits the tree. It reports findings whose fixes are text edits on the
original decoded source; the engine applies them. Any edit that would drop a comment
is downgraded to unsafe here, once, instead of in every rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from realtime_migrate.model import Applicability, Edit, Finding, Fix, Severity
from realtime_migrate.positions import StatementPositions
from realtime_migrate.redact import redact
from realtime_migrate.rule import Rule

_NEWLINE = re.compile(r"\r\n|\r|\n")

# False: libcst's PositionProvider over the whole module; the tests compare both.
POSITIONS_BY_STATEMENT = True


@dataclass
class FileContext:
    """Per-file state shared by the matchers of one pass."""

    path: str
    text: str
    module: cst.Module
    tree: ast.Module | None = None  # CPython's, for positions.StatementPositions
    findings: list[Finding] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)
    owners: dict[cst.CSTNode, int] = field(default_factory=dict)  # node -> top-level statement, from the walk

    def __post_init__(self) -> None:
        starts = [0]
        starts.extend(m.end() for m in _NEWLINE.finditer(self.text))
        self.line_starts = starts

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def lines_span(self, first: int, last: int) -> tuple[int, int]:
        """[start, end) of whole lines `first`..`last` (1-based), the last one's newline included."""
        end = self.line_starts[last] if last < len(self.line_starts) else len(self.text)
        return self.line_starts[first - 1], end

    def position(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo]

    def metadata(self, provider: type) -> Any:
        """A metadata provider's mapping for this module, computed on first use, once per file.

        Declaring a provider in METADATA_DEPENDENCIES makes every analysed file pay for it before
        any visitor runs; positions alone cost about as much as the parse. Most files that pass the
        prefilter report nothing, so positions are computed only when a finding is reported.
        """
        cache = self.scratch.setdefault("metadata", {})
        if provider is PositionProvider and provider not in cache and POSITIONS_BY_STATEMENT:
            cache[provider] = StatementPositions(self.module, self.tree, self.text, self.line_starts,
                                                 self.owners)
        if provider not in cache:
            wrapper = self.scratch.get("metadata-wrapper")
            if wrapper is None:
                wrapper = self.scratch["metadata-wrapper"] = MetadataWrapper(self.module, unsafe_skip_copy=True)
            cache[provider] = wrapper.resolve(provider)
        return cache[provider]

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.comments: list[str] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(node.value)


def comments_in(node: cst.CSTNode) -> list[str]:
    collector = _CommentCollector()
    node.visit(collector)
    return collector.comments


class Matcher(cst.BatchableCSTVisitor):
    """Base for matchers; subclasses add `visit_<Node>` methods and call `report`."""

    METADATA_DEPENDENCIES: Sequence[Any] = ()  # positions are computed lazily: FileContext.metadata

    def __init__(self, rule: Rule, ctx: FileContext) -> None:
        super().__init__()
        self.rule = rule
        self.ctx = ctx
        self.options = rule.options

    # -- positions --------------------------------------------------------------------
    def range_of(self, node: cst.CSTNode) -> CodeRange:
        return self.ctx.metadata(PositionProvider)[node]

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        r = self.range_of(node)
        return self.ctx.offset(r.start.line, r.start.column), self.ctx.offset(r.end.line, r.end.column)

    def render(self, node: cst.CSTNode, indent: str = "") -> str:
        """The code of `node` as it reads inside a block indented by `indent`.

        libcst writes the enclosing block's indentation into continuation lines of
        bracketed code, so a node inside a function must be rendered with it.
        """
        state = CodegenState(default_indent=self.ctx.module.default_indent,
                             default_newline=self.ctx.module.default_newline)
        if indent:
            state.indent_tokens.append(indent)
        node._codegen(state)
        return "".join(state.tokens)

    def locate(self, node: cst.CSTNode) -> tuple[int, int, str]:
        """The span of the node's whole code (parentheses included) and its block indentation.

        PositionProvider leaves out the parentheses a node owns, and the block indentation is
        not recorded on the node, so both are found by matching the rendering against the
        source text; a mismatch is a bug, never an edit.
        """
        start, end = self.span(node)
        text = self.ctx.text
        first_line = self.range_of(node).start.line
        indents = [""]
        for line in range(first_line, 0, -1):
            lead = self.ctx.line_text(line)
            lead = lead[: len(lead) - len(lead.lstrip(" \t"))]
            if lead and lead not in indents:
                indents.append(lead)
            if len(indents) > 8:
                break
        for indent in indents:
            expected = self.render(node, indent)
            if text[start:end] == expected:
                return start, end, indent
            for lead in range(0, len(expected) - (end - start) + 1):
                s = start - lead
                if s >= 0 and text[s:s + len(expected)] == expected:
                    return s, s + len(expected), indent
        raise AssertionError(
            f"internal: position of {type(node).__name__} does not match its code at line {first_line}"
        )

    def full_span(self, node: cst.CSTNode) -> tuple[int, int]:
        start, end, _ = self.locate(node)
        return start, end

    # -- edits ------------------------------------------------------------------------
    def make_edit(self, start: int, end: int, content: str) -> Edit:
        sl, sc = self.ctx.position(start)
        el, ec = self.ctx.position(end)
        return Edit(start, end, content, sl, sc, el, ec)

    def replace(self, node: cst.CSTNode, new: cst.CSTNode | str) -> Edit:
        """An edit replacing `node` with `new` (rendered in the node's block indentation)."""
        start, end, indent = self.locate(node)
        content = new if isinstance(new, str) else self.render(new, indent)
        return self.make_edit(start, end, content)

    def loses_comment(self, node: cst.CSTNode, edits: Sequence[Edit]) -> bool:
        new_text = "".join(e.content for e in edits)
        return any(c not in new_text for c in comments_in(node))

    # -- reporting --------------------------------------------------------------------
    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        *,
        edits: Sequence[Edit] = (),
        unsafe: bool = False,
        severity: Severity = Severity.ERROR,
        ga_form: str | None = None,
        fix_title: str | None = None,
        comment_scope: cst.CSTNode | None = None,
        **fmt: Any,
    ) -> None:
        """Record a finding at `node`.

        `comment_scope` is the node whose comments the edits must keep (default: the
        node itself when there are edits); a lost comment makes the fix unsafe.
        """
        r = self.range_of(node)
        msg = message if message is not None else self.rule.message.format(**fmt)
        fix = None
        if edits:
            scope = comment_scope if comment_scope is not None else node
            lost = self.loses_comment(scope, edits)
            applicability = Applicability.UNSAFE if (unsafe or lost) else Applicability.SAFE
            title = fix_title or (ga_form and f"Replace with {ga_form}") or "Rewrite to the GA form"
            fix = Fix(tuple(sorted(edits)), applicability, title)
        self.ctx.findings.append(
            Finding(
                code=self.rule.code,
                name=self.rule.name,
                message=redact(msg),
                path=self.ctx.path,
                line=r.start.line,
                col=r.start.column,
                end_line=r.end.line,
                end_col=r.end.column,
                severity=severity,
                fix=fix,
                ga_form=redact(ga_form) if ga_form else ga_form,
                # Display text only (code frames, baseline files, the cache): a key on the line is masked
                # here once. The edits keep the exact text: `fix` must write what the file had.
                source_line=redact(self.ctx.line_text(r.start.line)),
            )
        )


def string_value(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, cst.SimpleString):
        prefix = node.prefix.lower()
        if "b" in prefix or "f" in prefix:
            return None
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - malformed escapes: not a literal we can reason about
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None


def requote(node: cst.SimpleString, value: str) -> str:
    """`value` written with the same prefix and quotes as `node` (value has no quotes or escapes)."""
    quote = node.quote
    return f"{node.prefix}{quote}{value}{quote}"


def remove_element(
    matcher: Matcher, container: cst.CSTNode, element: cst.CSTNode
) -> tuple[Edit, bool]:
    """Remove one element of a Dict/List/Tuple/Set or one argument of a Call.

    Returns the edit (the container re-rendered) and whether the removed element
    carried a comment (then the fix must be unsafe; the comment goes with it).
    """
    attr = "args" if isinstance(container, cst.Call) else "elements"
    items = list(getattr(container, attr))
    index = next(i for i, item in enumerate(items) if item is element)
    removed = items[index]
    carried = bool(comments_in(removed)) or _comment_on_lines(matcher, container, removed)
    if len(items) > 1:
        whole_lines = _whole_line_span(matcher, removed)
        if whole_lines is not None:
            return matcher.make_edit(*whole_lines, ""), carried
    rest = items[:index] + items[index + 1:]
    if index == len(items) - 1 and index > 0:
        comma = removed.comma
        if not isinstance(comma, cst.MaybeSentinel):
            comma = _strip_comments(comma)
        rest[-1] = rest[-1].with_changes(comma=comma)
    changes: dict[str, Any] = {attr: rest}
    if not rest:
        if isinstance(container, (cst.Dict, cst.Set)):
            changes["lbrace"] = cst.LeftCurlyBrace()
            changes["rbrace"] = cst.RightCurlyBrace()
        elif isinstance(container, cst.List):
            changes["lbracket"] = cst.LeftSquareBracket()
            changes["rbracket"] = cst.RightSquareBracket()
        elif isinstance(container, cst.Call):
            changes["whitespace_before_args"] = cst.SimpleWhitespace("")
    if isinstance(container, cst.Tuple) and len(rest) == 1 and isinstance(rest[0].comma, cst.MaybeSentinel):
        rest[0] = rest[0].with_changes(comma=cst.Comma())
    if isinstance(container, cst.Set) and not rest:
        return matcher.replace(container, "set()"), carried
    new = container.with_changes(**changes)
    return matcher.replace(container, new), carried


_LINE_REST = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)")


def _whole_line_span(matcher: Matcher, element: cst.CSTNode) -> tuple[int, int] | None:
    """The span of the lines `element` sits on alone (a multi-line container), else None.

    Deleting those lines keeps every other element's layout and comments exactly.
    """
    start, end = matcher.span(element)
    text = matcher.ctx.text
    line_start = text.rfind("\n", 0, start) + 1
    line_start = max(line_start, text.rfind("\r", 0, start) + 1)
    if text[line_start:start].strip():
        return None
    rest = _LINE_REST.match(text, end)
    if rest is None:
        return None
    return line_start, rest.end()


def _comment_on_lines(matcher: Matcher, container: cst.CSTNode, element: cst.CSTNode) -> bool:
    """A comment of the container that sits on a line of `element` (libcst may hang a trailing
    comment on the closing bracket rather than on the element it describes)."""
    r = matcher.range_of(element)
    lines = range(r.start.line, r.end.line + 1)
    found = False

    class _Lines(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            nonlocal found
            if matcher.range_of(node).start.line in lines:
                found = True

    container.visit(_Lines())
    return found


def _strip_comments(comma: cst.Comma) -> cst.Comma:
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace):
        ws = ws.with_changes(
            first_line=ws.first_line.with_changes(comment=None, whitespace=cst.SimpleWhitespace("")),
            empty_lines=[line for line in ws.empty_lines if line.comment is None],
        )
        return comma.with_changes(whitespace_after=ws)
    return comma

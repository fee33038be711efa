"""Removes `OpenAI-Beta: realtime=v1` and the `openai-beta.realtime-v1` sub-protocol.

Recognised shapes: dict entries, (name, value) pairs in header lists, raw header lines,
sub-protocol list elements, and whole statements such as `headers["OpenAI-Beta"] = ...`
or `req.add_header("OpenAI-Beta", "realtime=v1")`. Only the value `realtime=v1` counts:
`assistants=v2` and friends belong to other APIs. A `realtime=v1` literal in any other
position is reported without a fix, since removing it safely needs a human.
"""

from __future__ import annotations

import re

import libcst as cst

from realtime_migrate import traversal
from realtime_migrate.matchers.base import Matcher, remove_element, requote, string_value

_HEADER = "openai-beta"
_RAW_LINE = re.compile(r"\s*openai-beta\s*:\s*realtime=v1\s*", re.IGNORECASE)


def _is_value(text: str | None) -> bool:
    return text is not None and text.strip().lower() == "realtime=v1"


def _other_betas(text: str | None) -> str | None:
    """For a value listing several betas with `realtime=v1` among them ("realtime=v1,assistants=v2"),
    the value without it ("assistants=v2"); else None."""
    if text is None or "," not in text:
        return None
    parts = [p.strip() for p in text.split(",")]
    rest = [p for p in parts if p.lower() != "realtime=v1"]
    if len(rest) == len(parts) or not any(rest):
        return None
    return (", " if ", " in text else ",").join(p for p in rest if p)


def _is_name(node: cst.CSTNode | None) -> bool:
    value = string_value(node) if node is not None else None
    return value is not None and value.strip().lower() == _HEADER


def _is_subprotocol(text: str | None) -> bool:
    return text is not None and text.strip().lower() == "openai-beta.realtime-v1"


def _is_pair(node: cst.CSTNode) -> bool:
    if isinstance(node, (cst.Tuple, cst.List)) and len(node.elements) == 2:
        return _is_name(node.elements[0].value) and _is_value(string_value(node.elements[1].value))
    return False


def _combined_pair(node: cst.CSTNode) -> cst.CSTNode | None:
    """The value node of a `("OpenAI-Beta", "realtime=v1,assistants=v2")` pair, else None."""
    if isinstance(node, (cst.Tuple, cst.List)) and len(node.elements) == 2:
        value = node.elements[1].value
        if _is_name(node.elements[0].value) and _other_betas(string_value(value)) is not None:
            return value
    return None


_RAW_COMBINED = re.compile(r"(\s*openai-beta\s*:\s*)(.*)", re.IGNORECASE | re.DOTALL)


def _raw_combined(text: str | None) -> re.Match[str] | None:
    """`"OpenAI-Beta: realtime=v1,assistants=v2"` (a raw header line listing several betas): the match
    (group 1 the `OpenAI-Beta:` prefix, group 2 the value), else None."""
    raw = _RAW_COMBINED.fullmatch(text) if text is not None else None
    return raw if raw is not None and _other_betas(raw.group(2)) is not None else None


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.handled: set[int] = set()
        # module constants holding the header pair (`BETA = ("OpenAI-Beta", "realtime=v1")`) → (statement, uses)
        self.pair_constants: dict[str, tuple[cst.SimpleStatementLine, int]] = {}
        self.constant_strings: dict[int, str] = {}  # the pair's strings → its constant: reported at the end
        self.deferred: list[tuple[cst.SimpleString, str]] = []
        self.removed: set[str] = set()  # constants whose definition a splice fix removes

    def _find_pair_constants(self, module: cst.Module) -> None:
        defs: dict[str, cst.SimpleStatementLine] = {}
        for stmt in module.body:
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 \
                    and isinstance(stmt.body[0], cst.Assign) and len(stmt.body[0].targets) == 1 \
                    and isinstance(stmt.body[0].targets[0].target, cst.Name) and _is_pair(stmt.body[0].value):
                defs[stmt.body[0].targets[0].target.value] = stmt
        if not defs:
            return
        uses = dict.fromkeys(defs, 0)
        targets = {id(stmt.body[0].targets[0].target) for stmt in defs.values()}  # type: ignore[attr-defined]

        class _Uses(cst.CSTVisitor):
            def visit_Name(inner, n: cst.Name) -> None:  # noqa: N805
                if n.value in uses and id(n) not in targets:
                    uses[n.value] += 1

        traversal.visit(module, _Uses())
        self.pair_constants = {name: (stmt, uses[name]) for name, stmt in defs.items()}
        for name, stmt in defs.items():
            for el in stmt.body[0].value.elements:  # type: ignore[attr-defined]
                self.constant_strings[id(el.value)] = name

    def _spliced_constant(self, node: cst.List | cst.Tuple | cst.Set, el: cst.Element) -> None:
        """`[auth, BETA]` where `BETA = ("OpenAI-Beta", "realtime=v1")`: drop it here; when this is the
        constant's only use, the definition goes too (else it is reported where it is defined)."""
        stmt, uses = self.pair_constants[el.value.value]  # type: ignore[attr-defined]
        edit, carried = remove_element(self, node, el)
        edits = [edit]
        if uses == 1:
            r = self.range_of(stmt)
            edits.append(self.make_edit(*self.ctx.lines_span(r.start.line, r.end.line), ""))
            self.removed.add(el.value.value)  # type: ignore[attr-defined]
        self.report(el, edits=edits, comment_scope=el, unsafe=carried, ga_form="(no OpenAI-Beta header)",
                    fix_title=f"Remove the `OpenAI-Beta: realtime=v1` header kept in `{el.value.value}`",  # type: ignore[attr-defined]
                    what="header")

    def _mark(self, node: cst.CSTNode) -> None:
        class _Marker(cst.CSTVisitor):
            def visit_SimpleString(inner, n: cst.SimpleString) -> None:  # noqa: N805
                self.handled.add(id(n))

        node.visit(_Marker())

    def _trim(self, value: cst.CSTNode, raw_prefix: str = "") -> None:
        """A value listing several betas, `realtime=v1` among them: keep the other betas."""
        self._mark(value)
        text = string_value(value) or ""
        rest = _other_betas(text[len(raw_prefix):]) or ""
        new = raw_prefix + rest
        edits = []
        if isinstance(value, cst.SimpleString) and not any(c in new for c in ("\\", "'", '"', "\n", "\r")):
            edits = [self.replace(value, requote(value, new))]
        self.report(value, edits=edits, ga_form=repr(new),
                    fix_title="Drop `realtime=v1` from the `OpenAI-Beta` value (keep the other betas)",
                    what="(listed with other betas)")

    # -- containers ------------------------------------------------------------------
    def visit_Dict(self, node: cst.Dict) -> None:
        for el in node.elements:
            if (isinstance(el, cst.DictElement) and _is_name(el.key)
                    and _other_betas(string_value(el.value)) is not None):
                self._trim(el.value)
            elif isinstance(el, cst.DictElement) and _is_name(el.key) and _is_value(string_value(el.value)):
                edit, carried = remove_element(self, node, el)
                self._mark(el)
                self.report(el, edits=[edit], comment_scope=el, unsafe=carried, ga_form="(no OpenAI-Beta header)",
                            fix_title="Remove the `OpenAI-Beta: realtime=v1` header", what="header")

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set) -> None:
        for el in node.elements:
            if not isinstance(el, cst.Element):
                continue
            value = el.value
            if isinstance(value, cst.Name) and value.value in self.pair_constants:
                self._spliced_constant(node, el)
                continue
            text = string_value(value)
            combined = _combined_pair(value)
            if combined is not None:
                self._trim(combined)
                continue
            raw = _raw_combined(text)
            if raw is not None:
                self._trim(value, raw_prefix=raw.group(1))
                continue
            if _is_pair(value) or (text is not None and _RAW_LINE.fullmatch(text)):
                title, form = "Remove the `OpenAI-Beta: realtime=v1` header", "(no OpenAI-Beta header)"
            elif _is_subprotocol(text):
                title, form = "Remove the `openai-beta.realtime-v1` sub-protocol", "(sub-protocol dropped)"
            else:
                continue
            edit, carried = remove_element(self, node, el)
            self._mark(el)
            self.report(el, edits=[edit], comment_scope=el, unsafe=carried, ga_form=form, fix_title=title,
                        message=(self.rule.message.format(what="sub-protocol") if "sub-protocol" in title
                                 else None), what="header")

    def visit_List(self, node: cst.List) -> None:
        self._sequence(node)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        if not _is_pair(node):
            self._sequence(node)

    def visit_Set(self, node: cst.Set) -> None:
        self._sequence(node)

    # -- whole statements ------------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        self._find_pair_constants(node)
        self._statements(node.body, indented=False)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._statements(node.body, indented=True)

    def _statements(self, body, indented: bool) -> None:  # type: ignore[no-untyped-def]
        for stmt in body:
            if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
                continue
            small = stmt.body[0]
            combined = self._sets_combined(small)
            if combined is not None:
                self._trim(combined)
                continue
            if not self._sets_header(small):
                continue
            r = self.range_of(stmt)
            if self.ctx.line_text(r.start.line)[: r.start.column].strip():
                continue
            start, end = self.ctx.lines_span(r.start.line, r.end.line)
            content = ""
            if indented and len(body) == 1:
                indent = self.ctx.line_text(r.start.line)[: r.start.column]
                newline = self.ctx.text[start:end][len(self.ctx.text[start:end].rstrip("\r\n")):] or "\n"
                content = f"{indent}pass{newline}"
            self._mark(small)
            self.report(small, edits=[self.make_edit(start, end, content)],
                        comment_scope=stmt.with_changes(leading_lines=()),
                        ga_form="(no OpenAI-Beta header)", fix_title="Remove the statement setting the header",
                        what="header")

    @staticmethod
    def _sets_combined(small: cst.BaseSmallStatement) -> cst.CSTNode | None:
        """The value node of `h["OpenAI-Beta"] = "realtime=v1,assistants=v2"` or
        `req.add_header("OpenAI-Beta", "realtime=v1,assistants=v2")`, else None."""
        value: cst.CSTNode | None = None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Subscript) and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index) and _is_name(index.value):
                    value = small.value
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            args = small.value.args
            if len(args) == 2 and all(a.keyword is None and not a.star for a in args) and _is_name(args[0].value):
                value = args[1].value
        if value is not None and _other_betas(string_value(value)) is not None:
            return value
        return None

    @staticmethod
    def _sets_header(small: cst.BaseSmallStatement) -> bool:
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Subscript) and len(target.slice) == 1:
                index = target.slice[0].slice
                return (isinstance(index, cst.Index) and _is_name(index.value)
                        and _is_value(string_value(small.value)))
            return False
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            args = [a for a in small.value.args if a.keyword is None and not a.star]
            if len(args) == 2 and len(small.value.args) == 2:
                return _is_name(args[0].value) and _is_value(string_value(args[1].value))
            if len(args) == 1 and len(small.value.args) == 1:
                return _is_pair(args[0].value)
        return False

    # -- anything left ---------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self.handled:
            return
        if id(node) in self.constant_strings:  # decided at the end: the splice fix may remove the constant
            self.deferred.append((node, self.constant_strings.pop(id(node))))
            return
        text = string_value(node)
        if _is_value(text) or (text is not None and _RAW_LINE.fullmatch(text)):
            self.report(node, "`realtime=v1` is the preview `OpenAI-Beta` header value; GA must not send it "
                        "(remove the header where this value is used)", ga_form="(no OpenAI-Beta header)")
        elif _other_betas(text) is not None or _raw_combined(text) is not None:
            self.report(node, "`realtime=v1` in this `OpenAI-Beta` value list selects the preview protocol; "
                        "GA must not send it (keep only the other betas where this value is used)",
                        ga_form="(the other betas only)")
        elif _is_subprotocol(text):
            self.report(node, "`openai-beta.realtime-v1` is the preview sub-protocol; GA refuses it "
                        "(drop it from the sub-protocol list)", ga_form='["realtime", "openai-insecure-api-key.<key>"]')

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, name in self.deferred:
            if name not in self.removed:
                self.visit_SimpleString(node)

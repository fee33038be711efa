"""Reads of preview session/response/item fields on a server event whose type the branch proves (G13).

Only inside a branch that fixes the event type of a variable — `if ev.type == "session.updated":`,
`if ev["type"] in ("response.done", ...):`, `elif isinstance(ev, SessionUpdatedEvent):`, a `match
ev.type:` case, or a name bound to `ev.type` / `ev["type"]` / `ev.get("type")` — are reads of that
variable's payload looked at: `ev.session.voice`, `ev["response"]["modalities"]`,
`ev.item.content[0].type == "audio"`. They are reported with the GA path; nothing is rewritten,
because the GA paths go through optional objects (`session.audio` may be absent) and a rewrite
could turn a `None` into an exception.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from realtime_migrate.ga_tables import CONTENT_TYPES, RESPONSE_FIELDS, SESSION_FIELDS  # noqa: F401
from realtime_migrate.matchers.base import Matcher, string_value
from realtime_migrate.matchers.protocol_types import ProtocolTypes

SESSION_EVENTS = frozenset({"session.created", "session.updated", "transcription_session.updated"})
RESPONSE_EVENTS = frozenset({"response.created", "response.done"})
ITEM_EVENTS = frozenset({"response.output_item.added", "response.output_item.done"})
CLASSES = {
    "SessionCreatedEvent": "session", "SessionUpdatedEvent": "session", "TranscriptionSessionUpdatedEvent": "session",
    "ResponseCreatedEvent": "response", "ResponseDoneEvent": "response",
    "ResponseOutputItemAddedEvent": "item", "ResponseOutputItemDoneEvent": "item",
}


def _category(event_type: str) -> str | None:
    if event_type in SESSION_EVENTS:
        return "session"
    if event_type in RESPONSE_EVENTS:
        return "response"
    if event_type in ITEM_EVENTS:
        return "item"
    return None


def _type_subject(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """`X` of `X.type`, `X["type"]`, `X.get("type")`."""
    if isinstance(node, cst.Attribute) and node.attr.value == "type":
        return node.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) \
            and string_value(node.slice[0].slice.value) == "type":
        return node.value
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
            and node.args and string_value(node.args[0].value) == "type":
        return node.func.value
    return None


def _key(node: cst.CSTNode) -> str | None:
    """The field name of `.name` or `["name"]`."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None


def _jumps(body: cst.BaseSuite) -> bool:
    """The block always leaves: its last statement is `return`, `continue`, `break` or `raise`."""
    last: cst.CSTNode | None = None
    if isinstance(body, cst.IndentedBlock) and body.body:
        last = body.body[-1]
        if isinstance(last, cst.SimpleStatementLine):
            last = last.body[-1]
    elif isinstance(body, cst.SimpleStatementSuite) and body.body:
        last = body.body[-1]
    return isinstance(last, (cst.Return, cst.Continue, cst.Break, cst.Raise))


def _base(node: cst.CSTNode) -> cst.CSTNode | None:
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return node.value
    return None


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.type_names: dict[str, str] = {}  # name bound to `X.type` → code of X
        self.done: set[int] = set()
        # `holder.field` with a preview field name, where holder is a name or `self.attr`: a read (or write)
        # of a preview model object if `protocol_types` says the holder holds one (asked once, at the end).
        self.held_reads: list[cst.Attribute] = []
        # `for c in item.content:` → {"c": item}; comparisons of `<x>.type` with "text" / "audio" to check against it
        self.content_loops: dict[str, cst.BaseExpression] = {}
        self.content_tests: list[tuple[cst.Comparison, cst.BaseExpression, cst.SimpleString]] = []

    def visit_For(self, node: cst.For) -> None:
        it = node.iter
        if isinstance(node.target, cst.Name) and isinstance(it, cst.Attribute) and it.attr.value == "content":
            self.content_loops[node.target.value] = it.value

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
            return
        for side, literal in ((node.left, node.comparisons[0].comparator),
                              (node.comparisons[0].comparator, node.left)):
            if isinstance(literal, cst.SimpleString) and string_value(literal) in CONTENT_TYPES \
                    and isinstance(side, cst.Attribute) and side.attr.value == "type":
                part = side.value
                if isinstance(part, cst.Name) and part.value in self.content_loops:
                    self.content_tests.append((node, self.content_loops[part.value], literal))
                elif isinstance(part, cst.Subscript) and isinstance(part.value, cst.Attribute) \
                        and part.value.attr.value == "content":
                    self.content_tests.append((node, part.value.value, literal))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in SESSION_FIELDS and (isinstance(node.value, cst.Name) or (
                isinstance(node.value, cst.Attribute) and isinstance(node.value.value, cst.Name)
                and node.value.value.value == "self")):
            self.held_reads.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.held_reads and not self.content_tests:
            return
        types = ProtocolTypes.of(self.ctx)
        for node, item, literal in self.content_tests:
            # F2: an item of the realtime protocol (annotated as the SDK's beta `ConversationItem` or this file's
            # item model); chat-completions content parts are `"text"` too, so an unproven item is left alone.
            if id(node) in self.done or types.held_by(item) != "item":
                continue
            value = string_value(literal)
            self.done.add(id(node))
            self.report(literal, f'Conversation item content type `"{value}"`: GA assistant items carry '
                        f'`"{CONTENT_TYPES[value]}"` (this test never matches a GA assistant item; accept both)',  # type: ignore[index]
                        ga_form=f'"{CONTENT_TYPES[value]}"')  # type: ignore[index]
        for node in self.held_reads:
            kind = types.held_by(node.value)
            table = SESSION_FIELDS if kind == "session" else RESPONSE_FIELDS if kind == "response" else {}
            if id(node) not in self.done and node.attr.value in table:
                self._report_field(node, node.attr.value, node.value, kind)  # type: ignore[arg-type]

    def code(self, node: cst.CSTNode) -> str:
        return self.ctx.module.code_for_node(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        subject = _type_subject(node.value)
        if subject is not None and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.type_names[node.targets[0].target.value] = self.code(subject)

    # -- what a test proves -----------------------------------------------------------------
    def _subject_code(self, node: cst.BaseExpression) -> str | None:
        subject = _type_subject(node)
        if subject is not None:
            return self.code(subject)
        if isinstance(node, cst.Name):
            return self.type_names.get(node.value)
        return None

    def _proves(self, test: cst.BaseExpression) -> list[tuple[str, str]]:
        """(variable code, category) pairs that hold when `test` is true."""
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            return self._proves(test.left) + self._proves(test.right)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            op, right = test.comparisons[0].operator, test.comparisons[0].comparator
            if isinstance(op, cst.Equal):
                for subject, literal in ((test.left, right), (right, test.left)):
                    var, value = self._subject_code(subject), string_value(literal)
                    if var and value and _category(value):
                        return [(var, _category(value))]  # type: ignore[list-item]
            if isinstance(op, cst.In) and isinstance(right, (cst.Tuple, cst.List, cst.Set)):
                var = self._subject_code(test.left)
                cats = {_category(string_value(el.value) or "") for el in right.elements}
                if var and len(cats) == 1 and None not in cats:
                    return [(var, cats.pop())]  # type: ignore[list-item]
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance" \
                and len(test.args) == 2:
            classes = test.args[1].value
            names = [el.value for el in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
            cats = {CLASSES.get(self.code(n).rsplit(".", 1)[-1]) for n in names}
            if len(cats) == 1 and None not in cats:
                return [(self.code(test.args[0].value), cats.pop())]  # type: ignore[list-item]
        return []

    def _refutes(self, test: cst.BaseExpression) -> list[tuple[str, str]]:
        """(variable code, category) pairs that hold when `test` is *false* (`X["type"] != "<event>"`)."""
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            op = test.comparisons[0].operator
            if isinstance(op, cst.NotEqual):
                return self._proves(test.with_changes(comparisons=[test.comparisons[0].with_changes(
                    operator=cst.Equal())]))
            if isinstance(op, cst.NotIn):
                return self._proves(test.with_changes(comparisons=[test.comparisons[0].with_changes(
                    operator=cst.In())]))
        return []

    def _guards(self, body: Sequence[cst.BaseStatement]) -> None:
        """`if ev["type"] != "response.output_item.done": return` proves the type in the rest of the block."""
        for i, stmt in enumerate(body):
            if not isinstance(stmt, cst.If) or stmt.orelse is not None or not _jumps(stmt.body):
                continue
            proved = self._refutes(stmt.test)
            if proved and body[i + 1:]:
                rest = cst.IndentedBlock(body=tuple(body[i + 1:]))
                for var, cat in proved:
                    self._scan(rest, var, cat)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._guards(node.body)

    def visit_Module(self, node: cst.Module) -> None:
        self._guards(node.body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """`def on_done(self, event: ResponseDoneEvent)`: the annotation proves the type in the whole body."""
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        for param in params:
            if param.annotation is None:
                continue
            annotation = param.annotation.annotation
            if isinstance(annotation, cst.SimpleString):
                continue
            cat = CLASSES.get(self.code(annotation).rsplit(".", 1)[-1])
            if cat is not None:
                self._scan(node.body, param.name.value, cat)

    def visit_If(self, node: cst.If) -> None:
        for var, cat in self._proves(node.test):
            self._scan(node.body, var, cat)

    def visit_Match(self, node: cst.Match) -> None:
        var = self._subject_code(node.subject)
        if var is None:
            return
        for case in node.cases:
            pattern = case.pattern
            values = [p.pattern for p in pattern.patterns] if isinstance(pattern, cst.MatchOr) else [pattern]
            cats = {_category(string_value(v.value) or "") if isinstance(v, cst.MatchValue) else None for v in values}
            if len(cats) == 1 and None not in cats:
                self._scan(case.body, var, cats.pop())  # type: ignore[arg-type]

    # -- the reads ------------------------------------------------------------------------------
    def _scan(self, body: cst.CSTNode, var: str, cat: str) -> None:
        found: list[cst.CSTNode] = []

        class _Reads(cst.CSTVisitor):
            def visit_Attribute(inner, n: cst.Attribute) -> None:  # noqa: N805
                found.append(n)

            def visit_Subscript(inner, n: cst.Subscript) -> None:  # noqa: N805
                found.append(n)

            def visit_Comparison(inner, n: cst.Comparison) -> None:  # noqa: N805
                found.append(n)

            def visit_Call(inner, n: cst.Call) -> None:  # noqa: N805
                if isinstance(n.func, cst.Attribute) and n.func.attr.value == "get" and n.args:
                    found.append(n)  # `ev["session"].get("voice")`

            def visit_Assign(inner, n: cst.Assign) -> None:  # noqa: N805
                # `session = ev["session"]` / `ev.session`: reads through the alias are reads of the payload
                if len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name) and _key(n.value) == cat \
                        and _base(n.value) is not None and outer.code(_base(n.value)) == var:  # type: ignore[arg-type]
                    aliases[n.targets[0].target.value] = n.value

        outer = self
        aliases: dict[str, cst.BaseExpression] = {}
        body.visit(_Reads())
        for n in found:
            if id(n) in self.done:
                continue
            if isinstance(n, cst.Comparison):
                if cat == "item":
                    self._content_type(n, var, aliases)
            elif cat in ("session", "response"):
                self._field(n, var, cat, aliases)

    def _field(self, node: cst.CSTNode, var: str, cat: str,
               aliases: dict[str, cst.BaseExpression] | None = None) -> None:
        if isinstance(node, cst.Call):
            assert isinstance(node.func, cst.Attribute)
            field, holder = string_value(node.args[0].value), node.func.value
        else:
            field, holder = _key(node), _base(node)
        if isinstance(holder, cst.Name) and aliases and holder.value in aliases and field in (
                SESSION_FIELDS if cat == "session" else RESPONSE_FIELDS):
            self._report_field(node, field, holder, cat)  # type: ignore[arg-type]
            return
        table = SESSION_FIELDS if cat == "session" else RESPONSE_FIELDS
        if field not in table or holder is None or _key(holder) != cat or _base(holder) is None:
            return
        if self.code(_base(holder)) != var:  # type: ignore[arg-type]
            return
        self._report_field(node, field, holder, cat)  # type: ignore[arg-type]

    def _report_field(self, node: cst.CSTNode, field: str, holder: cst.CSTNode, cat: str) -> None:
        table = SESSION_FIELDS if cat == "session" else RESPONSE_FIELDS
        self.done.add(id(node))
        ga = table[field]
        written = self.code(node)
        if not ga:
            self.report(node, f"`{written}`: GA {cat}s have no `{field}` (removed)", ga_form="(removed)")
            return
        dotted = isinstance(node, cst.Attribute)
        if isinstance(node, cst.Call):  # `.get("voice")`: the GA value sits under optional objects
            parts = ga.split(".")
            new = self.code(holder) + "".join(f'.get("{p}", {{}})' for p in parts[:-1]) + f'.get("{parts[-1]}")'
        else:
            path = "".join(f".{p}" if dotted else f'["{p}"]' for p in ga.split("."))
            new = f"{self.code(holder)}{path}"
        self.report(node, f"`{written}` is a preview {cat} field: GA reads it at `{new}`", ga_form=new)

    def _content_type(self, node: cst.Comparison, var: str, aliases: dict[str, cst.BaseExpression]) -> None:
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
            return
        for side, literal in ((node.left, node.comparisons[0].comparator),
                              (node.comparisons[0].comparator, node.left)):
            value = string_value(literal)
            if value not in CONTENT_TYPES or _key(side) != "type":
                continue
            part = _base(side)
            content = _base(part) if isinstance(part, cst.Subscript) else None
            item = _base(content) if content is not None and _key(content) == "content" else None
            if isinstance(item, cst.Name) and item.value in aliases:  # `item = ev["item"]; item["content"]...`
                pass
            elif item is None or _key(item) != "item" or self.code(_base(item)) != var:  # type: ignore[arg-type]
                continue
            self.done.add(id(node))
            self.report(literal, f'Assistant item content type `"{value}"` is `"{CONTENT_TYPES[value]}"` in GA '
                        "(content of items the model outputs)", ga_form=f'"{CONTENT_TYPES[value]}"')
            return

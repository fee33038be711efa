"""Handlers for `conversation.item.created`: a review finding with an opt-in fix that adds the GA event.

`conversation.item.created` is still a GA event (J1), so nothing is renamed. But GA servers
announce every item with `conversation.item.added` (and `conversation.item.done`), and GA
migrations moved their handlers there. The fix widens the handler to both names:

    x == "conversation.item.created"  →  x in ("conversation.item.created", "conversation.item.added")
    x != "conversation.item.created"  →  x not in (...both...)
    x in ("…created", …)              →  the GA name added beside it
    case "…created":                  →  case "…created" | "…added":
    {"…created": handler}             →  {"…created": handler, "…added": handler}   (handler a name)

A file that already mentions `conversation.item.added` in its code (a comment does not count) handles GA
and is left alone. A dispatch entry whose handler is a model class of the file pinning
`type: Literal["conversation.item.created"]` is reported without a fix: the added entry would
route every GA event into a model that rejects it.
"""

from __future__ import annotations

import re

import libcst as cst

from realtime_migrate.matchers.base import requote, string_value
from realtime_migrate.matchers.sdk_clients import SpanReplace, paren_span
from realtime_migrate.protocol import FOREIGN_PROTOCOL

CREATED = "conversation.item.created"
ADDED = "conversation.item.added"
_CLASS = "ConversationItemCreatedEvent"


class Matcher(SpanReplace):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.disabled = False
        self.pinned: set[str] = set()  # classes of this file with `type: Literal["conversation.item.created"]`
        self.handled: set[int] = set()
        self.skip: set[int] = set()
        self.leftovers: list[cst.SimpleString] = []

    def _msg(self, what: str) -> str:
        return (f"{what} `{CREATED}`: GA servers announce every item with `{ADDED}` (then `conversation.item.done`); "
                f"review this handler")

    def _fix(self, anchor: cst.CSTNode, edits, title: str, what: str = "Handler for",  # type: ignore[no-untyped-def]
             scope: cst.CSTNode | None = None) -> None:
        self.report(anchor, self._msg(what), edits=edits, unsafe=True, fix_title=title,
                    ga_form=f'("{CREATED}", "{ADDED}")', comment_scope=scope)

    def visit_Module(self, node: cst.Module) -> None:
        text = self.ctx.text
        if FOREIGN_PROTOCOL.search(text):  # Azure Voice Live, DashScope: their own protocol, their own events
            self.disabled = True
            return
        mentions = ADDED in text or "ConversationItemAdded" in text
        if not mentions and "Literal" not in text:
            return
        found = _Survey()
        node.visit(found)
        self.disabled = found.added
        self.pinned = found.pinned

    # -- shapes ---------------------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.skip.add(id(node.value))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if self.disabled or len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        op = target.operator
        left, right = node.left, target.comparator
        if isinstance(op, (cst.Equal, cst.NotEqual)):
            if string_value(right) == CREATED and isinstance(right, cst.SimpleString):
                subject, literal = left, right
            elif string_value(left) == CREATED and isinstance(left, cst.SimpleString):
                subject, literal = right, left
            else:
                return
            self.handled.add(id(literal))
            q = literal.quote
            both = f"({literal.prefix}{q}{CREATED}{q}, {literal.prefix}{q}{ADDED}{q})"
            keyword = "in" if isinstance(op, cst.Equal) else "not in"
            new = f"{self.ctx.module.code_for_node(subject)} {keyword} {both}"
            if "\n" in new:
                self.report(literal, self._msg("Comparison with"), ga_form=f"{keyword} {both}")
                return
            self._fix(literal, [self.replace(node, new)], f"Also accept `{ADDED}`", "Comparison with", node)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._sequence(node)

    def visit_List(self, node: cst.List) -> None:
        self._sequence(node)

    def visit_Set(self, node: cst.Set) -> None:
        self._sequence(node)

    def _sequence(self, node: cst.Tuple | cst.List | cst.Set) -> None:
        if self.disabled:
            return
        values = [string_value(el.value) for el in node.elements if isinstance(el, cst.Element)]
        if CREATED not in values or ADDED in values:
            return
        for el in node.elements:
            if isinstance(el.value, cst.SimpleString) and string_value(el.value) == CREATED:
                self.handled.add(id(el.value))
                literal = el.value
                edit = self.make_edit(self.span(literal)[1], self.span(literal)[1],
                                      f", {requote(literal, ADDED)}")
                self._fix(literal, [edit], f"Add `{ADDED}` beside it", "Handler for", literal)
                return

    def visit_MatchOr(self, node: cst.MatchOr) -> None:
        values = [p.pattern.value for p in node.patterns if isinstance(p.pattern, cst.MatchValue)]
        texts = [string_value(v) for v in values]
        for value in values:
            self.handled.add(id(value))
        if self.disabled or CREATED not in texts or ADDED in texts:
            return
        literal = values[texts.index(CREATED)]
        assert isinstance(literal, cst.SimpleString)
        end = self.span(literal)[1]
        self._fix(literal, [self.make_edit(end, end, f" | {requote(literal, ADDED)}")],
                  f"Also match `{ADDED}`", "`case` for", literal)

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        pattern = node.pattern
        if self.disabled or not isinstance(pattern, cst.MatchValue) or string_value(pattern.value) != CREATED:
            return
        literal = pattern.value
        assert isinstance(literal, cst.SimpleString)
        self.handled.add(id(literal))
        end = self.span(literal)[1]
        self._fix(literal, [self.make_edit(end, end, f" | {requote(literal, ADDED)}")],
                  f"Also match `{ADDED}`", "`case` for", literal)

    def visit_Dict(self, node: cst.Dict) -> None:
        if self.disabled:
            return
        keys = [string_value(el.key) for el in node.elements if isinstance(el, cst.DictElement)]
        if CREATED not in keys or ADDED in keys:
            return
        for el in node.elements:
            if not (isinstance(el, cst.DictElement) and string_value(el.key) == CREATED):
                continue
            literal = el.key
            assert isinstance(literal, cst.SimpleString)
            self.handled.add(id(literal))
            if not isinstance(el.value, (cst.Name, cst.Attribute)):
                self.report(literal, self._msg("Dispatch entry for"), ga_form=f'"{ADDED}": <the same handler>')
                return
            handler = el.value.attr.value if isinstance(el.value, cst.Attribute) else el.value.value
            if handler in self.pinned:
                self.report(literal, self._msg("Dispatch entry for") + f" (not fixed: `{handler}` pins `type` to "
                            f"`Literal[\"{CREATED}\"]`, so it would reject `{ADDED}` events: accept both in the "
                            f"model, then add the entry)", ga_form=f'"{ADDED}": <a model accepting it>')
                return
            value = self.ctx.text.__getitem__(slice(*paren_span(self, el.value)))
            self._fix(literal, [self._add_entry(el, f"{requote(literal, ADDED)}: {value}")], f"Add a `{ADDED}` entry",
                      "Dispatch entry for", literal)
            return

    def _add_entry(self, el: cst.DictElement, entry: str):  # type: ignore[no-untyped-def]
        """Insert `entry` after `el`: on a line of its own when `el` has one (multi-line dict), else inline."""
        text = self.ctx.text
        start, end = paren_span(self, el.value)
        line_start = self.ctx.line_starts[self.range_of(el).start.line - 1]
        indent = text[line_start:self.span(el.key)[0]]
        m = re.compile(r"[ \t]*,[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)").match(text, end)
        if not indent.strip() and m is not None:
            return self.make_edit(m.end(), m.end(), f"{indent}{entry},{m.group(2)}")
        return self.make_edit(end, end, f", {entry}")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        name = node.value.attr.value if isinstance(node.value, cst.Attribute) else getattr(node.value, "value", None)
        if name == "Literal":  # `type: Literal["conversation.item.created"]` declares the event, handles nothing
            for el in node.slice:
                if isinstance(el.slice, cst.Index):
                    self.skip.add(id(el.slice.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not self.disabled and string_value(node) == CREATED:
            self.leftovers.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if self.disabled or not (isinstance(node.func, cst.Name) and node.func.value == "isinstance"):
            return
        if len(node.args) == 2:
            cls = self.ctx.module.code_for_node(node.args[1].value)
            if cls.endswith(_CLASS) and "ConversationItemAdded" not in cls:
                self.report(node.args[1].value, self._msg("`isinstance` check for"),
                            ga_form=f"({_CLASS}, ConversationItemAdded)")

    def leave_Module(self, original_node: cst.Module) -> None:
        for node in self.leftovers:
            if id(node) not in self.handled and id(node) not in self.skip:
                self.report(node, self._msg("Use of"), ga_form=f'"{ADDED}"')


class _Survey(cst.CSTVisitor):
    """What the file's code (not its comments) says: does it name `conversation.item.added` anywhere,
    and which classes pin a `type` field to `Literal["conversation.item.created"]`."""

    def __init__(self) -> None:
        super().__init__()
        self.added = False
        self.pinned: set[str] = set()
        self.classes: list[str] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.added = self.added or ADDED in node.value

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.added = self.added or ADDED in node.value

    def visit_Name(self, node: cst.Name) -> None:
        self.added = self.added or node.value.startswith("ConversationItemAdded")

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.classes or not isinstance(node.target, cst.Name) or node.target.value != "type":
            return
        ann = node.annotation.annotation
        if isinstance(ann, cst.Subscript):
            name = ann.value.attr.value if isinstance(ann.value, cst.Attribute) else getattr(ann.value, "value", None)
            values = [string_value(el.slice.value) for el in ann.slice if isinstance(el.slice, cst.Index)]
            if name == "Literal" and CREATED in values and ADDED not in values:
                self.pinned.add(self.classes[-1])

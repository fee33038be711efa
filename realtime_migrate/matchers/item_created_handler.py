"""Handlers for `conversation.item.created`: a review finding with an opt-in fix that adds the GA event.

`conversation.item.created` is still a GA event (J1), so nothing is renamed. But GA servers
announce every item with `conversation.item.added` (and `conversation.item.done`), and GA
migrations moved their handlers there. The fix widens the handler to both names:

    x == "conversation.item.created"  →  x in ("conversation.item.created", "conversation.item.added")
    x != "conversation.item.created"  →  x not in (...both...)
    x in ("…created", …)              →  the GA name added beside it
    case "…created":                  →  case "…created" | "…added":
    {"…created": handler}             →  {"…created": handler, "…added": handler}   (handler a name)

A file that already mentions `conversation.item.added` handles GA and is left alone.
"""

from __future__ import annotations

import re

import libcst as cst

from realtime_migrate.matchers.base import requote, string_value
from realtime_migrate.matchers.sdk_clients import SpanReplace, paren_span

CREATED = "conversation.item.created"
ADDED = "conversation.item.added"
_CLASS = "ConversationItemCreatedEvent"


class Matcher(SpanReplace):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.disabled = ADDED in ctx.text or "ConversationItemAdded" in ctx.text
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

"""Whole-string-literal renames driven by a table (`options["renames"]`).

Only a literal whose entire value equals a preview name is rewritten, so a second run
changes nothing. Code that already handles the GA name beside the preview one is
dual-handling code: there the preview entry is removed from a tuple/list/set (safe:
the server never sends it), and a rename elsewhere is unsafe (an if/elif chain could
start taking a different branch). Mentions in comments, docstrings and longer strings
are notes that never fail a run.

Handlers found by name from the event type (`getattr(self, "on_" + ev["type"].replace(".", "_"))`)
carry the preview name in a method name: in a file that dispatches that way, a method named after a
preview event (`on_response_audio_delta`) is reported with its GA name, without a fix (callers may
name it elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from realtime_migrate.matchers.base import Matcher, remove_element, requote, string_value
from realtime_migrate.model import Severity
from realtime_migrate.protocol import FOREIGN_PROTOCOL, ga_prefix, preview_only_prefix

_SEQUENCES = (cst.Tuple, cst.List, cst.Set)


@dataclass
class _Candidate:
    node: cst.SimpleString
    old: str
    new: str
    container: cst.CSTNode | None
    element: cst.CSTNode | None


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.renames: dict[str, str] = dict(self.options["renames"])
        self.ga_names: frozenset[str] = frozenset(self.options.get("ga_names", ())) | frozenset(self.renames.values())
        self.values_seen: set[str] = set()
        self.candidates: list[_Candidate] = []
        self.parents: dict[int, tuple[cst.CSTNode, cst.CSTNode]] = {}
        self.docstrings: set[int] = set()
        self.prefix_args: set[int] = set()
        self.emitted: set[int] = set()
        self.translations: set[int] = set()
        self.alternatives: dict[int, tuple[cst.MatchOr, cst.MatchOrElement]] = {}
        foreign = FOREIGN_PROTOCOL.search(ctx.text)
        self.foreign = foreign.group(0) if foreign else None
        self.dynamic_lookup = False  # `getattr(obj, <not a literal>)`
        self.mangles = False  # `<x>.replace(".", "_")`: event names turned into identifiers
        self.defs: list[cst.FunctionDef] = []

    # -- context ---------------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.docstrings.add(id(node.value))
            if isinstance(node.value, cst.ConcatenatedString):
                for part in (node.value.left, node.value.right):
                    self.docstrings.add(id(part))

    def _remember(self, container: cst.CSTNode, elements) -> None:  # type: ignore[no-untyped-def]
        for el in elements:
            value = el.key if isinstance(el, cst.DictElement) else getattr(el, "value", None)
            if value is not None:
                self.parents[id(value)] = (container, el)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._remember(node, node.elements)

    def visit_List(self, node: cst.List) -> None:
        self._remember(node, node.elements)

    def visit_Set(self, node: cst.Set) -> None:
        self._remember(node, node.elements)

    def visit_Dict(self, node: cst.Dict) -> None:
        self._remember(node, node.elements)
        for el in node.elements:
            if not isinstance(el, cst.DictElement):
                continue
            key, value = string_value(el.key), string_value(el.value)
            if key == "type" and len(node.elements) > 1:
                self.emitted.add(id(el.value))
            if key is not None and value is not None and (
                    self.renames.get(key) == value or self.renames.get(value) == key):
                self.translations.update({id(el.key), id(el.value)})

    def visit_MatchOr(self, node: cst.MatchOr) -> None:
        for alt in node.patterns:
            if isinstance(alt.pattern, cst.MatchValue):
                self.alternatives[id(alt.pattern.value)] = (node, alt)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.defs.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value == "getattr" and len(node.args) >= 2 \
                and not isinstance(node.args[1].value, (cst.SimpleString, cst.ConcatenatedString)):
            self.dynamic_lookup = True
        if isinstance(func, cst.Attribute) and func.attr.value == "replace" and len(node.args) == 2 \
                and string_value(node.args[0].value) == "." and string_value(node.args[1].value) == "_":
            self.mangles = True
        if isinstance(func, cst.Attribute) and func.attr.value in ("startswith", "endswith") and node.args:
            arg = node.args[0].value
            targets = arg.elements if isinstance(arg, cst.Tuple) else [node.args[0]]
            for t in targets:
                self.prefix_args.add(id(t.value))

    # -- literals --------------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is None:
            return
        self.values_seen.add(value)
        if id(node) in self.docstrings:
            self._mentions(node, value)
            return
        new = self.renames.get(value)
        if id(node) in self.translations:
            return
        if new is not None:
            container, element = self.parents.get(id(node), (None, None))
            self.candidates.append(_Candidate(node, value, new, container, element))
        elif id(node) in self.prefix_args and self._preview_only_prefix(value):
            ga_prefix = self._ga_prefix(value)
            if ga_prefix is not None and self.foreign is None:
                self.report(node, f"`{value}` only matches preview event names: GA renamed exactly those to names "
                            f"starting with `{ga_prefix}`", ga_form=ga_prefix,
                            edits=[self.replace(node, requote(node, ga_prefix))],
                            fix_title=f"Rename the prefix to `{ga_prefix}`")
                return
            self.report(
                node,
                f"`{value}` only matches preview event names; the GA names differ (see the rename table)",
                ga_form=", ".join(sorted({n for o, n in self.renames.items() if o.startswith(value)})),
            )
        else:
            self._mentions(node, value)

    def _preview_only_prefix(self, value: str) -> bool:
        return preview_only_prefix(value, self.renames, self.ga_names)

    def _ga_prefix(self, value: str) -> str | None:
        return ga_prefix(value, self.renames, self.ga_names)

    def _mentions(self, node: cst.CSTNode, text: str) -> None:
        if self.foreign is not None:
            return
        for old, new in self.renames.items():
            if old in text and not _embedded_in_ga_name(text, old, new):
                self.report(node, f"mentions preview event `{old}` (GA: `{new}`)", severity=Severity.INFO,
                            ga_form=new)
                return

    def visit_Comment(self, node: cst.Comment) -> None:
        self._mentions(node, node.value)

    # -- decisions need the whole file: which GA names it already handles -----------------
    def _handler_names(self) -> None:
        """Methods named after a preview event in a file that finds handlers by the mangled event type."""
        if not (self.dynamic_lookup and self.mangles) or self.foreign is not None:
            return
        names = {d.name.value for d in self.defs}
        for d in self.defs:
            name = d.name.value
            for event, ga_event in self.renames.items():
                old = event.replace(".", "_")
                if name == old or name.endswith("_" + old):
                    ga_name = name[: len(name) - len(old)] + ga_event.replace(".", "_")
                    if ga_name in names:
                        break  # the GA handler exists beside it: dual-protocol code
                    self.report(d.name, f"Handler method `{name}` is found by name from the preview event `{event}`; "
                                f"GA sends `{ga_event}`, so it never runs: rename it `{ga_name}`",
                                ga_form=ga_name)
                    break

    def leave_Module(self, original_node: cst.Module) -> None:
        self._handler_names()
        for c in self.candidates:
            if self.foreign is not None:
                continue  # another service's protocol, where these names are current
            dual = c.new in self.values_seen
            alt = self.alternatives.get(id(c.node))
            if dual and alt is not None and c.new in _alternative_values(alt[0]):
                self.report(c.node, f"Preview event `{c.old}` is matched beside its GA name `{c.new}`; "
                            "remove the preview alternative", edits=[self._drop_alternative(*alt)],
                            fix_title=f"Remove `{c.old}`", ga_form=f'"{c.new}"')
            elif dual and isinstance(c.container, _SEQUENCES) and _sibling_values(c.container) >= {c.new}:
                edit, carried = remove_element(self, c.container, c.element)
                self.report(c.node, f"Preview event `{c.old}` is listed beside its GA name `{c.new}`; "
                            "remove the preview entry", edits=[edit], comment_scope=c.element, unsafe=carried,
                            fix_title=f"Remove `{c.old}`", ga_form=f'"{c.new}"', old=c.old, new=c.new)
            elif dual and isinstance(c.container, cst.Dict) and c.new in _sibling_values(c.container):
                edit, carried = remove_element(self, c.container, c.element)
                self.report(c.node, f"Preview event `{c.old}` is handled beside its GA name `{c.new}`; "
                            "remove the preview entry", edits=[edit], unsafe=True, comment_scope=c.element,
                            fix_title=f"Remove the `{c.old}` entry", ga_form=f'"{c.new}"')
            else:
                emitted = id(c.node) in self.emitted
                edit = self.replace(c.node, requote(c.node, c.new))
                title = f"Rename to `{c.new}`"
                if dual:
                    title += " (the file also handles the GA name: review)"
                elif emitted:
                    title += " (this code emits the event: its consumer must change too)"
                self.report(c.node, edits=[edit], unsafe=dual or emitted, ga_form=f'"{c.new}"',
                            fix_title=title, old=c.old, new=c.new)

    def _drop_alternative(self, node: cst.MatchOr, alt: cst.MatchOrElement):  # type: ignore[no-untyped-def]
        rest = [p for p in node.patterns if p is not alt]
        rest[-1] = rest[-1].with_changes(separator=cst.MaybeSentinel.DEFAULT)
        return self.replace(node, node.with_changes(patterns=rest))


def _alternative_values(node: cst.MatchOr) -> set[str]:
    out = set()
    for alt in node.patterns:
        if isinstance(alt.pattern, cst.MatchValue):
            value = string_value(alt.pattern.value)
            if value is not None:
                out.add(value)
    return out


def _sibling_values(container: cst.CSTNode) -> set[str]:
    out = set()
    for el in getattr(container, "elements", ()):
        node = el.key if isinstance(el, cst.DictElement) else getattr(el, "value", None)
        value = string_value(node) if node is not None else None
        if value is not None:
            out.add(value)
    return out


def _embedded_in_ga_name(text: str, old: str, new: str) -> bool:
    """True when every occurrence of `old` in `text` is part of something longer (no false mention)."""
    start = 0
    while (i := text.find(old, start)) >= 0:
        before = text[i - 1] if i else " "
        after = text[i + len(old)] if i + len(old) < len(text) else " "
        if not (before.isalnum() or before in "._") and not (after.isalnum() or after == "_"):
            return False
        start = i + 1
    return True

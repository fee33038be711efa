"""What kind of `openai` client an expression holds: plain, Azure, or unknown.

Shared by the SDK-surface matchers (RTM020, RTM022, RTM023). `client.beta.realtime.connect`
may only become `client.realtime.connect` on a plain `OpenAI`/`AsyncOpenAI` client: on an
`AzureOpenAI` client both build the preview URL (docs/protocol.md A13, J11). The receiver is
followed back to its construction in the same file with libcst scope analysis: a local or
global variable, a parameter's annotation, a `with ... as client`, or a `self.<attr>`
assigned in the same class. Spelling is never enough: `OpenAI` must resolve (qualified-name
metadata) to the `openai` package.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any

import libcst as cst
from libcst._metadata_dependent import LazyValue
from libcst.metadata import (
    Assignment,
    ImportAssignment,
    QualifiedNameProvider,
    ScopeProvider,
)

from realtime_migrate.matchers.base import Matcher
from realtime_migrate.model import Edit

PLAIN_CLIENTS = frozenset({
    "openai.OpenAI", "openai.AsyncOpenAI", "openai.Client", "openai.AsyncClient",
    "openai._client.OpenAI", "openai._client.AsyncOpenAI",
})
AZURE_CLIENTS = frozenset({
    "openai.AzureOpenAI", "openai.AsyncAzureOpenAI",
    "openai.lib.azure.AzureOpenAI", "openai.lib.azure.AsyncAzureOpenAI",
})
_AZURE_SPELLINGS = frozenset({"AzureOpenAI", "AsyncAzureOpenAI"})
ASYNC_CLIENTS = frozenset({"openai.AsyncOpenAI", "openai.AsyncClient", "openai._client.AsyncOpenAI",
                           "openai.AsyncAzureOpenAI", "openai.lib.azure.AsyncAzureOpenAI"})


class ClientKind(str, enum.Enum):
    PLAIN = "plain"
    AZURE = "azure"
    AZURE_V1 = "azure-v1"  # a plain client pointed at Azure's GA `/openai/v1` surface (GA-ready, names are deployments)
    MODULE = "module"  # the `openai` module-level client: configured elsewhere (maybe `api_type="azure"`)
    UNKNOWN = "unknown"


def combine(kinds: Iterable[ClientKind]) -> ClientKind:
    found = set(kinds)
    if not found:
        return ClientKind.UNKNOWN
    if ClientKind.AZURE in found:
        return ClientKind.AZURE
    if found == {ClientKind.PLAIN}:
        return ClientKind.PLAIN
    return ClientKind.UNKNOWN if len(found) > 1 else found.pop()


def is_beta_realtime(node: cst.CSTNode) -> bool:
    """`<x>.beta.realtime` (the attribute node for `.realtime`)."""
    return (isinstance(node, cst.Attribute) and node.attr.value == "realtime"
            and isinstance(node.value, cst.Attribute) and node.value.attr.value == "beta")


class SpanReplace(Matcher):
    """`replace` from positions, not `code_for_node`.

    The position range leaves out parentheses the node owns, so the new text goes inside them and
    they stay, which is what every caller here wants (the base `replace` covers the parentheses).
    A node is rendered by the base `render`, in the block indentation of the node it replaces.
    """

    def replace(self, node: cst.CSTNode, new: cst.CSTNode | str) -> Edit:
        content = new if isinstance(new, str) else self.render(new, self.locate(node)[2])
        return self.make_edit(*self.span(node), content)


class LazyMetadata(SpanReplace):
    """Scope and qualified-name metadata computed on first use, once per file (shared in `ctx.scratch`).

    Most files that pass the prefilter hold no candidate at all; declaring ScopeProvider in
    METADATA_DEPENDENCIES would make every one of them pay for scope analysis (about twice the
    parse time on a large module).
    """

    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.attr_parent: dict[int, cst.Attribute] = {}  # id(x) → the `x.name` around it

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attr_parent[id(node.value)] = node

    def meta(self, provider: type, node: cst.CSTNode, default: object = None) -> Any:
        value = self.ctx.metadata(provider).get(node, default)
        return value() if isinstance(value, LazyValue) else value


class ClientMatcher(LazyMetadata):
    """A matcher that can tell which client an expression holds (decide in `leave_Module`)."""

    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.bound_values: dict[int, list[cst.BaseExpression]] = {}
        self.annotations: dict[int, cst.BaseExpression] = {}
        self.self_attrs: dict[tuple[int, str], list[cst.BaseExpression]] = {}
        self.class_stack: list[cst.ClassDef] = []
        self.import_depth = 0
        self.mentions_azure = "azure" in ctx.text.lower()

    # -- bindings ---------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def visit_Import(self, node: cst.Import) -> None:
        self.import_depth += 1

    def leave_Import(self, original_node: cst.Import) -> None:
        self.import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.import_depth += 1

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self.import_depth -= 1

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bound_values.setdefault(id(target), []).append(value)
        elif (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
              and target.value.value == "self" and self.class_stack):
            key = (id(self.class_stack[-1]), target.attr.value)
            self.self_attrs.setdefault(key, []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind(t.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.annotations[id(node.target)] = node.annotation.annotation
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, (cst.Name, cst.Attribute)):
            self._bind(node.asname.name, node.item)

    # -- classification ---------------------------------------------------------------
    def qualified(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.meta(QualifiedNameProvider, node, set())}
        except KeyError:
            return set()

    def kind_of_type(self, node: cst.BaseExpression) -> ClientKind:
        """An annotation or constructor reference: `AsyncOpenAI`, `openai.AzureOpenAI`, `Optional[OpenAI]`."""
        names: set[str] = set()

        class _Names(cst.CSTVisitor):
            def visit_Name(inner, n: cst.Name) -> None:  # noqa: N805
                names.update(self.qualified(n))

            def visit_Attribute(inner, n: cst.Attribute) -> None:  # noqa: N805
                names.update(self.qualified(n))

        node.visit(_Names())
        if names & AZURE_CLIENTS:
            return ClientKind.AZURE
        if names & PLAIN_CLIENTS:
            return ClientKind.PLAIN
        return ClientKind.UNKNOWN

    def client_kind(self, expr: cst.BaseExpression, class_node: cst.ClassDef | None = None,
                    depth: int = 0) -> ClientKind:
        if depth > 4:
            return ClientKind.UNKNOWN
        if isinstance(expr, cst.Call):
            names = self.qualified(expr.func)
            spelled = expr.func.attr.value if isinstance(expr.func, cst.Attribute) else getattr(expr.func, "value", "")
            if names & AZURE_CLIENTS or (spelled in _AZURE_SPELLINGS and not names & PLAIN_CLIENTS
                                         and not any(n == spelled or n.endswith(f"<locals>.{spelled}") for n in names)):
                # `openai_mod.AsyncAzureOpenAI(...)` on a module object the metadata cannot follow: the
                # class name is specific enough (a local class of that name resolves to itself and is skipped)
                return ClientKind.AZURE
            if names & PLAIN_CLIENTS:
                for arg in expr.args:
                    if arg.keyword is not None and arg.keyword.value in ("websocket_base_url", "base_url") and \
                            "azure" in self.ctx.module.code_for_node(arg.value).lower():
                        return ClientKind.AZURE_V1
                return ClientKind.PLAIN
            return ClientKind.UNKNOWN
        if isinstance(expr, cst.IfExp):
            return combine([self.client_kind(expr.body, class_node, depth + 1),
                            self.client_kind(expr.orelse, class_node, depth + 1)])
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):  # `client or AsyncOpenAI()`
            return combine([self.client_kind(expr.left, class_node, depth + 1),
                            self.client_kind(expr.right, class_node, depth + 1)])
        if isinstance(expr, cst.Name):
            return combine(self._name_kinds(expr, class_node, depth))
        if (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"
                and class_node is not None):
            values = self.self_attrs.get((id(class_node), expr.attr.value), [])
            return combine(self.client_kind(v, class_node, depth + 1) for v in values)
        return ClientKind.UNKNOWN

    def _name_kinds(self, name: cst.Name, class_node: cst.ClassDef | None, depth: int) -> list[ClientKind]:
        if "openai" in self.qualified(name):
            return [ClientKind.MODULE]
        scope = self.meta(ScopeProvider, name)
        if scope is None or name.value not in scope:
            return [ClientKind.UNKNOWN]
        kinds: list[ClientKind] = []
        for assignment in scope[name.value]:
            if isinstance(assignment, ImportAssignment) or not isinstance(assignment, Assignment):
                kinds.append(ClientKind.UNKNOWN)
                continue
            target = assignment.node
            if isinstance(target, cst.Param):
                kinds.append(self.kind_of_type(target.annotation.annotation) if target.annotation
                             else ClientKind.UNKNOWN)
            elif isinstance(target, cst.Name) and id(target) in self.annotations and \
                    self.kind_of_type(self.annotations[id(target)]) is not ClientKind.UNKNOWN:
                kinds.append(self.kind_of_type(self.annotations[id(target)]))
            elif isinstance(target, cst.Name) and id(target) in self.bound_values:
                for value in self.bound_values[id(target)]:
                    kinds.append(ClientKind.UNKNOWN if value is name else
                                 self.client_kind(value, class_node, depth + 1))
            else:
                kinds.append(ClientKind.UNKNOWN)
        return kinds


def paren_span(matcher: Matcher, node: cst.CSTNode) -> tuple[int, int]:
    """The node's span with the parentheses it owns, found by scanning over whitespace from its position
    range (`full_span` compares with `code_for_node`, which differs for multi-line code in a block)."""
    start, end = matcher.span(node)
    text = matcher.ctx.text
    for _ in getattr(node, "lpar", ()):
        s = start
        while s > 0 and text[s - 1] in " \t\r\n\\":
            s -= 1
        e = end
        while e < len(text) and text[e] in " \t\r\n\\":
            e += 1
        if s == 0 or text[s - 1] != "(" or e >= len(text) or text[e] != ")":
            break  # a comment in the way: the parentheses stay out
        start, end = s - 1, e + 1
    return start, end


def fstring_template(node: cst.FormattedString) -> str:
    """The f-string's text with each `{…}` as one placeholder character (`\x00`)."""
    return "".join(p.value if isinstance(p, cst.FormattedStringText) else "\x00" for p in node.parts)


def drop_attribute(matcher: Matcher, attr: cst.Attribute) -> tuple[Edit, bool]:
    """An edit removing `.name` from `<value>.name` (and whether it removes a comment too).

    Works from positions, not `code_for_node`: libcst re-renders a multi-line chain inside
    parentheses with default indentation, so the node's code is not the source text.
    """
    value_end = matcher.span(attr.value)[1]
    attr_start, attr_end = matcher.span(attr.attr)
    text = matcher.ctx.text
    segment = text[value_end:attr_start]
    dot = -1
    offset = 0
    for line in segment.splitlines(keepends=True):
        code = line.split("#", 1)[0]
        if "." in code:
            dot = offset + code.index(".")
        offset += len(line)
    if dot < 0:
        raise AssertionError("internal: no dot before attribute")
    start = value_end + dot
    carried = "#" in text[start:attr_start]  # a comment between the dot and the name would go with it
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    m = re.compile(r"[ \t]*(\r\n|\r|\n)").match(text, attr_end)
    if not carried and not text[line_start:start].strip() and m is not None:
        return matcher.make_edit(line_start, m.end(), ""), False  # `.beta` alone on its line: drop the line
    return matcher.make_edit(start, attr_end, ""), carried

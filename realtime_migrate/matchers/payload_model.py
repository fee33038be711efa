"""Data shared by the payload matcher and its analysis: what a realtime payload is, how it was
bound and changed, and small helpers over libcst nodes (no metadata needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from realtime_migrate.matchers import ga_session as ga
from realtime_migrate.matchers.base import string_value
from realtime_migrate.model import Edit, Severity

EVENT_PAYLOAD = {
    "session.update": "session",
    "transcription_session.update": "session",
    "response.create": "response",
    "conversation.item.create": "item",
}
# (attribute before the method, method) → (payload kind, keyword)
SDK_CALLS = {
    ("session", "update"): ("session.update", "session"),
    ("transcription_session", "update"): ("transcription_session.update", "session"),
    ("response", "create"): ("response.create", "response"),
    ("item", "create"): ("conversation.item.create", "item"),
    ("client_secrets", "create"): ("client_secrets", "session"),
}
CODES = {"type": "RTM010", "session": "RTM011", "transcription": "RTM012", "response": "RTM013", "item": "RTM014"}
KEY = "session_payload"
# Services that clone the *preview* realtime protocol (Azure Voice Live, Alibaba DashScope/Qwen):
# their payloads must not be migrated to the OpenAI GA shape.
FOREIGN = re.compile(r"voice-live|voicelive|dashscope|aliyuncs\.com", re.IGNORECASE)
TRANSCRIPTION_FLOW = re.compile(r"intent\W{0,6}transcription", re.IGNORECASE)
# GA realtime translation sessions: `session.update` without `type` is right there.
TRANSLATION_FLOW = re.compile(r"realtime/translations|\.translations\b", re.IGNORECASE)


@dataclass
class Issue:
    code: str
    node: cst.CSTNode
    message: str
    edits: tuple[Edit, ...] = ()
    unsafe: bool = False
    ga_form: str | None = None
    fix_title: str | None = None
    severity: Severity = Severity.ERROR
    comment_scope: cst.CSTNode | None = None


@dataclass
class Binding:
    value: cst.BaseExpression
    indent: tuple[str, ...]


@dataclass
class Mutation:
    kind: str  # "set" | "update"
    base: str
    path: tuple[str | None, ...]  # literal keys from the name outwards (None: not a literal)
    subscripts: tuple[cst.Subscript, ...]  # the Subscript nodes, innermost (name[k0]) first
    value: cst.BaseExpression | None
    stmt: cst.SimpleStatementLine
    small: cst.BaseSmallStatement
    block_len: int
    indent: tuple[str, ...]
    call: cst.Call | None = None
    context: tuple[tuple[str, str], ...] = ()  # enclosing `if X["type"] == "<event>"` / `case` checks


@dataclass
class Scope:
    parent: Scope | None
    params: set[str] = field(default_factory=set)
    assigns: dict[str, list[Binding]] = field(default_factory=dict)
    mutations: list[Mutation] = field(default_factory=list)
    children: list[Scope] = field(default_factory=list)
    # name → the checks `(X, event)` under which `name = X["session"]` was bound
    aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    loops: dict[str, list[Binding]] = field(default_factory=dict)  # `for name in <iter>`: the iterables
    returns: list[Binding] = field(default_factory=list)  # `return <value>` of this function


@dataclass
class Payload:
    event: str  # a key of EVENT_PAYLOAD, or "client_secrets"
    value: cst.BaseExpression
    anchor: cst.CSTNode  # the event type literal / the call's method name
    scope: Scope
    indent: tuple[str, ...]
    event_var: str | None = None  # name the event dict is bound to (for event["session"][k] = v)
    rename: tuple[cst.CSTNode, str] | None = None  # RTM012: node to rename and its new code


def attr_chain(node: cst.BaseExpression) -> list[str]:
    out = []
    while isinstance(node, cst.Attribute):
        out.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        out.append(node.value)
    return out[::-1]


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def subscript_path(node: cst.BaseExpression) -> tuple[str, tuple[str | None, ...], tuple[cst.Subscript, ...]] | None:
    """`a["x"]["y"]` → ("a", ("x", "y"), (a["x"], a["x"]["y"]))."""
    subs: list[cst.Subscript] = []
    while isinstance(node, cst.Subscript):
        subs.append(node)
        node = node.value
    if not isinstance(node, cst.Name) or not subs:
        return None
    subs.reverse()
    path: list[str | None] = []
    for s in subs:
        if len(s.slice) != 1 or not isinstance(s.slice[0].slice, cst.Index):
            return None
        path.append(string_value(s.slice[0].slice.value))
    return node.value, tuple(path), tuple(subs)


PROXY_EVENTS = frozenset({"session.update", "response.create", "transcription_session.update"})


def type_subject(node: cst.BaseExpression) -> str | None:
    """`X` of `X["type"]` / `X.get("type")`."""
    if isinstance(node, cst.Subscript):
        found = subscript_path(node)
        if found and found[1] == ("type",):
            return found[0]
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
            and isinstance(node.func.value, cst.Name) and node.args and string_value(node.args[0].value) == "type":
        return node.func.value.value
    return None


def event_check(test: cst.BaseExpression) -> tuple[str, str] | None:
    """(X, event) for a test `X["type"] == "<event>"` (either side)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return None
    for subject, literal in ((test.left, target.comparator), (target.comparator, test.left)):
        name = type_subject(subject)
        event = string_value(literal)
        if name and event in PROXY_EVENTS:
            return name, event
    return None


@dataclass
class Deferred:
    """An event dict without the payload key: the payload is set later (`event["session"] = ...`)."""

    var: str
    key: str


def dict_get(node: cst.CSTNode, key: str) -> cst.BaseExpression | None:
    if isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == key:
                return el.value
    return None


def resolve(scope: Scope, name: str) -> tuple[Scope, list[Binding]] | None:
    """The bindings of `name` visible from `scope` when every one is a dict literal (None: a
    parameter, unknown, or bound to anything else at least once). A loop variable over a list or
    tuple literal of dicts (`for item in [{...}, {...}]`, or over a name bound to one) is bound to
    each of them."""
    s: Scope | None = scope
    while s is not None:
        if name in s.params:
            return None
        if name in s.assigns or name in s.loops:
            if name in s.assigns and name in s.loops:
                return None
            bindings = s.assigns.get(name) or _loop_items(s, s.loops[name])
            if bindings and all(isinstance(b.value, cst.Dict) for b in bindings):
                return s, bindings
            return None
        s = s.parent
    return None


def _loop_items(scope: Scope, iterables: list[Binding]) -> list[Binding]:
    out: list[Binding] = []
    for it in iterables:
        seq, indent = it.value, it.indent
        if isinstance(seq, cst.Name):
            found = _lookup(scope, seq.value)
            if found is None or len(found) != 1:
                return []
            seq, indent = found[0].value, found[0].indent
        if not isinstance(seq, (cst.List, cst.Tuple)):
            return []
        out.extend(Binding(el.value, indent) for el in seq.elements if isinstance(el, cst.Element))
    return out


def _lookup(scope: Scope, name: str) -> list[Binding] | None:
    s: Scope | None = scope
    while s is not None:
        if name in s.params or name in s.loops:
            return None
        if name in s.assigns:
            return s.assigns[name]
        s = s.parent
    return None


def mutations_of(scope: Scope, name: str, prefix: tuple[str, ...]) -> list[Mutation]:
    """Mutations of `name[prefix...]` in `scope` and in nested scopes that do not rebind `name`."""
    out = []
    for m in scope.mutations:
        if m.base == name and m.path[: len(prefix)] == prefix:
            out.append(m)
    for child in scope.children:
        if name not in child.assigns and name not in child.params:
            out.extend(mutations_of(child, name, prefix))
    return out


def keys_of(node: cst.Dict) -> list[cst.BaseExpression]:
    return [el.key for el in node.elements if isinstance(el, cst.DictElement)]


def type_value(node: cst.Dict) -> str | None:
    value = dict_get(node, "type")
    return string_value(value) if value is not None else None


def quote_of(sub: cst.Subscript) -> str:
    key = sub.slice[0].slice
    if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString) and len(key.value.quote) == 1:
        return key.value.quote
    return '"'


def render_code(node: cst.CSTNode, indent: tuple[str, ...], module: cst.Module) -> str:
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline,
                         indent_tokens=list(indent))
    node._codegen(state)
    return "".join(state.tokens)


def ga_form_of(change: ga.FieldChange) -> str:
    return change.ga_path or "(removed)"


def message_of(change: ga.FieldChange) -> str:
    key, path = change.key, change.ga_path
    if change.action == "left":
        where = f" (GA: `{path}`)" if path else ""
        sep = " " if change.detail.startswith(("is ", "was ")) else ": "
        return f"`{key}`{sep}{change.detail}{where}"
    if change.action == "removed":
        if key == "temperature":
            return "`temperature` was removed in GA: the server rejects it"
        if change.detail == "already set" or change.detail == "already set in GA form":
            return f"`{key}` is also set as `{path}`: the preview key is dropped"
        return f"`{key}` {change.detail}"
    if change.action == "added":
        return f"`{key}` is required in GA: {change.detail}"
    if key in ("modalities",) and change.action == "reshaped":
        return "`modalities` is `output_modalities` in GA, and cannot ask for both text and audio: use [\"audio\"]"
    if key.startswith("audio.") and key.endswith(".format"):
        return f"`{key}` takes a format object in GA, not a preview format name"
    if key in ga.FORMAT_KEYS:
        return f"`{key}` moved to `{path}` in GA and takes a format object"
    if key == "tool_choice":
        return "A forced function `tool_choice` is an object in GA"
    return f"`{key}` moved to `{path}` in GA" if "." in path else f"`{key}` is `{path}` in GA"

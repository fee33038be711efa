"""Realtime client payloads (RTM010-RTM014): session.update, transcription_session.update,
response.create and conversation.item.create, as dict literals, SDK calls, or built in steps.

A dict is only touched when it is *proved* to be a realtime payload:
  * an event dict whose `"type"` literal is one of those four event names (or a call with
    `type="<event>"`, such as `dict(type="session.update", session=...)`), and its `session` /
    `response` / `item` value;
  * the keyword argument of an SDK call on a realtime connection: `<x>.session.update(session=)`,
    `<x>.transcription_session.update(session=)`, `<x>.response.create(response=)`,
    `<x>.conversation.item.create(item=)`, `<x>.client_secrets.create(session=)`.
Chat-completions messages, TTS `voice=`, other APIs' `temperature`, `response.content_part.*`
parts and translation `"pcm16"` are never inside such a payload, so they are never seen.

Payloads built in steps are followed inside one scope: a name bound exactly once to a dict
literal (in the function, or at module level and not rebound in the function), then changed
with `x["key"] = v`, `x["key"]["sub"] = v`, `x.update({...})` or, for an event variable,
`event["session"]["key"] = v`. Changed keys are rewritten in place: `x["voice"] = v` becomes
`x.setdefault("audio", {}).setdefault("output", {})["voice"] = v` (correct whether or not the
literal already has `audio`), renames rename the key, `x["temperature"] = t` is deleted.
A payload that cannot be followed (a parameter, a call result, an attribute) is reported
without an edit, with the GA paths to use.

All rules share one analysis per file: the first of them to be instantiated collects during
the traversal, the first to reach `leave_Module` analyses, and each reports its own code.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from realtime_migrate.matchers import ga_session as ga
from realtime_migrate.matchers.base import Matcher, requote, string_value
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
_FOREIGN = re.compile(r"voice-live|voicelive|dashscope|aliyuncs\.com", re.IGNORECASE)
_TRANSCRIPTION_FLOW = re.compile(r"intent\W{0,6}transcription", re.IGNORECASE)


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
class _Binding:
    value: cst.BaseExpression
    indent: tuple[str, ...]


@dataclass
class _Mutation:
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
class _Scope:
    parent: _Scope | None
    params: set[str] = field(default_factory=set)
    assigns: dict[str, list[_Binding]] = field(default_factory=dict)
    mutations: list[_Mutation] = field(default_factory=list)
    children: list[_Scope] = field(default_factory=list)
    # name → the checks `(X, event)` under which `name = X["session"]` was bound
    aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class _Payload:
    event: str  # a key of EVENT_PAYLOAD, or "client_secrets"
    value: cst.BaseExpression
    anchor: cst.CSTNode  # the event type literal / the call's method name
    scope: _Scope
    indent: tuple[str, ...]
    event_var: str | None = None  # name the event dict is bound to (for event["session"][k] = v)
    rename: tuple[cst.CSTNode, str] | None = None  # RTM012: node to rename and its new code


def _attr_chain(node: cst.BaseExpression) -> list[str]:
    out = []
    while isinstance(node, cst.Attribute):
        out.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        out.append(node.value)
    return out[::-1]


def _kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def _subscript_path(node: cst.BaseExpression) -> tuple[str, tuple[str | None, ...], tuple[cst.Subscript, ...]] | None:
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


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.owner = ctx.scratch.setdefault(KEY + ".owner", self) is self
        self.indents: list[str] = []
        self.scope: _Scope | None = None
        self.root: _Scope | None = None
        self.payloads: list[_Payload] = []
        self.bound: dict[int, str] = {}  # id(event dict) → the name it is assigned to
        self.handled_strings: set[int] = set()
        self.loose_strings: list[cst.SimpleString] = []
        self.json_strings: list[cst.SimpleString] = []
        self.listed_strings: set[int] = set()
        self.contexts: list[tuple[str, str] | None] = []
        self.kinds: list[str] = []  # enclosing "class" / "def" bodies
        self.class_attrs: dict[str, list[_Binding]] = {}
        self.subjects: list[str | None] = []

    # -- collection (owner only) ------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        if self.owner:
            self.root = self.scope = _Scope(None)
            self._note_block(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if self.owner:
            self.indents.append(node.indent if node.indent is not None else self.ctx.module.default_indent)
            self._note_block(node.body)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        if self.owner:
            self.indents.pop()

    # -- `if msg["type"] == "session.update":` / `match msg["type"]: case "session.update":` (proxies) --
    def visit_If_body(self, node: cst.If) -> None:
        if self.owner:
            self.contexts.append(_event_check(node.test))

    def leave_If_body(self, node: cst.If) -> None:
        if self.owner:
            self.contexts.pop()

    def visit_Match(self, node: cst.Match) -> None:
        if self.owner:
            self.subjects.append(_type_subject(node.subject))

    def leave_Match(self, original_node: cst.Match) -> None:
        if self.owner:
            self.subjects.pop()

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        if not self.owner:
            return
        subject = self.subjects[-1] if self.subjects else None
        pattern = node.pattern
        event = string_value(pattern.value) if isinstance(pattern, cst.MatchValue) else None
        self.contexts.append((subject, event) if subject and event in _PROXY_EVENTS else None)

    def leave_MatchCase(self, original_node: cst.MatchCase) -> None:
        if self.owner:
            self.contexts.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.owner:
            self.kinds.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        if self.owner:
            self.kinds.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.owner:
            return
        self.kinds.append("def")
        scope = _Scope(self.scope)
        params = node.params
        for p in [*params.posonly_params, *params.params, *params.kwonly_params]:
            scope.params.add(p.name.value)
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                scope.params.add(p.name.value)
        assert self.scope is not None
        self.scope.children.append(scope)
        self.scope = scope

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if self.owner and self.scope is not None and self.scope.parent is not None:
            self.scope = self.scope.parent
            self.kinds.pop()

    def _block_len(self, stmt: cst.SimpleStatementLine) -> int:
        return self.ctx.scratch.get(KEY + ".blocklen", {}).get(id(stmt), 2)

    def _note_block(self, body: Sequence[cst.CSTNode]) -> None:
        lens = self.ctx.scratch.setdefault(KEY + ".blocklen", {})
        for stmt in body:
            lens[id(stmt)] = len(body)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if not self.owner or self.scope is None:
            return
        indent = tuple(self.indents)
        for small in node.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
                self.handled_strings.add(id(small.value))  # a docstring, not an event name
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                value = small.value
                if value is None:
                    continue
                context = tuple(c for c in self.contexts if c)
                for target in targets:
                    if isinstance(target, cst.Name) and self.kinds and self.kinds[-1] == "class":
                        self.class_attrs.setdefault(target.value, []).append(_Binding(value, indent))
                    elif isinstance(target, cst.Name):
                        self.scope.assigns.setdefault(target.value, []).append(_Binding(value, indent))
                        self.bound[id(value)] = target.value
                        alias = _subscript_path(value) if isinstance(value, cst.Subscript) else None
                        for base, event in context:
                            if alias and alias[0] == base and alias[1] == (EVENT_PAYLOAD[event],):
                                self.scope.aliases.setdefault(target.value, []).append((base, event))
                    elif isinstance(target, cst.Subscript) and len(targets) == 1:
                        found = _subscript_path(target)
                        if found:
                            self.scope.mutations.append(_Mutation("set", found[0], found[1], found[2], value, node,
                                                                  small, self._block_len(node), indent,
                                                                  context=context))
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                self.scope.assigns.setdefault(small.target.value, []).append(_Binding(small.value, indent))
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value == "update" and len(call.args) == 1:
                    base = func.value
                    found = _subscript_path(base) if isinstance(base, cst.Subscript) else None
                    if isinstance(base, cst.Name):
                        found = (base.value, (), ())
                    if found:
                        self.scope.mutations.append(_Mutation("update", found[0], found[1], found[2],
                                                              call.args[0].value, node, small, self._block_len(node),
                                                              indent, call))

    def visit_Dict(self, node: cst.Dict) -> None:
        if not self.owner:
            return
        for el in node.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == "type":
                event = string_value(el.value)
                if event in EVENT_PAYLOAD:
                    self.handled_strings.add(id(el.value))
                    self._event(event, node, el.value, _dict_get(node, EVENT_PAYLOAD[event]))
                return

    def _event(self, event: str, node: cst.CSTNode, type_node: cst.BaseExpression,
               payload: cst.BaseExpression | None) -> None:
        assert self.scope is not None
        var = self.bound.get(id(node))
        rename = (type_node, requote(type_node, "session.update")) \
            if event == "transcription_session.update" and isinstance(type_node, cst.SimpleString) else None
        if payload is None:
            if var is None:
                if event == "transcription_session.update":
                    self.payloads.append(_Payload(event, cst.Name("…"), type_node, self.scope, tuple(self.indents),
                                                  None, rename))
                return
            payload = _Deferred(var, EVENT_PAYLOAD[event])  # type: ignore[assignment]
        self.payloads.append(_Payload(event, payload, type_node, self.scope, tuple(self.indents), var, rename))

    def visit_Call(self, node: cst.Call) -> None:
        if not self.owner:
            return
        type_arg = _kwarg(node, "type")
        if type_arg is not None and string_value(type_arg.value) in EVENT_PAYLOAD:
            event = string_value(type_arg.value)
            assert event is not None
            self.handled_strings.add(id(type_arg.value))
            arg = _kwarg(node, EVENT_PAYLOAD[event])
            self._event(event, node, type_arg.value, arg.value if arg else None)
            return
        chain = _attr_chain(node.func)
        if len(chain) < 3:
            return
        spec = SDK_CALLS.get((chain[-2], chain[-1]))
        if spec is None or (spec[0] == "conversation.item.create" and chain[-3] != "conversation"):
            return
        if spec[0] == "client_secrets" and "beta" in chain:
            return
        arg = _kwarg(node, spec[1])
        if arg is None:
            return
        assert self.scope is not None
        func = node.func
        assert isinstance(func, cst.Attribute)
        rename = None
        if spec[0] == "transcription_session.update" and isinstance(func.value, cst.Attribute):
            rename = (func.value.attr, "session")
        self.payloads.append(_Payload(spec[0], arg.value, func.attr, self.scope, tuple(self.indents), None, rename))

    def _listed(self, node: cst.List | cst.Tuple | cst.Set) -> None:
        if self.owner:
            for el in node.elements:
                if isinstance(el.value, cst.SimpleString) and "transcription_session" in el.value.value:
                    self.listed_strings.add(id(el.value))

    def visit_List(self, node: cst.List) -> None:
        self._listed(node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """`"transcription_session.update" in text` searches text: a mention, not an event."""
        if self.owner and isinstance(node.left, cst.SimpleString) and any(
                isinstance(c.operator, (cst.In, cst.NotIn)) for c in node.comparisons):
            self.listed_strings.add(id(node.left))

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._listed(node)

    def visit_Set(self, node: cst.Set) -> None:
        self._listed(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        raw = node.value
        if not self.owner or ("transcription_session.update" not in raw and "{" not in raw):
            return  # cheap: most strings are neither an event name nor JSON text
        value = string_value(node)
        if value == "transcription_session.update":
            self.loose_strings.append(node)
        elif value is not None and value.lstrip().startswith("{") and any(e in value for e in EVENT_PAYLOAD):
            self.json_strings.append(node)

    # -- analysis and reporting -------------------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        issues = self.ctx.scratch.get(KEY + ".issues")
        if issues is None:
            owner = self.ctx.scratch[KEY + ".owner"]
            issues = _Analysis(owner).run()
            self.ctx.scratch[KEY + ".issues"] = issues
        for issue in issues:
            if issue.code == self.rule.code:
                self.report(issue.node, issue.message, edits=issue.edits, unsafe=issue.unsafe, ga_form=issue.ga_form,
                            fix_title=issue.fix_title, severity=issue.severity,
                            comment_scope=issue.comment_scope)


_PROXY_EVENTS = frozenset({"session.update", "response.create", "transcription_session.update"})


def _type_subject(node: cst.BaseExpression) -> str | None:
    """`X` of `X["type"]` / `X.get("type")`."""
    if isinstance(node, cst.Subscript):
        found = _subscript_path(node)
        if found and found[1] == ("type",):
            return found[0]
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
            and isinstance(node.func.value, cst.Name) and node.args and string_value(node.args[0].value) == "type":
        return node.func.value.value
    return None


def _event_check(test: cst.BaseExpression) -> tuple[str, str] | None:
    """(X, event) for a test `X["type"] == "<event>"` (either side)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return None
    for subject, literal in ((test.left, target.comparator), (target.comparator, test.left)):
        name = _type_subject(subject)
        event = string_value(literal)
        if name and event in _PROXY_EVENTS:
            return name, event
    return None


@dataclass
class _Deferred:
    """An event dict without the payload key: the payload is set later (`event["session"] = ...`)."""

    var: str
    key: str


def _dict_get(node: cst.CSTNode, key: str) -> cst.BaseExpression | None:
    if isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == key:
                return el.value
    return None


def _resolve(scope: _Scope, name: str) -> tuple[_Scope, list[_Binding]] | None:
    """The bindings of `name` visible from `scope` when every one is a dict literal (None: a
    parameter, unknown, or bound to anything else at least once)."""
    s: _Scope | None = scope
    while s is not None:
        if name in s.params:
            return None
        if name in s.assigns:
            bindings = s.assigns[name]
            return (s, bindings) if all(isinstance(b.value, cst.Dict) for b in bindings) else None
        s = s.parent
    return None


def _mutations(scope: _Scope, name: str, prefix: tuple[str, ...]) -> list[_Mutation]:
    """Mutations of `name[prefix...]` in `scope` and in nested scopes that do not rebind `name`."""
    out = []
    for m in scope.mutations:
        if m.base == name and m.path[: len(prefix)] == prefix:
            out.append(m)
    for child in scope.children:
        if name not in child.assigns and name not in child.params:
            out.extend(_mutations(child, name, prefix))
    return out


class _Analysis:
    def __init__(self, m: Matcher) -> None:
        self.m = m
        self.issues: list[Issue] = []
        self.flow = _TRANSCRIPTION_FLOW.search(m.ctx.text) is not None
        foreign = _FOREIGN.search(m.ctx.text)
        self.foreign = foreign.group(0) if foreign else None

    def run(self) -> list[Issue]:
        m = self.m
        for p in getattr(m, "payloads", ()):
            self.payload(p)
        for node in getattr(m, "json_strings", ()):
            self.json_payload(node)
        if getattr(m, "root", None) is not None:
            self.proxies(m.root)
        handled = getattr(m, "handled_strings", set())
        listed = getattr(m, "listed_strings", set())
        for node in getattr(m, "loose_strings", ()):
            if id(node) not in handled:
                # In a set/list/tuple (a table of names, an allow-list) or searched for in text: a note.
                self.add("transcription", node, "`transcription_session.update` was removed in GA: send "
                         '`session.update` with `session.type = "transcription"` and the GA transcription shape',
                         ga_form='{"type": "session.update", "session": {"type": "transcription", "audio": '
                                 '{"input": {...}}}}',
                         severity=Severity.INFO if id(node) in listed else Severity.ERROR)
        return self.issues

    # -- helpers ------------------------------------------------------------------------
    def add(self, part: str, node: cst.CSTNode, message: str, **kw) -> None:  # type: ignore[no-untyped-def]
        if self.foreign is not None:
            # A realtime-compatible service of another vendor keeps the preview protocol: a note, no edit.
            kw = {"ga_form": kw.get("ga_form"), "severity": Severity.INFO}
            message += f" (note only: this file talks to `{self.foreign}`, which speaks the preview protocol)"
        self.issues.append(Issue(CODES[part], node, message, **kw))

    def render(self, old: cst.CSTNode, new: cst.CSTNode, indent: tuple[str, ...]) -> Edit | None:
        """Replace `old` with `new` rendered in its block (None when positions do not line up)."""
        m = self.m
        start, end = m.span(old)
        if m.ctx.text[start:end] != _code(old, indent, m.ctx.module):
            return None
        return m.make_edit(start, end, _code(new, indent, m.ctx.module))

    # -- payloads -----------------------------------------------------------------------
    def payload(self, p: _Payload) -> None:
        value = p.value
        binding_scope = p.scope
        name = None
        indent = p.indent
        if isinstance(value, _Deferred):
            # event = {"type": ...}; event["session"] = {...} / event["session"]["voice"] = ...
            sets = [mu for mu in _mutations(p.scope, value.var, (value.key,)) if len(mu.path) == 1
                    and mu.kind == "set"]
            if len(sets) != 1 or sets[0].value is None:
                if p.event == "transcription_session.update":
                    self.transcription_unfollowable(p)
                return
            value, indent = sets[0].value, sets[0].indent
            p = dataclasses.replace(p, value=value)
        bindings: list[_Binding] | None = None
        if isinstance(value, cst.Name):
            found = _resolve(p.scope, value.value)
            if found is None:
                self.unfollowable(p, value)
                return
            binding_scope, bindings = found
            name = value.value
        elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
            # `self.SESSION` / `Agent.SESSION`: a class attribute bound once, in one class, to a dict literal
            bindings = self.m.class_attrs.get(value.attr.value)
            if not bindings or len(bindings) != 1 or not isinstance(bindings[0].value, cst.Dict):
                self.unfollowable(p, value)
                return
        if bindings is not None:
            for binding in bindings:
                self.literal(dataclasses.replace(p, value=binding.value), binding_scope, name, binding.indent)
            return
        self.literal(p, binding_scope, name, indent)

    def literal(self, p: _Payload, binding_scope: _Scope, name: str | None, indent: tuple[str, ...]) -> None:
        value = p.value
        extra: list[_Mutation] = []
        if p.event_var is not None:
            extra = [mu for mu in _mutations(p.scope, p.event_var, (EVENT_PAYLOAD[p.event],)) if len(mu.path) > 1]
            extra = [dataclasses.replace(mu, path=mu.path[1:], subscripts=mu.subscripts[1:]) for mu in extra]
        muts = (_mutations(binding_scope, name, ()) if name else []) + extra
        muts = [mu for mu in muts if mu.path or mu.kind == "update"]
        if isinstance(value, cst.Call):
            self.constructor(p, value)
            return
        if not isinstance(value, cst.Dict):
            self.unfollowable(p, value)
            return
        if p.event in ("session.update", "client_secrets"):
            self.session(p, value, indent, muts)
        elif p.event == "transcription_session.update":
            self.transcription(p, value, indent, muts)
        elif p.event == "response.create":
            self.response(p, value, indent, muts)
        else:
            self.item(value, "conversation.item.create", p.scope)

    def unfollowable(self, p: _Payload, value: cst.CSTNode) -> None:
        if p.event == "transcription_session.update":
            self.transcription_unfollowable(p)
            return
        if p.event in ("session.update", "client_secrets"):
            self.add("type", value, "Cannot follow this session payload: in GA it needs `\"type\": \"realtime\"` "
                     "(or `\"transcription\"`) and the GA field paths (`audio.input.*`, `audio.output.*`, "
                     "`output_modalities`, `max_output_tokens`, no `temperature`)", severity=Severity.INFO,
                     ga_form='{"type": "realtime", "audio": {"input": {...}, "output": {...}}, ...}')

    def transcription_unfollowable(self, p: _Payload) -> None:
        self.add("transcription", p.anchor, "`transcription_session.update` was removed in GA, and its payload "
                 "cannot be followed here: send `session.update` with `session.type = \"transcription\"` and "
                 "`audio.input.{format,transcription,noise_reduction,turn_detection}`",
                 ga_form='{"type": "session.update", "session": {"type": "transcription", "audio": {"input": {...}}}}')

    def constructor(self, p: _Payload, call: cst.Call) -> None:
        """`Session(voice=..., modalities=...)`-style payloads (pydantic / TypedDict classes): report only."""
        as_dict = ga.dict_from_kwargs([a for a in call.args if a.keyword is not None])
        if as_dict is None:
            self.unfollowable(p, call)
            return
        by_key = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if p.event == "response.create":
            result, part = ga.reshape_response(as_dict), "response"
        else:
            kind = "transcription" if p.event == "transcription_session.update" else None
            result = ga.reshape_session(as_dict, kind=kind, ensure_type=False)
            part = "transcription" if kind else "session"
        for change in [*result.changes, *result.left]:
            arg = by_key.get(change.key.split(".")[0])
            if arg is None or change.action == "added":
                continue
            self.add(part, arg, _message(change) + " (a model object: rewrite it by hand)", ga_form=_ga_form(change))
        if (result.changes or result.left) and p.event in ("session.update", "client_secrets") and "type" not in by_key:
            self.add("type", call, 'Session payload has no `type`: GA requires `type="realtime"` (or "transcription")',
                     ga_form='type="realtime"')

    # -- session.update / client_secrets.create -------------------------------------------
    def session(self, p: _Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[_Mutation],
                partial: bool = False) -> None:
        has_type = any(string_value(k) == "type" for k in _keys(node)) or any(mu.path == ("type",) for mu in muts)
        spread = any(isinstance(el, cst.StarredDictElement) for el in node.elements)
        kind = "transcription" if _type_value(node) == "transcription" else ga.session_kind(node, self.flow)
        for el in node.elements:  # `{**BASE, ...}`: a spread dict literal is part of the session
            if isinstance(el, cst.StarredDictElement) and isinstance(el.value, cst.Name) and not partial:
                found = _resolve(p.scope, el.value.value)
                for binding in found[1] if found else ():
                    assert isinstance(binding.value, cst.Dict)
                    has_type |= _type_value(binding.value) is not None
                    self.session(p, binding.value, binding.indent,
                                 [mu for mu in _mutations(found[0], el.value.value, ()) if mu.path], partial=True)  # type: ignore[index]
        if not has_type and not partial:
            if spread:
                self.add("type", node, "Cannot see whether this session sets `type` (it spreads another dict): "
                         'GA requires `"type": "realtime"` (or `"transcription"`)', severity=Severity.INFO,
                         ga_form='"type": "realtime"')
            else:
                edit = self.render(node, ga.with_type(node, kind), indent)
                ambiguous = kind == "realtime" and ga.is_ambiguous_kind(node)
                self.add("type", node, f'Session payload has no `type`: GA requires `"type": "{kind}"`'
                         + (' (it only configures transcription: use "transcription" if this is a '
                            "transcription-only session)" if ambiguous else ""),
                         edits=(edit,) if edit else (), unsafe=ambiguous, ga_form=f'"type": "{kind}"',
                         fix_title=f'Add `"type": "{kind}"`')
        hoist = "hoist" if p.event == "client_secrets" else "drop"
        result = ga.reshape_session(node, kind=kind, ensure_type=False, client_secret=hoist)  # type: ignore[arg-type]
        self.report_result("session", result, node, indent, fixable_title="Move the session fields to their GA paths")
        self.mutations("session", muts, kind, node)

    def report_result(self, part: str, result: ga.Reshape, node: cst.Dict, indent: tuple[str, ...],
                      fixable_title: str) -> None:
        edit = self.render(node, result.dict, indent) if result.changes else None
        applied = [c for c in result.changes if c.action not in ("added", "hoist")]
        for change in applied:
            self.add(part, change.element or node, _message(change), edits=(edit,) if edit else (),
                     unsafe=bool(result.unsafe), ga_form=_ga_form(change), fix_title=fixable_title,
                     comment_scope=node)
        for change in result.changes:
            if change.action == "added" and change.element is not None:  # turn_detection.type
                self.add(part, change.element, _message(change), edits=(edit,) if edit else (),
                         unsafe=bool(result.unsafe), ga_form=_ga_form(change), fix_title=fixable_title,
                         comment_scope=node)
            if change.action == "hoist":
                self.add(part, change.element or node, "`client_secret` is not a GA session field: its expiry "
                         "becomes the top-level `expires_after` argument of `client_secrets.create`",
                         ga_form="client_secrets.create(expires_after={...}, session={...})")
        for change in result.left:
            self.add(part, change.element or node, _message(change), ga_form=_ga_form(change))

    # -- transcription_session.update -------------------------------------------------------
    def transcription(self, p: _Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[_Mutation]) -> None:
        result = ga.reshape_session(node, kind="transcription",
                                    ensure_type=not any(mu.path == ("type",) for mu in muts))
        edits: list[Edit] = []
        edit = self.render(node, result.dict, indent) if result.changes else None
        if edit:
            edits.append(edit)
        if p.rename is not None:
            edits.append(self.m.replace(p.rename[0], p.rename[1]))
        moved = ", ".join(f"`{c.key}` → `{c.ga_path}`" if c.ga_path else f"`{c.key}` removed"
                          for c in result.changes if c.action != "added")
        ok = (edit is not None or not result.changes) and p.rename is not None
        self.add("transcription", p.anchor, "`transcription_session.update` was removed in GA: use `session.update` "
                 'with `session.type = "transcription"`' + (f" ({moved})" if moved else ""),
                 edits=tuple(edits) if ok else (), unsafe=bool(result.unsafe),
                 ga_form='{"type": "session.update", "session": {"type": "transcription", "audio": {"input": {...}}}}',
                 fix_title="Rewrite to `session.update` with a GA transcription session", comment_scope=node)
        for change in result.left:
            self.add("transcription", change.element or node, _message(change), ga_form=_ga_form(change))
        self.mutations("transcription", muts, "transcription", node)

    # -- response.create ---------------------------------------------------------------------
    def response(self, p: _Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[_Mutation]) -> None:
        result = ga.reshape_response(node)
        self.report_result("response", result, node, indent, fixable_title="Move the response fields to their GA paths")
        self.mutations("response", muts, None, node)
        items = _dict_get(node, "input")
        if isinstance(items, (cst.List, cst.Tuple)):
            for el in items.elements:
                if isinstance(el, cst.Element):
                    item = el.value
                    if isinstance(item, cst.Name):
                        found = _resolve(p.scope, item.value)
                        item = found[1][0].value if found and len(found[1]) == 1 else item
                    if isinstance(item, cst.Dict):
                        self.item(item, "response.create", p.scope)

    # -- items ------------------------------------------------------------------------------
    def item(self, node: cst.Dict, where: str, scope: _Scope) -> None:
        role = string_value(_dict_get(node, "role") or cst.Name("x"))
        content = _dict_get(node, "content")
        if not isinstance(content, (cst.List, cst.Tuple)):
            return
        for el in content.elements:
            part = el.value if isinstance(el, cst.Element) else None
            if not isinstance(part, cst.Dict):
                continue
            type_node = _dict_get(part, "type")
            ctype = string_value(type_node) if type_node is not None else None
            if ctype == "item_reference":
                self.add("response" if where == "response.create" else "item", part,
                         "A content-level `item_reference` was removed in GA: reference the item as a whole "
                         'input entry `{"type": "item_reference", "id": ...}` of `response.create`',
                         ga_form='{"type": "item_reference", "id": "<item id>"}')
                continue
            new = None
            if role == "assistant" and ctype in ("text", "audio"):
                new = f"output_{ctype}"
            elif role in ("user", "system") and ctype == "text":
                new = "input_text"
            if new is None or not isinstance(type_node, cst.SimpleString):
                continue
            self.add("item", type_node, f'{role.capitalize()} content type `"{ctype}"` is `"{new}"` in GA',
                     edits=(self.m.replace(type_node, requote(type_node, new)),), ga_form=f'"{new}"',
                     fix_title=f'Rename to `"{new}"`')

    # -- proxies: a received event checked by type, then changed ------------------------------
    def proxies(self, scope: _Scope) -> None:
        """`if msg["type"] == "session.update": msg["session"]["voice"] = v` (or `s = msg["session"]`;
        `s["voice"] = v`): the payload comes from elsewhere, but the keys this code sets are known,
        and the setdefault form is right whatever the payload holds."""
        by_event: dict[str, list[_Mutation]] = {}
        for mu in scope.mutations:
            for base, event in mu.context:
                if mu.base == base and len(mu.path) > 1 and mu.path[0] == EVENT_PAYLOAD[event]:
                    by_event.setdefault(event, []).append(
                        dataclasses.replace(mu, path=mu.path[1:], subscripts=mu.subscripts[1:]))
        for name, checks in scope.aliases.items():
            for check in set(checks):  # only changes made under the same check as the binding
                by_event.setdefault(check[1], []).extend(
                    mu for mu in scope.mutations if mu.base == name and mu.path and check in mu.context)
        for event, muts in by_event.items():
            part = {"session.update": "session", "transcription_session.update": "transcription"}.get(event, "response")
            kind = "transcription" if event == "transcription_session.update" else "realtime"
            self.mutations(part, muts, kind if part != "response" else None, cst.Dict([]))
        for child in scope.children:
            self.proxies(child)

    # -- JSON text ----------------------------------------------------------------------------
    def json_payload(self, node: cst.SimpleString) -> None:
        """A preview event written as JSON text (`ws.send('{"type": "session.update", ...}')`).

        The JSON is parsed as a Python expression (same syntax for objects, strings and numbers),
        reshaped like a dict literal and written back when the string has no escapes to keep
        and the result is still valid JSON; otherwise the findings carry no edit.
        """
        text = string_value(node)
        assert text is not None
        try:
            data = json.loads(text)
            expr = cst.parse_expression(text.strip())
        except (ValueError, cst.ParserSyntaxError):
            return
        if not isinstance(data, dict) or not isinstance(expr, cst.Dict) or data.get("type") not in EVENT_PAYLOAD:
            return
        event = data["type"]
        payload = _dict_get(expr, EVENT_PAYLOAD[event])
        if not isinstance(payload, cst.Dict):
            if event == "transcription_session.update":
                self.add("transcription", node, "`transcription_session.update` was removed in GA: send "
                         '`session.update` with `session.type = "transcription"`')
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]

        def edit_for(new_payload: cst.Dict, rename: bool = False) -> tuple[Edit, ...]:
            swaps: dict[int, cst.CSTNode] = {id(payload): new_payload}
            type_node = _dict_get(expr, "type")
            if rename and type_node is not None:
                swaps[id(type_node)] = cst.SimpleString('"session.update"')
            new_expr = _replace_values(expr, swaps)
            new_text = lead + cst.Module([]).code_for_node(new_expr) + trail
            raw = node.value[len(node.prefix) + len(node.quote): -len(node.quote)]
            try:
                json.loads(new_text)
            except ValueError:
                return ()
            if raw != text or "\\" in raw or node.quote in new_text or (len(node.quote) == 1 and "\n" in new_text):
                return ()
            return (self.m.replace(node, f"{node.prefix}{node.quote}{new_text}{node.quote}"),)

        def report(part: str, result: ga.Reshape, rename: bool = False) -> None:
            """One finding per rule for the whole string (findings at one position must not tie)."""
            edits = edit_for(result.dict, rename) if result.changes else ()
            fixed = [c for c in result.changes if c.action != "hoist" and (c.action != "added" or part == "type")]
            notes = [_message(c) for c in fixed] + [_message(c) for c in result.left]
            if not notes:
                return
            self.add(part, node, "; ".join(notes) + " (in JSON text)", edits=edits if not result.left else (),
                     unsafe=bool(result.unsafe), ga_form=", ".join(_ga_form(c) for c in [*fixed, *result.left]),
                     fix_title="Rewrite the JSON payload to the GA shape")

        if event == "session.update":
            kind = "transcription" if _type_value(payload) == "transcription" else ga.session_kind(payload, self.flow)
            if _type_value(payload) is None:
                typed = ga.Reshape(ga.with_type(payload, kind),
                                   [ga.FieldChange("type", "type", "added", None, f'"{kind}"')])
                report("type", typed)
            report("session", ga.reshape_session(payload, kind=kind, ensure_type=False))
        elif event == "transcription_session.update":
            result = ga.reshape_session(payload, kind="transcription")
            edits = edit_for(result.dict, rename=True)
            self.add("transcription", node, "`transcription_session.update` was removed in GA: use `session.update` "
                     'with `session.type = "transcription"` (in JSON text)', edits=edits,
                     unsafe=bool(result.unsafe), fix_title="Rewrite the JSON payload to the GA shape",
                     ga_form='{"type": "session.update", "session": {"type": "transcription", ...}}')
        elif event == "response.create":
            report("response", ga.reshape_response(payload))
        if event in ("conversation.item.create", "response.create"):
            items = [payload] if event == "conversation.item.create" else [
                el.value for el in getattr(_dict_get(payload, "input"), "elements", ()) if isinstance(el, cst.Element)]
            renamed = _ItemContent()
            new_payload = payload.visit(renamed) if event == "conversation.item.create" else payload
            if event == "response.create":
                new_payload = payload.with_changes(elements=[
                    el.with_changes(value=el.value.visit(renamed)) if isinstance(el, cst.DictElement)
                    and string_value(el.key) == "input" else el for el in payload.elements])
            if renamed.count and all(isinstance(i, cst.Dict) for i in items):
                edits = edit_for(new_payload)  # type: ignore[arg-type]
                self.add("item", node, "Item content types `\"text\"`/`\"audio\"` are `\"input_text\"` (user, "
                         'system) / `"output_text"`/`"output_audio"` (assistant) in GA (in JSON text)', edits=edits,
                         fix_title="Rename the content types")

    # -- payloads changed in steps -----------------------------------------------------------
    def mutations(self, part: str, muts: list[_Mutation], kind: str | None, literal: cst.Dict) -> None:
        if part == "response":
            moves = ga.RESPONSE_AUDIO_MOVES
        else:
            moves = ga.TRANSCRIPTION_AUDIO_MOVES if kind == "transcription" else ga.SESSION_AUDIO_MOVES
        audio_writers = sum(1 for k in _keys(literal) if string_value(k) in ("audio", *moves)) + sum(
            1 for mu in muts if mu.path and mu.path[0] in ("audio", *moves))
        for mu in muts:
            if mu.kind == "update":
                self.update_call(part, mu, kind, audio_writers)
                continue
            key = mu.path[0]
            sub = mu.subscripts[0]
            quote = _quote(sub)
            base = self.m.ctx.module.code_for_node(sub.value)
            if key in moves:
                sub_name, ga_key = moves[key]
                ga_path = f"audio.{sub_name}.{ga_key}"
                new_target = (f"{base}.setdefault({quote}audio{quote}, {{}}).setdefault({quote}{sub_name}{quote}, "
                              f"{{}})[{quote}{ga_key}{quote}]")
                edits = [self.m.replace(sub, new_target)]
                if key in ga.FORMAT_KEYS and len(mu.path) == 1 and mu.value is not None:
                    value = ga.format_literal_code(mu.value)
                    if value is None and not (isinstance(mu.value, cst.Dict)):
                        self.add(part, mu.small, f"`{key}` moved to `{ga_path}` in GA and takes a format object; "
                                 "this value is not a literal, so set it by hand", ga_form=f"{ga_path} = "
                                 '{"type": "audio/pcm", "rate": 24000}')
                        continue
                    if value is not None:
                        edits.append(self.m.replace(mu.value, value))
                self.add(part, mu.small, f"`{key}` moved to `{ga_path}` in GA", edits=tuple(edits), ga_form=ga_path,
                         fix_title=f"Set `{ga_path}` instead", comment_scope=mu.small)
            elif key in ("modalities", "max_response_output_tokens") and not (kind == "transcription"
                                                                              and key == "max_response_output_tokens"):
                if kind == "transcription":
                    self.remove_statement(part, mu, "`modalities` was removed from transcription sessions in GA")
                    continue
                ga_key = "output_modalities" if key == "modalities" else "max_output_tokens"
                key_node = sub.slice[0].slice.value  # type: ignore[attr-defined]
                edits = [self.m.replace(key_node, requote(key_node, ga_key))]
                if key == "modalities" and len(mu.path) == 1 and mu.value is not None:
                    value = ga.modalities_literal_code(mu.value)
                    if value is None:
                        self.add(part, mu.small, f"`{key}` is `{ga_key}` in GA and cannot ask for both text and audio; "
                                 "this value is not a literal, so set it by hand", ga_form=f'{ga_key} = ["audio"]')
                        continue
                    if value != self.m.ctx.module.code_for_node(mu.value):
                        edits.append(self.m.replace(mu.value, value))
                self.add(part, mu.small, f"`{key}` is `{ga_key}` in GA", edits=tuple(edits), ga_form=ga_key,
                         fix_title=f"Rename to `{ga_key}`", comment_scope=mu.small)
            elif key == "temperature" and len(mu.path) == 1:
                self.remove_statement(part, mu, "`temperature` was removed in GA (the server rejects it)")
            elif key == "client_secret" and len(mu.path) == 1 and part != "response":
                self.remove_statement(part, mu, "`client_secret` is not a GA session field")

    def remove_statement(self, part: str, mu: _Mutation, message: str) -> None:
        m = self.m
        if len(mu.stmt.body) != 1:
            self.add(part, mu.small, message)
            return
        r = m.range_of(mu.stmt)
        if m.ctx.line_text(r.start.line)[: r.start.column].strip():
            self.add(part, mu.small, message)
            return
        start = m.ctx.offset(r.start.line, 0)
        end = m.ctx.line_starts[r.end.line] if r.end.line < len(m.ctx.line_starts) else len(m.ctx.text)
        content = ""
        if mu.block_len == 1:
            line = m.ctx.text[start:end]
            content = line[: r.start.column] + "pass" + line[len(line.rstrip("\r\n")):]
        self.add(part, mu.small, message, edits=(m.make_edit(start, end, content),), fix_title="Remove the statement",
                 ga_form="(removed)", comment_scope=mu.stmt.with_changes(leading_lines=()))

    def update_call(self, part: str, mu: _Mutation, kind: str | None, audio_writers: int) -> None:
        if len(mu.path) > 0 or not isinstance(mu.value, cst.Dict):
            return
        if part == "response":
            result = ga.reshape_response(mu.value)
        else:
            result = ga.reshape_session(mu.value, kind=kind or "realtime", ensure_type=False)  # type: ignore[arg-type]
        creates_audio = any(c.ga_path.startswith("audio.") for c in result.changes) and not any(
            string_value(k) == "audio" for k in _keys(mu.value))
        if creates_audio and audio_writers > 1:
            result.unsafe.append("`.update()` replaces the whole `audio` dict set elsewhere")
        self.report_result(part, result, mu.value, mu.indent, fixable_title="Move the fields to their GA paths")


def _replace_values(tree: cst.CSTNode, swaps: dict[int, cst.CSTNode]) -> cst.BaseExpression:
    """`tree` with the nodes whose id is in `swaps` replaced (a transformer rebuilds every node)."""

    class _Swap(cst.CSTTransformer):
        def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            return swaps.get(id(original_node), updated_node)

    return tree.visit(_Swap())  # type: ignore[return-value]


class _ItemContent(cst.CSTTransformer):
    """Renames content types inside message items (by literal role) of a parsed JSON payload."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.roles: list[str | None] = []

    def visit_Dict(self, node: cst.Dict) -> bool:
        role = _dict_get(node, "role")
        self.roles.append(string_value(role) if role is not None else (self.roles[-1] if self.roles else None))
        return True

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.Dict:
        self.roles.pop()
        role = self.roles[-1] if self.roles else None
        type_node = _dict_get(updated_node, "type")
        ctype = string_value(type_node) if type_node is not None else None
        new = {"assistant": {"text": "output_text", "audio": "output_audio"}, "user": {"text": "input_text"},
               "system": {"text": "input_text"}}.get(role or "", {}).get(ctype or "")
        if new is None or _dict_get(updated_node, "role") is not None:
            return updated_node
        self.count += 1
        return updated_node.with_changes(elements=[
            el.with_changes(value=cst.SimpleString(requote(el.value, new))) if isinstance(el, cst.DictElement)
            and string_value(el.key) == "type" and isinstance(el.value, cst.SimpleString) else el
            for el in updated_node.elements])


def _keys(node: cst.Dict) -> list[cst.BaseExpression]:
    return [el.key for el in node.elements if isinstance(el, cst.DictElement)]


def _type_value(node: cst.Dict) -> str | None:
    value = _dict_get(node, "type")
    return string_value(value) if value is not None else None


def _quote(sub: cst.Subscript) -> str:
    key = sub.slice[0].slice
    if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString) and len(key.value.quote) == 1:
        return key.value.quote
    return '"'


def _code(node: cst.CSTNode, indent: tuple[str, ...], module: cst.Module) -> str:
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline,
                         indent_tokens=list(indent))
    node._codegen(state)
    return "".join(state.tokens)


def _ga_form(change: ga.FieldChange) -> str:
    return change.ga_path or "(removed)"


def _message(change: ga.FieldChange) -> str:
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

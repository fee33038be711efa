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

Payloads built in steps are followed inside one scope: a name whose every binding is a dict
literal (in the function, at module level, a class attribute reached as `self.X`, a `**spread` of
one, a loop variable over a list of them, or what a module-level function returns), then changed
with `x["key"] = v`, `x["key"]["sub"] = v`, `x.update({...})` or, for an event variable,
`event["session"]["key"] = v`; also a received event changed under `if msg["type"] ==
"session.update":` / `case "session.update":` (proxies). Changed keys are rewritten in place:
`x["voice"] = v` becomes `x.setdefault("audio", {}).setdefault("output", {})["voice"] = v`
(correct whether or not the dict already has `audio`), renames rename the key, `x["temperature"] =
t` is deleted. Events written as JSON text are parsed and rewritten. A payload that cannot be
followed (a parameter, a call result) gets a finding without an edit, with the GA paths to use.
Files that talk to a clone of the preview protocol (Azure Voice Live, DashScope) only get notes.

Layout: `session_payload` (this visitor: collects), `payload_model` (what was collected),
`payload_analysis` (findings and edits), `ga_session` (the pure dict reshaping, shared with the
SDK-surface rules).

All rules share one analysis per file: the first of them to be instantiated collects during
the traversal, the first to reach `leave_Module` analyses, and each reports its own code.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from realtime_migrate.matchers.base import Matcher, requote, string_value
from realtime_migrate.matchers.payload_analysis import Analysis
from realtime_migrate.matchers.payload_model import (
    EVENT_PAYLOAD,
    KEY,
    PROXY_EVENTS,
    SDK_CALLS,
    Binding,
    Deferred,
    Mutation,
    Payload,
    Scope,
    attr_chain,
    dict_get,
    event_check,
    kwarg,
    subscript_path,
    type_subject,
)

# Methods that are the `session.update` event by name, wherever they are defined.
SESSION_HELPERS = frozenset({"session_update", "update_session", "send_session_update"})


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.owner = ctx.scratch.setdefault(KEY + ".owner", self) is self
        self.indents: list[str] = []
        self.scope: Scope | None = None
        self.root: Scope | None = None
        self.payloads: list[Payload] = []
        self.bound: dict[int, str] = {}  # id(event dict) → the name it is assigned to
        self.handled_strings: set[int] = set()
        self.loose_strings: list[cst.SimpleString] = []
        self.json_strings: list[cst.SimpleString] = []
        self.listed_strings: set[int] = set()
        self.contexts: list[tuple[str, str] | None] = []
        self.kinds: list[str] = []  # enclosing "class" / "def" bodies
        self.functions: dict[str, list[Scope]] = {}  # module-level functions (a payload may be built by one)
        self.class_attrs: dict[str, list[Binding]] = {}
        self.subjects: list[str | None] = []
        # every load of a name (scope it appears in, node): a followed payload used elsewhere too
        self.name_uses: dict[str, list[tuple[Scope, cst.Name]]] = {}
        self.not_loads: set[int] = set()
        self.key_reads: dict[int, tuple[str, cst.CSTNode]] = {}  # id(name) → key read by `name[k]` / `.get(k)`
        self.classes: list[cst.ClassDef] = []  # model classes may mirror the preview session (pydantic, TypedDict)
        # helpers one call away: function scope → (name, parameters); calls with arguments, where they are
        self.def_params: dict[int, tuple[str, list[str]]] = {}
        self.calls: list[tuple[cst.Call, Scope, tuple[str, ...]]] = []

    # -- collection (owner only) ------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        if self.owner:
            self.root = self.scope = Scope(None)
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
            self.contexts.append(event_check(node.test))

    def leave_If_body(self, node: cst.If) -> None:
        if self.owner:
            self.contexts.pop()

    def visit_Match(self, node: cst.Match) -> None:
        if self.owner:
            self.subjects.append(type_subject(node.subject))

    def leave_Match(self, original_node: cst.Match) -> None:
        if self.owner:
            self.subjects.pop()

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        if not self.owner:
            return
        subject = self.subjects[-1] if self.subjects else None
        pattern = node.pattern
        event = string_value(pattern.value) if isinstance(pattern, cst.MatchValue) else None
        self.contexts.append((subject, event) if subject and event in PROXY_EVENTS else None)

    def leave_MatchCase(self, original_node: cst.MatchCase) -> None:
        if self.owner:
            self.contexts.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.owner:
            self.kinds.append("class")
            self.classes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        if self.owner:
            self.kinds.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.owner:
            return
        self.kinds.append("def")
        scope = Scope(self.scope)
        params = node.params
        for p in [*params.posonly_params, *params.params, *params.kwonly_params]:
            scope.params.add(p.name.value)
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                scope.params.add(p.name.value)
        assert self.scope is not None
        self.scope.children.append(scope)
        self.def_params[id(scope)] = (node.name.value, [p.name.value for p in [*params.posonly_params,
                                                                                *params.params]])
        if self.kinds[:-1].count("class") == 0 and len(self.kinds) == 1:  # a module-level function
            self.functions.setdefault(node.name.value, []).append(scope)
        self.scope = scope

    def visit_Return(self, node: cst.Return) -> None:
        if self.owner and self.scope is not None and node.value is not None:
            self.scope.returns.append(Binding(node.value, tuple(self.indents)))

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

    def visit_For(self, node: cst.For) -> None:
        if self.owner and self.scope is not None and isinstance(node.target, cst.Name):
            self.scope.loops.setdefault(node.target.value, []).append(Binding(node.iter, tuple(self.indents)))

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
                        self.class_attrs.setdefault(target.value, []).append(Binding(value, indent))
                    elif isinstance(target, cst.Name):
                        self.scope.assigns.setdefault(target.value, []).append(Binding(value, indent))
                        self.bound[id(value)] = target.value
                        alias = subscript_path(value) if isinstance(value, cst.Subscript) else None
                        for base, event in context:
                            if alias and alias[0] == base and alias[1] == (EVENT_PAYLOAD[event],):
                                self.scope.aliases.setdefault(target.value, []).append((base, event))
                    elif isinstance(target, cst.Subscript) and len(targets) == 1:
                        found = subscript_path(target)
                        if found:
                            self.scope.mutations.append(Mutation("set", found[0], found[1], found[2], value, node,
                                                                  small, self._block_len(node), indent,
                                                                  context=context))
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                self.scope.assigns.setdefault(small.target.value, []).append(Binding(small.value, indent))
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value == "update" and len(call.args) == 1:
                    base = func.value
                    found = subscript_path(base) if isinstance(base, cst.Subscript) else None
                    if isinstance(base, cst.Name):
                        found = (base.value, (), ())
                    if found:
                        self.scope.mutations.append(Mutation("update", found[0], found[1], found[2],
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
                    self._event(event, node, el.value, dict_get(node, EVENT_PAYLOAD[event]))
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
                    self.payloads.append(Payload(event, cst.Name("…"), type_node, self.scope, tuple(self.indents),
                                                  None, rename))
                return
            payload = Deferred(var, EVENT_PAYLOAD[event])  # type: ignore[assignment]
        self.payloads.append(Payload(event, payload, type_node, self.scope, tuple(self.indents), var, rename))

    def visit_Call(self, node: cst.Call) -> None:
        if not self.owner:
            return
        func0 = node.func
        if isinstance(func0, cst.Attribute) and func0.attr.value in ("get", "setdefault", "pop") \
                and isinstance(func0.value, cst.Name) and node.args and string_value(node.args[0].value) is not None:
            self.key_reads.setdefault(id(func0.value), (string_value(node.args[0].value), node))  # type: ignore[arg-type]
        type_arg = kwarg(node, "type")
        if type_arg is not None and string_value(type_arg.value) in EVENT_PAYLOAD:
            event = string_value(type_arg.value)
            assert event is not None
            self.handled_strings.add(id(type_arg.value))
            arg = kwarg(node, EVENT_PAYLOAD[event])
            self._event(event, node, type_arg.value, arg.value if arg else None)
            return
        if node.args and self.scope is not None:
            self.calls.append((node, self.scope, tuple(self.indents)))
        # A helper that wraps the send (`send(ws, "session.update", session={...})`, `emit("response.create",
        # response={...})`): a literal client-event type among the positional arguments and that event's
        # payload keyword make the call that event, one level deep.
        for arg in node.args:
            event = string_value(arg.value) if arg.keyword is None and not arg.star else None
            payload = kwarg(node, EVENT_PAYLOAD[event]) if event in EVENT_PAYLOAD else None
            if payload is not None:
                assert event is not None
                self.handled_strings.add(id(arg.value))
                self._event(event, node, arg.value, payload.value)
                return
        chain = attr_chain(node.func)
        if len(chain) < 3:
            return
        spec = SDK_CALLS.get((chain[-2], chain[-1]))
        if spec is None or (spec[0] == "conversation.item.create" and chain[-3] != "conversation"):
            return
        if "translations" in chain or (spec[0] == "client_secrets" and "beta" in chain):
            return
        arg = kwarg(node, spec[1])
        if arg is None:
            return
        assert self.scope is not None
        func = node.func
        assert isinstance(func, cst.Attribute)
        rename = None
        if spec[0] == "transcription_session.update" and isinstance(func.value, cst.Attribute):
            rename = (func.value.attr, "session")
        self.payloads.append(Payload(spec[0], arg.value, func.attr, self.scope, tuple(self.indents), None, rename))

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

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.owner:
            self.not_loads.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if self.owner and node.keyword is not None:
            self.not_loads.add(id(node.keyword))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if self.owner and isinstance(node.target, cst.Name):
            self.not_loads.add(id(node.target))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.owner:
            found = subscript_path(node)
            if found and found[1][0] is not None and isinstance(node.value, cst.Name):
                self.key_reads.setdefault(id(node.value), (found[1][0], node))

    def visit_Name(self, node: cst.Name) -> None:
        if self.owner and self.scope is not None and id(node) not in self.not_loads:
            self.name_uses.setdefault(node.value, []).append((self.scope, node))

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
    def _helper_payloads(self) -> None:
        """Payloads one call away (issue #12). A function that sends its parameter as the session
        (`def session_update(self, options): conn.session.update(session=options)`) makes each call of it in
        this file a payload site for its argument; and a call of a method named after the event
        (`realtime_client.session_update({...})`, defined in another module) is one too."""
        senders: dict[str, tuple[str, int, str]] = {}  # function name → (event, parameter index, name)
        for p in self.payloads:
            if isinstance(p.value, cst.Name) and p.value.value in p.scope.params and id(p.scope) in self.def_params:
                name, params = self.def_params[id(p.scope)]
                index = params.index(p.value.value) if p.value.value in params else -1  # -1: keyword-only
                senders[name] = (p.event, index, p.value.value)
        for call, scope, indents in self.calls:
            func = call.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(
                func, cst.Name) else ""
            sender = senders.get(name)
            arg: cst.Arg | None = None
            if sender is not None:
                event, index, param = sender
                arg = kwarg(call, param)
                positional = [a for a in call.args if a.keyword is None and not a.star]
                shift = 1 if isinstance(func, cst.Attribute) and index > 0 else 0  # `self.f(x)`: x is parameter 1
                if arg is None and 0 <= index - shift < len(positional):
                    arg = positional[index - shift]
            elif name in SESSION_HELPERS and len(call.args) == 1 and not call.args[0].star:
                event, arg = "session.update", call.args[0]
            if arg is not None and isinstance(arg.value, (cst.Dict, cst.Name)):
                self.payloads.append(Payload(event, arg.value, func, scope, indents))

    def leave_Module(self, original_node: cst.Module) -> None:
        issues = self.ctx.scratch.get(KEY + ".issues")
        if issues is None:
            owner = self.ctx.scratch[KEY + ".owner"]
            owner._helper_payloads()
            issues = Analysis(owner).run()
            self.ctx.scratch[KEY + ".issues"] = issues
        for issue in issues:
            if issue.code == self.rule.code:
                self.report(issue.node, issue.message, edits=issue.edits, unsafe=issue.unsafe, ga_form=issue.ga_form,
                            fix_title=issue.fix_title, severity=issue.severity,
                            comment_scope=issue.comment_scope)

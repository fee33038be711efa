"""What a name holds, for every matcher of one file: the type-aware layer behind issue #12.

Frameworks hide the preview protocol in their own classes (pydantic models, dataclasses, TypedDicts),
in the SDK's beta classes, and in objects of those types that live far from the send. Several rules
need the same facts, so they are computed once per file (on first use, cached in `ctx.scratch`) and
asked for, never recomputed in a matcher:

* `classes`: the file's model classes of the preview session, `response.create` response or message
  content, and the options classes whose fields a framework copies into a session by hand;
* `model_of(expr)`: the model an expression builds or holds: a constructor of such a class (also
  `C.model_validate(...)` / `C.model_construct(...)`), an SDK beta class (`session_update_event.Session`,
  `from openai.types.beta.realtime.session import Session as S`), or a name / `self.attr` annotated,
  assigned or passed as one;
* `steps_of(call)`: the `kwargs["voice"] = v` statements that build the `**kwargs` of a constructor.

Recognition is by shape, not by spelling: a class is a preview session model when two or more of its
annotated fields are keys only the preview session has (`voice` and `temperature` also describe TTS and
chat options) and it has none of the GA keys, or when an event class carries it as the `session` of a `session.update`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from realtime_migrate import traversal
from realtime_migrate.matchers.base import string_value

SCRATCH = "protocol_types"

# Preview session / response keys a model class may declare, and those that only the preview session has
# (`voice` or `temperature` alone also describe a TTS or chat model).
PREVIEW_KEYS = frozenset({"modalities", "voice", "input_audio_format", "output_audio_format",
                          "input_audio_transcription", "input_audio_noise_reduction", "turn_detection",
                          "max_response_output_tokens", "temperature", "speed"})
SPECIFIC_KEYS = frozenset({"modalities", "input_audio_format", "output_audio_format", "input_audio_transcription",
                           "input_audio_noise_reduction", "turn_detection", "max_response_output_tokens"})
GA_KEYS = frozenset({"output_modalities", "audio"})
# Options and settings classes are a framework's own API: their fields keep whatever names the framework
# chose, and the preview shape is made where they are copied into a session (reported there).
OPTIONS_NAME = re.compile(r"(?:Options|Opts|Settings|Params)$")
CONTENT_FIELDS = frozenset({"text", "audio", "transcript"})
CONSTRUCTORS = frozenset({"model_validate", "model_construct", "construct", "parse_obj", "validate"})
# SDK beta classes (module tail, class name) that are a session or response payload.
SDK_BETA = {("session_update_event", "Session"): "session", ("session_update_event_param", "Session"): "session",
            ("session", "Session"): "session", ("session_create_params", "SessionCreateParams"): "session",
            ("response_create_event", "Response"): "response",
            ("response_create_event_param", "Response"): "response"}
BETA_PACKAGE = "openai.types.beta.realtime"
# Names that say "the session / response payload" across files (`events.SessionProperties` in a module that
# imports the model from its sibling): used only for names the file does not define itself.
SESSION_NAME = re.compile(r"^(?:\w*SessionProperties|\w*SessionUpdateData|SessionUpdateEventSession)$")
RESPONSE_NAME = re.compile(r"^(?:\w*ResponseProperties|\w*ResponseCreateData|ResponseCreateEventResponse)$")


@dataclass
class ModelClass:
    name: str
    node: cst.ClassDef
    fields: dict[str, cst.AnnAssign]
    kind: str  # "session" | "response" | "options" | "content"
    sent: bool = False  # carried as the `session` of a client event class (or not linked to a server one)


@dataclass
class Step:
    """`kwargs["voice"] = v` in the function that then calls `C(**kwargs)`."""

    key: str
    node: cst.CSTNode  # the subscript target
    statement: cst.CSTNode


@dataclass
class ProtocolTypes:
    classes: dict[str, ModelClass] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name → dotted origin
    held: dict[str, str] = field(default_factory=dict)  # "name" / "self.attr" → "session" | "response"
    steps: dict[int, list[Step]] = field(default_factory=dict)  # id(call) → steps building its **kwargs
    constructions: list[tuple[cst.Call, str]] = field(default_factory=list)  # calls building a payload model
    item_models: set[str] = field(default_factory=set)  # this file's item classes with a preview content model
    # module constants and class attributes (`FORMAT = "pcm16"`, `AudioConfig.FORMAT`) → their value
    constants: dict[str, cst.BaseExpression] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx) -> ProtocolTypes:  # type: ignore[no-untyped-def]
        """The facts of `ctx.module`, computed on the first call of any matcher of this file."""
        found = ctx.scratch.get(SCRATCH)
        if found is None:
            found = ctx.scratch[SCRATCH] = _build(ctx.module)
        return found  # type: ignore[no-any-return]

    def class_kind(self, func: cst.BaseExpression) -> str | None:
        """"session" / "response" when `func` names a preview payload class (this file's, the SDK's beta one,
        or one of the conventional names of a sibling module)."""
        chain = _chain(func)
        if not chain:
            return None
        local = self.classes.get(chain[-1]) if len(chain) == 1 or chain[0] != "self" else None
        if local is not None:
            return local.kind if local.kind in ("session", "response") else None
        origin = self.imports.get(chain[0])
        if origin is not None:
            dotted = ".".join([origin, *chain[1:]])
            if dotted.startswith(BETA_PACKAGE):
                parts = dotted.split(".")
                return SDK_BETA.get((parts[-2], parts[-1])) if len(parts) >= 2 else None
        if chain[-1] in self.classes:
            return None  # this file's class that is not a payload
        if SESSION_NAME.match(chain[-1]):
            return "session"
        if RESPONSE_NAME.match(chain[-1]):
            return "response"
        return None

    def item_class(self, expr: cst.BaseExpression) -> bool:
        """A conversation item class whose content may be an assistant's: the SDK's beta `ConversationItem`, or
        this file's item model carrying a content model of kind "content"."""
        chain = _chain(expr)
        if not chain:
            return False
        origin = self.imports.get(chain[0])
        if origin is not None and ".".join([origin, *chain[1:]]).startswith(BETA_PACKAGE):
            return chain[-1] == "ConversationItem"
        return chain[-1] in self.item_models

    def built(self, call: cst.Call) -> str | None:
        """The payload kind a call builds: `C(...)` or `C.model_validate(...)` / `C.model_construct(...)`."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in CONSTRUCTORS:
            return self.class_kind(func.value)
        return self.class_kind(func)

    def constant(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """The literal a module constant or a class attribute (`AudioConfig.FORMAT`, an enum member) holds."""
        chain = _chain(expr)
        return self.constants.get(".".join(chain)) if 1 <= len(chain) <= 2 else None

    def held_by(self, expr: cst.BaseExpression) -> str | None:
        """The payload kind a name or `self.attr` holds (annotated, assigned or passed as one)."""
        key = _holder(expr)
        return self.held.get(key) if key else None


def _chain(node: cst.BaseExpression) -> list[str]:
    out: list[str] = []
    while isinstance(node, cst.Attribute):
        out.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        out.append(node.value)
        return out[::-1]
    return []


def _holder(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return "self." + node.attr.value
    return None


def _annotation_names(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The class expressions inside an annotation: `C`, `m.C`, `Optional[C]`, `C | None`, `"C"`."""
    if isinstance(node, cst.Subscript):
        out: list[cst.BaseExpression] = []
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                out += _annotation_names(el.slice.value)
        return out
    if isinstance(node, cst.BinaryOperation):
        return _annotation_names(node.left) + _annotation_names(node.right)
    if isinstance(node, cst.SimpleString):
        text = string_value(node)
        if text and re.fullmatch(r"[\w.]+", text):
            try:
                return [cst.parse_expression(text)]
            except cst.ParserSyntaxError:
                return []
    if isinstance(node, (cst.Name, cst.Attribute)):
        return [node]
    return []


def _literals(node: cst.BaseExpression | None) -> set[str]:
    """String values of every `Literal[...]` in an annotation."""
    out: set[str] = set()
    if node is None:
        return out

    class _Find(cst.CSTVisitor):
        def visit_Subscript(self, sub: cst.Subscript) -> None:
            if _chain(sub.value)[-1:] == ["Literal"]:
                for el in sub.slice:
                    if isinstance(el.slice, cst.Index):
                        value = string_value(el.slice.value)
                        if value is not None:
                            out.add(value)

    traversal.visit(node, _Find())
    return out


def _fields(node: cst.ClassDef) -> dict[str, cst.AnnAssign]:
    fields: dict[str, cst.AnnAssign] = {}
    for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.setdefault(small.target.value, small)
    return fields


class _Collect:
    """One pass over the tree's nodes (`traversal.descendants`: no visitor callbacks, no rebuilding), picking
    the few node types the facts come from; a third of a candidate's analysis time went to a full visitor."""

    def __init__(self, types: ProtocolTypes, module: cst.Module) -> None:
        self.types = types
        self.all_classes: dict[str, tuple[cst.ClassDef, dict[str, cst.AnnAssign]]] = {}
        self.annotated: list[tuple[str, cst.BaseExpression]] = []  # holder → annotation
        self.assigned: list[tuple[str, cst.Call]] = []  # holder → constructor call
        self.functions: list[cst.FunctionDef] = []
        self.all_calls: list[cst.Call] = []
        handlers = {cst.Import: self._import, cst.ImportFrom: self._import_from, cst.ClassDef: self._class,
                    cst.FunctionDef: self._function, cst.AnnAssign: self._ann_assign, cst.Assign: self._assign,
                    cst.Call: self._call}
        get = handlers.get
        for node in traversal.descendants(module):
            handler = get(type(node))  # type: ignore[call-overload]
            if handler is not None:
                handler(node)

    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) \
                else dotted.split(".")[0]
            self.types.imports[local] = dotted if alias.asname else local

    def _import_from(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        for alias in node.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.types.imports[local] = f"{module}.{name}"

    def _class(self, node: cst.ClassDef) -> None:
        self.all_classes[node.name.value] = (node, _fields(node))

    def _function(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)
        for param in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            if param.annotation is not None:
                self.annotated.append((param.name.value, param.annotation.annotation))

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        holder = _holder(node.target)
        if holder is not None:
            self.annotated.append((holder, node.annotation.annotation))
            if isinstance(node.value, cst.Call):
                self.assigned.append((holder, node.value))

    def _assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            holder = _holder(target.target)
            if holder is not None and isinstance(node.value, cst.Call):
                self.assigned.append((holder, node.value))

    def _call(self, node: cst.Call) -> None:
        if node.args:
            self.all_calls.append(node)

    def steps(self, calls: list[cst.Call]) -> None:
        """`kwargs["voice"] = v` statements in the function that then builds a payload with `C(**kwargs)`."""
        wanted = {id(c): c for c in calls}
        for fn in self.functions:
            inner = list(traversal.descendants(fn.body))
            here = [n for n in inner if id(n) in wanted]
            if not here:
                continue
            sets: list[tuple[str, str, cst.Subscript, cst.Assign]] = []
            for n in inner:
                if isinstance(n, cst.Assign):
                    for target in n.targets:
                        sub = target.target
                        if isinstance(sub, cst.Subscript) and isinstance(sub.value, cst.Name) \
                                and len(sub.slice) == 1 and isinstance(sub.slice[0].slice, cst.Index):
                            key = string_value(sub.slice[0].slice.value)
                            if key is not None:
                                sets.append((sub.value.value, key, sub, n))
            for call in here:
                for arg in call.args:
                    if arg.star == "**" and isinstance(arg.value, cst.Name):
                        found = [Step(key, t, stmt) for name, key, t, stmt in sets if name == arg.value.value]
                        if found:
                            self.types.steps[id(call)] = found


def _dotted(node: cst.BaseExpression) -> str:
    return ".".join(_chain(node)) if isinstance(node, (cst.Name, cst.Attribute)) else ""


def _event_links(classes: dict[str, tuple[cst.ClassDef, dict[str, cst.AnnAssign]]]) -> dict[str, set[str]]:
    """class name → the sides ("client" / "server") of the events that carry it as their `session` /
    `response`, read from each event class's `type: Literal["..."]` (or its name: `SessionUpdate...`)."""
    links: dict[str, set[str]] = {}
    for name, (_, fields) in classes.items():
        type_field = fields.get("type")
        events = _literals(type_field.annotation.annotation) if type_field is not None else set()
        if type_field is not None and type_field.value is not None and string_value(type_field.value):
            events.add(string_value(type_field.value))  # type: ignore[arg-type]
        client = {"session.update", "response.create", "transcription_session.update"} & events or \
            re.search(r"SessionUpdate(?!d)|ResponseCreate(?!d)", name)
        server = bool(events & {"session.created", "session.updated", "response.created", "response.done"})
        for key in ("session", "response"):
            ann = fields.get(key)
            if ann is None:
                continue
            for expr in _annotation_names(ann.annotation.annotation):
                chain = _chain(expr)
                if chain:
                    links.setdefault(chain[-1], set()).update(
                        {"client"} if client else {"server"} if server else set())
    return links


def _constants(body: tuple[cst.BaseStatement, ...] | list[cst.BaseStatement], prefix: str,
               out: dict[str, cst.BaseExpression]) -> None:
    """Names bound once to a string or list literal in `body` (a module, or a class one level down)."""
    seen: dict[str, int] = {}
    for stmt in body:
        if isinstance(stmt, cst.ClassDef) and not prefix and isinstance(stmt.body, cst.IndentedBlock):
            _constants(stmt.body.body, stmt.name.value + ".", out)
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            target = value = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            if isinstance(target, cst.Name) and value is not None:
                key = prefix + target.value
                seen[key] = seen.get(key, 0) + 1
                if isinstance(value, (cst.SimpleString, cst.List, cst.Tuple)) and seen[key] == 1:
                    out[key] = value
                else:
                    out.pop(key, None)


def _build(module: cst.Module) -> ProtocolTypes:
    types = ProtocolTypes()
    _constants(module.body, "", types.constants)
    collect = _Collect(types, module)
    links = _event_links(collect.all_classes)
    for name, (node, fields) in collect.all_classes.items():
        keys = fields.keys()
        preview = keys & PREVIEW_KEYS
        linked = links.get(name, set())
        if keys & GA_KEYS:
            continue
        if len(preview & SPECIFIC_KEYS) >= 2 or linked and preview:
            if OPTIONS_NAME.search(name) and not linked:
                kind = "options"
            else:
                kind = "response" if "Response" in name and "Session" not in name else "session"
            types.classes[name] = ModelClass(name, node, fields, kind, sent="client" in linked or not linked)
    # Content models: `type` pinned to "text" / "audio" and a content field, carried in the `content` of an
    # item class that an assistant message may be (its `role` allows "assistant", or the class says so).
    for name, (_, fields) in collect.all_classes.items():
        content = fields.get("content")
        if content is None:
            continue
        role = fields.get("role")
        roles = _literals(role.annotation.annotation) if role is not None else set()
        if not ("assistant" in roles or "Assistant" in name or (role is not None and not roles)):
            continue
        for expr in _annotation_names(content.annotation.annotation):
            chain = _chain(expr)
            target = collect.all_classes.get(chain[-1]) if chain else None
            if target is None:
                continue
            cnode, cfields = target
            type_field = cfields.get("type")
            values = _literals(type_field.annotation.annotation) if type_field is not None else set()
            if values & {"text", "audio"} and not values & {"output_text", "output_audio"} \
                    and cfields.keys() & CONTENT_FIELDS:
                types.classes.setdefault(chain[-1], ModelClass(chain[-1], cnode, cfields, "content"))
                types.item_models.add(name)
    for holder, annotation in collect.annotated:
        for expr in _annotation_names(annotation):
            kind = types.class_kind(expr) or ("item" if types.item_class(expr) else None)
            if kind is not None:
                types.held[holder] = kind
    for holder, call in collect.assigned:
        kind = types.built(call)
        if kind is not None:
            types.held.setdefault(holder, kind)
    for call in collect.all_calls:
        kind = types.built(call)
        if kind is not None:
            types.constructions.append((call, kind))
    spread = [c for c, _ in types.constructions if any(a.star == "**" for a in c.args)]
    if spread:
        collect.steps(spread)
    return types

"""The analysis behind RTM010-RTM014: from the payloads the matcher collected to findings and edits.

Run once per file (see `session_payload`); every `Issue` carries the code of the rule it belongs to.
"""

from __future__ import annotations

import dataclasses
import json
import re

import libcst as cst

from realtime_migrate.matchers import ga_session as ga
from realtime_migrate.matchers.base import Matcher, requote, string_value
from realtime_migrate.matchers.payload_model import (
    CODES,
    EVENT_PAYLOAD,
    FOREIGN,
    TRANSCRIPTION_FLOW,
    TRANSLATION_FLOW,
    Binding,
    Deferred,
    Issue,
    Mutation,
    Payload,
    Scope,
    dict_get,
    ga_form_of,
    keys_of,
    message_of,
    mutations_of,
    quote_of,
    render_code,
    resolve,
    type_value,
)
from realtime_migrate.matchers.protocol_types import ModelClass, ProtocolTypes
from realtime_migrate.model import Edit, Severity
from realtime_migrate.suppress import Suppressions


class Analysis:
    def __init__(self, m: Matcher) -> None:
        self.m = m
        self.issues: list[Issue] = []
        self.flow = TRANSCRIPTION_FLOW.search(m.ctx.text) is not None
        self.translation_flow = TRANSLATION_FLOW.search(m.ctx.text) is not None
        # A file that opens a transcription connection *and* a model (speech-to-speech) one.
        self.mixed_flow = self.flow and re.search(r"[?&]model=", m.ctx.text) is not None
        foreign = FOREIGN.search(m.ctx.text)
        self.foreign = foreign.group(0) if foreign else None
        # id(dict or list literal) → the other uses of the name it is bound to (a spread into another
        # call, a read by key, an argument elsewhere): a reshape of it may break those, so it is unsafe.
        self.shared: dict[int, list[cst.Name]] = {}
        self.suppressions: Suppressions | None = None
        self.constructed: set[int] = set()  # id(call) of model constructors reported as an event's payload
        # loads of names that are payload references (`"session": SESSION`, `{**BASE}`, `for item in ITEMS`)
        self.references: set[int] = set()
        for p in getattr(m, "payloads", ()):
            value = p.value
            if isinstance(value, cst.Name):
                self.references.add(id(value))
            elif isinstance(value, cst.Dict):
                self.references.update(id(el.value) for el in value.elements
                                       if isinstance(el, cst.StarredDictElement) and isinstance(el.value, cst.Name))

    def other_uses(self, scope: Scope, name: str, reference: cst.CSTNode | None) -> list[cst.Name]:
        """Loads of `name` (bound in `scope`) that are neither payload references nor followed mutations."""
        accounted = set(self.references)
        if reference is not None:
            accounted.add(id(reference))
        for mu in mutations_of(scope, name, ()):
            base = mu.subscripts[0].value if mu.subscripts else (mu.call.func.value if mu.call is not None
                                                                  and isinstance(mu.call.func, cst.Attribute)
                                                                  else None)
            if base is not None:
                accounted.add(id(base))
        out = []
        for s, node in getattr(self.m, "name_uses", {}).get(name, ()):
            if id(node) in accounted:
                continue
            if _bound_in(s, name) is scope:
                out.append(node)
        return out

    def mark_shared(self, literal: cst.CSTNode, uses: list[cst.Name]) -> None:
        if uses:
            self.shared.setdefault(id(literal), []).extend(uses)

    def run(self) -> list[Issue]:
        m = self.m
        for p in getattr(m, "payloads", ()):
            self.payload(p)
        for node in getattr(m, "json_strings", ()):
            self.json_payload(node)
        if getattr(m, "root", None) is not None:
            self.proxies(m.root)
        self.model_classes()
        self.constructions()
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

    def left(self, part: str, change: ga.FieldChange, node: cst.CSTNode) -> None:
        """A field the reshape could not rewrite. When its value is a constant of this file (`AudioConfig.FORMAT`,
        `VOICE`) holding a preview value, the constant is reported where it is defined too: both ends change."""
        self.add(part, change.element or node, message_of(change), ga_form=ga_form_of(change))
        value = change.element.value if isinstance(change.element, cst.DictElement) else None
        literal = ProtocolTypes.of(self.m.ctx).constant(value) if isinstance(value, (cst.Name, cst.Attribute)) \
            else None
        if literal is None:
            return
        written = self.m.ctx.module.code_for_node(value)  # type: ignore[arg-type]
        if change.key in ga.FORMAT_KEYS and string_value(literal) in ga.AUDIO_FORMATS:
            self.add(part, literal, f"`{written}` holds the preview format name `{string_value(literal)}`, sent as "
                     f"`{change.key}`: GA takes a format object at `{change.ga_path}`",
                     ga_form=ga.format_literal_code(literal))
        elif change.key == "modalities" and isinstance(literal, (cst.List, cst.Tuple)):
            self.add(part, literal, f"`{written}` holds the preview `modalities` value, sent as `modalities`: GA "
                     'asks for `output_modalities`, `["audio"]` or `["text"]`', ga_form='["audio"]')

    def render(self, old: cst.CSTNode, new: cst.CSTNode, indent: tuple[str, ...]) -> Edit | None:
        """Replace `old` with `new` rendered in its block (None when positions do not line up)."""
        m = self.m
        start, end = m.span(old)
        if m.ctx.text[start:end] != render_code(old, indent, m.ctx.module):
            return None
        return m.make_edit(start, end, render_code(new, indent, m.ctx.module))

    # -- payloads -----------------------------------------------------------------------
    def payload(self, p: Payload) -> None:
        value = p.value
        binding_scope = p.scope
        name = None
        indent = p.indent
        if isinstance(value, Deferred):
            # event = {"type": ...}; event["session"] = {...} / event["session"]["voice"] = ...
            sets = [mu for mu in mutations_of(p.scope, value.var, (value.key,)) if len(mu.path) == 1
                    and mu.kind == "set"]
            if len(sets) != 1 or sets[0].value is None:
                if p.event == "transcription_session.update":
                    self.transcription_unfollowable(p)
                return
            value, indent = sets[0].value, sets[0].indent
            p = dataclasses.replace(p, value=value)
        bindings: list[Binding] | None = None
        if isinstance(value, cst.Name):
            found = resolve(p.scope, value.value)
            if found is None:
                self.unfollowable(p, value)
                return
            binding_scope, bindings = found
            name = value.value
            if name in binding_scope.assigns:
                uses = self.other_uses(binding_scope, name, value)
                for binding in bindings:
                    self.mark_shared(binding.value, uses)
            else:  # `for item in ITEMS`: ITEMS used elsewhere too
                for it in binding_scope.loops.get(name, ()):
                    if isinstance(it.value, cst.Name):
                        where = _bound_in(binding_scope, it.value.value)
                        uses = self.other_uses(where, it.value.value, it.value) if where is not None else []
                        for binding in bindings:
                            self.mark_shared(binding.value, uses)
        elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
            # `self.SESSION` / `Agent.SESSION`: a class attribute bound once, in one class, to a dict literal
            bindings = self.m.class_attrs.get(value.attr.value)
            if not bindings or len(bindings) != 1 or not isinstance(bindings[0].value, cst.Dict):
                self.unfollowable(p, value)
                return
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.m.functions:
            self.built_by_function(p, value.func.value)
            return
        if bindings is not None:
            for binding in bindings:
                self.literal(dataclasses.replace(p, value=binding.value), binding_scope, name, binding.indent)
            return
        self.literal(p, binding_scope, name, indent)

    def built_by_function(self, p: Payload, function: str) -> None:
        """`"session": build_session(...)` with `def build_session` in this module: follow what it returns
        (a dict literal, or a name bound to one in it), so the payload built there gets fixed there."""
        scopes = self.m.functions[function]
        if len(scopes) != 1 or not scopes[0].returns:
            self.unfollowable(p, p.value)
            return
        scope = scopes[0]
        for ret in scope.returns:
            if isinstance(ret.value, cst.Dict):
                self.literal(dataclasses.replace(p, value=ret.value, scope=scope, event_var=None), scope, None,
                             ret.indent)
            elif isinstance(ret.value, cst.Name) and ret.value.value in scope.assigns:
                self.payload(dataclasses.replace(p, value=ret.value, scope=scope, event_var=None))
            else:
                self.unfollowable(p, p.value)

    def literal(self, p: Payload, binding_scope: Scope, name: str | None, indent: tuple[str, ...]) -> None:
        value = p.value
        extra: list[Mutation] = []
        if p.event_var is not None:
            extra = [mu for mu in mutations_of(p.scope, p.event_var, (EVENT_PAYLOAD[p.event],))
                     if len(mu.path) > 1 or mu.kind == "update"]  # `event["session"].update({...})` too
            extra = [dataclasses.replace(mu, path=mu.path[1:], subscripts=mu.subscripts[1:]) for mu in extra]
        muts = (mutations_of(binding_scope, name, ()) if name else []) + extra
        muts = [mu for mu in muts if mu.path or mu.kind == "update"]
        if isinstance(value, cst.Call) and _model_like(value):
            self.constructor(p, value)
            return
        if not isinstance(value, cst.Dict):
            if not (isinstance(value, cst.Call) and ProtocolTypes.of(self.m.ctx).built(value)):
                self.unfollowable(p, value)  # a preview model object is reported field by field instead
            return
        if p.event in ("session.update", "client_secrets"):
            self.session(p, value, indent, muts)
        elif p.event == "transcription_session.update":
            self.transcription(p, value, indent, muts)
        elif p.event == "response.create":
            self.response(p, value, indent, muts)
        else:
            self.item(value, "conversation.item.create", indent)

    def unfollowable(self, p: Payload, value: cst.CSTNode) -> None:
        if p.event == "transcription_session.update":
            self.transcription_unfollowable(p)
            return
        if p.event in ("session.update", "client_secrets"):
            self.add("type", value, "Cannot follow this session payload: in GA it needs `\"type\": \"realtime\"` "
                     "(or `\"transcription\"`) and the GA field paths (`audio.input.*`, `audio.output.*`, "
                     "`output_modalities`, `max_output_tokens`, no `temperature`)", severity=Severity.INFO,
                     ga_form='{"type": "realtime", "audio": {"input": {...}, "output": {...}}, ...}')

    def transcription_unfollowable(self, p: Payload) -> None:
        self.add("transcription", p.anchor, "`transcription_session.update` was removed in GA, and its payload "
                 "cannot be followed here: send `session.update` with `session.type = \"transcription\"` and "
                 "`audio.input.{format,transcription,noise_reduction,turn_detection}`",
                 ga_form='{"type": "session.update", "session": {"type": "transcription", "audio": {"input": {...}}}}')

    def constructor(self, p: Payload, call: cst.Call) -> None:
        """`Session(voice=..., modalities=...)`-style payloads (pydantic / TypedDict classes): report only."""
        as_dict = ga.dict_from_kwargs([a for a in call.args if a.keyword is not None])
        if as_dict is None:
            self.unfollowable(p, call)
            return
        by_key = {a.keyword.value: a for a in call.args if a.keyword is not None}
        self.constructed.add(id(call))
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
            self.add(part, arg, message_of(change) + " (a model object: rewrite it by hand)",
                     ga_form=ga_form_of(change))
        if (result.changes or result.left) and p.event in ("session.update", "client_secrets") and "type" not in by_key:
            self.add("type", call, 'Session payload has no `type`: GA requires `type="realtime"` (or "transcription")',
                     ga_form='type="realtime"')

    def model_classes(self) -> None:
        """Classes whose annotated fields are the preview session, response or content shape (pydantic,
        TypedDict, dataclasses, attrs: see `protocol_types`): frameworks serialise them into `session.update`
        / `response.create`, or validate received items with them. Report-only, one finding per field."""
        types = ProtocolTypes.of(self.m.ctx)
        for mc in types.classes.values():
            if mc.kind == "content":
                self.content_class(mc)
            elif mc.kind in ("session", "response"):
                self.payload_class(mc)

    def payload_class(self, mc: ModelClass) -> None:
        response = mc.kind == "response"
        part, moves = ("response", ga.RESPONSE_AUDIO_MOVES) if response else ("session", ga.SESSION_AUDIO_MOVES)
        shape = "`response.create` response" if response else "session"
        for key, ann in mc.fields.items():
            change = _field_change(key, moves)
            if change is None:
                continue
            ga_path, detail = change
            self.add(part, ann.target, f"`{key}` {detail} (a field of the model class `{mc.name}`, "
                     f"which has the preview {shape} shape: change the model by hand)",
                     ga_form=ga_path or "(removed)")
        if not response and mc.sent and "type" not in mc.fields:
            self.add("type", mc.node.name, f"Model class `{mc.name}` has the preview session shape and no `type` "
                     'field: a GA `session.update` needs `type: "realtime"` (or `"transcription"`)',
                     ga_form='type: Literal["realtime"] = "realtime"')

    def content_class(self, mc: ModelClass) -> None:
        """F2: a content model of assistant items that only admits `"text"` / `"audio"` rejects (or
        mis-sorts) the `output_text` / `output_audio` parts that GA assistant items carry."""
        ann = mc.fields["type"]
        self.add("item", ann.target, f"Content model `{mc.name}` pins `type` to the preview `\"text\"` / "
                 f"`\"audio\"`: GA assistant message content is `\"output_text\"` / `\"output_audio\"`, "
                 "which this model rejects (content-part events keep `text` / `audio`: accept both)",
                 ga_form='Literal["output_text", "output_audio", ...]')

    def constructions(self) -> None:
        """`SessionProperties(voice=...)`, `Response(modalities=...)`, `Session.model_construct(**kwargs)`:
        a preview payload class built away from any event (`protocol_types` says which classes)."""
        types = ProtocolTypes.of(self.m.ctx)
        for call, kind in types.constructions:
            if id(call) in self.constructed:
                continue
            self.constructed.add(id(call))
            self.construction(call, kind, types.steps.get(id(call), []))

    def construction(self, call: cst.Call, kind: str, steps: list) -> None:  # type: ignore[type-arg]
        part, moves = ("response", ga.RESPONSE_AUDIO_MOVES) if kind == "response" else \
            ("session", ga.SESSION_AUDIO_MOVES)
        named = [(a.keyword.value, a.keyword) for a in call.args if a.keyword is not None and not a.star]
        if len(call.args) == 1 and isinstance(call.args[0].value, cst.Dict) and not call.args[0].keyword:
            named = [(string_value(el.key), el.key) for el in call.args[0].value.elements  # type: ignore[misc]
                     if isinstance(el, cst.DictElement) and string_value(el.key) is not None]
        named += [(step.key, step.node) for step in steps]
        reported = False
        for key, node in named:
            change = _field_change(key, moves)
            if change is None:
                continue
            ga_path, detail = change
            self.add(part, node, f"`{key}` {detail} (set on a preview {part} model object: rewrite the object "
                     "by hand)", ga_form=ga_path or "(removed)")
            reported = True
        if kind == "session" and not any(k == "type" for k, _ in named) and (reported or _sdk_beta(call)):
            self.add("type", call, 'This preview session object has no `type`: a GA `session.update` needs '
                     '`type="realtime"` (or `"transcription"`)', ga_form='type="realtime"')

    # -- session.update / client_secrets.create -------------------------------------------
    def session(self, p: Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[Mutation],
                partial: bool = False) -> None:
        has_type = any(string_value(k) == "type" for k in keys_of(node)) or any(mu.path == ("type",) for mu in muts)
        spread = any(isinstance(el, cst.StarredDictElement) for el in node.elements)
        kind = "transcription" if type_value(node) == "transcription" else ga.session_kind(node, self.flow)
        if self.is_translation(node):
            return
        for el in node.elements:  # `{**BASE, ...}`: a spread dict literal is part of the session
            if isinstance(el, cst.StarredDictElement) and isinstance(el.value, cst.Name) and not partial:
                found = resolve(p.scope, el.value.value)
                uses = self.other_uses(found[0], el.value.value, el.value) if found else []
                for binding in found[1] if found else ():
                    assert isinstance(binding.value, cst.Dict)
                    self.mark_shared(binding.value, uses)
                    has_type |= type_value(binding.value) is not None
                    self.session(p, binding.value, binding.indent,
                                 [mu for mu in mutations_of(found[0], el.value.value, ()) if mu.path], partial=True)  # type: ignore[index]
        if not has_type and not partial:
            if spread:
                self.add("type", node, "Cannot see whether this session sets `type` (it spreads another dict): "
                         'GA requires `"type": "realtime"` (or `"transcription"`)', severity=Severity.INFO,
                         ga_form='"type": "realtime"')
            else:
                edit = self.render(node, ga.with_type(node, kind), indent)
                ambiguous = (kind == "realtime" and ga.is_ambiguous_kind(node)) or (
                    kind == "transcription" and self.mixed_flow)
                hint = ""
                if ambiguous:
                    hint = (' (it only configures transcription: use "transcription" if this is a transcription-only '
                            'session)' if kind == "realtime" else ' (this file also opens a speech-to-speech '
                            'connection: use "realtime" if this session belongs to it)')
                self.add("type", node, f'Session payload has no `type`: GA requires `"type": "{kind}"`' + hint,
                         edits=(edit,) if edit else (), unsafe=ambiguous, ga_form=f'"type": "{kind}"',
                         fix_title=f'Add `"type": "{kind}"`')
        hoist = "hoist" if p.event == "client_secrets" else "drop"
        result = ga.reshape_session(node, kind=kind, ensure_type=False, client_secret=hoist)  # type: ignore[arg-type]
        self.stale_reads("session", result, node)
        self.report_result("session", result, node, indent, fixable_title="Move the session fields to their GA paths")
        self.mutations("session", muts, kind, node)

    def is_translation(self, node: cst.Dict) -> bool:
        """A GA *translation* session (`/v1/realtime/translations`) also goes through `session.update`,
        and has no `type`: `audio.output.language` proves one; in a translation flow, so does a
        session without any preview key."""
        audio = dict_get(node, "audio")
        output = dict_get(audio, "output") if isinstance(audio, cst.Dict) else None
        if isinstance(output, cst.Dict) and dict_get(output, "language") is not None:
            return True
        if not self.translation_flow:
            return False
        result = ga.reshape_session(node, kind="realtime", ensure_type=False)
        return not result.changes and not result.left

    def harmful_uses(self, result: ga.Reshape, node: cst.Dict) -> list[cst.Name]:
        """The other uses of the dict that the reshape may break: all but reads of keys it keeps."""
        moved = {c.key.split(".")[0] for c in result.changes if c.action not in ("added", "hoist")}
        reads = getattr(self.m, "key_reads", {})
        return [u for u in self.shared.get(id(node), ()) if id(u) not in reads or reads[id(u)][0] in moved]

    def moves_suppressed(self, part: str, result: ga.Reshape) -> bool:
        """A key whose finding is suppressed on its line (`# realtime-migrate: ignore[RTM011]`) would
        still be moved by the shared reshape that another key's finding applies: that fix is unsafe."""
        if self.suppressions is None:
            self.suppressions = Suppressions.parse(self.m.ctx.text)
        directives = [d for d in self.suppressions.directives if not d.file_level and d.covers(CODES[part])]
        if not directives:
            return False
        text = self.m.ctx.text
        for change in result.changes:
            if change.element is None:
                continue
            start, end = self.m.span(change.element)
            lines = range(text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 2)
            if any(d.line in lines for d in directives):
                return True
        return False

    def stale_reads(self, part: str, result: ga.Reshape, node: cst.Dict) -> None:
        """`session["voice"]` after the dict was sent: the reshape moves that key, so the read breaks."""
        moved = {c.key.split(".")[0]: c for c in result.changes if c.action not in ("added", "hoist")}
        reads = getattr(self.m, "key_reads", {})
        for use in self.shared.get(id(node), ()):
            read = reads.get(id(use))
            if read is None or read[0] not in moved:
                continue
            change = moved[read[0]]
            where = f"`{change.ga_path}`" if change.ga_path else "nowhere (it is removed)"
            self.add(part, read[1], f'This reads `"{read[0]}"` of a session payload whose GA reshape moves it to '
                     f"{where}: read the GA path (the reshape of the payload is an unsafe fix)",
                     ga_form=ga_form_of(change))

    def report_result(self, part: str, result: ga.Reshape, node: cst.Dict, indent: tuple[str, ...],
                      fixable_title: str) -> None:
        edit = self.render(node, result.dict, indent) if result.changes else None
        if self.harmful_uses(result, node) or self.moves_suppressed(part, result):
            result = dataclasses.replace(result, unsafe=[*result.unsafe, "shared"])
        applied = [c for c in result.changes if c.action not in ("added", "hoist")]
        for change in applied:
            self.add(part, change.element or node, message_of(change), edits=(edit,) if edit else (),
                     unsafe=bool(result.unsafe), ga_form=ga_form_of(change), fix_title=fixable_title,
                     comment_scope=node)
        for change in result.changes:
            if change.action == "added" and change.element is not None:  # turn_detection.type
                self.add(part, change.element, message_of(change), edits=(edit,) if edit else (),
                         unsafe=bool(result.unsafe), ga_form=ga_form_of(change), fix_title=fixable_title,
                         comment_scope=node)
            if change.action == "hoist":
                self.add(part, change.element or node, "`client_secret` is not a GA session field: its expiry "
                         "becomes the top-level `expires_after` argument of `client_secrets.create`",
                         ga_form="client_secrets.create(expires_after={...}, session={...})")
        for change in result.left:
            self.left(part, change, node)

    # -- transcription_session.update -------------------------------------------------------
    def transcription(self, p: Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[Mutation]) -> None:
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
            self.add("transcription", change.element or node, message_of(change), ga_form=ga_form_of(change))
        self.mutations("transcription", muts, "transcription", node)

    # -- response.create ---------------------------------------------------------------------
    def response(self, p: Payload, node: cst.Dict, indent: tuple[str, ...], muts: list[Mutation]) -> None:
        result = ga.reshape_response(node)
        self.report_result("response", result, node, indent, fixable_title="Move the response fields to their GA paths")
        self.mutations("response", muts, None, node)
        items = dict_get(node, "input")
        if isinstance(items, (cst.List, cst.Tuple)):
            for el in items.elements:
                if isinstance(el, cst.Element):
                    item, item_indent = el.value, indent
                    if isinstance(item, cst.Name):
                        found = resolve(p.scope, item.value)
                        if found and len(found[1]) == 1:
                            item, item_indent = found[1][0].value, found[1][0].indent
                    if isinstance(item, cst.Dict):
                        self.item(item, "response.create", item_indent)

    # -- items ------------------------------------------------------------------------------
    def item(self, node: cst.Dict, where: str, indent: tuple[str, ...]) -> None:
        role = string_value(dict_get(node, "role") or cst.Name("x"))
        content = dict_get(node, "content")
        self.item_shape(node, role, content, indent)
        if not isinstance(content, (cst.List, cst.Tuple)):
            return
        for el in content.elements:
            part = el.value if isinstance(el, cst.Element) else None
            if not isinstance(part, cst.Dict):
                continue
            type_node = dict_get(part, "type")
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
                     unsafe=id(node) in self.shared,
                     fix_title=f'Rename to `"{new}"`')

    # -- proxies: a received event checked by type, then changed ------------------------------
    def proxies(self, scope: Scope) -> None:
        """`if msg["type"] == "session.update": msg["session"]["voice"] = v` (or `s = msg["session"]`;
        `s["voice"] = v`): the payload comes from elsewhere, but the keys this code sets are known,
        and the setdefault form is right whatever the payload holds."""
        by_event: dict[str, list[Mutation]] = {}
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
        payload = dict_get(expr, EVENT_PAYLOAD[event])
        if not isinstance(payload, cst.Dict):
            if event == "transcription_session.update":
                self.add("transcription", node, "`transcription_session.update` was removed in GA: send "
                         '`session.update` with `session.type = "transcription"`')
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]

        def edit_for(new_payload: cst.Dict, rename: bool = False) -> tuple[Edit, ...]:
            swaps: dict[int, cst.CSTNode] = {id(payload): new_payload}
            type_node = dict_get(expr, "type")
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
            notes = [message_of(c) for c in fixed] + [message_of(c) for c in result.left]
            if not notes:
                return
            self.add(part, node, "; ".join(notes) + " (in JSON text)", edits=edits if not result.left else (),
                     unsafe=bool(result.unsafe), ga_form=", ".join(ga_form_of(c) for c in [*fixed, *result.left]),
                     fix_title="Rewrite the JSON payload to the GA shape")

        if event == "session.update" and self.is_translation(payload):
            return
        if event == "session.update":
            kind = "transcription" if type_value(payload) == "transcription" else ga.session_kind(payload, self.flow)
            if type_value(payload) is None:
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
                el.value for el in getattr(dict_get(payload, "input"), "elements", ()) if isinstance(el, cst.Element)]
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

    def item_shape(self, node: cst.Dict, role: str | None, content: cst.BaseExpression | None,
                   indent: tuple[str, ...]) -> None:
        """F1: GA items are a union discriminated by `type` (and `role`), with Required keys."""
        if any(isinstance(el, cst.StarredDictElement) for el in node.elements):
            return
        keys = {string_value(k) for k in keys_of(node)}
        item_type = type_value(node)
        if "type" not in keys and role in ("user", "assistant", "system"):
            edit = self.render(node, ga.with_type(node, "message"), indent)  # type: ignore[arg-type]
            article = "An" if role == "assistant" else "A"
            self.add("item", node, f'{article} {role} message item needs `"type": "message"` in GA',
                     edits=(edit,) if edit else (), ga_form='"type": "message"', fix_title='Add `"type": "message"`')
            item_type = "message"
        required = {"message": ("role", "content"), "function_call_output": ("call_id", "output"),
                    "function_call": ("name", "arguments")}.get(item_type or "", ())
        missing = [k for k in required if k not in keys]
        if missing:
            self.add("item", node, f"A `{item_type}` item needs {', '.join(f'`{k}`' for k in missing)} in GA",
                     ga_form=", ".join(missing))

    # -- payloads changed in steps -----------------------------------------------------------
    def mutations(self, part: str, muts: list[Mutation], kind: str | None, literal: cst.Dict) -> None:
        if part == "response":
            moves = ga.RESPONSE_AUDIO_MOVES
        else:
            moves = ga.TRANSCRIPTION_AUDIO_MOVES if kind == "transcription" else ga.SESSION_AUDIO_MOVES
        audio_writers = sum(1 for k in keys_of(literal) if string_value(k) in ("audio", *moves)) + sum(
            1 for mu in muts if mu.path and mu.path[0] in ("audio", *moves))
        for mu in muts:
            if mu.kind == "update":
                self.update_call(part, mu, kind, audio_writers)
                continue
            key = mu.path[0]
            sub = mu.subscripts[0]
            quote = quote_of(sub)
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

    def remove_statement(self, part: str, mu: Mutation, message: str) -> None:
        m = self.m
        if len(mu.stmt.body) != 1:
            self.add(part, mu.small, message)
            return
        r = m.range_of(mu.stmt)
        if m.ctx.line_text(r.start.line)[: r.start.column].strip():
            self.add(part, mu.small, message)
            return
        start, end = m.ctx.lines_span(r.start.line, r.end.line)
        content = ""
        if mu.block_len == 1:
            line = m.ctx.text[start:end]
            content = line[: r.start.column] + "pass" + line[len(line.rstrip("\r\n")):]
        self.add(part, mu.small, message, edits=(m.make_edit(start, end, content),), fix_title="Remove the statement",
                 ga_form="(removed)", comment_scope=mu.stmt.with_changes(leading_lines=()))

    def update_call(self, part: str, mu: Mutation, kind: str | None, audio_writers: int) -> None:
        if len(mu.path) > 0 or not isinstance(mu.value, cst.Dict):
            return
        if part == "response":
            result = ga.reshape_response(mu.value)
        else:
            result = ga.reshape_session(mu.value, kind=kind or "realtime", ensure_type=False)  # type: ignore[arg-type]
        creates_audio = any(c.ga_path.startswith("audio.") for c in result.changes) and not any(
            string_value(k) == "audio" for k in keys_of(mu.value))
        if creates_audio and self.split_update(part, mu, result):
            return
        if creates_audio and audio_writers > 1:
            result.unsafe.append("`.update()` replaces the whole `audio` dict set elsewhere")
        self.report_result(part, result, mu.value, mu.indent, fixable_title="Move the fields to their GA paths")

    def split_update(self, part: str, mu: Mutation, result: ga.Reshape) -> bool:
        """`x.update({"voice": v, "instructions": i})` → `x.update({"instructions": i})` and
        `x.setdefault("audio", {}).setdefault("output", {}).update({"voice": v})`: a shallow update
        with a new `audio` dict would replace the `audio` set elsewhere; these lines merge like the
        preview's flat keys did. Only for a statement alone on its lines (False: not done)."""
        m = self.m
        assert mu.call is not None and isinstance(mu.value, cst.Dict) and isinstance(mu.call.func, cst.Attribute)
        r = m.range_of(mu.stmt)
        if len(mu.stmt.body) != 1 or m.ctx.line_text(r.start.line)[: r.start.column].strip() \
                or comments_in_node(mu.stmt.with_changes(leading_lines=())):
            return False
        audio = next((el for el in result.dict.elements if isinstance(el, cst.DictElement)
                      and string_value(el.key) == "audio"), None)
        if audio is None or not isinstance(audio.value, cst.Dict):
            return False
        quote = audio.key.quote if isinstance(audio.key, cst.SimpleString) else '"'  # type: ignore[union-attr]
        base = m.ctx.module.code_for_node(mu.call.func.value)
        rest = [el for el in result.dict.elements if el is not audio]
        lines = []
        if rest:
            rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            lines.append(f"{base}.update({_one_line(result.dict.with_changes(elements=rest))})")
        for sub in audio.value.elements:
            if isinstance(sub, cst.DictElement) and isinstance(sub.value, cst.Dict):
                lines.append(f"{base}.setdefault({quote}audio{quote}, {{}}).setdefault("
                             f"{m.ctx.module.code_for_node(sub.key)}, {{}}).update({_one_line(sub.value)})")
        indent = m.ctx.line_text(r.start.line)[: r.start.column]
        start, end = m.ctx.lines_span(r.start.line, r.end.line)
        newline = m.ctx.text[start:end][len(m.ctx.text[start:end].rstrip("\r\n")):] or "\n"
        edit = m.make_edit(start, end, "".join(f"{indent}{line}{newline}" for line in lines))
        for change in result.changes:
            if change.action == "hoist" or (change.action == "added" and change.element is None):
                continue
            self.add(part, change.element or mu.value, message_of(change), edits=(edit,),
                     unsafe=bool(result.unsafe), ga_form=ga_form_of(change),
                     fix_title="Merge the fields into their GA paths", comment_scope=mu.stmt)
        for change in result.left:
            self.add(part, change.element or mu.value, message_of(change), ga_form=ga_form_of(change))
        return True


def _bound_in(scope: Scope, name: str) -> Scope | None:
    """The scope whose binding of `name` is visible from `scope` (None: a parameter or unbound)."""
    s: Scope | None = scope
    while s is not None:
        if name in s.params:
            return None
        if name in s.assigns or name in s.loops:
            return s
        s = s.parent
    return None


def _one_line(node: cst.Dict) -> str:
    """A dict literal's code on one line (a statement of its own is built around it)."""
    flat = node.visit(_Flatten())
    return cst.Module([]).code_for_node(flat)


class _Flatten(cst.CSTTransformer):
    def leave_ParenthesizedWhitespace(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        return cst.SimpleWhitespace("")

    def leave_Comma(self, original_node: cst.Comma, updated_node: cst.Comma) -> cst.Comma:
        return updated_node.with_changes(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace(" "))


def comments_in_node(node: cst.CSTNode) -> bool:
    found: list[str] = []

    class _Comments(cst.CSTVisitor):
        def visit_Comment(self, n: cst.Comment) -> None:
            found.append(n.value)

    node.visit(_Comments())
    return bool(found)


def _field_change(key: str, moves: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(GA path, what changed) for a preview field of a model class or object; None for a field GA keeps."""
    if key in moves:
        sub, ga_key = moves[key]
        return f"audio.{sub}.{ga_key}", f"moved to `audio.{sub}.{ga_key}` in GA" + (
            " and takes a format object" if key in ga.FORMAT_KEYS else "")
    if key == "modalities":
        return "output_modalities", ('is `output_modalities` in GA, and cannot ask for both text and audio '
                                     '(`["audio"]` or `["text"]`)')
    if key == "max_response_output_tokens":
        return "max_output_tokens", "is `max_output_tokens` in GA"
    if key == "temperature":
        return "", "was removed in GA: the server rejects it"
    return None


def _sdk_beta(call: cst.Call) -> bool:
    """`session_update_event.Session.model_construct(...)`: the SDK's beta session (type-less by design)."""
    func = call.func
    name = func.value if isinstance(func, cst.Attribute) and func.attr.value in ("model_construct", "construct") \
        else func
    return isinstance(name, cst.Attribute) and name.attr.value == "Session"


def _model_like(call: cst.Call) -> bool:
    """`Session(...)`, `types.SessionUpdateEvent(...)`, `dict(...)`: a class building the payload from
    keyword arguments (a lower-case function call builds it some other way)."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name == "dict" or name[:1].isupper()


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
        role = dict_get(node, "role")
        self.roles.append(string_value(role) if role is not None else (self.roles[-1] if self.roles else None))
        return True

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.Dict:
        self.roles.pop()
        role = self.roles[-1] if self.roles else None
        type_node = dict_get(updated_node, "type")
        ctype = string_value(type_node) if type_node is not None else None
        new = {"assistant": {"text": "output_text", "audio": "output_audio"}, "user": {"text": "input_text"},
               "system": {"text": "input_text"}}.get(role or "", {}).get(ctype or "")
        if new is None or dict_get(updated_node, "role") is not None:
            return updated_node
        self.count += 1
        return updated_node.with_changes(elements=[
            el.with_changes(value=cst.SimpleString(requote(el.value, new))) if isinstance(el, cst.DictElement)
            and string_value(el.key) == "type" and isinstance(el.value, cst.SimpleString) else el
            for el in updated_node.elements])

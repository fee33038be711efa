"""Pure reshaping of preview (beta) session / response dict literals into their GA shape.

Shared by the payload rules (RTM010-RTM014) and the SDK-surface rules (the `sessions.create`
→ `client_secrets.create` rewrite), so it takes and returns libcst nodes and needs no metadata:

    result = reshape_session(dict_node, kind="realtime")       # or "transcription"
    result = reshape_response(dict_node)                        # response.create's `response`
    result.dict      # the GA-shaped cst.Dict (the input itself when nothing changed)
    result.changes   # what was moved / renamed / removed / added (each with the original element)
    result.left      # beta keys that could not be rewritten safely; still in the dict, to report
    result.unsafe    # reasons the rewrite may change behaviour (the fix must then be unsafe)

Layout is kept: kept elements keep their own whitespace, commas and comments; a multi-line dict
gets multi-line nested `audio` dicts indented one step deeper (the step is read from the dict);
a one-line dict stays on one line. Whitespace is block-relative (libcst's `indent=True`), so a
caller must render the result in the context of the enclosing block (see `session_payload.render`).
An existing `audio` dict literal is merged into instead of getting a second one.

Signature stability: `reshape_session(node, *, kind=None, ensure_type=True, client_secret="drop")`,
`reshape_response(node)`, `session_kind(node, transcription_flow=False)`, `dict_from_kwargs(args)`,
and the fields of `Reshape` / `FieldChange` are a contract with other rule authors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

# The move tables are shared with the JavaScript matchers (realtime_migrate/ga_tables.py); imported here
# under their old names, which the matchers and tests use as `ga_session.SESSION_AUDIO_MOVES`.
from realtime_migrate.ga_tables import (  # noqa: F401
    AUDIO_FORMATS,
    FORMAT_KEYS,
    GA_FORMAT_TYPES,
    RESPONSE_AUDIO_MOVES,
    SESSION_AUDIO_MOVES,
    TRANSCRIPTION_AUDIO_MOVES,
)
from realtime_migrate.matchers.base import string_value

Kind = Literal["realtime", "transcription"]
Action = Literal["added", "renamed", "moved", "reshaped", "removed", "hoist", "left"]


# Keys only a speech-to-speech session has (beta or GA): their presence proves `type: "realtime"`.
REALTIME_ONLY_KEYS = frozenset({
    "voice", "speed", "output_audio_format", "modalities", "output_modalities", "instructions", "tools",
    "tool_choice", "temperature", "max_response_output_tokens", "max_output_tokens", "tracing", "model",
    "prompt", "reasoning", "parallel_tool_calls", "truncation",
})
TOOL_CHOICE_MODES = frozenset({"auto", "none", "required"})
SERVER_VAD_ONLY = frozenset({"threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"})
SEMANTIC_VAD_ONLY = frozenset({"eagerness"})
_CLIENT_SECRET_GONE = ("is not a GA session field (an ephemeral key's expiry is "
                       "`client_secrets.create(expires_after=...)`)")


@dataclass(frozen=True)
class FieldChange:
    """One beta field and what happened to it. `element` is the original node (for positions)."""

    key: str
    ga_path: str  # relative to the payload (`audio.output.voice`); "" when the field is gone in GA
    action: Action
    element: cst.CSTNode | None
    detail: str = ""


@dataclass
class Reshape:
    dict: cst.Dict
    changes: list[FieldChange] = field(default_factory=list)
    left: list[FieldChange] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# -- layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    multiline: bool
    indent: bool  # ParenthesizedWhitespace.indent of the dict's lines
    elem: str  # indentation of an element line (multi-line) or the space after a comma
    close: str  # indentation of the closing brace line (multi-line)
    unit: str  # one indentation step
    trailing: bool  # multi-line dicts end with a trailing comma
    colon_before: cst.BaseParenthesizableWhitespace
    colon_after: cst.BaseParenthesizableWhitespace
    quote: str

    def elem_ws(self) -> cst.BaseParenthesizableWhitespace:
        if self.multiline:
            return cst.ParenthesizedWhitespace(indent=self.indent, last_line=cst.SimpleWhitespace(self.elem))
        return cst.SimpleWhitespace(self.elem)

    def close_ws(self) -> cst.BaseParenthesizableWhitespace:
        if self.multiline:
            return cst.ParenthesizedWhitespace(indent=self.indent, last_line=cst.SimpleWhitespace(self.close))
        return cst.SimpleWhitespace("")

    def child(self) -> _Layout:
        if not self.multiline:
            return self
        return _Layout(True, self.indent, self.elem + self.unit, self.elem, self.unit, self.trailing,
                       self.colon_before, self.colon_after, self.quote)


def _layout(node: cst.Dict, parent: _Layout | None = None) -> _Layout:
    elements = list(node.elements)
    quote = parent.quote if parent else '"'
    for el in elements:
        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
            quote = el.key.quote if len(el.key.quote) == 1 else quote
            break
    first = next((el for el in elements if isinstance(el, cst.DictElement)), None)
    colon_before = first.whitespace_before_colon if first else cst.SimpleWhitespace("")
    colon_after = first.whitespace_after_colon if first else cst.SimpleWhitespace(" ")
    opening = node.lbrace.whitespace_after
    if isinstance(opening, cst.ParenthesizedWhitespace):
        elem = opening.last_line.value
        trailing = bool(elements) and isinstance(elements[-1].comma, cst.Comma)
        closing = node.rbrace.whitespace_before
        close = closing.last_line.value if isinstance(closing, cst.ParenthesizedWhitespace) else ""
        unit = elem[len(close):] if elem.startswith(close) and len(elem) > len(close) else "    "
        return _Layout(True, opening.indent, elem, close, unit, trailing, colon_before, colon_after, quote)
    space = " "
    for el in elements[:-1]:
        if isinstance(el.comma, cst.Comma) and isinstance(el.comma.whitespace_after, cst.SimpleWhitespace):
            space = el.comma.whitespace_after.value
            break
    unit = parent.unit if parent else "    "
    return _Layout(False, parent.indent if parent else True, space, "", unit, False, colon_before, colon_after,
                   quote)


def _comment_ws(comma: cst.Comma | cst.MaybeSentinel) -> cst.ParenthesizedWhitespace | None:
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma.whitespace_after
    return None


def _retarget(comma: cst.Comma | cst.MaybeSentinel, ws: cst.BaseParenthesizableWhitespace) -> cst.Comma:
    """A comma followed by `ws`, keeping the comment lines the old comma carried."""
    old = _comment_ws(comma)
    if old is not None and isinstance(ws, cst.ParenthesizedWhitespace):
        return comma.with_changes(whitespace_after=ws.with_changes(first_line=old.first_line,  # type: ignore[union-attr]
                                                                    empty_lines=old.empty_lines))
    before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
    return cst.Comma(whitespace_before=before, whitespace_after=ws)


def _assemble(original: cst.Dict, items: list[cst.BaseDictElement], layout: _Layout) -> cst.Dict:
    """`original` with `items` as its elements, commas and closing whitespace put right.

    libcst keeps the whitespace before `}` (and a comment after the last comma) on the brace,
    so the brace is kept and every element gets the comma its new position needs.
    """
    if not items:
        return original.with_changes(elements=[], lbrace=cst.LeftCurlyBrace(), rbrace=cst.RightCurlyBrace())
    rbrace = original.rbrace
    out: list[cst.BaseDictElement] = []
    for i, el in enumerate(items):
        comma = el.comma
        if i == len(items) - 1:
            carried = _comment_ws(comma)
            if layout.multiline and layout.trailing:
                before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
                comma = cst.Comma(whitespace_before=before, whitespace_after=cst.SimpleWhitespace(""))
            else:
                comma = cst.MaybeSentinel.DEFAULT
            closing = rbrace.whitespace_before
            if carried is not None and isinstance(closing, cst.ParenthesizedWhitespace) \
                    and closing.first_line.comment is None:
                rbrace = rbrace.with_changes(whitespace_before=closing.with_changes(
                    first_line=carried.first_line, empty_lines=[*carried.empty_lines, *closing.empty_lines]))
        elif layout.multiline:
            comma = _retarget(comma, layout.elem_ws())
        elif isinstance(comma, cst.MaybeSentinel) or (isinstance(comma.whitespace_after, cst.SimpleWhitespace)
                                                      and not comma.whitespace_after.value):
            comma = _retarget(comma, layout.elem_ws())
        out.append(el.with_changes(comma=comma))
    return original.with_changes(elements=out, rbrace=rbrace)


def _string(value: str, layout: _Layout) -> cst.SimpleString:
    return cst.SimpleString(f"{layout.quote}{value}{layout.quote}")


def _element(key: str, value: cst.BaseExpression, layout: _Layout) -> cst.DictElement:
    return cst.DictElement(_string(key, layout), value, whitespace_before_colon=layout.colon_before,
                           whitespace_after_colon=layout.colon_after)


def _new_dict(entries: list[cst.DictElement], layout: _Layout) -> cst.Dict:
    """A fresh dict literal laid out like `layout` (moved entries keep their comments)."""
    base = cst.Dict(elements=[])
    if layout.multiline:
        base = cst.Dict(elements=[], lbrace=cst.LeftCurlyBrace(whitespace_after=layout.elem_ws()),
                        rbrace=cst.RightCurlyBrace(whitespace_before=layout.close_ws()))
    return _assemble(base, list(entries), layout)


def _format_value(value: cst.BaseExpression, layout: _Layout) -> cst.BaseExpression | None:
    """The GA audio format object for a beta format literal; the value itself if already GA; else None."""
    text = string_value(value)
    if text is not None:
        pairs = AUDIO_FORMATS.get(text)
        if pairs is None:
            return None
        quote = value.quote if isinstance(value, cst.SimpleString) and len(value.quote) == 1 else layout.quote
        one_line = _Layout(False, True, " ", "", layout.unit, False, cst.SimpleWhitespace(""),
                           cst.SimpleWhitespace(" "), quote)
        return _new_dict([_element(k, _string(v, one_line) if isinstance(v, str) else cst.Integer(str(v)), one_line)
                          for k, v in pairs], one_line)
    if isinstance(value, cst.Dict) and _literal_key(value, "type") in GA_FORMAT_TYPES:
        return value
    return None


def _modalities_value(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """E9: the GA `output_modalities` value, or None when the value is not a literal we can map."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return None
    strings = []
    for el in value.elements:
        if not isinstance(el, cst.Element):
            return None
        text = string_value(el.value)
        if text not in ("text", "audio"):
            return None
        strings.append((text, el.value))
    if not strings:
        return None
    keep = next((node for text, node in strings if text == "audio"), strings[0][1])
    if isinstance(value, cst.List) and len(strings) == 1:
        return value
    return cst.List(elements=[cst.Element(keep)])


def _literal_key(node: cst.Dict, key: str) -> str | None:
    for el in node.elements:
        if isinstance(el, cst.DictElement) and string_value(el.key) == key:
            return string_value(el.value)
    return None


def _key(el: cst.BaseDictElement) -> str | None:
    return string_value(el.key) if isinstance(el, cst.DictElement) else None


def _turn_detection(value: cst.BaseExpression, layout: _Layout, result: Reshape,
                    element: cst.CSTNode) -> cst.BaseExpression | None:
    """E6: GA requires `type` in a turn_detection object; add `server_vad` (the beta default) when safe.

    None (and `result.left` entries) when the object cannot be valid GA as written: it then stays
    at its preview place, so the finding survives the fix instead of hiding inside `audio.input`.
    """
    if not isinstance(value, cst.Dict):
        return value
    keys = {_key(el) for el in value.elements}
    if None in keys or "type" in keys:
        kind = _literal_key(value, "type")
        wrong = SEMANTIC_VAD_ONLY if kind == "server_vad" else SERVER_VAD_ONLY if kind == "semantic_vad" else set()
        for el in value.elements:
            k = _key(el)
            if k in wrong:
                result.left.append(FieldChange(f"turn_detection.{k}", "", "left", el,
                                               f"is not a `{kind}` option in GA: `turn_detection` is left in place"))
        return None if keys & wrong else value
    if keys & SEMANTIC_VAD_ONLY:
        result.left.append(FieldChange("turn_detection.type", "audio.input.turn_detection.type", "left", element,
                                       "GA requires `type` (`server_vad` or `semantic_vad`)"))
        return None
    inner = _layout(value, layout)
    new = _element("type", _string("server_vad", inner), inner)
    result.changes.append(FieldChange("turn_detection.type", "audio.input.turn_detection.type", "added", element,
                                      "`server_vad` (the preview default) is added"))
    return _assemble(value, [new, *value.elements], inner)


# -- the reshaping ---------------------------------------------------------------------------


def reshape_session(node: cst.Dict, *, kind: Kind | None = None, ensure_type: bool = True,
                    client_secret: Literal["drop", "hoist"] = "drop") -> Reshape:
    """GA-shape a beta session dict (E-S for "realtime", E-T for "transcription").

    `kind=None` reads `type` from the dict or guesses with `session_kind`. `ensure_type=False`
    leaves a missing `type` alone (a partial dict merged into a payload elsewhere).
    `client_secret="hoist"` (ephemeral-key bodies) leaves `client_secret` in place and lists it
    with action "hoist": the caller must move its expiry to the top-level `expires_after`.
    """
    kind = kind or _type_of(node) or session_kind(node)
    moves = TRANSCRIPTION_AUDIO_MOVES if kind == "transcription" else SESSION_AUDIO_MOVES
    result = _reshape(node, moves, kind=kind, client_secret=client_secret)
    if ensure_type and "type" not in _keys(node) and not _has_spread(node):
        layout = _layout(node)
        elements = list(result.dict.elements)
        result.dict = _assemble(result.dict,
                                [_element("type", _string(kind, layout), layout), *elements], layout)
        result.changes.insert(0, FieldChange("type", "type", "added", None, f'"{kind}"'))
    return result


def reshape_response(node: cst.Dict) -> Reshape:
    """GA-shape the `response` dict of a beta `response.create` (ER1-ER5; ER6 is the caller's)."""
    return _reshape(node, RESPONSE_AUDIO_MOVES, kind=None, client_secret="drop")


_MOVED = object()


def _reshape(node: cst.Dict, moves: dict[str, tuple[str, str]], *, kind: Kind | None,
             client_secret: str) -> Reshape:
    result = Reshape(node)
    layout = _layout(node)
    kept: list[object] = []  # elements, with _MOVED markers where an element left for `audio`
    entries: dict[str, list[tuple[str, cst.DictElement, cst.DictElement]]] = {"input": [], "output": []}
    originals: list[cst.DictElement] = []
    audio_el: cst.DictElement | None = None
    keys = _keys(node)
    session = kind is not None
    tail_comment = False

    def renamed(el: cst.DictElement, key: str, ga: str, value: cst.BaseExpression | None = None) -> None:
        if ga in keys:
            result.changes.append(FieldChange(key, ga, "removed", el, "already set"))
            result.unsafe.append(f"`{key}` and `{ga}` were both set; the GA one is kept")
            return
        value = el.value if value is None else value
        result.changes.append(FieldChange(key, ga, "reshaped" if value is not el.value else "renamed", el))
        kept.append(el.with_changes(key=_requote(el.key, ga), value=value))

    for el in node.elements:
        key = _key(el)
        if key is None or not isinstance(el, cst.DictElement):
            kept.append(el)
            continue
        value = el.value
        if key == "audio":
            audio_el = _ga_audio_values(el, layout, result)
            kept.append(audio_el)
        elif key in moves:
            sub, ga_key = moves[key]
            ga_path = f"audio.{sub}.{ga_key}"
            new_value: cst.BaseExpression | None = value
            if key in FORMAT_KEYS:
                new_value = _format_value(value, layout)
            elif key == "turn_detection":
                new_value = _turn_detection(value, layout, result, value)
                if new_value is None:  # reported by _turn_detection; stays where it is
                    kept.append(el)
                    continue
            if new_value is None:
                literal = _literal_str(value)
                why = (f'`"{literal}"` is not a preview format ({", ".join(AUDIO_FORMATS)})' if literal is not None
                       else "value is not a literal")
                result.left.append(FieldChange(key, ga_path, "left", el,
                                               f"{why}: write the GA format object by hand"))
                kept.append(el)
                continue
            depth = layout.child().child()
            comma = el.comma
            closing = node.rbrace.whitespace_before
            if el is node.elements[-1] and isinstance(closing, cst.ParenthesizedWhitespace) \
                    and closing.first_line.comment is not None and _comment_ws(comma) is None:
                # `"voice": "alloy",  # note` as the last entry: libcst keeps the comment on `}`;
                # it travels with the entry (and leaves the brace, see below).
                before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
                comma = cst.Comma(whitespace_before=before, whitespace_after=cst.ParenthesizedWhitespace(
                    first_line=closing.first_line, indent=True, last_line=cst.SimpleWhitespace("")))
                tail_comment = True
            moved = _element(ga_key, _shift(new_value, layout, depth), depth).with_changes(comma=comma)
            entries[sub].append((key, el, moved))
            originals.append(el)
            result.changes.append(FieldChange(key, ga_path, "reshaped" if new_value is not value else "moved", el))
            kept.append(_MOVED)
        elif key == "modalities":
            if kind == "transcription":
                result.changes.append(FieldChange(key, "", "removed", el,
                                                  "was removed from transcription sessions in GA"))
                continue
            mapped = _modalities_value(value)
            if mapped is None:
                result.left.append(FieldChange(key, "output_modalities", "left", el,
                                               'value is not a literal: use ["audio"] or ["text"]'))
                kept.append(el)
            else:
                renamed(el, key, "output_modalities", mapped)
        elif key == "max_response_output_tokens" and kind != "transcription":
            renamed(el, key, "max_output_tokens")
        elif key == "temperature":
            result.changes.append(FieldChange(key, "", "removed", el, "GA has no temperature"))
        elif key == "client_secret" and session:
            if client_secret == "hoist":
                result.changes.append(FieldChange(key, "expires_after", "hoist", el))
                kept.append(el)
            else:
                result.changes.append(FieldChange(key, "", "removed", el,
                                                  _CLIENT_SECRET_GONE))
        elif key == "tool_choice" and kind != "transcription" and _forced_function(value):
            one_line = _Layout(False, True, " ", "", layout.unit, False, layout.colon_before, layout.colon_after,
                               layout.quote)
            obj = _new_dict([_element("type", _string("function", one_line), one_line),
                             _element("name", value, one_line)], one_line)
            result.changes.append(FieldChange(key, "tool_choice", "reshaped", el, "a forced function is an object"))
            kept.append(el.with_changes(value=obj))
        elif kind == "transcription" and key in REALTIME_ONLY_KEYS:
            result.left.append(FieldChange(key, "", "left", el, "not a transcription session field in GA"))
            kept.append(el)
        else:
            kept.append(el)

    if any(entries.values()) and audio_el is None and _has_spread(node):
        result.unsafe.append("a `**spread` dict may set `audio` too, and the new `audio` would replace it")
    if any(entries.values()):
        merged = _merge_audio(audio_el, entries, layout, result)
        if merged is None:  # an `audio` we cannot merge into: the beta keys stay where they are
            moved_ids = {id(el) for el in originals}
            result.changes = [c for c in result.changes if id(c.element) not in moved_ids]
            for sub, items in entries.items():
                for key, el, moved in items:
                    result.left.append(FieldChange(key, f"audio.{sub}.{_key(moved)}", "left", el,
                                                   "`audio` is not a dict literal: merge it by hand"))
            it = iter(originals)
            kept = [next(it) if k is _MOVED else k for k in kept]
        else:
            if tail_comment:
                closing = node.rbrace.whitespace_before
                assert isinstance(closing, cst.ParenthesizedWhitespace)
                node = node.with_changes(rbrace=node.rbrace.with_changes(
                    whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace())))
        if merged is not None and audio_el is not None:
            kept = [merged if k is audio_el else k for k in kept if k is not _MOVED]
        elif merged is not None:
            first = kept.index(_MOVED)
            kept = [k for k in kept[:first] if k is not _MOVED] + [merged] + [k for k in kept[first:]
                                                                                 if k is not _MOVED]
    if result.changes:
        result.dict = _assemble(node, kept, layout)  # type: ignore[arg-type]
    return result


def _ga_audio_values(audio_el: cst.DictElement, layout: _Layout, result: Reshape) -> cst.DictElement:
    """Half-migrated code: preview format names (and a type-less turn_detection) already under `audio`."""
    audio = audio_el.value
    if not isinstance(audio, cst.Dict):
        return audio_el
    items = []
    changed = False
    for sub_el in audio.elements:
        sub = _key(sub_el)
        if sub not in ("input", "output") or not isinstance(sub_el, cst.DictElement) \
                or not isinstance(sub_el.value, cst.Dict):
            items.append(sub_el)
            continue
        inner = []
        for el in sub_el.value.elements:
            key = _key(el)
            new_value: cst.BaseExpression | None = None
            if isinstance(el, cst.DictElement) and key == "format" and string_value(el.value) in AUDIO_FORMATS:
                new_value = _format_value(el.value, layout)
                result.changes.append(FieldChange(f"audio.{sub}.format", f"audio.{sub}.format", "reshaped", el))
            elif isinstance(el, cst.DictElement) and key == "turn_detection" and sub == "input":
                new_value = _turn_detection(el.value, layout, result, el.value)
                new_value = None if new_value is el.value else new_value
            if new_value is not None:
                inner.append(el.with_changes(value=new_value))  # type: ignore[union-attr]
                changed = True
            else:
                inner.append(el)
        items.append(sub_el.with_changes(value=sub_el.value.with_changes(elements=inner)))
    return audio_el.with_changes(value=audio.with_changes(elements=items)) if changed else audio_el


def _forced_function(value: cst.BaseExpression) -> bool:
    text = string_value(value)
    return text is not None and text not in TOOL_CHOICE_MODES


def _keys(node: cst.Dict) -> set[str | None]:
    return {_key(el) for el in node.elements}


class _Shifter(cst.CSTTransformer):
    def __init__(self, extra: str) -> None:
        super().__init__()
        self.extra = extra

    def leave_ParenthesizedWhitespace(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        return updated_node.with_changes(last_line=cst.SimpleWhitespace(self.extra + updated_node.last_line.value))

    def leave_EmptyLine(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if updated_node.comment is None:
            return updated_node
        return updated_node.with_changes(whitespace=cst.SimpleWhitespace(self.extra + updated_node.whitespace.value))


def _shift(value: cst.BaseExpression, old: _Layout, new: _Layout) -> cst.BaseExpression:
    """A multi-line value moved deeper keeps its shape: every line inside it is indented more."""
    if not (old.multiline and new.multiline) or not new.elem.startswith(old.elem) or new.elem == old.elem:
        return value
    return value.visit(_Shifter(new.elem[len(old.elem):]))  # type: ignore[return-value]


def _merge_audio(audio_el: cst.DictElement | None,
                 entries: dict[str, list[tuple[str, cst.DictElement, cst.DictElement]]],
                 layout: _Layout, result: Reshape) -> cst.DictElement | None:
    """The `audio` element holding the moved entries: a new one, or the existing literal merged into."""
    if audio_el is None:
        child = layout.child()
        subs = []
        for sub in ("input", "output"):
            if entries[sub]:
                grand = child.child()
                inner = _new_dict([_relayout(m, grand) for _, _, m in entries[sub]], grand)
                subs.append(_element(sub, inner, child))
        return _element("audio", _new_dict(subs, child), layout)
    audio = audio_el.value
    if not isinstance(audio, cst.Dict):
        return None
    audio_layout = _layout(audio, layout.child())
    items = list(audio.elements)
    for sub in ("input", "output"):
        if not entries[sub]:
            continue
        existing = next((el for el in items if _key(el) == sub), None)
        if existing is None:
            grand = audio_layout.child()
            inner = _new_dict([_relayout(m, grand) for _, _, m in entries[sub]], grand)
            items.append(_element(sub, inner, audio_layout))
            continue
        if not isinstance(existing, cst.DictElement) or not isinstance(existing.value, cst.Dict):
            return None
        target = existing.value
        target_layout = _layout(target, audio_layout.child())
        present = {_key(el) for el in target.elements}
        additions: list[cst.BaseDictElement] = []
        for key, el, moved in entries[sub]:
            ga_key = _key(moved)
            if ga_key in present:
                result.changes = [c if c.element is not el else FieldChange(key, c.ga_path, "removed", el,
                                                                            "already set in GA form")
                                  for c in result.changes]
                result.unsafe.append(f"`{key}` was also set as `audio.{sub}.{ga_key}`; the GA value is kept")
                continue
            additions.append(_relayout(moved, target_layout))
        new_target = _assemble(target, [*target.elements, *additions], target_layout)
        items = [existing.with_changes(value=new_target) if el is existing else el for el in items]
    return audio_el.with_changes(value=_assemble(audio, items, audio_layout))


def _relayout(el: cst.DictElement, layout: _Layout) -> cst.DictElement:
    """A moved element with the nested layout's colon spacing (its comma/comment travels with it)."""
    return el.with_changes(whitespace_before_colon=layout.colon_before, whitespace_after_colon=layout.colon_after)


def _literal_str(value: cst.BaseExpression) -> str | None:
    if isinstance(value, cst.SimpleString):
        try:
            return str(value.evaluated_value)
        except Exception:  # noqa: BLE001 - an odd literal: no value to show
            return None
    return None


def _requote(key: cst.BaseExpression, new: str) -> cst.BaseExpression:
    if isinstance(key, cst.SimpleString):
        return cst.SimpleString(f"{key.prefix}{key.quote}{new}{key.quote}")
    return cst.SimpleString(f'"{new}"')


def _has_spread(node: cst.Dict) -> bool:
    return any(isinstance(el, cst.StarredDictElement) or _key(el) is None for el in node.elements)


def _type_of(node: cst.Dict) -> Kind | None:
    value = _literal_key(node, "type")
    return value if value in ("realtime", "transcription") else None  # type: ignore[return-value]


def session_kind(node: cst.Dict, transcription_flow: bool = False) -> Kind:
    """Which GA session type a beta `session.update` / `client_secrets.create` session dict is.

    A beta `session.update` always configured a speech-to-speech session (transcription-only
    sessions used `transcription_session.update`), so "realtime" is the answer unless the dict
    has transcription config, no key only a realtime session has, *and* the caller saw a
    transcription flow (`?intent=transcription` in the file).
    """
    keys = {_key(el) for el in node.elements}
    audio = next((el.value for el in node.elements if _key(el) == "audio" and isinstance(el, cst.DictElement)), None)
    audio_keys = {_key(el) for el in audio.elements} if isinstance(audio, cst.Dict) else set()
    if keys & REALTIME_ONLY_KEYS or "output" in audio_keys:
        return "realtime"
    has_transcription = "input_audio_transcription" in keys
    if isinstance(audio, cst.Dict):
        inp = next((el.value for el in audio.elements if _key(el) == "input" and isinstance(el, cst.DictElement)),
                   None)
        has_transcription |= isinstance(inp, cst.Dict) and any(_key(el) == "transcription" for el in inp.elements)
    return "transcription" if has_transcription and transcription_flow else "realtime"


def is_ambiguous_kind(node: cst.Dict) -> bool:
    """Transcription config and nothing realtime-only: could be either session type."""
    keys = {_key(el) for el in node.elements}
    return "input_audio_transcription" in keys and not keys & REALTIME_ONLY_KEYS


def dict_from_kwargs(args: Sequence[cst.Arg], quote: str = '"') -> cst.Dict | None:
    """`f(voice="alloy", modalities=[...])` keyword args as a one-line dict literal (None if any arg
    is positional or `**spread`), so call-site rewrites can feed them to `reshape_session`."""
    elements = []
    for arg in args:
        if arg.keyword is None or arg.star:
            return None
        elements.append(cst.DictElement(cst.SimpleString(f"{quote}{arg.keyword.value}{quote}"), arg.value,
                                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    if elements:
        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.Dict(elements=elements)


def with_type(node: cst.Dict, kind: Kind) -> cst.Dict:
    """`node` with `"type": kind` as its first entry and nothing else changed (E1/ET1)."""
    opening = node.lbrace.whitespace_after
    if not node.elements and isinstance(opening, cst.ParenthesizedWhitespace) \
            and not isinstance(node.rbrace.whitespace_before, cst.ParenthesizedWhitespace):
        # `{ <comment lines> }`: libcst keeps the comments and the indentation of `}` after `{`;
        # the new entry gets its own line one step in, and `}` keeps its line.
        close = opening.last_line.value
        elem = close + "    "
        node = node.with_changes(
            lbrace=node.lbrace.with_changes(whitespace_after=opening.with_changes(last_line=cst.SimpleWhitespace(elem))),
            rbrace=node.rbrace.with_changes(whitespace_before=cst.ParenthesizedWhitespace(
                indent=opening.indent, last_line=cst.SimpleWhitespace(close))))
        layout = _Layout(True, opening.indent, elem, close, "    ", True, cst.SimpleWhitespace(""),
                         cst.SimpleWhitespace(" "), '"')
        return _assemble(node, [_element("type", _string(kind, layout), layout).with_changes(
            comma=cst.Comma())], layout)
    layout = _layout(node)
    return _assemble(node, [_element("type", _string(kind, layout), layout), *node.elements], layout)


def format_literal_code(value: cst.BaseExpression) -> str | None:
    """The GA format object, as code, for a beta format literal (`"pcm16"` → `{"type": "audio/pcm", ...}`)."""
    new = _format_value(value, _Layout(False, True, " ", "", "    ", False, cst.SimpleWhitespace(""),
                                       cst.SimpleWhitespace(" "), '"'))
    if new is None or new is value:
        return None
    return cst.Module([]).code_for_node(new)


def modalities_literal_code(value: cst.BaseExpression) -> str | None:
    """The E9 GA `output_modalities` value, as code, or None when it is not a literal list."""
    new = _modalities_value(value)
    return None if new is None else cst.Module([]).code_for_node(new)

"""Strict validation of GA client events, as the simulator's gatekeeper.

The schema below mirrors the GA ``*Param`` TypedDicts of the ``openai`` package
(``openai/types/realtime``) field by field, but is written out here because the simulator must run
without ``openai`` installed and must be *stricter* than pydantic: unknown keys are errors (that is
how a GA server rejects beta fields such as ``session.modalities``), and the first violation is
reported with the same ``code``/``message``/``param`` vocabulary a GA server uses.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GA_CLIENT_EVENT_TYPES: tuple[str, ...] = (
    "conversation.item.create",
    "conversation.item.delete",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "input_audio_buffer.append",
    "input_audio_buffer.clear",
    "input_audio_buffer.commit",
    "output_audio_buffer.clear",
    "response.cancel",
    "response.create",
    "session.update",
)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    param: str | None


# --------------------------------------------------------------------------------------------
# A tiny schema language: each spec is a callable (value, path) -> Violation | None plus the set of
# JSON kinds it accepts, so unions can pick the branch that matches the value's kind.
# --------------------------------------------------------------------------------------------

_KIND_NAMES = {
    "string": "a string", "integer": "an integer", "number": "a decimal", "boolean": "a boolean",
    "object": "an object", "array": "an array", "null": "null",
}


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _quote_list(values: Iterable[object]) -> str:
    items = [f"'{v}'" for v in values]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass(frozen=True)
class Spec:
    kinds: frozenset[str]
    check: Callable[[Any, str], Violation | None]

    def __call__(self, value: Any, path: str) -> Violation | None:
        kind = _kind(value)
        if kind not in self.kinds and not (kind == "integer" and "number" in self.kinds):
            return invalid_type(path, self.kinds, value)
        return self.check(value, path)


def invalid_type(path: str, kinds: Iterable[str], value: object) -> Violation:
    expected = " or ".join(_KIND_NAMES.get(k, k) for k in sorted(kinds))
    got = _KIND_NAMES.get(_kind(value), _kind(value))
    return Violation("invalid_type", f"Invalid type for '{path}': expected {expected}, but got {got} instead.",
                     path)


def _ok(value: object, path: str) -> None:
    return None


def string() -> Spec:
    return Spec(frozenset({"string"}), _ok)


def boolean() -> Spec:
    return Spec(frozenset({"boolean"}), _ok)


def anything() -> Spec:
    return Spec(frozenset(_KIND_NAMES), _ok)


def _ranged(kind: str, lo: float | None, hi: float | None) -> Spec:
    label = "integer" if kind == "integer" else "decimal"

    def check(value: float, path: str) -> Violation | None:
        if lo is not None and value < lo:
            return Violation(f"{label}_below_min_value",
                             f"Invalid '{path}': {label} below minimum value. Expected a value >= {lo}, "
                             f"but got {value} instead.", path)
        if hi is not None and value > hi:
            return Violation(f"{label}_above_max_value",
                             f"Invalid '{path}': {label} above maximum value. Expected a value <= {hi}, "
                             f"but got {value} instead.", path)
        return None

    return Spec(frozenset({kind}), check)


def integer(lo: int | None = None, hi: int | None = None) -> Spec:
    return _ranged("integer", lo, hi)


def number(lo: float | None = None, hi: float | None = None) -> Spec:
    return _ranged("number", lo, hi)


def enum(*values: str | int) -> Spec:
    kinds = frozenset(_kind(v) for v in values)

    def check(value: object, path: str) -> Violation | None:
        if value in values:
            return None
        return Violation("invalid_value",
                         f"Invalid value: '{value}'. Supported values are: {_quote_list(values)}.", path)

    return Spec(kinds, check)


def nullable(spec: Spec) -> Spec:
    return Spec(spec.kinds | {"null"}, lambda v, p: None if v is None else spec(v, p))


def list_of(item: Spec, min_items: int = 0) -> Spec:
    def check(value: list[Any], path: str) -> Violation | None:
        if len(value) < min_items:
            return Violation("empty_array", f"Invalid '{path}': empty array. Expected an array with minimum "
                             f"length {min_items}, but got an empty array instead.", path)
        for i, v in enumerate(value):
            found = item(v, f"{path}[{i}]")
            if found:
                return found
        return None

    return Spec(frozenset({"array"}), check)


def dict_of(item: Spec) -> Spec:
    def check(value: Mapping[str, Any], path: str) -> Violation | None:
        for k, v in value.items():
            found = item(v, _join(path, k))
            if found:
                return found
        return None

    return Spec(frozenset({"object"}), check)


def obj(fields: Mapping[str, Spec], required: Iterable[str] = ()) -> Spec:
    required = tuple(required)

    def check(value: Mapping[str, Any], path: str) -> Violation | None:
        for key in value:
            if key not in fields:
                p = _join(path, key)
                return Violation("unknown_parameter", f"Unknown parameter: '{p}'.", p)
        for key in required:
            if key not in value:
                p = _join(path, key)
                return Violation("missing_required_parameter", f"Missing required parameter: '{p}'.", p)
        for key, v in value.items():
            found = fields[key](v, _join(path, key))
            if found:
                return found
        return None

    return Spec(frozenset({"object"}), check)


def tagged(tag: str, variants: Mapping[str, Spec], default: str | None = None) -> Spec:
    """Object union discriminated by ``tag``; ``default`` is used when the tag is optional and absent."""

    def check(value: Mapping[str, Any], path: str) -> Violation | None:
        key = value.get(tag, default)
        tag_path = _join(path, tag)
        if key is None:
            return Violation("missing_required_parameter", f"Missing required parameter: '{tag_path}'.", tag_path)
        if not isinstance(key, str):
            return invalid_type(tag_path, {"string"}, key)
        if key not in variants:
            return Violation("invalid_value",
                             f"Invalid value: '{key}'. Supported values are: {_quote_list(variants)}.", tag_path)
        return variants[key](value, path)

    return Spec(frozenset({"object"}), check)


def one_of(*specs: Spec) -> Spec:
    """Union of differently-kinded specs: the branch accepting the value's kind decides."""

    def check(value: object, path: str) -> Violation | None:
        kind = _kind(value)
        branches = [s for s in specs if kind in s.kinds or (kind == "integer" and "number" in s.kinds)]
        first: Violation | None = None
        for spec in branches:
            found = spec(value, path)
            if found is None:
                return None
            first = first or found
        return first

    return Spec(frozenset().union(*(s.kinds for s in specs)), check)


def checked(spec: Spec, extra: Callable[[Any, str], Violation | None]) -> Spec:
    return Spec(spec.kinds, lambda v, p: spec.check(v, p) or extra(v, p))


# --------------------------------------------------------------------------------------------
# GA schema (openai/types/realtime/*_param.py)
# --------------------------------------------------------------------------------------------

def _no_text_and_audio(value: list[str], path: str) -> Violation | None:
    if "text" in value and "audio" in value:
        return Violation("invalid_value",
                         f"Invalid '{path}': {json.dumps(value)}. Text and audio cannot both be requested: "
                         "use [\"audio\"] (audio plus transcript) or [\"text\"].", path)
    return None


def _base64(value: str, path: str) -> Violation | None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return Violation("invalid_value", f"Invalid '{path}': expected base64-encoded audio.", path)
    return None


_STATUS = enum("completed", "incomplete", "in_progress")
AUDIO_FORMAT = tagged("type", {
    "audio/pcm": obj({"type": enum("audio/pcm"), "rate": enum(24000)}),
    "audio/pcmu": obj({"type": enum("audio/pcmu")}),
    "audio/pcma": obj({"type": enum("audio/pcma")}),
}, default="audio/pcm")
NOISE_REDUCTION = nullable(obj({"type": enum("near_field", "far_field"), "strength": number(0)}))
TRANSCRIPTION = nullable(obj({
    "model": string(), "language": string(), "prompt": string(),
    "delay": enum("minimal", "low", "medium", "high", "xhigh"),
    "keywords": list_of(string()), "languages": list_of(string()),
}))
TURN_DETECTION = nullable(tagged("type", {
    "server_vad": obj({
        "type": enum("server_vad"), "threshold": number(0, 1), "prefix_padding_ms": integer(0),
        "silence_duration_ms": integer(0), "create_response": boolean(), "interrupt_response": boolean(),
        "idle_timeout_ms": nullable(integer(0)),
    }),
    "semantic_vad": obj({
        "type": enum("semantic_vad"), "eagerness": enum("low", "medium", "high", "auto"),
        "create_response": boolean(), "interrupt_response": boolean(),
    }),
}))
VOICE = one_of(string(), obj({"id": string()}, required=("id",)))
AUDIO_INPUT = obj({
    "format": AUDIO_FORMAT, "noise_reduction": NOISE_REDUCTION,
    "transcription": TRANSCRIPTION, "turn_detection": TURN_DETECTION,
})
AUDIO_OUTPUT = obj({"format": AUDIO_FORMAT, "speed": number(0.25, 1.5), "voice": VOICE})
OUTPUT_MODALITIES = checked(list_of(enum("text", "audio")), _no_text_and_audio)
MAX_OUTPUT_TOKENS = one_of(integer(1, 4096), enum("inf"))
INCLUDE = list_of(enum("item.input_audio_transcription.logprobs"))
PROMPT = nullable(obj({"id": string(), "variables": nullable(dict_of(anything())), "version": nullable(string())},
                      required=("id",)))
REASONING = obj({"effort": enum("minimal", "low", "medium", "high", "xhigh")})
TOOL_CHOICE = one_of(
    enum("none", "auto", "required"),
    tagged("type", {
        "function": obj({"type": enum("function"), "name": string()}, required=("name",)),
        "mcp": obj({"type": enum("mcp"), "server_label": string(), "name": nullable(string())},
                   required=("server_label",)),
    }),
)
_MCP_TOOL_FIELDS = ("allowed_callers", "allowed_tools", "authorization", "connector_id", "defer_loading",
                    "headers", "require_approval", "server_description", "server_url", "tunnel_id")
TOOL = tagged("type", {
    "function": obj({"type": enum("function"), "name": string(), "description": string(),
                     "parameters": anything()}),
    "mcp": obj({"type": enum("mcp"), "server_label": string(), **{f: anything() for f in _MCP_TOOL_FIELDS}},
               required=("server_label",)),
}, default="function")
TRACING = nullable(one_of(enum("auto"),
                          obj({"group_id": string(), "metadata": anything(), "workflow_name": string()})))
TRUNCATION = one_of(
    enum("auto", "disabled"),
    obj({"type": enum("retention_ratio"), "retention_ratio": number(0, 1),
         "token_limits": obj({"post_instructions": integer(0)})}, required=("type", "retention_ratio")),
)

REALTIME_SESSION = obj({
    "type": enum("realtime"),
    "audio": obj({"input": AUDIO_INPUT, "output": AUDIO_OUTPUT}),
    "include": INCLUDE,
    "instructions": string(),
    "max_output_tokens": MAX_OUTPUT_TOKENS,
    "model": string(),
    "output_modalities": OUTPUT_MODALITIES,
    "parallel_tool_calls": boolean(),
    "prompt": PROMPT,
    "reasoning": REASONING,
    "tool_choice": TOOL_CHOICE,
    "tools": list_of(TOOL),
    "tracing": TRACING,
    "truncation": TRUNCATION,
})
TRANSCRIPTION_SESSION = obj({
    "type": enum("transcription"),
    "audio": obj({"input": AUDIO_INPUT}),
    "include": INCLUDE,
})
SESSION = tagged("type", {"realtime": REALTIME_SESSION, "transcription": TRANSCRIPTION_SESSION})


def _message(role: str, content_types: tuple[str, ...], content_fields: tuple[str, ...]) -> Spec:
    content_spec: dict[str, Spec] = {"type": enum(*content_types), **{f: string() for f in content_fields}}
    if "detail" in content_spec:
        content_spec["detail"] = enum("auto", "low", "high")
    return obj({
        "type": enum("message"), "role": enum(role), "id": string(), "object": enum("realtime.item"),
        "status": _STATUS, "content": list_of(obj(content_spec)),
    }, required=("content",))


_ITEM_COMMON = {"id": string(), "object": enum("realtime.item"), "status": _STATUS}
_ITEM_VARIANTS: dict[str, Spec] = {
    "message": tagged("role", {
        "system": _message("system", ("input_text",), ("text",)),
        "user": _message("user", ("input_text", "input_audio", "input_image"),
                         ("text", "audio", "transcript", "image_url", "detail")),
        "assistant": _message("assistant", ("output_text", "output_audio"), ("text", "audio", "transcript")),
    }),
    "function_call": obj({"type": enum("function_call"), "call_id": string(), "name": string(),
                          "arguments": string(), **_ITEM_COMMON}, required=("name", "arguments")),
    "function_call_output": obj({"type": enum("function_call_output"), "call_id": string(), "output": string(),
                                 **_ITEM_COMMON}, required=("call_id", "output")),
    "mcp_approval_response": obj({"type": enum("mcp_approval_response"), "id": string(),
                                  "approval_request_id": string(), "approve": boolean(),
                                  "reason": nullable(string())}, required=("approval_request_id", "approve")),
    "mcp_list_tools": obj({"type": enum("mcp_list_tools"), "id": string(), "server_label": string(),
                           "tools": list_of(anything())}, required=("server_label", "tools")),
    "mcp_call": obj({"type": enum("mcp_call"), "id": string(), "arguments": string(), "name": string(),
                     "server_label": string(), "approval_request_id": nullable(string()),
                     "error": anything(), "output": nullable(string())},
                    required=("id", "arguments", "name", "server_label")),
    "mcp_approval_request": obj({"type": enum("mcp_approval_request"), "id": string(), "arguments": string(),
                                 "name": string(), "server_label": string()},
                                required=("id", "arguments", "name", "server_label")),
}
ITEM = tagged("type", _ITEM_VARIANTS)
RESPONSE_INPUT_ITEM = tagged("type", {
    **_ITEM_VARIANTS,
    "item_reference": obj({"type": enum("item_reference"), "id": string()}, required=("id",)),
})
RESPONSE = obj({
    "audio": obj({"output": obj({"format": AUDIO_FORMAT, "voice": VOICE})}),
    "conversation": string(),
    "input": list_of(RESPONSE_INPUT_ITEM),
    "instructions": string(),
    "max_output_tokens": MAX_OUTPUT_TOKENS,
    "metadata": nullable(dict_of(string())),
    "output_modalities": OUTPUT_MODALITIES,
    "parallel_tool_calls": boolean(),
    "prompt": PROMPT,
    "reasoning": REASONING,
    "tool_choice": TOOL_CHOICE,
    "tools": list_of(TOOL),
})


def _event(name: str, fields: Mapping[str, Spec] | None = None, required: Iterable[str] = ()) -> Spec:
    return obj({"type": enum(name), "event_id": string(), **(fields or {})}, required=required)


CLIENT_EVENT = tagged("type", {
    "session.update": _event("session.update", {"session": SESSION}, ("session",)),
    "response.create": _event("response.create", {"response": RESPONSE}),
    "response.cancel": _event("response.cancel", {"response_id": string()}),
    "conversation.item.create": _event("conversation.item.create",
                                       {"item": ITEM, "previous_item_id": string()}, ("item",)),
    "conversation.item.delete": _event("conversation.item.delete", {"item_id": string()}, ("item_id",)),
    "conversation.item.retrieve": _event("conversation.item.retrieve", {"item_id": string()}, ("item_id",)),
    "conversation.item.truncate": _event("conversation.item.truncate", {
        "item_id": string(), "content_index": integer(0), "audio_end_ms": integer(0),
    }, ("item_id", "content_index", "audio_end_ms")),
    "input_audio_buffer.append": _event("input_audio_buffer.append",
                                        {"audio": checked(string(), _base64)}, ("audio",)),
    "input_audio_buffer.clear": _event("input_audio_buffer.clear"),
    "input_audio_buffer.commit": _event("input_audio_buffer.commit"),
    "output_audio_buffer.clear": _event("output_audio_buffer.clear"),
})

CLIENT_SECRET_BODY = obj({
    "expires_after": obj({"anchor": enum("created_at"), "seconds": integer(10, 7200)}),
    "session": SESSION,
})


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

def parse_client_message(raw: str | bytes) -> tuple[dict[str, Any] | None, Violation | None]:
    """Decode one WebSocket message; GA servers answer binary frames and bad JSON with ``invalid_json``."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, Violation("invalid_json", "The server could not decode the binary message as UTF-8.",
                                   None)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return None, Violation("invalid_json", f"The server failed to parse the event: {exc}.", None)
    if not isinstance(data, dict):
        return None, Violation("invalid_type", "Expected the event to be a JSON object.", None)
    return data, None


def validate_client_event(event: Mapping[str, Any]) -> Violation | None:
    return CLIENT_EVENT(event, "")


def validate_client_secret_body(body: object) -> Violation | None:
    return CLIENT_SECRET_BODY(body, "")

"""Protocol facts shared by several rules: event names of both sides.

Taken from docs/protocol.md sections C and D and checked against the openai
package's `RealtimeServerEvent` / `RealtimeClientEvent` unions (tests/test_protocol.py).
"""

from __future__ import annotations

import re

# D1-D7: server event names the GA protocol renamed or removed (whole-literal renames).
SERVER_EVENT_RENAMES: dict[str, str] = {
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "transcription_session.updated": "session.updated",
    # In the beta OpenAPI spec (not in the SDK's beta union); GA opens every session with session.created.
    "transcription_session.created": "session.created",
}

# Prefixes that only preview names start with; a file holding one can hold a startswith() finding.
PREVIEW_ONLY_PREFIXES: tuple[str, ...] = ("response.audio", "response.text")

# Strings that show a file speaks the Realtime protocol (either side), for `Rule.context`. Event names
# that the Responses API shares (`response.created`, `response.audio.delta`, `response.output_item.*`,
# `response.create` in its WebSocket mode) are not enough on their own: a file must also hold one of these.
REALTIME_MARKERS: tuple[str, ...] = (
    "realtime", "input_audio_buffer", "output_audio_buffer", "session.update", "session.created",
    "conversation.item", "response.done", "response.cancel", "response.output_audio", "response.audio_transcript",
    "response.text.delta", "response.text.done", "transcription_session", "rate_limits.updated", "turn_detection",
    "audio_format", "pcm16",
)


# Field names only the preview session / response has, as a model class declares them (`    key: T`), a call
# sets them (`Session(turn_detection=...)`) or a dict holds them (`{"input_audio_format": ...}` handed to a
# helper): a file holding one may keep the preview payload away from any event name. The leading blank, `(`
# or quote keeps GA names out (`output_modalities:`, `conversation.item.input_audio_transcription.completed`).
PREVIEW_FIELD_KEYS: tuple[str, ...] = (
    "modalities", "input_audio_format", "output_audio_format", "input_audio_transcription",
    "input_audio_noise_reduction", "turn_detection", "max_response_output_tokens",
)
PREVIEW_FIELD_TRIGGERS: tuple[str, ...] = tuple(
    f"{lead}{key}{tail}" for key in PREVIEW_FIELD_KEYS for lead, tail in (
        (" ", ":"), ("\t", ":"), (" ", "="), ("\t", "="), ("(", "="), (",", "="), ('"', '"'), ("'", "'"))
)


def quoted(*events: str) -> tuple[str, ...]:
    """Trigger forms of event names that a matcher can read: a string literal (`"e"`, `'e'`, a JavaScript
    template `` `e` ``), JSON text with escaped quotes (`\\"e\\"`) and an SDK call (`conn.e(...)`); not a
    word in prose."""
    return tuple(f"{e}{end}" for e in events for end in ('"', "'", "`", "\\", "("))


def preview_only_prefix(value: str, renames: dict[str, str], ga_names: frozenset[str]) -> bool:
    """`value` (a `startswith` argument) selects preview names only: no GA name starts with it."""
    if len(value) < 9 or value in ga_names:
        return False
    return any(o.startswith(value) for o in renames) and not any(g.startswith(value) for g in ga_names)


def ga_prefix(value: str, renames: dict[str, str], ga_names: frozenset[str]) -> str | None:
    """The GA prefix that selects exactly the GA names of the preview names starting with `value`.

    Each renamed name keeps what followed the prefix (`response.audio` + `_transcript.delta` became
    `response.output_audio` + `_transcript.delta`); the rewrite is as safe as a whole-name rename only when
    every matched name agrees on the new prefix and no other GA name starts with it.
    """
    matched = {o: n for o, n in renames.items() if o.startswith(value)}
    if not matched or any(not n.endswith(o[len(value):]) for o, n in matched.items()):
        return None
    prefixes = {n[: len(n) - (len(o) - len(value))] for o, n in matched.items()}
    if len(prefixes) != 1:
        return None
    new = prefixes.pop()
    return new if {g for g in ga_names if g.startswith(new)} == set(matched.values()) else None


# Other services that still speak the preview event names today: the Responses API streams
# `response.audio.delta`, Azure Voice Live and DashScope's realtime clone keep the beta shape, and OpenAI's
# GPT-Live service (`/v1/live/sessions`, seen in livekit's 2026 plugin) has a session protocol of its own.
_OTHER_VENDORS = r"voice-live|voicelive|dashscope|aliyuncs\.com|gpt-live|/live/sessions"
_RESPONSES_API = r"\.responses\.(?:create|stream)\(|openai\.types\.responses\b|/v1/responses\b"
FOREIGN_PROTOCOL = re.compile(f"{_OTHER_VENDORS}|{_RESPONSES_API}", re.IGNORECASE)
OTHER_VENDOR = re.compile(_OTHER_VENDORS, re.IGNORECASE)  # a whole file speaks the clone
RESPONSES_API = re.compile(_RESPONSES_API, re.IGNORECASE)  # may sit beside Realtime code (an SDK bundle)
# What shows that a piece of code (a class, a function) speaks Realtime itself.
REALTIME_SCOPE = re.compile(r"realtime|session\.update|input_audio_buffer|output_audio_buffer|oai-events"
                            r"|conversation\.item", re.IGNORECASE)

GA_SERVER_EVENTS: frozenset[str] = frozenset({
    "conversation.created", "conversation.item.created", "conversation.item.deleted",
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.failed", "conversation.item.retrieved",
    "conversation.item.truncated", "error", "input_audio_buffer.cleared", "input_audio_buffer.committed",
    "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped", "rate_limits.updated",
    "response.content_part.added", "response.content_part.done", "response.created", "response.done",
    "response.function_call_arguments.delta", "response.function_call_arguments.done",
    "response.output_item.added", "response.output_item.done", "session.created", "session.updated",
    "output_audio_buffer.started", "output_audio_buffer.stopped", "output_audio_buffer.cleared",
    "response.output_text.delta", "response.output_text.done", "response.output_audio.delta",
    "response.output_audio.done", "response.output_audio_transcript.delta",
    "response.output_audio_transcript.done",
    "conversation.item.added", "conversation.item.done", "conversation.item.input_audio_transcription.segment",
    "input_audio_buffer.timeout_triggered", "input_audio_buffer.dtmf_event_received",
    "mcp_list_tools.in_progress", "mcp_list_tools.completed", "mcp_list_tools.failed",
    "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done", "response.mcp_call.in_progress",
    "response.mcp_call.completed", "response.mcp_call.failed",
})

GA_CLIENT_EVENTS: frozenset[str] = frozenset({
    "session.update", "response.create", "response.cancel", "conversation.item.create",
    "conversation.item.delete", "conversation.item.retrieve", "conversation.item.truncate",
    "input_audio_buffer.append", "input_audio_buffer.clear", "input_audio_buffer.commit",
    "output_audio_buffer.clear",
})

BETA_ONLY_CLIENT_EVENTS: frozenset[str] = frozenset({"transcription_session.update"})

"""GA error shapes and the human explanations printed next to them.

The simulator builds its error events and HTTP error bodies here so that they match what a GA
server answers (docs/protocol.md B5), and the reference client and ``verify`` use :func:`explain` to
turn a bare error code into the migration step that is most likely missing.
"""

from __future__ import annotations

from typing import Any

BETA_DISABLED_CODE = "beta_api_shape_disabled"
BETA_DISABLED_MESSAGE = "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API."
BETA_CLOSE_CODE = 4000

BETA_DISABLED_CAUSES: tuple[str, ...] = (
    "the `OpenAI-Beta: realtime=v1` header is still sent on the WebSocket handshake "
    "(remove it; GA clients send only Authorization / api-key)",
    "the browser sub-protocol `openai-beta.realtime-v1` is still offered "
    "(keep only `realtime` and `openai-insecure-api-key.<key>`)",
    "a preview Azure URL is used: `/openai/realtime?api-version=...&deployment=...` "
    "(GA: `/openai/v1/realtime?model=<deployment>`, no api-version)",
    "a preview REST endpoint is called: `/v1/realtime/sessions`, `/v1/realtime/transcription_sessions`, "
    "`/openai/realtimeapi/sessions` (GA: `/v1/realtime/client_secrets` with the config under `session`), "
    "or an SDP offer is POSTed to `/v1/realtime?model=` (GA: `/v1/realtime/calls`)",
    "the beta SDK surface is used: `client.beta.realtime.connect(...)` (GA: `client.realtime.connect(...)`)",
    "old event or payload shapes are sent: `transcription_session.update`, flat session fields such as "
    "`modalities`, `voice`, `input_audio_format: \"pcm16\"`, or a session without `type`",
)

# GA paths for fields that only exist in the beta shape; used to explain `unknown_parameter`.
BETA_FIELD_HINTS: dict[str, str] = {
    "modalities": "output_modalities (text and audio can no longer be combined: use [\"audio\"] or [\"text\"])",
    "voice": "audio.output.voice",
    "input_audio_format": "audio.input.format, as an object such as {\"type\": \"audio/pcm\", \"rate\": 24000}",
    "output_audio_format": "audio.output.format, as an object such as {\"type\": \"audio/pcm\", \"rate\": 24000}",
    "turn_detection": "audio.input.turn_detection",
    "input_audio_transcription": "audio.input.transcription",
    "input_audio_noise_reduction": "audio.input.noise_reduction",
    "max_response_output_tokens": "max_output_tokens",
    "temperature": "nothing: temperature was removed in GA",
    "client_secret": "the top-level `expires_after` of POST /v1/realtime/client_secrets",
    "speed": "audio.output.speed",
}

_CODE_HINTS: dict[str, str] = {
    "missing_required_parameter": "a field the GA schema requires is missing",
    "unknown_parameter": "the payload contains a field the GA schema does not know (often a beta field)",
    "invalid_type": "a field has the wrong JSON type",
    "invalid_value": "a field has a value the GA schema does not accept",
    "invalid_json": "the message is not valid JSON",
    "input_audio_buffer_commit_empty": "commit was sent with less than 100 ms of audio in the buffer",
    "conversation_already_has_active_response": "response.create was sent while a response was in progress",
    "response_cancel_not_active": "response.cancel was sent while no response was in progress",
    "invalid_api_key": "the key or token was rejected",
    "missing_api_key": "no credentials were sent (Authorization: Bearer, api-key header or query parameter)",
    "item_not_found": "the item_id does not exist in the conversation",
}


def error_body(code: str | None, message: str, param: str | None = None,
               error_type: str = "invalid_request_error") -> dict[str, Any]:
    """The inner ``error`` object, in the field order GA servers use."""
    return {"type": error_type, "code": code, "message": message, "param": param}


def error_event(event_id: str, code: str | None, message: str, param: str | None = None,
                client_event_id: str | None = None) -> dict[str, Any]:
    """A GA ``error`` server event; ``client_event_id`` echoes the offending client event."""
    body = error_body(code, message, param)
    if client_event_id is not None:
        body["event_id"] = client_event_id
    return {"type": "error", "event_id": event_id, "error": body}


def beta_disabled_event(event_id: str) -> dict[str, Any]:
    """The exact refusal a GA server sends to a beta-shaped WebSocket session before closing 4000."""
    return {"type": "error", "event_id": event_id, "error": error_body(BETA_DISABLED_CODE, BETA_DISABLED_MESSAGE)}


def beta_disabled_http_body() -> dict[str, Any]:
    """HTTP 400 body for beta REST shapes (beta SDP POST, /realtime/sessions)."""
    return {"error": {"message": BETA_DISABLED_MESSAGE, "type": "invalid_request_error", "code": BETA_DISABLED_CODE}}


def http_error_body(code: str | None, message: str, param: str | None = None,
                    error_type: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def explain(code: str | None, param: str | None = None, message: str | None = None) -> str:
    """One readable paragraph on why a GA server sent this error and what to change."""
    if code == BETA_DISABLED_CODE:
        causes = "\n".join(f"  - {c}" for c in BETA_DISABLED_CAUSES)
        return "The server refused a preview (beta) shape. Likely causes:\n" + causes
    leaf = (param or "").rsplit(".", 1)[-1]
    if code == "unknown_parameter" and leaf in BETA_FIELD_HINTS:
        return f"`{param}` is a beta field; in GA it is {BETA_FIELD_HINTS[leaf]}."
    if code == "missing_required_parameter" and param == "session.type":
        return ("GA session.update requires session.type: \"realtime\" (speech-to-speech) "
                "or \"transcription\" (transcription-only sessions).")
    if code == "invalid_type" and param and param.endswith(".format"):
        return ("GA audio formats are objects: {\"type\": \"audio/pcm\", \"rate\": 24000}, "
                "{\"type\": \"audio/pcmu\"} or {\"type\": \"audio/pcma\"}; the beta string \"pcm16\" is invalid.")
    if code == "invalid_value" and param == "type" and message and "transcription_session.update" in message:
        return "transcription_session.update was removed: send session.update with session.type \"transcription\"."
    hint = _CODE_HINTS.get(code or "")
    if hint:
        return hint[0].upper() + hint[1:] + (f" (param: {param})." if param else ".")
    return message or "Unknown error."

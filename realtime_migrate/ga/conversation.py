"""One simulated GA Realtime session: state, and the server events each (valid) client event causes.

Kept apart from the socket code so the event choreography (commit → item added/done, response
lifecycle, VAD turns, transcription) reads in one place. Every event built here must validate
against ``openai.types.realtime.RealtimeServerEvent`` without extra fields; the tests check that.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import functools
import secrets
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import audio
from .errors import error_event

ServerEvent = dict[str, Any]
Send = Callable[[ServerEvent], Awaitable[None]]
Note = Callable[[str], None]

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """IDs shaped like GA ones (``item_…``); never pure hex, so redaction leaves them readable."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(20))


@dataclass(frozen=True)
class SimOptions:
    response_audio_ms: int = 500
    chunk_ms: int = 100
    first_delta_delay_ms: int = 15
    emit_item_created: bool = False
    default_model: str = "gpt-realtime"


def default_turn_detection() -> dict[str, Any]:
    return {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
            "idle_timeout_ms": None, "create_response": True, "interrupt_response": True}


def default_session(kind: str, model: str | None) -> dict[str, Any]:
    """The effective configuration a GA server reports in ``session.created``."""
    audio_input: dict[str, Any] = {
        "format": dict(audio.GA_PCM_FORMAT), "noise_reduction": None,
        "transcription": {"model": "gpt-4o-transcribe"} if kind == "transcription" else None,
        "turn_detection": default_turn_detection(),
    }
    if kind == "transcription":
        return {"type": "transcription", "audio": {"input": audio_input}, "include": None}
    return {
        "type": "realtime", "model": model, "output_modalities": ["audio"],
        "instructions": "You are a helpful assistant.",
        "audio": {"input": audio_input,
                  "output": {"format": dict(audio.GA_PCM_FORMAT), "voice": "marin", "speed": 1.0}},
        "tools": [], "tool_choice": "auto", "max_output_tokens": "inf", "tracing": None,
        "truncation": "auto", "prompt": None, "include": None,
    }


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Partial update semantics of ``session.update``: nested objects merge, ``null`` clears.

    An object whose ``type`` changes (``server_vad`` → ``semantic_vad``, ``audio/pcm`` → ``audio/pcmu``)
    replaces the old one: the union variant changed, so its old keys no longer apply.
    """
    out = copy.deepcopy(base)
    for key, value in update.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and value.get("type", old.get("type")) == old.get("type"):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _Vad:
    """Energy VAD over 10 ms frames; enough to turn "speech then silence" into a GA turn."""

    FRAME_MS = 10

    def __init__(self) -> None:
        self.speaking = False
        self.silence_ms = 0
        self.pending = b""

    def feed(self, pcm: bytes, cfg: dict[str, Any], start_ms: float) -> list[tuple[str, int]]:
        """Return ``("start"|"stop", audio_ms)`` transitions found in ``pcm``."""
        if cfg.get("type") == "semantic_vad":
            silence_needed = {"high": 200, "low": 800}.get(cfg.get("eagerness") or "auto", 500)
            threshold = 0.5
        else:
            silence_needed = int(cfg.get("silence_duration_ms") or 500)
            threshold = float(cfg.get("threshold") if cfg.get("threshold") is not None else 0.5)
        level = threshold * 0.1
        frame = self.FRAME_MS * audio.BYTES_PER_MS
        data = self.pending + pcm
        offset_ms = start_ms - audio.duration_ms(self.pending)
        out: list[tuple[str, int]] = []
        pos = 0
        while pos + frame <= len(data):
            loud = audio.rms(data[pos:pos + frame]) >= level
            at_ms = int(offset_ms + audio.duration_ms(pos))
            if loud:
                self.silence_ms = 0
                if not self.speaking:
                    self.speaking = True
                    out.append(("start", at_ms))
            elif self.speaking:
                self.silence_ms += self.FRAME_MS
                if self.silence_ms >= silence_needed:
                    self.speaking = False
                    self.silence_ms = 0
                    out.append(("stop", at_ms + self.FRAME_MS))
            pos += frame
        self.pending = data[pos:]
        return out


class Conversation:
    def __init__(self, send: Send, *, kind: str, model: str | None, options: SimOptions,
                 preset: dict[str, Any] | None = None, locked_kind: bool = False,
                 note: Note = lambda _msg: None) -> None:
        self._send = send
        self._note = note
        self.options = options
        self.locked_kind = locked_kind
        kind = preset.get("type", kind) if preset else kind  # a client secret's session decides the type
        self.session = deep_merge(default_session(kind, model or options.default_model), preset or {})
        self.conversation_id = new_id("conv")
        self.items: list[dict[str, Any]] = []
        self.buffer = bytearray()
        self.audio_ms_total = 0.0
        self.vad = _Vad()
        self.vad_item_id: str | None = None
        self.response_task: asyncio.Task[None] | None = None
        self.response_id: str | None = None
        self.cancel_requested = False

    # -- plumbing -----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.session["type"])

    async def emit(self, event: ServerEvent) -> None:
        await self._send({"event_id": new_id("event"), **event})

    async def error(self, code: str | None, message: str, param: str | None = None,
                    client_event_id: str | None = None) -> None:
        await self._send(error_event(new_id("event"), code, message, param, client_event_id))

    async def start(self) -> None:
        await self.emit({"type": "session.created", "session": copy.deepcopy(self.session)})

    async def close(self) -> None:
        if self.response_task and not self.response_task.done():
            self.response_task.cancel()
            try:
                await self.response_task
            except (asyncio.CancelledError, Exception):
                pass

    # -- dispatch -----------------------------------------------------------------------------

    async def handle(self, event: dict[str, Any]) -> None:
        """React to one client event that already passed :mod:`validate`."""
        handler = getattr(self, "_on_" + event["type"].replace(".", "_"))
        await handler(event, event.get("event_id"))

    async def _on_session_update(self, event: dict[str, Any], eid: str | None) -> None:
        update = event["session"]
        if update["type"] != self.kind:
            if self.locked_kind:
                await self.error("invalid_value", f"Invalid value: '{update['type']}'. This connection was opened "
                                 f"for a '{self.kind}' session and cannot change session.type.",
                                 "session.type", eid)
                return
            self.session = default_session(update["type"], self.session.get("model"))
        self.session = deep_merge(self.session, update)
        await self.emit({"type": "session.updated", "session": copy.deepcopy(self.session)})

    async def _on_input_audio_buffer_append(self, event: dict[str, Any], eid: str | None) -> None:
        pcm = base64.b64decode(event["audio"])
        start_ms = self.audio_ms_total
        self.buffer += pcm
        self.audio_ms_total += audio.duration_ms(pcm)
        cfg = self.session["audio"]["input"].get("turn_detection")
        if not cfg or self.session["audio"]["input"].get("format", {}).get("type", "audio/pcm") != "audio/pcm":
            return
        for transition, at_ms in self.vad.feed(pcm, cfg, start_ms):
            if transition == "start":
                self.vad_item_id = new_id("item")
                await self.emit({"type": "input_audio_buffer.speech_started", "audio_start_ms": at_ms,
                                 "item_id": self.vad_item_id})
                if cfg.get("interrupt_response", True) and self._response_running():
                    self.cancel_requested = True
            else:
                item_id = self.vad_item_id or new_id("item")
                self.vad_item_id = None
                await self.emit({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": at_ms,
                                 "item_id": item_id})
                await self._commit(item_id)
                if self.kind == "realtime" and cfg.get("create_response", True) and not self._response_running():
                    self._start_response({})

    async def _on_input_audio_buffer_commit(self, event: dict[str, Any], eid: str | None) -> None:
        have_ms = audio.duration_ms(len(self.buffer))
        if have_ms < 100:
            await self.error("input_audio_buffer_commit_empty",
                             "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
                             f"audio, but buffer only has {have_ms:.2f}ms of audio.", None, eid)
            return
        await self._commit(self.vad_item_id or new_id("item"))
        self.vad_item_id = None
        self.vad = _Vad()

    async def _on_input_audio_buffer_clear(self, event: dict[str, Any], eid: str | None) -> None:
        self.buffer.clear()
        self.vad = _Vad()
        await self.emit({"type": "input_audio_buffer.cleared"})

    async def _on_output_audio_buffer_clear(self, event: dict[str, Any], eid: str | None) -> None:
        self._note("output_audio_buffer.clear has no effect over WebSocket (WebRTC/SIP only)")

    async def _on_conversation_item_create(self, event: dict[str, Any], eid: str | None) -> None:
        item = copy.deepcopy(event["item"])
        previous = event.get("previous_item_id")
        if previous is not None and previous != "root" and self._find(previous) is None:
            await self.error("invalid_value", f"Invalid value: '{previous}'. No item with that id exists.",
                             "previous_item_id", eid)
            return
        if "id" in item and self._find(item["id"]) is not None:
            await self.error("invalid_value", f"Invalid value: '{item['id']}'. An item with that id already exists.",
                             "item.id", eid)
            return
        item.setdefault("id", new_id("item"))
        item.setdefault("object", "realtime.item")
        item.setdefault("status", "completed")
        await self._add_item(item)

    async def _on_conversation_item_delete(self, event: dict[str, Any], eid: str | None) -> None:
        item = self._find(event["item_id"])
        if item is None:
            await self._item_not_found(event["item_id"], eid)
            return
        self.items.remove(item)
        await self.emit({"type": "conversation.item.deleted", "item_id": item["id"]})

    async def _on_conversation_item_retrieve(self, event: dict[str, Any], eid: str | None) -> None:
        item = self._find(event["item_id"])
        if item is None:
            await self._item_not_found(event["item_id"], eid)
            return
        await self.emit({"type": "conversation.item.retrieved", "item": copy.deepcopy(item)})

    async def _on_conversation_item_truncate(self, event: dict[str, Any], eid: str | None) -> None:
        item = self._find(event["item_id"])
        if item is None:
            await self._item_not_found(event["item_id"], eid)
            return
        if item.get("role") != "assistant":
            await self.error("invalid_value", "Only assistant messages with audio can be truncated.", "item_id", eid)
            return
        await self.emit({"type": "conversation.item.truncated", "item_id": item["id"],
                         "content_index": event["content_index"], "audio_end_ms": event["audio_end_ms"]})

    async def _on_response_create(self, event: dict[str, Any], eid: str | None) -> None:
        if self.kind == "transcription":
            await self.error("invalid_value", "Invalid value: 'response.create'. Transcription sessions do not "
                             "create responses.", "type", eid)
            return
        if self._response_running():
            await self.error("conversation_already_has_active_response",
                             f"Conversation already has an active response in progress: {self.response_id}. "
                             "Wait until the response is finished before creating a new one.", None, eid)
            return
        self._start_response(event.get("response") or {})

    async def _on_response_cancel(self, event: dict[str, Any], eid: str | None) -> None:
        wanted = event.get("response_id")
        if not self._response_running() or (wanted and wanted != self.response_id):
            await self.error("response_cancel_not_active",
                             "Cancellation failed: no active response found.", None, eid)
            return
        self.cancel_requested = True

    # -- helpers ------------------------------------------------------------------------------

    def _find(self, item_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i.get("id") == item_id), None)

    async def _item_not_found(self, item_id: str, eid: str | None) -> None:
        await self.error("item_not_found", f"Item with item_id '{item_id}' not found.", "item_id", eid)

    def _response_running(self) -> bool:
        return self.response_task is not None and not self.response_task.done()

    async def _add_item(self, item: dict[str, Any]) -> None:
        """Store an item (private ``_`` keys are simulator bookkeeping) and announce it without them."""
        public = {k: v for k, v in item.items() if not k.startswith("_")}
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        kinds = ("conversation.item.created",) if self.options.emit_item_created else ()
        for kind in (*kinds, "conversation.item.added", "conversation.item.done"):
            await self.emit({"type": kind, "previous_item_id": previous, "item": copy.deepcopy(public)})

    async def _commit(self, item_id: str) -> None:
        pcm = bytes(self.buffer)
        self.buffer.clear()
        previous = self.items[-1]["id"] if self.items else None
        await self.emit({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item_id})
        item = {"id": item_id, "type": "message", "role": "user", "object": "realtime.item", "status": "completed",
                "content": [{"type": "input_audio", "transcript": None}], "_audio_ms": audio.duration_ms(pcm)}
        await self._add_item(item)
        if self.session["audio"]["input"].get("transcription") is not None:
            await self._transcribe(item_id, item["_audio_ms"])

    async def _transcribe(self, item_id: str, ms: float) -> None:
        text = f"Simulated transcript of {ms / 1000:.2f} seconds of audio."
        words = text.split(" ")
        for i, word in enumerate(words):
            await self.emit({"type": "conversation.item.input_audio_transcription.delta", "item_id": item_id,
                             "content_index": 0, "delta": word if i == 0 else " " + word})
        await self.emit({"type": "conversation.item.input_audio_transcription.completed", "item_id": item_id,
                         "content_index": 0, "transcript": text,
                         "usage": {"type": "duration", "seconds": round(ms / 1000, 3)}})
        item = self._find(item_id)
        if item is not None:
            item["content"][0]["transcript"] = text

    def _start_response(self, params: dict[str, Any]) -> None:
        self.response_id = new_id("resp")
        self.cancel_requested = False
        self.response_task = asyncio.create_task(self._respond(self.response_id, params))

    def _reply_text(self, params: dict[str, Any]) -> str:
        source = [i for i in params.get("input", []) if i.get("type") == "message"] or self.items
        for item in reversed(source):
            if item.get("role") != "user":
                continue
            for part in item.get("content", []):
                if part.get("type") == "input_text" and part.get("text"):
                    return f"You said: {part['text']}"
            if "_audio_ms" in item:
                return f"I heard {item['_audio_ms'] / 1000:.2f} seconds of audio."
        return "Hello from the GA simulator."

    def _response_shape(self, response_id: str, params: dict[str, Any], status: str,
                        output: list[dict[str, Any]], status_details: dict[str, Any] | None = None,
                        usage: dict[str, Any] | None = None) -> dict[str, Any]:
        session_out = self.session["audio"]["output"]
        out_cfg = (params.get("audio") or {}).get("output") or {}
        return {
            "id": response_id, "object": "realtime.response", "status": status, "status_details": status_details,
            "output": output,
            "conversation_id": None if params.get("conversation") == "none" else self.conversation_id,
            "output_modalities": params.get("output_modalities") or self.session["output_modalities"],
            "max_output_tokens": params.get("max_output_tokens", self.session.get("max_output_tokens", "inf")),
            "audio": {"output": {"format": out_cfg.get("format", session_out.get("format")),
                                 "voice": _voice_name(out_cfg.get("voice", session_out.get("voice")))}},
            "usage": usage, "metadata": params.get("metadata"),
        }

    async def _respond(self, response_id: str, params: dict[str, Any]) -> None:
        modalities = params.get("output_modalities") or self.session["output_modalities"]
        with_audio = "audio" in modalities
        out_cfg = (params.get("audio") or {}).get("output") or {}
        fmt = out_cfg.get("format") or self.session["audio"]["output"].get("format") or audio.GA_PCM_FORMAT
        in_conversation = params.get("conversation") != "none"
        text = self._reply_text(params)
        item_id = new_id("item")
        item: dict[str, Any] = {"id": item_id, "type": "message", "role": "assistant", "object": "realtime.item",
                                "status": "in_progress", "content": []}
        ref = {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}
        await self.emit({"type": "response.created", "response": self._response_shape(response_id, params,
                                                                                       "in_progress", [])})
        await self.emit({"type": "response.output_item.added", "response_id": response_id, "output_index": 0,
                         "item": copy.deepcopy(item)})
        previous = self.items[-1]["id"] if self.items else None
        if in_conversation:
            await self.emit({"type": "conversation.item.added", "previous_item_id": previous,
                             "item": copy.deepcopy(item)})
        part_type = "audio" if with_audio else "text"
        empty_part = {"type": "audio", "transcript": ""} if with_audio else {"type": "text", "text": ""}
        await self.emit({"type": "response.content_part.added", **ref, "part": empty_part})
        await asyncio.sleep(self.options.first_delta_delay_ms / 1000)

        words = text.split(" ")
        said: list[str] = []
        pieces = (_render_audio(str(fmt.get("type", "audio/pcm")), self.options.response_audio_ms,
                                self.options.chunk_ms) if with_audio else [])
        steps = max(len(words), len(pieces))
        for i in range(steps):
            if self.cancel_requested:
                break
            if i < len(pieces):
                await self.emit({"type": "response.output_audio.delta", **ref,
                                 "delta": base64.b64encode(pieces[i]).decode("ascii")})
            if i < len(words):
                delta = words[i] if i == 0 else " " + words[i]
                said.append(delta)
                kind = "response.output_audio_transcript.delta" if with_audio else "response.output_text.delta"
                await self.emit({"type": kind, **ref, "delta": delta})
            await asyncio.sleep(0)

        cancelled = self.cancel_requested
        final_text = "".join(said)
        if with_audio:
            await self.emit({"type": "response.output_audio.done", **ref})
            await self.emit({"type": "response.output_audio_transcript.done", **ref, "transcript": final_text})
            part = {"type": "audio", "transcript": final_text}
            content = {"type": "output_audio", "transcript": final_text}
        else:
            await self.emit({"type": "response.output_text.done", **ref, "text": final_text})
            part = {"type": "text", "text": final_text}
            content = {"type": "output_text", "text": final_text}
        await self.emit({"type": "response.content_part.done", **ref, "part": part})
        item["status"] = "incomplete" if cancelled else "completed"
        item["content"] = [content]
        await self.emit({"type": "response.output_item.done", "response_id": response_id, "output_index": 0,
                         "item": copy.deepcopy(item)})
        if in_conversation:
            self.items.append(item)
            await self.emit({"type": "conversation.item.done", "previous_item_id": previous,
                             "item": copy.deepcopy(item)})
        out_tokens = len(words) + (len(pieces) * 10 if with_audio else 0)
        usage = {"total_tokens": 40 + out_tokens, "input_tokens": 40, "output_tokens": out_tokens,
                 "input_token_details": {"text_tokens": 20, "audio_tokens": 20, "cached_tokens": 0,
                                         "image_tokens": 0},
                 "output_token_details": {"text_tokens": len(words),
                                          "audio_tokens": len(pieces) * 10 if with_audio else 0}}
        details = {"type": "cancelled", "reason": "client_cancelled"} if cancelled else None
        await self.emit({"type": "response.done", "response": self._response_shape(
            response_id, params, "cancelled" if cancelled else "completed", [copy.deepcopy(item)], details, usage)})
        await self.emit({"type": "rate_limits.updated", "rate_limits": [
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 0.06},
            {"name": "tokens", "limit": 100000, "remaining": 100000 - 40 - out_tokens, "reset_seconds": 0.5},
        ]})
        self._note(f"response {response_id} {'cancelled' if cancelled else 'completed'} ({part_type})")


def _voice_name(voice: object) -> str | None:
    if isinstance(voice, dict):
        return str(voice.get("id"))
    return voice if isinstance(voice, str) else None


@functools.lru_cache(maxsize=8)
def _render_audio(fmt_type: str, ms: int, chunk_ms: int) -> list[bytes]:
    """Output audio chunks in the negotiated format; G.711 is 8 kHz, one byte per sample."""
    if fmt_type in ("audio/pcmu", "audio/pcma"):
        sample = bytes([0xFF if fmt_type == "audio/pcmu" else 0xD5])
        return [sample * (8 * min(chunk_ms, ms - start)) for start in range(0, ms, chunk_ms)]
    return list(audio.chunks(audio.speech_like(ms / 1000, seed=3), chunk_ms))

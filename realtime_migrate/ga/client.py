"""Reference GA Realtime client (asyncio + ``websockets``).

It is the yardstick for "a correct GA program": every event it sends validates against the GA
schema, it never sends a beta header or sub-protocol, and it works unchanged against
api.openai.com, Azure OpenAI GA endpoints and the local simulator. ``verify`` drives it, and the
tests use it as the known-good side of the simulator.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ..redact import redact, register_secret
from . import audio, errors, urls

Step = Callable[[str, str], None]


# --------------------------------------------------------------------------------------------
# Endpoints and auth
# --------------------------------------------------------------------------------------------

@dataclass
class Endpoint:
    """Where to connect and how to authenticate. ``headers`` hold credentials; never print them."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    provider: str = "openai"
    subprotocols: list[str] | None = None

    def __post_init__(self) -> None:
        for value in self.headers.values():
            register_secret(value.removeprefix("Bearer ").strip())

    def describe(self) -> str:
        auth = ", ".join(f"{k}: {v}" for k, v in self.headers.items())
        return redact(f"{self.url} ({auth or 'no auth'})")


def openai_endpoint(api_key: str, *, model: str | None = "gpt-realtime", base_url: str | None = None,
                    intent: str | None = None) -> Endpoint:
    """``wss://api.openai.com/v1/realtime?model=…`` (or ``?intent=transcription``) with a Bearer key.

    An ephemeral ``ek_…`` client secret works here too: it is sent the same way.
    """
    url = urls.openai_realtime_url(base_url, model=None if intent else model, intent=intent)
    return Endpoint(url, {"Authorization": f"Bearer {api_key}"}, "openai")


def azure_endpoint(endpoint: str, deployment: str, *, api_key: str | None = None,
                   entra_token: str | None = None, intent: str | None = None) -> Endpoint:
    """``wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>``.

    Auth is the ``api-key`` header, or an Entra ID access token sent as ``Authorization: Bearer``.
    """
    if bool(api_key) == bool(entra_token):
        raise ValueError("pass exactly one of api_key or entra_token")
    headers = {"api-key": api_key} if api_key else {"Authorization": f"Bearer {entra_token}"}
    return Endpoint(urls.azure_realtime_url(endpoint, deployment, intent=intent), headers, "azure")


def mint_client_secret(http_base: str, headers: dict[str, str], session: dict[str, Any],
                       expires_after_s: int | None = None, timeout: float = 15.0) -> dict[str, Any]:
    """``POST …/realtime/client_secrets`` (GA): returns ``{"value", "expires_at", "session"}``."""
    body: dict[str, Any] = {"session": session}
    if expires_after_s is not None:
        body["expires_after"] = {"anchor": "created_at", "seconds": expires_after_s}
    request = urllib.request.Request(urls.client_secrets_url(http_base), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **headers}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL built by us)
            data: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        payload = exc.read().decode("utf-8", "replace")
        raise HandshakeError(exc.code, payload) from None
    register_secret(data.get("value"))
    return data


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

class RealtimeClientError(Exception):
    """Base class; ``explanation`` says what to change, ``str()`` is always redacted."""

    explanation: str = ""

    def __str__(self) -> str:
        return redact(super().__str__())


class RealtimeServerError(RealtimeClientError):
    """The server sent an ``error`` event (or closed with 4000)."""

    def __init__(self, event: dict[str, Any], close_code: int | None = None) -> None:
        err = event.get("error") or {}
        self.event = event
        self.code: str | None = err.get("code")
        self.param: str | None = err.get("param")
        self.close_code = close_code
        self.explanation = errors.explain(self.code, self.param, err.get("message"))
        where = f" (param: {self.param})" if self.param else ""
        closed = f", connection closed {close_code}" if close_code else ""
        super().__init__(f"{self.code or err.get('type')}: {err.get('message')}{where}{closed}")


class HandshakeError(RealtimeClientError):
    """The HTTP upgrade (or REST call) was refused."""

    _EXPLAIN = {
        401: "The credentials were missing or rejected. GA OpenAI uses `Authorization: Bearer <key>`; Azure uses the "
             "`api-key` header or an Entra ID token as Bearer. On Azure, an `api-version` left on the GA "
             "/openai/v1 URL also yields 401.",
        404: "The path does not exist. GA WebSocket paths: /v1/realtime (OpenAI) and /openai/v1/realtime (Azure).",
    }

    def __init__(self, status: int, body: str) -> None:
        self.status = status
        self.body = body
        code = None
        try:
            code = json.loads(body).get("error", {}).get("code")
        except (ValueError, AttributeError):
            pass
        self.code = code
        self.explanation = errors.explain(code) if code == errors.BETA_DISABLED_CODE else self._EXPLAIN.get(
            status, errors.explain(code, message=body))
        super().__init__(f"HTTP {status}: {body.strip()[:300]}")


class ConnectionLost(RealtimeClientError):
    pass


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------

@dataclass
class RoundTrip:
    """What one connect → configure → speak → listen cycle produced."""

    session: dict[str, Any] | None = None
    chunks_sent: int = 0
    audio_ms_sent: float = 0.0
    output_audio: bytearray = field(default_factory=bytearray)
    text: str = ""
    transcript: str = ""
    input_transcript: str = ""
    first_audio_ms: float | None = None
    first_text_ms: float | None = None
    response: dict[str, Any] | None = None

    @property
    def status(self) -> str | None:
        return (self.response or {}).get("status")


class RealtimeClient:
    def __init__(self, endpoint: Endpoint, *, timeout: float = 15.0,
                 on_event: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.on_event = on_event
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self._ws: ClientConnection | None = None
        self._seq = 0

    async def __aenter__(self) -> RealtimeClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> dict[str, Any]:
        """Open the socket and return ``session.created``."""
        try:
            self._ws = await asyncio.wait_for(connect(
                self.endpoint.url, additional_headers=self.endpoint.headers,
                subprotocols=self.endpoint.subprotocols, max_size=None, open_timeout=self.timeout,  # type: ignore[arg-type]
            ), self.timeout)
        except InvalidStatus as exc:
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            raise HandshakeError(exc.response.status_code, body) from None
        except (OSError, asyncio.TimeoutError) as exc:
            raise ConnectionLost(f"could not connect to {self.endpoint.describe()}: {exc!r}") from None
        return await self.wait_for("session.created")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def send(self, event: dict[str, Any]) -> None:
        if self._ws is None:
            raise ConnectionLost("not connected")
        self._seq += 1
        event = {"event_id": f"evt_client_{self._seq:05d}", **event}
        self.sent.append(event)
        if self.on_event:
            self.on_event("sent", event)
        try:
            await self._ws.send(json.dumps(event))
        except ConnectionClosed as exc:
            raise self._closed_error(exc) from None

    async def recv(self, timeout: float | None = None) -> dict[str, Any]:
        if self._ws is None:
            raise ConnectionLost("not connected")
        try:
            raw = await asyncio.wait_for(self._ws.recv(), timeout or self.timeout)
        except ConnectionClosed as exc:
            raise self._closed_error(exc) from None
        except asyncio.TimeoutError:
            raise ConnectionLost(f"no server event within {timeout or self.timeout:g}s") from None
        event: dict[str, Any] = json.loads(raw)
        self.received.append(event)
        if self.on_event:
            self.on_event("received", event)
        return event

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.recv()

    def _closed_error(self, exc: ConnectionClosed) -> RealtimeClientError:
        last_error = next((e for e in reversed(self.received) if e.get("type") == "error"), None)
        code = exc.rcvd.code if exc.rcvd else None
        if last_error is not None:
            return RealtimeServerError(last_error, code)
        if code == errors.BETA_CLOSE_CODE:
            return RealtimeServerError(errors.beta_disabled_event("-"), code)
        reason = exc.rcvd.reason if exc.rcvd else ""
        return ConnectionLost(f"connection closed (code {code}{', ' + reason if reason else ''})")

    async def _refusal_close_code(self, event: dict[str, Any]) -> int | None:
        """A beta refusal is followed by close 4000; wait for it briefly so the error can report it."""
        if (event.get("error") or {}).get("code") != errors.BETA_DISABLED_CODE or self._ws is None:
            return None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._ws.wait_closed(), 2)
        return self._ws.close_code

    async def wait_for(self, types: str | Iterable[str], *, on: Callable[[dict[str, Any]], None] | None = None,
                       timeout: float | None = None) -> dict[str, Any]:
        """Read events until one of ``types``; an ``error`` event raises :class:`RealtimeServerError`."""
        wanted = {types} if isinstance(types, str) else set(types)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConnectionLost(f"timed out waiting for {', '.join(sorted(wanted))}")
            event = await self.recv(remaining)
            if on is not None:
                on(event)
            if event.get("type") == "error":
                raise RealtimeServerError(event, await self._refusal_close_code(event))
            if event.get("type") in wanted:
                return event

    # -- GA operations ------------------------------------------------------------------------

    async def update_session(self, session: dict[str, Any]) -> dict[str, Any]:
        """``session.update`` (``session.type`` is required in GA); returns the effective config."""
        if "type" not in session:
            raise ValueError("GA session.update needs session.type ('realtime' or 'transcription')")
        await self.send({"type": "session.update", "session": session})
        return (await self.wait_for("session.updated"))["session"]  # type: ignore[no-any-return]

    async def append_audio(self, pcm: bytes, chunk_ms: int = 100) -> int:
        n = 0
        for chunk in audio.b64_chunks(pcm, chunk_ms):
            await self.send({"type": "input_audio_buffer.append", "audio": chunk})
            n += 1
        return n

    async def commit(self) -> dict[str, Any]:
        await self.send({"type": "input_audio_buffer.commit"})
        return await self.wait_for("input_audio_buffer.committed")

    async def add_user_text(self, text: str) -> None:
        await self.send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
        await self.wait_for("conversation.item.done")

    async def create_response(self, result: RoundTrip, response: dict[str, Any] | None = None) -> RoundTrip:
        """``response.create``, then collect until ``response.done``."""
        await self.send({"type": "response.create", **({"response": response} if response else {})})
        return await self.collect_response(result, time.monotonic())

    async def collect_response(self, result: RoundTrip, started: float) -> RoundTrip:
        def take(event: dict[str, Any]) -> None:
            kind = event.get("type")
            elapsed = (time.monotonic() - started) * 1000
            if kind == "response.output_audio.delta":
                if result.first_audio_ms is None:
                    result.first_audio_ms = elapsed
                result.output_audio += base64.b64decode(event["delta"])
            elif kind == "response.output_text.delta":
                if result.first_text_ms is None:
                    result.first_text_ms = elapsed
                result.text += event["delta"]
            elif kind == "response.output_audio_transcript.delta":
                result.transcript += event["delta"]
            elif kind == "conversation.item.input_audio_transcription.completed":
                result.input_transcript = event["transcript"]

        done = await self.wait_for("response.done", on=take)
        result.response = done["response"]
        return result


def realtime_session(*, text_only: bool = False, voice: str = "marin", instructions: str | None = None,
                     vad: bool = False) -> dict[str, Any]:
    """A GA realtime session config: audio formats as objects, voice under audio.output."""
    session: dict[str, Any] = {
        "type": "realtime",
        "output_modalities": ["text"] if text_only else ["audio"],
        "audio": {
            "input": {"format": dict(audio.GA_PCM_FORMAT),
                      "turn_detection": {"type": "server_vad", "silence_duration_ms": 300} if vad else None},
            "output": {"format": dict(audio.GA_PCM_FORMAT), "voice": voice},
        },
    }
    if instructions:
        session["instructions"] = instructions
    return session


def transcription_session(model: str = "gpt-4o-transcribe", language: str | None = None) -> dict[str, Any]:
    transcription: dict[str, Any] = {"model": model}
    if language:
        transcription["language"] = language
    return {"type": "transcription", "audio": {"input": {
        "format": dict(audio.GA_PCM_FORMAT), "transcription": transcription, "turn_detection": None}}}


async def round_trip(endpoint: Endpoint, *, pcm: bytes | None = None, text_only: bool = False,
                     transcription: bool = False, chunk_ms: int = 100, timeout: float = 15.0,
                     on_step: Step | None = None, client: RealtimeClient | None = None) -> RoundTrip:
    """Connect, configure, stream audio in ~100 ms chunks, commit, and collect the answer."""
    step = on_step or (lambda _name, _detail: None)
    pcm = pcm if pcm is not None else audio.speech_like(0.5)
    rt = client or RealtimeClient(endpoint, timeout=timeout)
    result = RoundTrip()
    step("connect", endpoint.describe())
    created = await rt.connect()
    try:
        result.session = created["session"]
        step("session.created", f"type {created['session'].get('type')}, model {created['session'].get('model')}")
        session = transcription_session() if transcription else realtime_session(text_only=text_only)
        effective = await rt.update_session(session)
        result.session = effective
        step("session.update accepted", _describe_session(effective))
        result.chunks_sent = await rt.append_audio(pcm, chunk_ms)
        result.audio_ms_sent = audio.duration_ms(pcm)
        step("audio sent", f"{result.chunks_sent} chunks ({result.audio_ms_sent:.0f} ms, {chunk_ms} ms each)")
        await rt.commit()
        step("input_audio_buffer.committed", "")
        if transcription:
            done = await rt.wait_for("conversation.item.input_audio_transcription.completed")
            result.input_transcript = done["transcript"]
            step("transcription completed", repr(result.input_transcript))
            return result
        await rt.create_response(result)
        if result.first_audio_ms is not None:
            step("first audio delta", f"after {result.first_audio_ms:.0f} ms")
        if result.first_text_ms is not None:
            step("first text delta", f"after {result.first_text_ms:.0f} ms")
        out_ms = audio.duration_ms(len(result.output_audio))
        said = result.text or result.transcript
        step("response.done", f"status={result.status}, {len(result.output_audio)} bytes of audio ({out_ms:.0f} ms), "
                              f"{'text' if text_only else 'transcript'}: {said!r}")
        return result
    finally:
        await rt.close()


def _describe_session(session: dict[str, Any]) -> str:
    if session.get("type") == "transcription":
        model = ((session.get("audio") or {}).get("input") or {}).get("transcription") or {}
        return f"type transcription, model {model.get('model')}"
    fmt = ((session.get("audio") or {}).get("input") or {}).get("format") or {}
    return (f"type realtime, output_modalities {json.dumps(session.get('output_modalities'))}, "
            f"input {fmt.get('type')} {fmt.get('rate', '')}".rstrip())

"""A strict GA Realtime server on 127.0.0.1: the oracle for "does this program speak GA?".

It refuses every preview shape the way GA servers do (docs/protocol.md B5: error event then close
4000 on WebSocket, HTTP 400 ``beta_api_shape_disabled`` on REST), validates every client event
against the GA schema (:mod:`validate`), and answers valid sessions with a realistic GA event stream
(:mod:`conversation`). One port serves both WebSocket and plain HTTP (``client_secrets``, ``calls``)
because real apps derive both URLs from one base.

websockets only parses GET requests, so :class:`_SimConnection` sniffs the request method first and
answers anything else with a small HTTP handler before websockets sees the bytes.

The server always stops by itself: after ``lifetime`` seconds, or after ``idle_timeout`` seconds
without traffic. Every event, violation and HTTP exchange is logged (redacted) in memory and,
optionally, to a JSONL file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import http
import json
import logging
import os
import select
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from ..redact import redact, register_secret
from . import errors, validate
from .conversation import Conversation, SimOptions, deep_merge, default_session, new_id

DEFAULT_HOST = "127.0.0.1"
GA_WS_PATHS = {"/v1/realtime": "openai", "/openai/v1/realtime": "azure"}
PREVIEW_WS_PATHS = {"/openai/realtime": "azure-preview"}
CLIENT_SECRET_PATHS = ("/v1/realtime/client_secrets", "/openai/v1/realtime/client_secrets")
CALLS_PATHS = ("/v1/realtime/calls", "/openai/v1/realtime/calls")
PREVIEW_REST_PATHS = ("/v1/realtime/sessions", "/v1/realtime/transcription_sessions", "/openai/realtimeapi/sessions",
                      "/v1/realtimertc")
BETA_SUBPROTOCOL = "openai-beta.realtime-v1"
KEY_SUBPROTOCOL_PREFIX = "openai-insecure-api-key."
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
MAX_HTTP_BODY = 4 * 1024 * 1024

_ws_logger = logging.getLogger("realtime_migrate.ga.simulator.websockets")
_ws_logger.addHandler(logging.NullHandler())
_ws_logger.propagate = False


@dataclass
class _Handshake:
    conn: str
    route: str
    preview: str | None = None
    kind: str = "realtime"
    model: str | None = None
    preset: dict[str, Any] | None = None
    locked_kind: bool = False


@dataclass
class _Auth:
    ok: bool
    kind: str = ""
    secret: str | None = None
    code: str | None = None
    message: str = ""


@dataclass
class _HttpReply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, **headers: str) -> _HttpReply:
        return cls(status, json.dumps(payload).encode(), "application/json", dict(headers))


def _split_target(target: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return path, query


def _abbreviate(event: dict[str, Any]) -> dict[str, Any]:
    """Audio payloads are noise in a log; keep their size only."""
    out = dict(event)
    for key in ("audio", "delta"):
        value = out.get(key)
        if isinstance(value, str) and len(value) > 64 and out.get("type", "").endswith(("append", "audio.delta")):
            out[key] = f"<{len(value)} base64 chars>"
    return out


class Simulator:
    """Owns the listening socket, the log and the per-connection sessions."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0, *, lifetime: float | None = 120.0,
                 idle_timeout: float | None = 60.0, log_path: str | Path | None = None,
                 options: SimOptions | None = None, log_sink: Callable[[str], None] | None = None,
                 tls: tuple[str | Path, str | Path] | None = None) -> None:
        self.host = host
        # (certificate, key) PEM files: serve https/wss, for clients that force TLS (the openai npm package
        # rewrites any base URL to `wss:`). Loaded now, so a bad file is an OSError here, not at start().
        self.tls = tls
        self._ssl = _tls_context(*tls) if tls else None
        self.requested_port = port
        self.lifetime = lifetime
        self.idle_timeout = idle_timeout
        self.options = options or SimOptions()
        self.log: list[dict[str, Any]] = []
        self.log_path = Path(log_path) if log_path else None
        self.log_sink = log_sink
        self.stop_reason: str | None = None
        self._log_lock = threading.Lock()
        self._log_file: TextIO | None = None
        self._server: Server | None = None
        self._port = 0
        self._secrets: dict[str, tuple[int, dict[str, Any]]] = {}
        self._calls: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._active = 0
        self._last_activity = 0.0
        self._started_at = 0.0
        self._stopped: asyncio.Event | None = None
        self._conn_seq = 0

    # -- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self._port}"

    @property
    def http_base(self) -> str:
        """OpenAI-style API base, e.g. for ``OPENAI_BASE_URL``."""
        return f"{self.scheme('http')}://{self.origin}/v1"

    @property
    def ws_base(self) -> str:
        return f"{self.scheme('ws')}://{self.origin}/v1"

    @property
    def realtime_url(self) -> str:
        return f"{self.scheme('ws')}://{self.origin}/v1/realtime"

    @property
    def azure_endpoint(self) -> str:
        return f"{self.scheme('http')}://{self.origin}"

    def scheme(self, plain: str) -> str:
        return plain + "s" if self.tls else plain

    def env(self, api_key: str = "sk-simulator-key", deployment: str = "gpt-realtime") -> dict[str, str]:
        """Environment that points the usual SDK/app variables at this simulator."""
        return {
            "OPENAI_BASE_URL": self.http_base, "OPENAI_WEBSOCKET_BASE_URL": self.ws_base,
            "REALTIME_URL": self.realtime_url, "OPENAI_API_KEY": api_key,
            "AZURE_OPENAI_ENDPOINT": self.azure_endpoint, "AZURE_OPENAI_API_KEY": api_key,
            "AZURE_OPENAI_DEPLOYMENT": deployment,
        }

    # -- log ----------------------------------------------------------------------------------

    def record(self, conn: str, kind: str, **data: Any) -> None:
        """Append one redacted entry to the in-memory log (and the JSONL file, if any)."""
        entry = {"t": round(time.monotonic() - self._started_at, 4), "conn": conn, "kind": kind, **data}
        try:
            text = redact(json.dumps(entry, default=str))
            entry = json.loads(text)
        except ValueError:
            entry = {"t": entry["t"], "conn": conn, "kind": kind, "text": redact(str(data))}
            text = json.dumps(entry)
        with self._log_lock:
            self.log.append(entry)
            if self.log_path and not (self._stopped and self._stopped.is_set()):
                if self._log_file is None:
                    self._log_file = self.log_path.open("a", encoding="utf-8", buffering=1)
                self._log_file.write(text + "\n")
        if self.log_sink:
            self.log_sink(redact(_describe(entry)))

    def snapshot(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return list(self.log)

    def violations(self) -> list[dict[str, Any]]:
        return [e for e in self.snapshot() if e["kind"] in ("violation", "refused", "http-error")]

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()

    def _next_conn(self, prefix: str) -> str:
        self._conn_seq += 1
        return f"{prefix}{self._conn_seq}"

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._started_at = time.monotonic()
        self._last_activity = loop.time()
        simulator = self

        class _Conn(_SimConnection):
            sim = simulator

        self._server = await serve(
            self._handle_ws, self.host, self.requested_port,
            process_request=self._process_request, select_subprotocol=_select_subprotocol,
            create_connection=_Conn, max_size=MAX_MESSAGE_BYTES, logger=_ws_logger, open_timeout=10,
            ping_interval=None, ssl=self._ssl,
        )
        self._port = next(iter(self._server.sockets)).getsockname()[1]
        self.record("-", "start", host=self.host, port=self._port, lifetime=self.lifetime,
                    idle_timeout=self.idle_timeout)
        self._spawn(self._watchdog())

    async def stop(self, reason: str = "stopped") -> None:
        if self._server is None or self._stopped is None or self._stopped.is_set():
            return
        self.stop_reason = self.stop_reason or reason
        self._server.close(close_connections=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 3)
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        self.record("-", "stop", reason=self.stop_reason)
        with self._log_lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None
        self._stopped.set()

    async def wait_stopped(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            await asyncio.sleep(0.1)
            now = loop.time()
            if self.lifetime is not None and now - start >= self.lifetime:
                reason = f"lifetime of {self.lifetime:g}s reached"
                break
            if self.idle_timeout is not None and self._active == 0 and now - self._last_activity >= self.idle_timeout:
                reason = f"idle for {self.idle_timeout:g}s"
                break
        await self.stop(reason)

    # -- auth ---------------------------------------------------------------------------------

    def _authenticate(self, headers: Headers | dict[str, str], query: dict[str, str],
                      subprotocols: list[str]) -> _Auth:
        bearer = None
        authorization = headers.get("Authorization") or headers.get("authorization")
        if authorization and authorization.lower().startswith("bearer "):
            bearer = authorization[7:].strip()
        key_proto = next((p[len(KEY_SUBPROTOCOL_PREFIX):] for p in subprotocols
                          if p.startswith(KEY_SUBPROTOCOL_PREFIX)), None)
        api_key = headers.get("api-key") or headers.get("Api-Key") or query.get("api-key")
        for kind, value in (("bearer", bearer), ("subprotocol", key_proto), ("api-key", api_key)):
            if not value:
                continue
            register_secret(value)
            if value.startswith("ek_"):
                minted = self._secrets.get(value)
                if minted is None or minted[0] < time.time():
                    return _Auth(False, kind, value, "invalid_api_key",
                                 "Incorrect API key provided: the ephemeral client secret is unknown or expired.")
            return _Auth(True, kind, value)
        return _Auth(False, code="missing_api_key",
                     message="You didn't provide an API key. You need to provide your API key in an Authorization "
                             "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the api-key "
                             "header.")

    # -- WebSocket ----------------------------------------------------------------------------

    def _reject(self, connection: ServerConnection, conn: str, status: int, payload: dict[str, Any]) -> Response:
        body = json.dumps(payload)
        response = connection.respond(http.HTTPStatus(status), body)
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
        self.record(conn, "http-error", status=status, body=payload)
        return response

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self._touch()
        conn = self._next_conn("ws")
        path, query = _split_target(request.path)
        offered = [p.strip() for v in request.headers.get_all("Sec-WebSocket-Protocol") for p in v.split(",")]
        self.record(conn, "handshake", path=request.path, subprotocols=offered,
                    headers={k: v for k, v in request.headers.raw_items()
                             if k.lower() in ("openai-beta", "authorization", "api-key", "user-agent")})
        route = GA_WS_PATHS.get(path) or PREVIEW_WS_PATHS.get(path)
        if route is None:
            return self._reject(connection, conn, 404, errors.http_error_body(
                "not_found", f"Invalid URL (GET {path}).", None))
        auth = self._authenticate(request.headers, query, offered)
        if not auth.ok:
            return self._reject(connection, conn, 401, errors.http_error_body(auth.code, auth.message))
        hs = _Handshake(conn=conn, route=route)
        beta_header = any("realtime=v1" in v.replace(" ", "").lower() for v in request.headers.get_all("OpenAI-Beta"))
        if beta_header:
            hs.preview = "OpenAI-Beta: realtime=v1 header"
        elif BETA_SUBPROTOCOL in offered:
            hs.preview = f"sub-protocol {BETA_SUBPROTOCOL}"
        elif route == "azure-preview":
            hs.preview = "preview Azure URL /openai/realtime?api-version=..."
        if hs.preview is None:
            refusal = self._configure_ga(hs, query, auth)
            if refusal is not None:
                return self._reject(connection, conn, refusal[0], refusal[1])
        assert isinstance(connection, _SimConnection)
        connection.handshake_info = hs
        return None

    def _configure_ga(self, hs: _Handshake, query: dict[str, str], auth: _Auth) -> tuple[int, dict[str, Any]] | None:
        if hs.route == "azure" and "api-version" in query:
            return 401, errors.http_error_body(
                "invalid_api_version", "The /openai/v1 GA endpoint does not take an api-version query parameter; "
                "remove it.", "api-version")
        preset = self._secrets[auth.secret][1] if auth.secret and auth.secret in self._secrets else None
        intent, model, call_id = query.get("intent"), query.get("model"), query.get("call_id")
        if intent is not None and intent != "transcription":
            return 400, errors.http_error_body("invalid_value", f"Invalid value: '{intent}'. Supported values are: "
                                               "'transcription'.", "intent")
        if call_id is not None:
            if call_id not in self._calls:
                return 404, errors.http_error_body("not_found", f"Call '{call_id}' not found.", "call_id")
            preset = self._calls[call_id]
        if intent is None and not model and call_id is None and not (preset and preset.get("model")):
            return 400, errors.http_error_body("missing_required_parameter",
                                               "Missing required parameter: 'model'.", "model")
        hs.preset = preset
        hs.model = model or (preset or {}).get("model")
        hs.kind = "transcription" if intent == "transcription" else (preset or {}).get("type", "realtime")
        hs.locked_kind = intent == "transcription"
        return None

    async def _send(self, connection: ServerConnection, conn: str, event: dict[str, Any]) -> None:
        self.record(conn, "server", event=_abbreviate(event))
        await connection.send(json.dumps(event))

    async def _handle_ws(self, connection: ServerConnection) -> None:
        assert isinstance(connection, _SimConnection)
        hs = connection.handshake_info
        if hs is None:
            return
        self._active += 1
        try:
            if hs.preview is not None:
                self.record(hs.conn, "refused", reason=hs.preview, code=errors.BETA_DISABLED_CODE)
                await self._send(connection, hs.conn, errors.beta_disabled_event(new_id("event")))
                await connection.close(errors.BETA_CLOSE_CODE, errors.BETA_DISABLED_CODE)
                return
            await self._converse(connection, hs)
        except ConnectionClosed:
            pass
        finally:
            self._active -= 1
            self._touch()
            self.record(hs.conn, "closed", code=connection.close_code, reason=connection.close_reason)

    async def _converse(self, connection: ServerConnection, hs: _Handshake) -> None:
        async def send(event: dict[str, Any]) -> None:
            await self._send(connection, hs.conn, event)

        conv = Conversation(send, kind=hs.kind, model=hs.model, options=self.options, preset=hs.preset,
                            locked_kind=hs.locked_kind, note=lambda msg: self.record(hs.conn, "note", text=msg))
        await conv.start()
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(connection.recv(), self.idle_timeout)
                except asyncio.TimeoutError:
                    self.record(hs.conn, "note", text="closing idle connection")
                    await connection.close(1000, "idle timeout")
                    return
                self._touch()
                event, violation = validate.parse_client_message(raw)
                if event is not None:
                    self.record(hs.conn, "client", event=_abbreviate(event))
                    violation = validate.validate_client_event(event)
                eid = event.get("event_id") if event is not None else None
                if violation is not None:
                    self.record(hs.conn, "violation", code=violation.code, param=violation.param,
                                message=violation.message, client_event_type=(event or {}).get("type"))
                    await send(errors.error_event(new_id("event"), violation.code, violation.message,
                                                  violation.param, eid if isinstance(eid, str) else None))
                    continue
                assert event is not None
                await conv.handle(event)
        finally:
            await conv.close()

    # -- plain HTTP ---------------------------------------------------------------------------

    async def serve_http(self, reader: asyncio.StreamReader, transport: asyncio.Transport) -> None:
        self._active += 1
        conn = self._next_conn("http")
        reply: _HttpReply
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await asyncio.wait_for(_read_body(reader, headers), 10)
            reply = self._route_http(conn, method, target, headers, body)
        except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError) as exc:
            reply = _HttpReply.json(400, errors.http_error_body("invalid_request", f"Malformed HTTP request: {exc}"))
        except Exception as exc:  # never let one request take the server down
            self.record(conn, "note", text=f"internal error: {exc!r}")
            reply = _HttpReply.json(500, errors.http_error_body("server_error", "Internal simulator error."))
        finally:
            self._active -= 1
            self._touch()
        phrase = http.HTTPStatus(reply.status).phrase
        head_lines = [f"HTTP/1.1 {reply.status} {phrase}", f"Content-Type: {reply.content_type}",
                      f"Content-Length: {len(reply.body)}", "Connection: close",
                      *(f"{k}: {v}" for k, v in reply.headers.items())]
        transport.write(("\r\n".join(head_lines) + "\r\n\r\n").encode("latin-1") + reply.body)
        transport.close()

    def _route_http(self, conn: str, method: str, target: str, headers: dict[str, str],
                    body: bytes) -> _HttpReply:
        self._touch()
        path, query = _split_target(target)
        self.record(conn, "http", method=method, path=target, content_type=headers.get("content-type"),
                    beta=headers.get("openai-beta"), bytes=len(body))
        known = (*CLIENT_SECRET_PATHS, *CALLS_PATHS, *PREVIEW_REST_PATHS, *GA_WS_PATHS, *PREVIEW_WS_PATHS)
        if method != "POST" or path not in known:
            reply = _HttpReply.json(404, errors.http_error_body("not_found", f"Invalid URL ({method} {path})."))
            return self._log_reply(conn, reply)
        auth = self._authenticate(headers, query, [])
        if not auth.ok:
            return self._log_reply(conn, _HttpReply.json(401, errors.http_error_body(auth.code, auth.message)))
        if path in PREVIEW_REST_PATHS or path in GA_WS_PATHS or path in PREVIEW_WS_PATHS:
            self.record(conn, "refused", reason=f"preview REST shape POST {path}", code=errors.BETA_DISABLED_CODE)
            return self._log_reply(conn, _HttpReply.json(400, errors.beta_disabled_http_body()))
        if path in CLIENT_SECRET_PATHS:
            return self._log_reply(conn, self._client_secret(conn, body))
        return self._log_reply(conn, self._create_call(conn, path, headers, body))

    def _log_reply(self, conn: str, reply: _HttpReply) -> _HttpReply:
        kind = "http-error" if reply.status >= 400 else "http-reply"
        shown: Any = reply.body.decode("utf-8", "replace")
        if reply.content_type == "application/json":
            shown = json.loads(shown)
        self.record(conn, kind, status=reply.status, body=shown)
        return reply

    def _client_secret(self, conn: str, body: bytes) -> _HttpReply:
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            return _HttpReply.json(400, errors.http_error_body("invalid_json", f"Invalid JSON body: {exc}."))
        violation = validate.validate_client_secret_body(data)
        if violation is not None:
            self.record(conn, "violation", code=violation.code, param=violation.param, message=violation.message)
            return _HttpReply.json(400, errors.http_error_body(violation.code, violation.message, violation.param))
        requested = data.get("session") or {"type": "realtime"}
        ttl = int((data.get("expires_after") or {}).get("seconds", 600))
        value = "ek_" + new_id("x")[2:]
        expires_at = int(time.time()) + ttl
        effective = deep_merge(default_session(requested["type"], requested.get("model") or "gpt-realtime"),
                               requested)
        self._secrets[value] = (expires_at, requested)
        register_secret(value)
        return _HttpReply.json(200, {"value": value, "expires_at": expires_at,
                                     "session": _session_response(effective, expires_at)})

    def _create_call(self, conn: str, path: str, headers: dict[str, str], body: bytes) -> _HttpReply:
        content_type = headers.get("content-type", "")
        session: dict[str, Any] = {"type": "realtime"}
        if content_type.startswith("multipart/form-data"):
            parts = _parse_multipart(content_type, body)
            sdp = parts.get("sdp", b"").decode("utf-8", "replace")
            if "session" in parts:
                try:
                    session = json.loads(parts["session"])
                except ValueError as exc:
                    return _HttpReply.json(400, errors.http_error_body("invalid_json", f"Invalid session: {exc}."))
                violation = validate.SESSION(session, "session")
                if violation is not None:
                    self.record(conn, "violation", code=violation.code, param=violation.param,
                                message=violation.message)
                    return _HttpReply.json(400, errors.http_error_body(violation.code, violation.message,
                                                                       violation.param))
        else:
            sdp = body.decode("utf-8", "replace")
        if not sdp.startswith("v=0"):
            return _HttpReply.json(400, errors.http_error_body("invalid_value", "Invalid 'sdp': expected an SDP "
                                                               "offer starting with 'v=0'.", "sdp"))
        call_id = new_id("rtc")
        self._calls[call_id] = session
        prefix = "/openai/v1" if path.startswith("/openai/") else "/v1"
        return _HttpReply(201, _sdp_answer(sdp).encode(), "application/sdp",
                          {"Location": f"{prefix}/realtime/calls/{call_id}"})


class _SimConnection(ServerConnection):
    """Routes non-GET requests to :meth:`Simulator.serve_http`; GET goes to websockets unchanged."""

    sim: Simulator
    handshake_info: _Handshake | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._sniff = b""
        self._decided = False
        self._http_reader: asyncio.StreamReader | None = None

    def data_received(self, data: bytes) -> None:
        if self._http_reader is not None:
            self._http_reader.feed_data(data)
            return
        if self._decided:
            super().data_received(data)
            return
        self._sniff += data
        if b" " not in self._sniff and len(self._sniff) < 16:
            return
        self._decided = True
        buffered, self._sniff = self._sniff, b""
        if buffered.startswith(b"GET "):
            super().data_received(buffered)
            return
        reader = asyncio.StreamReader(limit=MAX_HTTP_BODY)
        reader.feed_data(buffered)
        self._http_reader = reader
        self.sim._spawn(self.sim.serve_http(reader, self.transport))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._http_reader is not None:
            self._http_reader.feed_eof()
        super().connection_lost(exc)


def _select_subprotocol(connection: ServerConnection, subprotocols: Any) -> Any:
    """GA browsers offer ``realtime`` plus a key sub-protocol; echo ``realtime`` like the real server."""
    return "realtime" if "realtime" in subprotocols else None


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                return bytes(out)
            if len(out) + size > MAX_HTTP_BODY:
                raise ValueError("body too large")
            out += await reader.readexactly(size)
            await reader.readline()
    length = int(headers.get("content-length", "0") or 0)
    if length > MAX_HTTP_BODY:
        raise ValueError("body too large")
    return await reader.readexactly(length) if length else b""


def _parse_multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            parts[name] = payload if isinstance(payload, bytes) else b""
    return parts


def _sdp_answer(offer: str) -> str:
    mids = [line.split(":", 1)[1] for line in offer.splitlines() if line.startswith("a=mid:")] or ["0"]
    lines = ["v=0", f"o=- {int(time.time())} 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
             f"a=group:BUNDLE {' '.join(mids)}", "a=msid-semantic: WMS"]
    for mid in mids:
        lines += ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", f"a=mid:{mid}", "a=sendrecv",
                  "a=ice-ufrag:sim0", "a=ice-pwd:simulatorsimulatorsimulat", "a=setup:passive",
                  "a=fingerprint:sha-256 " + ":".join(["AB"] * 32), "a=rtpmap:111 opus/48000/2"]
    return "\r\n".join(lines) + "\r\n"


def _session_response(session: dict[str, Any], expires_at: int) -> dict[str, Any]:
    """The ``session`` of a client_secrets answer, trimmed to what the GA response type declares."""
    if session["type"] == "transcription":
        audio_in = dict(session["audio"]["input"])
        td = audio_in.get("turn_detection")
        if isinstance(td, dict):
            audio_in["turn_detection"] = {k: td[k] for k in ("type", "threshold", "prefix_padding_ms",
                                                              "silence_duration_ms") if k in td}
        return {"id": new_id("sess"), "object": "realtime.transcription_session", "type": "transcription",
                "audio": {"input": audio_in}, "expires_at": expires_at, "include": session.get("include")}
    out = {k: v for k, v in session.items() if k != "parallel_tool_calls"}
    output = (out.get("audio") or {}).get("output") or {}
    if isinstance(output.get("voice"), dict):  # the response type only has voice names
        out = deep_merge(out, {"audio": {"output": {"voice": output["voice"].get("id")}}})
    return {"id": new_id("sess"), "object": "realtime.session", **out, "expires_at": expires_at}


def _describe(entry: dict[str, Any]) -> str:
    kind = entry["kind"]
    if kind in ("server", "client"):
        arrow = "<-" if kind == "server" else "->"
        return f"[{entry['conn']}] {arrow} {entry['event'].get('type')}"
    detail = {k: v for k, v in entry.items() if k not in ("t", "conn", "kind")}
    return f"[{entry['conn']}] {kind} {json.dumps(detail)}"


# ----------------------------------------------------------------------------------------------
# Runners: background thread (in-process tests) and subprocess (apps, CLI)
# ----------------------------------------------------------------------------------------------

def _tls_context(cert: str | Path, key: str | Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


@contextlib.contextmanager
def run_in_thread(**kwargs: Any) -> Iterator[Simulator]:
    """Run a simulator on its own event loop in a daemon thread; it stops on exit or by its timeouts."""
    sim = Simulator(**kwargs)
    ready = threading.Event()
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()

    async def main() -> None:
        try:
            await sim.start()
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        ready.set()
        await sim.wait_stopped()
        leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), name="ga-simulator", daemon=True)
    thread.start()
    if not ready.wait(10) or failure:
        raise RuntimeError(f"simulator failed to start: {failure[0] if failure else 'timeout'}")
    try:
        yield sim
    finally:
        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(sim.stop("context exit"), loop)
            thread.join(10)
        if not thread.is_alive():
            loop.close()


@dataclass
class SimulatorProcess:
    process: subprocess.Popen[str]
    info: dict[str, Any]

    @property
    def port(self) -> int:
        return int(self.info["port"])

    def env(self, api_key: str = "sk-simulator-key", deployment: str = "gpt-realtime") -> dict[str, str]:
        return dict(self.info["env"], OPENAI_API_KEY=api_key, AZURE_OPENAI_API_KEY=api_key,
                    AZURE_OPENAI_DEPLOYMENT=deployment)


@contextlib.contextmanager
def run_subprocess(*, lifetime: float = 60.0, idle_timeout: float = 30.0, log_path: str | Path | None = None,
                   python: str = sys.executable,
                   tls: tuple[str | Path, str | Path] | None = None) -> Iterator[SimulatorProcess]:
    """Start ``python -m realtime_migrate.ga.simulator`` and wait for its ready line."""
    cmd = [python, "-m", "realtime_migrate.ga.simulator", "--port", "0", "--lifetime", str(lifetime),
           "--idle-timeout", str(idle_timeout)]
    if log_path:
        cmd += ["--log-file", str(log_path)]
    if tls:
        cmd += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        line = proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError("simulator subprocess did not start: " + redact(proc.stderr.read() if proc.stderr
                                                                               and proc.poll() is not None else ""))
        yield SimulatorProcess(proc, json.loads(line))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


async def serve_until_stopped(sim: Simulator, on_ready: Callable[[Simulator], None]) -> None:
    """Start, announce, and run until a timeout fires or SIGINT/SIGTERM arrives."""
    await sim.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda s=sig: asyncio.ensure_future(sim.stop(f"signal {s.name}")))
    on_ready(sim)
    await sim.wait_stopped()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m realtime_migrate.ga.simulator",
                                     description="Strict GA Realtime simulator (prints one JSON ready line).")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=300.0)
    parser.add_argument("--idle-timeout", type=float, default=120.0)
    parser.add_argument("--log-file")
    parser.add_argument("--tls-cert", help="PEM certificate: serve https/wss (with --tls-key)")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")

    def ready(sim: Simulator) -> None:
        env = {k: v for k, v in sim.env().items() if not k.endswith("API_KEY")}
        print(redact(json.dumps({"port": sim.port, "http": sim.http_base, "ws": sim.ws_base, "pid": os.getpid(),
                                 "env": env})), flush=True)

    try:
        sim = Simulator(args.host, args.port, lifetime=args.lifetime, idle_timeout=args.idle_timeout,
                        log_path=args.log_file, tls=(args.tls_cert, args.tls_key) if args.tls_cert else None)
    except OSError as exc:  # ssl.SSLError is one
        parser.error(f"cannot load --tls-cert/--tls-key: {exc}")
    asyncio.run(serve_until_stopped(sim, ready))
    return 0


if __name__ == "__main__":
    sys.exit(main())

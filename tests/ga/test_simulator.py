"""The simulator refuses preview shapes exactly like a GA server and accepts GA ones."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime_migrate.ga import audio
from realtime_migrate.ga.errors import BETA_DISABLED_MESSAGE
from realtime_migrate.ga.simulator import Simulator, run_in_thread

from .support import TEST_KEY, check_client_secret_response, check_server_event

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
B5_EVENT_ERROR = {"type": "invalid_request_error", "code": "beta_api_shape_disabled",
                  "message": BETA_DISABLED_MESSAGE, "param": None}
B5_HTTP_BODY = {"error": {"message": BETA_DISABLED_MESSAGE, "type": "invalid_request_error",
                          "code": "beta_api_shape_disabled"}}
PCM = {"type": "audio/pcm", "rate": 24000}


async def _session(url: str, send: list[dict[str, Any]], *, headers: dict[str, str] | None = None,
                   subprotocols: list[str] | None = None, until: str | None = None,
                   quiet: float = 3.0) -> tuple[list[dict[str, Any]], int | None, str | None]:
    """Connect, send events, read until ``until`` arrives, the socket closes, or ``quiet`` seconds pass."""
    received: list[dict[str, Any]] = []
    async with connect(url, additional_headers=headers if headers is not None else AUTH,
                       subprotocols=subprotocols) as ws:  # type: ignore[arg-type]
        try:
            for event in send:
                await ws.send(json.dumps(event))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), quiet))
                received.append(event)
                if event["type"] == until:
                    break
        except (ConnectionClosed, asyncio.TimeoutError):
            pass
        return received, ws.close_code, ws.subprotocol


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


def first_error(sim: Simulator, event: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    received, code, _ = run(_session(url or f"{sim.realtime_url}?model=gpt-realtime", [event], until="error"))
    assert code is None, "a validation error must not close the session"
    errors = [e for e in received if e["type"] == "error"]
    assert errors, f"no error for {event}: {[e['type'] for e in received]}"
    check_server_event(errors[0])
    return errors[0]["error"]  # type: ignore[no-any-return]


def post(url: str, body: bytes | dict[str, Any], headers: dict[str, str] | None = None,
         content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(AUTH if headers is None else headers)})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# --- preview shapes: error event exactly as B5, then close 4000 ------------------------------------

@pytest.mark.parametrize("variant", ["beta-header", "beta-subprotocol", "azure-preview-url"])
def test_preview_websocket_is_refused_with_b5_then_4000(sim: Simulator, variant: str) -> None:
    url, headers, protocols = f"{sim.realtime_url}?model=gpt-4o-realtime-preview", dict(AUTH), None
    if variant == "beta-header":
        headers["OpenAI-Beta"] = "realtime=v1"
    elif variant == "beta-subprotocol":
        headers = {}
        protocols = ["realtime", f"openai-insecure-api-key.{TEST_KEY}", "openai-beta.realtime-v1"]
    else:
        url = f"ws://{sim.origin}/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-4o-realtime-preview"
        headers = {"api-key": "0123456789abcdef0123456789abcdef"}
    received, code, _ = run(_session(url, [], headers=headers, subprotocols=protocols))
    assert code == 4000
    assert len(received) == 1
    event = received[0]
    assert set(event) == {"type", "event_id", "error"} and event["type"] == "error"
    assert event["error"] == B5_EVENT_ERROR
    assert list(event["error"]) == ["type", "code", "message", "param"]
    check_server_event(event)


@pytest.mark.parametrize(("path", "headers", "status"), [
    ("/v1/realtime?model=gpt-realtime", {}, 401),
    ("/v1/realtime?model=gpt-realtime", {"Authorization": "Bearer ek_notMintedByThisServer"}, 401),
    ("/v1/realtime", AUTH, 400),
    ("/v1/realtime?intent=translation", AUTH, 400),
    ("/openai/v1/realtime?model=dep&api-version=2025-04-01-preview", {"api-key": "k" * 32}, 401),
    ("/v1/realtimez?model=gpt-realtime", AUTH, 404),
    ("/realtime?model=gpt-realtime", AUTH, 404),
])
def test_handshake_refusals(sim: Simulator, path: str, headers: dict[str, str], status: int) -> None:
    with pytest.raises(InvalidStatus) as info:
        run(_session(f"ws://{sim.origin}{path}", [], headers=headers))
    assert info.value.response.status_code == status
    assert "error" in json.loads(info.value.response.body)


# --- client event validation ------------------------------------------------------------------------

BETA_SESSION_FIELDS: dict[str, Any] = {
    "modalities": ["text", "audio"], "voice": "alloy", "input_audio_format": "pcm16",
    "output_audio_format": "pcm16", "turn_detection": {"type": "server_vad"},
    "input_audio_transcription": {"model": "whisper-1"}, "input_audio_noise_reduction": {"type": "near_field"},
    "max_response_output_tokens": 512, "temperature": 0.7, "speed": 1.1,
    "client_secret": {"expires_after": {"anchor": "created_at", "seconds": 60}},
}


@pytest.mark.parametrize("field", sorted(BETA_SESSION_FIELDS))
def test_beta_session_fields_are_unknown_parameters(sim: Simulator, field: str) -> None:
    error = first_error(sim, {"type": "session.update", "event_id": "evt_beta_1",
                              "session": {"type": "realtime", field: BETA_SESSION_FIELDS[field]}})
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error", "unknown_parameter", f"session.{field}")
    assert error["event_id"] == "evt_beta_1"
    assert error["message"] == f"Unknown parameter: 'session.{field}'."


@pytest.mark.parametrize("field", ["modalities", "voice", "output_audio_format", "temperature",
                                   "max_response_output_tokens"])
def test_beta_response_fields_are_unknown_parameters(sim: Simulator, field: str) -> None:
    error = first_error(sim, {"type": "response.create", "response": {field: BETA_SESSION_FIELDS.get(field, 1)}})
    assert (error["code"], error["param"]) == ("unknown_parameter", f"response.{field}")


@pytest.mark.parametrize(("event", "code", "param"), [
    ({"type": "session.update", "session": {"output_modalities": ["audio"]}},
     "missing_required_parameter", "session.type"),
    ({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"format": "pcm16"}}}},
     "invalid_type", "session.audio.input.format"),
    ({"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"format": "g711_ulaw"}}}},
     "invalid_type", "session.audio.output.format"),
    ({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"format": {
        "type": "audio/pcm", "rate": 16000}}}}}, "invalid_value", "session.audio.input.format.rate"),
    ({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text", "audio"]}},
     "invalid_value", "session.output_modalities"),
    ({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
        "turn_detection": {"silence_duration_ms": 200}}}}},
     "missing_required_parameter", "session.audio.input.turn_detection.type"),
    ({"type": "session.update", "session": {"type": "transcription", "output_modalities": ["text"]}},
     "unknown_parameter", "session.output_modalities"),
    ({"type": "session.update", "session": {"type": "conversation"}}, "invalid_value", "session.type"),
    ({"type": "transcription_session.update", "session": {"input_audio_format": "pcm16"}},
     "invalid_value", "type"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "assistant",
                                                   "content": [{"type": "text", "text": "hi"}]}},
     "invalid_value", "item.content[0].type"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "assistant",
                                                   "content": [{"type": "audio", "transcript": "hi"}]}},
     "invalid_value", "item.content[0].type"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "user"}},
     "missing_required_parameter", "item.content"),
    ({"type": "response.create", "response": {"output_modalities": ["audio", "text"]}},
     "invalid_value", "response.output_modalities"),
    ({"type": "input_audio_buffer.append", "audio": "not base64!"}, "invalid_value", "audio"),
    ({"type": "input_audio_buffer.commit"}, "input_audio_buffer_commit_empty", None),
    ({"session": {}}, "missing_required_parameter", "type"),
])
def test_invalid_client_events(sim: Simulator, event: dict[str, Any], code: str, param: str | None) -> None:
    error = first_error(sim, event)
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param), error


def test_transcription_intent_rejects_realtime_session_type(sim: Simulator) -> None:
    error = first_error(sim, {"type": "session.update", "session": {"type": "realtime"}},
                        url=f"{sim.realtime_url}?intent=transcription")
    assert (error["code"], error["param"]) == ("invalid_value", "session.type")


def test_invalid_json_is_reported_and_the_session_survives(sim: Simulator) -> None:
    async def go() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async with connect(f"{sim.realtime_url}?model=gpt-realtime", additional_headers=AUTH) as ws:
            await ws.send("{not json")
            await ws.send(json.dumps({"type": "session.update", "session": {"type": "realtime"}}))
            while not out or out[-1]["type"] != "session.updated":
                out.append(json.loads(await ws.recv()))
        return out

    received = run(go())
    assert [e["type"] for e in received] == ["session.created", "error", "session.updated"]
    assert received[1]["error"]["code"] == "invalid_json"


# --- acceptance -------------------------------------------------------------------------------------

def test_accepts_ga_session_and_auth_variants(sim: Simulator) -> None:
    update = {"type": "session.update", "session": {
        "type": "realtime", "output_modalities": ["text"], "instructions": "x",
        "audio": {"input": {"format": PCM, "turn_detection": {"type": "semantic_vad", "eagerness": "low"}},
                  "output": {"voice": {"id": "voice_123"}, "speed": 1.5}}}}
    variants = [
        (f"{sim.realtime_url}?model=gpt-realtime", AUTH, None),
        (f"ws://{sim.origin}/openai/v1/realtime?model=my-deployment", {"api-key": "0123456789abcdef" * 2}, None),
        (f"ws://{sim.origin}/openai/v1/realtime?model=my-deployment&api-key=secretQueryKey123", {}, None),
        (f"{sim.realtime_url}?model=gpt-realtime", {}, ["realtime", f"openai-insecure-api-key.{TEST_KEY}"]),
    ]
    for url, headers, protocols in variants:
        received, code, chosen = run(_session(url, [update], headers=headers, subprotocols=protocols,
                                              until="session.updated"))
        assert [e["type"] for e in received] == ["session.created", "session.updated"], url
        assert received[1]["session"]["output_modalities"] == ["text"]
        if protocols:
            assert chosen == "realtime"
        for event in received:
            check_server_event(event)


def test_transcription_session_flow(sim: Simulator) -> None:
    pcm = audio.speech_like(0.3)
    events: list[dict[str, Any]] = [
        {"type": "session.update", "session": {"type": "transcription", "audio": {"input": {
            "format": PCM, "transcription": {"model": "gpt-4o-mini-transcribe", "language": "en"},
            "noise_reduction": {"type": "near_field"}, "turn_detection": None}}}},
        *({"type": "input_audio_buffer.append", "audio": c} for c in audio.b64_chunks(pcm)),
        {"type": "input_audio_buffer.commit"},
    ]
    received, _, _ = run(_session(f"{sim.realtime_url}?intent=transcription", events,
                                  until="conversation.item.input_audio_transcription.completed"))
    types = [e["type"] for e in received]
    assert types[0] == "session.created" and received[0]["session"]["type"] == "transcription"
    assert types[-1] == "conversation.item.input_audio_transcription.completed"
    assert "conversation.item.input_audio_transcription.delta" in types
    assert received[-1]["transcript"].startswith("Simulated transcript of 0.30 seconds")
    for event in received:
        check_server_event(event)


def test_response_with_item_reference_and_realtime_to_transcription_switch(sim: Simulator) -> None:
    events = [
        {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "id": "item_user1",
                                                      "content": [{"type": "input_text", "text": "ping"}]}},
        {"type": "response.create", "response": {"output_modalities": ["text"], "conversation": "none",
                                                 "input": [{"type": "item_reference", "id": "item_user1"}]}},
    ]
    received, _, _ = run(_session(f"{sim.realtime_url}?model=gpt-realtime", events, until="response.done"))
    done = received[-1]
    assert done["response"]["status"] == "completed"
    assert done["response"]["output"][0]["content"][0] == {"type": "output_text", "text": "You said: ping"}
    switch = {"type": "session.update", "session": {"type": "transcription"}}
    received, _, _ = run(_session(f"{sim.realtime_url}?model=gpt-realtime", [switch], until="session.updated"))
    assert received[-1]["session"]["type"] == "transcription"


# --- HTTP on the same port --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/realtime/sessions", "/v1/realtime/transcription_sessions",
                                  "/openai/realtimeapi/sessions?api-version=2025-04-01-preview"])
def test_preview_rest_paths_answer_400_beta_api_shape_disabled(sim: Simulator, path: str) -> None:
    status, _, body = post(f"http://{sim.origin}{path}", {"model": "gpt-4o-realtime-preview", "voice": "alloy"})
    assert status == 400
    assert json.loads(body) == B5_HTTP_BODY


def test_beta_sdp_post_answers_400(sim: Simulator) -> None:
    status, _, body = post(f"{sim.http_base}/realtime?model=gpt-4o-realtime-preview", b"v=0\r\n",
                           content_type="application/sdp")
    assert (status, json.loads(body)) == (400, B5_HTTP_BODY)


@pytest.mark.parametrize("path", ["/v1/realtime/client_secrets", "/openai/v1/realtime/client_secrets"])
def test_client_secrets_ga_shape(sim: Simulator, path: str) -> None:
    body = {"expires_after": {"anchor": "created_at", "seconds": 300},
            "session": {"type": "realtime", "model": "gpt-realtime", "output_modalities": ["audio"],
                        "audio": {"output": {"voice": "marin", "format": PCM}}}}
    headers = AUTH if path.startswith("/v1") else {"api-key": "0123456789abcdef" * 2}
    before = int(time.time())
    status, _, raw = post(f"http://{sim.origin}{path}", body, headers)
    answer = json.loads(raw)
    assert status == 200, answer
    assert set(answer) == {"value", "expires_at", "session"}
    assert answer["value"].startswith("ek_")
    assert before + 300 <= answer["expires_at"] <= int(time.time()) + 300
    assert answer["session"]["audio"]["output"]["voice"] == "marin"
    check_client_secret_response(answer)


@pytest.mark.parametrize(("body", "code", "param"), [
    ({"session": {"model": "gpt-realtime"}}, "missing_required_parameter", "session.type"),
    ({"model": "gpt-realtime", "voice": "alloy"}, "unknown_parameter", "model"),
    ({"session": {"type": "realtime", "voice": "alloy"}}, "unknown_parameter", "session.voice"),
    ({"expires_after": {"anchor": "created_at", "seconds": 5}, "session": {"type": "realtime"}},
     "integer_below_min_value", "expires_after.seconds"),
])
def test_client_secrets_body_is_validated(sim: Simulator, body: dict[str, Any], code: str, param: str) -> None:
    status, _, raw = post(f"{sim.http_base}/realtime/client_secrets", body)
    error = json.loads(raw)["error"]
    assert (status, error["code"], error["param"]) == (400, code, param)


def test_http_auth_json_and_unknown_paths(sim: Simulator) -> None:
    assert post(f"{sim.http_base}/realtime/client_secrets", {"session": {"type": "realtime"}}, {})[0] == 401
    status, _, raw = post(f"{sim.http_base}/realtime/client_secrets", b"{oops")
    assert status == 400 and json.loads(raw)["error"]["code"] == "invalid_json"
    assert post(f"{sim.http_base}/chat/completions", {"model": "x"})[0] == 404
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"http://{sim.origin}/v1/models", timeout=5)
    assert info.value.code == 404


def test_calls_answers_201_with_sdp_and_location(sim: Simulator) -> None:
    offer = b"v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=mid:0\r\n"
    status, headers, body = post(f"{sim.http_base}/realtime/calls", offer, content_type="application/sdp")
    assert status == 201
    assert headers["Content-Type"] == "application/sdp"
    assert body.startswith(b"v=0") and b"a=mid:0" in body
    call_id = headers["Location"].rsplit("/", 1)[1]
    received, code, _ = run(_session(f"{sim.realtime_url}?call_id={call_id}", [], until="session.created"))
    assert received[0]["type"] == "session.created" and code is None
    assert post(f"{sim.http_base}/realtime/calls", b"hello", content_type="application/sdp")[0] == 400


# --- lifecycle and logging --------------------------------------------------------------------------

def test_binds_loopback_and_stops_by_itself(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    with run_in_thread(lifetime=30, idle_timeout=1.5, log_path=log) as idle:
        assert idle.host == "127.0.0.1"
        received, code, _ = run(_session(f"{idle.realtime_url}?model=gpt-realtime",
                                         [{"type": "session.update", "session": {"modalities": ["text"]}}],
                                         headers={**AUTH, "OpenAI-Beta": "realtime=v1"}))
        deadline = time.monotonic() + 10
        while idle.stop_reason is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert idle.stop_reason is not None and "idle" in idle.stop_reason
        with pytest.raises(OSError):
            run(_session(f"{idle.realtime_url}?model=gpt-realtime", []))
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    kinds = [e["kind"] for e in lines]
    assert {"start", "handshake", "refused", "server", "closed", "stop"} <= set(kinds)
    assert all(e["conn"] == "ws1" for e in lines if e["kind"] in ("handshake", "refused", "closed"))
    with run_in_thread(lifetime=0.3, idle_timeout=None) as short:
        deadline = time.monotonic() + 5
        while short.stop_reason is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert short.stop_reason is not None and "lifetime" in short.stop_reason


def test_log_records_violations_per_connection(sim: Simulator) -> None:
    first_error(sim, {"type": "session.update", "event_id": "evt_logged",
                      "session": {"type": "realtime", "temperature": 0.5}})
    violations = [e for e in sim.violations() if e["kind"] == "violation" and e.get("param") == "session.temperature"]
    assert violations and violations[-1]["code"] == "unknown_parameter"
    conn = violations[-1]["conn"]
    assert [e["kind"] for e in sim.snapshot() if e["conn"] == conn][:2] == ["handshake", "server"]


def test_unrelated_openai_beta_values_are_not_refused(sim: Simulator) -> None:
    received, code, _ = run(_session(f"{sim.realtime_url}?model=gpt-realtime", [],
                                     headers={**AUTH, "OpenAI-Beta": "assistants=v2"}, until="session.created"))
    assert [e["type"] for e in received] == ["session.created"] and code is None


def test_second_response_while_one_is_active_is_an_error(sim: Simulator) -> None:
    received, _, _ = run(_session(f"{sim.realtime_url}?model=gpt-realtime",
                                  [{"type": "response.create"}, {"type": "response.create", "event_id": "evt_2"}],
                                  until="response.done"))
    errors = [e["error"] for e in received if e["type"] == "error"]
    assert [(e["code"], e.get("event_id")) for e in errors] == [("conversation_already_has_active_response", "evt_2")]
    assert received[-1]["response"]["status"] == "completed"

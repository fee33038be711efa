"""The openai SDK's own GA client completes against the simulator; its beta client is refused."""

from __future__ import annotations

import asyncio
import base64

from openai import AsyncOpenAI

from realtime_migrate.ga import audio
from realtime_migrate.ga.simulator import Simulator

from .support import TEST_KEY, check_client_secret_response, check_server_event

GA_SESSION = {
    "type": "realtime",
    "output_modalities": ["audio"],
    "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": None},
              "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}},
}


def _client(sim: Simulator) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=TEST_KEY, base_url=sim.http_base, websocket_base_url=sim.ws_base, max_retries=0)


def test_sdk_ga_connect_audio_round_trip(sim: Simulator) -> None:
    async def go() -> tuple[bytes, list[str], str | None]:
        out = bytearray()
        seen: list[str] = []
        async with _client(sim).realtime.connect(model="gpt-realtime") as conn:
            await conn.session.update(session=GA_SESSION)  # type: ignore[arg-type]
            for chunk in audio.b64_chunks(audio.speech_like(0.5)):
                await conn.input_audio_buffer.append(audio=chunk)
            await conn.input_audio_buffer.commit()
            await conn.response.create()
            async for event in conn:
                seen.append(event.type)
                check_server_event(event.model_dump(mode="json", exclude_unset=True))
                if event.type == "response.output_audio.delta":
                    out += base64.b64decode(event.delta)
                if event.type == "error":
                    raise AssertionError(event.error.message)
                if event.type == "response.done":
                    return bytes(out), seen, event.response.status
        raise AssertionError("connection ended before response.done")

    pcm, seen, status = asyncio.run(asyncio.wait_for(go(), 20))
    assert status == "completed"
    assert len(pcm) == audio.BYTES_PER_MS * 500
    assert seen[:2] == ["session.created", "session.updated"]
    assert "response.output_audio_transcript.delta" in seen


def test_sdk_beta_connect_is_refused(sim: Simulator) -> None:
    async def go() -> tuple[list[object], Exception | None]:
        events: list[object] = []
        try:
            async with _client(sim).beta.realtime.connect(model="gpt-4o-realtime-preview") as conn:
                async for event in conn:
                    events.append(event)
        except Exception as exc:  # the SDK raises on the 4000 close
            return events, exc
        return events, None

    events, exc = asyncio.run(asyncio.wait_for(go(), 20))
    assert len(events) == 1
    error = events[0].error  # type: ignore[attr-defined]
    assert (error.type, error.code, error.param) == ("invalid_request_error", "beta_api_shape_disabled", None)
    assert error.message == "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API."
    assert exc is not None and "4000" in str(exc)


def test_sdk_client_secrets_and_calls(sim: Simulator) -> None:
    async def go() -> None:
        client = _client(sim)
        secret = await client.realtime.client_secrets.create(
            expires_after={"anchor": "created_at", "seconds": 120},
            session={"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": "cedar"}}})
        check_client_secret_response(secret.model_dump(mode="json", exclude_unset=True))
        assert secret.value.startswith("ek_") and secret.session.type == "realtime"
        ephemeral = AsyncOpenAI(api_key=secret.value, base_url=sim.http_base, websocket_base_url=sim.ws_base)
        async with ephemeral.realtime.connect(model="gpt-realtime") as conn:
            created = await conn.recv()
            assert created.type == "session.created"
            assert created.session.audio.output.voice == "cedar"  # type: ignore[union-attr]
        answer = await client.realtime.calls.with_raw_response.create(
            sdp="v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=mid:0\r\n", session=GA_SESSION)  # type: ignore[arg-type]
        assert answer.http_response.status_code == 201
        assert answer.http_response.headers["location"].startswith("/v1/realtime/calls/rtc_")
        assert (await answer.http_response.aread()).startswith(b"v=0")

    asyncio.run(asyncio.wait_for(go(), 20))

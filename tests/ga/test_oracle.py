"""The openai package's GA types as the oracle: everything the reference client sends and
everything the simulator sends must validate, with no field the GA types do not declare."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_migrate.ga import audio
from realtime_migrate.ga.client import (
    RealtimeClient,
    RealtimeServerError,
    RoundTrip,
    mint_client_secret,
    openai_endpoint,
    realtime_session,
    round_trip,
)
from realtime_migrate.ga.simulator import Simulator

from .support import TEST_KEY, check_client_event, check_client_secret_response, check_server_event

FULL_SESSION: dict[str, Any] = {
    "type": "realtime",
    "model": "gpt-realtime",
    "instructions": "Be brief.",
    "output_modalities": ["audio"],
    "max_output_tokens": 800,
    "include": ["item.input_audio_transcription.logprobs"],
    "tool_choice": {"type": "function", "name": "get_weather"},
    "tools": [{"type": "function", "name": "get_weather", "description": "Weather by city",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}],
    "tracing": {"workflow_name": "oracle", "group_id": "g1"},
    "truncation": {"type": "retention_ratio", "retention_ratio": 0.8},
    "audio": {
        "input": {"format": {"type": "audio/pcm", "rate": 24000}, "noise_reduction": {"type": "far_field"},
                  "transcription": {"model": "gpt-4o-transcribe", "language": "en", "prompt": "names"},
                  "turn_detection": {"type": "semantic_vad", "eagerness": "high", "create_response": False}},
        "output": {"format": {"type": "audio/pcmu"}, "voice": "cedar", "speed": 1.2},
    },
}


async def _exercise(client: RealtimeClient) -> None:
    """Touch every GA client event type and most server event types."""
    await client.connect()
    await client.update_session(FULL_SESSION)
    await client.update_session(realtime_session(vad=True))
    await client.append_audio(audio.tone(0.4) + audio.silence(0.5))
    await client.wait_for("response.done")
    g711 = await client.create_response(RoundTrip(), {"audio": {"output": {"format": {"type": "audio/pcma"}}}})
    assert len(g711.output_audio) == 8 * 500  # 8 kHz, one byte per sample
    await client.send({"type": "conversation.item.create", "item": {
        "type": "message", "role": "system", "content": [{"type": "input_text", "text": "Speak French."}]}})
    await client.wait_for("conversation.item.done")
    await client.send({"type": "conversation.item.create", "item": {
        "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Bonjour."}]}})
    assistant = (await client.wait_for("conversation.item.done"))["item"]
    await client.send({"type": "conversation.item.create", "item": {
        "type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}})
    await client.send({"type": "conversation.item.create", "item": {
        "type": "function_call_output", "call_id": "call_1", "output": "{\"temp\": 21}"}})
    await client.send({"type": "conversation.item.retrieve", "item_id": assistant["id"]})
    await client.wait_for("conversation.item.retrieved")
    await client.send({"type": "conversation.item.truncate", "item_id": assistant["id"], "content_index": 0,
                       "audio_end_ms": 100})
    await client.wait_for("conversation.item.truncated")
    await client.send({"type": "conversation.item.delete", "item_id": assistant["id"]})
    await client.wait_for("conversation.item.deleted")
    await client.append_audio(audio.tone(0.1))
    await client.send({"type": "input_audio_buffer.clear"})
    await client.wait_for("input_audio_buffer.cleared")
    await client.send({"type": "output_audio_buffer.clear"})
    result = RoundTrip()
    await client.create_response(result, {
        "output_modalities": ["text"], "conversation": "none", "metadata": {"topic": "oracle"},
        "instructions": "Answer in text.", "max_output_tokens": "inf",
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}],
        "audio": {"output": {"voice": {"id": "voice_1234"}}}})
    assert result.text == "You said: Hi"
    await client.send({"type": "response.create"})
    await client.send({"type": "response.cancel"})
    cancelled = await client.wait_for("response.done")
    assert cancelled["response"]["status"] in ("cancelled", "completed")
    with pytest.raises(RealtimeServerError):  # an error event must validate too
        await client.commit()
    await client.close()


def test_every_event_validates_against_the_openai_ga_types(sim: Simulator) -> None:
    endpoint = openai_endpoint(TEST_KEY, base_url=sim.ws_base)
    clients = [RealtimeClient(endpoint, timeout=10) for _ in range(4)]

    async def scenario() -> None:
        await _exercise(clients[0])
        await round_trip(endpoint, client=clients[1], timeout=10)
        await round_trip(endpoint, client=clients[2], text_only=True, timeout=10)
        await round_trip(openai_endpoint(TEST_KEY, base_url=sim.ws_base, intent="transcription"),
                         client=clients[3], transcription=True, timeout=10)

    asyncio.run(scenario())
    sent = [e for c in clients for e in c.sent]
    received = [e for c in clients for e in c.received]
    for event in sent:
        check_client_event(event)
    for event in received:
        check_server_event(event)
    client_types = {e["type"] for e in sent}
    server_types = {e["type"] for e in received}
    assert len(client_types) == 11, sorted(client_types)
    assert {"session.created", "session.updated", "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped", "input_audio_buffer.committed", "input_audio_buffer.cleared",
            "conversation.item.added", "conversation.item.done", "conversation.item.retrieved",
            "conversation.item.truncated", "conversation.item.deleted", "response.created",
            "response.output_item.added", "response.content_part.added", "response.output_audio.delta",
            "response.output_audio_transcript.delta", "response.output_audio.done",
            "response.output_audio_transcript.done", "response.output_text.delta", "response.output_text.done",
            "response.content_part.done", "response.output_item.done", "response.done", "rate_limits.updated",
            "conversation.item.input_audio_transcription.delta",
            "conversation.item.input_audio_transcription.completed", "error"} <= server_types


def test_client_secret_answers_validate(sim: Simulator) -> None:
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    for session in (FULL_SESSION, {"type": "transcription", "audio": {"input": {
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 400}}}},
            {**realtime_session(), "audio": {"output": {"voice": {"id": "voice_42"}}}}):
        answer = mint_client_secret(sim.http_base, headers, session, expires_after_s=60)
        check_client_secret_response(answer)
        assert answer["value"].startswith("ek_")
        assert answer["session"]["type"] == session["type"]

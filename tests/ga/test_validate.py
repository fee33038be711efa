"""The simulator's own GA schema agrees with the openai package's GA types (property-based)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_migrate.ga.validate import GA_CLIENT_EVENT_TYPES, validate_client_event

from .support import check_client_event

FORMATS = st.sampled_from([{"type": "audio/pcm", "rate": 24000}, {"type": "audio/pcmu"}, {"type": "audio/pcma"}])
TURN_DETECTION = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.just("server_vad")}, optional={
        "threshold": st.floats(0, 1), "silence_duration_ms": st.integers(0, 2000),
        "prefix_padding_ms": st.integers(0, 1000), "create_response": st.booleans(),
        "interrupt_response": st.booleans(), "idle_timeout_ms": st.none() | st.integers(5000, 30000)}),
    st.fixed_dictionaries({"type": st.just("semantic_vad")}, optional={
        "eagerness": st.sampled_from(["low", "medium", "high", "auto"]), "create_response": st.booleans()}),
)
TRANSCRIPTION = st.fixed_dictionaries({"model": st.sampled_from(["whisper-1", "gpt-4o-transcribe"])},
                                                  optional={"language": st.sampled_from(["en", "fr"]),
                                                            "prompt": st.text(max_size=10)})
AUDIO_INPUT = st.fixed_dictionaries({}, optional={
    "format": FORMATS, "turn_detection": TURN_DETECTION, "transcription": TRANSCRIPTION,
    "noise_reduction": st.fixed_dictionaries({"type": st.sampled_from(["near_field", "far_field"])})})
REALTIME = st.fixed_dictionaries({"type": st.just("realtime")}, optional={
    "output_modalities": st.sampled_from([["audio"], ["text"]]),
    "instructions": st.text(max_size=20),
    "model": st.sampled_from(["gpt-realtime", "my-azure-deployment"]),
    "max_output_tokens": st.integers(1, 4096) | st.just("inf"),
    "audio": st.fixed_dictionaries({}, optional={
        "input": AUDIO_INPUT,
        "output": st.fixed_dictionaries({}, optional={
            "format": FORMATS, "speed": st.floats(0.25, 1.5),
            "voice": st.sampled_from(["alloy", "marin", "cedar"]) | st.builds(lambda n: {"id": f"voice_{n}"},
                                                                               st.integers(0, 99))})}),
    "tool_choice": st.sampled_from(["auto", "none", "required"]),
    "tools": st.lists(st.fixed_dictionaries({"type": st.just("function"), "name": st.sampled_from(["a", "b"]),
                                             "parameters": st.just({"type": "object"})}), max_size=2),
    "tracing": st.none() | st.just("auto"),
    "truncation": st.sampled_from(["auto", "disabled"]),
})
TRANSCRIPTION_SESSION = st.fixed_dictionaries({"type": st.just("transcription")}, optional={
    "audio": st.fixed_dictionaries({}, optional={"input": AUDIO_INPUT}),
    "include": st.just(["item.input_audio_transcription.logprobs"])})
BETA_FIELDS: dict[str, Any] = {
    "modalities": ["audio", "text"], "voice": "alloy", "input_audio_format": "pcm16",
    "output_audio_format": "g711_ulaw", "turn_detection": None, "input_audio_transcription": {"model": "whisper-1"},
    "input_audio_noise_reduction": None, "max_response_output_tokens": "inf", "temperature": 0.6,
}


@settings(max_examples=60, deadline=None)
@given(session=REALTIME | TRANSCRIPTION_SESSION)
def test_generated_ga_sessions_pass_both_validators(session: dict[str, Any]) -> None:
    event = {"type": "session.update", "session": session}
    assert validate_client_event(event) is None
    check_client_event(event)


@settings(max_examples=60, deadline=None)
@given(session=REALTIME, field=st.sampled_from(sorted(BETA_FIELDS)))
def test_any_beta_field_is_rejected(session: dict[str, Any], field: str) -> None:
    violation = validate_client_event({"type": "session.update", "session": {**session, field: BETA_FIELDS[field]}})
    assert violation is not None and violation.code == "unknown_parameter"
    assert violation.param == f"session.{field}"


def test_null_noise_reduction_and_transcription_are_accepted() -> None:
    """GA docstrings say ``audio.input.noise_reduction`` and ``audio.input.transcription`` "can be set to null
    to turn off" (SessionUpdateEventParam even shows the JSON) and the pydantic models allow it, but the
    TypedDict params declare both non-nullable. The simulator follows the documented behaviour."""
    from openai.types.realtime import SessionUpdateEvent

    for field in ("noise_reduction", "transcription"):
        event = {"type": "session.update", "session": {"type": "realtime", "audio": {"input": {field: None}}}}
        assert validate_client_event(event) is None
        SessionUpdateEvent.model_validate(event)


def test_event_type_list_matches_the_openai_union() -> None:
    import typing

    from openai.types.realtime import RealtimeClientEvent

    union = typing.get_args(typing.get_args(RealtimeClientEvent)[0])
    names = {typing.get_args(cls.model_fields["type"].annotation)[0] for cls in union}
    assert names == set(GA_CLIENT_EVENT_TYPES)

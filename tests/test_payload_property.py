"""Property test of the payload rules: any preview session / response payload, in any of the layouts
the rules support, is fixed into code that compiles, is stable under a second `fix`, keeps
every comment, and holds a payload that the openai package's GA types accept.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_payload_oracle import RULES, validate

from realtime_migrate import engine
from realtime_migrate.ga.validate import validate_client_event

pytest.importorskip("openai.types.realtime")

SESSION_VALUES: dict[str, list[Any]] = {
    "modalities": [["text"], ["audio"], ["text", "audio"], ["audio", "text"]],
    "voice": ["alloy", "verse"],
    "speed": [1.1],
    "input_audio_format": ["pcm16", "g711_ulaw", "g711_alaw"],
    "output_audio_format": ["pcm16", "g711_ulaw"],
    "input_audio_transcription": [{"model": "whisper-1"}, {"model": "gpt-4o-transcribe", "language": "en"}],
    # `null` is not accepted by the GA *Param type of noise_reduction (only by the model type).
    "input_audio_noise_reduction": [{"type": "near_field"}],
    "turn_detection": [{"type": "server_vad", "threshold": 0.5}, {"silence_duration_ms": 300}, None,
                       {"type": "semantic_vad", "eagerness": "low"}],
    "instructions": ["Be brief."],
    "tools": [[]],
    "tool_choice": ["auto", "get_weather"],
    "temperature": [0.7],
    "max_response_output_tokens": [100, "inf"],
    "tracing": ["auto"],
    "client_secret": [{"expires_after": {"anchor": "created_at", "seconds": 60}}],
}
TRANSCRIPTION_VALUES: dict[str, list[Any]] = {
    "input_audio_format": ["pcm16", "g711_alaw"],
    "input_audio_transcription": [{"model": "gpt-4o-transcribe", "prompt": "", "language": "en"}],
    "input_audio_noise_reduction": [{"type": "far_field"}],
    "turn_detection": [{"type": "server_vad", "silence_duration_ms": 500}, {"prefix_padding_ms": 200}, None],
    "include": [["item.input_audio_transcription.logprobs"]],
    "modalities": [["text"]],
    "client_secret": [{"expires_at": {"anchor": "created_at", "seconds": 60}}],
}
RESPONSE_VALUES: dict[str, list[Any]] = {
    "modalities": SESSION_VALUES["modalities"],
    "voice": ["ash"],
    "output_audio_format": ["pcm16", "g711_alaw"],
    "temperature": [0.9],
    "max_response_output_tokens": [50],
    "instructions": ["x"],
    "conversation": ["none"],
}


def _fields(table: dict[str, list[Any]]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    keys = st.lists(st.sampled_from(sorted(table)), min_size=1, max_size=len(table), unique=True)
    return keys.flatmap(lambda ks: st.tuples(*[st.sampled_from(table[k]) for k in ks]).map(
        lambda vs: list(zip(ks, vs, strict=True))))


def _py(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else json.dumps(value)


def _dict_code(fields: list[tuple[str, Any]], multiline: bool, indent: str, trailing: bool, comments: bool) -> str:
    if not multiline:
        return "{" + ", ".join(f'"{k}": {_py(v)}' for k, v in fields) + "}"
    inner = indent + "    "
    lines = []
    for i, (k, v) in enumerate(fields):
        comma = "," if i < len(fields) - 1 or trailing else ""
        note = f"  # note {i}" if comments and i % 2 == 0 else ""
        lines.append(f'{inner}"{k}": {_py(v)}{comma}{note}')
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


@st.composite
def programs(draw: st.DrawFn) -> str:
    which = draw(st.sampled_from(["session", "response", "transcription"]))
    fields = draw(_fields({"session": SESSION_VALUES, "response": RESPONSE_VALUES,
                           "transcription": TRANSCRIPTION_VALUES}[which]))
    if which == "session" and draw(st.booleans()):
        fields.insert(0, ("type", "realtime"))
    multiline = draw(st.booleans())
    trailing = draw(st.booleans())
    comments = multiline and draw(st.booleans())
    shape = draw(st.sampled_from(["event", "sdk", "variable"]))
    nested = draw(st.booleans())
    indent = "        " if nested else "    "
    body = _dict_code(fields, multiline, indent, trailing, comments)
    event, key = {"session": ("session.update", "session"), "response": ("response.create", "response"),
                  "transcription": ("transcription_session.update", "session")}[which]
    method = {"session": "conn.session.update", "response": "conn.response.create",
              "transcription": "conn.transcription_session.update"}[which]
    if shape == "event":
        stmt = f'ws.send(json.dumps({{"type": "{event}", "{key}": {body}}}))'
    elif shape == "sdk":
        stmt = f"{method}({key}={body})"
    else:
        stmt = f"payload = {body}\n{indent}{method}({key}=payload)"
    head = "import json\n\n\ndef send(ws, conn):\n"
    if nested:
        head += "    if conn:\n"
    return f"{head}{indent}{stmt}\n"


class _Recorder:
    """Stands in for a websocket and an SDK connection: records what the program sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.session = type("S", (), {"update": lambda _, session: self.sent.append(
            {"type": "session.update", "session": session})})()
        self.response = type("R", (), {"create": lambda _, response: self.sent.append(
            {"type": "response.create", "response": response})})()

    def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_any_preview_payload_is_fixed_into_valid_ga(source: str) -> None:
    safe = engine.fix_text("case.py", source, RULES).text
    for line in source.splitlines():
        if "#" in line:
            assert line[line.index("#"):] in safe, "comment lost by a safe fix"
    fixed = engine.fix_text("case.py", source, RULES, unsafe=True).text
    compile(fixed, "<fixed>", "exec")
    assert engine.fix_text("case.py", fixed, RULES, unsafe=True).text == fixed, "not idempotent"
    if any(not f.is_note for f in engine.analyse("case.py", fixed, RULES)):
        return  # a deliberately unfixable (reported) case
    namespace: dict[str, Any] = {}
    exec(compile(fixed, "<fixed>", "exec"), namespace)  # noqa: S102 - generated test program
    recorder = _Recorder()
    namespace["send"](recorder, recorder)
    assert len(recorder.sent) == 1, fixed
    validate(recorder.sent[0])
    assert validate_client_event(recorder.sent[0]) is None, recorder.sent[0]

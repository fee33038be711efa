"""The pure reshaping functions of `matchers/ga_session.py` (a contract with the SDK-surface rules)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from realtime_migrate.matchers import ga_session as ga


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _session(src: str, **kw) -> ga.Reshape:  # type: ignore[no-untyped-def]
    node = cst.parse_expression(src)
    assert isinstance(node, cst.Dict)
    return ga.reshape_session(node, **kw)


def test_one_line_session_is_fully_reshaped() -> None:
    r = _session('{"modalities": ["text", "audio"], "voice": "alloy", "input_audio_format": "pcm16", '
                 '"temperature": 0.8, "max_response_output_tokens": "inf"}')
    assert ast.literal_eval(_code(r.dict)) == {
        "type": "realtime", "output_modalities": ["audio"], "max_output_tokens": "inf",
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}, "output": {"voice": "alloy"}},
    }
    assert "\n" not in _code(r.dict)
    assert {(c.key, c.action) for c in r.changes} >= {("type", "added"), ("temperature", "removed"),
                                                      ("voice", "moved"), ("modalities", "reshaped")}


def test_multiline_layout_and_comments_are_kept() -> None:
    src = '{\n    "instructions": "x",  # keep\n    "voice": "alloy",  # warm\n    "speed": 1.1,\n}'
    out = _code(_session(src, ensure_type=False).dict)
    assert out == ('{\n    "instructions": "x",  # keep\n    "audio": {\n        "output": {\n'
                   '            "voice": "alloy",  # warm\n            "speed": 1.1,\n        },\n    },\n}')


def test_existing_audio_is_merged_into_and_conflicts_are_unsafe() -> None:
    r = _session('{"type": "realtime", "voice": "a", "audio": {"output": {"voice": "b"}, "input": {}}, '
                 '"input_audio_format": "g711_ulaw"}')
    assert ast.literal_eval(_code(r.dict)) == {
        "type": "realtime", "audio": {"output": {"voice": "b"}, "input": {"format": {"type": "audio/pcmu"}}}}
    assert r.unsafe


@pytest.mark.parametrize("value,expected", [
    ('["text"]', ["text"]), ('["audio"]', ["audio"]),
    ('["text", "audio"]', ["audio"]), ('["audio", "text"]', ["audio"]),
])
def test_modalities_value_rule(value: str, expected: list[str]) -> None:
    r = _session(f'{{"type": "realtime", "modalities": {value}}}')
    assert ast.literal_eval(_code(r.dict))["output_modalities"] == expected


def test_non_literal_values_are_left_and_listed() -> None:
    r = _session('{"type": "realtime", "input_audio_format": fmt, "modalities": mods}')
    assert {c.key for c in r.left} == {"input_audio_format", "modalities"}
    assert not r.changes and r.dict is not None


def test_transcription_shape() -> None:
    r = _session('{"input_audio_format": "pcm16", "input_audio_transcription": {"model": "whisper-1"}, '
                 '"turn_detection": {"threshold": 0.3}, "modalities": ["text"], "include": ["x"], '
                 '"client_secret": {"expires_at": {"seconds": 60}}}', kind="transcription")
    assert ast.literal_eval(_code(r.dict)) == {
        "type": "transcription", "include": ["x"],
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": {"model": "whisper-1"},
                            "turn_detection": {"type": "server_vad", "threshold": 0.3}}},
    }


def test_client_secret_hoist_for_ephemeral_key_bodies() -> None:
    r = _session('{"type": "realtime", "client_secret": {"expires_after": {"anchor": "created_at"}}}',
                 client_secret="hoist")
    assert [c.action for c in r.changes] == ["hoist"]
    assert "client_secret" in _code(r.dict)


def test_response_reshape() -> None:
    node = cst.parse_expression('{"modalities": ["text"], "voice": "ash", "output_audio_format": "g711_alaw", '
                                '"temperature": 1}')
    assert isinstance(node, cst.Dict)
    assert ast.literal_eval(_code(ga.reshape_response(node).dict)) == {
        "output_modalities": ["text"], "audio": {"output": {"voice": "ash", "format": {"type": "audio/pcma"}}}}


def test_nothing_to_do_returns_the_same_node() -> None:
    node = cst.parse_expression('{"type": "realtime", "audio": {"output": {"voice": "marin"}}}')
    assert isinstance(node, cst.Dict)
    r = ga.reshape_session(node)
    assert r.dict is node and not r.changed


def test_session_kind_heuristic() -> None:
    only_transcription = cst.parse_expression('{"input_audio_transcription": {"model": "whisper-1"}}')
    assert isinstance(only_transcription, cst.Dict)
    assert ga.session_kind(only_transcription) == "realtime"
    assert ga.session_kind(only_transcription, transcription_flow=True) == "transcription"
    assert ga.is_ambiguous_kind(only_transcription)
    with_voice = cst.parse_expression('{"voice": "x", "input_audio_transcription": {}}')
    assert isinstance(with_voice, cst.Dict)
    assert ga.session_kind(with_voice, transcription_flow=True) == "realtime"


def test_dict_from_kwargs_and_with_type() -> None:
    call = cst.parse_expression('f(voice="alloy", modalities=["text"])')
    assert isinstance(call, cst.Call)
    d = ga.dict_from_kwargs(call.args)
    assert d is not None and _code(d) == '{"voice": "alloy", "modalities": ["text"]}'
    assert _code(ga.with_type(d, "realtime")) == '{"type": "realtime", "voice": "alloy", "modalities": ["text"]}'
    star = cst.parse_expression("f(**kw)")
    assert isinstance(star, cst.Call) and ga.dict_from_kwargs(star.args) is None

"""RTM012: `transcription_session.update` was removed; GA uses `session.update` with `type: "transcription"`."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM012",
    name="transcription-session",
    summary="`transcription_session.update` (event or SDK call) no longer exists in GA.",
    message="`transcription_session.update` was removed in GA",
    matcher="session_payload",
    triggers=("transcription_session.update",),
    references=("C1", "ET1", "ET2", "ET3", "ET4", "ET5", "ET6", "ET7", "ET8", "ET9", "G8", "A2"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds `{"type": "transcription_session.update", "session": {...}}` event dicts (also built in
steps, or with `dict(type=..., session=...)`) and the SDK's
`conn.transcription_session.update(session={...})`, and rewrites them to `session.update` with a GA
transcription session: `"type": "transcription"` first, `input_audio_format`,
`input_audio_transcription`, `input_audio_noise_reduction`, `turn_detection` under `audio.input`
(format names become format objects; a `turn_detection` object gets `"type": "server_vad"` when it
has none), `include` kept, `modalities` and `client_secret` removed. A
`"transcription_session.update"` literal anywhere else (a constant, a comparison) is reported.
""",
    why="""
GA has no `transcription_session.update` client event and the GA SDK connection has no
`transcription_session` attribute: a GA server answers the event with an error, so transcription
is never configured.
""",
    example="""
await ws.send(json.dumps({"type": "transcription_session.update", "session": {
    "input_audio_format": "pcm16", "input_audio_transcription": {"model": "gpt-4o-transcribe"}}}))
""",
    use_instead="""
await ws.send(json.dumps({"type": "session.update", "session": {"type": "transcription", "audio": {"input": {
    "format": {"type": "audio/pcm", "rate": 24000}, "transcription": {"model": "gpt-4o-transcribe"}}}}}))
""",
    fix_safety="""
Safe: the event name and the payload are rewritten together, so the result is a complete GA
transcription session; removing `modalities` drops nothing a transcription session could use, and a
transcription session's `client_secret` expiry has no meaning on an open WebSocket. No fix when the
payload cannot be followed (a parameter, a call result), when a format value is not a literal, or
when the name appears outside an event (what consumes it cannot be seen): the finding gives the GA
form.
""",
    examples=(
        Example(
            before='EVENT = {"type": "transcription_session.update", "session": {"input_audio_format": "g711_ulaw"}}\n',
            after='EVENT = {"type": "session.update", "session": {"type": "transcription", "audio": {"input": '
                  '{"format": {"type": "audio/pcmu"}}}}}\n',
        ),
        Example(
            before='await conn.transcription_session.update(session={"include": '
                   '["item.input_audio_transcription.logprobs"]})\n',
            after='await conn.session.update(session={"type": "transcription", "include": '
                  '["item.input_audio_transcription.logprobs"]})\n',
        ),
        Example(before='KIND = "transcription_session.update"\n', after=None),
    ),
)

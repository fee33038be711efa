"""RTM010: a session payload without the GA-required `session.type` (E1, C2, J17)."""

from realtime_migrate.protocol import PREVIEW_FIELD_TRIGGERS, REALTIME_MARKERS, quoted
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM010",
    name="session-type-missing",
    summary="A `session.update` / `client_secrets.create` session has no `type`; GA rejects it.",
    message="Session payload has no `type`",
    matcher="session_payload",
    triggers=(*quoted("session.update"), "client_secrets", *PREVIEW_FIELD_TRIGGERS),
    # Field names alone are not enough: the file must speak the Realtime protocol (chat completions audio
    # asks for `modalities` too).
    context=(REALTIME_MARKERS,),
    references=("E1", "C2", "J17", "G7", "A5"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds the `session` of a `session.update` event (a dict whose `"type"` is `"session.update"`, or
`dict(type="session.update", session=...)`), of the SDK's `conn.session.update(session=...)` and of
`client.realtime.client_secrets.create(session=...)` that does not set `type`. A session held in a
variable is followed inside its scope (one dict literal, then `session["type"] = ...` counts).
The type added is `"realtime"`, except that a session that only configures transcription
(`input_audio_transcription` / `audio.input.transcription`, and none of the keys only a
speech-to-speech session has: `voice`, `modalities`, `instructions`, `tools`, `model`, ...) in a
file that connects with `?intent=transcription` gets `"transcription"`. A preview `session.update`
always configured a speech-to-speech session (transcription-only sessions used
`transcription_session.update`, see RTM012), so "realtime" is the default. Events written as JSON
text are checked too; files that talk to a preview-protocol clone (Azure Voice Live, DashScope)
only get notes. GA *translation* sessions (`/v1/realtime/translations`, `client.realtime.translations`)
also use `session.update` and have no `type`: a session with `audio.output.language`, or one without
any preview key in a translation flow, is left alone.
Frameworks' own models count too (issue #12): a model class (pydantic, dataclass, TypedDict, attrs)
whose fields are the preview session (two or more keys only the preview session has, no GA key) and that
is sent (the `session` of a `session.update` event class, or linked to no server event) is reported on
its class line when it has no `type` field; so is an object of the SDK's beta session class
(`session_update_event.Session.model_construct(...)`) or of such a model built without `type=`.
""",
    why="""
`session.type` is Required in GA (`RealtimeSessionCreateRequestParam.type`); the Azure migration
guide reports that the server rejects a `session.update` without it.
""",
    example="""
await ws.send(json.dumps({"type": "session.update", "session": {"instructions": "Be brief."}}))
""",
    use_instead="""
await ws.send(json.dumps({"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}}))
""",
    fix_safety="""
Safe: one entry is added at the front of the dict literal, nothing else changes (the field moves
are RTM011). The fix is unsafe when the session only configures transcription and nothing in the
file says it is a transcription session ("realtime" is then a guess), and when "transcription" was
picked in a file that also opens a speech-to-speech (`?model=`) connection. No fix (a note only) when the
session is not a literal the tool can follow (a parameter, a call result, a `**spread`), and no
fix for model objects (`Session(voice=...)`): add `type="realtime"` by hand.
Model classes and model objects are report-only: the model's own definition must gain the field.
""",
    examples=(
        Example(
            before='event = {"type": "session.update", "session": {"instructions": "Be brief."}}\n',
            after='event = {"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}}\n',
        ),
        Example(
            before='await conn.session.update(session={"instructions": "hi"})\n',
            after='await conn.session.update(session={"type": "realtime", "instructions": "hi"})\n',
        ),
        Example(
            before='from dataclasses import dataclass\n\n\n@dataclass\nclass VoiceSession:\n'
                   '    input_audio_format: str = "pcm16"\n    turn_detection: dict | None = None\n',
            after=None,
        ),
    ),
)

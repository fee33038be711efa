"""RTM011: preview session fields that GA moved, renamed, reshaped or removed (E2-E12, E16)."""

from realtime_migrate.protocol import PREVIEW_FIELD_TRIGGERS, REALTIME_MARKERS, quoted
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM011",
    name="session-field-moved",
    summary="A preview session field (`voice`, `modalities`, `input_audio_format`, `temperature`, ...) "
            "that GA moved, renamed or removed.",
    message="Preview session field",
    matcher="session_payload",
    triggers=(*quoted("session.update"), "client_secrets", *PREVIEW_FIELD_TRIGGERS),
    # Field names alone are not enough: the file must speak the Realtime protocol (chat completions audio
    # asks for `modalities` too).
    context=(REALTIME_MARKERS,),
    references=("E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11", "E12", "E16", "J7", "J8", "J14",
                "G7"),
    fix=FixAvailability.SOMETIMES,
    what="""
In a session payload (see RTM010 for how one is recognised) finds the preview fields and rewrites
the dict into the GA shape in one edit:
`modalities` → `output_modalities` (`["text","audio"]`/`["audio","text"]`/`["audio"]` → `["audio"]`,
`["text"]` → `["text"]`); `voice`, `speed`, `output_audio_format` → `audio.output.*`;
`input_audio_format`, `input_audio_transcription`, `input_audio_noise_reduction`, `turn_detection`
→ `audio.input.{format,transcription,noise_reduction,turn_detection}`; format names become format
objects (`"pcm16"` → `{"type": "audio/pcm", "rate": 24000}`, `"g711_ulaw"` → `{"type": "audio/pcmu"}`,
`"g711_alaw"` → `{"type": "audio/pcma"}`); a `turn_detection` object without `type` gets
`"type": "server_vad"` (the preview default); `max_response_output_tokens` → `max_output_tokens`;
`temperature` is removed; `client_secret` is removed from a WebSocket `session.update` (in
`client_secrets.create(session=...)` it is reported: its expiry is the top-level `expires_after`);
a `tool_choice` naming a function becomes `{"type": "function", "name": ...}`. An existing
`audio` dict is merged into, and preview format names or a type-less `turn_detection` already
under `audio` (half-migrated code) are fixed too. Fields set in steps (`session["voice"] = v`,
`session.update({...})`, `event["session"]["voice"] = v`) are rewritten where they are set, in the
function, in a module-level function that builds and returns the session, in a class attribute or
a loop over a list of dict literals, also
in proxies that change a received event under `if msg["type"] == "session.update":` or
`case "session.update":`. Events written as JSON text (`ws.send('{"type": "session.update", ...}')`)
are rewritten when the string has no escapes. Files that talk to a service cloning the preview
protocol (Azure Voice Live, Alibaba DashScope) only get notes.
Issue #12 adds the places frameworks hide the session in: fields of a model class with the preview
session shape (reported on each field line; options and settings classes such as `_RealtimeOptions` or
`...Settings` are the framework's own API and are reported where they are copied into a session
instead); keyword arguments of a preview session object (`SessionProperties(voice=...)`,
`session_update_event.Session.model_construct(voice=...)`, an import alias of the SDK's beta `Session`)
and the `kwargs["voice"] = v` steps that fill its `**kwargs`; helpers that wrap the send
(`send(ws, "session.update", session={...})` is that event); and a value taken from a constant of
the file (`AudioConfig.FORMAT = "pcm16"` sent as `input_audio_format`), reported at the use and at the
constant.
""",
    why="""
A GA server rejects the preview field names (`session.modalities`, `session.voice`, ...) and the
preview format names: the session update fails and the session keeps its defaults.
""",
    example="""
session = {"modalities": ["text", "audio"], "voice": "alloy", "input_audio_format": "pcm16", "temperature": 0.8}
await ws.send(json.dumps({"type": "session.update", "session": session}))
""",
    use_instead="""
session = {"output_modalities": ["audio"], "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}, \
"output": {"voice": "alloy"}}}
await ws.send(json.dumps({"type": "session.update", "session": session}))
""",
    fix_safety="""
Safe: the moves are what GA defines for the same settings. `temperature` is deleted although the
value is lost, because GA has no equivalent and rejects the key: keeping it cannot work. The
modalities mapping follows GA (`["audio"]` means audio plus its transcript). A step
`session["voice"] = v` becomes `session.setdefault("audio", {}).setdefault("output", {})["voice"]
= v`, correct whether or not the dict already has `audio`, and `x.update({"voice": v, ...})`
becomes `x.update({...})` plus `x.setdefault("audio", {}).setdefault("output",
{}).update({"voice": v})`, which merges like the preview's flat keys did. Unsafe: when a preview
key and its GA key are both set (the GA value is kept), when a new `audio` dict sits beside a
`**spread` or comes from an `.update()` that cannot be split (it would replace an `audio` set
elsewhere). No fix, a finding with the GA path: a format or modalities value that is not a
literal, an `audio` value that is not a dict literal, a `turn_detection` with keys its `type` does
not take (it stays at its preview place so the finding survives), a model object
(`Session(voice=...)`), JSON text with escapes, and a payload that cannot be followed.
Model fields, model objects and constants are report-only: renaming a field of a model changes
every reader of it, which this rule cannot see. A helper's payload is rewritten like an inline event:
the helper splices `{"type": event_type, **fields}`, so the GA dict reaches the wire unchanged.
""",
    examples=(
        Example(
            before='event = {"type": "session.update", "session": {"type": "realtime", "voice": "alloy", '
                   '"temperature": 0.7}}\n',
            after='event = {"type": "session.update", "session": {"type": "realtime", "audio": {"output": '
                  '{"voice": "alloy"}}}}\n',
        ),
        Example(
            before='def configure(conn):\n    session = {"type": "realtime"}\n    session["voice"] = "ash"\n'
                   '    conn.session.update(session=session)\n',
            after='def configure(conn):\n    session = {"type": "realtime"}\n'
                  '    session.setdefault("audio", {}).setdefault("output", {})["voice"] = "ash"\n'
                  '    conn.session.update(session=session)\n',
        ),
        Example(
            before='event = {"type": "session.update", "session": {"type": "realtime", "input_audio_format": fmt}}\n',
            after=None,
        ),
        Example(
            before='async def configure(ws, send):\n    await send(ws, "session.update", session={"type": "realtime", '
                   '"voice": "alloy"})\n',
            after='async def configure(ws, send):\n    await send(ws, "session.update", session={"type": "realtime", '
                  '"audio": {"output": {"voice": "alloy"}}})\n',
        ),
    ),
)

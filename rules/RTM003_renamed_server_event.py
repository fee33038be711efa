"""RTM003: server event names that GA renamed (D1-D7)."""

from realtime_migrate.protocol import GA_SERVER_EVENTS, PREVIEW_ONLY_PREFIXES, SERVER_EVENT_RENAMES
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM003",
    name="renamed-server-event",
    summary="A preview server event name that GA renamed; handlers for it never fire.",
    message="Server event `{old}` was renamed to `{new}` in GA",
    matcher="string_rename",
    # A prefix only as the start of a string (`startswith("response.audio")`): unquoted, it is any
    # HTTP client's `response.text`.
    triggers=(*(q + p for p in PREVIEW_ONLY_PREFIXES for q in "\"'`"), *SERVER_EVENT_RENAMES),
    options={"renames": SERVER_EVENT_RENAMES, "ga_names": sorted(GA_SERVER_EVENTS)},
    references=("D1", "D2", "D3", "D4", "D5", "D6", "D7", "ET10", "G6", "J2"),
    fix=FixAvailability.ALWAYS,
    what="""
Finds string literals whose whole value is a preview server event type that GA renamed:
`response.text.*` → `response.output_text.*`, `response.audio.*` → `response.output_audio.*`,
`response.audio_transcript.*` → `response.output_audio_transcript.*` (deltas **and** `.done`),
and `transcription_session.updated`/`.created` → `session.updated`/`.created`. Any position counts: comparisons,
`match` cases, dispatch-table keys, tuples and sets, Enum or constant values, decorator
arguments. Mentions inside comments, docstrings and longer strings are reported as notes.
A `startswith()` prefix that only matches preview names (`"response.audio"`) is reported.
A `startswith()` prefix that selects exactly the names GA renamed is renamed with them (issue #12):
`"response.audio"` → `"response.output_audio"`, `"response.text"` → `"response.output_text"`,
`"response.audio."` → `"response.output_audio."`.
""",
    why="""
A GA server never sends the preview names. Nothing errors: the handler just never fires,
so audio, text or transcripts silently stop arriving.
""",
    example="""
if event["type"] == "response.audio.delta":
    play(event["delta"])
""",
    use_instead="""
if event["type"] == "response.output_audio.delta":
    play(event["delta"])
""",
    fix_safety="""
Safe: only whole literals are rewritten and no preview name is a substring of a GA name,
so the rewrite is idempotent. When the file already handles the GA name too, the code was
written for both protocols: a preview entry beside its GA twin in a tuple, list or set is
removed (safe); beside it in a dict the entry removal is unsafe (its value may differ);
any other rename is unsafe, because an `if`/`elif` chain may start taking another branch. A `case`
alternative beside its GA twin is dropped (safe). The `"type"` of a dict the code builds is an event
it *emits* (a relay talking to its own browser client, say): its consumer is outside the file, so that
rename is unsafe. A table mapping preview names to their GA names is left alone. A file that talks to
a service still using these names (the Responses API, Azure Voice Live, DashScope) gets notes only.
Notes on comments and docstrings are never edited.
A prefix is renamed only when every preview name it matches was renamed to a name starting with one
and the same GA prefix, and that GA prefix matches no other GA name: it then selects the same events
on GA as it did on the preview, which is as safe as renaming the names. Other preview-only prefixes are
reported without an edit.
""",
    examples=(
        Example(
            before='if event["type"] == "response.text.delta":\n    print(event["delta"])\n',
            after='if event["type"] == "response.output_text.delta":\n    print(event["delta"])\n',
        ),
        Example(
            before='AUDIO = ("response.audio.delta", "response.output_audio.delta")\n',
            after='AUDIO = ("response.output_audio.delta",)\n',
        ),
        Example(
            before='def is_audio(t):\n    return t.startswith("response.audio")\n',
            after='def is_audio(t):\n    return t.startswith("response.output_audio")\n',
        ),
    ),
)

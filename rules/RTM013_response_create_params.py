"""RTM013: preview `response.create` parameters that GA renamed, moved or removed (ER1-ER6)."""

from realtime_migrate.protocol import PREVIEW_FIELD_TRIGGERS, REALTIME_MARKERS, quoted
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM013",
    name="response-create-params",
    summary="A preview `response.create` parameter (`modalities`, `voice`, `output_audio_format`, "
            "`temperature`, ...).",
    message="Preview response.create parameter",
    matcher="session_payload",
    triggers=(*quoted("response.create"), *PREVIEW_FIELD_TRIGGERS),
    # The Responses API's WebSocket mode sends `response.create` too, with its parameters at the top level
    # (`conn.response.create(model=...)`); the realtime event nests them under `response`.
    context=((*REALTIME_MARKERS, "response=", '"response"', "'response'"),),
    references=("C3", "ER1", "ER2", "ER3", "ER4", "ER5", "ER6", "F5", "G9", "J7", "J8"),
    fix=FixAvailability.SOMETIMES,
    what="""
In the `response` of a `response.create` event dict and of the SDK's
`conn.response.create(response={...})` (also a dict built in steps in the same scope):
`modalities` → `output_modalities` (E9 value rule), `max_response_output_tokens` →
`max_output_tokens`, `voice` → `audio.output.voice`, `output_audio_format` → `audio.output.format`
(format object), `temperature` removed. A content-level `{"type": "item_reference", ...}` inside an
`input` item is reported (GA only has item-level references).
Also (issue #12): fields of a model class with the preview `response.create` shape (`ResponseProperties`,
`ResponseCreateData`), keyword arguments of such a model or of the SDK's beta
`response_create_event.Response` built away from the event (`events.ResponseProperties(modalities=[...])`),
and a helper call `emit("response.create", response={...})`.
""",
    why="""
A GA server rejects the preview parameter names, so the response is never created.
""",
    example="""
conn.response.create(response={"modalities": ["text"], "temperature": 0.6, "max_response_output_tokens": 300})
""",
    use_instead="""
conn.response.create(response={"output_modalities": ["text"], "max_output_tokens": 300})
""",
    fix_safety="""
Safe: the same settings at their GA paths. `temperature` is deleted (value lost) because GA has no
equivalent and rejects it. Reads such as `event.response.max_output_tokens` are never touched
(that name did not change for the server's response object). Unsafe when both a preview key and
its GA key are set. No fix for non-literal format/modalities values and content-level item
references.
Model fields and model objects are report-only (the model must change with them); a helper's payload is
rewritten like an inline event.
""",
    examples=(
        Example(
            before='ev = {"type": "response.create", "response": {"modalities": ["text", "audio"], "voice": "ash"}}\n',
            after='ev = {"type": "response.create", "response": {"output_modalities": ["audio"], "audio": '
                  '{"output": {"voice": "ash"}}}}\n',
        ),
        Example(
            before='conn.response.create(response={"temperature": 0.6, "max_response_output_tokens": 300})\n',
            after='conn.response.create(response={"max_output_tokens": 300})\n',
        ),
    ),
)

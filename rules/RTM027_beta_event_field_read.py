"""RTM027: reads of preview session/response/item fields on server events of a known type (G13, D26, D27, F2)."""

from realtime_migrate.protocol import REALTIME_MARKERS, quoted
from realtime_migrate.rule import Example, FixAvailability, Rule

# Every preview field the matcher reports holds one of these (tests/test_prefilter_context.py checks its tables);
# `content` stands for the assistant content types (`ev.item.content[0].type == "audio"`).
PREVIEW_FIELD_WORDS = ("voice", "speed", "audio_format", "transcription", "noise_reduction", "turn_detection",
                       "modalities", "max_response_output_tokens", "temperature", "content")

RULE = Rule(
    code="RTM027",
    name="beta-event-field-read",
    summary="A server event's payload is read at a preview path (`event.session.voice`, `event.response.modalities`).",
    message="Preview field read on a server event: GA reads it at another path",
    matcher="event_field_reads",
    triggers=(*quoted("session.created", "session.updated", "response.created", "response.done",
                      "response.output_item.added", "response.output_item.done"),
              "SessionCreatedEvent", "SessionUpdatedEvent", "ResponseCreatedEvent", "ResponseDoneEvent",
              "ResponseOutputItem", "ConversationItem",
              # a preview session / response model object read by attribute (`self._session.turn_detection`)
              *(f".{f}" for f in ("turn_detection", "input_audio_format", "output_audio_format",
                                  "input_audio_transcription", "input_audio_noise_reduction",
                                  "max_response_output_tokens", "modalities"))),
    # A realtime file (the Responses API has `response.created` too) that reads a field this rule reports.
    context=(REALTIME_MARKERS, PREVIEW_FIELD_WORDS),
    references=("G13", "D21", "D26", "D27", "E-S", "F2", "J9", "J10"),
    fix=FixAvailability.NEVER,
    what="""
Inside a branch that proves the type of an event variable (`if ev.type == "session.updated":`,
`ev["type"] in (...)`, `isinstance(ev, ResponseDoneEvent)`, a `match ev.type:` case, or a name bound
to `ev.type` / `ev["type"]` / `ev.get("type")`), or in a function whose parameter is annotated with
the event class (`def on_done(ev: ResponseDoneEvent)`), reports reads of that event's payload at preview
paths, attribute or subscript style: `session.created`/`session.updated` → `ev.session.voice` (GA
`ev.session.audio.output.voice`), `modalities` (`output_modalities`), `input_audio_format`
(`audio.input.format`), `turn_detection` (`audio.input.turn_detection`), … and `temperature`
(removed); `response.created`/`response.done` → `ev.response.modalities`, `.voice`,
`.output_audio_format`, `.temperature`; `response.output_item.added`/`.done` →
`ev.item.content[i].type == "audio"`/`"text"` (GA assistant content is `"output_audio"`/`"output_text"`).
`ev.response.max_output_tokens` is not reported: it was already the preview name (J9), and
`response.content_part.*` part types are unchanged (J10).
Objects of a preview session model far from any event are followed too (issue #12): a name or `self.attr`
annotated with, assigned from or passed as a preview session or response model (this file's model class,
the SDK's beta `Session`, or `SessionProperties`-style models of a sibling module) is reported where it
is read or written at a preview path (`self._session_properties.turn_detection`).
Content types read off a conversation item typed as the SDK's beta `ConversationItem` (or this file's
item model with a preview content model), in a loop over `item.content` or at `item.content[i]`, compared
with `"text"` / `"audio"`, are reported too: GA assistant items carry `"output_text"` / `"output_audio"`.
""",
    why="""
GA servers send the GA shapes, so a preview path reads `None` (SDK objects) or raises `KeyError`
(dicts): the voice, formats or modalities the code logs or acts on are silently missing.
""",
    example="""
if event.type == "session.updated":
    print(event.session.voice)
""",
    use_instead="""
if event.type == "session.updated":
    print(event.session.audio.output.voice)
""",
    fix_safety="""
No fix: the GA paths go through optional objects (`session.audio` and `audio.output` may be absent,
a transcription session has no `audio.output`), so a mechanical rewrite could turn a `None` into an
`AttributeError`. The message gives the exact GA path in the style the code uses.
""",
    examples=(
        Example(before='if event.type == "session.updated":\n    print(event.session.voice)\n', after=None),
        Example(before='if ev["type"] == "response.done":\n    mods = ev["response"]["modalities"]\n', after=None),
    ),
)

"""RTM014: conversation item content types that GA renamed (F2-F5, J10)."""

from realtime_migrate.protocol import PREVIEW_FIELD_TRIGGERS, REALTIME_MARKERS, quoted
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM014",
    name="assistant-content-type",
    summary='Assistant item content `"text"`/`"audio"` is `"output_text"`/`"output_audio"` in GA '
            '(user/system `"text"` is `"input_text"`).',
    message="Preview item content type",
    matcher="session_payload",
    triggers=(*quoted("conversation.item.create", "response.create"), *PREVIEW_FIELD_TRIGGERS),
    # The Responses API's WebSocket mode sends `response.create` too, with its parameters at the top level
    # (`conn.response.create(model=...)`); the realtime event nests them under `response`.
    context=((*REALTIME_MARKERS, "response=", '"response"', "'response'"),),
    references=("F1", "F2", "F3", "F4", "F5", "J10", "C4"),
    fix=FixAvailability.SOMETIMES,
    what="""
Inside a realtime item only (the `item` of a `conversation.item.create` event dict or of
`conn.conversation.item.create(item=...)`, and the `input` items of `response.create`), renames the
content `type` by the item's literal `role`: assistant `"text"`/`"audio"` →
`"output_text"`/`"output_audio"`; user or system `"text"` → `"input_text"`. A content-level
`item_reference` in a `conversation.item.create` item is reported. GA items are a union
discriminated by `type`: a message item without `type` gets `"type": "message"`, and an item
missing a key GA requires (`content`; `call_id`/`output` of `function_call_output`;
`name`/`arguments` of `function_call`) is reported. Chat-completions messages,
`response.content_part.*` part types and any dict that is not a recognised realtime item are
never touched.
A content model class (issue #12) whose `type` is pinned to `"text"` / `"audio"` (no `output_*`), with a
content field (`text`, `audio`, `transcript`), and that is the `content` of an item model whose `role`
may be `"assistant"`, is reported on its `type` line: GA assistant items carry `output_text` /
`output_audio`, which such a model rejects. A model used only as a content-part event's `part` is not
(part types are unchanged in GA).
""",
    why="""
GA items are a union discriminated by role: an assistant message with `"text"` content (or a user
message with `"text"`) does not match any GA item and the server rejects it.
""",
    example="""
conn.conversation.item.create(item={"type": "message", "role": "assistant",
                                    "content": [{"type": "text", "text": "Hello!"}]})
""",
    use_instead="""
conn.conversation.item.create(item={"type": "message", "role": "assistant",
                                    "content": [{"type": "output_text", "text": "Hello!"}]})
""",
    fix_safety="""
Safe: only the content `type` literal of an item whose role is a literal is renamed, the GA name
of the same content; `"type": "message"` is what a role-only preview item meant. Nothing is
changed when the role is not a literal; missing Required keys are reported without a fix.
Content model classes are report-only: the model is shared with content-part events, whose part types
stay `text` / `audio`, so it must accept both spellings, which only its author can decide.
""",
    examples=(
        Example(
            before='ev = {"type": "conversation.item.create", "item": {"type": "message", "role": "assistant", '
                   '"content": [{"type": "audio", "transcript": "hi"}]}}\n',
            after='ev = {"type": "conversation.item.create", "item": {"type": "message", "role": "assistant", '
                  '"content": [{"type": "output_audio", "transcript": "hi"}]}}\n',
        ),
        Example(
            before='conn.conversation.item.create(item={"type": "message", "role": "user", '
                   '"content": [{"type": "text", "text": "hi"}]})\n',
            after='conn.conversation.item.create(item={"type": "message", "role": "user", '
                  '"content": [{"type": "input_text", "text": "hi"}]})\n',
        ),
    ),
)

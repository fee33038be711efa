"""RTM025: handlers for `conversation.item.created` (J1, D8, D9): review, opt-in fix."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM025",
    name="conversation-item-created-handler",
    summary="A handler for `conversation.item.created` in a file that never handles `conversation.item.added`.",
    message="Handler for `conversation.item.created`: GA servers announce every item with `conversation.item.added`",
    matcher="item_created_handler",
    triggers=("conversation.item.created", "ConversationItemCreatedEvent"),
    references=("J1", "D8", "D9", "D21"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds code that reacts to `conversation.item.created`: `==`/`!=` comparisons, tuples/lists/sets of
event names, `match` cases, dispatch-dict keys, `isinstance(e, ConversationItemCreatedEvent)` and any
other literal (decorator arguments, constants). Files whose code already names `conversation.item.added`
(or `ConversationItemAdded`) handle GA and are skipped (a comment does not count). Comments and
docstrings are never findings.
""",
    why="""
`conversation.item.created` was **not** renamed: it is still in the GA server-event union (J1). But
GA servers announce items with the new `conversation.item.added` (sent when an item enters the
conversation; assistant items arrive there still empty, `status: "in_progress"`) and
`conversation.item.done` (the finished item), and GA migrations of voice frameworks moved their
`created` handlers there. A handler that only listens for `created` may stop firing.
""",
    example="""
if event.type == "conversation.item.created":
    remember(event.item)
""",
    use_instead="""
if event.type in ("conversation.item.created", "conversation.item.added"):
    remember(event.item)
""",
    fix_safety="""
Unsafe (opt-in with `--unsafe-fixes`), because the right GA event depends on what the handler does:
the fix makes the handler accept both names, so it keeps working whichever the server sends. If the
server sends both for one item, the handler runs twice: make it idempotent on `event.item.id`. A
handler that reads item content should move to `conversation.item.done` instead (`added` carries
no content for assistant items). Forms: `==` → `in (created, added)`, `!=` → `not in (…)`, a
sequence gains `added` beside `created`, `case "created":` → `case "created" | "added":`, a dispatch
dict gains an `added` entry with the same handler (only when the handler is a name or attribute,
and not a model class of the file that pins `type: Literal["conversation.item.created"]`: it would
reject every `added` event). Anything else is reported without a fix.
""",
    examples=(
        Example(
            before='if event.type == "conversation.item.created":\n    remember(event.item)\n',
            after='if event.type == "conversation.item.created":\n    remember(event.item)\n',
            unsafe_after=(
                'if event.type in ("conversation.item.created", "conversation.item.added"):\n'
                "    remember(event.item)\n"
            ),
        ),
        Example(
            before='HANDLERS = {"conversation.item.created": on_item}\n',
            after='HANDLERS = {"conversation.item.created": on_item}\n',
            unsafe_after='HANDLERS = {"conversation.item.created": on_item, "conversation.item.added": on_item}\n',
        ),
    ),
)

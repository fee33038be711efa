"""RTM026: preview realtime model names (H): a suggestion, never a rewrite."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM026",
    name="preview-model-name",
    summary="A `gpt-4o(-mini)-realtime-preview*` model name; suggests the GA-era model (no fix).",
    message="Preview realtime model `{name}`: the GA-era model is `{new}`",
    matcher="preview_model",
    triggers=("realtime-preview",),
    references=("H", "A9", "A13", "J12"),
    fix=FixAvailability.NEVER,
    what="""
Finds string literals that are a preview realtime model name (`gpt-4o-realtime-preview`,
`gpt-4o-realtime-preview-2024-12-17`, `gpt-4o-mini-realtime-preview`, …) and `?model=<name>` in an
OpenAI URL (plain strings and f-strings), and suggests the GA-era model: `gpt-realtime` for the
`gpt-4o-realtime-preview` family, `gpt-realtime-mini` for the mini family. Azure deployment names
are skipped, since the user chose them: Azure URLs (`deployment=`/`model=` on `*.azure.com`,
`/openai/realtime`, `api-version=`), `azure_deployment=` and any keyword, variable, parameter, dict
key or environment variable whose name contains `deployment`, the `model=` of a `connect` on an
Azure client (or on an unknown client in a file that mentions Azure), and a constant that flows
into one of those. Comments and docstrings are prose, never findings.
""",
    why="""
The protocol migration and the model change are independent (the GA SDK still accepts the preview
names), but the preview snapshots are on a published shutdown path (the deprecations page, as
quoted by trackers, lists the `gpt-4o-realtime-preview` group for 2026-05-07). After shutdown the
code fails no matter which protocol it speaks. The finding is an error so CI notices it; suppress
it with `# realtime-migrate: ignore[RTM026]` where the preview model is a deliberate choice.
""",
    example="""
MODEL = "gpt-4o-realtime-preview-2024-12-17"
""",
    use_instead="""
MODEL = "gpt-realtime"  # verify the current name on the deprecations page
""",
    fix_safety="""
No fix: choosing a model is a product decision, and the deprecations page moves (it may already
point to a newer model such as `gpt-realtime-1.5`). The message names the suggested model and asks
to verify it on https://platform.openai.com/docs/deprecations.
""",
    examples=(
        Example(before='MODEL = "gpt-4o-realtime-preview-2024-12-17"\n', after=None),
        Example(before='URL = "wss://api.openai.com/v1/realtime?model=gpt-4o-mini-realtime-preview"\n', after=None),
    ),
)

"""RTM900: a `# realtime-migrate: ignore[...]` comment that silences nothing (ruff's RUF100)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM900",
    name="unused-suppression",
    summary="A `# realtime-migrate: ignore[...]` or `ignore-file[...]` comment silences nothing.",
    message="Unused `{marker} realtime-migrate: {kind}` suppression: {detail}",
    matcher="unused_suppression",
    triggers=("realtime-migrate:",),
    fix=FixAvailability.ALWAYS,
    what="""
Finds suppression comments that no longer suppress anything: a `# realtime-migrate: ignore[CODE]`
on a line without a `CODE` finding, an `ignore-file[CODE]` in a file without one, a bare
`ignore` with nothing to silence, and codes that name no rule (`ignore[RTM999]`). When only
some codes of a directive are unused, only those are reported.

A code is judged only when its rule could have reported on the file: the rule ran, or the
file lacks the rule's trigger strings. A rule switched off for the run (`--ignore`, `select`,
`per-file-ignores`) is never judged, so a partial run does not report, or remove, the
suppressions written for the rules it skipped.
""",
    why="""
Suppressions are written during a migration and go stale as soon as the code they covered
is migrated. A stale `ignore` then hides the next real finding on that line, which is how
preview-era code slips back in after the migration is declared done.
""",
    example="""
url = "wss://api.openai.com/v1/realtime"  # realtime-migrate: ignore[RTM001]
""",
    use_instead="""
url = "wss://api.openai.com/v1/realtime"
""",
    fix_safety="""
Safe: the directive is removed (the whole line when the comment is alone on it), or only the
unused codes are taken out of its list. Any other comment on the line is kept. The fix is
unsafe when the directive carries a reason (`ignore[RTM001] waiting for the SDK bump`): the
reason is a note for humans and goes with it. To keep a suppression that looks unused, add
`RTM900` to its codes.
""",
    examples=(
        Example(
            before='url = "wss://api.openai.com/v1/realtime"  # realtime-migrate: ignore[RTM001]\n',
            after='url = "wss://api.openai.com/v1/realtime"\n',
        ),
        Example(
            before="# realtime-migrate: ignore-file[RTM001]\nimport os\n",
            after="import os\n",
        ),
        Example(
            before="x = 1  # realtime-migrate: ignore[RTM001] kept until the SDK bump\n",
            after=None,
            unsafe_after="x = 1\n",
        ),
    ),
)

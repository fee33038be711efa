"""RTM001: the preview `OpenAI-Beta: realtime=v1` header and browser sub-protocol (B1, B2)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM001",
    name="beta-header",
    summary="`OpenAI-Beta: realtime=v1` (or the `openai-beta.realtime-v1` sub-protocol) is sent.",
    message="Preview `OpenAI-Beta: realtime=v1` {what}: a GA endpoint refuses it with `beta_api_shape_disabled`",
    matcher="beta_header",
    triggers=("realtime=v1", "openai-beta.realtime-v1"),
    references=("A1", "A2", "B1", "B2", "B4", "B5", "J15"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds the preview header wherever it is written: dict literals (`headers=`, `extra_headers=`,
`additional_headers=`, `.update({...})`), lists of `(name, value)` tuples, raw header lines,
`headers["OpenAI-Beta"] = "realtime=v1"`, calls such as `req.add_header("OpenAI-Beta", "realtime=v1")`,
and the browser sub-protocol `openai-beta.realtime-v1` in a sub-protocol list. Only the value
`realtime=v1` is matched: `OpenAI-Beta: assistants=v2` and other values belong to other APIs. A value
listing several betas (`realtime=v1,assistants=v2`) keeps the others (`assistants=v2`).
A `("OpenAI-Beta", "realtime=v1")` pair kept in a module constant and spliced into a header list
(`headers = [auth, BETA_HEADER]`) is removed where it is spliced (issue #12).
""",
    why="""
The preview protocol is switched off. A connection that sends the header (or the sub-protocol)
gets an `error` event with code `beta_api_shape_disabled` and is closed with code 4000.
""",
    example="""
headers = {"Authorization": f"Bearer {key}", "OpenAI-Beta": "realtime=v1"}
""",
    use_instead="""
headers = {"Authorization": f"Bearer {key}"}
""",
    fix_safety="""
Safe: the entry, list element or statement is removed and nothing else changes. The fix is
unsafe when a comment sits on the removed entry (the comment would go with it). A
`realtime=v1` literal in any other position (a constant, a variable key) is reported
without a fix: where it flows cannot be seen from the literal.
A spliced constant is removed from the list (safe: the list then holds what a GA client sends), and when
that is its only use, its definition goes in the same fix; with other uses, the definition is reported
where it is.
""",
    examples=(
        Example(
            before='headers = {"Authorization": f"Bearer {key}", "OpenAI-Beta": "realtime=v1"}\n',
            after='headers = {"Authorization": f"Bearer {key}"}\n',
        ),
        Example(
            before='protocols = ["realtime", f"openai-insecure-api-key.{key}", "openai-beta.realtime-v1"]\n',
            after='protocols = ["realtime", f"openai-insecure-api-key.{key}"]\n',
        ),
        Example(
            before='def connect(headers):\n    headers["OpenAI-Beta"] = "realtime=v1"\n',
            after="def connect(headers):\n    pass\n",
        ),
        Example(before='BETA = "realtime=v1"\n', after=None),
        Example(
            before='BETA = ("OpenAI-Beta", "realtime=v1")\n\n\ndef headers(key):\n'
                   '    return [("Authorization", key), BETA]\n',
            after='\n\ndef headers(key):\n    return [("Authorization", key)]\n',
        ),
    ),
)

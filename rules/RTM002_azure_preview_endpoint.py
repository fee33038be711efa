"""RTM002: Azure preview realtime endpoints (A9, A10, A11)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM002",
    name="azure-preview-endpoint",
    summary="An Azure OpenAI preview realtime URL (`/openai/realtime?api-version=…&deployment=…`).",
    message="Azure preview realtime URL: GA uses `/openai/v1/realtime?model=<deployment>` without `api-version`",
    matcher="azure_endpoint",
    triggers=("openai/realtime", "realtimeapi", 'websocket_base_url="', "websocket_base_url='"),
    references=("A9", "A10", "A11", "J12"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds Azure OpenAI preview realtime endpoints in plain strings, f-strings and `.format`
templates: `…/openai/realtime?api-version=…&deployment=X` becomes `…/openai/v1/realtime?model=X`,
and the ephemeral-key path `/openai/realtimeapi/sessions?api-version=…` becomes
`/openai/v1/realtime/client_secrets`. A query-parameter dict `{"api-version": …, "deployment": …}`
used with such a URL becomes `{"model": …}`. The regional WebRTC host
`<region>.realtimeapi-preview.ai.azure.com/v1/realtimertc` is reported with the GA form to use.
Also (issue #12): the query built in steps beside a preview path (`params["api-version"] = v` is removed,
`params["deployment"] = d` becomes `params["model"] = d`); a preview-dated `api_version` default
(parameter, attribute or constant) in a file that builds the preview URL (reported); and a plain
`OpenAI` / `AsyncOpenAI` client whose `websocket_base_url` is an Azure resource's `/openai` without
`/v1` (`/v1` is appended).
""",
    why="""
GA moved Azure realtime to the `/openai/v1` surface: the path gains `/v1`, `api-version` is gone
(leaving it on the GA URL gives 401) and the deployment is passed as `model=`. The preview paths
answer `beta_api_shape_disabled`. The regional WebRTC host became your resource host, which
cannot be derived from the region.
""",
    example="""
url = f"wss://{resource}.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment={deployment}"
""",
    use_instead="""
url = f"wss://{resource}.openai.azure.com/openai/v1/realtime?model={deployment}"
""",
    fix_safety="""
Safe when the whole query is in the literal (or an f-string whose dropped `api-version` expression
has no side effects), and for a parameter dict when the file holds the preview path. A path with
no query in the literal is fixed safely only when the file also holds the preview query this rule
rewrites; otherwise the fix is unsafe, since `api-version` may be added somewhere this rule cannot
see. When the `api-version` value is appended from outside the literal, or is a positional
`{}`/`%s` placeholder, the URL is reported without a fix. `api-version` parameters of other Azure
services (no `deployment=` beside them, no preview realtime path) are never touched. The rewrite is
unsafe in a file that also builds the GA URL of the same endpoint: code offering both protocols
behind a switch keeps its preview branch on purpose.
The query steps are fixed when the file holds the preview path (the same proof the parameter dict
needs). Appending `/v1` to an Azure `websocket_base_url` is safe: `realtime.connect` appends
`/realtime?model=`, which is the GA path only under `/openai/v1`.
""",
    examples=(
        Example(
            before='URL = "wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o"\n',
            after='URL = "wss://res.openai.azure.com/openai/v1/realtime?model=gpt-4o"\n',
        ),
        Example(
            before='url = f"{endpoint}/openai/realtime?api-version={version}&deployment={deployment}"\n',
            after='url = f"{endpoint}/openai/v1/realtime?model={deployment}"\n',
        ),
        Example(
            before='SDP = "https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc"\n',
            after=None,
        ),
        Example(
            before='from openai import AsyncOpenAI\n\nclient = AsyncOpenAI(websocket_base_url='
                   '"wss://res.openai.azure.com/openai", api_key=KEY)\n',
            after='from openai import AsyncOpenAI\n\nclient = AsyncOpenAI(websocket_base_url='
                  '"wss://res.openai.azure.com/openai/v1", api_key=KEY)\n',
        ),
    ),
)

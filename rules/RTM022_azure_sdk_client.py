"""RTM022: realtime through the SDK's `AzureOpenAI` client still builds the preview URL (A13, G12, J11)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM022",
    name="azure-sdk-client",
    summary="An `AzureOpenAI` / `AsyncAzureOpenAI` client is used for a realtime connect: it builds the preview URL.",
    message="Realtime connect on an Azure SDK client uses the preview URL; GA uses a plain client with the Azure "
            "`/openai/v1` WebSocket base URL",
    matcher="azure_sdk_client",
    triggers=("realtime.connect", "beta.realtime"),
    references=("A9", "A13", "G12", "J11", "B6"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds `.beta.realtime.connect(...)` **and** `.realtime.connect(...)` whose receiver resolves (scope and
qualified-name metadata) to an `openai.AzureOpenAI` / `openai.AsyncAzureOpenAI` construction: a
variable, a `with … as client`, an annotated parameter, or `self.<attr>` set in the same class.
Files that never mention `AzureOpenAI` are skipped at once.
""",
    why="""
In `openai` 3.54, `AzureOpenAI._configure_realtime` builds `…/openai/realtime?api-version=…&deployment=…`
for both the beta and the GA `connect` (A13), so the GA-looking `client.realtime.connect` on an Azure
client still speaks to the preview endpoint (J11). Azure's GA quickstart uses the plain client:
`AsyncOpenAI(websocket_base_url="wss://<resource>.openai.azure.com/openai/v1", api_key=…)` and
`.realtime.connect(model=<deployment>)`.
""",
    example="""
client = AsyncAzureOpenAI(
    azure_endpoint="https://myres.openai.azure.com", api_key=key, api_version="2025-04-01-preview"
)
async with client.beta.realtime.connect(model="my-deployment") as conn:
    ...
""",
    use_instead="""
client = AsyncOpenAI(websocket_base_url="wss://myres.openai.azure.com/openai/v1", api_key=key)
async with client.realtime.connect(model="my-deployment") as conn:
    ...
""",
    fix_safety="""
Always unsafe (opt-in), and offered only when it can be complete: the client is built in this file,
bound once to a name, and used for nothing but realtime connects (otherwise chat or other calls
would go to api.openai.com: build a separate realtime client instead, the finding says so). The
construction and every connect on it change together. `azure_endpoint` becomes
`websocket_base_url` (a literal `https://X` → `"wss://X/openai/v1"`; a simple expression →
`<expr>.replace("https://", "wss://").rstrip("/") + "/openai/v1"`); without it, and without
`api_key`, the SDK read `AZURE_OPENAI_ENDPOINT` / `AZURE_OPENAI_API_KEY`, so those are read with
`os.environ[...]` when `os` is imported (else no fix). `api_version` is dropped (leaving it on the
GA URL gives 401). `api_key`, `azure_ad_token` and `azure_ad_token_provider` become `api_key`: the
plain client sends it as `Authorization: Bearer`, which Azure accepts for keys and Entra tokens. A
token provider is passed as the callable (the GA client calls it before each connect, so tokens
refresh), but `AsyncOpenAI` awaits it: a *sync* provider (`azure.identity.get_bearer_token_provider`)
must be swapped for the `azure.identity.aio` one, which is the main reason this fix is unsafe. A
literal `azure_deployment` overrode the connect's `model=` and becomes it. The new class is added to
(or replaces, when it was used only here) the `from openai import …` line.
""",
    examples=(
        Example(
            before=(
                "from openai import AsyncAzureOpenAI\n\n"
                'client = AsyncAzureOpenAI(azure_endpoint="https://myres.openai.azure.com/", api_key="k", '
                'api_version="2025-04-01-preview")\n\n\nasync def main():\n'
                '    async with client.beta.realtime.connect(model="my-deployment") as conn:\n'
                "        await conn.close()\n"
            ),
            after=None,
            unsafe_after=(
                "from openai import AsyncOpenAI\n\n"
                'client = AsyncOpenAI(websocket_base_url="wss://myres.openai.azure.com/openai/v1", api_key="k")\n\n\n'
                "async def main():\n"
                '    async with client.realtime.connect(model="my-deployment") as conn:\n        await conn.close()\n'
            ),
        ),
    ),
)

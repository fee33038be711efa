"""RTM020: `client.beta.realtime.connect(...)` on a plain OpenAI client (G1, G5, J11, J16)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM020",
    name="beta-realtime-connect",
    summary="`client.beta.realtime.connect(...)` opens a preview (beta) Realtime session.",
    message="`client.beta.realtime` is the preview Realtime API; GA: `client.realtime`",
    matcher="beta_realtime_connect",
    triggers=("beta.realtime",),
    references=("G14", "G1", "G5", "J11", "J16"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds `<client>.beta.realtime.connect(...)` (sync and async clients), and `.beta.realtime` held in
a variable (`rt = client.beta.realtime; rt.connect(...)`) or used in any other way. The receiver is
followed back to its construction in the same file (a variable, a `with … as client`, a
parameter annotation, or `self.<attr>` assigned in the same class), using libcst scope and
qualified-name metadata: only `openai.OpenAI`/`openai.AsyncOpenAI` count as plain clients.
`client.beta.realtime.sessions` / `.transcription_sessions` are RTM023's; `openai.types.beta.realtime`
imports are RTM021's; an Azure client is RTM022's. `client.beta.assistants`, `client.beta.threads`
and other `beta` namespaces are never touched.
""",
    why="""
The beta connection manager sends the preview shape (and `OpenAI-Beta: realtime=v1`), which GA
servers refuse with `beta_api_shape_disabled`. `openai` 3.54 still ships `client.beta.realtime`,
so nothing fails until the server closes the socket (J16).
""",
    example="""
client = AsyncOpenAI()
async with client.beta.realtime.connect(model="gpt-realtime") as conn:
    ...
""",
    use_instead="""
client = AsyncOpenAI()
async with client.realtime.connect(model="gpt-realtime") as conn:
    ...
""",
    fix_safety="""
Safe when the client is built with `OpenAI(...)`/`AsyncOpenAI(...)` in the same file (or annotated
as one). When the construction is not visible (an unannotated parameter, a factory call, the
`openai` module client) the fix is safe if nothing in the file mentions Azure and the `model=` is not
named like a deployment (`model=deployment`), and unsafe otherwise:
on an `AzureOpenAI` client the GA `connect` still builds the preview URL (A13, J11), so the switch
alone would not migrate it. Azure clients get no RTM020 fix; RTM022 rebuilds them. The GA
connection keeps `send`, `recv`, `recv_bytes`, iteration and `close`; the event payloads you send
are other rules' business (RTM001 drops an `OpenAI-Beta` header passed in `extra_headers`). A
`.beta.realtime` variable is fixed only when every use is `.connect`; other uses are reported
(`client.realtime` has no `sessions`: keys come from `client.realtime.client_secrets`).
""",
    examples=(
        Example(
            before=(
                "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\nasync def main():\n"
                '    async with client.beta.realtime.connect(model="gpt-realtime") as conn:\n'
                "        await conn.session.update(session={})\n"
            ),
            after=(
                "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\nasync def main():\n"
                '    async with client.realtime.connect(model="gpt-realtime") as conn:\n'
                "        await conn.session.update(session={})\n"
            ),
        ),
        Example(
            before=(
                "from openai import AzureOpenAI, OpenAI\n\n\ndef run(client):\n"
                '    with client.beta.realtime.connect(model="gpt-realtime") as conn:\n        pass\n'
            ),
            after=(
                "from openai import AzureOpenAI, OpenAI\n\n\ndef run(client):\n"
                '    with client.beta.realtime.connect(model="gpt-realtime") as conn:\n        pass\n'
            ),
            unsafe_after=(
                "from openai import AzureOpenAI, OpenAI\n\n\ndef run(client):\n"
                '    with client.realtime.connect(model="gpt-realtime") as conn:\n        pass\n'
            ),
        ),
    ),
)

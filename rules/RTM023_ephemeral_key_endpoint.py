"""RTM023: preview ephemeral keys: `sessions.create`, `transcription_sessions.create`, `/v1/realtime/sessions`."""

from realtime_migrate.protocol import REALTIME_MARKERS
from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM023",
    name="ephemeral-key-endpoint",
    summary="An ephemeral key is minted through the preview `sessions` / `transcription_sessions` endpoints.",
    message="Preview ephemeral-key endpoint: GA mints keys with `client_secrets.create`",
    matcher="ephemeral_keys",
    triggers=("realtime.sessions", "transcription_sessions", "realtime/sessions", "realtimeapi/sessions",
              "realtime/client_secrets",
              # the path appended to a base constant (`f"{REALTIME_BASE}/sessions"`)
              '/sessions"', "/sessions'", "/sessions`", "/sessions?"),
    # every earlier trigger names the realtime API itself; `/sessions` alone must come with it
    context=(REALTIME_MARKERS,),
    references=("A5", "A6", "A10", "B3", "E12", "ET8", "G10", "G11", "J4", "J5"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds `client.beta.realtime.sessions.create(**kw)` and `client.beta.realtime.transcription_sessions.create(**kw)`
(sync or async), and HTTP `.post(...)` calls to `…/v1/realtime/sessions` or
`…/v1/realtime/transcription_sessions` (plain or f-string URL, directly or through a local variable).
SDK calls become `client.realtime.client_secrets.create(expires_after=…, session={"type": "realtime" |
"transcription", …})`: the keyword arguments move into the session dict and are GA-shaped (the shared
`ga_session` reshape: `voice` → `audio.output.voice`, `modalities` → `output_modalities`, formats →
objects, …); a beta `client_secret={"expires_after": …}` (transcription: `{"expires_at": …}`) becomes
the top-level `expires_after`. Reads of `result.client_secret.value` / `.expires_at` on the variable
the call is assigned to become `result.value` / `.expires_at`. For HTTP, the `json=` body is nested
the same way and `X["client_secret"]["value"]` reads in the same function become `X["value"]`.
Azure's `/openai/realtimeapi/sessions` URL is RTM002's; its body and reads are fixed here (unsafe).
A URL that is not posted in a recognisable way is reported with the GA form.
A flat body bound to a name and posted below (`body = {"model": ..., "voice": ...}`; `post(url,
json=body)`) and a `.client_secret` read on another line than the SDK call are reported where they are,
with the request's edits (issue #12).
""",
    why="""
GA mints ephemeral keys only at `/v1/realtime/client_secrets`, with the configuration nested under
`session` (which needs `type`) and the key at top-level `value` (J5). The preview endpoints are gone,
and reading `client_secret.value` from the GA response fails.
""",
    example="""
secret = client.beta.realtime.sessions.create(model="gpt-realtime", voice="verse")
key = secret.client_secret.value
""",
    use_instead="""
secret = client.realtime.client_secrets.create(
    session={"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": "verse"}}},
)
key = secret.value
""",
    fix_safety="""
Safe when every argument has a GA place (the reshape is exact), the client is a plain `OpenAI` /
`AsyncOpenAI` (or unknown in a file that never mentions Azure), and the result is only read at
`.client_secret.value` / `.client_secret.expires_at`. Unsafe when a field is dropped (`temperature`),
when the result is used otherwise (GA returns `ClientSecretCreateResponse`: `.value`, `.expires_at`,
`.session`; other reads are reported), or on an Azure client. No fix (report with the GA form) when an
argument is positional or `**kw`, a value cannot be reshaped (a non-literal audio format), or the
HTTP body is not a dict literal in the same function: a GA URL with a beta body would be worse than
either. The default key lifetime is 600 s (range 10-7200 s), not one minute (J4).
""",
    examples=(
        Example(
            before=(
                "from openai import OpenAI\n\nclient = OpenAI()\n"
                'secret = client.beta.realtime.sessions.create(model="gpt-realtime", voice="verse")\n'
                "key = secret.client_secret.value\n"
            ),
            after=(
                "from openai import OpenAI\n\nclient = OpenAI()\n"
                'secret = client.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime", '
                '"audio": {"output": {"voice": "verse"}}})\n'
                "key = secret.value\n"
            ),
        ),
        Example(
            before=(
                "import requests\n\n\ndef key():\n"
                '    r = requests.post("https://api.openai.com/v1/realtime/sessions", json={"model": "gpt-realtime"})\n'
                '    return r.json()["client_secret"]["value"]\n'
            ),
            after=(
                "import requests\n\n\ndef key():\n"
                '    r = requests.post("https://api.openai.com/v1/realtime/client_secrets", '
                'json={"session": {"type": "realtime", "model": "gpt-realtime"}})\n'
                '    return r.json()["value"]\n'
            ),
        ),
    ),
)

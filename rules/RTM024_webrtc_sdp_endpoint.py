"""RTM024: the preview WebRTC SDP endpoint `POST /v1/realtime?model=` (A3, A11, B7, J6, J12)."""

from realtime_migrate.rule import Example, FixAvailability, Rule

RULE = Rule(
    code="RTM024",
    name="webrtc-sdp-endpoint",
    summary="The SDP offer is posted to the preview WebRTC endpoint `https://api.openai.com/v1/realtime?model=…`.",
    message="Preview WebRTC SDP endpoint: GA posts the SDP offer to `/v1/realtime/calls`",
    matcher="webrtc_sdp",
    triggers=("/realtime?model=", "v1/realtime\"", "v1/realtime'", "v1/realtime`", "realtime/calls",
              "}?model="),  # a template on a base: `${this.baseURL}?model=${model}`
    references=("A3", "A11", "B5", "B7", "J6", "J12"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds the preview WebRTC SDP URL: any `https://api.openai.com/v1/realtime` literal (with or without
`?model=…`, plain string or f-string), since GA serves nothing at that https path, and a templated or
scheme-less `…/realtime?model=…` URL passed to an HTTP `.post(...)` call (`requests`, `httpx`,
`aiohttp` session). The WebSocket URL `wss://api.openai.com/v1/realtime?model=…` is the same in GA
(J12) and is never matched; Azure's regional `…realtimeapi-preview.ai.azure.com/v1/realtimertc` is
reported by RTM002.
""",
    why="""
GA answers the preview SDP POST with HTTP 400 `beta_api_shape_disabled` (B5; not 404 as sometimes
claimed, J6). GA takes the offer at `POST /v1/realtime/calls`, as raw `application/sdp` (as before)
or as multipart `sdp` + `session` (what the SDK's `client.realtime.calls.create` sends), and answers
with the SDP answer (the Azure docs add a `Location: …/realtime/calls/<call_id>` header).
""",
    example="""
resp = requests.post(
    "https://api.openai.com/v1/realtime?model=gpt-realtime",
    headers={"Authorization": f"Bearer {ephemeral_key}", "Content-Type": "application/sdp"},
    data=offer.sdp,
)
""",
    use_instead="""
resp = requests.post(
    "https://api.openai.com/v1/realtime/calls",
    headers={"Authorization": f"Bearer {ephemeral_key}", "Content-Type": "application/sdp"},
    data=offer.sdp,
)
""",
    fix_safety="""
Unsafe: the `?model=` query is dropped, because on `/v1/realtime/calls` the model comes from the
session of the client secret the key was minted with (`client_secrets.create(session={"type":
"realtime", "model": …})`, see RTM023) or from the multipart `session` part. Check the key's session
names the model before applying. The request body, headers and the response handling are unchanged
for a raw SDP body. A URL whose query holds more than `model`, or that is assembled elsewhere, is
reported without a fix.
""",
    examples=(
        Example(
            before='SDP_URL = "https://api.openai.com/v1/realtime?model=gpt-realtime"\n',
            after='SDP_URL = "https://api.openai.com/v1/realtime?model=gpt-realtime"\n',
            unsafe_after='SDP_URL = "https://api.openai.com/v1/realtime/calls"\n',
        ),
    ),
)

"""GA endpoint URLs for OpenAI and Azure OpenAI.

The GA WebSocket URL is the same on api.openai.com as in beta (docs/protocol.md A1/J12), while Azure
moves to ``/openai/v1/realtime?model=<deployment>`` with no ``api-version`` (A9). Keeping the builders
in one place lets the client, ``verify`` and the simulator's printed hints agree.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

OPENAI_HTTP_BASE = "https://api.openai.com/v1"
OPENAI_WS_BASE = "wss://api.openai.com/v1"

_WS_SCHEME = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
_HTTP_SCHEME = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def to_ws(url: str) -> str:
    """http(s) → ws(s); URLs that already are WebSocket URLs are returned unchanged."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=_WS_SCHEME.get(parts.scheme, parts.scheme)))


def to_http(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=_HTTP_SCHEME.get(parts.scheme, parts.scheme)))


def _with_query(base: str, path: str, params: dict[str, str]) -> str:
    parts = urlsplit(base.rstrip("/"))
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path, query=urlencode(params)))


def openai_realtime_url(base_url: str | None = None, *, model: str | None = None,
                        intent: str | None = None, call_id: str | None = None) -> str:
    """``wss://api.openai.com/v1/realtime?model=...`` (or ``?intent=transcription`` / ``?call_id=``).

    ``base_url`` is an API base such as ``https://api.openai.com/v1`` or ``ws://127.0.0.1:8080/v1``.
    """
    params = {k: v for k, v in (("model", model), ("intent", intent), ("call_id", call_id)) if v}
    if not params:
        raise ValueError("a realtime URL needs model=, intent= or call_id=")
    return _with_query(to_ws(base_url or OPENAI_WS_BASE), "/realtime", params)


def azure_base(endpoint: str) -> str:
    """Normalise an Azure endpoint (``https://res.openai.azure.com[/][openai/v1]``) to ``.../openai/v1``."""
    parts = urlsplit(endpoint.strip().rstrip("/"))
    path = parts.path.rstrip("/")
    for suffix in ("/openai/v1", "/openai"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urlunsplit(parts._replace(path=path + "/openai/v1", query="", fragment=""))


def azure_realtime_url(endpoint: str, deployment: str, *, intent: str | None = None) -> str:
    """``wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>``."""
    params = {"intent": intent} if intent else {"model": deployment}
    return _with_query(to_ws(azure_base(endpoint)), "/realtime", params)


def client_secrets_url(http_base: str) -> str:
    """``POST`` target for GA ephemeral keys; ``http_base`` is ``.../v1`` or an Azure ``.../openai/v1``."""
    return to_http(http_base.rstrip("/")) + "/realtime/client_secrets"


def calls_url(http_base: str) -> str:
    """``POST`` target for the GA WebRTC SDP exchange."""
    return to_http(http_base.rstrip("/")) + "/realtime/calls"

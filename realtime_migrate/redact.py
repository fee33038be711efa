"""Mask credentials before any text leaves the process.

Everything the GA client, the simulator and the ``simulate``/``verify`` commands print or log goes
through :func:`redact`. Patterns catch the shapes keys take in practice (OpenAI ``sk-`` keys,
ephemeral ``ek_`` client secrets, Azure 32-hex keys, bearer tokens, JWTs from Entra ID, ``api-key``
headers and query parameters, the browser sub-protocol that carries a key). Values that match no
pattern can still be masked by registering them with :func:`register_secret`, which is what the
client does with the exact key it was given.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # `Bearer <token>` in headers, logs and exception texts.
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]+"), r"\1" + MASK),
    # `api-key: x`, `"api-key": "x"`, `api-key=x` (query string), `api_key=x` (kwargs in reprs).
    # Placeholders (`<...>`) and shell references (`$VAR`) are left readable.
    (
        re.compile(r"(?i)((?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?)(?![*<$])[^\s\"'&,;}\])]+"),
        r"\1" + MASK,
    ),
    # Browser sub-protocol that smuggles a key through the WebSocket handshake.
    (re.compile(r"(openai-insecure-api-key\.)[^\s\"',\]]+"), r"\1" + MASK),
    # OpenAI keys: sk-..., sk-proj-..., sk-svcacct-...
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{4,}"), "sk-" + MASK),
    # Ephemeral client secrets minted by /v1/realtime/client_secrets (and beta /sessions).
    (re.compile(r"\bek_[A-Za-z0-9_\-]{4,}"), "ek_" + MASK),
    # JWTs (Entra ID access tokens).
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), MASK),
    # Azure OpenAI resource keys: 32 hex characters.
    (re.compile(r"(?<![A-Za-z0-9_])[0-9a-fA-F]{32}(?![A-Za-z0-9_])"), MASK),
)

_registered: set[str] = set()
_lock = threading.Lock()

# Shorter values are too likely to collide with ordinary words to be replaced verbatim.
_MIN_REGISTERED_LEN = 6


def register_secret(value: str | None) -> None:
    """Remember a secret so it is masked even when it matches none of the known shapes."""
    if value and len(value) >= _MIN_REGISTERED_LEN:
        with _lock:
            _registered.add(value)


def redact(text: object, extra: Iterable[str] = ()) -> str:
    """Return ``str(text)`` with every known credential replaced by ``***``."""
    out = text if isinstance(text, str) else str(text)
    with _lock:
        literals = sorted({*_registered, *(e for e in extra if e and len(e) >= _MIN_REGISTERED_LEN)},
                          key=len, reverse=True)
    for value in literals:
        out = out.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out

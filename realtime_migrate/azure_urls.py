"""Azure OpenAI's preview realtime URLs in their GA form, as text: shared by the Python and JavaScript matchers
of RTM002 (no parser imported here).

Preview: `/openai/realtime?api-version=…&deployment=D` and `/openai/realtimeapi/sessions?api-version=…`;
GA: `/openai/v1/realtime?model=D` and `/openai/v1/realtime/client_secrets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SESSIONS = re.compile(r"/openai/realtimeapi/sessions(?P<q>\?[^#\s\"']*)?")
_PATH = re.compile(r"/openai/realtime(?![\w/.-])(?P<q>\?[^#\s\"']*)?")


@dataclass
class Rewrite:
    template: str
    dropped: list[str]
    path_only: bool


def _rewrite_query(query: str) -> tuple[str, list[str], bool]:
    """`?api-version=X&deployment=D&k=v` → `?model=D&k=v`; returns (query, dropped values, touched).

    `\x01` marks a boundary between joined literals: a dropped parameter hands its markers
    to the next kept one, so every literal keeps its place.
    """
    lead, body = query[0], query[1:]
    out: list[str] = []
    dropped: list[str] = []
    touched = False
    carry = ""
    for param in body.split("&"):
        key, _, value = param.partition("=")
        bare = key.replace("\x01", "")
        if bare == "api-version":
            dropped.append(value.replace("\x01", ""))
            carry += "\x01" * param.count("\x01")
            touched = True
            continue
        if bare == "deployment":
            param = key.replace("deployment", "model") + "=" + value
            touched = True
        out.append(carry + param)
        carry = ""
    text = "&".join(out)
    return ((lead + text if out else "") + carry), dropped, touched


def rewrite_template(template: str) -> Rewrite | None:
    """The GA form of every preview URL piece in `template`, or None when there is none."""
    dropped: list[str] = []
    changed = False
    path_only = False

    def sessions(m: re.Match[str]) -> str:
        nonlocal changed
        changed = True
        query = ""
        if m.group("q"):
            query, gone, _ = _rewrite_query(m.group("q"))
            dropped.extend(gone)
        return "/openai/v1/realtime/client_secrets" + query

    def path(m: re.Match[str]) -> str:
        nonlocal changed, path_only
        changed = True
        if not m.group("q"):
            path_only = True
            return "/openai/v1/realtime"
        query, gone, _ = _rewrite_query(m.group("q"))
        dropped.extend(gone)
        return "/openai/v1/realtime" + query

    out = _SESSIONS.sub(sessions, template)
    out = _PATH.sub(path, out)
    if not changed and "api-version=" in out and "deployment=" in out:
        # A query built apart from its path: "?api-version=...&deployment=".
        m = re.search(r"[?&][^#\s\"']*", out)
        if m:
            query, gone, touched = _rewrite_query(m.group(0))
            if touched:
                out = out[: m.start()] + query + out[m.end():]
                dropped.extend(gone)
                changed = True
    return Rewrite(out, dropped, path_only) if changed else None

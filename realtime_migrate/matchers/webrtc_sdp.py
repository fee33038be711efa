"""The preview WebRTC SDP endpoint `POST https://api.openai.com/v1/realtime?model=…` → `/v1/realtime/calls`.

An `https://` URL whose path is exactly `/v1/realtime` only ever served the preview SDP exchange
(GA https endpoints all live below it: `/calls`, `/client_secrets`, `/translations`), so such a
literal is a finding wherever it is. A scheme-less or templated URL (`f"{base}/realtime?model={m}"`)
counts only as the URL of an HTTP `.post(...)`. The WebSocket URL `wss://…/v1/realtime?model=` is
unchanged in GA (J12) and never matched. The fix drops the `?model=` query: on `/realtime/calls` the
model comes from the client secret's session (or the multipart `session` part), so it is unsafe.
"""

from __future__ import annotations

import re

import libcst as cst

from realtime_migrate.ga_tables import SDP_URL
from realtime_migrate.matchers.base import string_value
from realtime_migrate.matchers.sdk_clients import SpanReplace, fstring_template

# the host is OpenAI's, or a placeholder (`https://{host}/v1/realtime?model=…`)
_FULL = SDP_URL
_PATH = re.compile(r"^(.*?/realtime)(\?model=[^&#\s]*)?(&[^#\s]*)?$")
_GA = "https://api.openai.com/v1/realtime/calls"


class Matcher(SpanReplace):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.seen: set[int] = set()
        self.constants: dict[str, str] = {}  # NAME = "literal" (any scope; used only to recognise a URL)
        self.bases: set[str] = set()  # names used as the base of a longer path (`f"{BASE}/sessions"`)
        self.assigned: dict[int, str] = {}  # id(string literal) → the name it is assigned to
        # bare `https://…/v1/realtime` literals bound to a name: judged at the end, once every f-string has said
        # whether that name is a base that longer paths are built on
        self.pending: list[tuple[cst.SimpleString, re.Match[str]]] = []

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, m in self.pending:
            if self.assigned[id(node)] not in self.bases and id(node) not in self.seen:
                self._literal(node, m)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = string_value(node.value)
        if value is not None and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.constants[node.targets[0].target.value] = value
            self.assigned[id(node.value)] = node.targets[0].target.value

    def _report(self, node: cst.CSTNode, new: str | None, has_model: bool) -> None:
        head = "Preview WebRTC SDP endpoint `/v1/realtime?model=`: GA posts the SDP offer to `/v1/realtime/calls`; "
        session = ("the client secret's session "
                   "(`client_secrets.create(session={\"type\": \"realtime\", \"model\": …})`)")
        if new is None:
            self.report(node, head + f"the model and the other query parameters go into {session}", ga_form=_GA)
            return
        tail = f"the `?model=` query is dropped: set the model in {session}" if has_model else \
            "the model comes from the client secret's session"
        self.report(node, head + tail, edits=[self.replace(node, new)], unsafe=True, ga_form=_GA,
                    fix_title="Post the offer to `/v1/realtime/calls`")

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is None or id(node) in self.seen:
            return
        m = _FULL.match(value)
        if m and not m.group(2) and id(node) in self.assigned:
            self.pending.append((node, m))  # `REALTIME_BASE = "https://api.openai.com/v1/realtime"`: a base?
            return
        if m:
            self._literal(node, m)

    def _literal(self, node: cst.SimpleString, m: re.Match[str]) -> None:
        value = string_value(node) or ""
        if "azure" not in value.lower() and (m.group(2) or not m.group(3)):
            self.seen.add(id(node))
            new = None if m.group(3) else f"{node.prefix}{node.quote}{m.group(1)}/calls{node.quote}"
            self._report(node, new, m.group(2) is not None)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        for prev, part in zip(node.parts, node.parts[1:], strict=False):  # `f"{BASE}/sessions"`: BASE is a base
            if isinstance(prev, cst.FormattedStringExpression) and isinstance(prev.expression, cst.Name) \
                    and isinstance(part, cst.FormattedStringText) and part.value.startswith("/"):
                self.bases.add(prev.expression.value)
        if id(node) in self.seen:
            return
        head = node.parts[0] if node.parts else None
        if isinstance(head, cst.FormattedStringExpression) and isinstance(head.expression, cst.Name) \
                and len(node.parts) >= 2 and isinstance(node.parts[1], cst.FormattedStringText) \
                and node.parts[1].value.startswith("?model="):
            base = _FULL.match(self.constants.get(head.expression.value, ""))
            if base and not base.group(2) and "&" not in fstring_template(node):
                # `f"{REALTIME_BASE}?model={m}"`: the preview SDP endpoint spelled from the base constant
                self.seen.add(id(node))
                code = self.ctx.module.code_for_node(head)
                self._report(node, f"{node.start}{code}/calls{node.end}", True)
                return
        text = fstring_template(node)
        m = _FULL.match(text)
        if m and "azure" not in text.lower() and (m.group(2) or not m.group(3)):
            self.seen.add(id(node))
            self._fstring(node, text, m)

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Attribute) and node.func.attr.value == "post") or not node.args:
            return
        url_arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "url"), None)
        url_arg = url_arg or (node.args[0] if node.args[0].keyword is None and not node.args[0].star else None)
        if url_arg is None or id(url_arg.value) in self.seen:
            return
        url = url_arg.value
        self._model_params(node, url)
        if isinstance(url, cst.SimpleString):
            value = string_value(url)
            if value is None or value.lower().startswith(("ws://", "wss://")) or "azure" in value.lower():
                return
            m = _PATH.match(value)
            if m and (m.group(2) or value.endswith("/v1/realtime")) and self._openai(value):
                self.seen.add(id(url))
                new = None if m.group(3) else f"{url.prefix}{url.quote}{m.group(1)}/calls{url.quote}"
                self._report(url, new, m.group(2) is not None)
        elif isinstance(url, cst.FormattedString):
            text = fstring_template(url)
            if text.lower().startswith(("ws://", "wss://")) or "azure" in text.lower():
                return
            m = _PATH.match(text)
            if m and (m.group(2) or text.endswith("/v1/realtime")) and self._openai(text):
                self.seen.add(id(url))
                self._fstring(url, text, m)

    def _model_params(self, call: cst.Call, url: cst.BaseExpression) -> None:
        """`post(SDP_URL, params={"model": m}, ...)`: GA `/realtime/calls` takes the model from the session."""
        text = string_value(url) if not isinstance(url, cst.Name) else self.constants.get(url.value)
        if text is None or "?" in text or not (_FULL.match(text) or text.endswith("/v1/realtime/calls")):
            return  # after the URL fix the parameter still has to go: keep reporting it on `/calls`
        params = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "params"), None)
        if not isinstance(params, cst.Dict):
            return
        for el in params.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == "model":
                self.report(el, "`model` query parameter of the preview SDP POST: GA `/v1/realtime/calls` takes the "
                            "model from the client secret's session (`client_secrets.create(session={\"type\": "
                            "\"realtime\", \"model\": …})`); drop it", ga_form="(no model query)")

    def _openai(self, url: str) -> bool:
        """An OpenAI host, or a host/base we cannot see in a file that talks about OpenAI."""
        if "://" in url:
            host = url.split("://", 1)[1].split("/", 1)[0]
            if "openai" in host.lower():
                return True
            if "\x00" not in host:
                return False
        return "openai" in self.ctx.text.lower()

    def _fstring(self, node: cst.FormattedString, text: str, m: re.Match[str]) -> None:
        """Keep the f-string parts up to `/realtime`, append `/calls`, drop a `?model=…` query."""
        if m.group(3):
            self._report(node, None, True)  # more than the model in the query: a human decides
            return
        keep = len(m.group(1))
        parts: list[str] = []
        pos = 0
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                take = part.value[: max(0, keep - pos)]
                parts.append(take)
                pos += len(part.value)
            else:
                if pos < keep:
                    parts.append(self.ctx.module.code_for_node(part))
                pos += 1  # an expression is one placeholder character in `fstring_template`
        body = "".join(parts) + "/calls"
        start = node.start if "{" in body else re.sub("[fF]", "", node.start)
        new = f"{start}{body}{node.end}"
        self._report(node, new, m.group(2) is not None)


"""Ephemeral keys: `sessions.create` / `transcription_sessions.create` and the HTTP endpoints → `client_secrets`.

SDK: `client.beta.realtime.sessions.create(**kw)` becomes
`client.realtime.client_secrets.create(expires_after=…, session={"type": "realtime", …kw GA-shaped…})`
(the session dict is reshaped by `ga_session`, shared with the payload rules), and the key is read
at `.value` / `.expires_at` instead of `.client_secret.value` / `.client_secret.expires_at` on the
result variable (scope analysis: only that binding's reads are touched).

HTTP: a `.post(...)` to `…/v1/realtime/sessions` or `…/v1/realtime/transcription_sessions` with a
`json=` dict literal (directly or through a variable bound once in the same function) is rewritten
as a whole: URL → `…/v1/realtime/client_secrets`, body → `{"expires_after": …, "session": {…}}`,
and `X["client_secret"]["value"|"expires_at"]` reads in the same function → `X["value"|"expires_at"]`.
Anything that cannot be followed is reported with the GA form and no edit, so a half-migrated
request (GA URL, beta body) is never produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import Assignment, ScopeProvider

from realtime_migrate import traversal
from realtime_migrate.matchers import ga_session as ga
from realtime_migrate.matchers.base import string_value
from realtime_migrate.matchers.sdk_clients import (
    ClientKind,
    ClientMatcher,
    drop_attribute,
    fstring_template,
    is_beta_realtime,
    paren_span,
)
from realtime_migrate.model import Edit

_KINDS = {"sessions": "realtime", "transcription_sessions": "transcription"}
_PASSTHROUGH = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
_EXPIRY = {"realtime": "expires_after", "transcription": "expires_at"}  # key inside the beta `client_secret`
_URL = re.compile(r"/realtime/(sessions|transcription_sessions)(?=$|[?#])")
_GA_PATH = "/realtime/client_secrets"
_TAIL = re.compile(r"/(?:sessions|transcription_sessions)(?=$|[?#])")
_AZURE = re.compile(r"/openai/realtimeapi/sessions")
_GA_URL = re.compile(r"/realtime/client_secrets(?=$|[?#])")
_EMPTY = cst.Module(body=[])


@dataclass
class _SdkCall:
    call: cst.Call
    kind: str
    receiver: cst.BaseExpression
    class_node: cst.ClassDef | None
    target: cst.Name | None = None


@dataclass
class _HttpCall:
    call: cst.Call
    url: cst.CSTNode  # the literal to edit (a string in the call, or the value of a local variable)
    kind: str
    function: cst.CSTNode | None
    body: cst.BaseExpression | None = None  # the JSON payload expression (`json=X`, `data=json.dumps(X)`)
    edits: list[Edit] = field(default_factory=list)


def _render(node: cst.CSTNode, indent: str) -> str:
    """`node` as code inside a block indented by `indent` (libcst's `indent=True` lines are block-relative)."""
    state = CodegenState(default_indent="    ", default_newline="\n", indent_tokens=[indent] if indent else [])
    node._codegen(state)
    return "".join(state.tokens)


def _src(matcher: ClientMatcher, node: cst.CSTNode) -> str:
    """The node's source text, with the parentheses it owns."""
    return matcher.ctx.text.__getitem__(slice(*paren_span(matcher, node)))


class Matcher(ClientMatcher):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.sdk: list[_SdkCall] = []
        self.http: list[_HttpCall] = []
        self.functions: list[cst.CSTNode] = []
        self.reads: dict[int | None, list[tuple[cst.Subscript, cst.BaseExpression, str]]] = {}
        self.local_dicts: dict[tuple[int | None, str], list[cst.BaseExpression]] = {}
        self.local_strings: dict[tuple[int | None, str], list[cst.CSTNode]] = {}
        self.module_strings: dict[str, cst.CSTNode] = {}  # module constants holding a string or an f-string
        self.secret_aliases: dict[tuple[int | None, str], cst.CSTNode] = {}  # names bound to `X["client_secret"]`
        self.result_reads: list[cst.Attribute] = []  # `.client_secret` reads of the SDK call `_sdk` handles
        self.self_urls: dict[str, list[cst.SimpleString]] = {}  # `self.X = "<url>"` or a call defaulting to one
        self.handled: set[int] = set()
        self.urls: list[cst.CSTNode] = []
        self.assigned_calls: dict[int, cst.Name] = {}
        self._body_indent = ""
        # every read of the preview key (`X["client_secret"]["value"]`, `.get("client_secret", {}).get("value")`,
        # `X.client_secret.value`): (the read, the `client_secret` access inside it, the key read)
        self.secret_reads: list[tuple[cst.CSTNode, cst.CSTNode, str]] = []
        self.fixed_reads: set[int] = set()  # id of the `client_secret` access of reads a fix or finding covers
        self.ga_mint = False  # `client_secrets.create(...)` / a post to `/realtime/client_secrets`

    # -- collection -----------------------------------------------------------------------
    def _fn(self) -> int | None:
        return id(self.functions[-1]) if self.functions else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            # `self._base_url = config.get("base_url", "https://api.openai.com/v1/realtime/sessions")`
            literal = node.value if isinstance(node.value, cst.SimpleString) else next(
                (a.value for a in node.value.args if isinstance(a.value, cst.SimpleString)
                 and "://" in a.value.value) if isinstance(node.value, cst.Call) else iter(()), None)
            if literal is not None:
                self.self_urls.setdefault(target.attr.value, []).append(literal)
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        name = node.targets[0].target
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if isinstance(value, cst.Call):
            self.assigned_calls[id(value)] = name
        key = (self._fn(), name.value)
        if _secret_access(value):  # `secret = data.get("client_secret", {})`; `secret.get("value")` below
            self.secret_aliases[key] = value
        self.local_dicts.setdefault(key, []).append(node.value)
        self.local_strings.setdefault(key, []).append(node.value)
        if not self.functions and isinstance(node.value, (cst.SimpleString, cst.FormattedString)):
            self.module_strings[name.value] = node.value

    def _secret_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The `X["client_secret"]` access `node` is, directly or through a name bound to it in this function."""
        if _secret_access(node):
            return node
        if isinstance(node, cst.Name):
            return self.secret_aliases.get((self._fn(), node.value))
        return None

    def _resolved(self, node: cst.CSTNode) -> str | None:
        """The URL text, with an f-string's leading `{CONSTANT}` replaced by that module constant's text."""
        if isinstance(node, cst.FormattedString):
            pieces = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    pieces.append(part.value)
                    continue
                expr = part.expression  # type: ignore[attr-defined]
                const = self.module_strings.get(expr.value) if isinstance(expr, cst.Name) else None
                pieces.append(string_value(const) or "\x00" if isinstance(const, cst.SimpleString) else "\x00")
            return "".join(pieces)
        return _text(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        inner = node.value
        if isinstance(inner, cst.Subscript) and _index(inner) == "client_secret" and _index(node) in (
                "value", "expires_at"):
            self.reads.setdefault(self._fn(), []).append((node, inner.value, _index(node) or ""))
            self.handled.add(id(inner))
        access = self._secret_of(inner) if _index(node) in ("value", "expires_at") else None
        if access is not None:
            self.secret_reads.append((node, access, _index(node) or ""))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        inner = node.value
        if node.attr.value in ("value", "expires_at") and isinstance(inner, cst.Attribute) \
                and inner.attr.value == "client_secret":
            self.secret_reads.append((node, inner, node.attr.value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args \
                and string_value(node.args[0].value) in ("value", "expires_at"):
            access = self._secret_of(func.value)
            if access is not None:
                self.secret_reads.append((node, access, string_value(node.args[0].value) or ""))
        if isinstance(func, cst.Attribute) and func.attr.value == "create" and isinstance(func.value, cst.Attribute) \
                and func.value.attr.value == "client_secrets":
            self.ga_mint = True
        if (isinstance(func, cst.Attribute) and func.attr.value == "create" and isinstance(func.value, cst.Attribute)
                and func.value.attr.value in _KINDS and is_beta_realtime(func.value.value)):
            beta_rt = func.value.value
            assert isinstance(beta_rt, cst.Attribute) and isinstance(beta_rt.value, cst.Attribute)
            self.sdk.append(_SdkCall(node, _KINDS[func.value.attr.value], beta_rt.value.value,
                                     self.class_stack[-1] if self.class_stack else None))
            return
        if _is_post(node) and node.args:
            arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "url"), None)
            arg = arg or (node.args[0] if node.args[0].keyword is None and not node.args[0].star else None)
            if arg is None:
                return
            body = _payload(node)
            url = arg.value
            if isinstance(url, cst.Name):
                bound = self.local_strings.get((self._fn(), url.value), [])
                url = bound[0] if len(bound) == 1 else url
            if isinstance(url, cst.Name):  # a module constant (`SESSIONS_URL = f"{REALTIME_BASE}/sessions"`)
                url = self.module_strings.get(url.value, url)
            if isinstance(url, cst.Attribute) and isinstance(url.value, cst.Name) and url.value.value == "self":
                bound = self.self_urls.get(url.attr.value, [])  # `self._base_url`, set once in the class
                url = bound[0] if len(bound) == 1 else url
            text = self._resolved(url)
            if text is None:
                return
            m = _URL.search(text)
            if m and self._openai_url(text):
                self.handled.add(id(url))
                self.http.append(_HttpCall(node, url, _KINDS[m.group(1)], self.functions[-1] if self.functions
                                           else None, body))
            elif _AZURE.search(text) or _GA_URL.search(text):
                self.ga_mint = self.ga_mint or bool(_GA_URL.search(text))
                self.handled.add(id(url))
                self.http.append(_HttpCall(node, url, "realtime", self.functions[-1] if self.functions else None,
                                           body, edits=[]))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is not None and _URL.search(value) and self._openai_url(value):
            self.urls.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        text = _text(node)
        if text is not None and _URL.search(text) and self._openai_url(text):
            self.urls.append(node)

    def _openai_url(self, text: str) -> bool:
        """`/realtime/sessions` is OpenAI's when the literal says `/v1/realtime/` or `openai`, or when its base is
        a variable (`f"{API_BASE}/realtime/sessions"`) in a file that talks about OpenAI; other services have
        `/realtime/sessions` paths too."""
        if "/v1/realtime/" in text or "openai" in text.lower():
            return True
        return text.startswith("\x00") and "openai" in self.ctx.text.lower()

    # -- decisions ------------------------------------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        before = len(self.ctx.findings)
        for c in self.sdk:
            c.target = self.assigned_calls.get(id(c.call))
            self._sdk(c)
        for h in self.http:
            self._http(h)
        for url in self.urls:
            if id(url) not in self.handled:
                self.report(url, "Preview ephemeral-key endpoint: GA mints keys at `/v1/realtime/client_secrets` with "
                            "the body nested under `session` (with `type`) and the key at top-level `value`",
                            ga_form=_URL.sub(_GA_PATH, _text(url) or ""))
        if len(self.ctx.findings) > before or self.ga_mint:
            # this file mints keys: a read of the preview key path gets nothing from the GA response
            self._other_reads()

    def _other_reads(self) -> None:
        """Reads of the preview key that no fix covers (another function, another spelling): report-only."""
        seen: set[int] = set()
        for node, access, key in self.secret_reads:
            if id(access) in self.fixed_reads or id(access) in seen:
                continue
            seen.add(id(access))
            self.report(node, f"Reads `client_secret.{key}` of an ephemeral-key response: the GA `client_secrets` "
                        f"response has it at top-level `{key}`, so this read gets nothing from a GA server (change "
                        f"it by hand)", ga_form=f'["{key}"]')

    # -- SDK --------------------------------------------------------------------------------
    def _session_dict(self, c: _SdkCall) -> tuple[str | None, str | None, list[str], list[str]]:
        """(session dict text, expires_after text, passthrough args, reasons it is unsafe) or (None, why, …)."""
        entries: list[tuple[str, str]] = []
        notes: dict[str, tuple[list[str], str]] = {}  # key → (comment lines before it, comment after it)
        passthrough: list[str] = []
        expires: str | None = None
        for arg in c.call.args:
            if arg.keyword is None or arg.star:
                return None, "positional or `**` arguments", [], []
            key = arg.keyword.value
            if key in _PASSTHROUGH:
                passthrough.append(f"{key}={_src(self, arg.value)}")
            elif key == "client_secret":
                inner = _expiry_node(arg.value, c.kind)
                if inner is None:
                    return None, f"`client_secret` is not `{{\"{_EXPIRY[c.kind]}\": {{...}}}}`", [], []
                expires = _src(self, inner)
            else:
                entries.append((key, _src(self, arg.value)))
                notes[key] = self._arg_comments(c.call, arg)
        layout = self._layout(c.call)
        if layout is not None:  # the values move one level deeper: indent their continuation lines to match
            values = {arg.keyword.value: arg.value for arg in c.call.args if arg.keyword is not None}
            entries = [(k, v if _has_multiline_string(values[k]) else v.replace("\n", "\n    ")) for k, v in entries]
        if layout is None:
            text = "{" + ", ".join(f'"{k}": {v}' for k, v in entries) + "}"
        else:
            inner = layout[0] + "    "
            lines = []
            for k, v in entries:
                before, after = notes.get(k, ([], ""))
                lines += [f"{inner}{comment}\n" for comment in before]
                lines.append(f'{inner}"{k}": {v},' + (f"  {after}" if after else "") + "\n")
            text = "{\n" + "".join(lines) + layout[0] + "}"
        try:
            node = cst.parse_expression(text)
        except cst.ParserSyntaxError:
            return None, "arguments that cannot be moved into a dict", [], []
        assert isinstance(node, cst.Dict)
        result = ga.reshape_session(node, kind=c.kind)  # type: ignore[arg-type]
        if result.left:
            return None, "; ".join(f"`{ch.key}`: {ch.detail}" for ch in result.left), [], []
        unsafe = list(result.unsafe) + [f"`{ch.key}` removed ({ch.detail})" for ch in result.changes
                                          if ch.action == "removed"]
        return _EMPTY.code_for_node(result.dict), expires, passthrough, unsafe

    def _sdk(self, c: _SdkCall) -> None:
        recv = self.ctx.module.code_for_node(c.receiver)
        ga_call = f"{recv}.realtime.client_secrets.create"
        kind = self.client_kind(c.receiver, c.class_node)
        session, expires, passthrough, unsafe = self._session_dict(c)
        old = f"{recv}.beta.realtime.{'sessions' if c.kind == 'realtime' else 'transcription_sessions'}.create"
        message = (f"`{old}(...)` mints a preview ephemeral key; GA: `{ga_call}(session={{\"type\": \"{c.kind}\", "
                   f"...}})`, key at `.value`")
        if session is None:
            parent = self.attr_parent.get(id(c.call))
            if parent is not None:  # `.create(**kw).client_secret.value`: part of this finding
                self.fixed_reads.add(id(parent))
            self.report(c.call, f"{message} (not fixed: {expires})",
                        ga_form=f'{ga_call}(expires_after=..., session={{"type": "{c.kind}", ...}})')
            return
        args = ([f"expires_after={expires}"] if expires else []) + [f"session={session}"] + passthrough
        layout = self._layout(c.call)
        if layout is None:
            new = f"{ga_call}({', '.join(args)})"
        else:
            arg_indent, close_indent = layout
            new = f"{ga_call}(\n" + "".join(f"{arg_indent}{a},\n" for a in args) + f"{close_indent})"
        edits = [self.make_edit(*self.span(c.call), new)]
        self.result_reads: list[cst.Attribute] = []
        reads_ok, read_edits = self._result_reads(c)
        edits.extend(read_edits)
        if kind is ClientKind.AZURE:
            unsafe.append("Azure client: mint keys at `/openai/v1/realtime/client_secrets` with a plain client "
                          "(RTM022)")
        elif kind is ClientKind.AZURE_V1:
            unsafe.append("the client points at Azure: `client_secrets.create` goes to its `base_url`, which must be "
                          "`https://<resource>.openai.azure.com/openai/v1`")
        elif kind is not ClientKind.PLAIN and self.mentions_azure:
            unsafe.append("the client's construction is not visible and this file mentions Azure")
        if not reads_ok:
            unsafe.append("the result is used beyond `.client_secret.value`/`.expires_at` (GA result: `.value`, "
                          "`.expires_at`, `.session`; a bare `.client_secret` becomes the result itself)")
        why = f" (review: {'; '.join(unsafe)})" if unsafe else ""
        self.report(c.call, message + why, edits=edits, unsafe=bool(unsafe), ga_form=f"{ga_call}(...)",
                    fix_title="Use `client_secrets.create`", comment_scope=c.call)
        call_line = self.range_of(c.call).start.line
        for read in self.result_reads:  # a line that changes too, reported where it is (same edits)
            if self.range_of(read).start.line != call_line:
                self.report(read, "`.client_secret` of a preview session-create result: the GA `client_secrets` "
                            "result has the key at top-level `.value` / `.expires_at`", edits=edits,
                            unsafe=bool(unsafe), ga_form=".value", fix_title="Use `client_secrets.create`",
                            comment_scope=read)

    def _arg_comments(self, call: cst.Call, arg: cst.Arg) -> tuple[list[str], str]:
        """Comment-only lines just above `arg`, and a comment after it on its last line (one arg per line)."""
        text = self.ctx.text
        r = self.range_of(arg)
        index = list(call.args).index(arg)
        first = self.range_of(call.args[index - 1]).end.line + 1 if index else self.range_of(call).start.line + 1
        before = [self.ctx.line_text(n).strip() for n in range(first, r.start.line)]
        before = [b for b in before if b.startswith("#")]
        end = self.span(arg.value)[1]
        rest = text[end:text.find("\n", end) if "\n" in text[end:] else len(text)]
        m = re.match(r"\s*,?\s*(#.*)$", rest)
        return before, (m.group(1).rstrip() if m else "")

    def _layout(self, call: cst.Call) -> tuple[str, str] | None:
        """(argument indentation, closing-paren indentation) when each argument sits on its own line."""
        if not call.args:
            return None
        text = self.ctx.text
        first = self.range_of(call.args[0])
        close = self.range_of(call)
        arg_line = self.ctx.line_text(first.start.line)[: first.start.column]
        close_line = self.ctx.line_text(close.end.line)[: close.end.column - 1]
        if first.start.line == self.range_of(call).start.line or arg_line.strip() or close_line.strip():
            return None
        del text
        return arg_line, close_line

    def _result_reads(self, c: _SdkCall) -> tuple[bool, list[Edit]]:
        """Edits for `r.client_secret.value` → `r.value` (and a direct `.create(...).client_secret.value`)."""
        edits: list[Edit] = []
        ok = True
        holders: list[cst.CSTNode] = []
        if c.target is not None:
            scope = self.meta(ScopeProvider, c.target)
            assignment = next((a for a in (scope.assignments[c.target.value] if scope else ())
                               if isinstance(a, Assignment) and a.node is c.target), None)
            holders = [r.node for r in assignment.references] if assignment else []
        else:
            holders = [c.call]
        for holder in holders:
            parent = self.attr_parent.get(id(holder))
            if parent is None:
                ok = False  # the result itself is returned or passed on: its shape is new
                continue
            if parent.attr.value != "client_secret":
                ok = False
                self.report(parent, f"`.{parent.attr.value}` of a preview session-create result: GA keeps the session "
                            f"at `.session` (with GA field paths)", ga_form=f".session.{parent.attr.value}")
                continue
            leaf = self.attr_parent.get(id(parent))
            if leaf is None or leaf.attr.value not in ("value", "expires_at"):
                # `r.client_secret` handed on whole: its `value`/`expires_at` are the GA result's top level
                # (which also carries `session`), so `r` is the nearest GA equivalent, not an identical one
                ok = False
            self.fixed_reads.add(id(parent))
            self.result_reads.append(parent)
            edit, _ = drop_attribute(self, parent)
            edits.append(edit)
        return ok, edits

    # -- HTTP -------------------------------------------------------------------------------
    def _http(self, h: _HttpCall) -> None:
        text = _text(h.url) or ""
        azure = bool(_AZURE.search(text))
        ga_side = bool(_GA_URL.search(text))  # GA URL already: only a beta-shaped body is a finding
        ga_url = "…/openai/v1/realtime/client_secrets" if azure else "…/v1/realtime/client_secrets"
        message = (f"Preview ephemeral-key request: GA posts `{{\"session\": {{\"type\": \"{h.kind}\", ...}}}}` to "
                   f"`{ga_url}` and returns the key at top-level `value`")
        fn = id(h.function) if h.function is not None else None
        body = self._body_dict(h, fn)
        if body is None:
            if not (azure or ga_side):
                self.report(h.url, message + " (the body is not a dict literal here: nest it by hand)", ga_form=ga_url)
            return
        dict_node, where = body
        if ga_side and not _beta_body(dict_node):
            return
        self._body_indent = self._block_indent(h.call if where is h.body else where)
        new_body, unsafe = self._ga_body(dict_node, h.kind)
        steps = self._body_steps(h)
        if steps and new_body is not None:
            unsafe.append("the body gets more keys in steps (`body[\"k\"] = ...`), which must move under `session` too")
        for step in steps:
            self.report(step, f"A key set on the flat ephemeral-key body: GA takes it under `session` "
                        f"(`{_src(self, step.value)}[\"session\"][...]`)", ga_form='["session"][...]')
        if new_body is None:
            if not (azure or ga_side) or unsafe[0] != "the body already has `session`":
                self.report(h.url, message + f" (not fixed: {unsafe[0]})", ga_form=ga_url)
            return
        edits = [self.make_edit(*self.span(where), new_body)]
        reads = self.reads.get(fn, [])
        if not reads:
            # The key moves to top-level `value`: a reader this function does not show would break silently.
            unsafe.append("the response is read outside this function: the key moves to top-level `value`")
        edits += [self.make_edit(*self.span(o), f'{_src(self, i)}["{k}"]') for o, i, k in reads]
        if ga_side or azure:
            if azure:  # the URL is RTM002's; the body and the reads only make sense together with it
                unsafe.append("apply together with RTM002 (the GA Azure URL)")
            why = f" (review: {'; '.join(unsafe)})" if unsafe else ""
            lead = ("Preview (flat) body of an Azure ephemeral-key request:" if azure else
                    "The GA `client_secrets` endpoint is posted a preview (flat) session body:")
            self.report(where, f"{lead} nest it under `session` with `type` and read the key at top-level "
                        f"`value`{why}", edits=edits, unsafe=bool(unsafe), ga_form='{"session": {"type": ...}}',
                        fix_title="Nest the body under `session`", comment_scope=where)
            self._report_reads(reads, edits, bool(unsafe))
            return
        url_edit = self._url_edit(h.url)
        if url_edit is None:
            self.report(h.url, message + " (the URL is built elsewhere)", ga_form=ga_url)
            self._report_body(h, where, [], False)
            return
        edits.append(url_edit)
        why = f" (review: {'; '.join(unsafe)})" if unsafe else ""
        self.report(h.url, message + why, edits=edits, unsafe=bool(unsafe), ga_form=ga_url, comment_scope=where,
                    fix_title="Use `/v1/realtime/client_secrets`")
        self._report_body(h, where, edits, bool(unsafe))
        self._report_reads(reads, edits, bool(unsafe))

    def _body_steps(self, h: _HttpCall) -> list[cst.Subscript]:
        """`body["instructions"] = ...` in the function that posts `json=body`."""
        if not isinstance(h.body, cst.Name) or h.function is None:
            return []
        name, found = h.body.value, []

        class _Steps(cst.CSTVisitor):
            def visit_AssignTarget(inner, n: cst.AssignTarget) -> None:  # noqa: N805
                t = n.target
                if isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name) and t.value.value == name:
                    found.append(t)

        traversal.visit(h.function, _Steps())
        return found

    def _report_body(self, h: _HttpCall, where: cst.CSTNode, edits: list[Edit], unsafe: bool) -> None:
        """A flat body built away from the request (`body = {"model": ..., "voice": ...}`; `post(url, json=body)`)
        is a line that changes too: reported where it is built, with the request's (all-or-nothing) edits."""
        url_line = self.range_of(h.url).start.line
        if self.range_of(where).start.line == url_line:
            return
        voice = " (voice at `session.audio.output.voice`)" if h.kind == "realtime" else ""
        self.report(where, f"Preview (flat) ephemeral-key body, posted to the preview endpoint on line {url_line}: "
                    f"GA nests it as `{{\"session\": {{\"type\": \"{h.kind}\", ...}}}}`{voice}",
                    edits=edits, unsafe=unsafe, ga_form='{"session": {"type": ...}}',
                    fix_title="Nest the body under `session`", comment_scope=where)

    def _report_reads(self, reads: list[tuple[cst.Subscript, cst.BaseExpression, str]], edits: list[Edit],
                      unsafe: bool) -> None:
        """Each key read gets its own finding, carrying the same (all-or-nothing) edits as the request."""
        for outer, _, key in reads:
            self.fixed_reads.add(id(outer.value))
            self.report(outer, f'`["client_secret"]["{key}"]`: the GA `client_secrets` response has the key at '
                        f'top-level `["{key}"]`', edits=edits, unsafe=unsafe, ga_form=f'["{key}"]',
                        fix_title="Read the key at top-level", comment_scope=outer)

    def _body_dict(self, h: _HttpCall, fn: int | None) -> tuple[cst.Dict, cst.CSTNode] | None:
        if h.body is None:
            return None
        value = h.body
        if isinstance(value, cst.Dict):
            return value, value
        if isinstance(value, cst.Name):
            bound = self.local_dicts.get((fn, value.value), [])
            if len(bound) == 1 and isinstance(bound[0], cst.Dict):
                return bound[0], bound[0]
        return None

    def _block_indent(self, node: cst.CSTNode) -> str:
        line = self.ctx.line_text(self.range_of(node).start.line)
        return line[: len(line) - len(line.lstrip())]

    def _ga_body(self, node: cst.Dict, kind: str) -> tuple[str | None, list[str]]:
        keys = [string_value(el.key) if isinstance(el, cst.DictElement) else None for el in node.elements]
        if None in keys:
            return None, ["the body has `**` or non-literal keys"]
        if "session" in keys:
            return None, ["the body already has `session`"]
        expires = None
        elements = list(node.elements)
        if "client_secret" in keys:
            el = elements[keys.index("client_secret")]
            assert isinstance(el, cst.DictElement)
            inner = _expiry_node(el.value, kind)
            if inner is None:
                return None, [f"`client_secret` is not `{{\"{_EXPIRY[kind]}\": ...}}`"]
            expires = _src(self, inner)
            elements.pop(keys.index("client_secret"))
            if elements and keys.index("client_secret") == len(keys) - 1:
                elements[-1] = elements[-1].with_changes(comma=el.comma)
        trimmed = node.with_changes(elements=elements)
        result = ga.reshape_session(trimmed, kind=kind)  # type: ignore[arg-type]
        if result.left:
            return None, ["; ".join(f"`{ch.key}`: {ch.detail}" for ch in result.left)]
        unsafe = list(result.unsafe) + [f"`{ch.key}` removed ({ch.detail})" for ch in result.changes
                                          if ch.action == "removed"]
        session = _render(result.dict, self._body_indent)
        q = '"'
        head = f"{q}expires_after{q}: {expires}, " if expires else ""
        return f"{{{head}{q}session{q}: {session}}}", unsafe

    def _url_edit(self, url: cst.CSTNode) -> Edit | None:
        if isinstance(url, cst.SimpleString):
            value = string_value(url)
            if value is None:
                return None
            new = _URL.sub(_GA_PATH, value)
            return self.replace(url, f"{url.prefix}{url.quote}{new}{url.quote}")
        if isinstance(url, cst.FormattedString):
            for part in url.parts:
                if isinstance(part, cst.FormattedStringText) and _URL.search(part.value):
                    return self.replace(part, _URL.sub(_GA_PATH, part.value))
            # `f"{REALTIME_BASE}/sessions"`: the path continues a constant that ends in `/realtime`
            for prev, part in zip(url.parts, url.parts[1:], strict=False):
                found = _TAIL.match(part.value) if isinstance(part, cst.FormattedStringText) else None
                if found and isinstance(prev, cst.FormattedStringExpression) and isinstance(prev.expression, cst.Name):
                    base = self.module_strings.get(prev.expression.value)
                    if isinstance(base, cst.SimpleString) and (string_value(base) or "").rstrip("/").endswith(
                            "/realtime"):
                        return self.replace(part, _GA_PATH.removeprefix("/realtime") + part.value[found.end():])
        return None


def _has_multiline_string(node: cst.CSTNode) -> bool:
    """Re-indenting the lines of a value must not change the text of a triple-quoted string inside it."""
    found = False

    class _Strings(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> None:
            nonlocal found
            found = found or "\n" in n.value

        def visit_FormattedString(self, n: cst.FormattedString) -> None:
            nonlocal found
            found = found or any("\n" in p.value for p in n.parts if isinstance(p, cst.FormattedStringText))

    node.visit(_Strings())
    return found


def _is_post(call: cst.Call) -> bool:
    """`x.post(url, ...)` (requests, httpx, aiohttp) or `urllib.request.Request(url, ..., method="POST")`."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "post":
        return True
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    method = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "method"), None)
    return name == "Request" and method is not None and (string_value(method) or "").upper() == "POST"


def _payload(call: cst.Call) -> cst.BaseExpression | None:
    """The JSON body: `json=X`, or `data=`/`content=` holding `json.dumps(X)` (optionally `.encode(...)`)."""
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "json":
            return arg.value
        if arg.keyword.value in ("data", "content"):
            value = arg.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == \
                    "encode":
                value = value.func.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == \
                    "dumps" and value.args and value.args[0].keyword is None:
                return value.args[0].value
    return None


def _beta_body(node: cst.Dict) -> bool:
    """A flat (preview) session body: literal keys, none of them a GA top-level key."""
    keys = {string_value(el.key) if isinstance(el, cst.DictElement) else None for el in node.elements}
    return bool(keys) and None not in keys and not keys & {"session", "expires_after"}


def _secret_access(node: cst.CSTNode) -> bool:
    """`X["client_secret"]` or `X.get("client_secret"[, default])`."""
    if isinstance(node, cst.Subscript):
        return _index(node) == "client_secret"
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get"
            and bool(node.args) and string_value(node.args[0].value) == "client_secret")


def _index(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


def _text(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        return string_value(node)
    if isinstance(node, cst.FormattedString):
        return fstring_template(node)
    return None


def _expiry_node(value: cst.BaseExpression, kind: str) -> cst.BaseExpression | None:
    """The `{anchor, seconds}` inside a beta `client_secret={"expires_after"|"expires_at": {...}}`."""
    if not isinstance(value, cst.Dict) or len(value.elements) != 1:
        return None
    el = value.elements[0]
    if isinstance(el, cst.DictElement) and string_value(el.key) == _EXPIRY[kind]:
        return el.value
    return None


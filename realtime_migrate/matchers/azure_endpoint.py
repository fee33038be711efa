"""Rewrites Azure preview realtime URLs to the GA `/openai/v1/realtime?model=` form.

URLs are rewritten on a *template*: the literal text of a string, with each f-string
expression replaced by a sentinel, so plain strings, f-strings and `.format` templates
share one rewrite. An `api-version` parameter is only ever dropped next to a
`deployment=` parameter or the preview realtime path, never elsewhere: other Azure
services keep theirs. A file that also builds the GA URL of the same endpoint (a library
offering both protocols behind a switch) gets the rewrite as an unsafe fix.
"""

from __future__ import annotations

import re

import libcst as cst

from realtime_migrate.azure_urls import _PATH, _SESSIONS, Rewrite, rewrite_template
from realtime_migrate.matchers.base import Matcher, string_value
from realtime_migrate.model import Severity

_SENTINEL = re.compile("\x00(\\d+)\x00")
_REGIONAL = re.compile(r"realtimeapi-preview\.ai\.azure\.com")
_APPENDED_VERSION = re.compile(r"[?&]api-version=$")
_PREVIEW_IN_FILE = re.compile(r"/openai/realtime(?![\w/.-])")
_NAMED_FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# The GA form of each preview endpoint, as written in a string of the file: WebSocket, ephemeral keys.
_GA_WS = re.compile(r"/openai/v1/realtime(?![\w/.-])")
_GA_SECRETS = re.compile(r"/openai/v1/realtime/client_secrets")

GA_CALLS = "https://<resource>.openai.azure.com/openai/v1/realtime/calls"
# A plain client's `websocket_base_url` on an Azure host without `/v1`: `client.realtime.connect` appends
# `/realtime?model=`, which is the preview path there (GA: `…/openai/v1`).
_AZURE_BASE = re.compile(r"^(?P<base>wss?://[^/\s]*\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|"
                         r"services\.ai\.azure\.com)/openai)/?$")
_PREVIEW_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}-preview$")


class Matcher(Matcher):  # type: ignore[no-redef]
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.pending_paths: list[tuple[cst.CSTNode, str | list, list]] = []
        self.param_dicts: list[tuple[cst.Dict, cst.DictElement, cst.DictElement]] = []
        self.preview_query_seen = False
        self.handled: set[int] = set()
        self.docstrings: set[int] = set()
        self.ga_seen: set[str] = set()  # "ws" / "sessions": the file builds that GA URL itself
        self.urls: list[tuple[cst.CSTNode, str | None, list, bool, str, str]] = []  # reported at the end
        # `params["api-version"] = v` / `params["deployment"] = d`: the preview query built in steps
        self.param_steps: list[tuple[cst.SimpleStatementLine, cst.Subscript, str]] = []
        # `api_version: str = "2024-10-01-preview"` (a parameter default or an attribute) in this file
        self.version_defaults: list[cst.SimpleString] = []

    # -- the preview query built away from the URL ------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) != 1 or not isinstance(node.body[0], cst.Assign) or len(node.body[0].targets) != 1:
            return
        target = node.body[0].targets[0].target
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 \
                and isinstance(target.slice[0].slice, cst.Index):
            key = string_value(target.slice[0].slice.value)
            if key in ("api-version", "deployment"):
                self.param_steps.append((node, target, key))  # type: ignore[arg-type]
        elif _version_name(target) and isinstance(node.body[0].value, cst.SimpleString) \
                and _PREVIEW_VERSION.match(string_value(node.body[0].value) or ""):
            self.version_defaults.append(node.body[0].value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if _version_name(node.target) and isinstance(node.value, cst.SimpleString) \
                and _PREVIEW_VERSION.match(string_value(node.value) or ""):
            self.version_defaults.append(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        if node.name.value == "api_version" and isinstance(node.default, cst.SimpleString) \
                and _PREVIEW_VERSION.match(string_value(node.default) or ""):
            self.version_defaults.append(node.default)

    def visit_Call(self, node: cst.Call) -> None:
        """`AsyncOpenAI(websocket_base_url="wss://res.openai.azure.com/openai")`: the GA base is `…/openai/v1`."""
        name = node.func.attr.value if isinstance(node.func, cst.Attribute) else \
            node.func.value if isinstance(node.func, cst.Name) else ""
        if name not in ("OpenAI", "AsyncOpenAI"):
            return  # AzureOpenAI clients: RTM022
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value != "websocket_base_url" \
                    or not isinstance(arg.value, cst.SimpleString):
                continue
            found = _AZURE_BASE.match(string_value(arg.value) or "")
            if found is None or "\\" in arg.value.value:
                continue
            self.handled.add(id(arg.value))
            new = found.group("base") + "/v1"
            self.report(arg.value, "Azure `websocket_base_url` without `/v1`: `realtime.connect` then opens the "
                        "preview path `/openai/realtime`; the GA base is `…/openai/v1`", ga_form=new,
                        edits=[self.replace(arg.value, f"{arg.value.prefix}{arg.value.quote}{new}{arg.value.quote}")],
                        fix_title="Append `/v1` to the Azure base URL")

    def _note_ga(self, text: str) -> None:
        if _GA_WS.search(text):
            self.ga_seen.add("ws")
        if _GA_SECRETS.search(text):
            self.ga_seen.add("sessions")

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self.docstrings.add(id(node.value))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        """A URL split over implicitly joined literals is rewritten as one template."""
        parts = _flatten(node)
        if id(node) in self.docstrings or not all(isinstance(p, cst.SimpleString) and "b" not in p.prefix.lower()
                                                  for p in parts):
            return True
        raws = [p.raw_value for p in parts]  # type: ignore[union-attr]
        joined = "\x01".join(raws)
        if _REGIONAL.search(joined.replace("\x01", "")):
            return True
        rw = rewrite_template(joined)
        if rw is None:
            return True
        self.handled.update(id(p) for p in parts)
        pieces = rw.template.split("\x01")
        if len(pieces) != len(parts) or _positional(rw.dropped) or any(v == "" for v in rw.dropped):
            self.report(node, "Azure preview realtime URL split over several literals: drop `api-version` and "
                        "rename `deployment=` to `model=`", ga_form="/openai/v1/realtime?model=<deployment>")
            return False
        if rw.dropped:
            self.preview_query_seen = True
        edits = [self.replace(p, f"{p.prefix}{p.quote}{new}{p.quote}")  # type: ignore[union-attr]
                 for p, new, old in zip(parts, pieces, raws, strict=True) if new != old]
        ga = "".join(pieces)
        if rw.path_only:
            self.pending_paths.append((parts[0], edits, [False]))
            return False
        # The edits replace the literals only; comments between them are never inside an edit.
        self.urls.append((node, None, edits, False, ga, _kind("".join(raws))))
        return False

    # -- strings ---------------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "b" in node.prefix.lower() or id(node) in self.handled:
            return
        if id(node) in self.docstrings:
            if _PATH.search(node.raw_value) or _SESSIONS.search(node.raw_value):
                self.report(node, "mentions an Azure preview realtime URL "
                            "(GA: `/openai/v1/realtime?model=<deployment>`)", severity=Severity.INFO)
            return
        raw = node.raw_value
        if _REGIONAL.search(raw):
            self._regional(node)
            return
        rw = rewrite_template(raw)
        if rw is None:
            self._note_ga(raw)
            if _APPENDED_VERSION.search(raw) and _PREVIEW_IN_FILE.search(self.ctx.text):
                self.report(node, "`api-version` is appended to an Azure preview realtime URL here: the GA URL "
                            "`/openai/v1/realtime?model=<deployment>` takes no `api-version`", ga_form="(remove it)")
            return
        code = f"{node.prefix}{node.quote}{rw.template}{node.quote}"
        self._decide(node, rw, code, positional=_positional(rw.dropped))

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        pieces: list[str] = []
        exprs: list[cst.FormattedStringExpression] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
            else:
                pieces.append(f"\x00{len(exprs)}\x00")
                exprs.append(part)  # type: ignore[arg-type]
        template = "".join(pieces)
        if _REGIONAL.search(template):
            self._regional(node)
            return False
        rw = rewrite_template(template)
        if rw is None:
            if id(node) not in self.docstrings:
                self._note_ga(template)
            return False
        parts: list[cst.BaseFormattedStringContent] = []
        kept: set[int] = set()
        for i, chunk in enumerate(_SENTINEL.split(rw.template)):
            if i % 2 == 0:
                if chunk:
                    parts.append(cst.FormattedStringText(chunk))
            else:
                kept.add(int(chunk))
                parts.append(exprs[int(chunk)])
        side_effects = any(_has_call(e.expression) for i, e in enumerate(exprs) if i not in kept)
        code = self.ctx.module.code_for_node(node.with_changes(parts=parts))
        self._decide(node, rw, code, positional=False, unsafe=side_effects)
        return False

    def _decide(self, node: cst.CSTNode, rw: Rewrite, code: str, *, positional: bool,
                unsafe: bool = False) -> None:
        if rw.dropped:
            self.preview_query_seen = True
        if any(v == "" for v in rw.dropped) or positional:
            self.report(node, "Azure preview realtime URL: the `api-version` value comes from outside this literal; "
                        "drop it, and rename `deployment=` to `model=`", ga_form=code)
            return
        if rw.path_only:
            self.pending_paths.append((node, code, [unsafe]))
            return
        self._report_url(node, code, unsafe)

    def _report_url(self, node: cst.CSTNode, code: str, unsafe: bool) -> None:
        old = self.ctx.module.code_for_node(node)
        self.urls.append((node, code, [self.replace(node, code)], unsafe, code, _kind(old)))

    def _emit_urls(self) -> None:
        for node, code, edits, unsafe, ga_form, kind in self.urls:
            sessions = kind == "sessions" and code is not None and "client_secrets" in code
            message = ("Azure preview ephemeral-key URL: GA mints keys at `/openai/v1/realtime/client_secrets` "
                       "(body nested under `session`, key read from top-level `value`)" if sessions
                       else self.rule.message)
            if kind in self.ga_seen:
                message += (" (review: this file also builds the GA URL, as code offering both protocols behind a "
                            "switch does; the rewrite would make the switch meaningless)")
            self.report(node, message, edits=edits, unsafe=unsafe or kind in self.ga_seen, ga_form=ga_form,
                        fix_title="Use the GA URL", comment_scope=node if code is not None else _first(node))

    def _regional(self, node: cst.CSTNode) -> None:
        self.report(node, "Azure preview WebRTC host `<region>.realtimeapi-preview.ai.azure.com/v1/realtimertc`: GA "
                    "uses your resource host; the resource name cannot be derived from the region",
                    ga_form=GA_CALLS)

    # -- query-parameter dicts -------------------------------------------------------------
    def visit_Dict(self, node: cst.Dict) -> None:
        found: dict[str, cst.DictElement] = {}
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                key = string_value(el.key)
                if key in ("api-version", "deployment"):
                    found[key] = el
        if len(found) == 2:
            self.param_dicts.append((node, found["api-version"], found["deployment"]))

    def leave_Module(self, original_node: cst.Module) -> None:
        proven = bool(self.pending_paths) or self.preview_query_seen
        for node, api_version, deployment in self.param_dicts:
            if not proven:
                continue
            self.preview_query_seen = True
            edit = self._dict_edit(node, api_version, deployment)
            self.report(node, "Azure preview realtime query parameters: GA takes `model=<deployment>` and no "
                        "`api-version`", edits=[edit], ga_form='{"model": <deployment>}',
                        fix_title="Drop `api-version`, rename `deployment` to `model`")
        for node, code, (unsafe,) in self.pending_paths:
            # The query is built apart from the path; dropping api-version there is only known to
            # happen when this file holds a preview query this rule rewrites too.
            if isinstance(code, list):  # a concatenation: its edits are ready
                self.report(node, edits=code, unsafe=unsafe or not self.preview_query_seen or "ws" in self.ga_seen,
                            fix_title="Use the GA URL")
            else:
                self._report_url(node, code, unsafe or not self.preview_query_seen)
        self._emit_urls()
        if not (proven or self.urls):
            return
        for stmt, target, key in self.param_steps:
            if key == "api-version":
                r = self.range_of(stmt)
                start, end = self.ctx.lines_span(r.start.line, r.end.line)
                whole_line = not self.ctx.line_text(r.start.line)[: r.start.column].strip()
                self.report(target, "`api-version` is set on the query of an Azure preview realtime URL: the GA URL "
                            "`/openai/v1/realtime?model=<deployment>` takes none (leaving it gives 401)",
                            edits=[self.make_edit(start, end, "")] if whole_line else [], ga_form="(remove it)",
                            fix_title="Remove the `api-version` parameter", comment_scope=stmt)
            else:
                key_node = target.slice[0].slice.value  # type: ignore[attr-defined]
                self.report(target, "`deployment=` of an Azure preview realtime URL is `model=` in GA (the value "
                            "stays the deployment name)", edits=[self.replace(key_node, _rename_key(key_node))],
                            ga_form='params["model"] = <deployment>', fix_title="Rename `deployment` to `model`")
        for literal in self.version_defaults:
            self.report(literal, f"Preview `api-version` `{string_value(literal)}` for an Azure realtime URL built in "
                        "this file: the GA URL `/openai/v1/realtime?model=<deployment>` takes no `api-version`",
                        ga_form="(no api-version)")

    def _dict_edit(self, node: cst.Dict, api_version: cst.DictElement, deployment: cst.DictElement):  # type: ignore[no-untyped-def]
        renamed = deployment.with_changes(key=_rename_key(deployment.key))
        swapped = node.with_changes(elements=[renamed if e is deployment else e for e in node.elements])
        # Remove api-version from the re-rendered dict by position in the new element list.
        index = list(node.elements).index(api_version)
        items = list(swapped.elements)
        removed = items.pop(index)
        if index == len(items) and items:
            items[-1] = items[-1].with_changes(comma=removed.comma)
        return self.replace(node, swapped.with_changes(elements=items))


def _version_name(target: cst.BaseExpression) -> bool:
    """`api_version`, `self.api_version`, `API_VERSION`."""
    name = target.attr.value if isinstance(target, cst.Attribute) else target.value if isinstance(
        target, cst.Name) else ""
    return name.lower() == "api_version"


def _kind(text: str) -> str:
    """Which preview endpoint a URL piece names: "sessions" (ephemeral keys), "ws" (the realtime path), or ""
    (a query alone, say beside a path already rewritten: a half-migrated URL, not one side of a switch)."""
    if "realtimeapi/sessions" in text:
        return "sessions"
    return "ws" if _PREVIEW_IN_FILE.search(text) else ""


def _first(node: cst.CSTNode) -> cst.CSTNode:
    return _flatten(node)[0] if isinstance(node, cst.ConcatenatedString) else node  # type: ignore[arg-type]


def _rename_key(key: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(key, cst.SimpleString):
        return key.with_changes(value=f"{key.prefix}{key.quote}model{key.quote}")
    return key


def _flatten(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def _has_call(node: cst.CSTNode) -> bool:
    """Whether dropping `node` could drop a side effect."""

    class _Calls(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.found = False

        def visit_Call(self, n: cst.Call) -> None:
            self.found = True

    visitor = _Calls()
    node.visit(visitor)
    return visitor.found


def _positional(dropped: list[str]) -> bool:
    """A dropped value that is a positional placeholder (`{}`, `{0}`, `%s`) would shift the arguments."""
    for value in dropped:
        if "%" in value or ("{" in value and not _NAMED_FIELD.fullmatch(value)):
            return True
    return False


__all__ = ["Matcher", "rewrite_template"]

"""The JavaScript matchers: one walk over a program's named nodes, each construct checked against the rules
that apply (event names, headers, URLs, payloads, SDK calls, declarations)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any

from realtime_migrate.azure_urls import rewrite_template
from realtime_migrate.ga_tables import PAYLOAD_PATHS, PREVIEW_MODEL, SDP_URL, SESSION_FIELDS
from realtime_migrate.javascript.context import _Ctx, _line, _remove_element, _remove_statement
from realtime_migrate.javascript.nodes import (
    STRINGS,
    _class_of,
    _function_name,
    _key,
    _literal,
    _module_source,
    _pairs,
    _requote,
    _template,
    _value,
)
from realtime_migrate.javascript.reshape import _Reshape
from realtime_migrate.javascript.source import _parser, _walk, _walk_named, first_error, programs
from realtime_migrate.model import Edit, Finding
from realtime_migrate.protocol import (
    OTHER_VENDOR,
    PREVIEW_FIELD_KEYS,
    RESPONSES_API,
    ga_prefix,
    preview_only_prefix,
)
from realtime_migrate.redact import redact
from realtime_migrate.rule import Rule

_JS_DIRECTIVE = re.compile(
    r"(?://|/\*)\s*realtime-migrate:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*?)(?:\*/)?$",
    re.IGNORECASE)
_SESSIONS = re.compile(r"/realtime/(sessions|transcription_sessions)(?=$|[?#\"'`])")
_HEADER = "openai-beta"
_AZURE_PATH = re.compile(r"(?:^|[/\"'`])openai/realtime\b|/openai/realtimeapi/")
_REGIONAL = "realtimeapi-preview.ai.azure.com"
_SDK_SESSIONS = re.compile(r"(.+)\.beta\.realtime\.(sessions|transcriptionSessions)\.create")
_GA_SESSION_KEYS = {"audio", "output_modalities"}
# an output item's or an event item's content, indexed: `x.output[0].content[1]`, `ev.item?.content[0]`
_ITEM_CONTENT = re.compile(r"(?:\.output\s*(?:\?\.)?\[[^\]]*\]|\.item)\s*(?:\?)?\.content\s*(?:\?\.)?\[[^\]]*\]$")
_BETA_TYPES = re.compile(r"openai/resources/beta/realtime(?:/([\w-]+))?(?:\.m?js)?$")
_BETA_NAMESPACE = re.compile(r"\bBeta\.Realtime\b")
_AZURE_GA_PATH = re.compile(r"openai/v1/realtime")
_PREVIEW_API_VERSION = re.compile(r"\b20\d\d-\d\d-\d\d-preview\b")
_PAYLOAD_KEYS = {"session.update": "session", "response.create": "response"}
_SDP_BASE = re.compile(r"https://api\.openai\.com/v1/realtime/?")
_FUNCTIONS = ("method_definition", "function_declaration", "function_expression", "arrow_function",
              "function")
_NAMESPACED = re.compile(r"^((?:server|client|realtime|openai)[.:])([a-z_.]+)$")


def analyse(path: str, text: str, rules: Sequence[Rule]) -> list[Finding]:
    from realtime_migrate.suppress import Suppressions

    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    foreign = bool(OTHER_VENDOR.search(text))
    responses = bool(RESPONSES_API.search(text))
    found: list[Finding] = []
    comments: list[tuple[int, int, str]] = []
    for code, suffix in programs(text, path):
        raw = code.encode("utf-8")
        tree = _parser(suffix).parse(raw)
        if tree.root_node.has_error:  # as for Python: code the parser refuses is reported, never edited
            from realtime_migrate.engine import ParseFailure

            raise ParseFailure(first_error(text, path) or "syntax error")
        ctx = _Ctx(path, code, raw, {r.code: r for r in rules}, [], foreign, starts, code.isascii(), [],
                   responses=responses)
        nodes = _walk_named(tree.root_node)
        comment_nodes = [n for n in nodes if n.type == "comment"]
        ctx.comments = [ctx.span(n) for n in comment_nodes]
        _Analysis(ctx, nodes).run()
        comments += [(*ctx.pos(ctx.char(n.start_byte)), ctx.src(n)) for n in comment_nodes]
        # a page's code frame shows the page's line, not the blanked program's
        found += [f if code is text else dataclasses.replace(f, source_line=redact(_line(text, starts, f.line)))
                  for f in ctx.findings]
    suppressions = Suppressions.from_comments(comments, _JS_DIRECTIVE)
    findings = suppressions.filter(found) + suppressions.unused_findings(path, text, rules)
    return sorted(set(findings), key=Finding.sort_key)


class _Analysis:
    def __init__(self, ctx: _Ctx, nodes: list[Any]) -> None:
        self.ctx = ctx
        self.nodes = nodes  # every named node, in document order
        renames = ctx.rules.get("RTM003")
        self.renames: dict[str, str] = dict(renames.options["renames"]) if renames is not None else {}
        self.ga_names = frozenset(renames.options.get("ga_names", ())) | frozenset(self.renames.values()) \
            if renames is not None else frozenset()
        modules = ctx.rules.get("RTM021")
        self.js_modules: dict[str, str] = dict(modules.options.get("js_modules", {})) if modules is not None else {}
        self.done: set[int] = set()  # ids of string nodes already handled
        self.consts: dict[str, list[Any]] = {}  # `const name = <value>` (any scope), for one-step payloads
        self.reads_reported: set[int] = set()  # `client_secret.value` reads already reported (one finding each)
        self.fields: dict[tuple[int, str], list[Any]] = {}  # (class, name): `this.name = <value>`, class fields
        self._declares_both: bool | None = None
        self._literals: set[str] | None = None

    def run(self) -> None:
        ctx = self.ctx
        nodes = self.nodes
        for n in nodes:
            if n.type == "variable_declarator":
                name, value = n.child_by_field_name("name"), n.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    self.consts.setdefault(ctx.src(name), []).append(value)
            elif n.type == "assignment_expression":  # `this.baseURL = "https://api.openai.com/v1/realtime"`
                left, value = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and value is not None and left.type == "member_expression" and \
                        ctx.src(left.child_by_field_name("object") or left) == "this":
                    key = (_class_of(n), ctx.src(left.child_by_field_name("property") or left))
                    self.fields.setdefault(key, []).append(value)
            elif n.type in ("public_field_definition", "field_definition"):  # `baseURL = "..."` in a class body
                name, value = n.child_by_field_name("name") or n.child_by_field_name("property"), \
                    n.child_by_field_name("value")
                if name is not None and value is not None:
                    self.fields.setdefault((_class_of(n), ctx.src(name)), []).append(value)
        self.reshaped: set[int] = set()  # ids of objects already reshaped as an event's payload
        self.items = "conversation.item" in ctx.text
        # the file builds an Azure preview realtime URL (or names a preview API version beside realtime code): its
        # `api-version` / `deployment` query parts are that URL's
        self.azure_query = bool((_AZURE_PATH.search(ctx.text) and not _AZURE_GA_PATH.search(ctx.text))
                                or (_PREVIEW_API_VERSION.search(ctx.text) and "realtime" in ctx.text))
        # functions that send a parameter as the session: `updateConfig(c) { send("session.update", {session: c}) }`
        self.senders = self.session_senders(nodes) if "session.update" in ctx.text else {}
        for n in nodes:
            kind = n.type
            if kind == "object":
                self.event_object(n)
                if self.azure_query:
                    self.query_object(n)
            elif kind == "property_signature":
                self.declared_event(n)
            elif kind == "assignment_expression" and self.azure_query:
                self.query_assignment(n)
            elif kind == "pair":
                self.header_pair(n)
            elif kind == "call_expression":
                self.call(n)
            elif kind == "member_expression":
                self.member(n)
            elif kind == "binary_expression":
                self.content_test(n)
            elif kind == "nested_type_identifier" and _BETA_NAMESPACE.search(ctx.src(n)):
                ctx.report("RTM021", n, f"`{ctx.src(n)}` is a preview (beta) Realtime type of the `openai` package; GA "
                           "types live under `OpenAI.Realtime` (some names differ: review)", ga_form="OpenAI.Realtime")
        for n in nodes:
            if n.type == "object" and n.id not in self.reshaped:
                self.session_config(n)
        for n in nodes:
            if n.type in STRINGS and n.id not in self.done:
                self.string(n)

    # -- strings ------------------------------------------------------------------------------------
    def string(self, node: Any) -> None:
        ctx = self.ctx
        value = _literal(ctx, node)
        renames = self.renames
        if value is not None:
            if value in renames and self.beside_twin(node, renames[value]):
                ctx.report("RTM003", node, f"`{value}` is listed beside its GA name `{renames[value]}` (kept for the "
                           "preview protocol on purpose)", note=True, ga_form=f'"{renames[value]}"')
                return
            if value in renames:
                ctx.report("RTM003", node, f"Server event `{value}` was renamed to `{renames[value]}` in GA",
                           edits=[ctx.replace(node, _requote(ctx, node, renames[value]))],
                           ga_form=f'"{renames[value]}"', title=f"Rename to `{renames[value]}`")
                return
            spaced = _NAMESPACED.match(value)
            if spaced and spaced.group(2) in renames:  # `"server.response.audio.delta"`: a client's own event key
                new = spaced.group(1) + renames[spaced.group(2)]
                ctx.report("RTM003", node, f"`{value}` names the preview server event `{spaced.group(2)}`, renamed "
                           f"to `{renames[spaced.group(2)]}` in GA",
                           edits=[ctx.replace(node, _requote(ctx, node, new))], ga_form=f'"{new}"',
                           title=f"Rename to `{new}`")
                return
            if value == "transcription_session.update":
                ctx.report("RTM012", node, "`transcription_session.update` was removed in GA: send `session.update` "
                           "with `session: { type: \"transcription\", ... }`",
                           ga_form='{ type: "session.update", session: { type: "transcription", ... } }')
                return
            if value.strip("/") == "openai/realtime":  # `url.pathname = "openai/realtime"`
                new = value.replace("openai/realtime", "openai/v1/realtime")
                ctx.report("RTM002", node, "Azure preview realtime path: GA uses `/openai/v1/realtime?model="
                           "<deployment>` without `api-version`", edits=[ctx.replace(node, _requote(ctx, node, new))],
                           unsafe=True, ga_form="/openai/v1/realtime", title="Use the GA path")
                return
            if _SDP_BASE.fullmatch(value) and self.sdp_base():
                ctx.report("RTM024", node, "Preview WebRTC SDP endpoint: this file posts its SDP offer to "
                           "`/v1/realtime`; GA posts it to `/v1/realtime/calls`",
                           edits=[ctx.replace(node, _requote(ctx, node, value.rstrip("/") + "/calls"))], unsafe=True,
                           ga_form="https://api.openai.com/v1/realtime/calls",
                           title="Post the offer to `/v1/realtime/calls`")
                return
            if value.lower() in ("realtime=v1",):
                ctx.report("RTM001", node, "`realtime=v1` is the preview `OpenAI-Beta` header value; GA must not "
                           "send it (remove the header where this value is used)", ga_form="(no OpenAI-Beta header)")
                return
            if value.lower() == "openai-beta.realtime-v1":
                self.subprotocol(node)
                return
            modules = self.js_modules
            if value in modules:
                ctx.report("RTM021", node, f"`{value}` is the preview (beta) Realtime module of the `openai` package; "
                           f"GA: `{modules[value]}`", edits=[ctx.replace(node, _requote(ctx, node, modules[value]))],
                           ga_form=modules[value], title=f"Import from `{modules[value]}`")
                return
            if _module_source(node):
                beta = _BETA_TYPES.match(value)
                if beta is not None:  # `import type { SessionUpdateEvent } from "openai/resources/beta/realtime/..."`
                    ga_module = "openai/resources/realtime/" + (
                        "client-secrets" if (beta.group(1) or "").endswith("sessions") else "realtime")
                    ctx.report("RTM021", node, f"`{value}` holds the preview (beta) Realtime types; GA types live in "
                               f"`{ga_module}` (some names differ: review the imported names)", ga_form=ga_module)
                return  # a module name, never a URL or an event

            if re.fullmatch(PREVIEW_MODEL, value) and not self._azure():
                ga_model = "gpt-realtime-mini" if "-mini-" in value else "gpt-realtime"
                listed = self.beside_twin(node, ga_model)  # `'gpt-realtime' | 'gpt-4o-realtime-preview' | ...`
                ctx.report("RTM026", node, f"Preview realtime model `{value}`" + (
                    f" is listed beside `{ga_model}` (a list of accepted models)" if listed else
                    f": the GA-era model is `{ga_model}` (verify on the deprecations page)"), ga_form=ga_model,
                           note=listed)
                return
        elif node.type == "template_string" and self.template_prefix(node):
            return
        self.url(node)

    def resolved(self, node: Any, found: tuple[str, list[str]] | None) -> tuple[str, list[str]] | None:
        """`found` (`_template` of `node`), with each `${BASE}` / `${this.baseURL}` bound once to a string literal in
        this file replaced by that literal: what the URL is, to find its preview endpoint (edits still go to the
        template itself)."""
        ctx = self.ctx
        if found is None or not found[1]:
            return found
        text, subs = found

        def value(m: re.Match[str]) -> str:
            expr = subs[int(m.group(1))][2:-1].strip()  # `${ ... }`
            name = expr[5:] if expr.startswith("this.") else expr
            bound = self.fields.get((_class_of(node), name), []) if expr.startswith("this.") else \
                self.consts.get(name, [])
            literal = _literal(ctx, bound[0]) if len(bound) == 1 and bound[0].type in STRINGS else None
            return literal if literal is not None and re.fullmatch(r"[\w.]+", name) else m.group(0)

        return re.sub("\x00(\\d+)\x00", value, text), subs

    def template_prefix(self, node: Any) -> bool:
        """`` `response.audio.${kind}` ``: a template whose fixed head selects preview event names only is renamed
        like a `startsWith` prefix."""
        found = _template(self.ctx, node)
        if found is None or not found[1]:
            return False
        head = found[0].split("\x00", 1)[0]
        if not head.startswith(("response.", "conversation.", "input_audio")):
            return False
        start = self.ctx.span(node)[0] + 1  # after the backtick
        return self.rename_prefix(node, head, "builds", lambda new: self.ctx.edit(start, start + len(head), new))

    def prefix(self, node: Any) -> None:
        """`e.type.startsWith("response.audio")`: a prefix that selects preview event names only."""
        value = _literal(self.ctx, node)
        if value is not None and self.rename_prefix(node, value, "matches",
                                                    lambda new: self.ctx.replace(node, _requote(self.ctx, node, new))):
            self.done.add(node.id)

    def rename_prefix(self, node: Any, head: str, verb: str, edit: Callable[[str], Edit]) -> bool:
        """Report (and rename with `edit`) a prefix of event names when it selects preview names only."""
        ctx = self.ctx
        if "RTM003" not in ctx.rules or not preview_only_prefix(head, self.renames, self.ga_names):
            return False
        new = ga_prefix(head, self.renames, self.ga_names)
        shown = head if verb == "matches" else head + "…"
        if new is None:
            ctx.report("RTM003", node, f"`{shown}` only {verb} preview event names; the GA names differ",
                       ga_form=", ".join(sorted(n for o, n in self.renames.items() if o.startswith(head))))
            return True
        ctx.report("RTM003", node, f"`{shown}` only {verb} preview event names: GA renamed exactly those to names "
                   f"starting with `{new}`", edits=[edit(new)], ga_form=new, title=f"Rename the prefix to `{new}`")
        return True

    def beside_twin(self, node: Any, ga_name: str) -> bool:
        """The preview name sits in the same `switch`, `||` / `&&` chain, array or `includes` list as its GA name:
        code that accepts both protocols on purpose."""
        container, parent = None, node.parent
        while parent is not None and parent.type in ("switch_case", "switch_body", "binary_expression", "array",
                                                     "parenthesized_expression", "arguments", "literal_type",
                                                     "union_type"):
            container, parent = parent, parent.parent
        if parent is not None and parent.type == "type_annotation":
            # `type: 'response.text.delta'` declaring an event interface: a file that declares the GA event too
            # declares both protocols
            return ga_name in self.file_literals()
        if container is None:
            return False
        return any(n.type in STRINGS and _literal(self.ctx, n) == ga_name for n in _walk_named(container))

    def file_literals(self) -> set[str]:
        if self._literals is None:
            self._literals = {v for n in self.nodes if n.type in STRINGS and (v := _literal(self.ctx, n)) is not None}
        return self._literals

    def sdp_base(self) -> bool:
        """`https://api.openai.com/v1/realtime` is the SDP endpoint of a file that makes SDP offers and builds no longer
        path on it (`${BASE}/sessions` makes it an API base)."""
        text = self.ctx.text
        return "sdp" in text.lower() and not re.search(r"\}/(?:sessions|client_secrets|transcription_sessions|calls)"
                                                      r"|['\"`]/(?:sessions|client_secrets|calls)\b", text)

    def _azure(self) -> bool:
        return "azure" in self.ctx.text.lower()

    def url(self, node: Any) -> None:
        ctx = self.ctx
        found = _template(ctx, node)
        if found is None:
            return
        text, subs = found
        if _REGIONAL in text:
            ctx.report("RTM002", node, "Azure preview WebRTC host `<region>.realtimeapi-preview.ai.azure.com/v1/"
                       "realtimertc`: GA posts the offer to your resource host, `https://<resource>.openai.azure.com/"
                       "openai/v1/realtime/calls` (the resource cannot be derived from the region)",
                       ga_form="https://<resource>.openai.azure.com/openai/v1/realtime/calls")
            return
        rw = rewrite_template(text) if (_azure_path_at_root(text) or "realtimeapi" in text) else None
        if rw is not None:
            new = re.sub("\x00(\\d+)\x00", lambda m: subs[int(m.group(1))], rw.template)
            dropped_side_effect = any("(" in s for i, s in enumerate(subs) if f"\x00{i}\x00" not in rw.template)
            ctx.report("RTM002", node, "Azure preview realtime URL: GA uses `/openai/v1/realtime?model=<deployment>` "
                       "without `api-version`", edits=[ctx.replace(node, ctx.src(node)[0] + new + ctx.src(node)[-1])],
                       unsafe=dropped_side_effect or rw.path_only, ga_form="/openai/v1/realtime?model=<deployment>",
                       title="Use the GA URL")
            return
        text = self.resolved(node, found)[0]  # type: ignore[index]
        m = SDP_URL.match(text)
        source = ctx.src(node)
        if m and "azure" not in text.lower() and m.group(2) and not m.group(3) and "?model=" in source:
            new = source[:source.index("?model=")] + "/calls" + source[-1]
            ctx.report("RTM024", node, "Preview WebRTC SDP endpoint `/v1/realtime?model=`: GA posts the SDP offer to "
                       "`/v1/realtime/calls`; the model comes from the client secret's session",
                       edits=[ctx.replace(node, new)], unsafe=True, ga_form="https://api.openai.com/v1/realtime/calls",
                       title="Post the offer to `/v1/realtime/calls`")
            return
        if _SESSIONS.search(text) and node.id not in self.done and ("/v1/realtime/" in text or "openai" in
                                                                     ctx.text.lower()):
            ctx.report("RTM023", node, "Preview ephemeral-key endpoint: GA posts `{session: {type: \"realtime\", "
                       "...}}` to `/v1/realtime/client_secrets` and returns the key at top-level `value`",
                       ga_form="/v1/realtime/client_secrets")

    def subprotocol(self, node: Any) -> None:
        ctx = self.ctx
        parent = node.parent
        if parent is not None and parent.type == "array":
            ctx.report("RTM001", node, "Preview sub-protocol `openai-beta.realtime-v1`: GA refuses it",
                       edits=[_remove_element(ctx, parent, node)],
                       ga_form='["realtime", "openai-insecure-api-key.<key>"]',
                       title="Remove the `openai-beta.realtime-v1` sub-protocol")
        else:
            ctx.report("RTM001", node, "`openai-beta.realtime-v1` is the preview sub-protocol; GA refuses it (drop "
                       "it from the sub-protocol list)", ga_form='["realtime", "openai-insecure-api-key.<key>"]')

    # -- headers ------------------------------------------------------------------------------------
    def header_pair(self, pair: Any) -> None:
        ctx = self.ctx
        key, value = _key(ctx, pair), _value(pair)
        if key is None or key.lower() != _HEADER or value is None or value.type not in STRINGS:
            return
        text = _literal(ctx, value)
        if text is None or text.strip().lower() != "realtime=v1":
            return
        self.done.add(value.id)
        ctx.report("RTM001", pair, "Preview `OpenAI-Beta: realtime=v1` header: a GA endpoint refuses it with "
                   "`beta_api_shape_disabled`", edits=[_remove_element(ctx, pair.parent, pair)],
                   ga_form="(no OpenAI-Beta header)", title="Remove the `OpenAI-Beta: realtime=v1` header")

    def call(self, node: Any) -> None:
        ctx = self.ctx
        func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if func is None or args is None:
            return
        values = [a for a in args.named_children if a.type != "comment"]
        literals = [_literal(ctx, a) for a in values]
        # `headers.set("OpenAI-Beta", "realtime=v1")`, `req.setHeader(...)`, `headers.append(...)`
        if func.type == "member_expression" and len(values) == 2 and (literals[0] or "").lower() == _HEADER \
                and (literals[1] or "").strip().lower() == "realtime=v1":
            statement = node.parent
            self.done.update(v.id for v in values)
            if statement is not None and statement.type == "expression_statement":
                ctx.report("RTM001", node, "Preview `OpenAI-Beta: realtime=v1` header: a GA endpoint refuses it "
                           "with `beta_api_shape_disabled`", edits=[_remove_statement(ctx, statement)],
                           ga_form="(no OpenAI-Beta header)", title="Remove the statement setting the header")
            return
        # `["OpenAI-Beta", "realtime=v1"]` pairs in `new Headers([...])` are arrays: handled below
        name = ctx.src(func).rsplit(".", 1)[-1]
        if self.azure_query and name in ("set", "append") and len(values) == 2 and \
                literals[0] in ("api-version", "deployment"):
            self.query_call(node, values)
            return
        sdk = _SDK_SESSIONS.fullmatch(ctx.src(func))
        if sdk is not None:
            self.sdk_sessions(node, func, values, sdk)
        # `this.sendEvent("session.update", { session: {...} })`: a helper that adds `type` to its payload
        if len(values) >= 2 and literals[0] in _PAYLOAD_KEYS and values[1].type == "object":
            pairs = dict((k, p) for k, p in _pairs(ctx, values[1]) if k is not None)
            if _PAYLOAD_KEYS[literals[0]] in pairs:  # type: ignore[index]
                self.payload(values[1], pairs, literals[0])  # type: ignore[arg-type]
        index = self.senders.get(name)
        if index is not None and index < len(values) and values[index].type == "object" and \
                values[index].id not in self.reshaped:
            self.reshaped.add(values[index].id)
            _Reshape(ctx, values[index], "session").run()
        if name in ("startsWith", "endsWith") and values and values[0].type in STRINGS:
            self.prefix(values[0])
        if name == "fetch" or name == "post":
            self.ephemeral(node, values)

    # -- Azure query parameters ----------------------------------------------------------------------
    def query_object(self, obj: Any) -> None:
        """`new URLSearchParams({ "api-version": "2024-10-01-preview", deployment })`: GA takes `model=` and no
        `api-version` (the Python matcher's query-parameter dicts)."""
        ctx = self.ctx
        pairs = dict((k, p) for k, p in _pairs(ctx, obj) if k is not None)
        if "api-version" not in pairs or "deployment" not in pairs:
            return
        deployment = pairs["deployment"]
        value = ctx.src(_value(deployment)) if deployment.type == "pair" else "deployment"
        edits = [_remove_element(ctx, obj, pairs["api-version"]), ctx.replace(deployment, f"model: {value}")]
        ctx.report("RTM002", obj, "Azure preview realtime query: GA takes `model=<deployment>` and no `api-version`",
                   edits=edits, ga_form="{ model: <deployment> }", title="Use the GA query parameters")

    def query_call(self, call: Any, values: list[Any]) -> None:
        """`url.searchParams.set("api-version", "...")` / `.set("deployment", d)` beside an Azure preview URL."""
        self.done.update(v.id for v in values)
        self.query_step(call, values[0], unsafe=False)

    def query_step(self, step: Any, key: Any, unsafe: bool) -> None:
        """One parameter of the Azure preview query set in a statement of its own (`key`: its name's literal):
        `api-version` goes with its statement, `deployment` is named `model`."""
        ctx = self.ctx
        if _literal(ctx, key) == "api-version":
            statement = step.parent
            edits = [_remove_statement(ctx, statement)] if statement is not None and \
                statement.type == "expression_statement" else []
            ctx.report("RTM002", step, "Azure preview realtime query: GA takes no `api-version`", edits=edits,
                       ga_form="(no api-version)", title="Remove the `api-version` parameter", unsafe=unsafe)
        else:
            ctx.report("RTM002", step, "Azure preview realtime query: GA names the deployment `model=`",
                       edits=[ctx.replace(key, _requote(ctx, key, "model"))], ga_form='"model"', title="Use `model`",
                       unsafe=unsafe)

    # -- the SDK's beta ephemeral keys ----------------------------------------------------------------
    def sdk_sessions(self, call: Any, func: Any, values: list[Any], match: re.Match[str]) -> None:
        """`client.beta.realtime.sessions.create({ model, voice })` →
        `client.realtime.clientSecrets.create({ session: { type: "realtime", model, audio: {...} } })`, and the
        file's `.client_secret.value` reads → `.value`."""
        ctx = self.ctx
        kind = "transcription" if match.group(2) == "transcriptionSessions" else "realtime"
        namespace = func.child_by_field_name("object").child_by_field_name("object")  # `client.beta.realtime`
        self.done.add(namespace.id)
        body = values[0] if len(values) == 1 else None
        if body is not None and body.type == "identifier":
            bound = self.consts.get(ctx.src(body), [])
            body = bound[0] if len(bound) == 1 else body
        message = (f"`{ctx.src(func)}(...)` mints a preview ephemeral key; GA: `client.realtime.clientSecrets.create("
                   f"{{ session: {{ type: \"{kind}\", ... }} }})`, key at top-level `.value`")
        ga_call = f"{match.group(1)}.realtime.clientSecrets.create"
        reshape = _Reshape(ctx, body, "session", kind=kind) if body is not None and body.type == "object" else None
        new_body = "{ session: { type: \"" + kind + "\" } }" if not values else (
            reshape.nested(reshape.plan()) if reshape is not None else None)
        if new_body is None:
            ctx.report("RTM023", func, message + " (the argument is not an object literal here: nest it by hand)",
                       ga_form=ga_call + "(...)")
            return
        edits = [ctx.replace(func, ga_call)]
        args = call.child_by_field_name("arguments")
        edits.append(ctx.replace(body, new_body) if values else ctx.edit(ctx.span(args)[1] - 1, ctx.span(args)[1] - 1,
                                                                         new_body))
        reads, read_edits = self.secret_reads()
        edits += read_edits
        # unsafe when no read of the key was seen: where the caller reads it is not known
        title = "Use `clientSecrets.create` with a nested session"
        ctx.report("RTM023", func, message, edits=edits, unsafe=not reads, ga_form=ga_call + "(...)", title=title)
        self.report_reads(reads, edits, title)

    def report_reads(self, reads: list[Any], edits: list[Edit], title: str) -> None:
        """Each `.client_secret.value` read once, with the fix of the request that mints the key."""
        for read in reads:
            if read.id in self.reads_reported:
                continue
            self.reads_reported.add(read.id)
            self.ctx.report("RTM023", read.parent, "`client_secret.value` of a preview ephemeral-key response: GA "
                            "returns the key at top-level `value`", edits=edits, unsafe=not reads, ga_form=".value",
                            title=title)

    def secret_reads(self) -> tuple[list[Any], list[Edit]]:
        """The file's `<x>.client_secret.value` / `.expires_at` reads, and the edits dropping `.client_secret`."""
        ctx = self.ctx
        reads = [n for n in self.nodes if n.type == "member_expression"
                 and ctx.src(n.child_by_field_name("property") or n) == "client_secret"
                 and n.parent is not None and n.parent.type == "member_expression"
                 and ctx.src(n.parent.child_by_field_name("property") or n) in ("value", "expires_at")]
        edits = []
        for read in reads:
            obj = read.child_by_field_name("object")
            edits.append(ctx.edit(ctx.span(obj)[1], ctx.span(read)[1], ""))
            self.done.add(read.id)
        return reads, edits

    def session_read(self, node: Any, obj: Any, name: str) -> None:
        """`this.sessionConfig.turn_detection`: a preview path read off an object named after the session."""
        holder = self.ctx.src(obj).rsplit(".", 1)[-1].lower()
        parent = node.parent
        write = parent is not None and parent.type == "assignment_expression" and \
            (parent.child_by_field_name("left") or parent).id == node.id
        if write and (parent.id in self.done or name not in PREVIEW_FIELD_KEYS or holder != "session"):
            return
        if write:  # `event.session.max_response_output_tokens = undefined`: a step building a session payload
            self.done.add(parent.id)
            ga_path = PAYLOAD_PATHS["session"][name]
            self.ctx.report("RTM011", parent, f"`{self.ctx.src(node)}` sets a preview session field: GA has it at "
                            f"`{ga_path}` (move it by hand)", ga_form=ga_path)
            return
        if name in PREVIEW_FIELD_KEYS and "session" in holder and not holder.endswith(("id", "ids")):
            ga_path = SESSION_FIELDS[name]
            self.ctx.report("RTM027", node, f"`{self.ctx.src(node)}` reads a preview session field: GA keeps it at "
                            f"`{ga_path}`", ga_form=f"{self.ctx.src(obj)}.{ga_path}")

    def content_test(self, node: Any) -> None:
        """`item.content.filter((c) => c.type === "text")`: GA assistant items carry `output_text` / `output_audio`,
        so the test misses them. Only in files that handle conversation items (chat content parts are `text`)."""
        ctx = self.ctx
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None or ctx.src(operator) not in ("===", "==", "!==", "!="):
            return
        for side, literal in ((left, right), (right, left)):
            value = _literal(ctx, literal) if literal.type in STRINGS else None
            if value not in ("text", "audio") or side.type != "member_expression" or \
                    ctx.src(side.child_by_field_name("property") or side) != "type":
                continue
            part = side.child_by_field_name("object")
            if part is not None and part.type == "subscript_expression" and _ITEM_CONTENT.search(ctx.src(part)):
                # `event.response.output[0].content[0].type === "text"`, `event.item.content[0].type`
                self.done.add(literal.id)
                new = "output_text" if value == "text" else "output_audio"
                ctx.report("RTM027", literal, f'Item content type `"{value}"`: GA assistant items carry `"{new}"`, '
                           "so this test misses them (accept both)", ga_form=f'"{new}"')
                return
            if not self.items:
                continue
            fn = node.parent
            while fn is not None and fn.type not in ("arrow_function", "function_expression", "for_in_statement"):
                fn = fn.parent
            if fn is None or part is None or part.type != "identifier":
                continue
            scope = fn.parent.parent if fn.type != "for_in_statement" else fn  # `.filter(` call / the loop
            if scope is None or ".content" not in ctx.src(scope).split("(", 1)[0] + ctx.src(scope)[:200]:
                continue
            self.done.add(literal.id)
            new = "output_text" if value == "text" else "output_audio"
            ctx.report("RTM027", literal, f'Item content type `"{value}"`: GA assistant items carry `"{new}"`, so '
                       "this test misses them (accept both)", ga_form=f'"{new}"')
            return

    def member(self, node: Any) -> None:
        ctx = self.ctx
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if prop is None or obj is None:
            return
        self.session_read(node, obj, ctx.src(prop))
        if ctx.src(prop) == "realtime" and obj.type == "member_expression" and node.id not in self.done and ctx.src(
                obj.child_by_field_name("property") or obj) == "beta":
            outer = node.parent
            what = ctx.src(outer.child_by_field_name("property")) if outer is not None and \
                outer.type == "member_expression" and outer.child_by_field_name("property") is not None else ""
            if what in ("sessions", "transcriptionSessions"):
                ctx.report("RTM023", node, f"`{ctx.src(node)}.{what}.create(...)` mints a preview ephemeral key; GA: "
                           "`client.realtime.clientSecrets.create({ session: { type: \"realtime\", ... } })`, key at "
                           "`.value`", ga_form="client.realtime.clientSecrets.create(...)")
            else:
                ctx.report("RTM020", node, f"`{ctx.src(node)}` is the preview Realtime API namespace; GA: "
                           "`client.realtime`", ga_form=ctx.src(obj.child_by_field_name("object") or obj) + ".realtime")
        if ctx.src(prop) in ("value", "expires_at") and obj.type == "member_expression" and ctx.src(
                obj.child_by_field_name("property") or obj) == "client_secret" and obj.id not in self.done:
            ctx.report("RTM023", node, f"Reads `client_secret.{ctx.src(prop)}` of an ephemeral-key response: GA "
                       f"returns it at top-level `{ctx.src(prop)}`", ga_form=f".{ctx.src(prop)}")

    # -- payloads -----------------------------------------------------------------------------------
    def event_object(self, obj: Any) -> None:
        ctx = self.ctx
        pairs = dict((k, p) for k, p in _pairs(ctx, obj) if k is not None)
        type_pair = pairs.get("type")
        event = _literal(ctx, _value(type_pair)) if type_pair is not None and type_pair.type == "pair" else None
        if event == "transcription_session.update":
            self.done.add(_value(type_pair).id)
            ctx.report("RTM012", type_pair, "`transcription_session.update` was removed in GA: send `session.update` "
                       "with `session: { type: \"transcription\", audio: { input: {...} } }`",
                       ga_form='{ type: "session.update", session: { type: "transcription", ... } }')
            return
        if event not in _PAYLOAD_KEYS:
            if event == "conversation.item.create" and "item" in pairs:
                self.item(_value(pairs["item"]))
            return
        self.payload(obj, pairs, event)  # type: ignore[arg-type]

    def payload(self, obj: Any, pairs: dict[str, Any], event: str) -> None:
        """The `session` / `response` member of a `session.update` / `response.create` event object."""
        ctx = self.ctx
        key = _PAYLOAD_KEYS[event]
        payload = pairs.get(key)
        if payload is None:
            if key == "session":
                ctx.report("RTM010", obj, "`session.update` without a session: GA requires `session.type`",
                           ga_form='session: { type: "realtime" }')
            return
        value = _value(payload)
        if value is not None and value.type in ("identifier", "shorthand_property_identifier"):
            name = ctx.src(value)
            bound = self.consts.get(name, [])
            value = bound[0] if len(bound) == 1 else value
            self.steps(name, key)
        if value is not None and value.type == "object":
            self.reshaped.add(value.id)
        if value is None or value.type != "object":
            if key == "session":
                ctx.report("RTM010", payload, "Cannot follow this session payload: in GA it needs `type: "
                           "\"realtime\"` and the GA field paths", note=True,
                           ga_form='{ type: "realtime", audio: {...} }')
            return
        _Reshape(ctx, value, key).run()

    def steps(self, name: str, part: str) -> None:
        """`session.voice = "alloy"` on the object later sent as the session: each preview field set in a step is
        reported where it is set (moved by hand: the object may be read elsewhere)."""
        ctx = self.ctx
        moves = PAYLOAD_PATHS[part]
        code = "RTM013" if part == "response" else "RTM011"
        for n in self.nodes:
            if n.type != "assignment_expression":
                continue
            left = n.child_by_field_name("left")
            if left is None or left.type != "member_expression" or \
                    ctx.src(left.child_by_field_name("object") or left) != name:
                continue
            field = ctx.src(left.child_by_field_name("property") or left)
            if field in moves and n.id not in self.done:
                self.done.add(n.id)
                ctx.report(code, n, f"`{name}.{field}` sets a preview {part} field in a step: GA has it at "
                           f"`{moves[field]}` (move it by hand)", ga_form=moves[field])

    def session_senders(self, nodes: list[Any]) -> dict[str, int]:
        """Function name → index of the parameter it sends as the session (`{type: "session.update", session: p}`
        or `send("session.update", {session: p})`), so that its callers' object literals are session payloads."""
        ctx = self.ctx
        out: dict[str, int] = {}
        for n in nodes:
            if n.type != "pair" or _key(ctx, n) != "session":
                continue
            value = _value(n)
            if value is None or value.type != "identifier":
                continue
            obj = n.parent
            call = obj.parent.parent if obj is not None and obj.parent is not None else None
            event = dict((k, p) for k, p in _pairs(ctx, obj) if k is not None).get("type") if obj is not None else None
            sent = (event is not None and event.type == "pair" and _literal(ctx, _value(event)) == "session.update") \
                or (call is not None and call.type == "call_expression" and
                    [_literal(ctx, a) for a in call.child_by_field_name("arguments").named_children][:1] ==
                    ["session.update"])
            fn = n.parent
            while fn is not None and fn.type not in _FUNCTIONS:
                fn = fn.parent
            if not sent or fn is None:
                continue
            params = fn.child_by_field_name("parameters")
            names = [ctx.src(p.child_by_field_name("pattern") or p).split("=")[0].strip().lstrip(".")
                     for p in (params.named_children if params is not None else []) if p.type != "comment"]
            name = _function_name(ctx, fn)
            if name and ctx.src(value) in names:
                out[name] = names.index(ctx.src(value))
        return out

    def declared_event(self, node: Any) -> None:
        """TypeScript declarations of the preview wire shape: `interface SessionUpdateEvent { type: 'session.update';
        session: Partial<{ voice: Voice; input_audio_format: AudioFormat; ... }> }`. The types must follow the GA
        shape when the payloads do; reported per field, never rewritten (readers of these types are elsewhere)."""
        ctx = self.ctx
        name = node.child_by_field_name("name")
        if name is None or ctx.src(name) != "type":
            return
        literal = next((c for c in _walk(node.child_by_field_name("type") or node) if c.type == "string"), None)
        event = _literal(ctx, literal) if literal is not None else None
        if event not in _PAYLOAD_KEYS or node.parent is None:
            return
        part = _PAYLOAD_KEYS[event]  # type: ignore[index]
        member = next((c for c in node.parent.named_children if c.type == "property_signature" and
                       ctx.src(c.child_by_field_name("name") or c) == part), None)
        shape = next((c for c in _walk(member) if c.type == "object_type"), None) if member is not None else None
        if shape is None:
            return
        paths = PAYLOAD_PATHS[part]
        code = "RTM013" if part == "response" else "RTM011"
        names = {ctx.src(f.child_by_field_name("name") or f) for f in shape.named_children
                 if f.type == "property_signature"}
        # the GA fields too, here or in the file's other event declarations: declarations for both protocols
        both = bool(names & _GA_SESSION_KEYS) or self.declares_both()
        for field in shape.named_children:
            key = ctx.src(field.child_by_field_name("name") or field) if field.type == "property_signature" else None
            ga_path = paths.get(key or "")
            if ga_path is None:
                continue
            ctx.report(code, field, f"`{key}` in this declaration of the preview `{event}` {part}: GA has it at "
                       f"`{ga_path}`" + (" (declared beside the GA fields: kept for the preview protocol?)" if both
                                         else " (update the type with the payloads)"), ga_form=ga_path, note=both)

    def declares_both(self) -> bool:
        """Some object type of this file declares preview and GA session fields side by side."""
        if self._declares_both is None:
            ctx, preview = self.ctx, set(PREVIEW_FIELD_KEYS)
            self._declares_both = False
            for shape in self.nodes:
                if shape.type != "object_type":
                    continue
                names = {ctx.src(f.child_by_field_name("name") or f) for f in shape.named_children
                         if f.type == "property_signature"}
                if names & _GA_SESSION_KEYS and names & preview:
                    self._declares_both = True
                    break
        return self._declares_both

    def query_assignment(self, node: Any) -> None:
        """`query["api-version"] = "2024-10-01-preview"` / `query["deployment"] = d`: a query built in steps."""
        ctx = self.ctx
        left = node.child_by_field_name("left")
        index = left.child_by_field_name("index") if left is not None and left.type == "subscript_expression" \
            else None
        key = _literal(ctx, index) if index is not None and index.type in STRINGS else None
        if key not in ("api-version", "deployment"):
            return
        self.done.add(index.id)
        self.query_step(node, index, unsafe=True)  # a plain object's key: that it is the URL's query is a guess

    def session_config(self, obj: Any) -> None:
        """An object literal holding two or more keys only the preview session has (`input_audio_format`,
        `turn_detection`, `modalities`, ...) is a session configuration kept away from the send (a client's
        `defaultSessionConfig`): reshaped like a payload, but unsafe, since where it goes is not proven."""
        keys = {k for k, _ in _pairs(self.ctx, obj) if k is not None}
        if len(keys & set(PREVIEW_FIELD_KEYS)) >= 2 and not keys & _GA_SESSION_KEYS:
            _Reshape(self.ctx, obj, "session", unproven=True).run()

    def item(self, item: Any) -> None:
        ctx = self.ctx
        if item is None or item.type != "object":
            return
        pairs = dict((k, p) for k, p in _pairs(ctx, item) if k is not None)
        role = _literal(ctx, _value(pairs["role"])) if "role" in pairs and pairs["role"].type == "pair" else None
        table = {"assistant": {"text": "output_text", "audio": "output_audio"}, "user": {"text": "input_text"},
                 "system": {"text": "input_text"}}.get(role or "", {})
        content = _value(pairs["content"]) if "content" in pairs else None
        if not table or content is None or content.type != "array":
            return
        for part in content.named_children:
            if part.type != "object":
                continue
            ptype = dict((k, p) for k, p in _pairs(ctx, part) if k is not None).get("type")
            literal = _value(ptype) if ptype is not None and ptype.type == "pair" else None
            old = _literal(ctx, literal) if literal is not None else None
            if old in table:
                self.done.add(literal.id)
                ctx.report("RTM014", literal, f"{role.capitalize()} item content `\"{old}\"` is `\"{table[old]}\"` in "  # type: ignore[union-attr]
                           "GA", edits=[ctx.replace(literal, _requote(ctx, literal, table[old]))],
                           ga_form=f'"{table[old]}"', title=f"Use `{table[old]}`")

    def ephemeral(self, call: Any, values: list[Any]) -> None:
        """`fetch(`${BASE}/realtime/sessions`, { method: "POST", body: JSON.stringify({ model, voice }) })`."""
        ctx = self.ctx
        if not values:
            return
        url = values[0]
        if url.type == "identifier":
            bound = self.consts.get(ctx.src(url), [])
            url = bound[0] if len(bound) == 1 else url
        found = self.resolved(url, _template(ctx, url)) if url.type in STRINGS else None
        if found is None or not _SESSIONS.search(found[0]) or "azure" in found[0].lower():
            return
        kind = "transcription" if "transcription_sessions" in found[0] else "realtime"
        self.done.add(url.id)
        body = None
        if len(values) > 1 and values[1].type == "object":
            opts = dict((k, p) for k, p in _pairs(ctx, values[1]) if k is not None)
            raw = _value(opts["body"]) if "body" in opts else None
            if raw is not None and raw.type == "call_expression" and ctx.src(
                    raw.child_by_field_name("function") or raw) == "JSON.stringify":
                args = [a for a in raw.child_by_field_name("arguments").named_children if a.type != "comment"]
                body = args[0] if args else None
                if body is not None and body.type == "identifier":
                    bound = self.consts.get(ctx.src(body), [])
                    body = bound[0] if len(bound) == 1 else body
        message = (f"Preview ephemeral-key request: GA posts `{{ session: {{ type: \"{kind}\", ... }} }}` to "
                   "`/v1/realtime/client_secrets` and returns the key at top-level `value`")
        reshape = _Reshape(ctx, body, "session", kind=kind) if body is not None and body.type == "object" else None
        planned = reshape.plan() if reshape is not None else None
        new_body = reshape.nested(planned) if reshape is not None else None
        if new_body is None:
            ctx.report("RTM023", url, message + " (the body is not an object literal here: nest it by hand)",
                       ga_form="/v1/realtime/client_secrets")
            return
        prefix = _SESSIONS.sub("/realtime/client_secrets", ctx.src(url)) if _SESSIONS.search(ctx.src(url)) else \
            re.sub(r"/(?:transcription_)?sessions(?=[`'\"?#])", "/client_secrets", ctx.src(url), count=1)
        edits = [ctx.replace(url, prefix), ctx.replace(body, new_body)]
        reads, read_edits = self.secret_reads()
        edits += read_edits
        ctx.report("RTM023", url, message, edits=edits, unsafe=not reads, ga_form="/v1/realtime/client_secrets",
                   title="Use `/v1/realtime/client_secrets` with a nested body")
        for key, pair, ga_path, _why in (planned[1] if planned is not None else []):
            # each moved field of the flat body, on its own line (the same fix)
            ctx.report("RTM023", pair, f"`{key}` of the flat preview ephemeral-key body: GA nests it at "
                       f"`session.{ga_path}`" if ga_path else f"`{key}` is not a GA session field",
                       edits=edits, unsafe=not reads, ga_form=f"session.{ga_path}" if ga_path else "(removed)",
                       title="Use `/v1/realtime/client_secrets` with a nested body")
        self.report_reads(reads, edits, "Use `/v1/realtime/client_secrets` with a nested body")


def _azure_path_at_root(text: str) -> bool:
    """`/openai/realtime` right after the host (`https://x.openai.azure.com/openai/realtime`, `${endpoint}/openai/...`,
    or a bare path): Azure's preview path. Below another path (`https://gateway/proxy/openai/realtime`) it is not."""
    at = text.find("/openai/realtime")
    if at < 0:
        return False
    prefix = text[:at]
    return prefix == "" or prefix.endswith("\x00") or "azure" in prefix.lower() or \
        re.fullmatch(r"(?:wss?|https?)://[^/]+", prefix) is not None

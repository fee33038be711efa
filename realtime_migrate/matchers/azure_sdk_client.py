"""Realtime through the SDK's Azure client: `AzureOpenAI(...).beta.realtime.connect` (or `.realtime.connect`).

On `AzureOpenAI` / `AsyncAzureOpenAI` both connects build the preview URL
`…/openai/realtime?api-version=…&deployment=…` (A13, J11), so switching to `.realtime.connect`
is not enough. Azure's GA guide uses the plain client instead:
`AsyncOpenAI(websocket_base_url="wss://<resource>.openai.azure.com/openai/v1", api_key=…)`.

The fix (always unsafe) rebuilds the client and every connect on it in one finding, so a client
is never left half-migrated. It is offered only when the client is built in this file, bound once
to a name, used for nothing but realtime connects (a plain client pointed at Azure's WebSocket
base URL would send chat or other calls to api.openai.com), and its endpoint and credential can be
expressed: `azure_endpoint` (literal → `wss://…/openai/v1`; expression → derived at runtime),
`api_key` / `azure_ad_token` → `api_key`, `azure_ad_token_provider` → `api_key=<provider>` (the GA
client calls it before each connect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import Assignment, ImportAssignment, ScopeProvider

from realtime_migrate.matchers.base import string_value
from realtime_migrate.matchers.sdk_clients import (
    ASYNC_CLIENTS,
    AZURE_CLIENTS,
    ClientKind,
    ClientMatcher,
    drop_attribute,
    is_beta_realtime,
    paren_span,
)
from realtime_migrate.model import Edit

_PASSTHROUGH = frozenset({"timeout", "max_retries", "default_headers", "default_query", "http_client", "organization",
                          "project"})
_DROPPED = frozenset({"api_version"})
_AIO_IMPORT = re.compile(r"^\s*(?:from\s+azure\.identity\.aio\s+import|import\s+azure\.identity\.aio)", re.M)
_GA = 'AsyncOpenAI(websocket_base_url="wss://<resource>.openai.azure.com/openai/v1", api_key=<key or Entra token>)'


@dataclass
class _Connect:
    call: cst.Call
    receiver: cst.BaseExpression
    beta: cst.Attribute | None  # the `<recv>.beta` attribute when the preview namespace is used
    class_node: cst.ClassDef | None


class Matcher(ClientMatcher):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.disabled = "AzureOpenAI" not in ctx.text
        self.connects: list[_Connect] = []

    def visit_Call(self, node: cst.Call) -> None:
        if self.disabled:
            return
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "connect"
                and isinstance(func.value, cst.Attribute) and func.value.attr.value == "realtime"):
            return
        rt = func.value
        if is_beta_realtime(rt):
            assert isinstance(rt.value, cst.Attribute)
            receiver, beta = rt.value.value, rt.value
        else:
            receiver, beta = rt.value, None
        self.connects.append(_Connect(node, receiver, beta, self.class_stack[-1] if self.class_stack else None))

    # -- decisions ------------------------------------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        if self.disabled:
            return
        for c in self.connects:
            if self.client_kind(c.receiver, c.class_node) is not ClientKind.AZURE:
                continue
            edits, reason = self._fix(c)
            recv = self.ctx.module.code_for_node(c.receiver)
            ns = ".beta.realtime" if c.beta is not None else ".realtime"
            message = (f"`{recv}{ns}.connect` on an Azure client uses the preview URL (`/openai/realtime?api-version=…"
                       f"&deployment=…`), even through `.realtime`: GA uses a plain client, {_GA}, with "
                       f"`.realtime.connect(model=<deployment>)`")
            if reason:
                message += f" (not fixed: {reason})"
            self.report(c.call.func, message, edits=edits, unsafe=True, ga_form=_GA,
                        fix_title="Rebuild the client as a plain client with the Azure GA WebSocket base URL",
                        comment_scope=c.call.func)

    def _binding(self, c: _Connect) -> tuple[cst.Name, cst.Call, Assignment] | None:
        if not isinstance(c.receiver, cst.Name):
            return None
        scope = self.meta(ScopeProvider, c.receiver)
        if scope is None or c.receiver.value not in scope:
            return None
        assignments = list(scope[c.receiver.value])
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        a = assignments[0]
        target = a.node
        values = self.bound_values.get(id(target), []) if isinstance(target, cst.Name) else []
        if len(values) != 1 or not isinstance(values[0], cst.Call):
            return None
        return target, values[0], a  # type: ignore[return-value]

    def _fix(self, c: _Connect) -> tuple[list[Edit], str]:
        found = self._binding(c)
        if found is None:
            return [], "the client is not built once in this file and bound to a name"
        _, ctor, assignment = found
        connects: list[_Connect] = []
        by_func = {id(x.call.func): x for x in self.connects}
        for ref in assignment.references:
            chain = self.attr_parent.get(id(ref.node))
            while chain is not None and id(chain) not in by_func:
                chain = self.attr_parent.get(id(chain))
            if chain is None or not self._chain_is_connect(ref.node, chain):
                return [], "the client is also used for other calls: build a separate plain client for realtime"
            connects.append(by_func[id(chain)])
        edits: list[Edit] = []
        deployment: str | None = None
        new_ctor, reason, deployment = self._constructor(ctor)
        if new_ctor is None:
            return [], reason
        edits.extend(new_ctor)
        for x in connects:
            if x.beta is not None:
                edit, _ = drop_attribute(self, x.beta)
                edits.append(edit)
            model = next((a for a in x.call.args if a.keyword is not None and a.keyword.value == "model"), None)
            if deployment is not None:
                if model is not None:
                    edits.append(self.replace(model.value, deployment))
                else:
                    end = self.span(x.call)[1] - 1
                    sep = ", " if x.call.args else ""
                    edits.append(self.make_edit(end, end, f"{sep}model={deployment}"))
            elif model is None:
                return [], "the connect has no `model=` (GA needs the deployment name there)"
        return edits, ""

    def _chain_is_connect(self, ref: cst.CSTNode, connect_func: cst.Attribute) -> bool:
        """`ref.beta.realtime.connect` or `ref.realtime.connect`, nothing else in between."""
        code = self.ctx.module.code_for_node(connect_func)
        head = self.ctx.module.code_for_node(ref)
        return code in (f"{head}.beta.realtime.connect", f"{head}.realtime.connect")

    def _constructor(self, ctor: cst.Call) -> tuple[list[Edit] | None, str, str | None]:
        kwargs: dict[str, cst.Arg] = {}
        for arg in ctor.args:
            if arg.keyword is None or arg.star:
                return None, "positional or `**` arguments to the Azure client", None
            kwargs[arg.keyword.value] = arg
        unknown = set(kwargs) - _PASSTHROUGH - _DROPPED - {"azure_endpoint", "api_key", "azure_ad_token",
                                                          "azure_ad_token_provider", "azure_deployment"}
        if "websocket_base_url" in unknown:
            return None, ("`websocket_base_url` points at a custom endpoint (a proxy?) whose path cannot be "
                          "mapped to `/openai/v1`: set the GA base URL by hand"), None
        if unknown:
            names = "`, `".join(sorted(unknown))
            verb = "has" if len(unknown) == 1 else "have"
            return None, f"`{names}` {verb} no plain-client equivalent here", None
        def src(node: cst.CSTNode) -> str:
            return self.ctx.text.__getitem__(slice(*paren_span(self, node)))

        has_os = self._module_imports_os()
        # endpoint
        if "azure_endpoint" in kwargs:
            value = kwargs["azure_endpoint"].value
            literal = string_value(value)
            if literal is not None:
                if not literal.startswith("https://"):
                    return None, "`azure_endpoint` is not an https URL", None
                ws = "wss://" + literal[len("https://"):].rstrip("/") + "/openai/v1"
                base = f'"{ws}"'
            elif isinstance(value, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)) and "\n" not in src(value):
                base = f'{src(value)}.replace("https://", "wss://").rstrip("/") + "/openai/v1"'
            else:
                return None, "`azure_endpoint` is not a literal or a simple expression", None
        elif has_os:
            base = 'os.environ["AZURE_OPENAI_ENDPOINT"].replace("https://", "wss://").rstrip("/") + "/openai/v1"'
        else:
            return None, "the endpoint comes from `AZURE_OPENAI_ENDPOINT` and `os` is not imported", None
        # credential
        creds = [k for k in ("api_key", "azure_ad_token", "azure_ad_token_provider") if k in kwargs]
        if len(creds) > 1:
            return None, "more than one credential", None
        if creds == ["azure_ad_token_provider"] and "Async" in self.ctx.module.code_for_node(ctor.func) \
                and not _AIO_IMPORT.search(self.ctx.text):
            # AsyncOpenAI awaits a callable `api_key`; a sync `azure.identity` provider returns a str.
            return None, ("`azure_ad_token_provider` looks like a sync `azure.identity` provider, and `AsyncOpenAI` "
                          "awaits a callable `api_key`: pass an `azure.identity.aio` provider (or an async "
                          "function) by hand"), None
        if creds:
            key = src(kwargs[creds[0]].value)
        elif has_os:
            key = 'os.environ["AZURE_OPENAI_API_KEY"]'
        else:
            return None, "the key comes from `AZURE_OPENAI_API_KEY` and `os` is not imported", None
        deployment = None
        if "azure_deployment" in kwargs:
            d = kwargs["azure_deployment"].value
            if string_value(d) is None:
                return None, "`azure_deployment` is not a literal (it overrides `model=` of the connect)", None
            deployment = src(d)
        cls, import_edits = self._plain_class(ctor)
        if cls is None:
            return None, "the Azure client class is imported under another name", None
        lines = self._own_lines(ctor)
        if lines is None:
            args = [f"websocket_base_url={base}", f"api_key={key}"]
            args += [f"{k}={src(kwargs[k].value)}" for k in kwargs if k in _PASSTHROUGH]
            return [self.make_edit(*self.span(ctor), f"{cls}({', '.join(args)})"), *import_edits], "", deployment
        # one argument per line: edit each line, so the comments on kept lines stay
        edits = [self.replace(ctor.func, cls), *import_edits]
        indent, newline = lines
        missing = []
        for name, arg in kwargs.items():
            if name == "azure_endpoint":
                edits.append(self._arg_edit(arg, f"websocket_base_url={base}"))
            elif name in creds:
                edits.append(self._arg_edit(arg, f"api_key={key}"))
            elif name not in _PASSTHROUGH:
                edits.append(self._drop_line(arg))
        if "azure_endpoint" not in kwargs:
            missing.append(f"websocket_base_url={base}")
        if not creds:
            missing.append(f"api_key={key}")
        if missing:
            first = self.ctx.line_starts[self.range_of(ctor.args[0]).start.line - 1]
            edits.append(self.make_edit(first, first, "".join(f"{indent}{m},{newline}" for m in missing)))
        return edits, "", deployment

    def _own_lines(self, call: cst.Call) -> tuple[str, str] | None:
        """(indentation, newline) when every argument starts its own line and ends it with a comma."""
        if not call.args:
            return None
        indent = None
        for arg in call.args:
            r = self.range_of(arg)
            before = self.ctx.line_text(r.start.line)[: r.start.column]
            if before.strip() or r.start.line != r.end.line or isinstance(arg.comma, cst.MaybeSentinel):
                return None
            indent = before if indent is None else indent
        start = self.ctx.line_starts[self.range_of(call.args[0]).start.line - 1]
        line = self.ctx.text[start:self.ctx.line_starts[self.range_of(call.args[0]).start.line]]
        newline = line[len(line.rstrip("\r\n")):] or "\n"
        return indent or "", newline

    def _arg_edit(self, arg: cst.Arg, text: str) -> Edit:
        assert arg.keyword is not None
        return self.make_edit(self.span(arg.keyword)[0], paren_span(self, arg.value)[1], text)

    def _drop_line(self, arg: cst.Arg) -> Edit:
        r = self.range_of(arg)
        start, end = self.ctx.lines_span(r.start.line, r.end.line)
        return self.make_edit(start, end, "")

    def _module_imports_os(self) -> bool:
        for stmt in self.ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import) and any(
                            self.ctx.module.code_for_node(a.name) == "os" and a.asname is None for a in small.names):
                        return True
        return False

    def _plain_class(self, ctor: cst.Call) -> tuple[str | None, list[Edit]]:
        names = self.qualified(ctor.func) & AZURE_CLIENTS
        is_async = bool(names & ASYNC_CLIENTS)
        plain = "AsyncOpenAI" if is_async else "OpenAI"
        func = ctor.func
        if isinstance(func, cst.Attribute):  # openai.AsyncAzureOpenAI(...)
            return f"{self.ctx.module.code_for_node(func.value)}.{plain}", []
        assert isinstance(func, cst.Name)
        if plain in self.ctx.text and self._imported_plain(func, plain):
            return plain, []
        scope = self.meta(ScopeProvider, func)
        imports = [a for a in (scope[func.value] if scope else ()) if isinstance(a, ImportAssignment)]
        if len(imports) != 1 or not isinstance(imports[0].node, cst.ImportFrom):
            return None, []
        stmt = imports[0].node
        assert not isinstance(stmt.names, cst.ImportStar)
        alias = next((a for a in stmt.names if a.evaluated_alias is None and a.evaluated_name == func.value), None)
        if alias is None:
            return None, []
        if len(imports[0].references) == 1:
            return plain, [self.replace(alias.name, plain)]
        end = self.span(alias)[1]
        return plain, [self.make_edit(end, end, f", {plain}")]

    def _imported_plain(self, near: cst.CSTNode, plain: str) -> bool:
        scope = self.meta(ScopeProvider, near)
        if scope is None or plain not in scope:
            return False
        return any(isinstance(a, ImportAssignment) and isinstance(a.node, cst.ImportFrom)
                   and self.ctx.module.code_for_node(a.node.module or cst.Name("x")) == "openai"
                   for a in scope[plain])

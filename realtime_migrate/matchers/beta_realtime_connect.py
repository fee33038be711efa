"""`client.beta.realtime.connect(...)` → `client.realtime.connect(...)` on a plain client.

The receiver is resolved to its construction (see `sdk_clients`): a plain `OpenAI` /
`AsyncOpenAI` gets a safe fix; an `AzureOpenAI` client is left to RTM022 (the GA call alone
still builds the preview URL there); an unknown receiver (a parameter without annotation, a
factory result, the `openai` module client) gets a safe fix only when nothing in the file
mentions Azure, an unsafe one otherwise. `.beta.realtime.sessions` / `.transcription_sessions`
belong to RTM023. A `.beta.realtime` held in a variable is fixed only when every use of the
variable is `.connect`; other uses (`with_raw_response`, passing it on) are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import Assignment, ScopeProvider

from realtime_migrate.matchers.sdk_clients import ClientKind, ClientMatcher, drop_attribute, is_beta_realtime

_EPHEMERAL = frozenset({"sessions", "transcription_sessions"})
_GA_PATHS = {
    "with_raw_response": "`client.realtime.client_secrets.with_raw_response.create(...)` for ephemeral keys",
    "with_streaming_response": "`client.realtime.client_secrets.with_streaming_response.create(...)` for keys",
}


@dataclass
class _Candidate:
    node: cst.Attribute  # the `<recv>.beta.realtime` attribute
    use: str  # "connect", "alias", or the attribute that follows
    class_node: cst.ClassDef | None
    alias: cst.Name | None = None


class Matcher(ClientMatcher):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.candidates: list[_Candidate] = []
        self.seen: set[int] = set()
        self.call_of: dict[int, cst.Call] = {}

    def _receiver_is_sdk_module(self, node: cst.Attribute) -> bool:
        """`openai.types.beta.realtime` / `openai.resources.beta.realtime` are imports (RTM021)."""
        return any(q.startswith(("openai.types.", "openai.resources.")) for q in self.qualified(node))

    def _current_class(self) -> cst.ClassDef | None:
        return self.class_stack[-1] if self.class_stack else None

    def visit_Call(self, node: cst.Call) -> None:
        self.call_of[id(node.func)] = node

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if (is_beta_realtime(node.value) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
                and not self._receiver_is_sdk_module(node.value)):
            self.seen.add(id(node.value))
            self.candidates.append(_Candidate(node.value, "alias", self._current_class(), node.targets[0].target))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        if self.import_depth:
            return
        if is_beta_realtime(node.value) and id(node.value) not in self.seen:
            inner = node.value
            self.seen.add(id(inner))
            if node.attr.value in _EPHEMERAL or self._receiver_is_sdk_module(inner):
                return
            self.candidates.append(_Candidate(inner, node.attr.value, self._current_class()))
        elif is_beta_realtime(node) and id(node) not in self.seen and not self._receiver_is_sdk_module(node):
            self.seen.add(id(node))
            self.candidates.append(_Candidate(node, "other", self._current_class()))

    def leave_Module(self, original_node: cst.Module) -> None:
        for c in self.candidates:
            self._decide(c)

    def _alias_uses_only_connect(self, alias: cst.Name) -> bool | None:
        scope = self.meta(ScopeProvider, alias)
        if scope is None:
            return None
        assignments = [a for a in scope.assignments[alias.value] if isinstance(a, Assignment)]
        if len(assignments) != 1 or assignments[0].node is not alias:
            return None
        refs = list(assignments[0].references)
        if not refs:
            return None
        return all(self._is_connect_ref(r.node) for r in refs)

    def _is_connect_ref(self, ref: cst.CSTNode) -> bool:
        parent = self.attr_parent.get(id(ref))
        return parent is not None and parent.attr.value == "connect"

    def _model_is_deployment(self, beta_realtime: cst.Attribute) -> bool:
        """`….connect(model=deployment)`: Azure passes its deployment name as `model`."""
        connect = self.attr_parent.get(id(beta_realtime))
        call = self.call_of.get(id(connect)) if connect is not None else None
        if call is None:
            return False
        model = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "model"), None)
        return model is not None and "deployment" in self.ctx.module.code_for_node(model).lower()

    def _decide(self, c: _Candidate) -> None:
        beta = c.node.value  # `<recv>.beta`
        assert isinstance(beta, cst.Attribute)
        receiver = beta.value
        recv_code = self.ctx.module.code_for_node(receiver)
        kind = self.client_kind(receiver, c.class_node)
        if kind is ClientKind.AZURE:
            return  # RTM022: the client itself must be rebuilt
        old = f"{recv_code}.beta.realtime"
        new = f"{recv_code}.realtime"
        if c.use == "connect" or (c.use == "alias" and c.alias is not None and self._alias_uses_only_connect(c.alias)):
            deployment = c.use == "connect" and self._model_is_deployment(c.node)
            unsafe = kind not in (ClientKind.PLAIN, ClientKind.AZURE_V1) and (self.mentions_azure or deployment)
            why = {
                ClientKind.PLAIN: "",
                ClientKind.AZURE_V1: "",
                ClientKind.MODULE: " (the `openai` module client: check it is not configured for Azure)",
                ClientKind.UNKNOWN: " (the client's construction is not visible here"
                                    + ("; the model is named like an Azure deployment: check it is a plain client)"
                                       if deployment and not self.mentions_azure else
                                       "; this file mentions Azure: check it is a plain client)" if unsafe else ")"),
            }[kind]
            edit, carried = drop_attribute(self, beta)
            self.report(c.node, f"`{old}` is the preview Realtime API; GA: `{new}`{why}", edits=[edit],
                        unsafe=unsafe or carried, comment_scope=beta.attr, ga_form=new, fix_title=f"Use `{new}`")
            return
        if c.use == "alias":
            self.report(c.node, f"`{old}` held in a variable that is used for more than `.connect`: GA connects with "
                        f"`{new}.connect(...)`; ephemeral keys moved to `{new}.client_secrets.create(...)`",
                        ga_form=new)
            return
        if c.use == "other":
            hint = (f"`{new}` (it connects with `.connect(...)`; it has no `sessions`: ephemeral keys come from "
                    f"`{new}.client_secrets.create(...)`)")
        else:
            hint = _GA_PATHS.get(c.use, f"`{new}` has no `{c.use}`: connect with `{new}.connect(...)`, "
                                        f"ephemeral keys with `{new}.client_secrets.create(...)`")
        self.report(c.node, f"`{old}` is the preview Realtime API namespace; GA: {hint}", ga_form=new)

"""Preview realtime model names (`gpt-4o-realtime-preview*`, `gpt-4o-mini-realtime-preview*`): suggestion only.

A model name is never rewritten: the replacement is a product decision and dates on the
deprecations page move. On Azure the same spelling is usually a *deployment* name the user
chose, so it is skipped wherever it is one: an Azure URL, `azure_deployment=`, the `model=` of a
connect on an Azure client, or a name/key/env variable that says "deployment".
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import ScopeProvider

from realtime_migrate.ga_tables import PREVIEW_MODEL
from realtime_migrate.matchers.base import string_value
from realtime_migrate.matchers.sdk_clients import ClientKind, ClientMatcher

_NAME = PREVIEW_MODEL
_WHOLE = re.compile(rf"{_NAME}")
_IN_URL = re.compile(rf"[?&]model=({_NAME})(?![\w.-])")
_AZURE_URL = re.compile(r"azure\.com|/openai/(?:v1/)?realtime|realtimeapi|api-version=", re.IGNORECASE)
_DEPLOYMENT = re.compile(r"deployment", re.IGNORECASE)


def suggestion(name: str) -> str:
    return "gpt-realtime-mini" if name.startswith("gpt-4o-mini-") else "gpt-realtime"


class Matcher(ClientMatcher):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        self.skip: set[int] = set()
        self.connect_models: list[tuple[cst.BaseExpression, cst.BaseExpression, cst.ClassDef | None]] = []
        self.found: list[tuple[cst.CSTNode, str]] = []
        self.azure_uses: set[int] = set()  # Name nodes used where a deployment name goes
        self.literal_targets: dict[int, cst.Name] = {}  # literal id → the Name it is assigned to

    def _azure_names(self, node: cst.CSTNode) -> None:
        uses = self.azure_uses

        class _Names(cst.CSTVisitor):
            def visit_Name(self, n: cst.Name) -> None:
                uses.add(id(n))

        node.visit(_Names())

    def _skip_strings(self, node: cst.CSTNode) -> None:
        self._azure_names(node)
        skip = self.skip

        class _Mark(cst.CSTVisitor):
            def visit_SimpleString(self, n: cst.SimpleString) -> None:
                skip.add(id(n))

            def visit_FormattedString(self, n: cst.FormattedString) -> None:
                skip.add(id(n))

        node.visit(_Mark())

    # -- deployment positions -------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self._skip_strings(node.value)  # docstrings: prose, not configuration

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.literal_targets[id(node.value)] = node.targets[0].target
        if any(_DEPLOYMENT.search(self.ctx.module.code_for_node(t.target)) for t in node.targets):
            self._skip_strings(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        super().visit_AnnAssign(node)
        if node.value is not None and _DEPLOYMENT.search(self.ctx.module.code_for_node(node.target)):
            self._skip_strings(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None and _DEPLOYMENT.search(node.name.value):
            self._skip_strings(node.default)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        name = node.value.attr.value if isinstance(node.value, cst.Attribute) else getattr(node.value, "value", None)
        if name == "Literal":
            self._skip_strings(node)  # a type listing accepted names (an SDK's model literal), not a choice

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = string_value(node.key)
        if key is not None and _DEPLOYMENT.search(key):
            self._skip_strings(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None and _DEPLOYMENT.search(arg.keyword.value):
                self._skip_strings(arg.value)
        # os.getenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-realtime-preview") and friends
        positional = [a for a in node.args if a.keyword is None]
        first = string_value(positional[0].value) if positional else None
        if first is not None and _DEPLOYMENT.search(first):
            self._skip_strings(node)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "connect" and isinstance(func.value, cst.Attribute) \
                and func.value.attr.value == "realtime":
            receiver = func.value.value
            if isinstance(receiver, cst.Attribute) and receiver.attr.value == "beta":
                receiver = receiver.value
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "model":
                    self.connect_models.append((receiver, arg.value, self.class_stack[-1] if self.class_stack
                                                else None))

    # -- literals -------------------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is None or "realtime-preview" not in value:
            return
        if _WHOLE.fullmatch(value):
            self.found.append((node, value))
            return
        m = _IN_URL.search(value)
        if m and not _AZURE_URL.search(value):
            self.found.append((node, m.group(1)))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        text = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        if _AZURE_URL.search(text):
            self._azure_names(node)
            return
        m = _IN_URL.search(text)
        if m:
            self.found.append((node, m.group(1)))

    def _flows_to_azure(self, literal: cst.CSTNode) -> bool:
        """`MODEL = "gpt-4o-realtime-preview"` later used as a deployment (Azure URL, kwarg, Azure connect)."""
        target = self.literal_targets.get(id(literal))
        if target is None:
            return False
        scope = self.meta(ScopeProvider, target)
        if scope is None:
            return False
        for assignment in scope.assignments[target.value]:
            if assignment.node is target:
                return any(id(ref.node) in self.azure_uses for ref in assignment.references)
        return False

    def leave_Module(self, original_node: cst.Module) -> None:
        for receiver, value, class_node in self.connect_models:
            kind = self.client_kind(receiver, class_node)
            azure = kind in (ClientKind.AZURE, ClientKind.AZURE_V1)
            if azure or (kind is not ClientKind.PLAIN and self.mentions_azure):
                self._skip_strings(value)
        for node, name in self.found:
            if id(node) in self.skip or self._flows_to_azure(node):
                continue
            new = suggestion(name)
            newer = "" if new.endswith("-mini") else ", which may name a newer model such as `gpt-realtime-1.5`"
            self.report(
                node,
                f"Preview realtime model `{name}`: the GA-era model is `{new}` (verify on the deprecations page "
                f"https://platform.openai.com/docs/deprecations{newer})",
                ga_form=new,
            )

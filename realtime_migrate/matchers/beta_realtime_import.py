"""Imports from `openai.types.beta.realtime` / `openai.resources.beta.realtime` → the GA namespaces.

Every imported name is looked up in the rule's tables (derived from the installed package):
a shared name keeps its name; a renamed class (G3) is renamed in the import *and* at its uses,
found through scope analysis so a local that happens to share the name is never touched (an
`as` alias means the uses keep the alias; a name listed in `__all__` is imported `as` its old
name so the module's public API does not change); a beta-only name (G4) is reported with its
GA equivalent, with an unsafe fix only where one GA class replaces it. A statement that mixes
fixable and beta-only names is split in two lines, the beta-only names staying on the beta
import (it still exists in `openai` 3.54, so the code keeps working). Module imports
(`import openai.types.beta.realtime as rt`, `from openai.types.beta import realtime`) are
rewritten with every `rt.X` use, and only when every such use has a GA counterpart there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ImportAssignment, QualifiedNameProvider, ScopeProvider

from realtime_migrate.matchers.base import requote, string_value
from realtime_migrate.matchers.sdk_clients import LazyMetadata
from realtime_migrate.model import Edit

_SPACES = {
    "openai.types.beta.realtime": ("types", "openai.types.realtime"),
    "openai.resources.beta.realtime": ("resources", "openai.resources.realtime"),
}
_PARENTS = {
    "openai.types.beta": "openai.types.beta.realtime",
    "openai.resources.beta": "openai.resources.beta.realtime",
}

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"
_DOTTED = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+")


@dataclass
class Target:
    module: str | None  # full GA module path
    name: str | None
    status: str
    note: str = ""


@dataclass
class _Entry:
    alias: cst.ImportAlias
    name: str
    bound: str
    target: Target
    module_alias: bool = False  # the name is itself a module (`from openai.types.beta.realtime import session`)


@dataclass
class _ModuleUse:
    """A bound name (or dotted chain) that holds a beta module."""

    space: str
    module: str  # "" for the package
    ga_module: str | None
    edits: list[Edit] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)


def _dotted(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        left = _dotted(node.value)
        return f"{left}.{node.attr.value}" if left is not None else None
    return None


def _split(dotted: str) -> tuple[str, str, str] | None:
    """`openai.types.beta.realtime.error_event` → ("types", "error_event", ga_prefix)."""
    for prefix, (space, ga) in _SPACES.items():
        if dotted == prefix:
            return space, "", ga
        if dotted.startswith(prefix + ".") and "." not in dotted[len(prefix) + 1:]:
            return space, dotted[len(prefix) + 1:], ga
    return None


class Matcher(LazyMetadata):
    def __init__(self, rule, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rule, ctx)
        o = self.options
        self.shared_names = frozenset(o["shared_names"])
        self.shared_modules = frozenset(o["shared_modules"])
        self.renames: dict[str, str] = dict(o["class_renames"])
        self.review: dict[str, tuple[str | None, str]] = dict(o["review"])
        self.beta_only_modules: dict[str, str] = dict(o["beta_only_modules"])
        self.resource_names: dict[str, tuple[str, ...]] = dict(o["resource_names"])
        self.resource_hints: dict[str, str] = dict(o["resource_hints"])
        self.helper_hints: dict[str, str] = dict(o.get("helper_hints", {}))
        self.class_to_union: dict[str, str] = dict(o.get("class_to_union", {}))
        self.called: set[int] = set()  # ids of callees and `isinstance` class arguments
        self.transcription_helper_hints: dict[str, str] = dict(o.get("transcription_helper_hints", {}))
        self.imports: list[tuple[cst.CSTNode, cst.SimpleStatementLine | None]] = []
        self.chains: list[cst.Attribute] = []
        self.stmt: cst.SimpleStatementLine | None = None
        self.import_depth = 0
        self.handled_refs: set[int] = set()
        self.exported: set[str] = set()
        self.newline = "\r\n" if "\r\n" in ctx.text else "\n"
        self.strings: list[tuple[cst.SimpleString, str]] = []
        self.docstrings: set[int] = set()
        self.pending: list[tuple[cst.CSTNode, str, str, list[Edit], list[str], cst.CSTNode]] = []
        self.pending_chains: list[tuple[cst.Attribute, str, str, list[Edit]]] = []
        self.leftovers: list[str] = []
        self.fallbacks: set[int] = set()

    # -- tables -------------------------------------------------------------------------
    def target(self, space: str, module: str, name: str) -> Target:
        if space == "resources":
            return self._resource_target(module, name)
        ga_pkg = "openai.types.realtime"
        key = f"{module}:{name}"
        if key in self.renames:
            tm, tn = self.renames[key].split(":")
            return Target(f"{ga_pkg}.{tm}" if tm else ga_pkg, tn, SAFE, f"renamed to `{tn}` in GA")
        if key in self.review:
            t, note = self.review[key]
            if t is None:
                return Target(None, None, NONE, note)
            tm, tn = t.split(":")
            return Target(f"{ga_pkg}.{tm}" if tm else ga_pkg, tn, UNSAFE, note)
        if module == "" and name in self.shared_names:
            return Target(ga_pkg, name, SAFE)
        if module == "" and name in self.shared_modules:
            return Target(ga_pkg, name, SAFE)
        if module in self.shared_modules:
            return Target(f"{ga_pkg}.{module}", name, SAFE)
        if module in self.beta_only_modules:
            helper = name[len("Session"):] if module.startswith("transcription_session_update") and \
                name.startswith("Session") and name != "Session" else name
            hints = {**self.helper_hints, **(self.transcription_helper_hints if "transcription" in module else {})}
            if helper in hints:
                return Target(None, None, NONE, f"no GA module `{module}`: use {hints[helper]}")
            return Target(None, None, NONE, f"no GA module `{module}`: use {self.beta_only_modules[module]}")
        if module == "" and name in self.beta_only_modules:
            return Target(None, None, NONE, f"no GA module `{name}`: use {self.beta_only_modules[name]}")
        return Target(None, None, NONE, "not in the GA namespace")

    def _resource_target(self, module: str, name: str) -> Target:
        ga_pkg = "openai.resources.realtime"
        if name in self.resource_names.get(module, ()):
            return Target(f"{ga_pkg}.{module}" if module else ga_pkg, name, SAFE)
        if module == "" and name == "realtime":
            return Target(ga_pkg, name, SAFE)
        base = re.sub(r"^Async|With(Raw|Streaming)Response$", "", name)
        hint = self.resource_hints.get(base) or self.resource_hints.get(module.title().replace("_", ""), "")
        return Target(None, None, NONE, f"no GA `{name}`" + (f": use {hint}" if hint else ""))

    def ga_module_of(self, space: str, module: str) -> str | None:
        ga = "openai.types.realtime" if space == "types" else "openai.resources.realtime"
        if module == "":
            return ga
        if space == "types":
            return f"{ga}.{module}" if module in self.shared_modules else None
        return f"{ga}.{module}" if module in self.resource_names else None

    # -- collection ---------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.stmt = node if len(node.body) == 1 else None
        for small in node.body:
            if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "__all__"
                                                     for t in small.targets):
                if isinstance(small.value, (cst.List, cst.Tuple)):
                    for el in small.value.elements:
                        value = string_value(el.value)
                        if value:
                            self.exported.add(value)

    def visit_Try(self, node: cst.Try) -> None:
        """`try: <GA import> except ImportError: <beta import>` is a compatibility fallback, already GA-first."""
        ga_first = any(isinstance(small, (cst.Import, cst.ImportFrom))
                       and any(ns in self.ctx.module.code_for_node(small)
                               for ns in ("openai.types.realtime", "openai.resources.realtime"))
                       for stmt in node.body.body if isinstance(stmt, cst.SimpleStatementLine) for small in stmt.body)
        if not ga_first:
            return
        for handler in node.handlers:
            for stmt in handler.body.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    self.fallbacks.update(id(small) for small in stmt.body)

    def visit_Import(self, node: cst.Import) -> None:
        self.import_depth += 1
        if any(_split(_dotted(a.name) or "") for a in node.names):
            self.imports.append((node, self.stmt))

    def leave_Import(self, original_node: cst.Import) -> None:
        self.import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.import_depth += 1
        if node.relative or node.module is None:
            return
        module = _dotted(node.module) or ""
        if _split(module) or (module in _PARENTS and not isinstance(node.names, cst.ImportStar) and any(
                isinstance(a.name, cst.Name) and a.name.value == "realtime" for a in node.names)):
            self.imports.append((node, self.stmt))

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self.import_depth -= 1

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.SimpleString):
            self.docstrings.add(id(node.value))  # prose, not a patch target

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """`mock.patch("openai.resources.beta.realtime.realtime.AsyncRealtimeConnection")` and other dotted paths."""
        value = string_value(node)
        if value is None or id(node) in self.docstrings or not _DOTTED.fullmatch(value) \
                or not value.startswith(tuple(_SPACES)):
            return
        self.strings.append((node, value))

    def visit_Call(self, node: cst.Call) -> None:
        self.called.add(id(node.func))
        if isinstance(node.func, cst.Name) and node.func.value in ("isinstance", "issubclass") and len(node.args) == 2:
            classes = node.args[1].value
            for el in classes.elements if isinstance(classes, cst.Tuple) else []:
                self.called.add(id(el.value))
            self.called.add(id(classes))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        if self.import_depth or node.attr.value != "realtime":
            return
        dotted = _dotted(node)
        if dotted in _SPACES and any(q.name == dotted for q in self.meta(QualifiedNameProvider, node, set())):
            self.chains.append(node)

    # -- decisions ----------------------------------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        for node, stmt in self.imports:
            if id(node) in self.fallbacks:
                continue
            if isinstance(node, cst.ImportFrom):
                self._import_from(node, stmt)
            else:
                self._import(node)
        for chain in self.chains:
            if id(chain) not in self.handled_refs:
                self._chain(chain)
        for node, value in self.strings:
            self._dotted_string(node, value)
        self._flush()

    def _dotted_string(self, node: cst.SimpleString, value: str) -> None:
        prefix = next(p for p in _SPACES if value == p or value.startswith(p + "."))
        space, ga_pkg = _SPACES[prefix]
        rest = value[len(prefix) + 1:].split(".") if value != prefix else []
        module = ""
        if rest and (rest[0] in self.shared_modules or rest[0] in self.beta_only_modules
                     or rest[0] in self.resource_names):
            module = rest.pop(0)
        ga_module = self.ga_module_of(space, module)
        target = Target(ga_module, None, SAFE) if ga_module else Target(None, None, NONE, "no GA module")
        if rest:
            target = self.target(space, module, rest[0])
        if target.status == NONE or target.module is None or len(rest) > 2:
            self.report(node, f"`{value}` names the preview SDK namespace; {target.note or 'no GA twin'}",
                        ga_form=target.note or ga_pkg)
            return
        new = ".".join([target.module, *([target.name] if rest else []), *rest[1:]])
        self.report(node, f"`{value}` names the preview SDK namespace (a patch target or lazy import?); GA: `{new}`",
                    edits=[self.replace(node, requote(node, new))], unsafe=True, ga_form=new,
                    fix_title="Point it at the GA namespace (review: it must match what the code imports)")

    def _assignment(self, node: cst.CSTNode, bound: str) -> ImportAssignment | None:
        scope = self.meta(ScopeProvider, node)
        if scope is None:
            return None
        for a in scope.assignments[bound]:
            if isinstance(a, ImportAssignment) and a.node is node:
                return a
        return None

    def _module_uses(self, node: cst.CSTNode, bound: str, space: str, module: str) -> _ModuleUse:
        """Edits for every `<bound>.X` use of a module binding; blockers when an X has no GA twin there."""
        ga_module = self.ga_module_of(space, module)
        use = _ModuleUse(space, module, ga_module)
        if ga_module is None:
            use.blockers.append(f"no GA module `{module}`")
            return use
        assignment = self._assignment(node, bound)
        for access in assignment.references if assignment else ():
            ref = access.node
            inner = ref
            while isinstance(inner, cst.Attribute):
                self.handled_refs.add(id(inner))
                inner = inner.value
            parent = self.attr_parent.get(id(ref))
            if "." in bound and isinstance(ref, cst.Attribute):
                use.edits.append(self.replace(ref, ga_module))
            if parent is None or not isinstance(ref, (cst.Name, cst.Attribute)):
                continue
            name = parent.attr.value
            t = self.target(space, module, name)
            if t.status == NONE or t.module != ga_module:
                use.blockers.append(f"`{name}` ({t.note or 'moved to ' + str(t.module)})")
                continue
            if t.status == UNSAFE:
                use.unsafe.append(f"`{name}`: {t.note}")
            if t.name in self.class_to_union and id(parent) in self.called:
                use.unsafe.append(f"`{name}` is called or used in `isinstance`, but GA `{t.name}` is "
                                  f"{self.class_to_union[t.name]}")
            if t.name != name:
                use.edits.append(self.replace(parent.attr, t.name or name))
        return use

    def _called(self, node: cst.CSTNode, bound: str) -> bool:
        assignment = self._assignment(node, bound)
        return assignment is not None and any(id(r.node) in self.called for r in assignment.references)

    def _rebound(self, node: cst.CSTNode, name: str) -> bool:
        scope = self.meta(ScopeProvider, node)
        return scope is not None and len(scope.assignments[name]) > 1

    def _taken(self, node: cst.CSTNode, name: str) -> bool:
        scope = self.meta(ScopeProvider, node)
        if scope is None or name not in scope:
            return False
        for a in scope[name]:
            stmt = a.node if isinstance(a, ImportAssignment) else None
            if not (isinstance(stmt, cst.ImportFrom) and stmt.module is not None
                    and (_dotted(stmt.module) or "").startswith("openai.types.realtime")):
                return True
        return False

    def _name_uses(self, node: cst.ImportFrom, entry: _Entry) -> tuple[list[Edit], bool]:
        """Edits renaming the uses of an imported class; False when a use cannot be followed."""
        assignment = self._assignment(node, entry.bound)
        new = entry.target.name or entry.name
        edits: list[Edit] = []
        ok = True
        for access in assignment.references if assignment else ():
            ref = access.node
            if isinstance(ref, cst.Name):
                edits.append(self.replace(ref, new))
            elif isinstance(ref, cst.SimpleString):
                value = string_value(ref)
                if value is None:
                    ok = False
                elif value == entry.name:
                    edits.append(self.replace(ref, requote(ref, new)))
                else:
                    edits.append(self.replace(ref, re.sub(rf"\b{re.escape(entry.name)}\b", new, ref.value)))
            else:
                ok = False
        return edits, ok

    def _import_from(self, node: cst.ImportFrom, stmt: cst.SimpleStatementLine | None) -> None:
        module = _dotted(node.module) or ""
        if module in _PARENTS:  # `from openai.types.beta import realtime [as rt]`
            self._parent_import(node, module)
            return
        split = _split(module)
        assert split is not None
        space, sub, ga_pkg = split
        natural = self.ga_module_of(space, sub)
        beta_ns = "openai.types.beta.realtime" if space == "types" else "openai.resources.beta.realtime"
        ga_ns = _SPACES[beta_ns][1]
        if isinstance(node.names, cst.ImportStar):
            self.report(node, f"`from {module} import *` imports the preview namespace; import the names you use "
                        f"from `{natural or ga_ns}`", ga_form=f"from {natural or ga_ns} import ...")
            return
        entries: list[_Entry] = []
        for alias in node.names:
            name = _dotted(alias.name) or ""
            bound = alias.evaluated_alias or name
            is_module = sub == "" and (name in self.shared_modules or name in self.beta_only_modules
                                       or name in self.resource_names)
            entries.append(_Entry(alias, name, bound, self.target(space, sub, name), is_module))
        edits: list[Edit] = []
        unsafe: list[str] = []
        fixable: list[_Entry] = []
        for e in entries:
            if e.module_alias:
                use = self._module_uses(node, e.bound, space, e.name)
                if use.blockers:
                    e.target = Target(None, None, NONE, "uses without a GA twin: " + ", ".join(use.blockers))
                else:
                    edits.extend(use.edits)
                    unsafe.extend(use.unsafe)
            if e.target.status == NONE:
                self.leftovers.append(f"`{e.name}`")
                self.report(e.alias, f"`{e.name}` from the preview `{module}` has no GA twin: {e.target.note}",
                            ga_form=e.target.note)
                continue
            fixable.append(e)
            if e.target.status == UNSAFE:
                unsafe.append(f"`{e.name}` → `{e.target.name}`: {e.target.note}")
            if e.target.name in self.class_to_union and self._called(node, e.bound):
                unsafe.append(f"`{e.bound}` is called or used in `isinstance`, but GA `{e.target.name}` is "
                              f"{self.class_to_union[e.target.name]}")
        if not fixable:
            return
        renamed = [e for e in fixable if e.target.name != e.name]
        alias_text: dict[int, str] = {}
        for e in renamed:
            new = e.target.name or e.name
            if e.alias.asname is not None:
                alias_text[id(e)] = f"{new} as {e.bound}"
            elif e.name in self.exported or self._rebound(node, e.bound):
                # keep the name: this module exports it, or another binding (a try/except import) shares its uses
                alias_text[id(e)] = f"{new} as {e.name}"
            else:
                use_edits, ok = self._name_uses(node, e)
                if not ok:
                    unsafe.append(f"a use of `{e.name}` could not be renamed")
                if self._taken(node, new):
                    unsafe.append(f"`{new}` is already bound to something else in this module")
                edits.extend(use_edits)
                alias_text[id(e)] = new
        same_module = all(e.target.module == natural for e in fixable) and len(fixable) == len(entries)
        if same_module and natural is not None:
            edits.append(self.replace(node.module, natural))
            for e in renamed:
                new = alias_text[id(e)] if e.alias.asname is None else (e.target.name or e.name)
                edits.append(self.replace(e.alias.name, new))
        else:
            lines_edit = self._split_statement(node, stmt, module, entries, fixable, alias_text)
            targets = ", ".join(dict.fromkeys(e.target.module or "" for e in fixable))
            if lines_edit is None:
                self._report_import(node, module, ga_ns, [], unsafe, natural or targets, node)
                return
            edits.append(lines_edit)
            self._report_import(node, module, ga_ns, edits, unsafe, natural or targets, node)
            return
        self._report_import(node, module, ga_ns, edits, unsafe, natural, node.module)

    def _split_statement(self, node: cst.ImportFrom, stmt: cst.SimpleStatementLine | None, module: str,
                         entries: list[_Entry], fixable: list[_Entry], alias_text: dict[int, str]) -> Edit | None:
        """One `from M import ...` line per GA module, the beta-only names kept on the beta import."""
        if stmt is None or stmt.body[0] is not node:
            return None
        r = self.range_of(node)
        indent = self.ctx.line_text(r.start.line)[: r.start.column]
        if indent.strip():
            return None
        groups: dict[str, list[str]] = {}
        for e in entries:
            if e in fixable:
                text = alias_text.get(id(e)) or (f"{e.target.name} as {e.bound}" if e.alias.asname else
                                                  e.target.name or e.name)
                groups.setdefault(e.target.module or module, []).append(text)
            else:
                groups.setdefault(module, []).append(
                    f"{e.name} as {e.bound}" if e.alias.asname else e.name)
        lines = [f"from {m} import {', '.join(names)}" for m, names in groups.items()]
        return self.replace(node, (self.newline + indent).join(lines))

    def _report_import(self, node: cst.CSTNode, module: str, ga_ns: str, edits: list[Edit], unsafe: list[str],
                       natural: str | None, scope: cst.CSTNode) -> None:
        """`scope` is the part of the statement the edits rewrite whole (its comments must survive)."""
        self.pending.append((node, module, natural or ga_ns, edits, list(unsafe), scope))

    def _flush(self) -> None:
        """Report the import fixes, unsafe when the file keeps preview types that have no GA twin: a GA event
        built around a preview object fails validation, so such a file needs a human."""
        kept = sorted(set(self.leftovers))
        for node, module, target, edits, unsafe, scope in self.pending:
            if kept and edits:
                unsafe.append(f"the file keeps preview types ({', '.join(kept)}) that GA classes may not accept")
            why = ("; review: " + "; ".join(unsafe)) if unsafe else ""
            self.report(node, f"Import from the preview SDK namespace `{module}`; GA: `{target}`{why}", edits=edits,
                        unsafe=bool(unsafe), ga_form=target, fix_title=f"Import from `{target}`", comment_scope=scope)
        for chain, message, target, edits in self.pending_chains:
            why = f"; review: the file keeps preview types ({', '.join(kept)}) that GA classes may not accept" \
                if kept else ""
            self.report(chain, message + why, edits=edits, unsafe=bool(kept), ga_form=target,
                        fix_title=f"Use `{target}`")

    def _parent_import(self, node: cst.ImportFrom, module: str) -> None:
        space, ga_ns = _SPACES[_PARENTS[module]]
        assert not isinstance(node.names, cst.ImportStar)
        for alias in node.names:
            if not (isinstance(alias.name, cst.Name) and alias.name.value == "realtime"):
                continue
            if len(node.names) != 1:
                self.report(alias, f"`{module}.realtime` is the preview SDK namespace; GA: `{ga_ns}` "
                            "(import it on its own line)", ga_form=ga_ns)
                continue
            use = self._module_uses(node, alias.evaluated_alias or "realtime", space, "")
            if use.blockers:
                self.leftovers.append(f"`{module}.realtime`")
                self.report(alias, f"`{module}.realtime` is the preview SDK namespace; GA: `{ga_ns}`; no GA twin for "
                            + ", ".join(use.blockers), ga_form=ga_ns)
                continue
            edits = [*use.edits, self.replace(node.module, ga_ns.rsplit(".", 1)[0])]
            self._report_import(node, f"{module}.realtime", ga_ns, edits, use.unsafe, ga_ns, node.module)

    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name) or ""
            split = _split(dotted)
            if split is None:
                continue
            space, sub, ga_pkg = split
            ga_module = self.ga_module_of(space, sub)
            bound = alias.evaluated_alias or dotted
            use = self._module_uses(node, bound, space, sub)
            if ga_module is None:
                hint = self.beta_only_modules.get(sub) or self.resource_hints.get(sub.title().replace("_", ""), ga_pkg)
                self.leftovers.append(f"`{dotted}`")
                self.report(alias, f"`import {dotted}`: no GA module `{sub}`; use {hint}", ga_form=hint)
                continue
            if use.blockers:
                self.leftovers.append(f"`{dotted}`")
                self.report(alias, f"`import {dotted}` is the preview SDK namespace; no GA twin for "
                            + ", ".join(use.blockers), ga_form=ga_module)
                continue
            edits = [*use.edits, self.replace(alias.name, ga_module)]
            self._report_import(alias, dotted, ga_pkg, edits, use.unsafe, ga_module, alias.name)

    def _chain(self, chain: cst.Attribute) -> None:
        """`openai.types.beta.realtime.X` reached through `import openai`."""
        dotted = _dotted(chain) or ""
        space, ga = _SPACES[dotted]
        parent = self.attr_parent.get(id(chain))
        edits = [self.replace(chain, ga)]
        note = ""
        if parent is not None:
            name = parent.attr.value
            sub = name if (name in self.shared_modules or name in self.beta_only_modules) else ""
            if sub:
                ga_module = self.ga_module_of(space, sub)
                hint = self.beta_only_modules.get(name, "the GA namespace")
                if ga_module is None:
                    self.leftovers.append(f"`{dotted}.{name}`")
                    self.report(chain, f"`{dotted}.{name}` is a preview-only SDK module; use {hint}", ga_form=hint)
                    return
                leaf = self.attr_parent.get(id(parent))
                if leaf is not None:
                    t = self.target(space, sub, leaf.attr.value)
                    if t.status == NONE or t.module != ga_module:
                        self.leftovers.append(f"`{dotted}.{name}`")
                        self.report(chain, f"`{dotted}.{name}.{leaf.attr.value}` has no GA twin there: {t.note}",
                                    ga_form=t.note or str(t.module))
                        return
                    if t.name != leaf.attr.value:
                        edits.append(self.replace(leaf.attr, t.name or leaf.attr.value))
                        note = t.note
            else:
                t = self.target(space, "", name)
                if t.status == NONE or t.module != ga:
                    self.leftovers.append(f"`{dotted}.{name}`")
                    self.report(chain, f"`{dotted}.{name}` has no GA twin: {t.note}", ga_form=t.note)
                    return
                if t.name != name:
                    edits.append(self.replace(parent.attr, t.name or name))
                    note = t.note
        self.pending_chains.append((chain, f"`{dotted}` is the preview SDK namespace; GA: `{ga}`"
                                    + (f" ({note})" if note else ""), ga, edits))

"""The read-only walk (traversal.py) calls visitor methods exactly as libcst's own traversal does.

Checked on every node class libcst defines (the field order read from compiled code against
the order in its source) and, event by event, on real trees: the fixtures and a slice of the
installed openai package. Then the findings of every rule fixture, both ways.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from helpers import FIXTURES, scan_text

from realtime_migrate import engine, traversal

OPENAI = Path(sysconfig.get_paths()["purelib"]) / "openai"


def _node_classes() -> list[type]:
    return [c for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.CSTNode)
            and dataclasses.is_dataclass(c) and not inspect.isabstract(c)]


def test_field_order_matches_libcst_source() -> None:
    checked = 0
    for cls in _node_classes():
        source = inspect.getsource(cls._visit_and_replace_children)
        fields = {f.name for f in dataclasses.fields(cls)}
        expected: list[str] = []
        for m in re.finditer(r'"(\w+)"', source):
            if m.group(1) in fields and m.group(1) not in expected:
                expected.append(m.group(1))
        assert tuple(f for f, _ in traversal.child_fields(cls)) == tuple(expected), cls.__name__
        checked += 1
    assert checked > 150


class _Recorder:
    """Every visit/leave method name libcst could call, as a batched-visitor method table."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def table(self) -> dict[str, list]:  # type: ignore[type-arg]
        methods: dict[str, list] = {}  # type: ignore[type-arg]
        for cls in _node_classes():
            name = cls.__name__
            names = [f"visit_{name}", f"leave_{name}"]
            names += [f"{kind}_{name}_{f.name}" for f in dataclasses.fields(cls) for kind in ("visit", "leave")]
            for n in names:
                methods[n] = [lambda node, n=n: self.events.append((n, id(node)))]
        return methods


def _corpus() -> list[Path]:
    paths = sorted(FIXTURES.rglob("*.py"))
    for rel in ("resources/beta/realtime/realtime.py", "resources/realtime/realtime.py", "_base_client.py",
                "types/beta/realtime/session_update_event_param.py"):
        if (OPENAI / rel).is_file():
            paths.append(OPENAI / rel)
    return paths


def test_same_events_as_libcst() -> None:
    from libcst._batched_visitor import _BatchedCSTVisitor

    compared = 0
    for path in _corpus():
        try:
            module = cst.parse_module(path.read_text(encoding="utf-8"))
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue  # bad-input fixtures
        theirs, ours = _Recorder(), _Recorder()
        module.visit(_BatchedCSTVisitor(theirs.table()))
        traversal.walk(module, ours.table())
        assert ours.events == theirs.events, path
        assert len(ours.events) > 10
        compared += 1
    assert compared > 100


@pytest.mark.parametrize("code", sorted(p.name for p in (FIXTURES / "rules").iterdir() if p.is_dir()))
def test_findings_same_with_libcst_traversal(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "rules" / code).glob("*.py"))]
    ours = [scan_text(t) for t in texts]
    monkeypatch.setattr(engine, "LIBCST_TRAVERSAL", True)
    theirs = [scan_text(t) for t in texts]
    assert ours == theirs
    assert any(ours), "no findings: this comparison would prove nothing"


def test_metadata_same_with_read_only_visits() -> None:
    """Scope, qualified names, parents and positions: libcst's providers give the same answers
    when their own visits run through `read_only_visits()`."""
    from libcst._metadata_dependent import LazyValue
    from libcst.metadata import (
        ExpressionContextProvider,
        MetadataWrapper,
        ParentNodeProvider,
        PositionProvider,
        QualifiedNameProvider,
        ScopeProvider,
    )

    providers = (ScopeProvider, QualifiedNameProvider, ParentNodeProvider, PositionProvider,
                 ExpressionContextProvider)

    def tree_ids(module: cst.Module) -> set[int]:
        ids: set[int] = set()

        class _All(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                ids.add(id(node))
                return True

        module.visit(_All())
        return ids

    def answers(module: cst.Module) -> list[object]:
        # ScopeProvider also maps the nodes of string annotations (`x: "A | None"`) that it parses anew on
        # every resolve: they are not in the tree and have new ids each time, so only the tree is compared.
        in_tree = tree_ids(module)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        out: list[object] = []
        for provider in providers:
            mapping = wrapper.resolve(provider)
            for node, value in mapping.items():
                if id(node) not in in_tree:
                    continue
                if isinstance(value, LazyValue):
                    value = value()
                if provider is ScopeProvider:
                    value = (type(value).__name__, sorted(a.name for a in value.assignments) if value else None)
                elif provider is QualifiedNameProvider:
                    value = sorted((q.name, q.source.name) for q in value)
                elif provider is ParentNodeProvider:
                    value = id(value)
                out.append((provider.__name__, id(node), repr(value)))
        return sorted(out)

    compared = 0
    for path in _corpus()[::3]:
        try:
            module = cst.parse_module(path.read_text(encoding="utf-8"))
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue
        theirs = answers(module)
        with traversal.read_only_visits():
            ours = answers(module)
        assert ours == theirs, path
        compared += 1
    assert compared > 30
    assert cst.CSTNode.visit.__name__ == "visit"  # the patch is undone

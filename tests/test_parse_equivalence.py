"""Parsing without libcst's per-node validation (engine.SKIP_NODE_VALIDATION) builds the same trees.

The checks are skipped only when CPython accepted the text; the trees are compared node by node
(`deep_equals`, which also compares whitespace and comments) over the fixtures and a slice of
the installed openai package, and code CPython refuses is still parsed with the checks.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from helpers import FIXTURES

from realtime_migrate import engine

OPENAI = Path(sysconfig.get_paths()["purelib"]) / "openai"


def _texts() -> list[str]:
    paths = sorted(FIXTURES.rglob("*.py"))
    paths += sorted((OPENAI / "resources" / "beta" / "realtime").glob("*.py"))
    paths += [OPENAI / "_base_client.py", OPENAI / "_models.py"]
    out = []
    for path in paths:
        try:
            out.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return out


def test_same_trees_without_node_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    for text in _texts():
        try:
            fast, tree = engine.parse_both(text)
        except engine.ParseFailure:
            continue
        assert tree is not None
        monkeypatch.setattr(engine, "SKIP_NODE_VALIDATION", False)
        checked, _ = engine.parse_both(text)
        monkeypatch.setattr(engine, "SKIP_NODE_VALIDATION", True)
        assert fast.deep_equals(checked)
        assert fast.code == text
        compared += 1
    assert compared > 100


def test_validation_restored_and_kept_for_code_cpython_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    from libcst._nodes.base import CSTNode

    engine.parse_both("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # validation is back on after a parse
    calls: list[str] = []
    original = CSTNode.__post_init__

    def counting(self: CSTNode) -> None:
        calls.append(type(self).__name__)
        original(self)

    monkeypatch.setattr(CSTNode, "__post_init__", counting)
    engine.parse_both("x = 1\n")
    assert not calls  # CPython accepted it: no checks

    def refused(*args: object, **kwargs: object) -> None:
        raise SyntaxError("newer syntax than this Python reads")

    monkeypatch.setattr(engine, "_compile", refused)  # as CPython refuses `type X = ...` before 3.12
    module, tree = engine.parse_both("x = [1, 2]\n")
    assert tree is None and "Name" in calls  # parsed with the checks
    assert CSTNode.__post_init__ is counting

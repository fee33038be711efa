"""Positions computed one top-level statement at a time (positions.py) are libcst's own.

Every node's range is compared with `PositionProvider` over the whole module: on the fixtures,
a slice of the installed openai package, and code written to trip the pairing of libcst and
`ast` statements (decorators after comments, `a; b`, backslash continuations, no final newline,
CRLF and lone CR line ends, tabs, form feeds). Then the findings (and fixes) of every rule
fixture, both ways.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from helpers import FIXTURES, fix_text, scan_text
from libcst.metadata import MetadataWrapper, PositionProvider

from realtime_migrate import engine, traversal
from realtime_migrate.matchers import base
from realtime_migrate.matchers.base import FileContext
from realtime_migrate.positions import StatementPositions
from realtime_migrate.traversal import descendants

OPENAI = Path(sysconfig.get_paths()["purelib"]) / "openai"

TRICKY = {
    "decorators": (
        "# header\n\nimport os\n\n\n# about f\n@dec\n# between\n@dec2(\n    1,\n)\n\n"
        "def f(a,\n      b):\n    return {'type': 'session.update'}\n"
        "@ (\n  dec3\n)\nclass C:\n    x = 1\n\n    # trailing in block\n# footer\n"
    ),
    "semicolons": "a = 1; b = (2,\n 3); c = 4\nd = 5\n",
    "backslash": "a = 1; \\\nb = 2\nc = 3\n",  # one logical line over two: falls back
    "no_final_newline": "x = {'type': 'session.update'}\nif x:\n    y = 2",
    "crlf": "import json\r\n\r\nx = {\r\n  'a': 1,\r\n}\r\nclass K:\r\n    def m(self):\r\n        pass\r\n",
    "lone_cr": "x = 1\ry = {\r 'a': 2}\r",
    "tabs": "if True:\n\tx = [\n\t\t1]\n\telse_ = 2\n",
    "form_feed": "x = 1\n\x0c\ndef f():\n    pass\n",
    "async": "import asyncio\n\n@decorator\nasync def main():\n    async with x as y:\n        await y\n",
    "strings": 'x = """\nline\n"""; y = f"{x!r:>{10}}"\nz = (\n    "a"\n    "b"\n)\n',
    "empty": "",
    "only_comments": "# one\n# two\n",
}


def _modules() -> list[tuple[str, str]]:
    out = [(name, text) for name, text in TRICKY.items()]
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            out.append((str(path), path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    for rel in ("resources/beta/realtime/realtime.py", "resources/realtime/realtime.py", "_base_client.py",
                "types/beta/realtime/session_update_event_param.py", "_models.py", "_utils/_utils.py"):
        if (OPENAI / rel).is_file():
            out.append((rel, (OPENAI / rel).read_text(encoding="utf-8")))
    return out


def _compare(text: str) -> tuple[int, bool]:
    module, tree = engine.parse_both(text)
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(path="x.py", text=text, module=module, tree=tree)
    owners: dict[cst.CSTNode, int] = {}
    traversal.walk(module, {}, owners)  # as the analysis fills it
    ours = StatementPositions(module, tree, text, ctx.line_starts, owners)
    indexed_here = StatementPositions(module, tree, text, ctx.line_starts)
    outside = {id(n) for edge in (*module.header, *module.footer) for n in descendants(edge)}
    compared = 0
    # Body nodes first and last-to-first, as a matcher reporting in leave_Module would ask.
    for node in reversed(list(descendants(module))):
        if node is module or id(node) in outside or node not in theirs:
            continue
        assert ours[node] == theirs[node], (type(node).__name__, ours[node], theirs[node])
        assert indexed_here[node] == theirs[node]
        compared += 1
    whole_before_edges = ours._whole
    for node in descendants(module):  # header, footer and the module itself: libcst's whole computation
        if node in theirs:
            assert ours[node] == theirs[node] == indexed_here[node]
    return compared, whole_before_edges


def test_ranges_equal_libcsts() -> None:
    compared = files = by_statement = 0
    for _name, text in _modules():
        try:
            engine.parse_both(text)
        except engine.ParseFailure:
            continue  # bad-input fixtures
        count, whole = _compare(text)
        compared += count
        files += 1
        by_statement += not whole
    assert files > 100 and compared > 50_000
    assert by_statement >= files - 3, "almost every file should be served statement by statement"


def test_doubtful_pairing_falls_back() -> None:
    text = TRICKY["backslash"]
    module, tree = engine.parse_both(text)
    ours = StatementPositions(module, tree, text, FileContext(path="x.py", text=text, module=module).line_starts)
    first_name = next(n for n in descendants(module.body[0]) if isinstance(n, cst.Name))
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert ours[first_name] == theirs[first_name]
    assert ours._whole


def test_statements_generated_on_demand() -> None:
    text = "a = 1\nb = 2\nc = {'type': 'session.update'}\n"
    module, tree = engine.parse_both(text)
    ours = StatementPositions(module, tree, text, FileContext(path="x.py", text=text, module=module).line_starts)
    target = module.body[2].body[0]
    assert ours[target].start.line == 3
    assert ours._generated == {2} and not ours._whole


@pytest.mark.parametrize("code", sorted(p.name for p in (FIXTURES / "rules").iterdir() if p.is_dir()))
def test_findings_same_with_whole_module_positions(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "rules" / code).glob("*.py"))]
    ours = [(scan_text(t), fix_text(t, unsafe=True)) for t in texts]
    monkeypatch.setattr(base, "POSITIONS_BY_STATEMENT", False)
    theirs = [(scan_text(t), fix_text(t, unsafe=True)) for t in texts]
    assert ours == theirs
    assert any(ours), "no findings: this comparison would prove nothing"

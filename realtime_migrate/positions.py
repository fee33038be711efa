"""libcst's `PositionProvider` ranges, computed for one top-level statement at a time.

libcst computes positions by generating the code of the whole module while counting lines and
columns: for a file that reports one finding, that cost about as much as the parse. A top-level
statement always starts at column 0 of a line that CPython's `ast` (already computed by
`engine.parse`) tells us, so the statement that holds a reported node can be generated alone,
starting at that line, by libcst's own `PositionProvidingCodegenState`: the ranges are libcst's.

Each statement's generated code is compared with the source at the line it was placed on; any
doubt (no `ast`, statements that do not pair up, a node outside the body, code that does not
match) falls back to libcst's whole-module computation, which is what this replaces.
tests/test_positions.py compares every range with `PositionProvider` over the fixtures and the
openai package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from realtime_migrate.traversal import descendants


class StatementPositions:
    """`positions[node]` -> CodeRange, as libcst's PositionProvider mapping answers it, filled on demand
    (`_computed` is the name libcst's codegen state writes to, so this object is the state's `provider`)."""

    def __init__(self, module: cst.Module, tree: ast.Module | None, text: str,
                 line_starts: Sequence[int], owners: dict[cst.CSTNode, int] | None = None) -> None:
        """`owners`: each body node's top-level statement index (traversal.walk fills it during the
        analysis); without it, the statements are indexed here, once."""
        self._module = module
        self._text = text
        self._line_starts = line_starts
        self._computed: dict[cst.CSTNode, CodeRange] = {}
        self._starts = _statement_lines(module, tree)  # None: whole module at once
        self._owners = owners
        self._generated: set[int] = set()
        self._whole = False

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._computed.get(node)
        if found is not None:
            return found
        if not self._whole:
            index = self._owner_of(node)
            if index is not None and index not in self._generated and self._generate(index):
                found = self._computed.get(node)
                if found is not None:
                    return found
            self._generate_whole()
        return self._computed[node]

    # -- one statement ----------------------------------------------------------------
    def _owner_of(self, node: cst.CSTNode) -> int | None:
        if self._starts is None:
            return None
        if not self._owners:
            self._owners = {child: i for i, stmt in enumerate(self._module.body) for child in descendants(stmt)}
        return self._owners.get(node)

    def _generate(self, index: int) -> bool:
        """Positions of statement `index`; False (nothing kept) when its code is not where `ast` put it."""
        assert self._starts is not None
        module = self._module
        line = self._starts[index]
        if not 1 <= line <= len(self._line_starts):
            return False
        computed_before = dict(self._computed)
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline, provider=self,
        )
        state.line = line
        module.body[index]._codegen(state)
        code = "".join(state.tokens)
        offset = self._line_starts[line - 1]
        matches = self._text.startswith(code, offset)
        if not matches and index == len(module.body) - 1 and not module.has_trailing_newline \
                and not module.footer and state.tokens:
            # The module drops the last newline after the statements are generated (pop_trailing_newline).
            matches = offset + len(code) - len(state.tokens[-1]) == len(self._text) \
                and self._text.startswith(code[: len(code) - len(state.tokens[-1])], offset)
        if not matches:
            self._computed = computed_before
            return False
        self._generated.add(index)
        return True

    # -- whole module (libcst's own) ----------------------------------------------------
    def _generate_whole(self) -> None:
        self._whole = True
        self._computed = dict(MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(PositionProvider))


def _statement_lines(module: cst.Module, tree: ast.Module | None) -> list[int] | None:
    """The line where each of `module.body`'s statements starts its code (its leading blank and
    comment lines included), or None when the `ast` statements do not pair up with them."""
    if tree is None:
        return None
    firsts = list(_logical_line_starts(tree.body))
    if len(firsts) != len(module.body):
        return None
    starts = []
    for stmt, first in zip(module.body, firsts, strict=True):
        before = len(stmt.leading_lines)
        decorators = getattr(stmt, "decorators", ())
        if decorators:
            before += len(decorators[0].leading_lines)
        starts.append(first - before)
    return starts


def _logical_line_starts(body: Sequence[ast.stmt]) -> Iterator[int]:
    """The first line of each logical line of `body`: `a = 1; b = 2` is one libcst statement.

    A statement that starts on the line where the previous one ends shares its logical line.
    A backslash continuation can split one logical line over two (`a = 1; \\` / `b = 2`): that
    yields one start too many, the counts differ and the caller falls back.
    """
    previous_end = 0
    for stmt in body:
        first = stmt.lineno
        for decorator in getattr(stmt, "decorator_list", ()):
            first = min(first, decorator.lineno)
        if first > previous_end:
            yield first
        previous_end = stmt.end_lineno or stmt.lineno

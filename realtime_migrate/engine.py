"""Parse → rules → findings, and the fix loop.

Works on decoded text and knows nothing of files, so the CLI, the pre-commit hook,
stdin and the tests share it. This module is only imported once a file has passed the
prefilter, and libcst only once a Python file is parsed: a JavaScript-only run never pays
for it (its matchers are tree-sitter's, in the `javascript` package).
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from realtime_migrate.discovery import python_file
from realtime_migrate.model import Edit, Finding
from realtime_migrate.rule import Rule, lowered
from realtime_migrate.suppress import Suppressions

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import MetadataWrapper

MAX_FIX_PASSES = 12


class ParseFailure(Exception):
    """The file is not Python that we can parse; message is one line."""


class FixFailure(Exception):
    """A bug in a fix (output does not parse, or fixes do not converge); the file is left untouched."""


def parse(text: str) -> cst.Module:
    """The libcst tree, or ParseFailure with a one-line reason (see `parse_both`)."""
    return parse_both(text)[0]


def parse_both(text: str) -> tuple[cst.Module, ast.Module | None]:
    """The libcst tree and CPython's (None when CPython cannot read it), or ParseFailure with a
    one-line reason.

    CPython's parser runs first (about 2% of an analysis): its verdict on nesting is
    final, because libcst's native parser crashes the whole process (SIGSEGV) on
    brackets nested ~2,000 deep and takes minutes on a 10,000-term expression, both
    of which CPython refuses. Its messages are also the better ones for plain syntax
    errors ("Missing parentheses in call to 'print'" says Python 2 far better than
    libcst's "Syntax Error @ 1:1"). Code it rejects for other reasons still goes to
    libcst, which may know newer syntax than the running Python.
    """
    import libcst as cst

    python_error: SyntaxError | None = None
    tree: ast.Module | None = None
    try:
        tree = _compile(text, "<file>", ast.PyCF_ONLY_AST)
    except SyntaxError as exc:
        if _TOO_DEEP.search(str(exc.msg)):
            raise ParseFailure(_one_line(f"syntax error at line {exc.lineno}: {exc.msg}")) from None
        python_error = exc
    except (RecursionError, MemoryError) as exc:
        raise ParseFailure(f"cannot parse: code nested too deeply or too complex ({type(exc).__name__})") from None
    except ValueError:
        pass
    try:
        with _nodes_unvalidated() if tree is not None and SKIP_NODE_VALIDATION else contextlib.nullcontext():
            return cst.parse_module(text), tree
    except cst.ParserSyntaxError as exc:
        raise ParseFailure(_syntax_message(exc, python_error)) from None
    except (RecursionError, MemoryError) as exc:
        raise ParseFailure(f"cannot parse: code nested too deeply or too complex ({type(exc).__name__})") from None


# False: libcst validates every node its parser builds; the tests compare both.
SKIP_NODE_VALIDATION = True


@contextlib.contextmanager
def _nodes_unvalidated() -> Iterator[None]:
    """libcst checks each node's invariants as it is built (`CSTNode.__post_init__` -> `_validate`):
    a fifth of the parse. Its parser only builds what its grammar accepts, and CPython has just
    accepted the same text, so the checks cannot fail there (libcst's own comment on
    `__post_init__` suggests skipping them for parsed trees). Code CPython refused is still
    parsed with them."""
    from libcst._nodes.base import CSTNode

    original = CSTNode.__post_init__
    CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        CSTNode.__post_init__ = original  # type: ignore[method-assign]


def _no_validation(self: cst.CSTNode) -> None:
    pass


_TOO_DEEP = re.compile(r"too many nested|too complex|nested too deeply|too many statically", re.IGNORECASE)


def _syntax_message(exc: cst.ParserSyntaxError, python_error: SyntaxError | None) -> str:
    if python_error is not None:
        return _one_line(f"syntax error at line {python_error.lineno}, column {python_error.offset}: "
                         f"{python_error.msg}")
    lines = str(exc).strip().splitlines()
    return _one_line(f"valid Python that the parser (libcst) cannot read: {lines[0] if lines else 'syntax error'} "
                     f"at line {exc.raw_line}, column {exc.raw_column + 1}; please report it")


def _compile(text: str, path: str, flags: int = 0) -> Any:
    """compile() without its SyntaxWarnings (invalid escapes...) going to our stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(text, path, "exec", flags=flags, dont_inherit=True)


def compiles(text: str, path: str = "<file>") -> bool:
    try:
        _check(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _check(text: str, path: str) -> None:
    """SyntaxError unless `text` is valid code of its file's language (CPython's compile, or tree-sitter)."""
    if not python_file(path):
        from realtime_migrate import javascript

        error = javascript.first_error(text, path)
        if error is not None:
            raise SyntaxError(error)
        return
    _compile(text, path)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def applicable(rules: Sequence[Rule], text: str) -> list[Rule]:
    """The rules that run on `text` (`Rule.applies_to`: triggers and context): what the prefilter
    computes faster, so the answer is the same whether or not the prefilter chose the rules."""
    low = lowered(text)
    return [r for r in rules if r.applies_to(low)]


def analyse(path: str, text: str, rules: Sequence[Rule], *, chosen: bool = False) -> list[Finding]:
    """All findings in `text` (suppressions applied), sorted by position.

    `chosen`: `rules` were already narrowed by `applicable()`, perhaps on an earlier version of
    the text (a fix pass may remove a trigger that the next pass's edits still need).
    """
    if not chosen:
        rules = applicable(rules, text)
    if not rules:
        return []
    if not python_file(path):  # JavaScript / TypeScript / HTML scripts: tree-sitter matchers
        from realtime_migrate import javascript

        return javascript.analyse(path, text, rules)
    from libcst.metadata import MetadataWrapper

    from realtime_migrate import matchers
    from realtime_migrate.matchers.base import FileContext

    module, tree = parse_both(text)
    ctx = FileContext(path=path, text=text, module=module, tree=tree)
    visitors = [matchers.load(rule.matcher)(rule, ctx) for rule in rules]
    try:
        visit_batched(MetadataWrapper(module, unsafe_skip_copy=True), visitors, ctx.owners)
    except RecursionError:
        # libcst walks the tree recursively: a 1,000-term expression is legal Python but too deep.
        raise ParseFailure("cannot analyse: code nested too deeply for the parser (RecursionError)") from None
    suppressions = Suppressions.parse(text)
    findings = suppressions.filter(ctx.findings) + suppressions.unused_findings(path, text, rules)
    return sorted(set(findings), key=Finding.sort_key)


# True: libcst's own traversal (rebuilds every node); the tests compare both.
LIBCST_TRAVERSAL = False


def visit_batched(wrapper: MetadataWrapper, visitors: Sequence[cst.BatchableCSTVisitor],
                  owners: dict[cst.CSTNode, int] | None = None) -> None:
    """`MetadataWrapper.visit_batched`, with each visitor's methods found once per class and a
    traversal that does not rebuild the tree (traversal.py; `LIBCST_TRAVERSAL` for libcst's own).

    libcst finds them with `inspect.getmembers` on every visitor of every file: over the
    ~1,000 no-op `visit_*`/`leave_*` stubs every visitor inherits, that was ~35% of the
    CPU time of `fix` on the fixtures. The methods called, and their order, are the same.
    """
    from contextlib import ExitStack

    from libcst._batched_visitor import _BatchedCSTVisitor

    from realtime_migrate import traversal

    with ExitStack() as stack:
        for v in visitors:
            stack.enter_context(v.resolve(wrapper))
        methods = traversal.batched_methods(visitors)
        if LIBCST_TRAVERSAL:
            wrapper.module.visit(_BatchedCSTVisitor(methods))
        else:
            with traversal.read_only_visits():  # metadata computed during the walk is read-only too
                traversal.walk(wrapper.module, methods, owners)


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; overlapping ones wait for the next pass."""
    accepted: list[Edit] = []
    last_end = -1
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end, e.content)):
        if edit.start < last_end or (accepted and edit.start == accepted[-1].start == edit.end):
            continue
        accepted.append(edit)
        last_end = edit.end
    out = []
    pos = 0
    for edit in accepted:
        out.append(text[pos:edit.start])
        out.append(edit.content)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out), accepted


@dataclass
class FixOutcome:
    text: str
    fixed: list[Finding]
    remaining: list[Finding]
    passes: int


def _fix_groups(findings: Sequence[Finding], unsafe: bool) -> list[tuple[Finding, tuple[Edit, ...]]]:
    return [
        (f, f.fix.edits)
        for f in findings
        if f.fix is not None and not f.is_note and (f.fix.is_safe or unsafe)
    ]


def fix_text(path: str, text: str, rules: Sequence[Rule], *, unsafe: bool = False) -> FixOutcome:
    """Apply fixes until nothing changes, checking after every pass that the result parses.

    The result must also compile whenever the input did; input that does not compile here
    (newer syntax than the running Python, `await` at top level) is not held against a fix.
    """
    fixed: list[Finding] = []
    current = text
    rules = applicable(rules, text)  # chosen once: later passes keep them even when a fix removed a trigger
    findings = analyse(path, current, rules, chosen=True)
    input_compiles: bool | None = None
    for passes in range(1, MAX_FIX_PASSES + 1):
        groups = _fix_groups(findings, unsafe)
        if not groups:
            return FixOutcome(current, fixed, findings, passes - 1)
        chosen, taken_from = _choose(groups)
        fixed.extend(taken_from)
        new_text, applied = apply_edits(current, chosen)
        if len(applied) != len(chosen):
            raise FixFailure("internal error: overlapping edits were chosen together; file left untouched, "
                             "please report it")
        if new_text == current:
            return FixOutcome(current, fixed, findings, passes)
        codes = ", ".join(sorted({f.code for f in taken_from}))
        if input_compiles is None:
            input_compiles = compiles(text, path)
        if input_compiles:
            try:
                _check(new_text, path)
            except (SyntaxError, ValueError) as exc:
                raise FixFailure(f"internal error: the fixes of {codes} produced code that does not compile "
                                 f"({_one_line(str(exc))}); file left untouched, please report it") from None
        # The next pass runs the rules that still apply to the new text, and those that just reported
        # (a fix in steps may remove its own trigger first: RTM002's path, then its query).
        reported = {f.code for f in findings}
        low = lowered(new_text)
        rules = [r for r in rules if r.code in reported or r.applies_to(low)]
        try:
            if rules:
                findings = analyse(path, new_text, rules, chosen=True)
            else:
                if not input_compiles and python_file(path):
                    parse(new_text)  # not checked by compile() above: libcst must still parse it
                findings = []
        except ParseFailure as exc:
            raise FixFailure(f"internal error: the fixes of {codes} produced code that does not parse "
                             f"({exc}); file left untouched, please report it") from None
        current = new_text
    raise FixFailure(f"internal error: fixes did not converge after {MAX_FIX_PASSES} passes "
                     f"(last: {', '.join(sorted({f.code for f in findings if f.fix is not None}))}); "
                     "file left untouched, please report it")


def _self_overlapping(edits: Sequence[Edit]) -> bool:
    """True when `apply_edits` would drop one of these edits (same test): the fix cannot be applied whole."""
    last: Edit | None = None
    for e in sorted(set(edits), key=lambda e: (e.start, e.end, e.content)):
        if last is not None and (e.start < last.end or e.start == last.start == e.end):
            return True
        last = e
    return False


def _choose(groups: Sequence[tuple[Finding, tuple[Edit, ...]]]) -> tuple[list[Edit], list[Finding]]:
    """Whole groups (a finding's edits are all-or-nothing) that overlap nothing taken before them.

    An edit identical to one already taken is shared, not a conflict. Taken spans are kept
    sorted, so each test is a bisection (a file with 10,000 findings used to cost minutes).
    """
    chosen: list[Edit] = []
    chosen_set: set[Edit] = set()
    starts: list[int] = []
    ends: list[int] = []  # by (start, end); taken spans never overlap, so ends ascend too
    taken_from: list[Finding] = []

    def conflicts(e: Edit) -> bool:
        i = bisect.bisect_left(starts, e.end) - 1  # the last span starting before e ends
        if i >= 0 and ends[i] > e.start:
            return True
        if e.start == e.end:  # an insertion where a taken span starts
            j = bisect.bisect_left(starts, e.start)
            return j < len(starts) and starts[j] == e.start
        return False

    for finding, edits in groups:
        if _self_overlapping(edits):
            continue  # a rule bug: part of its edits would be dropped; leave the finding unfixed, reported
        if all(e in chosen_set or not conflicts(e) for e in edits):
            for e in edits:
                if e not in chosen_set:
                    chosen_set.add(e)
                    chosen.append(e)
                    i = bisect.bisect_left(starts, e.start)
                    while i < len(starts) and starts[i] == e.start and ends[i] <= e.end:
                        i += 1
                    starts.insert(i, e.start)
                    ends.insert(i, e.end)
            taken_from.append(finding)
    return chosen, taken_from

"""A read-only walk of a libcst tree that calls batched visitor methods exactly as libcst would.

libcst's `Module.visit` serves transformers and visitors alike: it rebuilds every node (with
its validation) on the way up, even when a visitor changes nothing. For the matchers, which
only read, that rebuilding was about half of the analysis time of a file. This walk visits the
same nodes, calls the same `visit_<Node>`, `visit_<Node>_<field>`, `leave_<Node>_<field>` and
`leave_<Node>` methods in the same order, and builds nothing.

The order of a node's children is libcst's own: the field names its
`_visit_and_replace_children` passes to `visit_required`/`visit_sequence`/..., in the order
they appear there (read once per node class from its bytecode).
tests/test_traversal.py checks the event sequence against libcst's traversal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import libcst as cst

Method = Callable[[cst.CSTNode], object]

_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}
_IS_NODE: dict[type, bool] = {}  # `isinstance(x, CSTNode)` goes through ABCMeta: ~10x slower than this
_partial = functools.partial


def _is_node(cls: type) -> bool:
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return known


def child_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """The fields libcst visits on a node of class `cls`, in its order, each with whether a None
    value is still announced to attribute visitors (`visit_optional` does; a field visited only
    `if x is not None`, such as `FormattedStringExpression.format_spec`, does not)."""
    try:
        return _FIELDS[cls]
    except KeyError:
        pass
    import dis

    names = {f.name for f in dataclasses.fields(cls)}
    order: dict[str, bool] = {}
    helper = ""
    for ins in dis.get_instructions(cls._visit_and_replace_children):
        if ins.opname == "LOAD_GLOBAL" and str(ins.argval).startswith("visit_"):
            helper = str(ins.argval)
        elif ins.opname == "LOAD_CONST" and isinstance(ins.argval, str) and ins.argval in names \
                and ins.argval not in order:
            order[ins.argval] = helper == "visit_optional"
    _FIELDS[cls] = fields = tuple(order.items())
    return fields


def walk(module: cst.CSTNode, methods: Mapping[str, Sequence[Method]],
         owners: dict[cst.CSTNode, int] | None = None) -> None:
    """Call `methods[name]` (name: `visit_If`, `visit_If_body`, `leave_If`, ...) over the tree.

    Iterative, so a deeply nested expression cannot exhaust the interpreter's stack (libcst's
    recursive visit raises RecursionError there; the engine reports that as unparseable).
    `owners` (for a Module): filled with each body node's top-level statement index, which
    positions.StatementPositions needs and would otherwise find by a walk of its own.
    """
    get = methods.get
    tops: dict[cst.CSTNode, int] = {}
    if owners is not None and isinstance(module, cst.Module):
        tops = {stmt: i for i, stmt in enumerate(module.body)}
    top = -1
    top_of = tops.get
    by_class: dict[type, tuple[Sequence[Method], Sequence[Method],
                               tuple[tuple[str, bool, Sequence[Method], Sequence[Method]], ...]]] = {}
    # A stack of work items: a node to enter, or a callable step (leave a field, leave a node).
    stack: list[object] = [module]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        cls = type(item)
        if cls is _partial:
            item()  # type: ignore[operator]
            continue
        if tops:
            top = top_of(item, top)  # a statement's nodes all pop before the next statement
            if top >= 0:
                owners[item] = top  # type: ignore[index]
        plan = by_class.get(cls)
        if plan is None:
            name = cls.__name__
            plan = by_class[cls] = (
                get(f"visit_{name}", ()), get(f"leave_{name}", ()),
                tuple((f, none_too, get(f"visit_{name}_{f}", ()), get(f"leave_{name}_{f}", ()))
                      for f, none_too in child_fields(cls)),
            )
        visits, leaves, fields = plan
        for fn in visits:
            fn(item)
        if leaves:
            push(_partial(_call_all, leaves, item))
        # Children are pushed in reverse so they pop in libcst's order.
        for field, none_too, field_visits, field_leaves in reversed(fields):
            value = getattr(item, field)
            if value is None and not none_too:
                continue
            if field_leaves:
                push(_partial(_call_all, field_leaves, item))
            vcls = type(value)
            if vcls is tuple or vcls is list:
                for child in reversed(value):
                    if _is_node(type(child)):
                        push(child)
            elif _is_node(vcls):
                push(value)
            if field_visits:
                push(_partial(_call_all, field_visits, item))


def descendants(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`root` and every node under it (any order)."""
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        yield node
        for field, _ in child_fields(type(node)):
            value = getattr(node, field)
            vcls = type(value)
            if vcls is tuple or vcls is list:
                extend(child for child in value if _is_node(type(child)))
            elif value is not None and _is_node(vcls):
                push(value)


def _call_all(fns: Sequence[Method], node: cst.CSTNode) -> None:
    for fn in fns:
        fn(node)


def visit(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """`root.visit(visitor)` for a read-only visitor, without rebuilding: `on_visit` (False skips
    the children), `on_visit_attribute`/`on_leave_attribute` around each field, `on_leave`."""
    on_visit, on_leave = visitor.on_visit, visitor.on_leave
    on_visit_attribute, on_leave_attribute = visitor.on_visit_attribute, visitor.on_leave_attribute
    stack: list[object] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is _partial:
            item()  # type: ignore[operator]
            continue
        if not on_visit(item):
            on_leave(item)
            continue
        push(_partial(on_leave, item))
        for field, none_too in reversed(child_fields(type(item))):
            value = getattr(item, field)
            if value is None and not none_too:
                continue
            push(_partial(on_leave_attribute, item, field))
            vcls = type(value)
            if vcls is tuple or vcls is list:
                for child in reversed(value):
                    if _is_node(type(child)):
                        push(child)
            elif _is_node(vcls):
                push(value)
            push(_partial(on_visit_attribute, item, field))


def batched_methods(visitors: Sequence[cst.BatchableCSTVisitor]) -> dict[str, list[Method]]:
    """libcst's `_get_visitor_methods(visitors)`: each visitor's visit_/leave_ methods by name,
    found once per class (`visitor_names`) instead of by `inspect.getmembers` on every visitor."""
    methods: dict[str, list[Method]] = {}
    for v in visitors:
        for name, fn in _bound_methods(v).items():
            methods.setdefault(name, []).append(fn)
    return methods


def _bound_methods(visitor: cst.BatchableCSTVisitor) -> dict[str, Method]:
    found = {}
    for name in visitor_names(type(visitor)):
        fn = getattr(visitor, name)
        # libcst's own test, on the few names that can pass it (see visitor_names).
        if inspect.ismethod(fn) and fn.__name__.startswith(("visit_", "leave_")) \
                and not getattr(fn, "_is_no_op", False):
            found[name] = fn
    return found


@functools.cache
def visitor_names(cls: type) -> tuple[str, ...]:
    """Sorted names (as inspect.getmembers) of `cls`'s visit_/leave_ methods that are not libcst's no-op stubs.

    A name is kept unless it is certainly out: a no-op stub, a staticmethod, or not a function.
    Instance attributes cannot add visitor methods here (libcst would see a bound method set on
    an instance; no matcher or metadata provider does that). Each name is judged by the class
    dictionary that defines it (what `inspect.getattr_static` returns), read once along the MRO:
    `inspect.getmembers` over the ~1,300 stubs every visitor inherits cost ~5 ms per visitor per
    file, ~35% of the CPU time of `fix`.
    """
    seen: set[str] = set()
    names = []
    for klass in cls.__mro__:
        for name, static in vars(klass).items():
            if name in seen or not name.startswith(("visit_", "leave_")):
                continue
            seen.add(name)
            if isinstance(static, staticmethod):
                continue
            if inspect.isfunction(static) and getattr(static, "_is_no_op", False):
                continue
            names.append(name)
    return tuple(sorted(names))


@contextlib.contextmanager
def read_only_visits() -> Iterator[None]:
    """Within: `node.visit(v)` for any `CSTVisitor` v (libcst's metadata providers, scope analysis)
    walks without rebuilding. libcst returns the original node to a CSTVisitor anyway; only
    transformers see rebuilt nodes, and they keep libcst's own visit.

    A batch of metadata providers (scope, qualified names...) runs through `walk` with their
    methods found by `batched_methods`, as the matchers do.
    """
    from libcst._batched_visitor import _BatchedCSTVisitor

    original = cst.CSTNode.visit
    original_get_visitors = cst.BatchableCSTVisitor.get_visitors

    def patched(self: cst.CSTNode, visitor: Any) -> Any:
        if isinstance(visitor, cst.CSTVisitor):
            if type(visitor) is _BatchedCSTVisitor and visitor.before_visit is None \
                    and visitor.after_leave is None:
                # (An empty batch, as libcst makes when it resolves positions alone, calls nothing.)
                if visitor.visitor_methods:
                    walk(self, visitor.visitor_methods)
            else:
                visit(self, visitor)
            return self
        return original(self, visitor)

    cst.CSTNode.visit = patched  # type: ignore[method-assign]
    cst.BatchableCSTVisitor.get_visitors = _bound_methods  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        cst.CSTNode.visit = original  # type: ignore[method-assign]
        cst.BatchableCSTVisitor.get_visitors = original_get_visitors  # type: ignore[method-assign]

"""Small readers of tree-sitter nodes: string and template values, object members, the class or function
around a node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # context.py imports this module: the type only, for annotations
    from realtime_migrate.javascript.context import _Ctx

STRINGS = ("string", "template_string")


# -- literals -----------------------------------------------------------------------------------------
def _literal(ctx: _Ctx, node: Any) -> str | None:
    """The value of a string, or of a template without `${}`; None when it has escapes or substitutions."""
    if node.type not in STRINGS:
        return None
    inner = ctx.src(node)[1:-1]
    if "\\" in inner or (node.type == "template_string" and "${" in inner):
        return None
    return inner


def _template(ctx: _Ctx, node: Any) -> tuple[str, list[str]] | None:
    """A string's or template's text with each `${...}` as a sentinel `\\x00N\\x00`, and the substitutions."""
    if node.type == "string":
        value = _literal(ctx, node)
        return (value, []) if value is not None else None
    if node.type != "template_string":
        return None
    parts, subs = [], []
    pos = node.start_byte + 1
    for child in node.children:
        if child.type == "template_substitution":
            parts.append(ctx.raw[pos:child.start_byte].decode("utf-8"))
            parts.append(f"\x00{len(subs)}\x00")
            subs.append(ctx.src(child))
            pos = child.end_byte
    parts.append(ctx.raw[pos:node.end_byte - 1].decode("utf-8"))
    text = "".join(parts)
    return (None if "\\" in text else (text, subs))  # type: ignore[return-value]


def _requote(ctx: _Ctx, node: Any, value: str) -> str:
    quote = ctx.src(node)[0]
    return f"{quote}{value}{quote}"


def _key(ctx: _Ctx, pair: Any) -> str | None:
    """The name of an object property: `voice:`, `"voice":`, `'voice':`; None for computed keys."""
    key = pair.child_by_field_name("key")
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return ctx.src(key)
    return _literal(ctx, key)


def _pairs(ctx: _Ctx, obj: Any) -> list[tuple[str | None, Any]]:
    """(key, node) of an object literal's members; shorthand `{ session }` counts as `session: session`."""
    out = []
    for child in obj.named_children:
        if child.type == "pair":
            out.append((_key(ctx, child), child))
        elif child.type == "shorthand_property_identifier":
            out.append((ctx.src(child), child))
        elif child.type != "comment":
            out.append((None, child))  # a spread or a method: the object cannot be rewritten whole
    return out


def _value(pair: Any) -> Any:
    return pair.child_by_field_name("value") if pair.type == "pair" else pair


def _class_of(node: Any) -> int:
    """The id of the class around `node` (0 outside any): `this.x` means that class's `x`."""
    parent = node.parent
    while parent is not None and parent.type not in ("class_declaration", "class"):
        parent = parent.parent
    return parent.id if parent is not None else 0


def _module_source(node: Any) -> bool:
    """The string names a module: `import ... from "m"`, `export ... from "m"`, `require("m")`, `import("m")`."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in ("import_statement", "export_statement"):
        return True
    if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
        func = parent.parent.child_by_field_name("function")
        return func is not None and func.type in ("identifier", "import") and func.text in (b"require", b"import")
    return False


def _function_name(ctx: _Ctx, fn: Any) -> str | None:
    """`name` of `function name()`, `name() {}` in a class, or `const name = () => ...`."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return ctx.src(name)
    parent = fn.parent
    if parent is not None and parent.type in ("variable_declarator", "pair", "assignment_expression"):
        target = parent.child_by_field_name("name") or parent.child_by_field_name("key") or \
            parent.child_by_field_name("left")
        return ctx.src(target).rsplit(".", 1)[-1] if target is not None else None
    return None

"""Reading JavaScript, TypeScript and HTML pages: which files, which parser, the programs of a page, the nodes.

tree-sitter and its grammar wheels are imported here only, on the first file of a language that passed the
prefilter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from realtime_migrate.discovery import HTML_SUFFIXES, JS_SUFFIXES, WEB_SUFFIXES

SUFFIXES = WEB_SUFFIXES

# An HTML page's inline scripts: `<script>` / `<script type="module">` with a body and no `src`. JSON, import
# maps and templates (`type="application/json"`, `"importmap"`, `"text/x-template"`) are not JavaScript.
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?\s*([^"'\s>]*)""", re.IGNORECASE)
_JS_TYPES = {"": ".js", "module": ".js", "text/javascript": ".js", "application/javascript": ".js",
             "text/ecmascript": ".js", "application/ecmascript": ".js", "text/babel": ".jsx", "text/jsx": ".jsx"}
_NOT_BLANK = re.compile(r"[^\r\n]")


def programs(text: str, path: str) -> list[tuple[str, str]]:
    """(code, parser suffix) of each program in the file: the file itself, or each inline script of an HTML
    page as the whole page with everything but that script blanked to spaces, so that offsets, lines and
    columns are the page's own and an edit to the script is an edit to the page."""
    if not path.lower().endswith(HTML_SUFFIXES):
        return [(text, _suffix(path))]
    out = []
    for m in _SCRIPT.finditer(text):
        attrs, body = m.group("attrs"), m.group("body")
        kind = _SCRIPT_TYPE.search(attrs)
        suffix = _JS_TYPES.get(kind.group(1).lower() if kind else "")
        if suffix is None or not body.strip() or re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            continue
        start, end = m.span("body")
        out.append((_NOT_BLANK.sub(" ", text[:start]) + body + _NOT_BLANK.sub(" ", text[end:]), suffix))
    return out


@lru_cache(maxsize=4)
def _parser(suffix: str) -> Any:
    from tree_sitter import Language, Parser

    if suffix in (".ts", ".mts", ".cts"):
        import tree_sitter_typescript as tst

        language = Language(tst.language_typescript())
    elif suffix == ".tsx":
        import tree_sitter_typescript as tst

        language = Language(tst.language_tsx())
    else:
        import tree_sitter_javascript as tsj

        language = Language(tsj.language())
    return Parser(language)


def _suffix(path: str) -> str:
    lower = path.lower()
    return next((s for s in JS_SUFFIXES if lower.endswith(s)), ".js")


def parses(text: str, path: str) -> bool:
    """What `compile()` is to Python: the file (each inline script of a page) parses without an error node."""
    return first_error(text, path) is None


def first_error(text: str, path: str) -> str | None:
    for code, suffix in programs(text, path):
        tree = _parser(suffix).parse(code.encode("utf-8"))
        if not tree.root_node.has_error:
            continue
        for node in _walk(tree.root_node):
            if node.type == "ERROR" or node.is_missing:
                row, col = node.start_point
                return f"syntax error at line {row + 1}, column {col + 1}"
        return "syntax error"
    return None


def _walk(root: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _walk_named(root: Any) -> list[Any]:
    """The named nodes below `root`, in document order (pre-order): what the matchers look at. Punctuation
    and keywords are half of a tree's nodes, and walking them in Python was most of a file's analysis."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.named_children))
    return out

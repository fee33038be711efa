"""Jupyter notebooks as Python: the code cells joined into one module, and the fixed module written back.

Notebooks run top to bottom, so their code cells are analysed as one module (a session dict built in
one cell and sent in the next is followed like any other). Each cell starts with a marker comment, so a
finding maps back to its cell and line, and a fixed module splits back into cells even when a fix
changed a cell's line count. IPython syntax is not Python: a line magic or shell escape (`%pip`,
`!ls`, `x?`) becomes a `pass` that carries its number and is restored byte for byte after the fix;
a cell magic (`%%bash`) keeps its whole cell out of the module.

Writing back edits the notebook's JSON text in place: only the `source` value of a changed code cell
is replaced, rendered in the layout it had (a list of lines, indented as before, or one string), so
outputs, metadata, key order and whitespace elsewhere keep every byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

MARKER = "# realtime-migrate: cell {}\n"
_MARKER = re.compile(r"^# realtime-migrate: cell (\d+)\n", re.MULTILINE)
_SCALAR = re.compile(r"-?[0-9.eE+\-]+|true|false|null")
_MAGIC_PASS = re.compile(r"^([ \t]*)pass  # realtime-migrate: magic (\d+)$", re.MULTILINE)


class NotebookError(ValueError):
    """Not a notebook this tool can read; the message is one line."""


@dataclass
class Notebook:
    raw: str  # the JSON text as read
    spans: list[tuple[int, int] | None]  # per cell: the span of its `source` value in `raw` (code cells only)
    sources: list[str | None]  # per cell: the code it holds (None: not a code cell)
    layouts: list[str]  # per cell: how `source` was written ("list" or "string")
    magics: list[str] = field(default_factory=list)  # original IPython lines, by number
    text: str = ""  # the module analysed
    starts: list[tuple[int, int]] = field(default_factory=list)  # (module line of a cell's first line, cell no.)

    def locate(self, line: int) -> tuple[int, int]:
        """(1-based cell number, line in that cell) of a module line."""
        cell, first = 0, 1
        for start, number in self.starts:
            if start > line:
                break
            cell, first = number, start
        return cell, line - first + 1

    def write(self, new_text: str) -> str:
        """The notebook JSON with the fixed module's cells put back; unchanged cells keep their bytes."""
        cells: dict[int, str] = {}
        pieces = _MARKER.split(new_text)
        for i in range(1, len(pieces) - 1, 2):
            cells[int(pieces[i])] = pieces[i + 1]
        out: list[str] = []
        pos = 0
        for number, span in enumerate(self.spans, start=1):
            old = self.sources[number - 1]
            if span is None or old is None or number not in cells:
                continue
            new = _MAGIC_PASS.sub(lambda m: self.magics[int(m.group(2))], cells[number])
            if not old.endswith("\n") and new.endswith("\n"):
                new = new[:-1]
            if new == old:
                continue
            start, end = span
            out.append(self.raw[pos:start])
            out.append(_render(new, self.raw[start:end], self.layouts[number - 1]))
            pos = end
        out.append(self.raw[pos:])
        return "".join(out)


def read(raw: str) -> Notebook:
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not a valid notebook: JSON error at line {exc.lineno}, column {exc.colno}") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no `cells` list (nbformat 4 is supported)")
    spans = _source_spans(raw)
    nb = Notebook(raw, [], [], [])
    module: list[str] = []
    line = 1
    for number, cell in enumerate(cells, start=1):
        code = isinstance(cell, dict) and cell.get("cell_type") == "code"
        src = cell.get("source", "") if code else None
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
            layout = "list"
        else:
            layout = "string"
        nb.spans.append(spans.get(number) if code else None)
        nb.sources.append(src if isinstance(src, str) else None)
        nb.layouts.append(layout)
        if not isinstance(src, str):
            continue
        module.append(MARKER.format(number))
        line += 1
        nb.starts.append((line, number))
        body = _python(src, nb.magics)
        if not body and src.strip():
            nb.spans[-1] = None  # a cell magic: another language, never written back
        module.append(body)
        line += body.count("\n")
    nb.text = "".join(module)
    return nb


def _python(src: str, magics: list[str]) -> str:
    """A cell's code with IPython syntax neutralised, ending in a newline."""
    if src.lstrip().startswith("%%"):
        return ""  # a cell magic: the cell is another language
    lines = src.splitlines(keepends=True)
    out = []
    for ln in lines:
        body = ln.rstrip("\r\n")
        stripped = body.lstrip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            indent = body[: len(body) - len(stripped)]
            out.append(f"{indent}pass  # realtime-migrate: magic {len(magics)}" + ln[len(body):])
            magics.append(body)
        else:
            out.append(ln)
    text = "".join(out)
    return text if text.endswith("\n") or not text else text + "\n"


def _render(source: str, old: str, layout: str) -> str:
    """`source` as a JSON value laid out like `old`: one string, or a list of lines one per row with the
    indentation `old` had (nbformat's), or a one-line list."""
    ascii_only = "\\u" in old
    if layout == "string":
        return json.dumps(source, ensure_ascii=ascii_only)
    items = [json.dumps(s, ensure_ascii=ascii_only) for s in source.splitlines(keepends=True)]
    inner = old[1:-1]
    lead = inner[: len(inner) - len(inner.lstrip())]
    tail = inner[len(inner.rstrip()):]
    if "\n" not in lead or not items:
        return "[" + ", ".join(items) + "]"
    return "[" + lead + ("," + lead).join(items) + tail + "]"


def _source_spans(raw: str) -> dict[int, tuple[int, int]]:
    """Cell number → span of its top-level `"source"` value in the JSON text (a small scanner: the json module
    gives no positions)."""
    return _Scanner(raw).cells()


class _Scanner:
    _WS = " \t\r\n"

    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0

    def ws(self) -> None:
        t, i = self.t, self.i
        while i < len(t) and t[i] in self._WS:
            i += 1
        self.i = i

    def string(self) -> str:
        start = self.i
        value, end = json.decoder.scanstring(self.t, start + 1)  # type: ignore[attr-defined]
        self.i = end
        return value  # type: ignore[no-any-return]

    def skip(self) -> None:
        """Skip one JSON value."""
        self.ws()
        c = self.t[self.i]
        if c == '"':
            self.string()
        elif c in "[{":
            close = "]" if c == "[" else "}"
            self.i += 1
            self.ws()
            if self.t[self.i] == close:
                self.i += 1
                return
            while True:
                if c == "{":
                    self.ws()
                    self.string()
                    self.ws()
                    self.i += 1  # ':'
                self.skip()
                self.ws()
                if self.t[self.i] == ",":
                    self.i += 1
                    continue
                self.i += 1  # close
                return
        else:
            m = _SCALAR.match(self.t, self.i)
            if m is None:
                raise NotebookError("not a valid notebook")
            self.i = m.end()

    def members(self):  # type: ignore[no-untyped-def]
        """(key, value start) for each member of the object at the cursor; the cursor ends after it."""
        self.ws()
        self.i += 1  # '{'
        self.ws()
        if self.t[self.i] == "}":
            self.i += 1
            return
        while True:
            self.ws()
            key = self.string()
            self.ws()
            self.i += 1  # ':'
            self.ws()
            yield key, self.i
            self.ws()
            if self.t[self.i] == ",":
                self.i += 1
                continue
            self.i += 1  # '}'
            return

    def cells(self) -> dict[int, tuple[int, int]]:
        spans: dict[int, tuple[int, int]] = {}
        for key, _ in self.members():
            if key != "cells":
                self.skip()
                continue
            self.ws()
            self.i += 1  # '['
            number = 0
            while True:
                self.ws()
                if self.t[self.i] == "]":
                    self.i += 1
                    break
                number += 1
                if self.t[self.i] == "{":
                    for ckey, start in self.members():
                        self.skip()
                        if ckey == "source":
                            spans[number] = (start, self.i)
                else:
                    self.skip()
                self.ws()
                if self.t[self.i] == ",":
                    self.i += 1
        return spans

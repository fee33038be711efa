"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::error` for findings that fail the run, `::notice` for notes (mentions in comments and
docstrings), `::error` without a position for files that could not be processed. Values
are escaped as the runner expects (`%`, CR, LF everywhere; also `:` and `,` in
properties), otherwise a message with a comma silently truncates the annotation.
"""

from __future__ import annotations

from realtime_migrate.model import Finding
from realtime_migrate.report import display_path as _path
from realtime_migrate.report.summary import Summary


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    kind = "notice" if f.is_note else "error"
    props = (f"file={_prop(_path(f.path))},line={f.line},col={f.col + 1},"
             f"endLine={f.end_line},endColumn={f.end_col + 1},"
             f"title={_prop(f.code if f.cell is None else f'{f.code} (cell {f.cell})')}")
    body = [f"{f.code} {f.message}"]
    if f.ga_form:
        body.append(f"GA: {f.ga_form}")
    if f.fix is not None:
        how = "realtime-migrate fix" + ("" if f.fix.is_safe else " --unsafe-fixes")
        body.append(f"Fix: {f.fix.title} (`{how}`)")
    return f"::{kind} {props}::{_data(chr(10).join(body))}"


def render(summary: Summary) -> str:
    lines = [f"::error file={_prop(_path(e.path))},title={_prop('realtime-migrate ' + e.kind)}::{_data(e.message)}"
             for e in summary.errors]
    lines.extend(annotation(f) for f in sorted(summary.findings, key=Finding.sort_key))
    lines.append(summary.headline())
    return "\n".join(lines) + "\n"

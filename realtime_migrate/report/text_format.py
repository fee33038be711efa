"""Human output: findings grouped by file, each with a code frame and the GA form."""

from __future__ import annotations

import os
import sys
from itertools import groupby

from realtime_migrate.model import Finding
from realtime_migrate.report.summary import Summary


def use_colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class _Style:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text


def frame(f: Finding, style: _Style) -> list[str]:
    gutter = len(str(f.line))
    pad = " " * gutter
    line = f.source_line.expandtabs(1)
    width = (f.end_col - f.col) if f.end_line == f.line else max(1, len(line) - f.col)
    caret = " " * f.col + "^" * max(1, width)
    out = [
        f"{pad} {style('|', '34')}",
        f"{style(str(f.line), '34')} {style('|', '34')} {line}",
        f"{pad} {style('|', '34')} {style(caret, '31' if not f.is_note else '36')}",
    ]
    if f.ga_form:
        out.append(f"{pad} = GA: {f.ga_form}")
    if f.fix is not None:
        note = "" if f.fix.is_safe else " (unsafe: needs --unsafe-fixes; review the change)"
        out.append(f"{pad} = help: {f.fix.title}{note}")
    return out


def render(summary: Summary) -> str:
    style = _Style(use_colour())
    lines: list[str] = []
    for error in summary.errors:
        lines.append(f"{style('error', '1;31')}: {error.one_line()}")
    if summary.mode == "fix":
        for f in summary.fixed:
            lines.append(f"fixed {f.path}:{f.where}: {f.code} {f.message}")
    for path, group in groupby(sorted(summary.findings, key=Finding.sort_key), key=lambda f: f.path):
        lines.append(style(path, "1"))
        for f in group:
            marker = " [*]" if f.fix is not None and f.fix.is_safe else ""
            kind = style("note", "36") + " " if f.is_note else ""
            lines.append(f"{path}:{f.where}: {kind}{style(f.code, '1;31')}{marker} {f.message}")
            lines.extend(frame(f, style))
        lines.append("")
    if summary.diff:
        lines.append(summary.diff.rstrip("\n"))
    lines.append(summary.headline())
    if summary.notes:
        lines.append(f"{len(summary.notes)} note{'s' * (len(summary.notes) != 1)} (mentions and constructs to "
                     "review; notes never fail the run).")
    if summary.errors:
        lines.append(f"{len(summary.errors)} file{'s' * (len(summary.errors) != 1)} could not be processed.")
    return "\n".join(lines) + "\n"

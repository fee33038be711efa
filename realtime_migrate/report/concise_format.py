"""Concise: one `path:line:col: CODE message` line per finding, for grep, editors and logs.

Columns are 1-based like every other format. Tool errors come first as `path: error: ...`
(no position: the file never got that far), and the run ends with the same headline as
`text`, so a log reader sees the counts without a second run.
"""

from __future__ import annotations

from realtime_migrate.model import Finding
from realtime_migrate.report import display_path
from realtime_migrate.report.summary import Summary


def line(f: Finding) -> str:
    return f"{display_path(f.path)}:{f.where}: {f.code} {f.message}"


def render(summary: Summary) -> str:
    lines = [f"{display_path(e.path)}: error: {e.message}" for e in summary.errors]
    lines.extend(line(f) for f in sorted(summary.findings, key=Finding.sort_key))
    if summary.diff:
        lines.append(summary.diff.rstrip("\n"))
    lines.append(summary.headline())
    return "\n".join(lines) + "\n"

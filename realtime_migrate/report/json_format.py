"""JSON: every field of every finding, fixes as edits with their safety, and tool errors."""

from __future__ import annotations

import json
from typing import Any

from realtime_migrate import __version__, catalog
from realtime_migrate.model import Finding
from realtime_migrate.report.summary import Summary


def finding_dict(f: Finding) -> dict[str, Any]:
    out = _finding_dict(f)
    if f.cell is not None:  # a notebook: lines count within the cell (ruff's JSON does the same)
        out["cell"] = f.cell
        out["location"]["cell"] = out["end_location"]["cell"] = f.cell
    return out


def _finding_dict(f: Finding) -> dict[str, Any]:
    rule = catalog.by_code(f.code)
    return {
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "severity": f.severity.value,
        "path": f.path,
        "location": {"line": f.line, "column": f.col + 1},
        "end_location": {"line": f.end_line, "column": f.end_col + 1},
        "ga_form": f.ga_form,
        "url": rule.doc_url if rule else None,
        "fix": None if f.fix is None else {
            "applicability": f.fix.applicability.value,
            "message": f.fix.title,
            "edits": [
                {
                    "content": e.content,
                    "location": {"line": e.start_line, "column": e.start_col + 1},
                    "end_location": {"line": e.end_line, "column": e.end_col + 1},
                }
                for e in f.fix.edits
            ],
        },
    }


def render(summary: Summary) -> str:
    doc = {
        "tool": "realtime-migrate",
        "version": __version__,
        "mode": summary.mode,
        "findings": [finding_dict(f) for f in sorted(summary.findings, key=Finding.sort_key)],
        "fixed": [finding_dict(f) for f in summary.fixed],
        "errors": [{"path": e.path, "message": e.message, "kind": e.kind} for e in summary.errors],
        "summary": {
            "files_checked": summary.checked,
            "findings": len(summary.problems),
            "notes": len(summary.notes),
            "files_with_findings": summary.files_with_findings,
            "fixable": summary.safe_fixable,
            "unsafe_fixable": summary.unsafe_fixable,
            "fixed": len(summary.fixed),
            "changed_files": summary.changed_files,
            "errors": len(summary.errors),
            "baselined": summary.baselined,
        },
    }
    return json.dumps(doc, indent=2) + "\n"

"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps) and IDE viewers.

Carries what users of other linters had to ask for: rule metadata with the full docs
(`tool.driver.rules`), every fix as `fixes[].artifactChanges[].replacements` with its
safety in `properties.applicability`, and tool errors as
`invocations[].toolExecutionNotifications` instead of swallowing them. Columns count
Unicode code points (`columnKind`), which is what our positions are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from realtime_migrate import __version__, baseline, catalog
from realtime_migrate.model import Edit, Finding
from realtime_migrate.report.summary import Summary
from realtime_migrate.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/realtime-migrate/realtime-migrate"
SRCROOT = "%SRCROOT%"


def artifact(path: str) -> dict[str, Any]:
    """Relative paths stay relative to %SRCROOT% (the working directory), as code scanning expects."""
    p = Path(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    return {"uri": quote(p.as_posix()), "uriBaseId": SRCROOT}


def region(line: int, col: int, end_line: int, end_col: int) -> dict[str, int]:
    return {"startLine": max(line, 1), "startColumn": col + 1, "endLine": max(end_line, 1), "endColumn": end_col + 1}


def _replacement(e: Edit) -> dict[str, Any]:
    return {"deletedRegion": region(e.start_line, e.start_col, e.end_line, e.end_col),
            "insertedContent": {"text": e.content}}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "helpUri": rule.doc_url,
        "help": {"text": f"{rule.summary} See {rule.doc_url}", "markdown": rule.render_docs()},
        "defaultConfiguration": {"level": "error"},
        "properties": {"fix": rule.fix.value, "references": list(rule.references),
                       "tags": ["openai-realtime", "migration"]},
    }


def result(f: Finding, key: baseline.Key, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.code,
        "level": "note" if f.is_note else "error",
        "message": {"text": f.message + (f" GA: {f.ga_form}" if f.ga_form else "")},
        "locations": [{"physicalLocation": {"artifactLocation": artifact(f.path),
                                            "region": region(f.line, f.col, f.end_line, f.end_col)}}],
        "partialFingerprints": {"realtimeMigrate/v1": baseline.fingerprint(key)},
    }
    if f.code in index:
        out["ruleIndex"] = index[f.code]
    if f.cell is not None:  # a notebook: the region's lines count within this code cell
        out.setdefault("properties", {})["cell"] = f.cell
    if f.fix is not None:
        out["fixes"] = [{
            "description": {"text": f.fix.title},
            "artifactChanges": [{"artifactLocation": artifact(f.path),
                                 "replacements": [_replacement(e) for e in f.fix.edits]}],
            # Review bots read the fix's own bag; `applicability` says whether `fix` applies it without
            # `--unsafe-fixes` (the result's bag keeps it too, for readers of earlier output).
            "properties": {"applicability": f.fix.applicability.value, "safe": f.fix.is_safe},
        }]
        out.setdefault("properties", {})["applicability"] = f.fix.applicability.value
    return out


def render(summary: Summary) -> str:
    rules = catalog.all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    root = Path.cwd()
    notifications = [
        {"level": "error", "message": {"text": e.message}, "descriptor": {"id": e.kind},
         "locations": [{"physicalLocation": {"artifactLocation": artifact(e.path)}}]}
        for e in summary.errors
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "realtime-migrate", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFO_URI, "rules": [rule_descriptor(r) for r in rules]}},
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": not summary.errors, "toolExecutionNotifications": notifications,
                         "workingDirectory": {"uri": root.as_uri().rstrip("/") + "/"}}],
        "results": [result(f, k, index) for k, f in baseline.keyed(summary.findings, Path(os.getcwd()))],
    }
    if summary.baselined:
        run["properties"] = {"baselined": summary.baselined}
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

"""JUnit XML, laid out as ruff's: one <testsuite> per file, one <testcase> per finding.

CI systems (GitLab, Jenkins, Azure) show each finding as a failed test. Notes become
passing test cases (they never fail a run); a file that could not be processed is an
<error>, so it is never mistaken for a clean file. A clean run is one passing case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from realtime_migrate.model import Finding
from realtime_migrate.report import display_path
from realtime_migrate.report.summary import Summary

NAME = "realtime-migrate"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _suite(parent: ET.Element, name: str, tests: int, failures: int, errors: int) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=_x(name), tests=str(tests), disabled="0",
                         errors=str(errors), failures=str(failures), package=f"org.{NAME}")


def render(summary: Summary) -> str:
    root = ET.Element("testsuites", name=NAME)
    total = failures = 0
    for e in summary.errors:
        path = display_path(e.path)
        suite = _suite(root, path, 1, 0, 1)
        case = ET.SubElement(suite, "testcase", name=f"org.{NAME}.{e.kind}", classname=_x(path))
        ET.SubElement(case, "error", message=_x(e.message)).text = _x(f"{path}: {e.message}")
        total += 1
    ordered = sorted(summary.findings, key=Finding.sort_key)
    for raw, group in groupby(ordered, key=lambda f: f.path):
        items, path = list(group), display_path(raw)
        failed = [f for f in items if not f.is_note]
        suite = _suite(root, path, len(items), len(failed), 0)
        for f in items:
            case = ET.SubElement(suite, "testcase", name=f"org.{NAME}.{f.code}", classname=_x(path),
                                 line=str(f.line), column=str(f.col + 1))
            cell = f"cell {f.cell}, " if f.cell is not None else ""
            text = _x(f"{cell}line {f.line}, col {f.col + 1}, {f.message}" + (f" GA: {f.ga_form}" if f.ga_form else ""))
            if f.is_note:
                ET.SubElement(case, "system-out").text = "note: " + text
            else:
                ET.SubElement(case, "failure", message=_x(f.message)).text = text
        total += len(items)
        failures += len(failed)
    if total == 0:
        suite = _suite(root, NAME, 1, 0, 0)
        ET.SubElement(suite, "testcase", name="No errors found", classname=NAME)
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(len(summary.errors)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""Every rule's fixtures moved into an indented block must still scan, fix, compile and converge.

libcst renders a multi-line node inside an indented block differently from the source, so edits
built from `code_for_node` break there while the module-level fixtures pass. Wrapping every
positive/comment fixture in `class _Wrapped:` / `def _method(self):` exercises that path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES, compiles, fix_text, scan_text

# Fixtures whose finding depends on module scope, so nesting them legitimately removes it.
MODULE_SCOPED = {"RTM011/positive_function_built.py": "follows functions defined at module level only"}

CASES = sorted(p for p in (FIXTURES / "rules").glob("RTM*/*.py") if p.name.startswith(("positive_", "comment_")))


def _nest(text: str) -> str:
    body = "".join(("        " + line) if line.strip() else line for line in text.splitlines(keepends=True))
    return "class _Wrapped:\n    def _method(self):\n" + body + "\n        return None\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nested_fixture_fixes_compile_and_converge(case: Path) -> None:
    code = case.parent.name
    text = _nest(case.read_text(encoding="utf-8"))
    if not compiles(text):
        pytest.skip("not valid Python once nested (e.g. a __future__ import)")
    if f"{code}/{case.name}" not in MODULE_SCOPED:
        assert [f for f in scan_text(text, code) if f.code == code], "the nested fixture lost its findings"
    for unsafe in (False, True):
        once = fix_text(text, code, unsafe=unsafe)
        assert compiles(once), f"fix output does not compile (unsafe={unsafe})"
        assert fix_text(once, code, unsafe=unsafe) == once, f"fix is not idempotent (unsafe={unsafe})"

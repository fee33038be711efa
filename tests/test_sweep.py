"""The sweep of scripts/sweep.py on a small corpus of real code: the installed `websockets`
package and the realtime parts of the installed `openai` package (preview and GA SDK code,
so there are findings and fixes), copied to a temporary directory.

The full sweep (the whole site-packages, safe and unsafe) is `python scripts/sweep.py
[--unsafe-fixes]`; it takes minutes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

openai = pytest.importorskip("openai")
websockets = pytest.importorskip("websockets")

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("rtm_sweep_script", ROOT / "scripts" / "sweep.py")
assert _spec is not None and _spec.loader is not None
sweep = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = sweep  # dataclasses look their module up there
_spec.loader.exec_module(sweep)

OPENAI = Path(openai.__file__).parent
CORPUS = [OPENAI / "types" / "beta" / "realtime", OPENAI / "resources" / "beta" / "realtime",
          Path(websockets.__file__).parent]


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_sweep_of_real_code(tmp_path: Path, unsafe: bool) -> None:
    corpus = [p for p in CORPUS if p.is_dir()]
    before = {p: p.stat().st_mtime_ns for root in corpus for p in root.rglob("*.py")}
    report = sweep.sweep(corpus, tmp_path, unsafe=unsafe, cli=not unsafe)
    assert report.ok, report.render()
    assert report.files > 100 and report.candidates > 10, report.render()
    assert report.changed, "nothing was fixed: the sweep proves nothing\n" + report.render()
    assert not report.errors.get("bug"), report.render()
    # The originals were copied, never touched.
    assert {p: p.stat().st_mtime_ns for root in corpus for p in root.rglob("*.py")} == before

"""Jupyter notebooks through the real CLI: code cells analysed as one module, findings placed in their cell,
`fix` rewriting only the `source` of changed code cells and keeping every other byte of the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from realtime_migrate import notebook

CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Realtime demo\n", "Handles `response.audio.delta`.\n"]},
    {"cell_type": "code", "execution_count": 1, "metadata": {},
     "outputs": [{"name": "stdout", "output_type": "stream", "text": ["installed\n"]}],
     "source": ["%pip install websockets\n", "import json\n",
                'HEADERS = {"Authorization": AUTH, "OpenAI-Beta": "realtime=v1"}']},
    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
     "source": "%%bash\necho response.audio.delta"},
    {"cell_type": "code", "execution_count": 2, "metadata": {"tags": ["ws"]}, "outputs": [],
     "source": ['session = {"type": "realtime", "voice": "alloy"}\n',
                'msg = json.dumps({"type": "session.update", "session": session})\n',
                "\n",
                "def on(event):\n",
                '    if event["type"] == "response.audio.delta":  # play it\n',
                "        !echo audio\n",
                "        return event\n"]},
]
NOTEBOOK = {"cells": CELLS, "metadata": {"kernelspec": {"display_name": "Python 3", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    path = tmp_path / "nbs" / "demo.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(NOTEBOOK, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_scan_places_findings_in_cells(nb: Path) -> None:
    proc = run_cli(["scan", "-o", "concise", "nbs"], cwd=nb.parent.parent)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("nbs/demo.ipynb:cell 2:3:") and "RTM001" in ln for ln in lines), lines
    assert any(ln.startswith("nbs/demo.ipynb:cell 4:1:") and "RTM011" in ln for ln in lines), lines
    assert any(ln.startswith("nbs/demo.ipynb:cell 4:5:") and "RTM003" in ln for ln in lines), lines
    # markdown cells and cell magics are not Python: nothing is reported from cells 1 and 3
    assert not any(":cell 1:" in ln or ":cell 3:" in ln for ln in lines), lines

    doc = json.loads(run_cli(["scan", "-o", "json", "nbs"], cwd=nb.parent.parent).stdout)
    cells = {(f["code"], f["cell"], f["location"]["line"]) for f in doc["findings"]}
    assert ("RTM001", 2, 3) in cells and ("RTM003", 4, 5) in cells
    sarif = json.loads(run_cli(["scan", "-o", "sarif", "nbs"], cwd=nb.parent.parent).stdout)
    assert {r["properties"]["cell"] for r in sarif["runs"][0]["results"]} == {2, 4}


def test_fix_rewrites_only_code_cell_sources(nb: Path) -> None:
    before = nb.read_text(encoding="utf-8")
    proc = run_cli(["fix", str(nb)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = nb.read_text(encoding="utf-8")
    old, new = json.loads(before), json.loads(after)
    # everything but the two fixed sources is identical, and so is the text outside them
    for i, (a, b) in enumerate(zip(old["cells"], new["cells"], strict=True)):
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}, i
    assert old["cells"][0] == new["cells"][0] and old["cells"][2] == new["cells"][2]
    assert old["metadata"] == new["metadata"]
    changed = [ln for ln in after.splitlines() if ln not in before.splitlines()]
    assert len(changed) == 3 and all(ln.startswith('    "') for ln in changed), changed
    cell2, cell4 = "".join(new["cells"][1]["source"]), "".join(new["cells"][3]["source"])
    assert cell2 == '%pip install websockets\nimport json\nHEADERS = {"Authorization": AUTH}'
    assert '"audio": {"output": {"voice": "alloy"}}' in cell4
    assert 'event["type"] == "response.output_audio.delta":  # play it\n' in cell4
    assert "        !echo audio\n" in cell4  # magics kept byte for byte
    # fixing again changes nothing, and the code cells still compile once IPython syntax is set aside
    again = run_cli(["fix", str(nb)])
    assert again.returncode == 0 and nb.read_text(encoding="utf-8") == after
    compile(notebook.read(after).text, "demo.ipynb", "exec")


def test_fix_diff_and_stdin(nb: Path) -> None:
    before = nb.read_bytes()
    diff = run_cli(["fix", "--diff", str(nb)])
    assert diff.returncode == 1 and '-    "HEADERS = {\\"Authorization\\": AUTH, \\"OpenAI-Beta\\"' in diff.stdout
    assert nb.read_bytes() == before
    out = run_cli(["fix", "-", "--stdin-filename", "demo.ipynb"], stdin=before.decode("utf-8"))
    assert json.loads(out.stdout)["cells"][1]["source"][-1] == 'HEADERS = {"Authorization": AUTH}'


def test_bad_notebooks_are_reported_and_untouched(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [{"cell_type": "code", "source": "x = \\"realtime=v1\\""', encoding="utf-8")
    not_nb = tmp_path / "list.ipynb"
    not_nb.write_text('["realtime=v1"]', encoding="utf-8")
    clean = tmp_path / "clean.ipynb"
    clean.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["print(1)\n"]}]}), encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in (broken, not_nb, clean)}
    for command in ("scan", "fix"):
        proc = run_cli([command, str(tmp_path)])
        assert proc.returncode == 2, proc.stdout + proc.stderr
        errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error:")]
        assert len(errors) == 2 and all("not a valid notebook" in e for e in errors), errors
        assert {p: p.read_bytes() for p in snapshot} == snapshot

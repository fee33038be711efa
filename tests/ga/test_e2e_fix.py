"""The end-to-end proof: `realtime-migrate fix` turns each preview program into one a GA server accepts.

For every preview app: copy it, run ``python -m realtime_migrate fix <copy>`` as a subprocess, then run
the copy against the strict GA simulator; it must complete (exit 0 after a full response). The GA apps
must come out of ``fix`` byte-identical.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from realtime_migrate.ga.simulator import SimulatorProcess

from .support import GA_APP_PATHS, PREVIEW_APP_PATHS, Run, app_env, cli, run_program


@dataclass
class Fixed:
    source: Path
    copy: Path
    fix_returncode: int
    fix_output: str
    run: Run | None = None


def _fix(sources: list[Path], workdir: Path) -> list[Fixed]:
    workdir.mkdir(parents=True, exist_ok=True)
    copies = [workdir / s.name for s in sources]
    for source, copy in zip(sources, copies, strict=True):
        shutil.copyfile(source, copy)
    proc = cli("fix", *map(str, copies), timeout=120)
    output = (proc.stdout + proc.stderr).strip()
    return [Fixed(s, c, proc.returncode, output) for s, c in zip(sources, copies, strict=True)]


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory, sim_process: SimulatorProcess) -> dict[str, dict[str, Fixed]]:
    """Fix each preview app in its own `fix` subprocess and run it at once (a pipeline per app, four at a
    time); the GA apps go through one `fix` run together."""
    root = tmp_path_factory.mktemp("e2e")
    env = app_env(sim_process.env())

    def preview(source: Path) -> Fixed:
        result = _fix([source], root / source.stem)[0]
        result.run = run_program(result.copy, env)
        return result

    with ThreadPoolExecutor(max_workers=4) as pool:
        ga = pool.submit(_fix, GA_APP_PATHS, root / "ga")
        previews = list(pool.map(preview, PREVIEW_APP_PATHS))
    return {"preview": {f.source.name: f for f in previews}, "ga": {f.source.name: f for f in ga.result()}}


@pytest.mark.parametrize("app", PREVIEW_APP_PATHS, ids=lambda p: p.name)
def test_fixed_preview_app_completes_against_ga(fixed: dict[str, dict[str, Fixed]], app: Path) -> None:
    result = fixed["preview"][app.name]
    assert result.fix_returncode in (0, 1), f"fix crashed on {app.name}:\n{result.fix_output}"
    run = result.run
    assert run is not None
    assert run.returncode == 0, (
        f"{app.name} still fails after `realtime-migrate fix` (exit {run.returncode}).\n"
        f"--- fix output ---\n{result.fix_output}\n--- program output ---\n{run.tail()}")


@pytest.mark.parametrize("app", GA_APP_PATHS, ids=lambda p: p.name)
def test_fix_leaves_ga_apps_byte_identical(fixed: dict[str, dict[str, Fixed]], app: Path) -> None:
    result = fixed["ga"][app.name]
    assert result.fix_returncode in (0, 1), result.fix_output
    assert result.copy.read_bytes() == app.read_bytes(), f"fix changed an already-GA program:\n{result.fix_output}"

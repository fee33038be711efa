"""The fixture programs against the simulator, as separate processes: GA ones complete, preview ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realtime_migrate.ga.simulator import SimulatorProcess

from .support import GA_APP_PATHS, PREVIEW_APP_PATHS, Run, app_env, run_many


@pytest.fixture(scope="module")
def app_runs(sim_process: SimulatorProcess) -> dict[str, dict[str, Run]]:
    """Run every app once, in parallel; the tests below only read the results."""
    runs = run_many([*GA_APP_PATHS, *PREVIEW_APP_PATHS], app_env(sim_process.env()))
    return {"ga": {p.name: runs[str(p)] for p in GA_APP_PATHS},
            "preview": {p.name: runs[str(p)] for p in PREVIEW_APP_PATHS}}


def test_fixture_sets_are_complete() -> None:
    assert len(PREVIEW_APP_PATHS) >= 10
    assert len(GA_APP_PATHS) >= 3
    assert {p.name for p in GA_APP_PATHS} <= {p.name for p in PREVIEW_APP_PATHS}


@pytest.mark.parametrize("app", GA_APP_PATHS, ids=lambda p: p.name)
def test_ga_app_completes(app_runs: dict[str, dict[str, Run]], app: Path) -> None:
    run = app_runs["ga"][app.name]
    assert run.returncode == 0, f"{app.name} exited {run.returncode}:\n{run.tail()}"


@pytest.mark.parametrize("app", PREVIEW_APP_PATHS, ids=lambda p: p.name)
def test_preview_app_fails_as_written(app_runs: dict[str, dict[str, Run]], app: Path) -> None:
    run = app_runs["preview"][app.name]
    assert run.returncode not in (0, -9), f"{app.name} should fail fast against a GA server:\n{run.tail()}"


def test_simulator_saw_only_refusals_from_preview_apps(app_runs: dict[str, dict[str, Run]],
                                                       sim_process: SimulatorProcess) -> None:
    log = [json.loads(line) for line in Path(sim_process.info["log_path"]).read_text().splitlines()]
    refused = [e for e in log if e["kind"] == "refused"]
    assert len(refused) >= len(PREVIEW_APP_PATHS)
    assert {e["code"] for e in refused} == {"beta_api_shape_disabled"}

from __future__ import annotations

from collections.abc import Iterator

import pytest

from realtime_migrate.ga.simulator import Simulator, SimulatorProcess, run_in_thread, run_subprocess


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """In-process simulator (background thread) shared by the socket-level tests."""
    with run_in_thread(lifetime=300, idle_timeout=120) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def sim_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    """Simulator as a separate process, as the fixture apps would meet a real server."""
    log = tmp_path_factory.mktemp("simlog") / "simulator.jsonl"
    with run_subprocess(lifetime=300, idle_timeout=120, log_path=log) as proc:
        proc.info["log_path"] = str(log)
        yield proc

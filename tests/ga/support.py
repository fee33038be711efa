"""Shared helpers for the GA client/simulator tests: the openai-package oracle and app runners."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "fixtures" / "apps"
GA_APPS = APPS / "ga"
PREVIEW_APP_PATHS = sorted(APPS.glob("*.py"))
GA_APP_PATHS = sorted(GA_APPS.glob("*.py"))
APP_TIMEOUT_S = 20  # seconds an app may wait for the server (passed as REALTIME_TIMEOUT)
TEST_KEY = "sk-test-oracle-0123456789abcdef"


# ---------------------------------------------------------------------------------------------
# Oracle: the openai package's GA types, made strict (no unknown fields anywhere)
# ---------------------------------------------------------------------------------------------

def _adapters() -> dict[str, TypeAdapter[Any]]:
    from openai.types.realtime import (
        ClientSecretCreateResponse,
        RealtimeClientEvent,
        RealtimeClientEventParam,
        RealtimeServerEvent,
    )

    return {"server": TypeAdapter(RealtimeServerEvent), "client": TypeAdapter(RealtimeClientEvent),
            "client_param": TypeAdapter(RealtimeClientEventParam),
            "secret": TypeAdapter(ClientSecretCreateResponse)}


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def adapter(name: str) -> TypeAdapter[Any]:
    if not _ADAPTERS:
        _ADAPTERS.update(_adapters())
    return _ADAPTERS[name]


def undeclared_fields(value: Any, path: str = "") -> list[str]:
    """Fields the GA pydantic models do not declare (they accept extras, so look for them)."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{k}" for k in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += undeclared_fields(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += undeclared_fields(item, f"{path}[{i}]")
    return found


def check_server_event(event: Mapping[str, Any]) -> None:
    model = adapter("server").validate_python(event)
    assert model.type == event["type"], f"{event['type']} parsed as {model.type}"
    extra = undeclared_fields(model)
    assert not extra, f"{event['type']} carries fields the GA type does not declare: {extra}"


def check_client_event(event: Mapping[str, Any]) -> None:
    adapter("client_param").validate_python(event)
    model = adapter("client").validate_python(event)
    assert model.type == event["type"]
    extra = undeclared_fields(model)
    assert not extra, f"{event['type']} carries fields the GA type does not declare: {extra}"


def check_client_secret_response(body: Mapping[str, Any]) -> None:
    model = adapter("secret").validate_python(body)
    extra = undeclared_fields(model)
    assert not extra, f"client_secrets answer carries undeclared fields: {extra}"


# ---------------------------------------------------------------------------------------------
# Running programs against a simulator
# ---------------------------------------------------------------------------------------------

@dataclass
class Run:
    path: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def tail(self, n: int = 15) -> str:
        lines = (self.stdout + "\n" + self.stderr).strip().splitlines()
        return "\n".join(lines[-n:])


def app_env(sim_env: Mapping[str, str], api_key: str = TEST_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "REALTIME_"))}
    env.update(sim_env)
    env.update({"OPENAI_API_KEY": api_key, "AZURE_OPENAI_API_KEY": api_key,
                "REALTIME_TIMEOUT": str(APP_TIMEOUT_S), "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def run_program(path: Path, env: Mapping[str, str], args: Iterable[str] = (), timeout: float = 60) -> Run:
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(path), *args], env=dict(env), capture_output=True, text=True,
                              timeout=timeout, cwd=path.parent)
        return Run(path, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Run(path, -9, out, err + f"\n[killed after {timeout}s]", time.monotonic() - start)


def run_many(paths: Iterable[Path], env: Mapping[str, str], workers: int = 4) -> dict[str, Run]:
    """Run programs in parallel (they are mostly waiting on sockets and interpreter start-up)."""
    paths = list(paths)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {str(p): r for p, r in zip(paths, pool.map(lambda p: run_program(p, env), paths), strict=True)}


def cli(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m realtime_migrate ...`` as a subprocess."""
    return subprocess.run([sys.executable, "-m", "realtime_migrate", *args], env=dict(env or os.environ),
                          capture_output=True, text=True, timeout=timeout, cwd=cwd or REPO)

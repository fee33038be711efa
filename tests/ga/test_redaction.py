"""Keys and tokens never reach stdout, stderr or logs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from realtime_migrate.ga.client import (
    HandshakeError,
    RealtimeClientError,
    azure_endpoint,
    mint_client_secret,
    openai_endpoint,
    round_trip,
)
from realtime_migrate.ga.simulator import Simulator, run_in_thread
from realtime_migrate.redact import redact, register_secret

from .support import REPO, cli

OPENAI_KEY = "sk-proj-RedactMe0123456789abcdefXYZ"
AZURE_HEX_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ODD_KEY = "AzK3y~odd.shape!value"
ENTRA = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJl"
SECRETS = (OPENAI_KEY, AZURE_HEX_KEY, ODD_KEY, ENTRA, "RedactMe0123456789")


def assert_clean(text: str, extra: tuple[str, ...] = ()) -> None:
    for secret in (*SECRETS, *extra):
        assert secret not in text, f"secret leaked: {secret[:6]}… in:\n{text[:2000]}"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Authorization: Bearer sk-abc123def456", "Authorization: Bearer ***"),
    ("wss://x.openai.azure.com/openai/realtime?api-version=2025&api-key=topsecret&deployment=d",
     "wss://x.openai.azure.com/openai/realtime?api-version=2025&api-key=***&deployment=d"),
    ('{"api-key": "whatever-it-is"}', '{"api-key": "***"}'),
    (f"key {AZURE_HEX_KEY}.", "key ***."),
    ("secret ek_68af3b5c0d8e81909d96 issued", "secret ek_*** issued"),
    ("openai-insecure-api-key.abc.def, realtime", "openai-insecure-api-key.***, realtime"),
    (f"token={ENTRA}", "token=***"),
    ("OPENAI_API_KEY=<any non-empty value>", "OPENAI_API_KEY=<any non-empty value>"),
    ("event_id evt_client_00001 item_Ab12Cd34Ef56Gh78Ij90", "event_id evt_client_00001 item_Ab12Cd34Ef56Gh78Ij90"),
])
def test_redact_patterns(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_registered_secrets_of_any_shape_are_masked() -> None:
    register_secret(ODD_KEY)
    assert redact(f"saw {ODD_KEY} twice: {ODD_KEY}") == "saw *** twice: ***"
    assert redact("short", extra=["abc"]) == "short"


def test_client_descriptions_and_errors_hide_keys(sim: Simulator) -> None:
    endpoints = [openai_endpoint(OPENAI_KEY, base_url=sim.ws_base),
                 azure_endpoint(sim.azure_endpoint, "dep", api_key=ODD_KEY),
                 azure_endpoint(sim.azure_endpoint, "dep", entra_token=ENTRA)]
    for endpoint in endpoints:
        assert_clean(endpoint.describe())
    bad = openai_endpoint(OPENAI_KEY, base_url=sim.ws_base.replace("/v1", "/nope"))
    with pytest.raises(HandshakeError) as info:
        asyncio.run(round_trip(bad, timeout=5))
    assert_clean(str(info.value) + repr(info.value.args) + info.value.explanation)
    err = RealtimeClientError(f"failed with Authorization: Bearer {OPENAI_KEY}")
    assert_clean(str(err))


def test_simulator_logs_never_contain_credentials(tmp_path: Path) -> None:
    log_file = tmp_path / "sim.jsonl"
    printed: list[str] = []
    with run_in_thread(lifetime=60, idle_timeout=30, log_path=log_file, log_sink=printed.append) as sim:
        secret = mint_client_secret(sim.http_base, {"Authorization": f"Bearer {OPENAI_KEY}"}, {"type": "realtime"})
        ephemeral = secret["value"]
        endpoints = [
            openai_endpoint(OPENAI_KEY, base_url=sim.ws_base),
            openai_endpoint(ephemeral, base_url=sim.ws_base),
            azure_endpoint(sim.azure_endpoint, "dep", api_key=AZURE_HEX_KEY),
            azure_endpoint(sim.azure_endpoint, "dep", api_key=ODD_KEY),
            azure_endpoint(sim.azure_endpoint, "dep", entra_token=ENTRA),
        ]
        query = azure_endpoint(sim.azure_endpoint, "dep", api_key=ODD_KEY)
        query.url += f"&api-key={AZURE_HEX_KEY}"
        query.headers = {}
        sub = openai_endpoint(OPENAI_KEY, base_url=sim.ws_base)
        sub.headers = {}
        sub.subprotocols = ["realtime", f"openai-insecure-api-key.{OPENAI_KEY}"]
        beta = openai_endpoint(OPENAI_KEY, base_url=sim.ws_base)
        beta.headers["OpenAI-Beta"] = "realtime=v1"

        async def go() -> None:
            for endpoint in (*endpoints, query, sub):
                await round_trip(endpoint, timeout=10)
            with pytest.raises(RealtimeClientError):
                await round_trip(beta, timeout=10)

        asyncio.run(go())
        memory = json.dumps(sim.snapshot())
    assert "handshake" in memory and "refused" in memory
    for text in (memory, log_file.read_text(), "\n".join(printed)):
        assert_clean(text, extra=(ephemeral,))


def test_verify_output_hides_keys(sim: Simulator) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    runs = [
        cli("verify", "--timeout", "10", env={**base, "OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": sim.http_base}),
        cli("verify", "--timeout", "10", env={**base, "AZURE_OPENAI_ENDPOINT": sim.azure_endpoint,
                                              "AZURE_OPENAI_API_KEY": ODD_KEY, "AZURE_OPENAI_DEPLOYMENT": "d"}),
        cli("verify", "--timeout", "10", env={**base, "AZURE_OPENAI_ENDPOINT": sim.azure_endpoint,
                                              "AZURE_OPENAI_AD_TOKEN": ENTRA, "AZURE_OPENAI_DEPLOYMENT": "d"}),
        cli("verify", "--simulate", "--timeout", "10", env={**base, "OPENAI_API_KEY": OPENAI_KEY}),
        cli("verify", "--timeout", "5", env={**base, "OPENAI_API_KEY": OPENAI_KEY,
                                             "OPENAI_BASE_URL": sim.http_base.replace("/v1", "/missing")}),
    ]
    assert [r.returncode for r in runs] == [0, 0, 0, 0, 1], [r.stderr for r in runs]
    for r in runs:
        assert_clean(r.stdout + r.stderr)
    assert "Bearer ***" in runs[0].stdout and "api-key: ***" in runs[1].stdout


def test_simulate_verbose_output_hides_keys() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "realtime_migrate", "simulate", "--duration", "20", "-v"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout is not None
        port = None
        deadline = time.monotonic() + 15
        while port is None and time.monotonic() < deadline:
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", proc.stdout.readline())
            port = match and int(match[1])
        assert port, "simulate did not start"
        endpoint = openai_endpoint(OPENAI_KEY, base_url=f"ws://127.0.0.1:{port}/v1")
        asyncio.run(round_trip(endpoint, timeout=10))
        endpoint.headers["OpenAI-Beta"] = "realtime=v1"
        with pytest.raises(RealtimeClientError):
            asyncio.run(round_trip(endpoint, timeout=10))
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert "beta_api_shape_disabled" in out and "response.done" in out
    assert_clean(out + err)

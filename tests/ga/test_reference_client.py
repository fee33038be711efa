"""Reference client round trips, and the `verify` / `simulate` commands."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from realtime_migrate.ga import audio
from realtime_migrate.ga.cli import register
from realtime_migrate.ga.client import (
    HandshakeError,
    RealtimeClient,
    RealtimeServerError,
    RoundTrip,
    azure_endpoint,
    mint_client_secret,
    openai_endpoint,
    realtime_session,
    round_trip,
)
from realtime_migrate.ga.simulator import Simulator

from .support import REPO, TEST_KEY, cli


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_audio_round_trip_collects_audio_transcript_and_latency(sim: Simulator) -> None:
    steps: list[str] = []
    result = _run(round_trip(openai_endpoint(TEST_KEY, base_url=sim.ws_base), pcm=audio.speech_like(0.5),
                             on_step=lambda name, detail: steps.append(name)))
    assert result.status == "completed"
    assert result.chunks_sent == 5
    assert len(result.output_audio) == audio.BYTES_PER_MS * 500
    assert result.transcript == "I heard 0.50 seconds of audio."
    assert result.first_audio_ms is not None and 0 < result.first_audio_ms < 5000
    assert steps == ["connect", "session.created", "session.update accepted", "audio sent",
                     "input_audio_buffer.committed", "first audio delta", "response.done"]


def test_text_only_and_transcription_round_trips(sim: Simulator) -> None:
    text = _run(round_trip(openai_endpoint(TEST_KEY, base_url=sim.ws_base), text_only=True))
    assert text.status == "completed" and text.text and not text.output_audio and text.first_text_ms is not None
    tx = _run(round_trip(openai_endpoint(TEST_KEY, base_url=sim.ws_base, intent="transcription"),
                         transcription=True))
    assert tx.input_transcript.startswith("Simulated transcript")
    assert tx.session and tx.session["type"] == "transcription"


def test_text_in_text_out(sim: Simulator) -> None:
    async def go() -> RoundTrip:
        async with RealtimeClient(openai_endpoint(TEST_KEY, base_url=sim.ws_base), timeout=10) as client:
            await client.update_session(realtime_session(text_only=True))
            await client.add_user_text("status report")
            return await client.create_response(RoundTrip())

    result = _run(go())
    assert (result.status, result.text) == ("completed", "You said: status report")


def test_azure_key_entra_token_and_ephemeral_key(sim: Simulator, tmp_path: Path) -> None:
    wav = tmp_path / "hello.wav"
    audio.write_wav(wav, audio.tone(0.3))
    pcm = audio.read_wav(wav)
    for endpoint in (azure_endpoint(sim.azure_endpoint, "my-realtime", api_key="0123456789abcdef" * 2),
                     azure_endpoint(sim.azure_endpoint + "/openai/v1/", "my-realtime", entra_token="eyJa.eyJb.c")):
        assert "/openai/v1/realtime?model=my-realtime" in endpoint.url
        result = _run(round_trip(endpoint, pcm=pcm))
        assert result.status == "completed" and result.output_audio
        assert result.session and result.session["model"] == "my-realtime"
    secret = mint_client_secret(sim.http_base, {"Authorization": f"Bearer {TEST_KEY}"},
                                realtime_session(voice="verse"), expires_after_s=60)
    result = _run(round_trip(openai_endpoint(secret["value"], base_url=sim.ws_base)))
    assert result.status == "completed"


def test_errors_are_explained(sim: Simulator) -> None:
    beta = openai_endpoint(TEST_KEY, base_url=sim.ws_base)
    beta.headers["OpenAI-Beta"] = "realtime=v1"
    with pytest.raises(RealtimeServerError) as refused:
        _run(round_trip(beta))
    assert refused.value.code == "beta_api_shape_disabled" and refused.value.close_code == 4000
    assert "OpenAI-Beta" in refused.value.explanation and "api-version" in refused.value.explanation
    with pytest.raises(HandshakeError) as unauthorized:
        _run(round_trip(openai_endpoint("ek_forgedToken123", base_url=sim.ws_base)))
    assert unauthorized.value.status == 401 and "Bearer" in unauthorized.value.explanation
    with pytest.raises(HandshakeError) as preview_rest:
        mint_client_secret(sim.http_base.replace("/v1", "/openai/realtimeapi"), {"api-key": "x" * 32},
                           {"type": "realtime"})
    assert preview_rest.value.status == 404


def _typer_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Stand-in for the main CLI."""

    register(app)
    return app


def test_verify_via_registered_commands() -> None:
    runner = CliRunner()
    app = _typer_app()
    ok = runner.invoke(app, ["verify", "--simulate", "--text-only", "--timeout", "10"])
    assert ok.exit_code == 0, ok.output
    assert "session.update accepted" in ok.output and "first text delta" in ok.output
    azure = runner.invoke(app, ["verify", "--simulate", "--deployment", "dep1", "--transcription"])
    assert azure.exit_code == 0, azure.output
    assert "/openai/v1/realtime?intent=transcription" in azure.output


def test_verify_failures_exit_non_zero() -> None:
    """Usage errors exit 2, an unreachable endpoint exits 1 (Azure/env success paths: test_redaction)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    missing = cli("verify", env=env)
    assert missing.returncode == 2 and "OPENAI_API_KEY" in missing.stderr
    down = cli("verify", "--timeout", "5", env={**env, "OPENAI_API_KEY": TEST_KEY,
                                                "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    assert down.returncode == 1 and "FAIL" in down.stderr


def test_verify_simulate_as_a_subprocess() -> None:
    """`python -m realtime_migrate verify --simulate` — the command a user runs first."""
    proc = cli("verify", "--simulate", "--timeout", "10")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for step in ("connect", "session.update accepted", "audio sent", "first audio delta", "response.done"):
        assert any(line.startswith(step) for line in lines), (step, proc.stdout)
    assert re.search(r"audio sent\s+5 chunks", proc.stdout)
    assert re.search(r"first audio delta\s+after \d+ ms", proc.stdout)


def test_simulate_command_prints_urls_and_stops_by_itself() -> None:
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "simulate", "--duration", "0.5"],
                          capture_output=True, text=True, timeout=30, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    port = re.search(r"listening on 127\.0\.0\.1:(\d+)", out)
    assert port, out
    for line in (f"export OPENAI_BASE_URL=http://127.0.0.1:{port[1]}/v1",
                 f"export OPENAI_WEBSOCKET_BASE_URL=ws://127.0.0.1:{port[1]}/v1",
                 f"export REALTIME_URL=ws://127.0.0.1:{port[1]}/v1/realtime",
                 f"export AZURE_OPENAI_ENDPOINT=http://127.0.0.1:{port[1]}",
                 "export OPENAI_API_KEY=<any non-empty value>"):
        assert line in out
    assert "stopped (lifetime of 0.5s reached)" in out


@pytest.mark.parametrize("args", [["--tls-cert", "missing.pem"],
                                  ["--tls-cert", "missing.pem", "--tls-key", "missing.key"]],
                         ids=["cert-alone", "missing-files"])
def test_simulate_refuses_bad_tls_options_in_one_line(args: list[str], tmp_path: Path) -> None:
    """A half-given pair or a PEM file that cannot be loaded is a usage error naming the options, before any
    socket is opened (not "cannot listen on ...")."""
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "simulate", "--duration", "0.5", *args],
                          capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "--tls-cert" in errors[0] and "listen" not in errors[0], proc.stderr
    assert "listening on" not in proc.stdout

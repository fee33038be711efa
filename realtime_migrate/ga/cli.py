"""``realtime-migrate simulate`` and ``realtime-migrate verify``.

The main CLI imports this module at start-up, so nothing network-related is imported at module
level: websockets, the simulator and the client are imported inside the commands. Every line
printed goes through :func:`realtime_migrate.redact.redact`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from pathlib import Path
from typing import Any

import typer

from ..redact import redact, register_secret

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SIMULATOR_KEY = "sk-simulator-local-key"


def _say(text: str = "", *, err: bool = False) -> None:
    typer.echo(redact(text), err=err)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def simulate(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind. Only change it on purpose."),
    port: int = typer.Option(0, "--port", help="Port to listen on; 0 picks a free one."),
    duration: float | None = typer.Option(None, "--duration", help="Stop by itself after S seconds."),
    idle_timeout: float | None = typer.Option(None, "--idle-timeout", help="Stop after S seconds without traffic."),
    log_file: Path | None = typer.Option(None, "--log-file", help="Also append every event (redacted) as JSONL."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every event and violation."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="PEM certificate: serve https/wss (with "
                                         "--tls-key), for clients that force TLS such as the openai npm package."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="PEM private key of --tls-cert."),
) -> None:
    """Run the strict GA Realtime simulator until Ctrl-C (or --duration)."""
    import asyncio

    from .simulator import Simulator, serve_until_stopped

    if not _is_loopback(host):
        _say(f"warning: binding {host}: the simulator will be reachable from other machines.", err=True)

    if (tls_cert is None) != (tls_key is None):
        _say("error: --tls-cert and --tls-key go together", err=True)
        raise typer.Exit(EXIT_USAGE)

    def ready(sim: Simulator) -> None:
        o, ws, http = sim.origin, sim.scheme("ws"), sim.scheme("http")
        _say(f"GA Realtime simulator listening on {o}")
        _say(f"  WebSocket  {ws}://{o}/v1/realtime?model=gpt-realtime   (or ?intent=transcription)")
        _say(f"             {ws}://{o}/openai/v1/realtime?model=<deployment>   (Azure GA path)")
        _say(f"  HTTP       POST {http}://{o}/v1/realtime/client_secrets, POST {http}://{o}/v1/realtime/calls")
        _say("Point an app at it:")
        for name, value in sim.env().items():
            if name.endswith("API_KEY"):
                value = "<any non-empty value>"
            elif name == "AZURE_OPENAI_DEPLOYMENT":
                continue
            _say(f"  export {name}={value}")
        _say("Preview (beta) shapes are refused with beta_api_shape_disabled, as a GA server does.")
        _say("Stop with Ctrl-C" + (f"; stops by itself after {duration:g}s." if duration else "."))

    try:
        sim = Simulator(host, port, lifetime=duration, idle_timeout=idle_timeout, log_path=log_file,
                        log_sink=_say if verbose else None,
                        tls=(tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None)
    except OSError as exc:  # ssl.SSLError is one: a missing or unreadable PEM file, a key that does not match
        _say(f"error: cannot load --tls-cert/--tls-key: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        asyncio.run(serve_until_stopped(sim, ready))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        _say(f"error: cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    log = sim.snapshot()
    sessions = sum(1 for e in log if e["kind"] == "handshake")
    problems = sum(1 for e in log if e["kind"] in ("violation", "refused"))
    _say(f"stopped ({sim.stop_reason or 'interrupted'}): {sessions} WebSocket session(s), "
         f"{problems} violation(s)/refusal(s).")


def _resolve_endpoint(model: str, azure_endpoint: str | None, deployment: str | None,
                      transcription: bool) -> Any:
    from .client import azure_endpoint as make_azure
    from .client import openai_endpoint
    from .urls import to_ws

    intent = "transcription" if transcription else None
    endpoint = azure_endpoint or os.environ.get("AZURE_OPENAI_ENDPOINT")
    if endpoint and (azure_endpoint or not os.environ.get("OPENAI_API_KEY")):
        deployment = deployment or os.environ.get("AZURE_OPENAI_DEPLOYMENT")
        key = os.environ.get("AZURE_OPENAI_API_KEY")
        token = os.environ.get("AZURE_OPENAI_AD_TOKEN")
        if not deployment:
            raise ValueError("Azure needs a deployment: --deployment or AZURE_OPENAI_DEPLOYMENT")
        if not (key or token):
            raise ValueError("Azure needs AZURE_OPENAI_API_KEY or an Entra ID token in AZURE_OPENAI_AD_TOKEN")
        return make_azure(endpoint, deployment, api_key=key or None, entra_token=None if key else token,
                          intent=intent)
    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ValueError("set OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY), or use --simulate")
    base = os.environ.get("OPENAI_WEBSOCKET_BASE_URL") or os.environ.get("OPENAI_BASE_URL")
    return openai_endpoint(key, model=model, base_url=to_ws(base) if base else None, intent=intent)


def _simulator_endpoint(sim: Any, model: str, azure: str | None, deployment: str | None,
                        transcription: bool) -> Any:
    """Same URL shapes as the real services, pointed at the local simulator (Azure when asked for)."""
    from .client import azure_endpoint, openai_endpoint

    intent = "transcription" if transcription else None
    if azure:
        return azure_endpoint(sim.azure_endpoint, deployment or "gpt-realtime", api_key=SIMULATOR_KEY, intent=intent)
    return openai_endpoint(SIMULATOR_KEY, model=model, base_url=sim.ws_base, intent=intent)


def verify(
    simulate_: bool = typer.Option(False, "--simulate", help="Start a local GA simulator and verify against it."),
    model: str = typer.Option("gpt-realtime", "--model", help="OpenAI model for ?model=."),
    azure_endpoint: str | None = typer.Option(None, "--azure-endpoint",
                                              help="https://<resource>.openai.azure.com (else AZURE_OPENAI_ENDPOINT)."),
    deployment: str | None = typer.Option(None, "--deployment",
                                          help="Azure deployment (else AZURE_OPENAI_DEPLOYMENT)."),
    wav: Path | None = typer.Option(None, "--wav", help="16-bit PCM WAV to send (converted to mono 24 kHz)."),
    text_only: bool = typer.Option(False, "--text-only", help="Ask for a text answer (output_modalities [\"text\"])."),
    transcription: bool = typer.Option(False, "--transcription", help="Transcription-only session (?intent=)."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for each server step."),
) -> None:
    """Run the reference GA client end to end: connect, session.update, audio, response."""
    import asyncio

    from . import audio
    from .client import RealtimeClientError, round_trip

    try:
        pcm = audio.read_wav(wav) if wav else audio.speech_like(0.5)
    except (OSError, ValueError, EOFError) as exc:
        _say(f"error: cannot read {wav}: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None

    with contextlib.ExitStack() as stack:
        for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"):
            register_secret(os.environ.get(name))
        try:
            if simulate_:
                from .simulator import run_in_thread

                sim = stack.enter_context(run_in_thread(lifetime=timeout * 4 + 30, idle_timeout=timeout + 10))
                _say(f"{'simulator':<30}started on {sim.origin}")
                endpoint = _simulator_endpoint(sim, model, azure_endpoint or deployment, deployment, transcription)
            else:
                endpoint = _resolve_endpoint(model, azure_endpoint, deployment, transcription)
        except ValueError as exc:
            _say(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None

        def step(name: str, detail: str) -> None:
            _say(f"{name:<30}{detail}")

        try:
            result = asyncio.run(round_trip(endpoint, pcm=pcm, text_only=text_only, transcription=transcription,
                                            timeout=timeout, on_step=step))
        except RealtimeClientError as exc:
            _say(f"FAIL: {exc}", err=True)
            if exc.explanation:
                _say(exc.explanation, err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except (OSError, asyncio.TimeoutError) as exc:
            _say(f"FAIL: {exc!r}", err=True)
            raise typer.Exit(EXIT_FAILED) from None

    if transcription:
        complete = bool(result.input_transcript)
    elif text_only:
        complete = result.status == "completed" and bool(result.text)
    else:
        complete = result.status == "completed" and bool(result.output_audio)
    if not complete:
        _say(f"FAIL: incomplete response (status={result.status}, audio bytes={len(result.output_audio)}, "
             f"text={result.text!r})", err=True)
        raise typer.Exit(EXIT_FAILED)
    _say("OK: the endpoint speaks the GA protocol.")


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``verify`` to the main CLI."""
    app.command("simulate")(simulate)
    app.command("verify")(verify)

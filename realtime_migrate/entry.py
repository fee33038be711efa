"""Console-script entry point, kept separate from the typer app so that a fast path can
answer a clean pre-commit run before typer is imported."""

from __future__ import annotations


def main() -> None:
    from realtime_migrate.cli import app

    app()

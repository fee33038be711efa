"""Output formats. Every format renders the same RunResult, tool errors included."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime_migrate.report.summary import Summary

FORMATS = ("text", "concise", "json", "sarif", "github", "junit")

Renderer = Callable[["Summary"], str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMATS)}")
    return importlib.import_module(f"realtime_migrate.report.{name}_format").render


def display_path(path: str) -> str:
    """`./a.py` → `a.py`, and absolute paths under the working directory made relative, `/`-separated:
    CI systems attach annotations and test names to workspace-relative paths."""
    from realtime_migrate.discovery import relative

    return relative(path).replace(os.sep, "/")

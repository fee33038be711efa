"""Output formats. Every format renders the same RunResult, tool errors included."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime_migrate.report.summary import Summary

FORMATS = ("text", "json")

Renderer = Callable[["Summary"], str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMATS)}")
    return importlib.import_module(f"realtime_migrate.report.{name}_format").render

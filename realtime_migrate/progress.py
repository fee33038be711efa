"""A progress bar on stderr for long runs at a terminal, and nothing anywhere else.

CI logs and pipes must stay clean (a bar there is pages of escape codes), so the bar
appears only when stderr is a terminal, `CI` is unset, and the run has enough files to
be worth it. rich.progress is imported only then: it costs ~50 ms a short run should
not pay.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

MIN_FILES = 200  # below this a run is over before a bar is readable

Callback = Callable[[int, int], None]


def wanted() -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Bar:
    """Called as `bar(done, total)` after each file; starts drawing on the first call of a big run."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if total < MIN_FILES:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("realtime-migrate"), BarColumn(), MofNCompleteColumn(),
                                      TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("files", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def bar(enabled: bool = True) -> Iterator[Callback | None]:
    """Yields a callback for Runner.run(progress=...), or None when no bar should be drawn."""
    if not enabled or not wanted():
        yield None
        return
    b = _Bar()
    try:
        yield b
    finally:
        b.close()

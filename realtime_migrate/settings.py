"""Run settings, after command-line flags and configuration have been merged."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from realtime_migrate.source import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unsafe_fixes: bool = False
    max_file_bytes: int = DEFAULT_MAX_BYTES

    def ignored_for(self, path: str) -> tuple[str, ...]:
        norm = path.replace("\\", "/")
        # Globs from a config file are anchored at its directory (config.anchored_per_file_ignores).
        absolute = os.path.abspath(path).replace("\\", "/")
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if (fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(norm, f"*/{pattern}")
                    or fnmatch.fnmatch(absolute, pattern)):
                out.extend(codes)
        return tuple(out)

"""Generic matchers named by the rule files (`Rule.matcher`).

A matcher module exports `Matcher`, a libcst batchable visitor. It is imported only when
a file passes the prefilter, so nothing here may be imported from the CLI's cold path.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime_migrate.matchers.base import Matcher


def load(name: str) -> type[Matcher]:
    """`name` is a module of this package (`string_rename`), or `package.module:Class` for a matcher
    that lives elsewhere (the test suite's deliberately broken rules, a plugin)."""
    if ":" in name:
        module_name, _, attr = name.partition(":")
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]
    module = importlib.import_module(f"realtime_migrate.matchers.{name}")
    return module.Matcher

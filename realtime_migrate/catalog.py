"""Loads the rule catalog.

The catalog lives in the top-level `rules/` folder of a checkout and ships inside the
wheel as `realtime_migrate/rules/`. Files are loaded by path so that both layouts work
and no top-level package named `rules` is ever importable.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from realtime_migrate.rule import Rule


def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "__init__.py").is_file():
            return candidate
    raise RuntimeError(f"rule catalog not found next to {here}")


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    found: dict[str, Rule] = {}
    for path in sorted(rules_dir().glob("RTM*.py")):
        module_name = f"realtime_migrate.rules.{path.stem}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise RuntimeError(f"{path} must define RULE = Rule(...)")
        if rule.code in found:
            raise RuntimeError(f"duplicate rule code {rule.code} in {path}")
        if not path.stem.startswith(rule.code):
            raise RuntimeError(f"{path.name} must start with its code {rule.code}")
        found[rule.code] = rule
    return tuple(found[c] for c in sorted(found))


def by_code(code: str) -> Rule | None:
    wanted = code.upper()
    for rule in all_rules():
        if rule.code == wanted or rule.name == code.lower():
            return rule
    return None


def matches_selector(rule: Rule, selectors: Iterable[str]) -> bool:
    """A selector is a code, a code prefix (`RTM0`), a rule name, or `ALL`."""
    for sel in selectors:
        s = sel.strip()
        if s.upper() == "ALL" or rule.code.startswith(s.upper()) or rule.name == s.lower():
            return True
    return False


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    rules = all_rules()
    return [s for s in selectors if not any(matches_selector(r, [s]) for r in rules)]


def select(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> tuple[Rule, ...]:
    sel = list(select) if select else ["ALL"]
    ign = list(ignore or [])
    return tuple(r for r in all_rules() if matches_selector(r, sel) and not matches_selector(r, ign))

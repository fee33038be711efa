"""`[tool.realtime-migrate]` in pyproject.toml: find it, validate it, merge it with the flags.

Discovery walks up from the scanned paths and takes the first pyproject.toml that has
the table, stopping at the repository root (a directory holding `.git`), so a
monorepo's sub-project can carry its own settings. `--config FILE` skips the walk.
Validation is strict: a typo in a key or a code silently doing nothing is how a
migration misses findings, so an unknown key or a bad value is an error naming it.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLE = "realtime-migrate"
KEYS = ("select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "unsafe-fixes")


class ConfigError(Exception):
    """A config problem; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unsafe_fixes: bool | None = None

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _read(path: Path) -> dict[str, Any]:
    toml = _toml()
    try:
        with open(path, "rb") as fh:
            return toml.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _table(doc: dict[str, Any]) -> Any:
    return doc.get("tool", {}).get(TABLE) if isinstance(doc.get("tool"), dict) else None


def find(start_paths: Iterable[str]) -> Path | None:
    """The first pyproject.toml with our table, walking up from the scanned paths' common directory."""
    dirs = []
    for p in start_paths:
        a = os.path.abspath(p)
        dirs.append(a if os.path.isdir(a) else os.path.dirname(a))
    try:
        current = Path(os.path.commonpath(dirs)) if dirs else Path.cwd()
    except ValueError:  # paths on different drives
        current = Path.cwd()
    while True:
        candidate = current / "pyproject.toml"
        if candidate.is_file() and _table(_read(candidate)) is not None:
            return candidate
        if (current / ".git").exists() or current.parent == current:
            return None
        current = current.parent


def load(path: Path) -> Config:
    """Read the table from `path`: pyproject.toml needs `[tool.realtime-migrate]`; another TOML file is the table."""
    doc = _read(path)
    table = _table(doc)
    if table is None:
        if path.name == "pyproject.toml":
            raise ConfigError(f"{path} has no [tool.{TABLE}] table")
        table = doc
    where = f"[tool.{TABLE}] in {path}" if path.name == "pyproject.toml" else str(path)
    return parse(table, path, where)


def parse(table: Mapping[str, Any], path: Path | None, where: str) -> Config:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table")
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else f" (valid keys: {', '.join(KEYS)})"
            raise ConfigError(f"{where}: unknown key `{key}`{hint}")

    def strings(key: str) -> tuple[str, ...]:
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: `{key}` must be a list of strings, got {_show(value)}")
        return tuple(value)

    def selectors(key: str, value: Sequence[str]) -> tuple[str, ...]:
        from realtime_migrate import catalog

        bad = catalog.unknown_selectors(value)
        if bad:
            raise ConfigError(f"{where}: `{key}` has unknown rule selector(s) {', '.join(map(repr, bad))} "
                              "(see `realtime-migrate rules`)")
        return tuple(value)

    cfg: dict[str, Any] = {}
    if "select" in table:
        cfg["select"] = selectors("select", strings("select"))
    if "ignore" in table:
        cfg["ignore"] = selectors("ignore", strings("ignore"))
    if "exclude" in table:
        cfg["exclude"] = strings("exclude")
    if "extend-exclude" in table:
        cfg["extend_exclude"] = strings("extend-exclude")
    if "unsafe-fixes" in table:
        if not isinstance(table["unsafe-fixes"], bool):
            raise ConfigError(f"{where}: `unsafe-fixes` must be true or false, got {_show(table['unsafe-fixes'])}")
        cfg["unsafe_fixes"] = table["unsafe-fixes"]
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, Mapping):
            raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes], got {_show(pfi)}")
        out: dict[str, tuple[str, ...]] = {}
        for glob, codes in pfi.items():
            key = f"per-file-ignores.{glob!r}"
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise ConfigError(f"{where}: `{key}` must be a list of rule codes, got {_show(codes)}")
            out[glob] = selectors(key, codes)
        cfg["per_file_ignores"] = out
    return Config(path=path, **cfg)


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}"


def resolve(paths: Sequence[str], explicit: str | None) -> Config:
    """The config for a run: `--config FILE`, else the nearest pyproject.toml with our table, else defaults."""
    if explicit is not None:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"config file {explicit} not found")
        return load(p)
    found = find(paths)
    return load(found) if found is not None else Config()


def anchored_per_file_ignores(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Globs with a `/` are relative to the config file's directory: anchor them so any cwd works.

    A glob without one (`conftest.py`, `*_test.py`) matches that file name in any directory, as in ruff.
    """
    root = Path(os.path.abspath(cfg.root)).as_posix().rstrip("/")
    out: dict[str, tuple[str, ...]] = {}
    for glob, codes in cfg.per_file_ignores.items():
        g = glob.replace("\\", "/")
        if "/" not in g or g.startswith("/") or (len(g) > 1 and g[1] == ":"):
            key = g
        else:
            key = f"{root}/{g.removeprefix('./')}"
        out[key] = out.get(key, ()) + codes
    return out


def drop_excluded(paths: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """`--force-exclude`: named files under an excluded directory (or matching an exclude) are dropped.

    Only the part of a path below the working directory is tested, so a checkout that
    happens to live under `build/` or `env/` is not excluded wholesale.
    """
    from realtime_migrate.discovery import DEFAULT_EXCLUDES, _excluded

    pats = tuple(patterns) + DEFAULT_EXCLUDES
    kept = []
    for raw in paths:
        rel = os.path.relpath(os.path.abspath(raw))
        parts = Path(rel).parts if not rel.startswith("..") else Path(raw).parts[-1:]
        if not any(_excluded("/".join(parts[:i + 1]), parts[i], pats) for i in range(len(parts))):
            kept.append(raw)
    return kept

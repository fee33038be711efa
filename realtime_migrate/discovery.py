"""Turns command-line paths into the list of Python files to look at.

Never follows directory symlinks (a symlink loop must not hang the run), and reports a
path that does not exist instead of silently ignoring it.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from realtime_migrate.model import FileError

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env", "env", ".tox", ".nox", "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".realtime_migrate_cache",
    "build", "dist", "site-packages", ".eggs", "*.egg-info", "__pypackages__", ".hypothesis",
)

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Discovered:
    files: list[str]
    errors: list[FileError]


def _excluded(path: str, name: str, patterns: Iterable[str]) -> bool:
    norm = path.replace(os.sep, "/")
    for pat in patterns:
        if fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, f"*/{pat}"):
            return True
        if pat.endswith("/**") and (norm + "/").find("/" + pat[:-3].strip("/") + "/") >= 0:
            return True
    return False


def _is_venv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _walk(root: str, excludes: tuple[str, ...]) -> Iterator[str]:
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            path = entry.path
            if _excluded(path, entry.name, excludes):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _is_venv(path):
                        subdirs.append(path)
                elif entry.name.endswith(PYTHON_SUFFIXES):
                    yield path
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def discover(paths: Iterable[str], exclude: Iterable[str] = (), *, use_default_excludes: bool = True) -> Discovered:
    excludes = tuple(exclude) + (DEFAULT_EXCLUDES if use_default_excludes else ())
    files: list[str] = []
    errors: list[FileError] = []
    seen: set[str] = set()
    for raw in paths:
        path = os.path.normpath(raw)
        if os.path.islink(path) and not os.path.exists(path):
            errors.append(FileError(raw, "broken symbolic link (or a symlink loop)"))
            continue
        if not os.path.exists(path):
            errors.append(FileError(raw, "no such file or directory"))
            continue
        if os.path.isdir(path):
            candidates: Iterable[str] = _walk(path, excludes)
        else:
            # Files named explicitly are always checked, whatever their suffix (pre-commit passes them).
            candidates = [path]
        for file in candidates:
            key = os.path.realpath(file) if os.path.exists(file) else file
            if key not in seen:
                seen.add(key)
                files.append(file)
    return Discovered(files, errors)


def relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


__all__ = ["Discovered", "discover", "relative", "DEFAULT_EXCLUDES", "Path"]

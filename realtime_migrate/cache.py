"""Per-file results kept between runs, so a re-run over an unchanged tree parses nothing.

What a result depends on, and so what keys it:
- the code: tool version, Python version, and the size and mtime of every module of the
  package, every rule file and libcst's own package file (an edited matcher or an upgrade
  is a new cache, not a stale one);
- the settings that change findings: the selected rules and `max_file_bytes` (one index
  file per combination), and per file the codes `per-file-ignores` drop for it;
- the file's bytes: a BLAKE2 hash. A file whose size, mtime and inode are unchanged is
  taken as unchanged without reading it (as ruff and git do), except when its mtime was
  within two seconds of the run that cached it, since a second write in the same clock
  tick would not show ("racily clean", in git's words); such a file is re-hashed.

Stored: for each file, "no findings" or its findings (JSON, not pickle: a cache directory
a stranger can write must not run code). Errors are never cached. The path inside a
finding is not stored: it is the path as given on each command line.

The cache is an optimisation only; any doubt (unreadable, corrupt, another version) is a
miss. Writes go to a temporary file and `os.replace`, so concurrent runs never see half a
file; the last writer wins and the loser's new entries are recomputed next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from realtime_migrate import __version__
from realtime_migrate.model import Applicability, Edit, Finding, Fix, Severity

DIR_NAME = ".realtime_migrate_cache"
ENV_DIR = "REALTIME_MIGRATE_CACHE_DIR"
FORMAT = 1
RACY_NS = 2_000_000_000


def default_dir(cwd: str | None = None) -> str:
    """`$REALTIME_MIGRATE_CACHE_DIR`, else `.realtime_migrate_cache/` in the project root: the nearest
    directory upwards from the working directory holding pyproject.toml or .git (else the working
    directory), like ruff's `.ruff_cache`."""
    env = os.environ.get(ENV_DIR)
    if env:
        return os.path.abspath(env)
    start = os.path.abspath(cwd or os.getcwd())
    current = start
    while True:
        if os.path.isfile(os.path.join(current, "pyproject.toml")) or os.path.exists(os.path.join(current, ".git")):
            return os.path.join(current, DIR_NAME)
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.join(start, DIR_NAME)
        current = parent


def _tree_stats(root: str) -> list[tuple[str, int, int]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                out.append((os.path.relpath(os.path.join(dirpath, name), root), st.st_size, st.st_mtime_ns))
    return out


def code_fingerprint() -> str:
    """Changes whenever the code that computes findings may have changed (stat only: ~1 ms)."""
    from importlib.util import find_spec

    from realtime_migrate import catalog

    here = os.path.dirname(os.path.abspath(__file__))
    parts: list[Any] = [__version__, sys.version, _tree_stats(here), _tree_stats(str(catalog.rules_dir()))]
    try:
        spec = find_spec("libcst")
        origin = spec.origin if spec is not None else None
        if origin:
            st = os.stat(origin)
            parts.append((origin, st.st_size, st.st_mtime_ns))
            version = os.path.join(os.path.dirname(origin), "_version.py")
            if os.path.exists(version):
                with open(version, "rb") as fh:
                    parts.append(fh.read().decode("utf-8", "replace"))
    except (ImportError, OSError, ValueError):
        parts.append("libcst?")
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=16).hexdigest()


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# -- (de)serialising findings ------------------------------------------------------------------
def _edit(e: Edit) -> list[Any]:
    return [e.start, e.end, e.content, e.start_line, e.start_col, e.end_line, e.end_col]


def dump_finding(f: Finding) -> list[Any]:
    fix = None if f.fix is None else [[_edit(e) for e in f.fix.edits], f.fix.applicability.value, f.fix.title]
    return [f.code, f.name, f.message, f.line, f.col, f.end_line, f.end_col, f.severity.value, fix, f.ga_form,
            f.source_line, f.cell]


def load_finding(row: Sequence[Any], path: str) -> Finding:
    # rows written before notebooks had no cell
    code, name, message, line, col, end_line, end_col, severity, fix, ga_form, source_line, cell = \
        [*row, None][:12] if len(row) == 11 else row
    f = None
    if fix is not None:
        edits, applicability, title = fix
        f = Fix(tuple(Edit(*e) for e in edits), Applicability(applicability), title)
    return Finding(code=code, name=name, message=message, path=path, line=line, col=col, end_line=end_line,
                   end_col=end_col, severity=Severity(severity), fix=f, ga_form=ga_form, source_line=source_line,
                   cell=cell)


@dataclass
class Entry:
    """One file's cached result: `findings` None means the prefilter ruled the file out."""

    digest: str
    stat: tuple[int, int, int] | None  # size, mtime_ns, inode; None: re-hash before trusting
    ignored: tuple[str, ...]
    findings: list[list[Any]] | None

    def to_json(self) -> list[Any]:
        return [self.digest, list(self.stat) if self.stat else None, list(self.ignored), self.findings]

    @classmethod
    def from_json(cls, row: Sequence[Any]) -> Entry:
        d, st, ignored, findings = row
        return cls(d, tuple(st) if st else None, tuple(ignored), findings)  # type: ignore[arg-type]


def stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ino


class Cache:
    """The entries of one (code, settings) combination: one JSON file, loaded once, saved once."""

    def __init__(self, directory: str, key: str) -> None:
        self.directory = directory
        self.path = os.path.join(directory, f"v{FORMAT}", f"{key}.json")
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        self.hits = 0
        self.started_ns = time.time_ns()
        try:
            with open(self.path, "rb") as fh:
                raw = json.loads(fh.read())
            if isinstance(raw, dict) and raw.get("format") == FORMAT:
                self.entries = {p: Entry.from_json(row) for p, row in raw["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    @classmethod
    def open(cls, directory: str, rule_codes: Iterable[str], max_file_bytes: int) -> Cache:
        settings = json.dumps([sorted(rule_codes), max_file_bytes])
        key = hashlib.blake2b(f"{code_fingerprint()}|{settings}".encode(), digest_size=12).hexdigest()
        return cls(directory, key)

    # -- lookups ----------------------------------------------------------------------------
    def by_stat(self, abspath: str, st: os.stat_result, ignored: tuple[str, ...]) -> Entry | None:
        entry = self.entries.get(abspath)
        if entry is None or entry.stat is None or entry.stat != stat_key(st) or entry.ignored != ignored:
            return None
        return entry

    def by_digest(self, abspath: str, file_digest: str, ignored: tuple[str, ...]) -> Entry | None:
        entry = self.entries.get(abspath)
        if entry is None or entry.digest != file_digest or entry.ignored != ignored:
            return None
        return entry

    def put(self, abspath: str, st: os.stat_result | None, file_digest: str, ignored: tuple[str, ...],
            findings: Sequence[Finding] | None) -> None:
        racy = st is None or st.st_mtime_ns + RACY_NS > self.started_ns
        self.entries[abspath] = Entry(file_digest, None if racy else stat_key(st),  # type: ignore[arg-type]
                                      ignored, None if findings is None else [dump_finding(f) for f in findings])
        self.dirty = True

    def refresh_stat(self, abspath: str, st: os.stat_result) -> None:
        entry = self.entries.get(abspath)
        if entry is not None and st.st_mtime_ns + RACY_NS <= self.started_ns and entry.stat != stat_key(st):
            entry.stat = stat_key(st)
            self.dirty = True

    # -- saving -----------------------------------------------------------------------------
    def save(self) -> None:
        """Write atomically; a failure (read-only tree, full disk) only costs the next run time."""
        if not self.dirty:
            return
        import tempfile  # ~10 ms: only runs that have something to write pay for it

        try:
            ensure_dir(self.directory)
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            payload = json.dumps({"format": FORMAT, "files": {p: e.to_json() for p, e in self.entries.items()}},
                                 separators=(",", ":")).encode()
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            self.dirty = False
        except OSError:
            pass


def ensure_dir(directory: str) -> None:
    """Create the cache folder with a `.gitignore` holding `*` (like ruff), so it is never committed."""
    import tempfile

    os.makedirs(directory, exist_ok=True)
    for name, text in ((".gitignore", "# Automatically created by realtime-migrate.\n*\n"),
                       ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                        "# This file is a cache directory tag created by realtime-migrate.\n")):
        target = os.path.join(directory, name)
        if os.path.exists(target):
            continue
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)

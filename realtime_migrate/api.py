"""The pure API under the CLI: paths in, results out; no printing, no exit codes.

Each file goes discover → prefilter → decode → parse → rules → findings, and in fix
mode → edits → parse check → atomic write. A file that fails at any step becomes a
FileError in its result; the other files carry on.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from realtime_migrate import catalog
from realtime_migrate.discovery import discover, relative
from realtime_migrate.model import FileError, FileResult, Finding
from realtime_migrate.prefilter import Prefilter
from realtime_migrate.rule import Rule
from realtime_migrate.settings import Settings
from realtime_migrate.source import SourceError, SourceFile, decode, read_bytes, screen, write_atomic

if TYPE_CHECKING:
    from realtime_migrate.notebook import Notebook
    from realtime_migrate.parallel import Stats


def in_cell(f: Finding, nb: Notebook) -> Finding:
    """A finding on the notebook's module, placed in its cell (fix edits too, for the formats that print them)."""
    cell, line = nb.locate(f.line)
    end_cell, end_line = nb.locate(f.end_line)
    if end_cell != cell:
        end_line = line
    fix = f.fix
    if fix is not None:
        edits = []
        for e in fix.edits:
            _, s = nb.locate(e.start_line)
            _, t = nb.locate(e.end_line)
            edits.append(dataclasses.replace(e, start_line=s, end_line=t))
        fix = dataclasses.replace(fix, edits=tuple(edits))
    return dataclasses.replace(f, line=line, end_line=end_line, cell=cell, fix=fix)


def _in_cells(findings: list[Finding], src: SourceFile | None) -> list[Finding]:
    """Findings as reported: in their cells for a notebook, as they are otherwise."""
    if src is None or src.notebook is None:
        return findings
    return [in_cell(f, src.notebook) for f in findings]


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    checked: int = 0
    parsed: int = 0
    stats: Stats | None = None  # files/s, prefilter hit ratio, cache hits: `--statistics`

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def all_errors(self) -> list[FileError]:
        return self.errors + [r.error for r in self.files if r.error is not None]


class Runner:
    def __init__(self, settings: Settings, rules: Sequence[Rule] | None = None, *,
                 cache: bool | str | None = None) -> None:
        """`cache`: True for the project's `.realtime_migrate_cache/`, a directory, or None (no cache)."""
        self.settings = settings
        self.rules = tuple(rules) if rules is not None else catalog.select(settings.select, settings.ignore)
        self.prefilter = Prefilter(self.rules)
        self.cache = cache  # the directory is looked up only when a run opens the cache

    def rules_for(self, path: str, data: bytes) -> tuple[Rule, ...]:
        rules = self.prefilter.rules_for(data)
        if not rules or not self.settings.per_file_ignores:
            return rules  # most files: no relpath, no glob matching
        ignored = self.settings.ignored_for(relative(path))
        if ignored:
            rules = tuple(r for r in rules if not catalog.matches_selector(r, ignored))
        return rules

    @staticmethod
    def refused(path: str, data: bytes) -> FileResult | None:
        """The error for bytes that cannot be Python text (`source.screen`), checked on every file read."""
        try:
            screen(data)
        except SourceError as exc:
            return FileResult(path=path, error=FileError(path, str(exc), "decode"))
        return None

    def process_text(self, path: str, src: SourceFile | None, text: str, rules: Sequence[Rule],
                     mode: str) -> FileResult:
        """Analyse (mode 'scan') or fix ('fix', 'diff') already-decoded text."""
        from realtime_migrate import engine

        result = FileResult(path=path, old_text=text)
        try:
            if mode == "scan":
                result.findings = _in_cells(engine.analyse(path, text, rules), src)
                if src is not None and src.notebook is not None:
                    result.old_text = src.notebook.raw
                return result
            outcome = engine.fix_text(path, text, rules, unsafe=self.settings.unsafe_fixes)
        except engine.ParseFailure as exc:
            result.error = FileError(path, str(exc), "parse")
            return result
        except engine.FixFailure as exc:
            result.error = FileError(path, str(exc), "bug")
            return result
        except Exception as exc:  # noqa: BLE001 - a bug in a matcher must not end the run
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())  # one line, whatever the exception says
            result.error = FileError(path, f"internal error ({detail}); file left untouched, please report it",
                                     "bug")
            return result
        result.findings = outcome.remaining
        result.fixed = outcome.fixed
        result.new_text = outcome.text
        result.changed = outcome.text != text
        result.findings, result.fixed = _in_cells(result.findings, src), _in_cells(result.fixed, src)
        if src is not None and src.notebook is not None:  # the diff shows the notebook JSON that is written
            result.old_text, result.new_text = src.notebook.raw, src.notebook.write(outcome.text)
        if result.changed and mode == "fix" and src is not None:
            try:
                write_atomic(src, outcome.text)
            except SourceError as exc:
                result.error = FileError(path, str(exc), "write")
                result.changed = False
                result.findings = _in_cells(engine.analyse(path, text, rules), src)
                result.fixed = []
        return result

    def process_file(self, path: str, mode: str) -> FileResult | None:
        """None when the prefilter rules the file out (the common, fast case)."""
        try:
            data, st = read_bytes(path)
        except SourceError as exc:
            return FileResult(path=path, error=FileError(path, str(exc), "read"))
        refused = self.refused(path, data)
        if refused is not None:
            return refused
        rules = self.rules_for(path, data)
        if not rules:
            return None
        return self.finish(path, data, st, rules, mode)

    def finish(self, path: str, data: bytes, st: os.stat_result, rules: Sequence[Rule], mode: str) -> FileResult:
        """A file the prefilter kept: size limit, decode, analyse or fix (what pool workers run)."""
        if len(data) > self.settings.max_file_bytes:
            mb = len(data) / 1_048_576
            limit = self.settings.max_file_bytes / 1_048_576
            return FileResult(path=path, error=FileError(
                path, f"file too large to parse ({mb:.1f} MB > {limit:.0f} MB limit; raise it with --max-file-size)",
                "read"))
        try:
            src = decode(path, data, st)
        except SourceError as exc:
            return FileResult(path=path, error=FileError(path, str(exc), "decode"))
        return self.process_text(path, src, src.text, rules, mode)

    def run(self, paths: Iterable[str], mode: str = "scan",
            progress: Callable[[int, int], None] | None = None) -> RunResult:
        """`progress(done, total)` is called after each file (the CLI's bar on a terminal)."""
        from realtime_migrate import parallel

        found = discover(paths, self.settings.exclude)
        out = RunResult(errors=list(found.errors), checked=len(found.files))
        open_cache = None
        if self.cache:

            def open_cache():  # type: ignore[no-untyped-def]
                from realtime_migrate.cache import Cache, default_dir

                directory = self.cache if isinstance(self.cache, str) else default_dir()
                return Cache.open(directory, [r.code for r in self.rules], self.settings.max_file_bytes)

        # Cache, prefilter, then parsing in-process or on a pool: see parallel.py. Same results as
        # process_file() on each file in turn.
        results, out.stats = parallel.process(self, found.files, mode, open_cache, progress)
        for result in results:
            if result is not None:
                out.parsed += 1
                out.files.append(result)
        return out

    def process_stdin(self, path: str, data: bytes, mode: str) -> tuple[FileResult, bytes]:
        """`scan -` / `fix -`: the result, and the bytes `fix -` prints (the input when nothing changed).

        `path` is `--stdin-filename`: it picks per-file-ignores and names the file in messages.
        Nothing is ever written to disk.
        """
        refused = self.refused(path, data)
        if refused is not None:
            return refused, data
        rules = self.rules_for(path, data)
        if not rules:
            return FileResult(path=path), data
        if len(data) > self.settings.max_file_bytes:
            return FileResult(path=path, error=FileError(path, "input too large to parse (raise --max-file-size)",
                                                         "read")), data
        try:
            src = decode(path, data, os.stat_result((0o100644, 0, 0, 1, 0, 0, len(data), 0, 0, 0)))
        except SourceError as exc:
            return FileResult(path=path, error=FileError(path, str(exc), "decode")), data
        # `src` is passed for notebooks' cells; "diff" mode never writes
        result = self.process_text(path, src, src.text, rules, "diff" if mode == "fix" else mode)
        if not result.changed or result.new_text is None:
            return result, data
        if src.notebook is not None:
            return result, (codecs.BOM_UTF8 if src.bom else b"") + result.new_text.encode("utf-8")
        try:
            return result, src.encode(result.new_text)
        except SourceError as exc:
            result.error = FileError(path, str(exc), "write")
            result.changed = False
            return result, data

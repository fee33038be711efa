"""The per-file loop of `Runner.run`: cache, prefilter, then parsing in-process or on a process pool.

Stage 1 runs in this process for every file: stat (a cache hit ends there), read, hash, the
prefilter. It is cheap. Stage 2, decode + libcst + matchers (+ fixes), runs only for the
candidates, and costs ~1000x more per byte, so it goes to a pool when there is enough of it.

Pool policy, and why:
- no pool under pre-commit (`PRE_COMMIT` set): pre-commit already runs one hook process
  per core on slices of the file list, and nested pools made Fixit ~5x slower;
- no pool for a handful of small candidates: each worker pays `import libcst` (~0.3 s);
- on a big tree with a cold cache the pool is started *before* stage 1, so that the
  workers import libcst while this process reads and prefilters; if nothing turns out to
  need parsing the workers are killed.
Results are identical with and without the pool (tests/test_speed_equivalence.py): the
workers run the same `Runner.finish`, results are put back in discovery order.

`REALTIME_MIGRATE_JOBS=N` caps the number of processes (1: never a pool).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from realtime_migrate.discovery import python_file, relative
from realtime_migrate.model import FileError, FileResult
from realtime_migrate.source import SourceError, read_bytes

if TYPE_CHECKING:
    from realtime_migrate.api import Runner
    from realtime_migrate.cache import Cache

POOL_MIN_FILES = 2
POOL_MIN_BYTES = 48_000  # ~0.2 s of libcst work: below it the workers' own imports cost more than they save
SPECULATE_MIN_FILES = 400


def max_jobs() -> int:
    if os.environ.get("PRE_COMMIT"):
        return 1
    env = os.environ.get("REALTIME_MIGRATE_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Stats:
    """What `--statistics` prints (plain classes here: each dataclass costs ~1 ms of start-up)."""

    def __init__(self, files: int = 0) -> None:
        self.files = files
        self.candidates = 0
        self.cache_hits = 0
        self.bytes_read = 0
        self.jobs = 1
        self.seconds = 0.0

    def __repr__(self) -> str:
        return f"Stats({self.line()})"

    def line(self) -> str:
        rate = self.files / self.seconds if self.seconds > 0 else 0.0
        ratio = 100.0 * self.candidates / self.files if self.files else 0.0
        return (f"{self.files} files in {self.seconds:.3f} s ({rate:,.0f} files/s); prefilter: {self.candidates} "
                f"candidate{'s' * (self.candidates != 1)} ({ratio:.1f}% hit ratio); cache hits: {self.cache_hits}; "
                f"processes: {self.jobs}")


class _Work:
    __slots__ = ("index", "path", "data", "st", "codes", "abspath", "digest", "ignored")

    def __init__(self, index: int, path: str, data: bytes, st: os.stat_result, codes: tuple[str, ...],
                 abspath: str, digest: str | None, ignored: tuple[str, ...]) -> None:
        self.index, self.path, self.data, self.st, self.codes = index, path, data, st, codes
        self.abspath, self.digest, self.ignored = abspath, digest, ignored


# -- worker side ------------------------------------------------------------------------------
_WORKER: Runner | None = None


def _init_worker(settings: Any, codes: tuple[str, ...], python: bool = True) -> None:
    """Build the runner and import what parsing will need (libcst and the matchers for Python files, the
    tree-sitter matchers for the others) now, while the parent is still in stage 1."""
    global _WORKER
    from realtime_migrate import catalog, engine
    from realtime_migrate.api import Runner

    by_code = {r.code: r for r in catalog.all_rules()}
    _WORKER = Runner(settings, rules=[by_code[c] for c in codes])
    if python:
        from realtime_migrate import matchers  # the matcher modules import libcst

        for rule in _WORKER.rules:
            matchers.load(rule.matcher)
    else:
        from realtime_migrate import javascript  # noqa: F401
    del engine


def _ready() -> bool:
    return True


def _finish_remote(item: tuple[int, str, bytes, os.stat_result, tuple[str, ...], str]) -> tuple[int, FileResult]:
    index, path, data, st, codes, mode = item
    assert _WORKER is not None
    return index, _finish(_WORKER, path, data, st, codes, mode)


def _finish(runner: Runner, path: str, data: bytes, st: os.stat_result, codes: tuple[str, ...],
            mode: str) -> FileResult:
    rules = tuple(r for r in runner.rules if r.code in codes)
    return runner.finish(path, data, st, rules, mode)


# -- the pool -----------------------------------------------------------------------------------
class _Pool:
    def __init__(self, runner: Runner, jobs: int, python: bool = True) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        self.executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context(method),
            initializer=_init_worker, initargs=(runner.settings, tuple(r.code for r in runner.rules), python))
        self.jobs = jobs
        self.executor.submit(_ready)  # starts the workers (and their imports) now

    def map(self, items: list[tuple[int, str, bytes, os.stat_result, tuple[str, ...], str]]):  # type: ignore[no-untyped-def]
        from concurrent.futures import as_completed

        futures = [self.executor.submit(_finish_remote, item) for item in items]
        for fut in as_completed(futures):
            yield fut.result()

    def close(self, kill: bool = False) -> None:
        if kill:  # workers still importing libcst: do not wait ~0.3 s for them
            for proc in list(getattr(self.executor, "_processes", {}).values()):
                try:
                    proc.terminate()
                except OSError:
                    pass
        self.executor.shutdown(wait=True, cancel_futures=True)


# -- the loop -----------------------------------------------------------------------------------
EAGER_CACHE_FILES = 50


def process(runner: Runner, files: Sequence[str], mode: str, open_cache: Callable[[], Cache] | None,
            progress: Callable[[int, int], None] | None = None) -> tuple[list[FileResult | None], Stats]:
    """One result per file, in order: None when the file cannot hold a finding.

    On a big tree the cache is opened first, so unchanged files are only stat'ed. For a few
    files (pre-commit) reading and prefiltering them is cheaper than loading the cache index,
    so it is opened only if some file needs parsing, and asked about those files alone.
    """
    t0 = time.perf_counter()
    stats = Stats(files=len(files))
    total = len(files)
    cache = open_cache() if open_cache is not None and total >= EAGER_CACHE_FILES else None
    results: list[FileResult | None] = [None] * total
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    jobs = max_jobs()
    pool: _Pool | None = None
    cold = cache is None or len(cache.entries) < total // 2
    if jobs > 1 and total >= SPECULATE_MIN_FILES and cold:
        # libcst costs each worker ~0.25 s to import: only a tree with Python files needs it
        pool = _Pool(runner, jobs, python=any(python_file(f) for f in files))

    settings = runner.settings
    pfi = bool(settings.per_file_ignores)
    work: list[_Work] = []
    for index, path in enumerate(files):
        ignored: tuple[str, ...] = ()
        abspath = ""
        if cache is not None:
            abspath = os.path.abspath(path)
            ignored = settings.ignored_for(relative(path)) if pfi else ()
            try:
                st = os.stat(path)
            except OSError:
                st = None
            entry = cache.by_stat(abspath, st, ignored) if st is not None else None
            if entry is not None and entry.findings is None:  # a file with findings is read: its text is returned
                stats.cache_hits += 1
                tick()
                continue
        try:
            data, st = read_bytes(path)
        except SourceError as exc:
            results[index] = FileResult(path=path, error=FileError(path, str(exc), "read"))
            tick()
            continue
        stats.bytes_read += len(data)
        refused = runner.refused(path, data)
        if refused is not None:
            results[index] = refused
            tick()
            continue
        file_digest = None
        if cache is not None:
            from realtime_migrate.cache import digest

            file_digest = digest(data)
            entry = cache.by_digest(abspath, file_digest, ignored)
            if entry is not None and _usable(entry, mode, settings.unsafe_fixes):
                hit = _from_entry(entry, path, data, st, mode)
                if hit is not False:
                    cache.refresh_stat(abspath, st)
                    results[index] = hit  # type: ignore[assignment]
                    stats.cache_hits += 1
                    stats.candidates += entry.findings is not None
                    tick()
                    continue
        rules = runner.rules_for(path, data)
        if not rules:
            if cache is not None and file_digest is not None:
                cache.put(abspath, st, file_digest, ignored, None)
            tick()
            continue
        stats.candidates += 1
        work.append(_Work(index, path, data, st, tuple(r.code for r in rules), abspath, file_digest, ignored))

    def record(item: _Work, result: FileResult) -> None:
        results[item.index] = result
        if cache is not None and item.digest is not None and result.error is None and not result.fixed \
                and not result.changed:
            cache.put(item.abspath, item.st, item.digest, item.ignored, result.findings)
        tick()

    if open_cache is not None and cache is None and work:
        from realtime_migrate.cache import digest

        cache = open_cache()
        todo = []
        for w in work:
            w.abspath = os.path.abspath(w.path)
            w.ignored = settings.ignored_for(relative(w.path)) if pfi else ()
            w.digest = digest(w.data)
            entry = cache.by_digest(w.abspath, w.digest, w.ignored)
            hit = _from_entry(entry, w.path, w.data, w.st, mode) if entry is not None and _usable(
                entry, mode, settings.unsafe_fixes) else False
            if hit is False:
                todo.append(w)
            else:
                results[w.index] = hit  # type: ignore[assignment]
                stats.cache_hits += 1
                tick()
        work = todo

    size = sum(len(w.data) for w in work)
    wanted = jobs > 1 and len(work) >= POOL_MIN_FILES and size >= POOL_MIN_BYTES
    if pool is not None and not wanted:
        pool.close(kill=True)
        pool = None
    if wanted and pool is None:
        pool = _Pool(runner, min(jobs, len(work)), python=any(python_file(w.path) for w in work))
    if pool is not None:
        stats.jobs = pool.jobs
        by_index = {w.index: w for w in work}
        ordered = sorted(work, key=lambda w: -len(w.data))  # biggest first: the last worker to finish is not late
        remaining = {w.index for w in work}
        try:
            for index, result in pool.map([(w.index, w.path, w.data, w.st, w.codes, mode) for w in ordered]):
                remaining.discard(index)
                record(by_index[index], result)
        except Exception:  # noqa: BLE001 - a dead worker (BrokenProcessPool): finish here, as without a pool
            pool.close(kill=True)
            pool = None
            for w in work:
                if w.index in remaining:
                    record(w, _finish(runner, w.path, w.data, w.st, w.codes, mode))
        if pool is not None:
            pool.close()
    else:
        for w in work:
            record(w, _finish(runner, w.path, w.data, w.st, w.codes, mode))
    if cache is not None:
        cache.save()
    stats.seconds = time.perf_counter() - t0
    return results, stats


def _usable(entry: Any, mode: str, unsafe: bool) -> bool:
    """A cached scan result stands for a fix run only when fix would change nothing: no finding has a
    fix that this run applies (then `fix` reports exactly the scan findings and writes nothing)."""
    if mode == "scan" or entry.findings is None:
        return True
    from realtime_migrate.cache import load_finding

    for row in entry.findings:
        f = load_finding(row, "")
        if f.fix is not None and not f.is_note and (f.fix.is_safe or unsafe):
            return False
    return True


def _from_entry(entry: Any, path: str, data: bytes, st: os.stat_result, mode: str) -> FileResult | None | bool:
    """The cached result as process_file() returns it (texts included); False if the text cannot be had."""
    if entry.findings is None:
        return None
    from realtime_migrate.cache import load_finding
    from realtime_migrate.source import decode

    try:
        text = decode(path, data, st).text
    except SourceError:
        return False
    return FileResult(path=path, findings=[load_finding(row, path) for row in entry.findings], old_text=text,
                      new_text=None if mode == "scan" else text)

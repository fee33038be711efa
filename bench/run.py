"""Side-by-side speed comparison of realtime-migrate with public tools (issue #7).

Not a test: timings depend on the machine and its load. Every figure is a whole-process wall
time (subprocess start to exit, output to /dev/null), the median of N runs after one uncounted
warm-up, with min-max. The commands of one comparison run interleaved (A, B, A, B, ...) so
that both see the same background load, and the ratios are computed from the medians.

    .venv/bin/python bench/run.py                 # all three comparisons, 5 runs each
    .venv/bin/python bench/run.py --runs 9 --only scan
    .venv/bin/python bench/run.py --markdown      # a table to paste into bench/RESULTS.md

1. scan: `realtime-migrate scan` of the installed openai package against
   `ruff check --no-cache --select E,F`, cold (`--no-cache`) and with a warm cache.
2. precommit: `realtime-migrate scan one_clean_file.py` with PRE_COMMIT=1, plus
   `--version` and `--help`, next to a bare interpreter start.
3. fix: `realtime-migrate fix` on a generated tree of preview-era files (copies of the
   positive fixtures and example apps) against LibCST's no-op codemod on the same tree;
   both rewrite a fresh copy of the tree each run.
4. stages: in-process times of discovery and the prefilter, before #7 (reference copies of
   the old code) and now, on the scan tree; and the import costs that bound everything.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PY = sys.executable


def _default_tree() -> Path:
    import sysconfig

    return Path(sysconfig.get_paths()["purelib"]) / "openai"


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name) or name


RTM = _tool("realtime-migrate")
RUFF = _tool("ruff")


def _flags() -> tuple[list[str], bool]:
    """`--no-cache` / `--statistics` only when this version has them, so an old checkout can be measured."""
    proc = subprocess.run([RTM, "scan", "--help"], capture_output=True, text=True, env=_env())
    return (["--no-cache"] if "--no-cache" in proc.stdout else []), "--statistics" in proc.stdout


NO_CACHE: list[str] = ["--no-cache"]
HAS_STATS = True


@dataclass
class Timing:
    label: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)  # on top of the comparison's environment
    times: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def spread(self) -> str:
        return f"{min(self.times):.3f}-{max(self.times):.3f}"


def run_once(cmd: Sequence[str], env: dict[str, str], cwd: str | None = None,
             before: Callable[[], None] | None = None) -> tuple[float, int]:
    if before is not None:
        before()
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - t0, proc.returncode


def compare(entries: list[tuple[Timing, Callable[[], None] | None]], runs: int, env: dict[str, str],
            cwd: str | None = None) -> None:
    """One uncounted warm-up of each command, then `runs` interleaved rounds."""
    for timing, before in entries:
        run_once(timing.cmd, {**env, **timing.env}, cwd, before)
    for _ in range(runs):
        for timing, before in entries:
            dt, rc = run_once(timing.cmd, {**env, **timing.env}, cwd, before)
            timing.times.append(dt)
            timing.codes.add(rc)


def statistics_line(cmd: Sequence[str], env: dict[str, str], cwd: str | None = None) -> str:
    """The `--statistics` line of one extra run (files/s, prefilter hit ratio, cache hits)."""
    if not HAS_STATS:
        return "(this version has no --statistics)"
    proc = subprocess.run([*cmd, "--statistics"], capture_output=True, text=True, env=env, cwd=cwd)
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("statistics:")]
    return lines[-1].removeprefix("statistics:").strip() if lines else "(no --statistics output)"


SNAPSHOT: str | None = None  # set by --snapshot: a frozen copy of the package that the runs import


def take_snapshot(dest: Path) -> str:
    """Copy realtime_migrate/ and rules/ so that edits made to the checkout during the benchmark (or a
    concurrent engineer's) neither change the code under test nor invalidate the cache between runs."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "realtime_migrate", dest / "realtime_migrate", ignore=ignore)
    shutil.copytree(ROOT / "rules", dest / "rules", ignore=ignore)
    return str(dest)


def _env(**extra: str) -> dict[str, str]:
    """The caller's environment minus what would skew a run: PRE_COMMIT (no pool), and
    PYTHONDONTWRITEBYTECODE (an installed package has its .pyc files; without them every run
    compiles the package again)."""
    skip = ("PRE_COMMIT", "REALTIME_MIGRATE_REGIONS", "REALTIME_MIGRATE_JOBS", "REALTIME_MIGRATE_FAST_PATH",
            "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(NO_COLOR="1", **extra)
    if SNAPSHOT:
        env["PYTHONPATH"] = SNAPSHOT + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else SNAPSHOT
    return env


# -- 1. scan of a real tree ---------------------------------------------------------------------
def bench_scan(tree: Path, runs: int, with_variants: bool = True) -> dict:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        cache = os.path.join(tmp, "cache")
        env = _env(REALTIME_MIGRATE_CACHE_DIR=cache)
        ruff = Timing("ruff check --no-cache --select E,F", [RUFF, "check", "--no-cache", "--select", "E,F",
                                                             str(tree)])
        ruff_warm = Timing("ruff check --select E,F (warm cache)", [RUFF, "check", "--select", "E,F",
                                                                    "--cache-dir", os.path.join(tmp, "ruff"),
                                                                    str(tree)])
        cold = Timing("realtime-migrate scan --no-cache", [RTM, "scan", *NO_CACHE, str(tree)])
        serial = Timing("realtime-migrate scan --no-cache, REALTIME_MIGRATE_JOBS=1 (no pool)",
                        [RTM, "scan", *NO_CACHE, str(tree)], env={"REALTIME_MIGRATE_JOBS": "1"})
        warm = Timing("realtime-migrate scan (warm cache)", [RTM, "scan", str(tree)])
        entries = [(ruff, None), (cold, None), (ruff_warm, None), (warm, None)]
        if with_variants:
            entries.insert(2, (serial, None))
        compare(entries, runs, env, cwd=tmp)
        stats_cold = statistics_line(cold.cmd, env, cwd=tmp)
        stats_warm = statistics_line(warm.cmd, env, cwd=tmp)
    files = sum(1 for _ in tree.rglob("*.py"))
    return {
        "tree": str(tree), "files": files, "timings": [t for t, _ in entries],
        "ratios": {"cold / ruff": cold.median / ruff.median, "warm / ruff": warm.median / ruff.median,
                   "warm / ruff warm": warm.median / ruff_warm.median},
        "stats": {"cold": stats_cold, "warm": stats_warm},
    }


def _stdlib_tree() -> Path:
    import sysconfig

    return Path(sysconfig.get_paths()["stdlib"])


GREP_PATTERN = "realtime|openai-beta|response\\.audio|session\\.update|input_audio"


def bench_clean(tree: Path, runs: int) -> dict:
    """Issue #14: a big tree with no Realtime code (CPython's standard library), against a full lint and the
    floor (`grep` of a five-branch case-insensitive alternation). Every tool skips `site-packages`."""
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        env = _env(REALTIME_MIGRATE_CACHE_DIR=os.path.join(tmp, "cache"))
        grep = Timing("grep -rliE (5 branches)", ["grep", "-rliE", "--include=*.py", "--exclude-dir=site-packages",
                                                  GREP_PATTERN, str(tree)])
        ruff = Timing("ruff check --no-cache --select E,F", [RUFF, "check", "--no-cache", "--select", "E,F",
                                                             str(tree)])
        ruff_warm = Timing("ruff check --select E,F (warm cache)", [RUFF, "check", "--select", "E,F",
                                                                    "--cache-dir", os.path.join(tmp, "ruff"),
                                                                    str(tree)])
        cold = Timing("realtime-migrate scan --no-cache", [RTM, "scan", *NO_CACHE, str(tree)])
        warm = Timing("realtime-migrate scan (warm cache)", [RTM, "scan", str(tree)])
        entries = [(grep, None), (ruff, None), (cold, None), (ruff_warm, None), (warm, None)]
        compare(entries, runs, env, cwd=tmp)
        stats_cold = statistics_line(cold.cmd, env, cwd=tmp)
    files = sum(1 for p in tree.rglob("*.py") if "site-packages" not in p.parts)
    return {
        "tree": str(tree), "files": files, "timings": [t for t, _ in entries],
        "ratios": {"cold / ruff": cold.median / ruff.median, "cold / grep": cold.median / grep.median,
                   "warm / ruff warm": warm.median / ruff_warm.median},
        "stats": {"cold": stats_cold},
    }


# -- 2. the pre-commit case ---------------------------------------------------------------------
CLEAN_FILE = '''"""An ordinary module: nothing realtime in it."""

import json
import os


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def main() -> None:
    print(load(os.environ.get("CONFIG", "config.json")))
'''


PREVIEW_FILE = ROOT / "fixtures" / "rules" / "RTM001" / "positive_headers.py"


def bench_precommit(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        clean = os.path.join(tmp, "one_clean_file.py")
        Path(clean).write_text(CLEAN_FILE, encoding="utf-8")
        env = _env(PRE_COMMIT="1", REALTIME_MIGRATE_CACHE_DIR=os.path.join(tmp, "cache"))
        bare = Timing("python -c pass (interpreter start)", [PY, "-c", "pass"])
        ruff = Timing("ruff check --no-cache one_clean_file.py", [RUFF, "check", "--no-cache", clean])
        scan = Timing("realtime-migrate scan one_clean_file.py", [RTM, "scan", clean])
        typer_path = Timing("same, REALTIME_MIGRATE_FAST_PATH=0 (through typer)", [RTM, "scan", clean],
                            env={"REALTIME_MIGRATE_FAST_PATH": "0"})
        preview = Timing("realtime-migrate scan one_preview_file.py (parses: imports libcst)",
                         [RTM, "scan", "--no-cache", str(PREVIEW_FILE)])
        version = Timing("realtime-migrate --version", [RTM, "--version"])
        helps = Timing("realtime-migrate --help", [RTM, "--help"])
        timings = [bare, ruff, scan, typer_path, preview, version, helps]
        compare([(t, None) for t in timings], runs, env, cwd=tmp)
    return {"timings": timings,
            "ratios": {"scan / 0.10 s budget": scan.median / 0.10}}


# -- 3. fix throughput --------------------------------------------------------------------------
def preview_sources() -> list[Path]:
    sources = sorted((ROOT / "fixtures" / "rules").glob("*/positive_*.py"))
    sources += sorted((ROOT / "fixtures" / "apps").glob("*.py"))
    return sources


def build_fix_tree(dest: Path, count: int) -> int:
    sources = preview_sources()
    if not sources:
        raise SystemExit("no fixtures/rules/*/positive_*.py to copy")
    texts = [(p.parent.name if p.parent.name.startswith("RTM") else "app", p.stem, p.read_bytes()) for p in sources]
    for i in range(count):
        group, stem, data = texts[i % len(texts)]
        folder = dest / f"pkg{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{group}_{stem}_{i:05d}.py").write_bytes(data)
    return count


def bench_fix(runs: int, count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        pristine = Path(tmp) / "pristine"
        work = Path(tmp) / "tree"
        n = build_fix_tree(pristine, count)

        def fresh() -> None:
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(pristine, work)

        env = _env(REALTIME_MIGRATE_CACHE_DIR=os.path.join(tmp, "cache"))
        noop = Timing("libcst.tool codemod noop.NOOPCommand --no-format --hide-progress",
                      [PY, "-m", "libcst.tool", "codemod", "noop.NOOPCommand", "--no-format", "--hide-progress",
                       str(work)])
        fix = Timing("realtime-migrate fix --no-cache", [RTM, "fix", *NO_CACHE, str(work)])
        compare([(noop, fresh), (fix, fresh)], runs, env, cwd=tmp)
        fresh()
        stats = statistics_line(fix.cmd, env, cwd=tmp)
        sources = [str(p.relative_to(ROOT)) for p in preview_sources()]
    return {"files": n, "sources": sources, "timings": [noop, fix],
            "throughput": {t.label: n / t.median for t in (noop, fix)},
            "ratios": {"fix throughput / noop throughput": noop.median / fix.median},
            "stats": {"fix": stats}}


# -- 4. stages, in-process: before/after of the cheap stages --------------------------------------
def _walk_reference(root: str) -> list[str]:
    """discovery as it was before #7: fnmatch per entry and pattern, realpath per file."""
    import fnmatch

    from realtime_migrate.discovery import DEFAULT_EXCLUDES, PYTHON_SUFFIXES

    def excluded(path: str, name: str) -> bool:
        norm = path.replace(os.sep, "/")
        for pat in DEFAULT_EXCLUDES:
            if fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, f"*/{pat}"):
                return True
        return False

    out, seen, stack = [], set(), [root]
    while stack:
        current = stack.pop()
        entries = sorted(os.scandir(current), key=lambda e: e.name)
        subdirs = []
        for entry in entries:
            if excluded(entry.path, entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):
                    subdirs.append(entry.path)
            elif entry.name.endswith(PYTHON_SUFFIXES):
                key = os.path.realpath(entry.path) if os.path.exists(entry.path) else entry.path
                if key not in seen:
                    seen.add(key)
                    out.append(entry.path)
        stack.extend(reversed(subdirs))
    return out


def bench_stages(tree: Path, runs: int) -> dict:
    import re

    from realtime_migrate import catalog
    from realtime_migrate.discovery import discover
    from realtime_migrate.prefilter import Prefilter

    rules = catalog.all_rules()
    triggers = sorted({t for r in rules for t in r.triggers}, key=lambda t: (-len(t), t))
    old_pattern = re.compile(b"|".join(re.escape(t.encode()) for t in triggers), re.IGNORECASE)
    new = Prefilter(rules)
    files = discover([str(tree)]).files
    datas = [Path(p).read_bytes() for p in files]

    def timed(fn: Callable[[], object]) -> list[float]:
        out = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return out

    rows = [
        ("discovery, before #7 (fnmatch per entry, realpath per file)", timed(lambda: _walk_reference(str(tree)))),
        ("discovery, now (compiled excludes)", timed(lambda: discover([str(tree)]))),
        ("read all files", timed(lambda: [Path(p).read_bytes() for p in files])),
        ("prefilter, before #7 (one IGNORECASE alternation)",
         timed(lambda: [old_pattern.search(d) for d in datas])),
        ("prefilter, now (lowercase + anchor regex, exact trigger set)",
         timed(lambda: [new.rules_for(d) for d in datas])),
    ]
    candidates = [d for d in datas if new.rules_for(d)]
    bare = [run_once([PY, "-c", "pass"], _env())[0] for _ in range(runs)]
    cst = [run_once([PY, "-c", "import libcst"], _env())[0] for _ in range(runs)]
    typer = [run_once([PY, "-c", "import typer"], _env())[0] for _ in range(runs)]
    timings = [Timing(label, [], times=ts) for label, ts in rows]
    timings += [Timing("python -c pass", [], times=bare), Timing("python -c 'import typer'", [], times=typer),
                Timing("python -c 'import libcst'", [], times=cst)]
    return {"timings": timings, "files": len(files),
            "stats": {"candidates": f"{len(candidates)} of {len(files)} files "
                                    f"({100 * len(candidates) / max(1, len(files)):.1f}%), "
                                    f"{sum(map(len, candidates)) / 1e6:.2f} MB of {sum(map(len, datas)) / 1e6:.2f} MB",
                      "triggers": f"{len(triggers)} triggers of {len(rules)} rules under {len(new.anchors)} anchors"}}


# -- output -------------------------------------------------------------------------------------
def _rows(result: dict) -> list[str]:
    return [f"| `{t.label}` | {t.median:.3f} s | {t.spread()} | {','.join(map(str, sorted(t.codes)))} |"
            for t in result["timings"]]


def render(results: dict, runs: int, markdown: bool) -> str:
    out = [f"runs per command: {runs} (median, min-max; one warm-up not counted); "
           f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"]
    for name, result in results.items():
        out.append("")
        head = {"scan": f"## 1. scan of {result.get('tree')} ({result.get('files')} .py files)",
                "clean": f"## 1b. scan of a tree without Realtime code: {result.get('tree')} "
                         f"({result.get('files')} .py files)",
                "precommit": "## 2. pre-commit: one clean file (PRE_COMMIT=1)",
                "fix": f"## 3. fix of a generated tree of {result.get('files')} preview-era files",
                "stages": f"## 4. stages in-process on the same tree ({result.get('files')} files)"}[name]
        out.append(head)
        out.append("")
        if markdown:
            out += ["| command | median wall | min-max | exit |", "|---|---|---|---|", *_rows(result)]
        else:
            for t in result["timings"]:
                out.append(f"  {t.median:7.3f} s  [{t.spread()}]  exit {sorted(t.codes)}  {t.label}")
        out.append("")
        for k, v in result.get("ratios", {}).items():
            out.append(f"- ratio {k}: **{v:.2f}**" if markdown else f"  ratio {k}: {v:.2f}")
        for k, v in result.get("throughput", {}).items():
            out.append(f"- throughput {k}: {v:.0f} files/s" if markdown else f"  throughput {k}: {v:.0f} files/s")
        for k, v in result.get("stats", {}).items():
            out.append(f"- statistics ({k}): {v}" if markdown else f"  statistics ({k}): {v}")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, default=_default_tree())
    parser.add_argument("--fix-files", type=int, default=600, help="size of the generated fix tree")
    parser.add_argument("--only", choices=("scan", "clean", "precommit", "fix", "stages"), action="append")
    parser.add_argument("--clean-tree", type=Path, default=_stdlib_tree(),
                        help="a tree with no Realtime code (default: this interpreter's standard library)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the checkout itself, not a frozen copy of the package")
    args = parser.parse_args(argv)
    global SNAPSHOT
    snap_dir = None  # kept referenced until the end: the copy is deleted with it
    if not args.no_snapshot:
        snap_dir = tempfile.TemporaryDirectory(prefix="rtm-bench-snap-")
        SNAPSHOT = take_snapshot(Path(snap_dir.name))
    global NO_CACHE, HAS_STATS
    NO_CACHE, HAS_STATS = _flags()
    wanted = args.only or ["scan", "clean", "precommit", "fix", "stages"]
    results: dict = {}
    if "scan" in wanted:
        results["scan"] = bench_scan(args.tree, args.runs)
    if "clean" in wanted:
        results["clean"] = bench_clean(args.clean_tree, args.runs)
    if "precommit" in wanted:
        results["precommit"] = bench_precommit(args.runs)
    if "fix" in wanted:
        results["fix"] = bench_fix(args.runs, args.fix_files)
    if "stages" in wanted:
        results["stages"] = bench_stages(args.tree, args.runs)
    sys.stdout.write(render(results, args.runs, args.markdown))
    if args.json:
        raw = {name: {**{k: v for k, v in r.items() if k != "timings"},
                      "timings": [{"label": t.label, "cmd": t.cmd, "times": t.times} for t in r["timings"]]}
               for name, r in results.items()}
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())


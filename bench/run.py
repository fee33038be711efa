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
    proc = subprocess.run([RTM, "scan", "--help"], capture_output=True, text=True)
    return (["--no-cache"] if "--no-cache" in proc.stdout else []), "--statistics" in proc.stdout


NO_CACHE, HAS_STATS = _flags()


@dataclass
class Timing:
    label: str
    cmd: list[str]
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
        run_once(timing.cmd, env, cwd, before)
    for _ in range(runs):
        for timing, before in entries:
            dt, rc = run_once(timing.cmd, env, cwd, before)
            timing.times.append(dt)
            timing.codes.add(rc)


def statistics_line(cmd: Sequence[str], env: dict[str, str], cwd: str | None = None) -> str:
    """The `--statistics` line of one extra run (files/s, prefilter hit ratio, cache hits)."""
    if not HAS_STATS:
        return "(this version has no --statistics)"
    proc = subprocess.run([*cmd, "--statistics"], capture_output=True, text=True, env=env, cwd=cwd)
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("statistics:")]
    return lines[-1].removeprefix("statistics:").strip() if lines else "(no --statistics output)"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PRE_COMMIT", "REALTIME_MIGRATE_REGIONS")}
    env.update(NO_COLOR="1", **extra)
    return env


# -- 1. scan of a real tree ---------------------------------------------------------------------
def bench_scan(tree: Path, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        cache = os.path.join(tmp, "cache")
        env = _env(REALTIME_MIGRATE_CACHE_DIR=cache)
        ruff = Timing("ruff check --no-cache --select E,F", [RUFF, "check", "--no-cache", "--select", "E,F",
                                                             str(tree)])
        ruff_warm = Timing("ruff check --select E,F (warm cache)", [RUFF, "check", "--select", "E,F",
                                                                    "--cache-dir", os.path.join(tmp, "ruff"),
                                                                    str(tree)])
        cold = Timing("realtime-migrate scan --no-cache", [RTM, "scan", *NO_CACHE, str(tree)])
        warm = Timing("realtime-migrate scan (warm cache)", [RTM, "scan", str(tree)])
        compare([(ruff, None), (cold, None), (ruff_warm, None), (warm, None)], runs, env, cwd=tmp)
        stats_cold = statistics_line(cold.cmd, env, cwd=tmp)
        stats_warm = statistics_line(warm.cmd, env, cwd=tmp)
    files = sum(1 for _ in tree.rglob("*.py"))
    return {
        "tree": str(tree), "files": files, "timings": [ruff, cold, ruff_warm, warm],
        "ratios": {"cold / ruff": cold.median / ruff.median, "warm / ruff": warm.median / ruff.median,
                   "warm / ruff warm": warm.median / ruff_warm.median},
        "stats": {"cold": stats_cold, "warm": stats_warm},
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


def bench_precommit(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        clean = os.path.join(tmp, "one_clean_file.py")
        Path(clean).write_text(CLEAN_FILE, encoding="utf-8")
        env = _env(PRE_COMMIT="1", REALTIME_MIGRATE_CACHE_DIR=os.path.join(tmp, "cache"))
        bare = Timing("python -c pass (interpreter start)", [PY, "-c", "pass"])
        ruff = Timing("ruff check --no-cache one_clean_file.py", [RUFF, "check", "--no-cache", clean])
        scan = Timing("realtime-migrate scan one_clean_file.py", [RTM, "scan", clean])
        version = Timing("realtime-migrate --version", [RTM, "--version"])
        helps = Timing("realtime-migrate --help", [RTM, "--help"])
        compare([(bare, None), (ruff, None), (scan, None), (version, None), (helps, None)], runs, env, cwd=tmp)
    return {"timings": [bare, ruff, scan, version, helps],
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
                "precommit": "## 2. pre-commit: one clean file (PRE_COMMIT=1)",
                "fix": f"## 3. fix of a generated tree of {result.get('files')} preview-era files"}[name]
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
    parser.add_argument("--only", choices=("scan", "precommit", "fix"), action="append")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    args = parser.parse_args(argv)
    wanted = args.only or ["scan", "precommit", "fix"]
    results: dict = {}
    if "scan" in wanted:
        results["scan"] = bench_scan(args.tree, args.runs)
    if "precommit" in wanted:
        results["precommit"] = bench_precommit(args.runs)
    if "fix" in wanted:
        results["fix"] = bench_fix(args.runs, args.fix_files)
    sys.stdout.write(render(results, args.runs, args.markdown))
    if args.json:
        raw = {name: {**{k: v for k, v in r.items() if k != "timings"},
                      "timings": [{"label": t.label, "cmd": t.cmd, "times": t.times} for t in r["timings"]]}
               for name, r in results.items()}
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())


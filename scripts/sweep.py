"""Sweep: run `fix` over a whole copy of code no one here wrote, and prove it damaged nothing.

    python scripts/sweep.py                      # the running interpreter's site-packages
    python scripts/sweep.py --unsafe-fixes       # the same with unsafe fixes
    python scripts/sweep.py --stdlib DIR...      # plus the standard library, or any directories

Every tree is copied to a temporary directory (the originals are never touched). Then, on
the copy, through the API in this process:

1. `scan` records each file's fixable findings (safe ones; with --unsafe-fixes, all);
2. `fix` rewrites the copy;
3. each file's bytes are compared with the originals, and:
   - a file that changed must have had a fixable finding, and every changed line must be on
     a line that one of those findings' edits covers (files change only where findings were);
   - a file that changed must still parse (libcst), and compile if the original compiled;
   - the files `fix` says it changed are exactly the files whose bytes changed;
   - no temporary file (`.rtm-*.tmp`) is left behind;
   - no file ends in an internal error (kind "bug"): that is a crash of ours;
4. the CLI then runs `fix` once more over the fixed copy, as a real process: it must change
   nothing (idempotence over the corpus) and report no error the API did not;
5. with `--parse-all N`, N files (all with 0) are also run through every rule *without* the
   prefilter, as `fix --diff` would: real code of every shape meets every matcher and the
   engine (encodings, nesting, syntax errors), not only the few files that mention the API.

Prints file count, MB, candidates, changed files, errors by kind (with examples) and the
wall time of each phase; `--json FILE` writes the same as JSON. Exit code 1 when any check
failed. `sweep()` is what tests/test_sweep.py runs on a smaller tree.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from realtime_migrate import engine
from realtime_migrate.api import Runner
from realtime_migrate.discovery import discover
from realtime_migrate.model import Finding
from realtime_migrate.settings import Settings
from realtime_migrate.source import SourceError, decode, read_bytes

EXAMPLES_PER_KIND = 5


@dataclass
class Report:
    roots: list[str]
    unsafe: bool
    files: int = 0
    megabytes: float = 0.0
    candidates: int = 0  # files the prefilter let through to the parser
    findings: int = 0
    fixable_files: int = 0
    changed: list[str] = field(default_factory=list)
    fixable_but_unchanged: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # by kind, from the fix run
    error_examples: dict[str, list[str]] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)  # internal errors: bugs of ours
    problems: list[str] = field(default_factory=list)  # broken invariants: each one a bug
    seconds: dict[str, float] = field(default_factory=dict)
    parse_all_files: int = 0
    parse_all_outcomes: dict[str, int] = field(default_factory=dict)  # ok / changed / error kinds

    @property
    def ok(self) -> bool:
        return not self.crashes and not self.problems

    def render(self) -> str:
        lines = [
            f"sweep of {', '.join(self.roots)}{' (--unsafe-fixes)' if self.unsafe else ''}",
            f"  files:        {self.files} Python files, {self.megabytes:.1f} MB",
            f"  candidates:   {self.candidates} parsed (the rest ruled out by the prefilter)",
            f"  findings:     {self.findings} in scan; {self.fixable_files} files with a fixable one",
            f"  changed:      {len(self.changed)} files",
            f"  fixable, unchanged: {len(self.fixable_but_unchanged)}",
            f"  errors:       {dict(sorted(self.errors.items())) or 'none'}",
        ]
        for kind, examples in sorted(self.error_examples.items()):
            lines += [f"    {kind}: {e}" for e in examples]
        if self.parse_all_files:
            lines.append(f"  every rule, no prefilter: {self.parse_all_files} files: "
                         f"{dict(sorted(self.parse_all_outcomes.items()))}")
        lines.append(f"  crashes:      {len(self.crashes)}")
        lines += [f"    {c}" for c in self.crashes]
        lines.append(f"  problems:     {len(self.problems)}")
        lines += [f"    {p}" for p in self.problems]
        lines.append("  time:         " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def copy_trees(sources: Sequence[Path], work: Path) -> list[Path]:
    """Copies of `sources` under `work`. Symlinks become copies of what they point to: `fix` writes
    through a link, and a link to an absolute path would lead it back to the original tree.
    Bytecode caches and nested site-packages (the stdlib's) are left out."""
    roots = []
    for i, src in enumerate(sources):
        dst = work / f"{i}-{src.name}"
        shutil.copytree(src, dst, symlinks=False, ignore_dangling_symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "site-packages"))
        roots.append(dst)
    return roots


def _fixable(f: Finding, unsafe: bool) -> bool:
    return f.fix is not None and not f.is_note and (f.fix.is_safe or unsafe)


def _read(path: str) -> bytes | None:
    try:
        return read_bytes(path)[0]
    except SourceError:
        return None


def _changed_old_lines(old: str, new: str) -> set[int]:
    """1-based lines of `old` that the change touched (an insertion counts the lines around it)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: set[int] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.update(range(i1 + 1, i2 + 1) if i2 > i1 else (i1, i1 + 1))
    return out


def _covered_lines(findings: Sequence[Finding]) -> set[int]:
    lines: set[int] = set()
    for f in findings:
        assert f.fix is not None
        for e in f.fix.edits:
            lines.update(range(e.start_line, max(e.end_line, e.start_line) + 1))
            lines.add(e.end_line + 1)  # an edit ending at column 0 of the next line
    return lines


def sweep(sources: Sequence[Path], work: Path, *, unsafe: bool = False, cli: bool = True,
          parse_all: int | None = None) -> Report:
    report = Report(roots=[str(s) for s in sources], unsafe=unsafe)
    t0 = time.perf_counter()
    roots = copy_trees(sources, work)
    report.seconds["copy"] = time.perf_counter() - t0

    files = discover([str(r) for r in roots], use_default_excludes=False).files
    before = {p: _read(p) for p in files}
    report.files = len(files)
    report.megabytes = sum(len(b) for b in before.values() if b is not None) / 1_048_576

    runner = Runner(Settings(unsafe_fixes=unsafe))
    t0 = time.perf_counter()
    scan = runner.run(files, "scan")
    report.seconds["scan"] = time.perf_counter() - t0
    report.candidates = scan.parsed
    report.findings = len(scan.findings)
    fixable = {r.path: [f for f in r.findings if _fixable(f, unsafe)] for r in scan.files}
    fixable = {p: fs for p, fs in fixable.items() if fs}
    report.fixable_files = len(fixable)

    t0 = time.perf_counter()
    fixed = runner.run(files, "fix")
    report.seconds["fix"] = time.perf_counter() - t0
    errors = fixed.all_errors
    report.errors = dict(Counter(e.kind for e in errors))
    for e in errors:
        examples = report.error_examples.setdefault(e.kind, [])
        if len(examples) < EXAMPLES_PER_KIND:
            examples.append(e.one_line())
        if e.kind == "bug":
            report.crashes.append(e.one_line())
        if "\n" in e.one_line():
            report.problems.append(f"{e.path}: error message is not one line")
    scan_errors = {e.path for e in scan.all_errors}
    report.problems += [f"{e.path}: fails in fix but not in scan: {e.message}" for e in errors
                        if e.path not in scan_errors and e.kind != "bug"]

    t0 = time.perf_counter()
    said_changed = {r.path for r in fixed.files if r.changed}
    for path in files:
        old, new = before[path], _read(path)
        if old == new:
            if path in said_changed:
                report.problems.append(f"{path}: fix said it changed the file, but its bytes are the same")
            if path in fixable and not any(e.path == path for e in errors):
                report.fixable_but_unchanged.append(path)
            continue
        report.changed.append(path)
        report.problems += _check_changed(path, old, new, fixable.get(path, []), path in said_changed)
    leftovers = [str(p) for r in roots for p in r.rglob(".rtm-*.tmp")]
    report.problems += [f"{p}: temporary file left behind" for p in leftovers]
    report.seconds["check"] = time.perf_counter() - t0

    if cli:
        t0 = time.perf_counter()
        report.problems += _cli_again(roots, unsafe, {e.path for e in errors})
        report.seconds["cli fix again"] = time.perf_counter() - t0
    if parse_all is not None:
        t0 = time.perf_counter()
        _parse_all(report, files, runner, parse_all)
        report.seconds["every rule"] = time.perf_counter() - t0
    return report


def _parse_all(report: Report, files: Sequence[str], runner: Runner, sample: int) -> None:
    """Every rule on every (sampled) file, prefilter or not; nothing is written."""
    import random

    from realtime_migrate import catalog

    chosen = sorted(random.Random(6).sample(list(files), sample)) if 0 < sample < len(files) else list(files)
    rules = catalog.all_rules()
    outcomes: Counter[str] = Counter()
    for path in chosen:
        try:
            data, st = read_bytes(path)
            src = decode(path, data, st)
        except SourceError:
            outcomes["unreadable or undecodable"] += 1
            continue
        result = runner.process_text(path, None, src.text, rules, "diff")
        if result.error is not None:
            outcomes[result.error.kind] += 1
            if result.error.kind == "bug":
                report.crashes.append(f"(every rule) {result.error.one_line()}")
            continue
        outcomes["changed" if result.changed else "unchanged"] += 1
        if result.changed and result.new_text is not None:
            try:
                engine.parse(result.new_text)
            except engine.ParseFailure as exc:
                report.problems.append(f"{path}: (every rule) fixed text does not parse: {exc}")
            if engine.compiles(src.text) and not engine.compiles(result.new_text):
                report.problems.append(f"{path}: (every rule) fixed text does not compile any more")
    report.parse_all_files = len(chosen)
    report.parse_all_outcomes = dict(outcomes)


def _check_changed(path: str, old: bytes | None, new: bytes | None, fixable: list[Finding],
                   said_changed: bool) -> list[str]:
    if old is None or new is None:
        return [f"{path}: became unreadable (or readable) during the fix"]
    problems = []
    if not said_changed:
        problems.append(f"{path}: bytes changed but fix did not report the file as changed")
    if not fixable:
        problems.append(f"{path}: changed without any fixable finding in the prior scan")
    st = os.stat(path)
    try:
        old_text, new_text = decode(path, old, st).text, decode(path, new, st).text
    except SourceError as exc:
        return [*problems, f"{path}: the fixed file no longer decodes: {exc}"]
    try:
        engine.parse(new_text)
    except engine.ParseFailure as exc:
        problems.append(f"{path}: the fixed file does not parse: {exc}")
    if engine.compiles(old_text) and not engine.compiles(new_text):
        problems.append(f"{path}: the fixed file does not compile any more")
    outside = sorted(_changed_old_lines(old_text, new_text) - _covered_lines(fixable))
    if outside and fixable:
        problems.append(f"{path}: lines {outside[:8]} changed, but no fixable finding's edit covers them")
    return problems


def _cli_again(roots: Sequence[Path], unsafe: bool, api_errors: set[str]) -> list[str]:
    """`fix` once more, as a real process, over the fixed copy: nothing may change."""
    args = [sys.executable, "-m", "realtime_migrate", "fix", "--no-cache", "-o", "json", *map(str, roots)]
    if unsafe:
        args.insert(4, "--unsafe-fixes")
    run = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if run.returncode not in (0, 1, 2) or "Traceback" in run.stderr:
        return [f"CLI: exit {run.returncode}: {run.stderr[-2000:]}"]
    try:
        doc = json.loads(run.stdout)
    except json.JSONDecodeError:
        return [f"CLI: output is not JSON: {run.stdout[:500]}"]
    problems = [f"{p}: a second fix (CLI) changed it again" for p in doc["summary"]["changed_files"]]
    problems += [f"{e['path']}: the CLI reports an error the API did not: {e['message']}" for e in doc["errors"]
                 if os.path.normpath(e["path"]) not in {os.path.normpath(p) for p in api_errors}]
    if doc["errors"] and run.returncode != 2 or not doc["errors"] and run.returncode == 2:
        problems.append(f"CLI: exit code {run.returncode} with {len(doc['errors'])} errors")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path,
                        help="trees to sweep (default: this interpreter's site-packages)")
    parser.add_argument("--stdlib", action="store_true", help="also sweep the standard library")
    parser.add_argument("--unsafe-fixes", action="store_true", help="apply unsafe fixes too")
    parser.add_argument("--no-cli", action="store_true", help="skip the second fix through the CLI")
    parser.add_argument("--parse-all", type=int, metavar="N",
                        help="also run every rule without the prefilter on N sampled files (0: all of them)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy (its path is printed)")
    args = parser.parse_args(argv)
    sources = list(args.dirs) or [Path(sysconfig.get_paths()["purelib"])]
    if args.stdlib:
        sources.append(Path(sysconfig.get_paths()["stdlib"]))
    work = Path(tempfile.mkdtemp(prefix="rtm-sweep-"))
    try:
        t0 = time.perf_counter()
        report = sweep(sources, work, unsafe=args.unsafe_fixes, cli=not args.no_cli, parse_all=args.parse_all)
        report.seconds["total"] = time.perf_counter() - t0
        print(report.render())
        if args.json:
            args.json.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            print(f"fixed copy kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

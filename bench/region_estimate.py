"""How much of each candidate file region parsing could skip (issue #7), measured, not built.

A top-level statement can be left out of the parse only if no finding can depend on it: it holds
no trigger of the file's rules, it is a function or class definition (imports, assignments and
module-level code are kept: matchers follow them), and no kept statement names it, transitively
(session payloads are followed through functions' `return` and class attributes).

    .venv/bin/python bench/region_estimate.py            # the largest candidates of the openai package
    .venv/bin/python bench/region_estimate.py FILE...
"""

from __future__ import annotations

import ast
import bisect
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from realtime_migrate import catalog  # noqa: E402
from realtime_migrate.prefilter import Prefilter  # noqa: E402

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def kept_lines(path: Path, prefilter: Prefilter) -> tuple[int, int, list[str]] | None:
    data = path.read_bytes()
    rules = prefilter.rules_for(data)
    if not rules:
        return None
    low = data.lower()
    text = data.decode("utf-8")
    line_starts = [0]
    for i, byte in enumerate(data):
        if byte == 0x0A:
            line_starts.append(i + 1)
    hit_lines = set()
    for trigger in {t.encode("utf-8").lower() for r in rules for t in r.triggers}:
        start = low.find(trigger)
        while start != -1:
            hit_lines.add(bisect.bisect_right(line_starts, start))
            start = low.find(trigger, start + 1)
    tree = ast.parse(text)
    defined: dict[str, int] = {}
    keep: set[int] = set()
    for i, stmt in enumerate(tree.body):
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        last = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, DEFS):
            defined[stmt.name] = i
            if any(first <= line <= last for line in hit_lines):
                keep.add(i)
        else:
            keep.add(i)
    grew = True
    while grew:
        names = set()
        for i in keep:
            for node in ast.walk(tree.body[i]):
                if isinstance(node, ast.Name):
                    names.add(node.id)
                elif isinstance(node, ast.Attribute):
                    names.add(node.attr)
        grew = False
        for name, i in defined.items():
            if name in names and i not in keep:
                keep.add(i)
                grew = True
    kept = sum((tree.body[i].end_lineno or 0) - tree.body[i].lineno + 1 for i in keep)
    return kept, len(text.splitlines()), [r.code for r in rules]


def main(argv: list[str]) -> None:
    prefilter = Prefilter(catalog.select())
    if argv:
        paths = [Path(a) for a in argv]
    else:
        openai = Path(sysconfig.get_paths()["purelib"]) / "openai"
        candidates = [p for p in openai.rglob("*.py") if prefilter.rules_for(p.read_bytes())]
        paths = sorted(candidates, key=lambda p: -p.stat().st_size)[:9]
    for path in paths:
        result = kept_lines(path, prefilter)
        if result is None:
            print(f"{path}: not a candidate")
            continue
        kept, total, codes = result
        print(f"{path.stat().st_size:>7} B  {kept:>5} of {total:>5} lines kept ({kept / total:4.0%})  "
              f"{' '.join(codes)}  {path}")


if __name__ == "__main__":
    main(sys.argv[1:])

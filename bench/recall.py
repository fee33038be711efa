"""Recall and false findings of `scan` on a corpus of real code kept outside the repository (issue #12).

Not a test: the corpus is public code that nobody here wrote (voice frameworks, SDK integrations), which
must not be copied into the repository. Build it anywhere, label it, and run:

    .venv/bin/python bench/recall.py --corpus /tmp/corpus/src --labels /tmp/corpus/labels.txt \
        --ga /tmp/corpus/ga

`--labels` lists the lines that must change for GA, one `relative/path.py:LINE` per line (`#` comments
allowed). A label counts as found when a finding (not a note) of any rule starts on that line. `--ga`
names trees of GA-correct or other-protocol code (later releases of the same frameworks, Azure Voice
Live): every finding there is a false one. The output lists the misses, so a run says what to build next.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path


def scan(paths: list[str], cwd: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "realtime_migrate", "scan", "--no-cache", "--exit-zero",
                           "-o", "json", *paths], cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"scan failed ({proc.returncode}):\n{proc.stderr}")
    doc = json.loads(proc.stdout)
    for err in doc["errors"]:
        print(f"  tool error: {err['path']}: {err['message']}")
    return [f for f in doc["findings"] if f.get("severity") != "info"]


def lookalikes(tree: Path) -> int:
    """Lines of the tree's scanned files that a naive search would flag: a preview event name, a preview session
    field key, the beta header value, a preview endpoint or an Azure `api-version` (the tables the rules use)."""
    from realtime_migrate import catalog, discovery
    from realtime_migrate.protocol import PREVIEW_FIELD_KEYS

    renames = dict(next(r for r in catalog.all_rules() if r.code == "RTM003").options["renames"])
    needles = [*renames, *PREVIEW_FIELD_KEYS, "realtime=v1", "openai-beta.realtime-v1", "/realtime/sessions",
               "api-version", "client_secret"]
    count = 0
    for path in discovery.discover([str(tree)]).files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        count += sum(1 for line in text.splitlines() if any(n in line for n in needles))
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--ga", type=Path, action="append", default=[])
    ap.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = ap.parse_args()

    labels: set[tuple[str, int]] = set()
    for raw in args.labels.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            path, _, number = line.rpartition(":")
            labels.add((path, int(number)))
    files = sorted({p for p, _ in labels})
    findings = scan(files, args.corpus)
    found = {(os.path.normpath(f["path"]), f["location"]["line"]) for f in findings}
    hit = labels & found
    print(f"recall: {len(hit)}/{len(labels)} = {100 * len(hit) / len(labels):.1f} % of the lines that must change "
          f"({len(files)} files)")
    by_file: dict[str, list[int]] = defaultdict(list)
    for path, number in sorted(labels - found):
        by_file[path].append(number)
    unlabelled = sorted(found - labels)
    print(f"findings on unlabelled lines of the same files: {len(unlabelled)}")
    if not args.quiet:
        for path, numbers in by_file.items():
            print(f"  missed {path}: {', '.join(map(str, numbers))}")
        for path, number in unlabelled:
            print(f"  unlabelled {path}:{number}")

    for tree in args.ga:
        false = scan(["."], tree)
        alike = lookalikes(tree)
        rate = f"{100 * len(false) / alike:.1f}" if alike else "n/a"
        print(f"false findings in {tree} (GA or other-protocol code): {len(false)} on {alike} look-alike lines "
              f"= {rate} per 100")
        if not args.quiet:
            for f in false:
                print(f"  {os.path.normpath(f['path'])}:{f['location']['line']}: {f['code']} {f['message'][:110]}")


if __name__ == "__main__":
    main()

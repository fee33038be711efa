"""Baselines for gradual adoption: record today's findings, then report only new ones.

A finding is keyed on (path, code, normalised source line, occurrence index), never on
its line number: adding or moving code above a known finding must not turn it into a
"new" one. The occurrence index tells identical lines apart, so a second copy of a
baselined line is still reported. Paths are stored relative to the baseline file, so a
scan from another directory (pre-commit runs from the repository root) still matches.
The file is committed, so line texts and messages are stored with credentials masked
(the keys are computed on the masked text, on both sides).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from realtime_migrate import __version__
from realtime_migrate.model import Finding
from realtime_migrate.redact import redact

FORMAT_VERSION = 1
DEFAULT_NAME = "realtime-migrate-baseline.json"

Key = tuple[str, str, str, int]


class BaselineError(Exception):
    """The baseline file is missing or not one of ours; the message names the file."""


def normalise(line: str) -> str:
    return " ".join(line.split())


def _rel(path: str, root: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(os.path.abspath(path)).as_posix()


def keyed(findings: Iterable[Finding], root: Path) -> list[tuple[Key, Finding]]:
    """Every finding with its key; occurrence indexes count in source order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        base = (_rel(f.path, root), f.code, normalise(redact(f.source_line)))
        out.append(((*base, seen[base]), f))
        seen[base] += 1
    return out


def fingerprint(key: Key) -> str:
    """A stable id for SARIF `partialFingerprints` (code scanning tracks results across commits)."""
    _, code, text, occurrence = key
    return hashlib.sha256(f"{code}\0{text}\0{occurrence}".encode()).hexdigest()[:32]


def write(target: Path, findings: Sequence[Finding]) -> int:
    root = target.resolve().parent
    entries = [
        {"path": k[0], "code": k[1], "line_text": k[2], "occurrence": k[3], "line": f.line,
         "message": redact(f.message)}
        for k, f in keyed(findings, root)
    ]
    doc = {"tool": "realtime-migrate", "version": __version__, "format": FORMAT_VERSION, "findings": entries}
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    os.replace(tmp, target)
    return len(entries)


@dataclass
class Baseline:
    path: Path
    keys: set[Key]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"baseline file {p} not found (create it with `realtime-migrate baseline`)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"cannot read baseline file {p}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise BaselineError(f"baseline file {p} is not valid JSON: {exc}") from None
        if (not isinstance(doc, dict) or doc.get("format") != FORMAT_VERSION
                or not isinstance(doc.get("findings"), list)):
            raise BaselineError(f"{p} is not a realtime-migrate baseline (format {FORMAT_VERSION})")
        keys: set[Key] = set()
        for i, e in enumerate(doc["findings"]):
            try:
                keys.add((str(e["path"]), str(e["code"]), str(e["line_text"]), int(e["occurrence"])))
            except (KeyError, TypeError, ValueError):
                raise BaselineError(f"{p}: entry {i} lacks path, code, line_text or occurrence") from None
        return cls(p, keys)

    def split(self, findings: Sequence[Finding]) -> tuple[list[Finding], int]:
        """(new findings, how many were baselined).

        Entries that no longer match are not counted as "fixed": a run may cover only
        some files (pre-commit passes the staged ones), so absence proves nothing.
        """
        new: list[Finding] = []
        baselined = 0
        for key, f in keyed(findings, self.path.resolve().parent):
            if key in self.keys:
                baselined += 1
            else:
                new.append(f)
        return new, baselined

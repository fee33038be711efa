"""One compiled bytes pattern built from the rules' trigger strings.

A file whose bytes contain none of them cannot hold a finding, so it is never decoded
or parsed, and libcst is never imported for it. Triggers are matched
case-insensitively, a superset of what the matchers look for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from realtime_migrate.rule import Rule


class Prefilter:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(rules)
        triggers = sorted({t for r in rules for t in r.triggers}, key=lambda t: (-len(t), t))
        self._by_trigger = {t.lower(): [r for r in rules if t in r.triggers] for t in triggers}
        alternation = b"|".join(re.escape(t.encode("utf-8")) for t in triggers) or b"(?!x)x"
        self.pattern = re.compile(alternation, re.IGNORECASE)

    def candidate(self, data: bytes) -> bool:
        return self.pattern.search(data) is not None

    def rules_for(self, data: bytes) -> tuple[Rule, ...]:
        """The rules whose triggers occur in `data`, in catalog order."""
        hit: set[str] = set()
        for m in self.pattern.finditer(data):
            hit.add(m.group(0).decode("utf-8", "replace").lower())
        if not hit:
            return ()
        codes = {r.code for t in hit for r in self._by_trigger.get(t, ())}
        return tuple(r for r in self._rules if r.code in codes)


def trigger_hits(rules: Iterable[Rule], text: str) -> set[str]:
    return {t for r in rules for t in r.triggers if t.lower() in text.lower()}

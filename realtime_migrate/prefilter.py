"""The bytes test that rules a file in or out before anything is decoded or parsed.

A file whose bytes contain none of the rules' trigger strings cannot hold a finding, so it
is never decoded or parsed, and libcst is never imported for it. Triggers are matched
case-insensitively (ASCII case folding, as `re.IGNORECASE` does on bytes), a superset of
what the matchers look for.

Speed matters here: this runs on every file of a tree. Where the `ahocorasick-rs` wheel is installed
(a dependency), one Aho-Corasick automaton over all triggers answers at memory speed (issue #14). The
anchored regex below is the fallback (`REALTIME_MIGRATE_PREFILTER=regex` forces it), with the same answer.

Python's `re` tries each branch of
an alternation at every position, and with IGNORECASE it is ~15x slower than
`bytes.lower()` plus substring searches (C fast search). The triggers are grouped under a
few short *anchors* (substrings shared by several triggers, e.g. `realtime`), so a clean
file costs one regex search over the anchors; only a file holding an anchor is searched for
the triggers themselves. The answer is exactly the set of rules whose triggers occur and whose context groups
(`Rule.context`) all hold: `Rule.applies_to`, computed faster.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Sequence

from realtime_migrate.rule import Rule

MIN_ANCHOR = 8  # shorter shared substrings ("response") match too much ordinary code to save anything

# Byte frequencies (%) in lowercased Python source (openai, libcst, rich, typer). The anchor regex
# stops at every position holding the first byte of some anchor, so anchors should start with rare bytes.
_FREQ = dict(zip(b" etoasnri\nlpcd\"mu_fh,.gy:b()vw=-x[]`k", (
    26.0, 7.9, 6.0, 4.6, 4.4, 4.4, 4.2, 4.1, 3.9, 2.7, 2.7, 2.3, 2.2, 2.1, 2.0, 1.9, 1.6, 1.5, 1.4, 1.3, 1.3, 1.1,
    0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3), strict=True))


def _anchors(triggers: Sequence[bytes]) -> dict[bytes, list[bytes]]:
    """Greedy cover: each trigger under one MIN_ANCHOR-long piece of it.

    A piece is worth the triggers it covers divided by what it adds to the cost of the search:
    the frequency of its first byte, unless an anchor already chosen starts with that byte.
    Only fixed-length pieces are considered, so building this stays well under a millisecond.
    """
    uncovered = set(triggers)
    groups: dict[bytes, list[bytes]] = {}
    firsts: set[int] = set()
    while uncovered:
        counts: dict[bytes, int] = {}
        for t in uncovered:
            for s in {t[i:i + MIN_ANCHOR] for i in range(max(1, len(t) - MIN_ANCHOR + 1))}:
                counts[s] = counts.get(s, 0) + 1

        def worth(s: bytes, counts: dict[bytes, int] = counts) -> tuple[float, bytes]:
            cost = 0.05 if s[0] in firsts else _FREQ.get(s[0], 0.2)
            return counts[s] / cost, s

        best = max(counts, key=worth)
        members = sorted(t for t in uncovered if best in t)
        groups[best] = members
        firsts.add(best[0])
        uncovered.difference_update(members)
    return groups


# Anchors for the automaton's first stage: long enough to be rare in ordinary code, few enough (at most
# GATE_MAX) for the crate's SIMD prefilter to carry the search (bench/RESULTS.md: 10 bytes gave 37 anchors).
GATE_ANCHOR = 10
GATE_MAX = 64
GATE_AFTER = 32  # files searched before the gate is built (building it takes a few milliseconds)


def gate_anchors(triggers: Sequence[bytes], length: int) -> list[bytes]:
    """Few `length`-byte pieces such that every trigger holds one (whole triggers when shorter): a greedy set
    cover by the number of triggers a piece covers. Long pieces are rare in ordinary code whatever their bytes."""
    uncovered = set(triggers)
    pieces = {t: {t[i:i + length] for i in range(max(1, len(t) - length + 1))} for t in uncovered}
    out: list[bytes] = []
    while uncovered:
        counts = Counter(s for t in uncovered for s in pieces[t])
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        out.append(best)
        uncovered = {t for t in uncovered if best not in t}
    return sorted(out)


class _Automaton:
    """All triggers in one Aho-Corasick automaton (Rust, `ahocorasick-rs`): one pass over the lowered bytes
    at hundreds of MB/s whatever the number of triggers.

    A first stage, the gate, looks for a few dozen anchors instead (every trigger contains one), leftmost-first:
    the crate then runs its SIMD prefilter and a clean file is passed over at a few GB/s. Only a file that holds
    an anchor is searched for every trigger, so the answer is the same as the full automaton's alone."""

    def __init__(self, triggers: Sequence[bytes]) -> None:
        import ahocorasick_rs

        self._triggers = list(triggers)
        # A DFA, searched with overlapping matches (every trigger present, not only the leftmost ones): the
        # fastest of the crate's automata on the stdlib and openai trees (bench/RESULTS.md).
        automaton = ahocorasick_rs.BytesAhoCorasick(self._triggers, implementation=ahocorasick_rs.Implementation.DFA)
        self._find = automaton.find_matches_as_indexes
        self._gate: Callable[[bytes], list[tuple[int, int, int]]] | None = None
        self._until_gate = GATE_AFTER  # a few files (pre-commit) are not worth building it

    def _build_gate(self) -> None:
        import ahocorasick_rs

        anchors = gate_anchors(self._triggers, GATE_ANCHOR)
        if len(anchors) <= GATE_MAX:
            gate = ahocorasick_rs.BytesAhoCorasick(anchors, matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
                                                   implementation=ahocorasick_rs.Implementation.DFA)
            self._gate = gate.find_matches_as_indexes

    @property
    def anchors(self) -> list[bytes]:
        return list(self._triggers)

    def hits(self, low: bytes) -> set[bytes]:
        if self._gate is not None:
            if not self._gate(low):
                return set()
        elif self._until_gate:
            self._until_gate -= 1
            if not self._until_gate:
                self._build_gate()
        matches = self._find(low, overlapping=True)
        return {self._triggers[m[0]] for m in matches} if matches else set()


def _automaton(triggers: Sequence[bytes]) -> _Automaton | None:
    if os.environ.get("REALTIME_MIGRATE_PREFILTER") == "regex":
        return None
    try:
        return _Automaton(triggers)
    except ImportError:  # a platform without the wheel: the anchored regex gives the same answer, slower
        return None


class Prefilter:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(rules)
        triggers = sorted({t for r in rules for t in r.triggers}, key=lambda t: (-len(t), t))
        self._triggers = triggers
        codes: dict[bytes, set[str]] = {}
        for r in rules:
            for t in r.triggers:
                codes.setdefault(t.encode("utf-8").lower(), set()).add(r.code)
        self._codes = codes
        self._automaton = _automaton(sorted(codes))
        self.engine = "aho-corasick" if self._automaton is not None else "regex"
        if self._automaton is not None:
            self._hits = self._automaton.hits  # type: ignore[method-assign]
            return
        groups = _anchors(sorted(codes))
        self._groups = groups
        # One regex over the anchors: its first-byte set lets the C loop skip most positions, ~3x faster
        # than one substring search per anchor (and ~7x faster than all triggers under IGNORECASE).
        self._prefixes = {a: {b for b in groups if b != a and a.startswith(b)} for a in groups}
        self._anchor_re = re.compile(b"|".join(re.escape(a) for a in sorted(groups, key=lambda a: (-len(a), a)))
                                     or b"(?!x)x")

    @property
    def anchors(self) -> list[bytes]:
        """What the search looks for first: anchors (regex engine) or the triggers themselves (automaton)."""
        return self._automaton.anchors if self._automaton is not None else list(self._groups)

    def _hits(self, low: bytes) -> set[bytes]:
        """The triggers in `low` (lowercased bytes)."""
        search = self._anchor_re.search
        m = search(low)
        if m is None:
            return set()
        present: set[bytes] = set()
        for _ in range(8):  # a few regex steps find the anchors of a typical hit file in one pass
            present.add(m.group(0))
            present |= self._prefixes[m.group(0)]  # a shorter anchor starting at the same byte
            # Restart one byte on, not after the match: anchors may overlap in the text.
            m = search(low, m.start() + 1)
            if m is None:
                break
        else:  # an anchor that recurs a lot: test the others one by one
            present.update(a for a in self._groups if a not in present and a in low)
        return {t for a in present for t in self._groups[a] if t in low}

    def candidate(self, data: bytes) -> bool:
        return bool(self.rules_for(data))

    def rules_for(self, data: bytes) -> tuple[Rule, ...]:
        """The rules whose triggers occur in `data`, in catalog order."""
        low = data.lower()
        hits = self._hits(low)
        if not hits:
            return ()
        codes = set().union(*(self._codes[t] for t in hits))
        return tuple(r for r in self._rules if r.code in codes and r.context_holds(low))

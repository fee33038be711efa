"""Per-line and file-level suppression comments.

`# realtime-migrate: ignore[RTM001, RTM003] optional reason` on any line of a finding
silences those codes there; a bare `# realtime-migrate: ignore` silences every code.
`# realtime-migrate: ignore-file[...]` anywhere in the file applies to the whole file.
Comments are found with the tokenizer (not by walking the CST), so a directive inside a
string is never mistaken for one.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from realtime_migrate.model import Finding

MARKER = "realtime-migrate:"
_DIRECTIVE = re.compile(
    r"#\s*realtime-migrate:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)",
    re.IGNORECASE,
)


@dataclass
class Directive:
    line: int
    col: int
    file_level: bool
    codes: frozenset[str] | None  # None: every code
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


@dataclass
class Suppressions:
    directives: list[Directive]

    @classmethod
    def parse(cls, text: str) -> Suppressions:
        if MARKER not in text:
            return cls([])
        directives: list[Directive] = []
        for line, col, comment in _comments(text):
            m = _DIRECTIVE.search(comment)
            if not m:
                continue
            codes = None
            if m.group("codes") is not None:
                codes = frozenset(c.strip().upper() for c in re.split(r"[,\s]+", m.group("codes")) if c.strip())
            directives.append(Directive(line, col, m.group("kind").lower() == "ignore-file", codes))
        return cls(directives)

    def filter(self, findings: list[Finding]) -> list[Finding]:
        if not self.directives:
            return findings
        kept = []
        for f in findings:
            d = self._match(f)
            if d is None:
                kept.append(f)
            else:
                d.used.add(f.code)
        return kept

    def _match(self, f: Finding) -> Directive | None:
        for d in self.directives:
            if d.covers(f.code) and (d.file_level or d.line in (f.line, f.end_line)):
                return d
        return None

    def unused(self) -> list[Directive]:
        return [d for d in self.directives if not d.used]


def _comments(text: str) -> list[tuple[int, int, str]]:
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and MARKER in tok.string:
                out.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for n, line in enumerate(text.splitlines(), 1):
            idx = line.find("#")
            if idx >= 0 and MARKER in line[idx:]:
                out.append((n, idx, line[idx:]))
    return out

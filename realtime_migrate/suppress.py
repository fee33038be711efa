"""Per-line and file-level suppression comments, and the report of unused ones (RTM900).

`# realtime-migrate: ignore[RTM001, RTM003] optional reason` on any line of a finding
silences those codes there; a bare `# realtime-migrate: ignore` silences every code.
`# realtime-migrate: ignore-file[...]` anywhere in the file applies to the whole file.
Comments are found with the tokenizer (not by walking the CST), so a directive inside a
string is never mistaken for one.

A suppression that silences nothing is reported, because stale ones pile up once code
is migrated and then hide the next real finding. A code is judged only when its rule
could have reported here: it ran on the file, or its trigger strings are absent (so the
prefilter proves it had nothing to say). A rule switched off by `--ignore`, `select` or
`per-file-ignores` is never judged, so a partial run never deletes suppressions.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field

from realtime_migrate.model import Applicability, Edit, Finding, Fix
from realtime_migrate.rule import Rule, lowered

MARKER = "realtime-migrate:"
UNUSED_CODE = "RTM900"
_BARE_CODES = re.compile(r"[:\s]*(RTM\d+(?:[,\s]+RTM\d+)*)\b", re.IGNORECASE)
_DIRECTIVE = re.compile(
    r"#\s*realtime-migrate:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)",
    re.IGNORECASE,
)


def _split_codes(text: str) -> tuple[str, ...]:
    """The codes inside `ignore[...]`, as written; commas and/or spaces separate them."""
    return tuple(c for c in re.split(r"[,\s]+", text) if c)


@dataclass
class Directive:
    line: int
    col: int
    file_level: bool
    codes: frozenset[str] | None  # None: every code
    used: set[str] = field(default_factory=set)
    # Where the directive sits in its line, for the RTM900 fix: [start, end) columns of the
    # directive itself, the columns inside its brackets, the codes as written, and the reason.
    start: int = 0
    end: int = 0
    codes_span: tuple[int, int] | None = None
    raw_codes: tuple[str, ...] = ()
    reason: str = ""
    marker: str = "#"  # the comment marker it was written after: `#`, or `//` / `/*` in JavaScript

    def covers(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


@dataclass
class Suppressions:
    directives: list[Directive]

    @classmethod
    def parse(cls, text: str) -> Suppressions:
        if MARKER not in text:
            return cls([])
        return cls.from_comments(_comments(text), _DIRECTIVE)

    @classmethod
    def from_comments(cls, comments, pattern: re.Pattern[str]) -> Suppressions:  # type: ignore[no-untyped-def]
        """Directives from (line, column, comment text) triples: Python's `#` comments, or `//` and `/* */`
        comments of JavaScript (the same directive after another comment marker)."""
        directives: list[Directive] = []
        for line, col, comment in comments:
            if MARKER not in comment:
                continue
            m = pattern.search(comment)
            if not m:
                continue
            codes = raw = None
            if m.group("codes") is not None:
                raw = _split_codes(m.group("codes"))
                codes = frozenset(c.upper() for c in raw)
            elif (bare := _BARE_CODES.match(m.group("reason"))) is not None:
                # `ignore RTM001` (no brackets) means those codes, not every code (ruff's noqa pitfall).
                codes = frozenset(c.upper() for c in _split_codes(bare.group(1)))
            span = (col + m.start("codes"), col + m.end("codes")) if raw is not None else None
            directives.append(Directive(line, col, m.group("kind").lower() == "ignore-file", codes,
                                        start=col + m.start(), end=col + len(comment.rstrip("\r\n")),
                                        codes_span=span, raw_codes=raw or (), reason=m.group("reason").strip(),
                                        marker=m.group(0)[:2] if m.group(0).startswith("/") else "#"))
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
        # Line directives first: a file-level one covering the same code is then the redundant one.
        for d in sorted(self.directives, key=lambda d: d.file_level):
            if d.covers(f.code) and (d.file_level or d.line in (f.line, f.end_line)):
                return d
        return None

    def unused(self) -> list[Directive]:
        return [d for d in self.directives if not d.used]

    def unused_findings(self, path: str, text: str, rules: Sequence[Rule]) -> list[Finding]:
        """RTM900 findings for directives (or codes in them) that silenced nothing; [] unless RTM900 ran."""
        rule = next((r for r in rules if r.code == UNUSED_CODE), None)
        if rule is None or not self.directives:
            return []
        from realtime_migrate import catalog

        ran = {r.code for r in rules}
        low = lowered(text)

        def judgeable(r: Rule) -> bool:  # it ran, or it cannot run here (no trigger or no context)
            return r.code in ran or not r.applies_to(low)

        lines = io.StringIO(text).readlines()  # the tokenizer's lines, so directive line numbers agree
        out: list[Finding] = []
        for directive, stale in self.unused_directives_or_codes():
            targets = [r for r in catalog.all_rules() if r.code != UNUSED_CODE and directive.covers(r.code)]
            if stale is None:  # bare directive: judge only when every rule could have spoken
                if not all(judgeable(r) for r in targets):
                    continue
                detail = "nothing here is reported" if not directive.file_level else "nothing in this file is reported"
            else:
                # A code naming no rule is always stale; a real one only if each rule it covers could have spoken.
                judged = [c for c in stale if all(judgeable(r) for r in targets if r.code.startswith(c.upper()))]
                if not judged:
                    continue
                unknown = [c for c in judged if not any(r.code.startswith(c.upper()) for r in catalog.all_rules())]
                detail = f"no {', '.join(judged)} finding {'in this file' if directive.file_level else 'here'}"
                if unknown:
                    detail += f" ({', '.join(unknown)}: no such rule)"
                stale = tuple(judged)
            f = _finding(rule, path, lines, directive, stale, detail)
            if not any(o.covers(UNUSED_CODE) and o.codes is not None and (o.file_level or o.line == f.line)
                       for o in self.directives):
                out.append(f)
        return out

    def unused_directives_or_codes(self) -> list[tuple[Directive, tuple[str, ...] | None]]:
        """(directive, unused codes as written) — None for a bare directive that silenced nothing."""
        out: list[tuple[Directive, tuple[str, ...] | None]] = []
        for d in self.directives:
            if d.codes is None:
                if not d.used:
                    out.append((d, None))
                continue
            stale = tuple(c for c in d.raw_codes
                          if not UNUSED_CODE.startswith(c.upper()) and not any(u.startswith(c.upper()) for u in d.used))
            if stale:
                out.append((d, stale))
        return out


def _finding(rule: Rule, path: str, lines: list[str], d: Directive, stale: tuple[str, ...] | None,
             detail: str) -> Finding:
    line_text = lines[d.line - 1] if d.line <= len(lines) else ""
    body = line_text.rstrip("\r\n")
    line_start = sum(len(x) for x in lines[:d.line - 1])
    keep = [c for c in d.raw_codes if stale is not None and c not in stale]
    if keep and d.codes_span is not None:
        a, b = d.codes_span
        edit = Edit(line_start + a, line_start + b, ", ".join(keep), d.line, a, d.line, b)
        title, unsafe = f"Remove {', '.join(stale or ())} from the suppression", False
    else:
        a, b = d.start, d.end
        while a > 0 and body[a - 1] in " \t":
            a -= 1
        if a == 0 and b >= len(body):  # the comment is the whole line: drop the line
            end = (d.line + 1, 0) if line_text != body else (d.line, len(body))
            edit = Edit(line_start, line_start + len(line_text), "", d.line, 0, *end)
        else:
            edit = Edit(line_start + a, line_start + b, "", d.line, a, d.line, b)
        title, unsafe = "Remove the unused suppression", bool(d.reason)
    fix = Fix((edit,), Applicability.UNSAFE if unsafe else Applicability.SAFE, title)
    kind = "ignore-file" if d.file_level else "ignore"
    message = rule.message.format(marker=d.marker, kind=kind, detail=detail)
    return Finding(code=rule.code, name=rule.name, message=message, path=path, line=d.line, col=d.start,
                   end_line=d.line, end_col=d.end, fix=fix, source_line=body)


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


def add_directives(text: str, findings: Sequence[Finding]) -> tuple[str, int, list[Finding]]:
    """`scan --add-suppressions` (ruff's --add-noqa): the text with `# realtime-migrate: ignore[...]`
    written on each finding's line, how many lines got one, and the findings that could not.

    A comment goes only where the tokenizer ends a logical or physical line, never inside
    a multi-line string or after a backslash; an existing directive on that line gets the
    codes merged in. Notes and RTM900 itself are never suppressed this way.
    """
    ends: set[int] = set()
    comments: dict[int, tokenize.TokenInfo] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL):
                ends.add(tok.start[0])
            elif tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text, 0, [f for f in findings if not f.is_note and f.code != UNUSED_CODE]
    wanted: dict[int, set[str]] = {}
    left: list[Finding] = []
    for f in findings:
        if f.is_note or f.code == UNUSED_CODE:
            continue
        line = next((n for n in (f.line, f.end_line) if n in ends), None)
        if line is None:
            left.append(f)
        else:
            wanted.setdefault(line, set()).add(f.code)
    lines = io.StringIO(text).readlines()
    for n, codes in wanted.items():
        raw = lines[n - 1]
        body = raw.rstrip("\r\n")
        newline = raw[len(body):]
        comment = comments.get(n)
        m = _DIRECTIVE.search(comment.string) if comment is not None else None
        if comment is not None and m is not None and m.group("codes") is not None:
            a, b = comment.start[1] + m.start("codes"), comment.start[1] + m.end("codes")
            have = list(_split_codes(body[a:b]))
            merged = have + sorted(c for c in codes if c not in {h.upper() for h in have})
            body = body[:a] + ", ".join(merged) + body[b:]
        elif m is None:
            body = body.rstrip() + f"  # realtime-migrate: ignore[{', '.join(sorted(codes))}]"
        lines[n - 1] = body + newline
    return "".join(lines), len(wanted), left

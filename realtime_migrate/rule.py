"""The declarative shape of a rule.

A rule file in `rules/` builds one `Rule`: everything a reader, the docs generator and
the test suite need, and the name of the generic matcher that finds it. Rule files
import nothing heavy, so listing rules, `--help` and the prefilter never pay for libcst.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DOCS_URL = "https://github.com/realtime-migrate/realtime-migrate/blob/main/docs/rules.md#{anchor}"


class FixAvailability(str, enum.Enum):
    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NEVER = "never"


@dataclass(frozen=True)
class Example:
    """A before/after pair shown in the docs and run by the test suite.

    `after` is the result of `fix` (safe fixes only); `unsafe_after`, when given, the
    result with `--unsafe-fixes`. `after=None` means: found, but `fix` leaves it as is.
    """

    before: str
    after: str | None = None
    unsafe_after: str | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    message: str
    matcher: str
    triggers: tuple[str, ...]
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    fix: FixAvailability
    references: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    # All-of groups: the rule applies only to a file that holds a trigger *and* one string of each
    # group (case-insensitive). A trigger such as `response.done` says where to look; a context
    # such as `realtime` says the file speaks this protocol and not the Responses API's look-alike.
    context: tuple[tuple[str, ...], ...] = ()
    # The triggers and context groups as `applies_to` compares them, encoded once: the prefilter asks
    # `context_holds` of every file in which a trigger occurs.
    _low_triggers: tuple[bytes, ...] = field(init=False, repr=False, compare=False)
    _low_context: tuple[tuple[bytes, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"RTM\d{3}", self.code):
            raise ValueError(f"rule code {self.code!r} must look like RTM001")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", self.name):
            raise ValueError(f"rule name {self.name!r} must be kebab-case")
        if not self.triggers:
            raise ValueError(f"{self.code}: a rule needs at least one trigger string")
        if any(not group or isinstance(group, str) for group in self.context):
            raise ValueError(f"{self.code}: each context group must be a non-empty tuple of strings")
        object.__setattr__(self, "_low_triggers", tuple(t.encode("utf-8").lower() for t in self.triggers))
        object.__setattr__(self, "_low_context",
                           tuple(tuple(c.encode("utf-8").lower() for c in group) for group in self.context))

    def applies_to(self, low: bytes) -> bool:
        """Whether this rule can report in a file whose bytes, lowercased, are `low`.

        The definition of where a rule runs: the engine applies it to every text it analyses, and
        the prefilter is a faster route to the same answer, so skipping a file never hides a finding.
        """
        return self.context_holds(low) and any(t in low for t in self._low_triggers)

    def context_holds(self, low: bytes) -> bool:
        return all(any(c in low for c in group) for group in self._low_context)

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"

    @property
    def doc_url(self) -> str:
        return DOCS_URL.format(anchor=self.anchor)

    def render_docs(self) -> str:
        """Markdown in ruff's fixed sections; `rule CODE` and docs/rules.md both use it."""
        fix_line = {
            FixAvailability.ALWAYS: "Fix is always available.",
            FixAvailability.SOMETIMES: "Fix is sometimes available.",
            FixAvailability.NEVER: "Fix is not available (report only).",
        }[self.fix]
        refs = ", ".join(self.references) if self.references else "—"
        parts = [
            f"## {self.name} ({self.code})",
            "",
            self.summary,
            "",
            fix_line,
            "",
            "### What it does",
            self.what.strip(),
            "",
            "### Why is this bad?",
            self.why.strip(),
            "",
            "### Example",
            "```python",
            self.example.strip("\n"),
            "```",
            "",
            "Use instead:",
            "```python",
            self.use_instead.strip("\n"),
            "```",
            "",
            "### Fix safety",
            self.fix_safety.strip(),
            "",
            "### References",
            f"docs/protocol.md rows: {refs}",
            "",
        ]
        return "\n".join(parts)


def lowered(text: str) -> bytes:
    """`text` as `Rule.applies_to` reads it: its UTF-8 bytes, ASCII-lowercased, as the prefilter
    sees a file's bytes (lone surrogates from undecodable input kept)."""
    return text.encode("utf-8", "surrogatepass").lower()

"""Counts shared by every output format, so no two formats disagree."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from realtime_migrate.model import FileError, Finding
from realtime_migrate.redact import redact


@dataclass
class Summary:
    mode: str
    findings: list[Finding]
    errors: list[FileError]
    fixed: list[Finding] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    checked: int = 0
    unsafe_enabled: bool = False
    diff: str = ""
    baselined: int = 0  # findings hidden by `scan --baseline` (already in the baseline file)

    def __post_init__(self) -> None:
        """Mask credentials in everything a format can print. Every format renders from a Summary,
        so this is the one place; the findings that `fix` applies are the Runner's, never these."""
        self.findings = [_redacted(f) for f in self.findings]
        self.fixed = [_redacted(f) for f in self.fixed]
        self.errors = [replace(e, message=redact(e.message)) for e in self.errors]
        self.diff = redact(self.diff) if self.diff else self.diff

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_note]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.is_note]

    @property
    def safe_fixable(self) -> int:
        return sum(1 for f in self.problems if f.fix is not None and f.fix.is_safe)

    @property
    def unsafe_fixable(self) -> int:
        return sum(1 for f in self.problems if f.fix is not None and not f.fix.is_safe)

    @property
    def files_with_findings(self) -> int:
        return len({f.path for f in self.problems})

    def headline(self) -> str:
        n, m = len(self.problems), self.files_with_findings
        if self.mode == "fix":
            parts = [f"Fixed {len(self.fixed)} finding{'s' * (len(self.fixed) != 1)} "
                     f"in {len(self.changed_files)} file{'s' * (len(self.changed_files) != 1)}"]
            if n:
                parts.append(f"{n} remaining in {m} file{'s' * (m != 1)}")
                if self.unsafe_fixable and not self.unsafe_enabled:
                    parts.append(f"{self.unsafe_fixable} fixable with --unsafe-fixes")
            return "; ".join(parts) + "."
        known = (f" {self.baselined} known finding{'s' * (self.baselined != 1)} hidden by the baseline."
                 if self.baselined else "")
        if not n and self.errors:  # never "All checks passed" when some files were not checked at all
            return f"No findings in the files that could be processed ({self.checked} checked).{known}"
        if not n:
            return f"All checks passed ({self.checked} file{'s' * (self.checked != 1)} checked).{known}"
        text = (f"Found {n} {'new ' if self.baselined else ''}finding{'s' * (n != 1)} in {m} file{'s' * (m != 1)}; "
                f"{self.safe_fixable} fixable with fix")
        if self.unsafe_fixable:
            text += f", {self.unsafe_fixable} more with --unsafe-fixes"
        return text + "." + known


def _redacted(f: Finding) -> Finding:
    """Source line, message and GA form are masked when the finding is made (matchers.base); the
    fix edits show source text too (a header dict re-rendered without one entry keeps the others)."""
    fix = f.fix
    if fix is not None:
        fix = replace(fix, edits=tuple(replace(e, content=redact(e.content)) for e in fix.edits))
    return replace(f, source_line=redact(f.source_line), message=redact(f.message),
                   ga_form=redact(f.ga_form) if f.ga_form else f.ga_form, fix=fix)

"""Values that cross module boundaries: findings, fixes, edits, file errors.

They are frozen dataclasses so that reporters, the cache and worker processes can
pass them around (and pickle or serialise them) without sharing state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Applicability(str, enum.Enum):
    """How far a fix may be trusted (ruff's model): safe fixes run by default."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Severity(str, enum.Enum):
    """`error` findings fail the run; `info` notes (mentions in comments, docstrings) never do."""

    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] (character offsets in the decoded file) with `content`."""

    start: int
    end: int
    content: str
    start_line: int = 0
    start_col: int = 0
    end_line: int = 0
    end_col: int = 0


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability
    title: str

    @property
    def is_safe(self) -> bool:
        return self.applicability is Applicability.SAFE


@dataclass(frozen=True)
class Finding:
    """One preview-era construct. Lines are 1-based, columns 0-based characters."""

    code: str
    name: str
    message: str
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    severity: Severity = Severity.ERROR
    fix: Fix | None = None
    ga_form: str | None = None
    source_line: str = ""
    cell: int | None = None  # notebooks: the 1-based cell number; `line` then counts within the cell

    @property
    def is_note(self) -> bool:
        return self.severity is Severity.INFO

    @property
    def where(self) -> str:
        """`line:col` (1-based column), or `cell N:line:col` in a notebook."""
        at = f"{self.line}:{self.col + 1}"
        return f"cell {self.cell}:{at}" if self.cell is not None else at

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.col, self.code)


@dataclass(frozen=True)
class FileError:
    """A file that could not be read, decoded, parsed or written; reported, never raised."""

    path: str
    message: str
    kind: str = "error"

    def one_line(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class FileResult:
    """What happened to one file in one run."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    fixed: list[Finding] = field(default_factory=list)
    changed: bool = False
    new_text: str | None = None
    old_text: str | None = None

"""RTM900 has no tree pattern: unused suppressions are found by the engine after the other
rules have reported (suppress.Suppressions.unused_findings). This visitor only lets the
rule be selected, ignored and documented like any other."""

from __future__ import annotations

from realtime_migrate.matchers.base import Matcher as _Base


class Matcher(_Base):
    """Visits nothing."""

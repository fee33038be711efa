"""Deliberately broken rules, to prove that a bug in a rule never damages a file.

Each matcher is loaded by its dotted name (`matcher="broken_rules:Name"`) and reports on
the string literal "response.audio.delta", like RTM003, but with a fix that is wrong in
one specific way. They are passed to `Runner(settings, rules=[...])`; the catalog never
sees them.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from realtime_migrate.matchers.base import Matcher, string_value
from realtime_migrate.rule import FixAvailability, Rule

TRIGGER = "response.audio.delta"


def rule(matcher: str, code: str = "RTM990") -> Rule:
    return Rule(
        code=code, name=f"test-{matcher.lower()}", summary="test only", message="test finding",
        matcher=f"broken_rules:{matcher}", triggers=(TRIGGER, "ping", "pong"), what="-", why="-", example="-",
        use_instead="-", fix_safety="-", fix=FixAvailability.ALWAYS,
    )


class _OnTrigger(Matcher):
    """Calls `fix(node)` on every literal whose value is the trigger."""

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if string_value(node) == TRIGGER:
            self.on_trigger(node)

    def on_trigger(self, node: cst.SimpleString) -> None:
        raise NotImplementedError


class BrokenOutput(_OnTrigger):
    """Its fix leaves unbalanced brackets behind."""

    def on_trigger(self, node: cst.SimpleString) -> None:
        self.report(node, edits=[self.replace(node, '")(')])


class PingPong(Matcher):
    """"ping" -> "pong" -> "ping" -> ...: never converges."""

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value in ("ping", "pong"):
            other = "pong" if value == "ping" else "ping"
            self.report(node, edits=[self.replace(node, f'"{other}"')])


class Euro(_OnTrigger):
    """Writes a character that a latin-1 file cannot hold."""

    def on_trigger(self, node: cst.SimpleString) -> None:
        self.report(node, edits=[self.replace(node, '"response.output_audio.delta €"')])


class Crash(_OnTrigger):
    """Raises, with a message spread over several lines."""

    def on_trigger(self, node: cst.SimpleString) -> None:
        raise RuntimeError("first line\nsecond line\n\tthird line")


class SelfOverlap(_OnTrigger):
    """One finding whose own edits overlap: applying half of it would be a partial fix."""

    def on_trigger(self, node: cst.SimpleString) -> None:
        start, end = self.span(node)
        self.report(node, edits=[self.make_edit(start, end, '"response.output_audio.delta"'),
                                 self.make_edit(start + 1, start + 9, "changed")])


class ConcurrentWriter(_OnTrigger):
    """A correct rename, but while it is being computed someone else saves the file."""

    NEW_CONTENT = b"# saved by the user's editor while the fix was running\n"

    def on_trigger(self, node: cst.SimpleString) -> None:
        Path(self.ctx.path).write_bytes(self.NEW_CONTENT)
        self.report(node, edits=[self.replace(node, '"response.output_audio.delta"')])

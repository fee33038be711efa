"""The protocol tables (realtime_migrate/protocol.py and docs/protocol.md) re-derived from the installed
`openai` package, which ships the preview and GA types side by side: when they disagree, the package wins.
"""

from __future__ import annotations

import re
import typing

import openai.types.beta.realtime as beta  # a test dependency: missing, the suite fails rather than skips
import openai.types.realtime as ga
from helpers import ROOT

from realtime_migrate import protocol


def union_types(union: object) -> set[str]:
    """The `type` literals of a pydantic discriminated union (Annotated[Union[...], ...])."""
    out: set[str] = set()
    args = typing.get_args(union)
    members = typing.get_args(args[0]) if args and typing.get_origin(args[0]) is typing.Union else args
    for cls in members:
        annotation = cls.model_fields["type"].annotation
        out.update(typing.get_args(annotation))
    return out


BETA_SERVER = union_types(beta.RealtimeServerEvent)
GA_SERVER = union_types(ga.RealtimeServerEvent)
BETA_CLIENT = union_types(beta.RealtimeClientEvent)
GA_CLIENT = union_types(ga.RealtimeClientEvent)


def test_union_sizes_match_the_reference() -> None:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert f"The preview union has {len(BETA_CLIENT)} client event types, the GA union {len(GA_CLIENT)}" in text
    assert f"The preview union has {len(BETA_SERVER)} server event types, the GA union {len(GA_SERVER)}" in text


def test_ga_event_sets() -> None:
    assert protocol.GA_SERVER_EVENTS == GA_SERVER
    assert protocol.GA_CLIENT_EVENTS == GA_CLIENT
    assert BETA_CLIENT - GA_CLIENT == protocol.BETA_ONLY_CLIENT_EVENTS


def test_renames_leave_preview_names_and_land_on_ga_names() -> None:
    for old, new in protocol.SERVER_EVENT_RENAMES.items():
        assert old not in GA_SERVER, old
        assert new in GA_SERVER, new
    # Every preview server event that GA lacks is renamed (the table's one extra entry is a spec-only name).
    assert BETA_SERVER - GA_SERVER <= set(protocol.SERVER_EVENT_RENAMES)


def test_no_preview_name_is_a_substring_of_a_ga_name() -> None:
    """The whole-literal rename is idempotent (docs/protocol.md section I, point 1)."""
    for old in protocol.SERVER_EVENT_RENAMES:
        assert not any(old in name for name in GA_SERVER | GA_CLIENT), old


def test_reference_rename_rows_are_the_rename_table() -> None:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| D[1-7] \| `([a-z_.]+)` \| `([a-z_.]+)`", text, re.MULTILINE))
    assert len(rows) == 7
    assert all(protocol.SERVER_EVENT_RENAMES[old] == new for old, new in rows.items())


def test_preview_only_prefixes_select_only_renamed_names() -> None:
    """`startswith("response.audio")` selects exactly names that GA renamed (issue #12, section 4)."""
    for prefix in protocol.PREVIEW_ONLY_PREFIXES:
        assert not any(name.startswith(prefix) for name in GA_SERVER | GA_CLIENT), prefix
        assert any(name.startswith(prefix) for name in BETA_SERVER), prefix

"""Precise triggers and `Rule.context` (issue #7): fewer files analysed, no realtime finding lost.

The catalog's triggers were broad (`response.create` also matched `response.created`,
`types.beta` every assistants import, `response.text` every HTTP client), so a tenth of the
openai package was parsed for nothing. These tests pin both sides of the narrowing: code of
other APIs that share event names is not analysed at all, and every realtime spelling the
matchers read still is, and is still found.
"""

from __future__ import annotations

import pytest
from helpers import scan_text

from realtime_migrate import catalog
from realtime_migrate.prefilter import Prefilter

PREFILTER = Prefilter(catalog.all_rules())


def _codes(text: str) -> set[str]:
    return {r.code for r in PREFILTER.rules_for(text.encode("utf-8"))}


NOT_REALTIME = {
    "httpx response body": "r = httpx.get(url)\nprint(response.text.strip(), response.audio)\n",
    "assistants import": "from openai.types.beta import Assistant\nfrom openai.resources.beta import Threads\n",
    "Responses API websocket": (
        "async def turn(conn, text):\n"
        "    conn.response.create(model='gpt-5', input=text, temperature=0.2)\n"
        "    await conn.send({'type': 'response.create', 'model': 'gpt-5', 'voice': 'x', 'temperature': 0.2})\n"
        "    async for ev in conn:\n"
        "        if ev.type == 'response.created':\n"
        "            print(ev.response.temperature, ev.response.id)\n"
    ),
    "Responses API stream": (
        "for ev in client.responses.create(model='m', input='hi', stream=True):\n"
        "    if ev.type == 'response.output_item.added':\n"
        "        print(ev.item.content)\n"
    ),
    "event name in prose only": "# we used to send response.create after session updates\nX = 1\n",
}


@pytest.mark.parametrize("text", NOT_REALTIME.values(), ids=NOT_REALTIME.keys())
def test_other_apis_are_not_analysed(text: str) -> None:
    assert _codes(text) == set()
    assert scan_text(text) == []


REALTIME = {
    # spelling → a rule that must report on it
    "SDK call, no other marker": ('conn.response.create(response={"modalities": ["text"]})\n', "RTM013"),
    "event dict, no other marker": ('ev = {"type": "response.create", "response": {"voice": "ash"}}\n', "RTM013"),
    "JSON text with escaped quotes": (
        'MSG = "{\\"type\\": \\"session.update\\", \\"session\\": {\\"voice\\": \\"ash\\"}}"\n', "RTM011"),
    "single-quoted session.update": ("ws.send(json.dumps({'type': 'session.update', 'session': {'voice': 'a'}}))\n",
                                     "RTM011"),
    "startswith a preview prefix": ("def audio(t):\n    return t.startswith('response.audio')\n", "RTM003"),
    "beta parent import": ("from openai.types.beta import realtime\nx = realtime.SessionUpdateEvent\n", "RTM021"),
    "field read under a realtime type check": (
        "def on(ev):\n    if ev.type == 'session.updated':\n        return ev.session.voice\n", "RTM027"),
}


@pytest.mark.parametrize("text,code", REALTIME.values(), ids=REALTIME.keys())
def test_realtime_spellings_are_still_found(text: str, code: str) -> None:
    assert code in _codes(text)
    assert code in {f.code for f in scan_text(text)}, "kept by the prefilter but the rule found nothing"


def test_field_words_cover_the_matchers_tables() -> None:
    """RTM027's context must hold in every file where its matcher can report a field."""
    from realtime_migrate.matchers import event_field_reads as m

    words = next(r for r in catalog.all_rules() if r.code == "RTM027").context[1]
    for field in [*m.SESSION_FIELDS, *m.RESPONSE_FIELDS]:
        assert any(w in field for w in words), field
    assert "content" in words  # the assistant content types are read under `.content[i].type`


def test_payload_events_have_quoted_triggers() -> None:
    """Each event the payload matcher reads (as a literal or an SDK call) is a trigger of its rules."""
    from realtime_migrate.matchers.payload_model import EVENT_PAYLOAD

    payload_rules = [r for r in catalog.all_rules() if r.matcher == "session_payload"]
    for event in EVENT_PAYLOAD:
        for form in (f'"{event}"', f"'{event}'", f"conn.{event}(x)", f'\\"{event}\\"'):
            assert any(t in form for r in payload_rules for t in r.triggers), form

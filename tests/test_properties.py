"""Property tests over the whole catalog: random preview-era programs, fixed, are valid and stable.

A program is composed of random preview constructs (header dicts and lists, sub-protocol
lists, header statements, Azure URLs, event names in comparisons, dicts, tuples and
`match`, session / response / item payloads, beta SDK calls and imports, suppression
comments), laid out at random (indentation unit, quotes, one line or one element per line,
trailing commas, comments on elements and between statements, nesting in functions,
methods and blocks, LF / CRLF / mixed newlines). Then, with safe fixes and with unsafe
fixes too:

* the result parses (libcst) and compiles;
* a second `fix` changes nothing;
* no finding with a fix of the applied kind is left;
* a safe fix keeps every comment (suppression comments excepted: RTM900 removes stale ones).

It runs with `catalog.all_rules()`, so rules added later are exercised as they land.
`RTM_HYPOTHESIS_PROFILE=long` runs 2,000 examples instead of 60 (`RTM_HYPOTHESIS_EXAMPLES=N`: N).
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime_migrate import catalog, engine
from realtime_migrate.engine import _choose
from realtime_migrate.model import Edit

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=int(os.environ.get("RTM_HYPOTHESIS_EXAMPLES", "2000")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("RTM_HYPOTHESIS_PROFILE", "default"))

# Rules left out of the composed programs, each with the bug that would otherwise fail the test.
EXCLUDED: dict[str, str] = {}
RULES = tuple(r for r in catalog.all_rules() if r.code not in EXCLUDED)

Line = tuple[int, str]  # (indent level relative to the snippet, text)


@dataclass(frozen=True)
class Style:
    q: str  # quote character
    multiline: bool  # containers one element per line
    trailing_comma: bool
    comments: bool  # comments on elements


def lit(style: Style, value: str) -> str:
    return f"{style.q}{value}{style.q}"


COMMENTS = ["# keep this", "# TODO: GA", "# why: server sends it", "# noqa: E501", "#: doc comment"]


def container(draw: st.DrawFn, style: Style, open_: str, close: str, items: list[str]) -> list[Line]:
    """`items` as one expression: on one line, or one per line with optional comments."""
    if not style.multiline or not items:
        body = ", ".join(items) + ("," if style.trailing_comma and items and open_ != "(" else "")
        if open_ == "(" and len(items) == 1:
            body = items[0] + ","
        return [(0, f"{open_}{body}{close}")]
    lines: list[Line] = [(0, open_)]
    for i, item in enumerate(items):
        comma = "," if i < len(items) - 1 or style.trailing_comma or (open_ == "(" and len(items) == 1) else ""
        comment = f"  {draw(st.sampled_from(COMMENTS))}" if style.comments and draw(st.booleans()) else ""
        lines.append((1, f"{item}{comma}{comment}"))
    lines.append((0, close))
    return lines


def assign(target: str, value: list[Line], suffix: str = "") -> list[Line]:
    first = [(value[0][0], f"{target}{value[0][1]}")]
    rest = value[1:]
    if rest:
        rest = rest[:-1] + [(rest[-1][0], rest[-1][1] + suffix)]
    else:
        first = [(first[0][0], first[0][1] + suffix)]
    return first + rest


def nest(value: list[Line], depth: int = 1) -> list[Line]:
    return [(level + depth, text) for level, text in value]


def inline(value: list[Line]) -> str | None:
    return value[0][1] if len(value) == 1 else None


# -- the constructs -----------------------------------------------------------------------------

def header_pairs(draw: st.DrawFn, style: Style) -> list[tuple[str, str]]:
    name = draw(st.sampled_from(["OpenAI-Beta", "openai-beta", "OPENAI-BETA"]))
    pairs = [(lit(style, "Authorization"), f"f{lit(style, 'Bearer {api_key}')}"),
             (lit(style, name), lit(style, "realtime=v1"))]
    if draw(st.booleans()):
        pairs.append((lit(style, "Content-Type"), lit(style, "application/json")))
    if draw(st.booleans()):
        pairs.append((lit(style, "OpenAI-Beta"), lit(style, "assistants=v2")))  # another API: never touched
    return draw(st.permutations(pairs))


def headers_dict(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    pairs = header_pairs(draw, style)
    value = container(draw, style, "{", "}", [f"{k}: {v}" for k, v in pairs])
    shape = draw(st.sampled_from(["assign", "call", "update"]))
    if shape == "assign":
        return assign("headers = ", value)
    if shape == "update":
        return assign("headers.update(", value, ")")
    prefix = "async with " if is_async else "with "
    call = assign(f"{prefix}websockets.connect(url, additional_headers=", value, ") as ws:")
    return call + [(1, "pass")]


def headers_list(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    pairs = header_pairs(draw, style)
    tuples = [f"({k}, {v})" for k, v in pairs]
    if draw(st.booleans()):
        tuples.append(lit(style, "OpenAI-Beta: realtime=v1"))
    return assign("extra_headers = ", container(draw, style, "[", "]", tuples))


def header_statement(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    return [(0, draw(st.sampled_from([
        f"headers[{lit(style, 'OpenAI-Beta')}] = {lit(style, 'realtime=v1')}",
        f"req.add_header({lit(style, 'OpenAI-Beta')}, {lit(style, 'realtime=v1')})",
        f"session.headers[{lit(style, 'openai-beta')}] = {lit(style, 'realtime=v1')}  # preview",
    ])))]


def subprotocols(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    items = [lit(style, "realtime"), f"f{lit(style, 'openai-insecure-api-key.{api_key}')}",
             lit(style, "openai-beta.realtime-v1")]
    return assign("protocols = ", container(draw, style, "[", "]", draw(st.permutations(items))))


def azure_url(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    version = draw(st.sampled_from(["2024-10-01-preview", "2025-04-01-preview"]))
    host = "wss://{resource}.openai.azure.com"
    url = draw(st.sampled_from([
        f"f{lit(style, host + '/openai/realtime?api-version=' + version + '&deployment={deployment}')}",
        lit(style, f"wss://contoso.openai.azure.com/openai/realtime?api-version={version}&deployment=gpt-4o-realtime-preview"),
        lit(style, f"wss://contoso.openai.azure.com/openai/realtime?deployment=my-dep&api-version={version}"),
    ]))
    return [(0, f"url = {url}")]


PREVIEW_EVENTS = ["response.text.delta", "response.text.done", "response.audio.delta", "response.audio.done",
                  "response.audio_transcript.delta", "response.audio_transcript.done",
                  "transcription_session.updated"]
GA_EVENTS = ["response.output_text.delta", "response.output_audio.delta", "session.updated", "response.done",
             "conversation.item.created", "conversation.item.added", "error"]


def event_compare(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    names = draw(st.lists(st.sampled_from(PREVIEW_EVENTS + GA_EVENTS), min_size=1, max_size=4))
    key = lit(style, "type")
    lines: list[Line] = []
    for i, name in enumerate(names):
        kw = "if" if i == 0 else "elif"
        test = draw(st.sampled_from([f"event[{key}] == {lit(style, name)}", f"{lit(style, name)} == etype",
                                     f"etype in ({lit(style, name)}, {lit(style, draw(st.sampled_from(GA_EVENTS)))})",
                                     f"etype.startswith({lit(style, name)})"]))
        lines += [(0, f"{kw} {test}:"), (1, f"handle({i})")]
    return lines


def event_table(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    names = draw(st.lists(st.sampled_from(PREVIEW_EVENTS + GA_EVENTS), min_size=1, max_size=5, unique=True))
    kind = draw(st.sampled_from(["dict", "tuple", "set", "list"]))
    if kind == "dict":
        entries = [f"{lit(style, n)}: on_{i}" for i, n in enumerate(names)]
        return assign("HANDLERS = ", container(draw, style, "{", "}", entries))
    open_, close = {"tuple": ("(", ")"), "set": ("{", "}"), "list": ("[", "]")}[kind]
    return assign("EVENTS = ", container(draw, style, open_, close, [lit(style, n) for n in names]))


def event_match(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    names = draw(st.lists(st.sampled_from(PREVIEW_EVENTS + GA_EVENTS), min_size=1, max_size=3, unique=True))
    lines: list[Line] = [(0, f"match event[{lit(style, 'type')}]:")]
    for i, name in enumerate(names):
        pattern = lit(style, name)
        if draw(st.booleans()):
            pattern += f" | {lit(style, draw(st.sampled_from(GA_EVENTS)))}"
        lines += [(1, f"case {pattern}:"), (2, f"handle({i})")]
    lines += [(1, "case _:"), (2, "pass")]
    return lines


SESSION_FIELDS = {
    "modalities": ['["audio", "text"]', '["text"]'],
    "voice": ['"alloy"', '"verse"'],
    "input_audio_format": ['"pcm16"', '"g711_ulaw"'],
    "output_audio_format": ['"pcm16"', '"g711_alaw"'],
    "input_audio_transcription": ['{"model": "whisper-1"}'],
    "turn_detection": ['{"type": "server_vad", "threshold": 0.5}', "None"],
    "temperature": ["0.8"],
    "max_response_output_tokens": ['"inf"', "512"],
    "instructions": ['"Be brief."'],
    "tools": ["[]"],
}


def _requote(style: Style, code: str) -> str:
    return code.replace('"', style.q)


def payload_fields(draw: st.DrawFn, style: Style, pool: dict[str, list[str]]) -> list[str]:
    keys = draw(st.lists(st.sampled_from(sorted(pool)), min_size=1, max_size=5, unique=True))
    return [f"{lit(style, k)}: {_requote(style, draw(st.sampled_from(pool[k])))}" for k in keys]


def session_payload(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    event_type = draw(st.sampled_from(["session.update", "transcription_session.update"]))
    fields = payload_fields(draw, style, SESSION_FIELDS)
    session = container(draw, style, "{", "}", fields)
    if inline(session) is not None:
        body = f"{{{lit(style, 'type')}: {lit(style, event_type)}, {lit(style, 'session')}: {inline(session)}}}"
        lines: list[Line] = [(0, f"event = {body}")]
    else:
        lines = [(0, f"event = {{{lit(style, 'type')}: {lit(style, event_type)}, {lit(style, 'session')}: {{")]
        lines += nest(session[1:-1]) + [(0, "}}")]
    send = "await ws.send" if is_async else "ws.send"
    return lines + [(0, f"{send}(json.dumps(event))")]


def response_create(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    pool = {k: SESSION_FIELDS[k] for k in ("modalities", "voice", "output_audio_format", "temperature",
                                           "max_response_output_tokens", "instructions")}
    response = container(draw, style, "{", "}", payload_fields(draw, style, pool))
    body = inline(response)
    head = f"ws.send(json.dumps({{{lit(style, 'type')}: {lit(style, 'response.create')}, {lit(style, 'response')}: "
    if body is None:
        return [(0, head + "{")] + nest(response[1:-1]) + [(0, "}}))")]
    return [(0, f"{head}{body}}}))")]


def conversation_item(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    role = draw(st.sampled_from(["assistant", "user", "system"]))
    part = draw(st.sampled_from(["text", "audio", "input_text"]))
    payload = (f"{{{lit(style, 'type')}: {lit(style, 'conversation.item.create')}, {lit(style, 'item')}: "
               f"{{{lit(style, 'type')}: {lit(style, 'message')}, {lit(style, 'role')}: {lit(style, role)}, "
               f"{lit(style, 'content')}: [{{{lit(style, 'type')}: {lit(style, part)}, {lit(style, 'text')}: "
               f"{lit(style, 'hi')}}}]}}}}")
    return [(0, f"item_event = {payload}")]


def sdk_usage(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    model = lit(style, draw(st.sampled_from(["gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview-2024-12-17",
                                             "gpt-realtime"])))
    if is_async:
        return [(0, f"async with client.beta.realtime.connect(model={model}) as conn:"),
                (1, f"await conn.session.update(session={{{lit(style, 'modalities')}: [{lit(style, 'text')}]}})"),
                (1, "async for event in conn:"),
                (2, f"if event.type == {lit(style, 'response.text.delta')}:"),
                (3, "print(event.delta)")]
    return [(0, f"conn = client.beta.realtime.connect(model={model})"),
            (0, f"secret = client.beta.realtime.sessions.create(model={model}, voice={lit(style, 'verse')})")]


def ephemeral_http(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    url = draw(st.sampled_from(["https://api.openai.com/v1/realtime/sessions",
                                "https://api.openai.com/v1/realtime/transcription_sessions",
                                "https://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview"]))
    return [(0, f"resp = requests.post({lit(style, url)}, headers=headers, json=body)"),
            (0, f"token = resp.json()[{lit(style, 'client_secret')}][{lit(style, 'value')}]")]


def suppressed(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    code = draw(st.sampled_from(["", "[RTM003]", "[RTM001]", "[RTM003, RTM001]"]))
    name = draw(st.sampled_from(PREVIEW_EVENTS + GA_EVENTS))
    return [(0, f"LEGACY = {lit(style, name)}  # realtime-migrate: ignore{code}")]


def plain(draw: st.DrawFn, style: Style, is_async: bool) -> list[Line]:
    return [(0, draw(st.sampled_from(["x = 1", "pass", f"log({lit(style, 'response.audio.delta is gone')})",
                                      f'"""Handles {draw(st.sampled_from(PREVIEW_EVENTS))} events."""',
                                      "# response.audio.delta was renamed"])))]


SNIPPETS: list[Callable[[st.DrawFn, Style, bool], list[Line]]] = [
    headers_dict, headers_list, header_statement, subprotocols, azure_url, event_compare, event_table,
    event_match, session_payload, response_create, conversation_item, sdk_usage, ephemeral_http, suppressed, plain,
]


@st.composite
def programs(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["    ", "  ", "\t"]))
    style = Style(q=draw(st.sampled_from(['"', "'"])), multiline=draw(st.booleans()),
                  trailing_comma=draw(st.booleans()), comments=draw(st.booleans()))
    lines: list[Line] = [(0, "import json"), (0, "import websockets"), (0, "")]
    for _ in range(draw(st.integers(1, 4))):
        snippet = draw(st.sampled_from(SNIPPETS))
        wrapper = draw(st.sampled_from(["top", "def", "async def", "method", "if", "try"]))
        is_async = wrapper in ("async def", "method")
        body = snippet(draw, style, is_async)
        if draw(st.booleans()):
            body = [(0, draw(st.sampled_from(COMMENTS)))] + body
        body = body + [(0, "pass")]  # a block of comments alone is no block
        if wrapper == "top":
            block = body
        elif wrapper in ("def", "async def"):
            block = [(0, f"{wrapper} handler(event, ws, etype):")] + nest(body)
        elif wrapper == "method":
            block = [(0, "class Client:"), (1, "async def run(self, event, ws, etype):")] + nest(body, 2)
        elif wrapper == "if":
            block = [(0, "if DEBUG:")] + nest(body)
        else:
            block = [(0, "try:")] + nest(body) + [(0, "except Exception:  # fall back"), (1, "raise")]
        lines += block + [(0, "")]
    newline = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    out = []
    for level, text in lines:
        end = draw(st.sampled_from(["\n", "\r\n"])) if newline == "mixed" else newline
        out.append((unit * level + text if text else "") + end)
    return "".join(out)


def _comments(text: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return sorted(t.string for t in tokens if t.type == tokenize.COMMENT and "realtime-migrate:" not in t.string)


def _check(text: str, unsafe: bool) -> None:
    assert engine.compiles(text), "the generator made invalid code:\n" + text
    outcome = engine.fix_text("case.py", text, RULES, unsafe=unsafe)
    fixed = outcome.text
    cst.parse_module(fixed)
    assert engine.compiles(fixed), f"unsafe={unsafe}: fix output does not compile:\n{fixed}"
    left = [f for f in outcome.remaining if f.fix is not None and not f.is_note and (f.fix.is_safe or unsafe)]
    assert not left, f"unsafe={unsafe}: fixable findings left after fix: {[(f.code, f.line) for f in left]}\n{fixed}"
    again = engine.fix_text("case.py", fixed, RULES, unsafe=unsafe)
    assert again.text == fixed, f"unsafe={unsafe}: a second fix changed the code:\n{fixed}\n---\n{again.text}"
    if not unsafe:
        lost = set(_comments(text)) - set(_comments(fixed))
        assert not lost, f"safe fix lost comments {lost}:\n{text}\n---\n{fixed}"


@given(programs())
def test_fix_is_valid_stable_and_complete(text: str) -> None:
    _check(text, unsafe=False)
    _check(text, unsafe=True)


# -- the engine's edit selection against the simple quadratic definition -------------------------

def _reference_choose(groups):  # type: ignore[no-untyped-def]
    chosen: list[Edit] = []
    taken: list[tuple[int, int]] = []
    fixed = []
    for finding, edits in groups:
        if engine._self_overlapping(edits):
            continue
        if all(e in chosen or not any(e.start < b and a < e.end or e.start == e.end == a for a, b in taken)
               for e in edits):
            for e in edits:
                if e not in chosen:
                    chosen.append(e)
                    taken.append((e.start, e.end))
            fixed.append(finding)
    return chosen, fixed


edits = st.builds(lambda s, n, c: Edit(s, s + n, c), st.integers(0, 30), st.sampled_from([0, 0, 1, 2, 3, 7]),
                  st.sampled_from(["", "x", "yy"]))


@settings(max_examples=500)
@given(st.lists(st.lists(edits, min_size=1, max_size=3), max_size=12))
def test_edit_selection_matches_its_definition(groups_edits: list[list[Edit]]) -> None:
    groups = [(i, tuple(es)) for i, es in enumerate(groups_edits)]
    chosen, fixed = _choose(groups)  # type: ignore[arg-type]
    assert (chosen, fixed) == _reference_choose(groups)
    text = "abcdefghij" * 4
    assert len(engine.apply_edits(text, chosen)[1]) == len(chosen)  # nothing chosen is dropped when applied

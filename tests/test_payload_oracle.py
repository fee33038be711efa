"""The payload rules (RTM010-RTM014) must produce *valid GA*: checked against the openai package.

Every realtime payload literal in the fixed fixtures and rule examples (event dicts with a client
event `"type"`, and the `session=` / `response=` / `item=` arguments of realtime SDK calls) is
evaluated with `ast.literal_eval` and validated with pydantic against the GA `*Param` types of the
installed openai package, with unknown keys forbidden (a GA server rejects them). Payloads on a
line that still has a finding after the fix (deliberately unfixable cases) are skipped; the
oracle itself is checked to reject the preview payloads of the same fixtures.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, Union

import pytest
from helpers import FIXTURES, scan_text
from pydantic import ConfigDict, TypeAdapter, ValidationError

from realtime_migrate import catalog, engine
from realtime_migrate.ga.validate import validate_client_event, validate_client_secret_body

openai_realtime = pytest.importorskip("openai.types.realtime")
from openai.types.realtime import RealtimeClientEventParam  # noqa: E402
from openai.types.realtime.client_secret_create_params import ClientSecretCreateParams  # noqa: E402
from openai.types.realtime.response_create_event_with_references_param import (  # noqa: E402
    ResponseCreateEventWithReferencesParam,
)

CODES = ("RTM010", "RTM011", "RTM012", "RTM013", "RTM014")
RULES = tuple(r for r in catalog.all_rules() if r.code in CODES)
# `config` only applies to a union; pydantic validates `Iterable` fields lazily, so a union would pick
# its first member before the items are checked: response.create is validated on its own, with the
# with-references variant that `conn.send()` accepts.
EVENT = TypeAdapter(Union[RealtimeClientEventParam, None], config=ConfigDict(extra="forbid"))  # noqa: UP007
RESPONSE = TypeAdapter(Union[ResponseCreateEventWithReferencesParam, None], config=ConfigDict(extra="forbid"))  # noqa: UP007
SECRET = TypeAdapter(Union[ClientSecretCreateParams, None], config=ConfigDict(extra="forbid"))  # noqa: UP007
CLIENT_EVENTS = {"session.update", "response.create", "conversation.item.create", "transcription_session.update"}
SDK = {("session", "update"): ("session.update", "session"), ("response", "create"): ("response.create", "response"),
       ("item", "create"): ("conversation.item.create", "item")}


def _force(value: Any) -> None:
    """pydantic validates `Iterable[...]` fields lazily: iterate them so their items are checked too."""
    if isinstance(value, dict):
        for v in value.values():
            _force(v)
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "ValidatorIterator":
        for v in value:
            _force(v)


def validate(payload: dict[str, Any], secret: bool = False) -> None:
    adapter = SECRET if secret else RESPONSE if payload.get("type") == "response.create" else EVENT
    result = adapter.validate_python(payload)
    assert result is not None
    _force(result)


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def payloads(text: str) -> list[tuple[int, int, dict[str, Any], bool]]:
    """(first line, last line, GA-wrapped payload, is client_secrets body) for every literal payload
    (dict literals, SDK keyword arguments, and JSON text in string literals)."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lstrip().startswith("{"):
            try:
                value = json.loads(node.value)
            except ValueError:
                continue
            if isinstance(value, dict) and value.get("type") in CLIENT_EVENTS:
                out.append((node.lineno, node.end_lineno or node.lineno, value, False))
        elif isinstance(node, ast.Dict):
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if "type" in keys:
                type_value = node.values[keys.index("type")]
                if isinstance(type_value, ast.Constant) and type_value.value in CLIENT_EVENTS:
                    value = _literal(node)
                    completed_later = {"session.update": "session", "conversation.item.create": "item"}
                    if isinstance(value, dict) and completed_later.get(value["type"], "type") not in value:
                        continue  # `event = {"type": ...}; event["session"] = ...`: built in steps
                    if isinstance(value, dict):
                        out.append((node.lineno, node.end_lineno or node.lineno, value, False))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            owner = func.value.attr if isinstance(func.value, ast.Attribute) else None
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            if (owner, func.attr) in SDK:
                event, key = SDK[(owner, func.attr)]
                value = _literal(kwargs[key]) if key in kwargs else None
                if isinstance(value, dict):
                    out.append((node.lineno, node.end_lineno or node.lineno, {"type": event, key: value}, False))
            elif owner == "client_secrets" and func.attr == "create" and "session" in kwargs:
                body = {k: _literal(v) for k, v in kwargs.items()}
                if all(isinstance(v, dict) for v in body.values()):
                    out.append((node.lineno, node.end_lineno or node.lineno, body, True))
    return out


def _fixture_texts() -> list[tuple[str, str]]:
    cases = []
    for code in CODES:
        for path in sorted((FIXTURES / "rules" / code).glob("*.py")):
            if not path.name.startswith("negative_"):
                cases.append((f"{code}/{path.name}", path.read_text(encoding="utf-8")))
    for rule in RULES:
        for i, ex in enumerate(rule.examples):
            cases.append((f"{rule.code}-example{i}", ex.before))
    return cases


CASES = _fixture_texts()


def _remaining_lines(text: str) -> set[int]:
    lines: set[int] = set()
    for f in engine.analyse("case.py", text, RULES):
        lines.update(range(f.line, f.end_line + 1))
    return lines


@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_fixed_payloads_are_valid_ga(name: str, text: str) -> None:
    fixed = engine.fix_text("case.py", text, RULES).text
    remaining = _remaining_lines(fixed)
    for first, last, payload, secret in payloads(fixed):
        if remaining & set(range(first, last + 1)):
            continue
        try:
            validate(payload, secret)
        except ValidationError as exc:
            pytest.fail(f"{name}:{first}: fixed payload is not valid GA: {payload}\n{exc}")
        # Second opinion: the strict GA simulator's validator (unknown keys are errors there too).
        violation = validate_client_secret_body(payload) if secret else validate_client_event(payload)
        assert violation is None, f"{name}:{first}: the GA simulator rejects {payload}: {violation}"


def test_oracle_rejects_the_preview_payloads() -> None:
    """The oracle can fail: the unfixed positive fixtures hold payloads that GA rejects."""
    rejected = checked = 0
    for name, text in CASES:
        if "/positive_" not in name:
            continue
        for _, _, payload, secret in payloads(text):
            checked += 1
            try:
                validate(payload, secret)
            except ValidationError:
                rejected += 1
    assert checked >= 15 and rejected >= 12, (checked, rejected)


def test_oracle_checks_enough_fixed_payloads() -> None:
    validated = 0
    for _, text in CASES:
        fixed = engine.fix_text("case.py", text, RULES).text
        remaining = _remaining_lines(fixed)
        validated += sum(1 for first, last, _, _ in payloads(fixed) if not remaining & set(range(first, last + 1)))
    assert validated >= 25, validated


@pytest.mark.parametrize("payload", [
    {"type": "session.update", "session": {"type": "realtime", "voice": "alloy"}},
    {"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"format": "pcm16"}}}},
    {"type": "session.update", "session": {"modalities": ["text"]}},
    {"type": "conversation.item.create", "item": {"type": "message", "role": "assistant",
                                                  "content": [{"type": "text", "text": "x"}]}},
    {"type": "response.create", "response": {"temperature": 0.5}},
    {"type": "transcription_session.update", "session": {}},
])
def test_oracle_rejects_known_preview_shapes(payload: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        validate(payload)


def test_scan_of_fixed_fixture_has_no_safe_fix_left() -> None:
    """All five rules together converge (their edits overlap: session dict vs `type` insertion)."""
    for name, text in CASES:
        fixed = engine.fix_text("case.py", text, RULES).text
        left = [f for f in scan_text(fixed) if f.code in CODES and f.fix is not None and f.fix.is_safe]
        assert not left, (name, left)


def test_paths_exist() -> None:
    assert Path(FIXTURES / "rules" / "RTM011").is_dir()

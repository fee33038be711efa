"""A preview session / response object literal in its GA shape: the moves of `ga_tables`, as JavaScript."""

from __future__ import annotations

import json
from typing import Any

from realtime_migrate.javascript.context import _Ctx
from realtime_migrate.javascript.nodes import _literal, _pairs, _value


class _Reshape:
    """A preview session / response object literal in its GA shape (the moves of `ga_session`)."""

    def __init__(self, ctx: _Ctx, obj: Any, part: str, kind: str | None = None, unproven: bool = False) -> None:
        from realtime_migrate import ga_tables as ga

        self.ctx, self.obj, self.part, self.ga = ctx, obj, part, ga
        self.kind = kind
        self.unproven = unproven  # not seen being sent as the session: the rewrite needs a review

    def _format(self, node: Any) -> str | None:
        value = _literal(self.ctx, node)
        spec = self.ga.AUDIO_FORMATS.get(value or "")
        if spec is None:
            return None
        return "{ " + ", ".join(f"{k}: {json.dumps(v)}" for k, v in spec) + " }"

    def _modalities(self, node: Any) -> str | None:
        if node.type != "array":
            return None
        items = [_literal(self.ctx, c) for c in node.named_children]
        if None in items or not items:
            return None
        return '["text"]' if items == ["text"] else '["audio"]'

    def plan(self) -> tuple[list[str], list[tuple[str, Any, str, str]], bool] | None:
        """(kept member texts, moves (key, node, ga path, message), has_type); None when it cannot be rewritten."""
        ctx, ga = self.ctx, self.ga
        members = _pairs(ctx, self.obj)
        preview = {"modalities", "max_response_output_tokens", "temperature",
                   *(ga.RESPONSE_AUDIO_MOVES if self.part == "response" else ga.SESSION_AUDIO_MOVES)}
        has_type = any(k == "type" for k, _ in members)
        if not any(k in preview for k, _ in members):
            if self.part != "session" or has_type or any(k is None for k, _ in members):
                return [], [], True  # nothing preview here (GA already, or not ours to complete)
            return [f'type: "{self.kind or "realtime"}"', *(ctx.src(p) for _, p in members)], [], False
        if any(k is None for k, _ in members) or any(k == "audio" for k, _ in members):
            return None
        moves_table = ga.RESPONSE_AUDIO_MOVES if self.part == "response" else ga.SESSION_AUDIO_MOVES
        kept: list[str] = []
        audio: dict[str, list[str]] = {"input": [], "output": []}
        moves: list[tuple[str, Any, str, str]] = []
        left = False
        has_type = any(k == "type" for k, _ in members)
        for key, pair in members:
            value = _value(pair)
            code = ctx.src(value) if value is not None else key
            if key in moves_table:
                sub, ga_key = moves_table[key]
                if key in ga.FORMAT_KEYS:
                    code = self._format(value)
                    if code is None:
                        left = True
                        moves.append((key, pair, f"audio.{sub}.{ga_key}", f"`{key}`: value is not a literal format "
                                      "name: write the GA format object by hand"))
                        continue
                audio[sub].append(f"{ga_key}: {code}")
                moves.append((key, pair, f"audio.{sub}.{ga_key}", f"`{key}` moved to `audio.{sub}.{ga_key}` in GA"))
            elif key == "modalities":
                mapped = self._modalities(value)
                if mapped is None:
                    left = True
                    moves.append((key, pair, "output_modalities", "`modalities`: value is not a literal: use "
                                  '["audio"] or ["text"]'))
                    continue
                kept.append(f"output_modalities: {mapped}")
                moves.append((key, pair, "output_modalities", "`modalities` is `output_modalities` in GA, and cannot "
                              'ask for both text and audio: use ["audio"]'))
            elif key == "max_response_output_tokens":
                kept.append(f"max_output_tokens: {code}")
                moves.append((key, pair, "max_output_tokens", "`max_response_output_tokens` is `max_output_tokens` "
                              "in GA"))
            elif key == "temperature":
                moves.append((key, pair, "", "`temperature` was removed in GA: the server rejects it"))
            else:
                kept.append(ctx.src(pair))
        groups = [f"{sub}: {{ {', '.join(items)} }}" for sub, items in audio.items() if items]
        if groups:
            kept.append(f"audio: {{ {', '.join(groups)} }}")
        if self.part == "session" and not has_type:
            kept.insert(0, f'type: "{self.kind or "realtime"}"')
        return (None if left else kept), moves, has_type  # type: ignore[return-value]

    def render(self, kept: list[str]) -> str:
        ctx = self.ctx
        src = ctx.src(self.obj)
        if "\n" not in src:
            return "{ " + ", ".join(kept) + " }" if kept else "{}"
        first = next((c for c in self.obj.named_children if c.type != "comment"), None)
        start = ctx.span(first)[0] if first is not None else ctx.span(self.obj)[0]
        indent = ctx.text[ctx.text.rfind("\n", 0, start) + 1:start]
        close = ctx.text[ctx.text.rfind("\n", 0, ctx.span(self.obj)[1]) + 1:ctx.span(self.obj)[1] - 1]
        return "{\n" + "".join(f"{indent}{k},\n" for k in kept) + close + "}"

    def nested(self, planned: tuple[list[str], list[tuple[str, Any, str, str]], bool] | None) -> str | None:
        """The ephemeral-key body, `{ session: { type, ...GA fields } }`, on one line or in the object's layout;
        `planned` is this object's `plan()` (the caller reports its moves too)."""
        if planned is None or planned[0] is None:
            return None
        kept = planned[0]
        inner = self.render(kept)
        if "\n" not in inner:
            return "{ session: " + inner + " }"
        lines = inner.split("\n")  # "{", "<indent>k,", ..., "<close>}"
        indent, close = lines[1][:len(lines[1]) - len(lines[1].lstrip())], lines[-1][:-1]
        step = indent[len(close):] or "  "
        body = "".join(f"{step}{line}\n" for line in lines[1:-1])
        return "{\n" + f"{indent}session: {{\n" + body + f"{indent}}},\n" + close + "}"

    def run(self) -> None:
        ctx = self.ctx
        planned = self.plan()
        if planned is None:
            # a spread, a computed key or an `audio` member: each preview key is still a finding, fixed by hand
            moves_table = self.ga.RESPONSE_AUDIO_MOVES if self.part == "response" else self.ga.SESSION_AUDIO_MOVES
            code = "RTM013" if self.part == "response" else "RTM011"
            paths = self.ga.PAYLOAD_PATHS[self.part]
            for key, pair in _pairs(ctx, self.obj):
                if key in moves_table:
                    ctx.report(code, pair, f"`{key}` moved to `{paths[key]}` in GA (this object has a spread or an "
                               "`audio` member: move it by hand)", ga_form=paths[key])
                elif key in paths:
                    ctx.report(code, pair, f"`{key}` is `{paths[key]}` in GA (this object has a spread or an `audio` "
                               "member: change it by hand)", ga_form=paths[key])
            if self.part == "session" and not any(k == "type" for k, _ in _pairs(ctx, self.obj)):
                ctx.report("RTM010", self.obj, 'Session object has no `type`: GA requires `type: "realtime"` (add it '
                           "by hand: this object has a spread or an `audio` member)", ga_form='type: "realtime"')
            return
        kept, moves, has_type = planned
        if not moves and has_type:
            return
        edits = [ctx.replace(self.obj, self.render(kept))] if kept is not None else []
        code = "RTM013" if self.part == "response" else "RTM011"
        why = " (a session configuration not seen being sent: review where it goes)" if self.unproven else ""
        for _key_name, pair, ga_path, message in moves:
            ctx.report(code, pair, message + why, edits=edits, ga_form=ga_path or "(removed)", unsafe=self.unproven,
                       title="Move the fields to their GA paths")
        if self.part == "session" and not has_type:
            ctx.report("RTM010", self.obj, 'Session payload has no `type`: GA requires `type: "realtime"`' + why,
                       edits=edits, ga_form='type: "realtime"', title='Add `type: "realtime"`', unsafe=self.unproven)

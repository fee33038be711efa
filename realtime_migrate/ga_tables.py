"""The preview → GA data that every language's matchers share: where session fields moved, the GA audio
format objects, the preview URL and model-name patterns.

Written once, read by the Python matchers (libcst) and the JavaScript ones (tree-sitter) alike, so a new
move is one line here. Nothing here imports a parser: a JavaScript-only run must not pay for libcst.
"""

from __future__ import annotations

import re

# E2/E3/ET2/ER4: beta audio format names → GA format objects (key order as the GA docs write them).
AUDIO_FORMATS: dict[str, tuple[tuple[str, str | int], ...]] = {
    "pcm16": (("type", "audio/pcm"), ("rate", 24000)),
    "g711_ulaw": (("type", "audio/pcmu"),),
    "g711_alaw": (("type", "audio/pcma"),),
}
GA_FORMAT_TYPES = frozenset({"audio/pcm", "audio/pcmu", "audio/pcma"})

# Beta key → (audio sub-dict, GA key) for the flat keys that GA nests under `audio`.
SESSION_AUDIO_MOVES: dict[str, tuple[str, str]] = {
    "input_audio_format": ("input", "format"),  # E2
    "input_audio_transcription": ("input", "transcription"),  # E4
    "input_audio_noise_reduction": ("input", "noise_reduction"),  # E5
    "turn_detection": ("input", "turn_detection"),  # E6
    "voice": ("output", "voice"),  # E7
    "speed": ("output", "speed"),  # E8
    "output_audio_format": ("output", "format"),  # E3
}
TRANSCRIPTION_AUDIO_MOVES = {k: v for k, v in SESSION_AUDIO_MOVES.items() if v[0] == "input"}  # ET2-ET5
RESPONSE_AUDIO_MOVES = {"voice": ("output", "voice"), "output_audio_format": ("output", "format")}  # ER3, ER4
FORMAT_KEYS = frozenset({"input_audio_format", "output_audio_format"})

# E-S, E-T, D27: beta session field → GA path under `session` ("" = removed)
SESSION_FIELDS = {
    "voice": "audio.output.voice", "speed": "audio.output.speed", "output_audio_format": "audio.output.format",
    "input_audio_format": "audio.input.format", "input_audio_transcription": "audio.input.transcription",
    "input_audio_noise_reduction": "audio.input.noise_reduction", "turn_detection": "audio.input.turn_detection",
    "modalities": "output_modalities", "max_response_output_tokens": "max_output_tokens", "temperature": "",
}
# D26: beta response field → GA path under `response` (`max_output_tokens` was already the beta name: J9)
RESPONSE_FIELDS = {
    "modalities": "output_modalities", "voice": "audio.output.voice", "output_audio_format": "audio.output.format",
    "temperature": "",
}
CONTENT_TYPES = {"text": "output_text", "audio": "output_audio"}  # F2: assistant item content
# What a client sends: preview key of a session / `response.create` payload → its GA path.
PAYLOAD_PATHS: dict[str, dict[str, str]] = {
    part: {**{key: f"audio.{sub}.{ga_key}" for key, (sub, ga_key) in moves.items()},
           "modalities": "output_modalities", "max_response_output_tokens": "max_output_tokens",
           "temperature": "(removed)"}
    for part, moves in (("session", SESSION_AUDIO_MOVES), ("response", RESPONSE_AUDIO_MOVES))
}

# RTM024: the preview WebRTC SDP endpoint, `https://api.openai.com/v1/realtime?model=M` (`\x00` stands for an
# interpolated host in templates); groups: the endpoint, the `?model=` query, further parameters.
SDP_URL = re.compile(r"^(https://(?:[^/?#\s]*openai[^/?#\s]*|\x00)/v1/realtime)(\?model=[^&#\s]*)?(&[^#\s]*)?$",
                     re.IGNORECASE)
# RTM026: the preview realtime model names.
PREVIEW_MODEL = r"gpt-4o(?:-mini)?-realtime-preview(?:-\d{4}-\d{2}-\d{2})?"

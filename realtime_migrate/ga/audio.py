"""PCM16 mono 24 kHz audio: the only PCM layout GA accepts (``{"type": "audio/pcm", "rate": 24000}``).

Generating a speech-like signal keeps tests and ``verify --simulate`` free of binary fixtures; reading
a WAV lets ``verify`` send real speech to a real endpoint. Chunks default to 100 ms, the size GA
guidance recommends (docs/protocol.md J14).
"""

from __future__ import annotations

import base64
import math
import random
import struct
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path

SAMPLE_RATE = 24_000
SAMPLE_WIDTH = 2
CHANNELS = 1
BYTES_PER_MS = SAMPLE_RATE * SAMPLE_WIDTH // 1000  # 48
GA_PCM_FORMAT: dict[str, object] = {"type": "audio/pcm", "rate": SAMPLE_RATE}


def _pack(samples: array) -> bytes:
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        samples.byteswap()
    return samples.tobytes()


def _unpack(pcm: bytes) -> array:
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        samples.byteswap()
    return samples


def tone(seconds: float, freq: float = 440.0, amplitude: float = 0.3) -> bytes:
    """A plain sine tone, little-endian PCM16."""
    n = int(seconds * SAMPLE_RATE)
    peak = amplitude * 32767
    step = 2 * math.pi * freq / SAMPLE_RATE
    return _pack(array("h", (int(peak * math.sin(step * i)) for i in range(n))))


def speech_like(seconds: float, seed: int = 7, amplitude: float = 0.4) -> bytes:
    """Voiced "syllables": a 120-200 Hz harmonic stack under a ~4 Hz envelope, with short gaps.

    Good enough to trip an energy VAD the way speech does, which a pure tone does not exercise
    (no pauses inside the utterance).
    """
    rng = random.Random(seed)
    n = int(seconds * SAMPLE_RATE)
    out = array("h", bytes(2 * n))
    i = 0
    while i < n:
        syllable = int(SAMPLE_RATE * rng.uniform(0.12, 0.25))
        gap = int(SAMPLE_RATE * rng.uniform(0.02, 0.06))
        f0 = rng.uniform(120.0, 200.0)
        for j in range(min(syllable, n - i)):
            t = j / SAMPLE_RATE
            env = math.sin(math.pi * j / syllable)
            v = sum(math.sin(2 * math.pi * f0 * h * t) / h for h in (1, 2, 3, 4))
            out[i + j] = max(-32767, min(32767, int(amplitude * 32767 * env * v / 2.1)))
        i += syllable + gap
    return _pack(out)


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * SAMPLE_RATE) * SAMPLE_WIDTH)


def read_wav(path: str | Path) -> bytes:
    """Load a 16-bit PCM WAV and convert it to mono 24 kHz (downmix, linear resampling)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"{path}: only 16-bit PCM WAV files are supported (got {8 * w.getsampwidth()}-bit)")
        channels, rate = w.getnchannels(), w.getframerate()
        samples = _unpack(w.readframes(w.getnframes()))
    if channels > 1:
        samples = array("h", (sum(samples[k:k + channels]) // channels for k in range(0, len(samples), channels)))
    if rate != SAMPLE_RATE and len(samples) > 1:
        ratio = rate / SAMPLE_RATE
        n_out = int(len(samples) / ratio)
        last = len(samples) - 1
        resampled = array("h")
        for k in range(n_out):
            pos = k * ratio
            lo = min(int(pos), last)
            hi = min(lo + 1, last)
            frac = pos - lo
            resampled.append(int(samples[lo] * (1 - frac) + samples[hi] * frac))
        samples = resampled
    return _pack(samples)


def write_wav(path: str | Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)


def duration_ms(pcm: bytes | int) -> float:
    size = pcm if isinstance(pcm, int) else len(pcm)
    return size / BYTES_PER_MS


def chunks(pcm: bytes, chunk_ms: int = 100) -> Iterator[bytes]:
    """Split into ``chunk_ms`` pieces (4,800 bytes per 100 ms); the last one may be shorter."""
    size = max(SAMPLE_WIDTH, chunk_ms * BYTES_PER_MS)
    for start in range(0, len(pcm), size):
        yield pcm[start:start + size]


def b64_chunks(pcm: bytes, chunk_ms: int = 100) -> Iterator[str]:
    for chunk in chunks(pcm, chunk_ms):
        yield base64.b64encode(chunk).decode("ascii")


def rms(pcm: bytes) -> float:
    """Root-mean-square level in [0, 1]; the simulator's VAD compares it with the session threshold."""
    samples = _unpack(pcm)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768.0

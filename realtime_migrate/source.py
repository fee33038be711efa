"""Reading and writing source files without losing a byte we did not mean to change.

Text is decoded exactly as Python would (BOM, coding cookie) but without newline
translation, so CRLF, lone CR and a missing final newline survive a round trip. Writes
go to a temporary file in the same directory and replace the original atomically,
keeping its mode, and only if the file did not change since it was read.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


class SourceError(Exception):
    """A file we must not touch; the message is one line and names no internals."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    data: bytes
    text: str
    encoding: str
    bom: bool
    mtime_ns: int
    mode: int

    def encode(self, text: str) -> bytes:
        try:
            body = text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise SourceError(f"fixed text cannot be encoded as {self.encoding}: {exc.reason}") from None
        return codecs.BOM_UTF8 + body if self.bom else body


def read_bytes(path: str) -> tuple[bytes, os.stat_result]:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise SourceError(_os_message(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError("is a directory, not a Python file")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("not a regular file")
    try:
        with open(path, "rb") as fh:
            return fh.read(), st
    except OSError as exc:
        raise SourceError(_os_message(exc)) from None


def decode(path: str, data: bytes, st: os.stat_result) -> SourceFile:
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot determine encoding: {exc}") from None
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    codec = "utf-8" if encoding in ("utf-8-sig", "utf-8") else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"cannot decode as {codec}: invalid byte 0x{body[exc.start]:02x} at offset {exc.start + (3 if bom else 0)}"
            " (add a coding cookie or convert the file)"
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in coding cookie") from None
    return SourceFile(path, data, text, codec, bom, st.st_mtime_ns, stat.S_IMODE(st.st_mode))


def read_source(path: str) -> SourceFile:
    data, st = read_bytes(path)
    return decode(path, data, st)


def write_atomic(src: SourceFile, new_text: str) -> None:
    """Replace `src.path` with `new_text`, or raise SourceError and leave it untouched."""
    payload = src.encode(new_text)
    target = os.path.realpath(src.path)
    try:
        with open(target, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise SourceError(_os_message(exc)) from None
    if current != src.data:
        raise SourceError("file changed on disk while it was being fixed; not overwritten (run again)")
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".rtm-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, src.mode)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise SourceError(f"could not write: {_os_message(exc)}") from None


def _os_message(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)

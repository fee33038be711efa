"""Reading and writing source files without losing a byte we did not mean to change.

Text is decoded exactly as Python would (BOM, coding cookie) but without newline
translation, so CRLF, lone CR and a missing final newline survive a round trip. Writes
go to a temporary file in the same directory and replace the original atomically,
keeping its mode (and owner, when we may), and only if the file did not change since it
was read. A symlink is written through: its target gets the new text, the link stays.

Every SourceError message is one line and does not repeat the path: the caller's
FileError puts the path in front.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtime_migrate.notebook import Notebook

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
NOTEBOOK_SUFFIX = ".ipynb"
TEMP_PREFIX = ".rtm-"


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
    uid: int = -1
    gid: int = -1
    notebook: Notebook | None = None  # a .ipynb: `text` is its code cells as one module

    def encode(self, text: str) -> bytes:
        if self.notebook is not None:  # the notebook JSON with the fixed cells put back
            return (codecs.BOM_UTF8 if self.bom else b"") + self.notebook.write(text).encode("utf-8")
        try:
            body = text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise SourceError(f"fixed text cannot be encoded as {self.encoding}: {exc.reason}") from None
        return codecs.BOM_UTF8 + body if self.bom else body


def read_bytes(path: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, with raw `os.open`/`fstat`/`read` calls: on a clean tree this runs for
    every file, and a separate `stat` plus `open()`'s buffered file object cost about twice the read itself
    (bench/RESULTS.md). Opened non-blocking, so a FIFO is refused by its `fstat` instead of hanging the run."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise SourceError("is a directory, not a Python file") from None
        raise SourceError(_link_message(path, exc) or _os_message(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise SourceError("is a directory, not a Python file")
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or a device would block or never end: refuse before reading it.
            raise SourceError("not a regular file")
        return _read_all(fd, st.st_size), st
    except OSError as exc:
        raise SourceError(_os_message(exc)) from None
    finally:
        os.close(fd)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _read_all(fd: int, size: int) -> bytes:
    """Everything up to end of file, in one `read` for a file that did not change since its `fstat`."""
    data = os.read(fd, size + 1)
    if not data:
        return data
    chunks = [data]
    while chunk := os.read(fd, max(size, 1 << 16)):  # it grew, or a read came back short: up to EOF
        chunks.append(chunk)
    return data if len(chunks) == 1 else b"".join(chunks)


BINARY = "binary file (contains NUL bytes), not Python source"
UTF16_32_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16"),
                 (codecs.BOM_UTF16_BE, "UTF-16"))


def screen(data: bytes) -> None:
    """Raise SourceError when the bytes prove the file is not Python text, whatever the prefilter says.

    Runs on every file, so only checks that cost about a memchr: a NUL byte (CPython refuses it), a UTF-16/32
    byte-order mark, and, for the rare file that is not pure ASCII or names its encoding in a coding cookie,
    decoding as Python would. Syntax is not checked here: parsing every file would cost a hundred times
    the read, and a file without a trigger cannot hold a finding (README, "Robustness").
    """
    if b"\x00" not in data and data.isascii():
        second = data.find(b"\n", data.find(b"\n") + 1)
        if b"coding" not in (data[:second] if second >= 0 else data):
            return
    _text(data)  # refuses NUL bytes and UTF-16/32 marks (naming UTF-16 rather than NUL), decodes the rest


def decode(path: str, data: bytes, st: os.stat_result) -> SourceFile:
    if path.lower().endswith(NOTEBOOK_SUFFIX):
        return _notebook(path, data, st)
    text, codec, bom = _text(data)
    return SourceFile(path, data, text, codec, bom, st.st_mtime_ns, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def _notebook(path: str, data: bytes, st: os.stat_result) -> SourceFile:
    from realtime_migrate.notebook import NotebookError, read

    bom = data.startswith(codecs.BOM_UTF8)
    try:
        raw = data[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(_bad_byte("utf-8", data, exc.start, False)) from None
    try:
        nb = read(raw)
    except NotebookError as exc:
        raise SourceError(str(exc)) from None
    return SourceFile(path, data, nb.text, "utf-8", bom, st.st_mtime_ns, stat.S_IMODE(st.st_mode), st.st_uid,
                      st.st_gid, nb)


def _text(data: bytes) -> tuple[str, str, bool]:
    """(text, codec, UTF-8 BOM present) exactly as Python reads the source, without newline translation."""
    for mark, name in UTF16_32_BOMS:
        if data.startswith(mark):
            raise SourceError(f"{name}-encoded (byte-order mark 0x{mark.hex()}); Python source must be UTF-8 "
                              "or an encoding named in a coding cookie")
    if b"\x00" in data:
        raise SourceError(BINARY)
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # detect_encoding refuses the first two lines when they are not UTF-8 and no cookie says
        # otherwise; say where, as for a bad byte further down.
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as dec:
            raise SourceError(_bad_byte("utf-8", body, dec.start, bom)) from None
        raise SourceError(f"cannot determine encoding: {_one_line(str(exc))}") from None
    codec = "utf-8" if encoding in ("utf-8-sig", "utf-8") else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise SourceError(_bad_byte(codec, body, exc.start, bom)) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in coding cookie") from None
    return text, codec, bom


def read_source(path: str) -> SourceFile:
    data, st = read_bytes(path)
    return decode(path, data, st)


def write_atomic(src: SourceFile, new_text: str) -> None:
    """Replace `src.path` with `new_text`, or raise SourceError and leave it untouched.

    The new bytes go to a temporary file next to the target (same filesystem, so
    `os.replace` is atomic), which takes the original's mode and owner; the original is
    re-read just before and must still hold exactly the bytes the fix was computed from.
    No temporary file survives a failure.
    """
    payload = src.encode(new_text)
    target = os.path.realpath(src.path)
    try:
        with open(target, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise SourceError(f"cannot re-read before writing: {_os_message(exc)}; not overwritten") from None
    if current != src.data:
        raise SourceError("file changed on disk while it was being fixed; not overwritten (run again)")
    directory = os.path.dirname(target) or "."
    import tempfile  # ~9 ms of start-up: only a run that writes pays for it (pre-commit scans mostly don't)

    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=directory)
    except OSError as exc:
        raise SourceError(f"could not write: {_os_message(exc)} (creating a temporary file in its directory)") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if src.uid >= 0 and hasattr(os, "chown"):
            try:
                os.chown(tmp, src.uid, src.gid)
            except OSError:
                pass  # not ours to give away (not root): the file becomes ours, as with any editor
        os.chmod(tmp, src.mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SourceError(f"could not write: {_os_message(exc)}; not overwritten") from None
        raise


def _bad_byte(codec: str, body: bytes, offset: int, bom: bool) -> str:
    line = body.count(b"\n", 0, offset) + 1
    column = offset - (body.rfind(b"\n", 0, offset) + 1) + 1
    hint = "add a coding cookie or convert the file" if codec == "utf-8" else "fix the coding cookie or the file"
    return (f"cannot decode as {codec}: invalid byte 0x{body[offset]:02x} at line {line}, column {column} "
            f"(byte offset {offset + (3 if bom else 0)}; {hint})")


def link_problem(path: str) -> str | None:
    """What is wrong with `path` when it is a symlink that leads nowhere, else None."""
    try:
        os.stat(path)
    except OSError as exc:
        return _link_message(path, exc)
    return None


def _link_message(path: str, exc: OSError) -> str | None:
    """Name the symlink problem instead of the OS's view of it ("no such file" for a dangling link)."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        try:
            return f"broken symbolic link (to {_one_line(os.readlink(path))})"
        except OSError:
            return "broken symbolic link"
    return None


def _os_message(exc: OSError) -> str:
    return _one_line(exc.strerror.lower() if exc.strerror else str(exc))


def _one_line(text: str) -> str:
    return " ".join(text.split())

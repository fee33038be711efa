"""Writes: atomic, faithful to the file's mode, owner, encoding, BOM and line endings, and
never a half-done or wrong file, whatever a rule does.

The deliberately broken rules of `broken_rules.py` go through the real Runner; a write that
fails half-way is provoked for real, with a file-size limit on the CLI process.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from broken_rules import rule

from realtime_migrate.api import Runner
from realtime_migrate.settings import Settings

PREVIEW = b'"response.audio.delta"'
GA = b'"response.output_audio.delta"'
HANDLER = b'def on_event(event):\n    if event["type"] == "response.audio.delta":\n        play(event["delta"])\n'


def ga(data: bytes) -> bytes:
    return data.replace(PREVIEW, GA)


def fix(paths: list[Path], rules=None, unsafe: bool = False):  # type: ignore[no-untyped-def]
    runner = Runner(Settings(unsafe_fixes=unsafe), rules=rules)
    return runner.run([str(p) for p in paths], "fix")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".rtm-") or p.suffix == ".tmp")


@pytest.mark.parametrize("mode", [0o755, 0o600, 0o644, 0o444, 0o640])
def test_mode_survives(tmp_path: Path, mode: int) -> None:
    p = tmp_path / "app.py"
    p.write_bytes(HANDLER)
    p.chmod(mode)
    inode = p.stat().st_ino
    result = fix([p])
    assert not result.all_errors
    assert p.read_bytes() == ga(HANDLER)
    assert stat.S_IMODE(p.stat().st_mode) == mode
    assert p.stat().st_ino != inode, "not replaced atomically (written in place)"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_owner_survives(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_bytes(HANDLER)
    os.chown(p, 65534, 65534)
    assert not fix([p]).all_errors
    assert (p.stat().st_uid, p.stat().st_gid) == (65534, 65534)
    assert p.read_bytes() == ga(HANDLER)


ENCODED = {
    "latin1": b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9 \xa9'\n" + HANDLER,
    "cp1252_cookie": b"# vim: set fileencoding=cp1252 :\nQUOTE = '\x93hi\x94 \x80'\n" + HANDLER,
    "utf8_bom": b"\xef\xbb\xbfNAME = 'caf\xc3\xa9 \xe2\x82\xac'\n" + HANDLER,
    "crlf": HANDLER.replace(b"\n", b"\r\n"),
    "lone_cr": HANDLER.replace(b"\n", b"\r"),
    "no_final_newline": HANDLER.rstrip(b"\n"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encoding_bom_and_newlines_survive(tmp_path: Path, name: str) -> None:
    p = tmp_path / "app.py"
    p.write_bytes(ENCODED[name])
    result = fix([p])
    assert not result.all_errors
    assert p.read_bytes() == ga(ENCODED[name])


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real" / "app.py"
    real.parent.mkdir()
    real.write_bytes(HANDLER)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    result = fix([link])
    assert not result.all_errors
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == ga(HANDLER)
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_link_and_target_in_one_run_are_fixed_once(tmp_path: Path) -> None:
    real = tmp_path / "app.py"
    real.write_bytes(HANDLER)
    (tmp_path / "link.py").symlink_to(real)
    result = fix([tmp_path / "link.py", real, tmp_path])
    assert not result.all_errors, result.all_errors
    assert real.read_bytes() == ga(HANDLER) and (tmp_path / "link.py").is_symlink()


# -- a wrong rule never writes ----------------------------------------------------------------------

def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    bad, good = tmp_path / "bad.py", tmp_path / "good.py"
    bad.write_bytes(HANDLER)
    good.write_bytes(HANDLER.replace(b"response.audio.delta", b"ping"))
    return bad, good


def _only_error(result, path: Path, kind: str):  # type: ignore[no-untyped-def]
    [error] = result.all_errors
    assert (error.path, error.kind) == (str(path), kind), error
    line = error.one_line()
    assert "\n" not in line and line.startswith(f"{path}: ")
    return error.message


def test_fix_whose_output_does_not_parse_is_rolled_back(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(HANDLER)
    result = fix([bad], rules=[rule("BrokenOutput")])
    message = _only_error(result, bad, "bug")
    assert message.startswith("internal error: the fixes of RTM990 produced code that does not")
    assert message.endswith("file left untouched, please report it")
    assert bad.read_bytes() == HANDLER and leftovers(tmp_path) == []
    assert not result.files[0].changed and not result.files[0].fixed


def test_fix_that_does_not_converge_is_rolled_back(tmp_path: Path) -> None:
    bad, good = _two_files(tmp_path)
    before = good.read_bytes()
    result = fix([good, bad], rules=[rule("PingPong")])
    message = _only_error(result, good, "bug")
    assert message.startswith("internal error: fixes did not converge after") and "file left untouched" in message
    assert good.read_bytes() == before and bad.read_bytes() == HANDLER and leftovers(tmp_path) == []


def test_crashing_rule_is_one_line_and_does_not_stop_the_run(tmp_path: Path) -> None:
    bad, good = _two_files(tmp_path)
    third = tmp_path / "third.py"
    third.write_bytes(HANDLER)
    result = fix([bad, good, third], rules=[rule("Crash")])
    errors = {e.path: e for e in result.all_errors}
    assert set(errors) == {str(bad), str(third)}
    for e in errors.values():
        assert e.kind == "bug" and "\n" not in e.message
        assert e.message == ("internal error (RuntimeError: first line second line third line); "
                             "file left untouched, please report it")
    assert bad.read_bytes() == HANDLER == third.read_bytes()


def test_fix_with_overlapping_edits_of_its_own_is_not_half_applied(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_bytes(HANDLER)
    result = fix([p], rules=[rule("SelfOverlap")])
    assert not result.all_errors
    assert p.read_bytes() == HANDLER  # neither half of the fix was written
    [finding] = result.findings
    assert finding.fix is not None and finding.fix.is_safe  # still reported, with its (unapplicable) fix


def test_text_the_encoding_cannot_hold_is_not_written(tmp_path: Path) -> None:
    latin = tmp_path / "latin.py"
    data = b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n" + HANDLER
    latin.write_bytes(data)
    utf8 = tmp_path / "utf8.py"
    utf8.write_bytes(HANDLER)
    result = fix([latin, utf8], rules=[rule("Euro")])
    message = _only_error(result, latin, "write")
    assert message.startswith("fixed text cannot be encoded as iso-8859-1")
    assert latin.read_bytes() == data and leftovers(tmp_path) == []
    assert utf8.read_bytes() == HANDLER.replace(PREVIEW, '"response.output_audio.delta €"'.encode())


def _limit_file_size() -> None:  # runs in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_write_that_fails_half_way_leaves_the_file_and_no_temp_file(tmp_path: Path) -> None:
    """A real failed write: the temporary file cannot grow past 4 KB, so the new text never fits."""
    big = tmp_path / "big.py"
    data = b"# " + b"x" * 8000 + b"\n" + HANDLER
    big.write_bytes(data)
    small = tmp_path / "small.py"
    small.write_bytes(HANDLER)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1", "REALTIME_MIGRATE_JOBS": "1"}
    run = subprocess.run([sys.executable, "-m", "realtime_migrate", "fix", "big.py", "small.py"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=120, preexec_fn=_limit_file_size)
    assert run.returncode == 2, run.stdout + run.stderr
    errors = [line for line in run.stdout.splitlines() if line.startswith("error:")]
    assert errors == ["error: big.py: could not write: file too large; not overwritten"], run.stdout
    assert big.read_bytes() == data
    assert small.read_bytes() == ga(HANDLER)
    assert leftovers(tmp_path) == []

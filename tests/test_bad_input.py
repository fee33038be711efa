"""Inputs a codemod meets in the wild, through the real CLI (a subprocess per run).

Every case runs `scan -o json` and then `fix` over the case's input *plus* a control file
that must be reported and fixed in the same run. A bad input gets exactly one one-line
error naming its path, exit code 2, and keeps every byte; a good one (another encoding,
BOM, line endings, tabs, a directory named `x.py`...) is fixed to exactly the expected
bytes. Each input carries a trigger, so it gets past the prefilter to the parser; the
`prefilter_control` case shows that an input without one is never even decoded.

The runs of all cases start together (two at a time per core is plenty for subprocesses
that mostly wait on imports), so the module costs a few seconds, not a minute.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from broken_rules import ConcurrentWriter, rule
from helpers import run_cli

from realtime_migrate.api import Runner
from realtime_migrate.settings import Settings
from realtime_migrate.source import SourceError, read_source, write_atomic

PREVIEW = b'"response.audio.delta"'
GA = b'"response.output_audio.delta"'
HANDLER = b'def on_event(event):\n    if event["type"] == "response.audio.delta":\n        play(event["delta"])\n'
CONTROL = b"import json\n\n" + HANDLER


def ga(data: bytes) -> bytes:
    return data.replace(PREVIEW, GA)


def _write(name: str, data: bytes) -> Callable[[Path], str]:
    def build(root: Path) -> str:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        return name

    return build


def _symlink(name: str, target: str, arg: str | None = None) -> Callable[[Path], str]:
    def build(root: Path) -> str:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / name)
        return arg or name

    return build


def _linked(name: str, target: str, data: bytes) -> Callable[[Path], str]:
    def build(root: Path) -> str:
        (root / target).write_bytes(data)
        os.symlink(target, root / name)
        return name

    return build


def _big(size_mb: float) -> bytes:
    """One big triple-quoted literal, then a handler: megabytes of input, one finding."""
    line = b"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n"
    blob = line * int(size_mb * 1_048_576 // len(line) + 1)
    return b'BLOB = """\\\n' + blob + b'"""\n\n\n' + HANDLER


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], str]  # creates the input under the case's directory; returns the CLI argument
    error: str | None = None  # bad input: regex for the message after "error: <path>: "
    expected: bytes | None = None  # good input: the exact bytes of `inspect` after fix
    inspect: str | None = None  # the file whose bytes are checked (default: the argument)
    error_path: str | None = None  # the path the error names (default: the argument)
    reported: str | None = None  # the path findings name (default: `inspect`)
    args: tuple[str, ...] = ()

    def target(self, arg: str) -> str:
        return self.inspect or arg


LATIN1 = (b"# -*- coding: latin-1 -*-\n"
          b'GREETING = "caf\xe9 cr\xe8me br\xfbl\xe9e"  # \xa9 2024\n' + HANDLER)
BOM = b"\xef\xbb\xbf" + b'NAME = "caf\xc3\xa9"\n' + HANDLER
CRLF = HANDLER.replace(b"\n", b"\r\n")
MIXED = (b'A = 1\r\nB = 2\rC = 3\n' + HANDLER.replace(b":\n", b":\r\n", 1)
         + b'HANDLERS = {\r\n    "response.audio.delta": on_event,\n    "other": None,\r}\n')
TABS = HANDLER.replace(b"    ", b"\t")
PY2 = b'def on_event(event):\n    if event["type"] == "response.audio.delta":\n        print "audio", event\n'
PY2_OCTAL = b'handle("response.audio.delta")\nos.chmod(path, 0755)\n'
# `except A, B:` is Python 2, and again valid from 3.14 (PEP 758, unparenthesised except tuples); libcst reads it.
PY2_EXCEPT = b'try:\n    handle("response.audio.delta")\nexcept Exception, e:\n    pass\n'
NEWER_SYNTAX = b"type Handler = Callable[[dict], None]\n\n" + HANDLER  # PEP 695: 3.12+; libcst reads it anyway

CASES: list[Case] = [
    # -- bad input: refused, reported on one line, untouched -------------------------------------
    Case("syntax_error", _write("bad.py", HANDLER + b"if x ==\n"),
         r"syntax error at line 4, column \d+: invalid syntax"),
    Case("python2_print", _write("legacy.py", PY2),
         r"syntax error at line 3, column \d+: Missing parentheses in call to 'print'.*"),
    Case("python2_octal", _write("legacy.py", PY2_OCTAL),
         r"syntax error at line 2, column \d+: leading zeros in decimal integer literals are not permitted.*"),
    Case("tabs_inconsistent", _write("tabs.py", HANDLER.replace(b"        play", b"\tplay")),
         r"syntax error at line 3, column \d+: inconsistent use of tabs and spaces in indentation"),
    Case("invalid_utf8_no_cookie", _write("latin.py", b'NAME = "caf\xe9"\n' + HANDLER),
         r"cannot decode as utf-8: invalid byte 0xe9 at line 1, column 12 \(byte offset 11; add a coding "
         r"cookie or convert the file\)"),
    Case("invalid_utf8_late", _write("latin.py", HANDLER + b'NAME = "caf\xe9"\n'),
         r"cannot decode as utf-8: invalid byte 0xe9 at line 4, column 12 .*"),
    Case("wrong_cookie", _write("ascii.py", b"# coding: ascii\n" + HANDLER + b'NAME = "caf\xc3\xa9"\n'),
         r"cannot decode as ascii: invalid byte 0xc3 at line 5, column 12 .*"),
    Case("unknown_cookie", _write("klingon.py", b"# -*- coding: klingon -*-\n" + HANDLER),
         r"cannot determine encoding: unknown encoding.*klingon.*"),
    Case("binary_named_py", _write("blob.py", b"\x89PNG\r\n\x1a\n\x00\x00" + PREVIEW + b"\xff\xfe\x00"),
         r"binary file \(contains NUL bytes\), not Python source"),
    # -- bytes that cannot be Python text are refused even without a trigger (source.screen) -------
    Case("binary_without_trigger", _write("blob.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00"),
         r"binary file \(contains NUL bytes\), not Python source"),
    Case("utf16_bom_without_trigger", _write("wide.py", "x = 'caf\u00e9'\n".encode("utf-16")),
         r"UTF-16-encoded \(byte-order mark 0xfffe\); Python source must be UTF-8 or an encoding named in a "
         r"coding cookie"),
    Case("utf16_bom_with_trigger", _write("wide.py", ("\ufeff" + HANDLER.decode()).encode("utf-16-le")),
         r"UTF-16-encoded \(byte-order mark 0xfffe\); .*"),
    Case("unknown_cookie_without_trigger", _write("klingon.py", b"# -*- coding: klingon -*-\nx = 1\n"),
         r"cannot determine encoding: unknown encoding.*klingon.*"),
    Case("wrong_cookie_without_trigger", _write("ascii.py", b"# coding: ascii\nNAME = 'caf\xc3\xa9'\n"),
         r"cannot decode as ascii: invalid byte 0xc3 at line 2, column 12 .*"),
    Case("invalid_utf8_without_trigger", _write("latin.py", b"NAME = 'caf\xe9'\n"),
         r"cannot decode as utf-8: invalid byte 0xe9 at line 1, column 12 .*"),
    Case("too_large", _write("huge.py", _big(10)),
         r"file too large to parse \(10\.0 MB > 8 MB limit; raise it with --max-file-size\)"),
    Case("broken_symlink", _symlink("dangling.py", "gone.py"), r"broken symbolic link \(to gone\.py\)"),
    Case("symlink_loop", _symlink("loop.py", "loop.py"), r"symbolic link loop"),
    Case("broken_symlink_in_tree", _symlink("tree/dangling.py", "gone.py", arg="tree"),
         r"broken symbolic link \(to gone\.py\)", error_path="tree/dangling.py"),
    Case("symlink_loop_in_tree", _symlink("tree/loop.py", "loop.py", arg="tree"),
         r"symbolic link loop", error_path="tree/loop.py"),
    Case("does_not_exist", lambda root: "missing.py", r"no such file or directory"),
    Case("fifo_named_py", lambda root: (os.mkfifo(root / "pipe.py"), "pipe.py")[1], r"not a regular file"),
    # -- good input: fixed, and nothing else moves ------------------------------------------------
    Case("latin1_with_cookie", _write("latin.py", LATIN1), expected=ga(LATIN1)),
    Case("utf8_bom", _write("bom.py", BOM), expected=ga(BOM)),
    Case("crlf", _write("crlf.py", CRLF), expected=ga(CRLF)),
    Case("mixed_line_endings", _write("mixed.py", MIXED), expected=ga(MIXED)),
    Case("no_trailing_newline", _write("notrail.py", HANDLER.rstrip(b"\n")), expected=ga(HANDLER.rstrip(b"\n"))),
    Case("tabs", _write("tabs.py", TABS), expected=ga(TABS)),
    Case("empty_file", _write("empty.py", b""), expected=b""),
    Case("py2_except_is_py314_syntax", _write("legacy.py", PY2_EXCEPT), expected=ga(PY2_EXCEPT)),
    Case("newer_syntax_than_python", _write("newer.py", NEWER_SYNTAX), expected=ga(NEWER_SYNTAX)),
    Case("dir_named_x_py", _write("x.py/inner.py", HANDLER), expected=ga(HANDLER), inspect="x.py/inner.py"),
    Case("dir_named_x_py_in_tree", _write("tree/x.py/inner.py", HANDLER), expected=ga(HANDLER),
         inspect="tree/x.py/inner.py"),
    Case("large_but_allowed", _write("huge.py", _big(10)), expected=ga(_big(10)), args=("--max-file-size", "20")),
    Case("symlink_to_file", _linked("link.py", "real.py", HANDLER), expected=ga(HANDLER), inspect="real.py",
         reported="link.py"),
    # A syntax error (Python 2, or none at all) but no trigger: text that is never parsed, so no error.
    Case("prefilter_control", _write("nothing.py", b"if x ==\n not python at all"),
         expected=b"if x ==\n not python at all"),
    Case("python2_without_trigger", _write("legacy.py", b'print "hello"\nexec "x = 1"\n'),
         expected=b'print "hello"\nexec "x = 1"\n'),
    # Lone CR line endings (classic Mac OS) are Python: parsed, fixed, and the endings kept.
    Case("lone_cr_only", _write("mac.py", HANDLER.replace(b"\n", b"\r")), expected=ga(HANDLER.replace(b"\n", b"\r"))),
]
if os.path.exists("/proc/self/mem"):
    # A regular file whose read() fails (EIO): the unreadable file that even root cannot read.
    CASES.append(Case("read_error", _symlink("mem.py", "/proc/self/mem"), r"input/output error"))


@dataclass
class Outcome:
    root: Path
    arg: str
    before: dict[str, bytes | None]
    scan: subprocess.CompletedProcess[str] | None
    after_scan: dict[str, bytes | None]
    fix: subprocess.CompletedProcess[str]
    after_fix: dict[str, bytes | None]


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Bytes of every regular file under root (None for what cannot be read: links to nowhere, pipes)."""
    out: dict[str, bytes | None] = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            rel = p.relative_to(root).as_posix()
            try:
                out[rel] = p.read_bytes() if stat.S_ISREG(os.stat(p).st_mode) else None
            except OSError:
                out[rel] = None
    return out


def _run_case(case: Case, root: Path) -> Outcome:
    """Bad input: `scan -o json` then `fix`. Good input: `fix -o json` alone (a good file cannot make scan fail)."""
    root.mkdir()
    (root / "control.py").write_bytes(CONTROL)
    arg = case.build(root)
    before = _snapshot(root)
    if case.error is None:
        fix = run_cli(["fix", "-o", "json", *case.args, arg, "control.py"], cwd=root)
        return Outcome(root, arg, before, None, before, fix, _snapshot(root))
    scan = run_cli(["scan", "-o", "json", *case.args, arg, "control.py"], cwd=root)
    after_scan = _snapshot(root)
    fix = run_cli(["fix", *case.args, arg, "control.py"], cwd=root)
    return Outcome(root, arg, before, scan, after_scan, fix, _snapshot(root))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("bad_input")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {c.name: pool.submit(_run_case, c, base / c.name) for c in CASES}
        return {name: f.result() for name, f in futures.items()}


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("case", [c for c in CASES if c.error is not None], ids=lambda c: c.name)
def test_bad_input_is_reported_and_untouched(case: Case, outcomes: dict[str, Outcome]) -> None:
    out = outcomes[case.name]
    path = case.error_path or out.arg
    expected = re.compile(rf"error: {re.escape(path)}: {case.error}")
    assert out.scan is not None
    for run, label in ((out.scan, "scan"), (out.fix, "fix")):
        assert run.returncode == 2, f"{label}: exit {run.returncode}\n{run.stdout}\n{run.stderr}"
        errors = _error_lines(run.stdout + "\n" + run.stderr)
        assert len(errors) == 1 and expected.fullmatch(errors[0]), f"{label}: {errors}\n{run.stderr}"
        assert "Traceback" not in run.stderr
    doc = json.loads(out.scan.stdout)
    assert [(e["path"], "\n" in e["message"]) for e in doc["errors"]] == [(path, False)]
    # The control file in the same run was still scanned, and then fixed.
    assert [(f["path"], f["code"]) for f in doc["findings"]] == [("control.py", "RTM003")]
    assert out.after_fix["control.py"] == ga(CONTROL)
    # The bad input, and anything else in its directory, kept every byte through scan and fix.
    for name, data in out.before.items():
        if name != "control.py":
            assert out.after_scan[name] == data and out.after_fix[name] == data, name
    assert not [n for n in out.after_fix if ".rtm-" in n], "temporary file left behind"


@pytest.mark.parametrize("case", [c for c in CASES if c.error is None], ids=lambda c: c.name)
def test_good_input_is_fixed_exactly(case: Case, outcomes: dict[str, Outcome]) -> None:
    out = outcomes[case.name]
    target = case.target(out.arg)
    assert out.fix.returncode == 0 and not out.fix.stderr, out.fix.stdout + out.fix.stderr
    doc = json.loads(out.fix.stdout)
    assert doc["errors"] == [] and doc["findings"] == []
    assert out.after_fix[target] == case.expected
    assert out.after_fix["control.py"] == ga(CONTROL)
    fixed = {f["path"] for f in doc["fixed"]}
    changed = case.expected != out.before.get(target)
    assert fixed == ({"control.py", case.reported or target} if changed else {"control.py"}), fixed
    fixed_names = (target, case.reported, "control.py")
    assert {k: v for k, v in out.after_fix.items() if k not in fixed_names} == \
        {k: v for k, v in out.before.items() if k not in fixed_names}
    if case.reported:  # a symlink: written through to its target, and still a link
        assert os.path.islink(out.root / case.reported)
    assert not [n for n in out.after_fix if ".rtm-" in n], "temporary file left behind"


def test_unreadable_file(tmp_path: Path) -> None:
    """Mode 000. Root reads it anyway, so there the case means nothing: `read_error` covers a read that fails."""
    if os.geteuid() == 0:
        pytest.skip("running as root: a mode-000 file is readable (the failing read is covered by read_error)")
    (tmp_path / "control.py").write_bytes(CONTROL)
    locked = tmp_path / "locked.py"
    locked.write_bytes(HANDLER)
    locked.chmod(0)
    try:
        for command in ("scan", "fix"):
            run = run_cli([command, "locked.py", "control.py"], cwd=tmp_path)
            assert run.returncode == 2
            assert _error_lines(run.stdout) == ["error: locked.py: permission denied"]
        assert (tmp_path / "control.py").read_bytes() == ga(CONTROL)
    finally:
        locked.chmod(0o644)
    assert locked.read_bytes() == HANDLER


def test_file_changed_between_read_and_write_is_not_overwritten(tmp_path: Path) -> None:
    """The read-compare-replace check, driven directly: read, someone saves, then our write."""
    p = tmp_path / "app.py"
    p.write_bytes(HANDLER)
    src = read_source(str(p))
    p.write_bytes(HANDLER + b"# edited meanwhile\n")
    with pytest.raises(SourceError, match="changed on disk"):
        write_atomic(src, ga(HANDLER).decode())
    assert p.read_bytes() == HANDLER + b"# edited meanwhile\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["app.py"]


def test_file_saved_while_the_fix_runs_is_not_overwritten(tmp_path: Path) -> None:
    """The same race end to end: a rule that saves the file (as an editor would) while the fix is computed."""
    p, other = tmp_path / "app.py", tmp_path / "other.py"
    p.write_bytes(HANDLER)
    result = Runner(Settings(), rules=[rule("ConcurrentWriter")]).run([str(p)], "fix")
    assert p.read_bytes() == ConcurrentWriter.NEW_CONTENT
    [error] = result.all_errors
    assert error.path == str(p) and error.kind == "write" and "changed on disk" in error.message
    assert "\n" not in error.one_line()
    assert not other.exists() and sorted(x.name for x in tmp_path.iterdir()) == ["app.py"]

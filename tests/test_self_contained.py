"""The suite passes in a clone whose parent folder holds nothing else (issue #13).

A test that read `../shared/...` passed beside the developers' checkout and failed in every user's clone.
Here the tracked files are copied into `<tmp>/empty/clone` and the tests that read data files run there,
as a user's `git clone` would run them; a skip counts as a failure, since a skipped check checks nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers import ROOT

# The tests that read files of the repository: docs, fixtures, schema, protocol reference.
FILE_READERS = ["tests/test_docs.py", "tests/test_ci_formats.py", "tests/test_protocol.py",
                "tests/test_sdk_tables.py"]


def tracked_files() -> list[str]:
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if proc.returncode == 0 and proc.stdout:
        return [p for p in proc.stdout.decode().split("\0") if p]
    # Not a git checkout (an unpacked sdist): every file but the local state.
    skip = {".git", ".venv", ".ci-venv", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist",
            ".realtime_migrate_cache", ".hypothesis", "node_modules"}
    out = []
    for dirpath, dirnames, files in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
        out += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in files]
    return out


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("empty") / "clone"
    for rel in tracked_files():
        src = ROOT / rel
        if src.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)
    assert sorted(p.name for p in target.parent.iterdir()) == ["clone"]
    return target


def test_file_reading_tests_pass_in_a_lone_clone(clone: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-rs", "-p", "no:cacheprovider",
                           *FILE_READERS],
                          cwd=clone, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout, proc.stdout[-4000:]


def test_nothing_names_a_folder_beside_the_checkout() -> None:
    """A cheap static net under the dynamic one: no product or test file spells a path to `../shared`."""
    offenders = []
    for rel in tracked_files():
        if rel.endswith((".py", ".toml", ".cfg", ".yaml", ".yml")) or rel.startswith(".ci/"):
            text = (ROOT / rel).read_text(encoding="utf-8", errors="replace")
            if "../shared" in text or '.parent / "shared"' in text or ".parent.parent.parent" in text:
                offenders.append(rel)
    assert [o for o in offenders if o != "tests/test_self_contained.py"] == [], offenders


def test_audit_guard_refuses_a_read_beside_the_checkout() -> None:
    """The conftest guard can fail: its rule, on the layouts a checkout may have, and the live hook here."""
    from conftest import reads_beside

    tmp = Path("/tmp")
    work = Path("/work/main")
    assert reads_beside("/work/shared/ga-protocol.md", work, tmp)
    assert not reads_beside("/work/main/docs/protocol.md", work, tmp)
    assert not reads_beside("/tmp/pytest-of-root/x.py", work, tmp)
    lone = Path("/tmp/ci/empty/clone")  # a CI clone below the temporary directory: siblings still guarded
    assert reads_beside("/tmp/ci/empty/shared/x", lone, tmp)
    assert not reads_beside("/tmp/pytest-of-root/x.py", lone, tmp)
    in_tmp = Path("/tmp/clone")  # a checkout directly in /tmp: the tests' own temporary files are allowed
    assert not reads_beside("/tmp/pytest-of-root/x.py", in_tmp, tmp)
    assert not reads_beside("/x.py", Path("/clone"), tmp)  # a checkout at the root has no "beside"
    sibling = ROOT.parent / "no-such-sibling" / "file.txt"
    if reads_beside(str(sibling), ROOT, Path(tempfile.gettempdir()).resolve(), (sys.prefix, sys.base_prefix)):
        with pytest.raises(PermissionError, match="outside the repository"):
            open(sibling)  # noqa: SIM115

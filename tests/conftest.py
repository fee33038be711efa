import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


def _guard_against_reads_beside_the_checkout() -> None:
    """Fail any test that opens a file in a folder beside this checkout (a shared folder, a sibling clone).

    A user's clone has nothing beside it, so such a read passes here and fails there (issue #13). Audit
    hooks see every `open` in this process; subprocesses are covered by tests/test_self_contained.py.
    """
    parent = ROOT.parent
    if parent == Path(parent.anchor):  # a checkout at the filesystem root has no "beside"
        return
    allowed = (str(ROOT), str(Path(tempfile.gettempdir()).resolve()), sys.prefix, sys.base_prefix)
    prefix = str(parent) + "/"

    def hook(event: str, args: tuple) -> None:
        if event != "open" or not isinstance(args[0], str | Path):
            return
        path = str(args[0])
        if not path.startswith("/"):
            return
        if path.startswith(prefix) and not any(path == a or path.startswith(a + "/") for a in allowed):
            raise PermissionError(f"tests must not read outside the repository: {path}")

    sys.addaudithook(hook)


_guard_against_reads_beside_the_checkout()

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


def reads_beside(path: str, root: Path, tmp: Path, prefixes: tuple[str, ...] = ()) -> bool:
    """Whether opening `path` reads a folder beside the checkout `root` (a shared folder, a sibling clone).

    The temporary directory is exempt only when it lies beside the checkout (a checkout in /tmp): the tests'
    own files live there. A checkout below it (/tmp/x/clone) keeps the guard on its siblings.
    """
    parent = root.parent
    if parent == Path(parent.anchor) or not path.startswith("/"):  # a checkout at the root has no "beside"
        return False
    allowed = (str(root), *prefixes, *([str(tmp)] if parent == tmp or parent in tmp.parents else []))
    return path.startswith(str(parent) + "/") and not any(path == a or path.startswith(a + "/") for a in allowed)


def _guard_against_reads_beside_the_checkout() -> None:
    """Fail any test that opens a file in a folder beside this checkout.

    A user's clone has nothing beside it, so such a read passes here and fails there (issue #13). Audit
    hooks see every `open` in this process; subprocesses are covered by tests/test_self_contained.py.
    """
    tmp = Path(tempfile.gettempdir()).resolve()
    prefixes = (sys.prefix, sys.base_prefix)

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], str | Path) and reads_beside(str(args[0]), ROOT, tmp, prefixes):
            raise PermissionError(f"tests must not read outside the repository: {args[0]}")

    sys.addaudithook(hook)


_guard_against_reads_beside_the_checkout()

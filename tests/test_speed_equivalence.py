"""Every speed-up must leave the answers alone (issue #7).

Findings, errors and fixed files are compared with each optimisation on and off: the
result cache (cold, warm, and after a file changed), the process pool (forced on for a
handful of files, and started speculatively), the compiled exclude test and the anchored
prefilter against their plain reference versions. Over the fixtures tree and a slice of
the installed openai package (which holds the SDK's own beta realtime code).
"""

from __future__ import annotations

import fnmatch
import os
import random
import shutil
import sysconfig
from pathlib import Path

import pytest
from helpers import FIXTURES

from realtime_migrate import cache as cache_module
from realtime_migrate import catalog, parallel
from realtime_migrate.api import Runner
from realtime_migrate.cache import Cache, dump_finding, load_finding
from realtime_migrate.discovery import DEFAULT_EXCLUDES, _excluded, discover
from realtime_migrate.prefilter import Prefilter
from realtime_migrate.settings import Settings

OPENAI = Path(sysconfig.get_paths()["purelib"]) / "openai"
OPENAI_SLICE = [
    "resources/beta/realtime/realtime.py",
    "types/beta/realtime/response_audio_delta_event.py",
    "types/beta/realtime/response_text_done_event.py",
    "types/beta/realtime/transcription_session_updated_event.py",
    "types/beta/realtime/session_update_event_param.py",
    "types/responses/response_audio_delta_event.py",
    "types/beta/beta_response_audio_done_event.py",
    "types/chat/chat_completion.py",
]


def _copy_tree(dest: Path) -> Path:
    """The rule fixtures, the example apps and the openai slice, in one scratch tree."""
    for part in ("rules", "apps"):
        if (FIXTURES / part).is_dir():
            shutil.copytree(FIXTURES / part, dest / "fixtures" / part,
                            ignore=shutil.ignore_patterns("*.snap", "__pycache__"))
    for rel in OPENAI_SLICE:
        src = OPENAI / rel
        if src.is_file():
            target = dest / "openai" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return dest


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_tree(tmp_path_factory.mktemp("speed"))


def _answer(result) -> tuple:  # type: ignore[no-untyped-def]
    findings = sorted((f.path, f.line, f.col, f.end_line, f.end_col, f.code, f.message, f.severity.value,
                       None if f.fix is None else (f.fix.applicability.value, f.fix.title, f.fix.edits),
                       f.ga_form, f.source_line) for f in result.findings)
    errors = sorted((e.path, e.message, e.kind) for e in result.all_errors)
    fixed = sorted((f.path, f.line, f.col, f.code) for r in result.files for f in r.fixed)
    texts = sorted((r.path, r.old_text, r.new_text, r.changed) for r in result.files)
    return findings, errors, fixed, texts, result.checked, result.parsed


@pytest.fixture(autouse=True)
def steady_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Others edit the package while this runs: pin the code fingerprint so hits can be counted."""
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "pinned")


@pytest.fixture
def serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALTIME_MIGRATE_JOBS", "1")


@pytest.fixture
def forced_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool for any work at all, started before the prefilter: the riskiest configuration."""
    monkeypatch.setenv("REALTIME_MIGRATE_JOBS", "2")
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.setattr(parallel, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(parallel, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "SPECULATE_MIN_FILES", 1)


def _run(paths: list[str], mode: str = "scan", cache: str | None = None, **kw) -> object:  # type: ignore[no-untyped-def]
    return Runner(Settings(**kw), cache=cache).run(paths, mode)


@pytest.fixture(scope="module")
def reference(tree: Path) -> tuple:
    """process_file() on each file in turn: the pre-#7 loop, no cache, no pool."""
    from realtime_migrate.api import RunResult

    runner = Runner(Settings())
    found = discover([str(tree)])
    out = RunResult(errors=list(found.errors), checked=len(found.files))
    for path in found.files:
        result = runner.process_file(path, "scan")
        if result is not None:
            out.parsed += 1
            out.files.append(result)
    assert out.findings, "the tree must hold findings, or this test proves nothing"
    return _answer(out)


def test_serial_matches_reference(tree: Path, reference: tuple, serial: None) -> None:
    assert _answer(_run([str(tree)])) == reference


def test_pool_matches_reference(tree: Path, reference: tuple, forced_pool: None) -> None:
    result = _run([str(tree)])
    assert result.stats is not None and result.stats.jobs == 2
    assert _answer(result) == reference


def test_cache_cold_warm_and_changed(tree: Path, reference: tuple, tmp_path: Path, serial: None) -> None:
    cache_dir = str(tmp_path / "cache")
    cold = _run([str(tree)], cache=cache_dir)
    assert _answer(cold) == reference and cold.stats.cache_hits == 0
    warm = _run([str(tree)], cache=cache_dir)
    assert _answer(warm) == reference
    assert warm.stats.cache_hits == warm.checked  # nothing parsed again
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    # A file changed on disk (new content, old mtime restored) is re-analysed, not served stale.
    target = next(p for p in sorted(tree.rglob("positive_*.py")))
    original = target.read_bytes()
    st = os.stat(target)
    try:
        target.write_bytes(original + b"\nEXTRA = 'response.audio.delta'\n")
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
        changed = _run([str(tree)], cache=cache_dir)
        fresh = _run([str(tree)])
        assert _answer(changed) == _answer(fresh)
        assert any(f.source_line == "EXTRA = 'response.audio.delta'" for f in changed.findings)
    finally:
        target.write_bytes(original)


def test_cache_with_pool(tree: Path, reference: tuple, tmp_path: Path, forced_pool: None) -> None:
    cache_dir = str(tmp_path / "cache")
    assert _answer(_run([str(tree)], cache=cache_dir)) == reference
    assert _answer(_run([str(tree)], cache=cache_dir)) == reference


def test_few_files_open_the_cache_lazily(tree: Path, tmp_path: Path, serial: None) -> None:
    """Under 50 files the cache is consulted for candidates only; answers are the same."""
    files = sorted(str(p) for p in (tree / "fixtures" / "rules").rglob("positive_*.py"))[:5]
    cache_dir = str(tmp_path / "cache")
    plain = _answer(_run(files))
    first = _run(files, cache=cache_dir)
    second = _run(files, cache=cache_dir)
    assert _answer(first) == plain == _answer(second)
    assert second.stats.cache_hits == len(files)


def test_corrupt_cache_is_a_miss(tree: Path, reference: tuple, tmp_path: Path, serial: None) -> None:
    cache_dir = tmp_path / "cache"
    _run([str(tree)], cache=str(cache_dir))
    for index in cache_dir.rglob("*.json"):
        index.write_text("{not json", encoding="utf-8")
    assert _answer(_run([str(tree)], cache=str(cache_dir))) == reference


def _fix_answer(root: Path, result) -> tuple:  # type: ignore[no-untyped-def]
    files = sorted((str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*.py"))
    return files, repr(_answer(result)[:4]).replace(str(root), "<root>")


@pytest.mark.parametrize("unsafe", [False, True])
def test_fix_same_with_pool_and_cache(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      unsafe: bool) -> None:
    small = tree / "fixtures"  # the preview-era files; the openai slice adds little here but time
    pristine = sorted((str(p.relative_to(small)), p.read_bytes()) for p in small.rglob("*.py"))
    answers = {}
    for variant in ("serial", "pool", "cache-warm"):
        root = tmp_path / variant
        shutil.copytree(small, root)
        monkeypatch.setenv("REALTIME_MIGRATE_JOBS", "2" if variant == "pool" else "1")
        monkeypatch.setattr(parallel, "POOL_MIN_FILES", 1 if variant == "pool" else 10**9)
        monkeypatch.setattr(parallel, "POOL_MIN_BYTES", 0)
        cache = str(tmp_path / f"cache-{variant}") if variant.startswith("cache") else None
        if variant == "cache-warm":  # scan results of the unchanged tree are what the fix run finds cached
            Runner(Settings(unsafe_fixes=unsafe), cache=cache).run([str(root)], "scan")
        result = Runner(Settings(unsafe_fixes=unsafe), cache=cache).run([str(root)], "fix")
        answers[variant] = _fix_answer(root, result)
    assert answers["serial"][0] != pristine, "fix changed nothing: this test would prove nothing"
    for variant, answer in answers.items():
        assert answer == answers["serial"], variant


def test_findings_survive_the_cache_format() -> None:
    from helpers import scan_text

    text = (FIXTURES / "rules" / "RTM001" / "positive_headers.py").read_text(encoding="utf-8")
    findings = scan_text(text)
    assert findings
    assert [load_finding(dump_finding(f), f.path) for f in findings] == findings


def test_code_fingerprint_follows_rule_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real fingerprint
    rules = tmp_path / "rules"
    shutil.copytree(catalog.rules_dir(), rules)
    monkeypatch.setattr(catalog, "rules_dir", lambda: rules)
    before = cache_module.code_fingerprint()
    assert cache_module.code_fingerprint() == before
    target = sorted(rules.glob("RTM*.py"))[0]
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert cache_module.code_fingerprint() != before


def test_cache_key_follows_rules_and_size_limit(tmp_path: Path) -> None:
    a = Cache.open(str(tmp_path), ["RTM001"], 100)
    assert a.path == Cache.open(str(tmp_path), ["RTM001"], 100).path
    assert a.path != Cache.open(str(tmp_path), ["RTM001", "RTM003"], 100).path
    assert a.path != Cache.open(str(tmp_path), ["RTM001"], 200).path


# -- the cheap stages against their plain reference versions ---------------------------------
def _excluded_reference(path: str, name: str, patterns: tuple[str, ...]) -> bool:
    norm = path.replace(os.sep, "/")
    for pat in patterns:
        if fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, f"*/{pat}"):
            return True
        if pat.endswith("/**") and (norm + "/").find("/" + pat[:-3].strip("/") + "/") >= 0:
            return True
    return False


def test_compiled_excludes_match_fnmatch() -> None:
    pool = list(DEFAULT_EXCLUDES) + ["tests/**", "*_pb2.py", "docs/*", "a/b", "gen", "x?y", "[ab]c", "/abs/**"]
    names = ["build", "gen", "x1y", "ac", "bc", "foo.egg-info", "venv", "a", "b", "tests", "docs", "m_pb2.py",
             "ok.py", "site-packages", ".git", "x.py"]
    rng = random.Random(7)
    for _ in range(5000):
        comps = [rng.choice(names) for _ in range(rng.randint(1, 4))]
        path = rng.choice(["", "./", "/abs/", "src/"]) + "/".join(comps)
        pats = tuple(rng.sample(pool, rng.randint(0, 6)))
        assert _excluded(path, comps[-1], pats) == _excluded_reference(path, comps[-1], pats), (path, pats)


def _corpus() -> list[bytes]:
    paths = sorted(FIXTURES.rglob("*.py"))
    if OPENAI.is_dir():
        paths += sorted(OPENAI.rglob("*.py"))[:600] + [OPENAI / rel for rel in OPENAI_SLICE]
    return [p.read_bytes() for p in paths if p.is_file()]


@pytest.mark.parametrize("engine", ["aho-corasick", "regex"])
def test_prefilter_is_exactly_substring_search(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both search engines (the automaton, and the anchored regex it falls back to) give `Rule.applies_to`
    (plain substring tests of triggers and context)."""
    if engine == "regex":
        monkeypatch.setenv("REALTIME_MIGRATE_PREFILTER", "regex")
    rules = catalog.all_rules()
    pf = Prefilter(rules)
    assert pf.engine == engine  # the wheel is a dependency: a silent fallback would test one engine twice
    lowered = {r.code: [t.encode().lower() for t in r.triggers] for r in rules}
    corpus = _corpus()
    corpus += [b"X" + t.encode().upper() + b"Y" for r in rules for t in r.triggers]  # case, and each trigger alone
    corpus += [b"".join(t.encode() for r in rules for t in r.triggers)]  # all of them, overlapping
    # each trigger with each rule's context (first string of every group), so context-bound rules are kept too
    contexts = {b" ".join(g[0].encode() for g in r.context) for r in rules if r.context}
    corpus += [b"X" + t.encode() + b" " + c for c in contexts for r in rules for t in r.triggers]
    kept_by_context = 0
    for data in corpus:
        low = data.lower()
        expected = tuple(r for r in rules if r.applies_to(low))
        assert expected == tuple(r for r in rules if any(t in low for t in lowered[r.code]) and all(
            any(c.encode().lower() in low for c in g) for g in r.context))
        assert pf.rules_for(data) == expected
        assert pf.candidate(data) == bool(expected)
        kept_by_context += any(r.context for r in expected)
    assert kept_by_context, "no context-bound rule was ever kept: this test would prove nothing"
    if engine == "aho-corasick":  # the gate (anchors first) was built early on, so most of these went through it
        assert pf._automaton is not None and pf._automaton._gate is not None


def test_gate_anchors_cover_every_trigger() -> None:
    """The automaton's first stage looks for anchors only: a trigger without one would make its files vanish."""
    from realtime_migrate.prefilter import GATE_ANCHOR, GATE_MAX, gate_anchors

    triggers = sorted({t.encode().lower() for r in catalog.all_rules() for t in r.triggers})
    anchors = gate_anchors(triggers, GATE_ANCHOR)
    assert len(anchors) <= GATE_MAX, "too many anchors for the SIMD prefilter: raise GATE_ANCHOR or drop the gate"
    for t in triggers:
        assert any(a in t for a in anchors), t


@pytest.mark.parametrize("engine", ["aho-corasick", "regex"])
def test_every_trigger_has_an_anchor(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "regex":
        monkeypatch.setenv("REALTIME_MIGRATE_PREFILTER", "regex")
    pf = Prefilter(catalog.all_rules())
    assert pf.engine == engine
    for r in catalog.all_rules():
        for t in r.triggers:
            assert any(a in t.encode().lower() for a in pf.anchors), t


# -- engine: visitor methods found once per class --------------------------------------------
def test_visitor_methods_are_libcsts(monkeypatch: pytest.MonkeyPatch, tree: Path) -> None:
    import inspect

    import libcst as cst
    from libcst._batched_visitor import _get_visitor_methods

    from realtime_migrate import engine, matchers, traversal
    from realtime_migrate.matchers.base import FileContext

    module = cst.parse_module("x = 1\n")
    ctx = FileContext(path="x.py", text="x = 1\n", module=module)
    visitors = [matchers.load(r.matcher)(r, ctx) for r in catalog.all_rules()]
    ours: dict[str, list] = {}  # type: ignore[type-arg]
    for v in visitors:
        for name in traversal.visitor_names(type(v)):
            fn = getattr(v, name)
            if inspect.ismethod(fn) and fn.__name__.startswith(("visit_", "leave_")) \
                    and not getattr(fn, "_is_no_op", False):
                ours.setdefault(name, []).append(fn)
    theirs = {k: v for k, v in _get_visitor_methods(visitors).items() if k.startswith(("visit_", "leave_"))}
    assert ours == theirs
    # And whole analyses agree with libcst's own MetadataWrapper.visit_batched.
    rules = catalog.all_rules()
    files = sorted(tree.rglob("*.py"))
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    mine = [engine.analyse(path, text, rules) for path, text in texts]
    monkeypatch.setattr(engine, "visit_batched", lambda wrapper, visitors, owners=None: wrapper.visit_batched(visitors))
    assert [engine.analyse(path, text, rules) for path, text in texts] == mine

"""JavaScript and TypeScript through the real CLI (issue #15): golden before/after files, idempotence, output
that parses, precision on GA code, discovery, suppressions, bad input, and a Node program end to end.

Golden files live in `fixtures/js/golden/`: `<name>.<ext>` (its first line says which codes must report; HTML
pages are checked through their inline scripts) and,
when something is fixed, `<name>.fixed.<ext>`: the exact bytes `fix` must write.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, run_cli

from realtime_migrate import javascript
from realtime_migrate.ga.simulator import run_subprocess

GOLDEN = FIXTURES / "js" / "golden"
APPS = FIXTURES / "js" / "apps"
CASES = sorted(p for p in GOLDEN.iterdir() if ".fixed." not in p.name)
NODE = shutil.which("node")


def _expected_codes(path: Path) -> set[str]:
    head = path.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith(("// expect-codes:", "<!-- expect-codes:")), path
    codes = head.split(":", 1)[1].removesuffix("-->").strip()
    return set() if codes == "none" else {c.strip() for c in codes.split(",")}


def _fixed_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}.fixed{path.suffix}")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path, tmp_path: Path) -> None:
    copy = tmp_path / case.name
    shutil.copyfile(case, copy)
    scan = json.loads(run_cli(["scan", "--no-cache", "-o", "json", str(copy)]).stdout)
    assert scan["errors"] == []
    codes = {f["code"] for f in scan["findings"] if f["severity"] != "info"}
    assert codes == _expected_codes(case), codes
    fixed = run_cli(["fix", "--no-cache", str(copy)])
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    expected = _fixed_name(case)
    result = copy.read_text(encoding="utf-8")
    if expected.exists():
        assert result == expected.read_text(encoding="utf-8")
    else:
        assert result == case.read_text(encoding="utf-8"), "a file with nothing to fix changed"
    assert javascript.parses(result, str(copy)), "the fixed file does not parse"
    again = run_cli(["fix", "--no-cache", str(copy)])
    assert copy.read_text(encoding="utf-8") == result, again.stdout  # idempotent
    if NODE is not None and copy.suffix in (".js", ".mjs"):
        check = subprocess.run([NODE, "--check", str(copy)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_every_golden_fix_is_reviewed() -> None:
    """A `.fixed` file exists exactly for the cases that expect a fixable code, and nothing else sits here."""
    names = {p.name for p in GOLDEN.iterdir()}
    for case in CASES:
        assert (_fixed_name(case).name in names) == bool(_expected_codes(case)), case.name


def test_discovery_takes_js_and_ts_and_skips_bundles(tmp_path: Path) -> None:
    preview = 'if (e.type === "response.audio.delta") play(e);\n'
    for rel in ("src/app.js", "src/app.ts", "src/view.tsx", "src/worker.mjs", "dist/bundle.js",
                "node_modules/pkg/index.js", "public/app.min.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(preview, encoding="utf-8")
    (tmp_path / "public" / "index.html").write_text(f"<p>response.audio.delta</p>\n<script>\n{preview}</script>\n",
                                                    encoding="utf-8")
    data = '<script type="application/json">["response.audio.delta"]</script>\n'  # JSON, not a script
    (tmp_path / "public" / "data.html").write_text(data, encoding="utf-8")
    proc = run_cli(["scan", "--no-cache", "-o", "concise", "."], cwd=tmp_path)
    reported = {line.split(":", 2)[0] + ":" + line.split(":", 2)[1] for line in proc.stdout.splitlines()
                if "RTM003" in line}
    assert reported == {"src/app.js:1", "src/app.ts:1", "src/view.tsx:1", "src/worker.mjs:1",
                        "public/index.html:3"}, proc.stdout


def test_suppression_comment_on_the_line(tmp_path: Path) -> None:
    src = tmp_path / "a.js"
    src.write_text('if (t === "response.text.delta") x(); // realtime-migrate: ignore[RTM003] legacy server\n'
                   'if (t === "response.text.done") y();\n', encoding="utf-8")
    doc = json.loads(run_cli(["scan", "--no-cache", "-o", "json", str(src)]).stdout)
    assert [(f["code"], f["location"]["line"]) for f in doc["findings"]] == [("RTM003", 2)]


def test_unused_suppression_names_the_js_comment(tmp_path: Path) -> None:
    src = tmp_path / "a.js"
    src.write_text('if (t === "response.output_text.done") y(); /* realtime-migrate: ignore[RTM003] */\n',
                   encoding="utf-8")
    doc = json.loads(run_cli(["scan", "--no-cache", "-o", "json", str(src)]).stdout)
    assert [(f["code"], f["message"].split(":")[0]) for f in doc["findings"]] == [
        ("RTM900", "Unused `/* realtime-migrate")], doc["findings"]
    run_cli(["fix", "--no-cache", str(src)])
    assert src.read_text(encoding="utf-8") == 'if (t === "response.output_text.done") y();\n'


def test_web_files_through_cache_baseline_and_sarif(tmp_path: Path) -> None:
    """The same machinery as for Python: a warm cache answers with the same findings, a baseline hides today's
    findings and reports a new one, and SARIF output is valid and points into the page's own lines."""
    import jsonschema

    page = tmp_path / "index.html"
    shutil.copyfile(GOLDEN / "browser_page.html", page)
    client = tmp_path / "client.ts"
    client.write_text('if (e.type === "response.audio.delta") play(e);\n', encoding="utf-8")
    env_cache = ["--no-cache"]  # baseline and SARIF runs: no cache; the cache runs below use their own folder
    cache = tmp_path / "cache"
    runs = [json.loads(run_cli(["scan", "-o", "json", str(tmp_path / "index.html"), str(client)], cwd=tmp_path,
                               env={"REALTIME_MIGRATE_CACHE_DIR": str(cache)}).stdout) for _ in range(2)]
    assert runs[0]["findings"] == runs[1]["findings"] and runs[0]["findings"], runs
    assert any(cache.rglob("*.json")), "the cache was not written"
    base = tmp_path / "baseline.json"
    run_cli(["baseline", "--output", str(base), str(page), str(client)], cwd=tmp_path)
    assert run_cli(["scan", *env_cache, "--baseline", str(base), str(page), str(client)], cwd=tmp_path).returncode == 0
    client.write_text(client.read_text(encoding="utf-8") + 'if (e.type === "response.text.done") end();\n',
                      encoding="utf-8")
    new = run_cli(["scan", *env_cache, "--baseline", str(base), "-o", "concise", str(page), str(client)], cwd=tmp_path)
    assert new.returncode == 1 and new.stdout.count("RTM003") == 1 and "client.ts:2:" in new.stdout, new.stdout
    sarif = json.loads(run_cli(["scan", *env_cache, "-o", "sarif", str(page)], cwd=tmp_path).stdout)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif["runs"][0]["results"]}
    assert 18 in lines and 41 in lines, lines  # the page's own lines, in two different <script> blocks


def test_unparseable_js_is_reported_and_untouched(tmp_path: Path) -> None:
    src = tmp_path / "broken.js"
    data = b'const h = { "OpenAI-Beta": "realtime=v1", \n function ( {\n'
    src.write_bytes(data)
    for command in ("scan", "fix"):
        proc = run_cli([command, "--no-cache", str(src)])
        assert proc.returncode == 2, proc.stdout + proc.stderr
        errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "syntax error at line" in errors[0], errors
        assert src.read_bytes() == data


def test_html_page_with_a_broken_script_is_reported_and_untouched(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    data = (b'<script>if (e.type === "response.audio.delta") play(e);</script>\r\n'
            b'<script type="module">\r\nconst h = { "OpenAI-Beta": "realtime=v1", \r\n</script>\r\n')
    page.write_bytes(data)
    for command in ("scan", "fix"):
        proc = run_cli([command, "--no-cache", str(page)])
        assert proc.returncode == 2, proc.stdout + proc.stderr
        errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "index.html" in errors[0] and "syntax error at line" in errors[0], errors
        assert page.read_bytes() == data


def test_html_page_fix_keeps_crlf_and_suppressions(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_bytes(b'<html>\r\n<script>\r\nif (e.type === "response.audio.delta") play(e);\r\n'
                     b'if (e.type === "response.text.delta") show(e); // realtime-migrate: ignore[RTM003] old relay\r\n'
                     b'</script>\r\n</html>\r\n')
    proc = run_cli(["fix", "--no-cache", str(page)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert page.read_bytes() == (b'<html>\r\n<script>\r\nif (e.type === "response.output_audio.delta") play(e);\r\n'
                                 b'if (e.type === "response.text.delta") show(e); // realtime-migrate: ignore[RTM003] '
                                 b'old relay\r\n</script>\r\n</html>\r\n')


def test_stdin_with_a_js_filename() -> None:
    proc = run_cli(["fix", "-", "--stdin-filename", "client.ts"],
                   stdin='const h = { "OpenAI-Beta": "realtime=v1", Authorization: auth };\n')
    assert proc.stdout == "const h = { Authorization: auth };\n", proc.stdout + proc.stderr


NODE_MODULES = APPS / "node_modules"
# (program, what a completed run prints, needs TLS: the openai npm package turns any base URL into `wss:`)
PROGRAMS = [
    ("ephemeral_key_server.mjs", "minted a key", False),  # fetch only, no npm package
    ("ws_relay.mjs", "bytes of audio, status completed", False),  # the `ws` package
    ("beta_sdk_client.mjs", "answered:", True),  # `openai/beta/realtime/ws` of the openai npm package
    ("beta_sdk_token.mjs", "minted a key", True),  # `client.beta.realtime.sessions.create` of the npm package
]


def _need_node_modules() -> None:
    assert (NODE_MODULES / "ws").is_dir() and (NODE_MODULES / "openai").is_dir(), (
        "the Node programs' packages are missing: run `npm ci --prefix fixtures/js/apps` (the README's test "
        "command does)")


def test_sweep_of_real_js_code(tmp_path: Path) -> None:
    """Real npm code nobody here wrote: `ws` has no Realtime code and the `openai` package's GA realtime modules
    speak GA, so neither may get an error; its beta realtime modules are preview code, which `fix` must leave
    parsing (tree-sitter and `node --check`) and stable."""
    _need_node_modules()
    ignore = shutil.ignore_patterns("*.map", "*.d.ts", "*.d.mts", "*.d.cts")
    openai = NODE_MODULES / "openai"
    trees = {"clean/ws": NODE_MODULES / "ws", "clean/ga": openai / "realtime",
             "clean/ga_resources": openai / "resources" / "realtime", "beta/realtime": openai / "beta" / "realtime",
             "beta/resources": openai / "resources" / "beta" / "realtime"}
    for name, src in trees.items():
        shutil.copytree(src, tmp_path / name, ignore=ignore)
    clean = json.loads(run_cli(["scan", "--no-cache", "--exit-zero", "-o", "json", str(tmp_path / "clean")]).stdout)
    assert clean["errors"] == [] and [f for f in clean["findings"] if f["severity"] != "info"] == [], clean["findings"]
    assert clean["summary"]["files_checked"] > 20, clean["summary"]
    beta = tmp_path / "beta"
    before = json.loads(run_cli(["scan", "--no-cache", "--exit-zero", "-o", "json", str(beta)]).stdout)
    assert before["errors"] == [] and len({f["path"] for f in before["findings"]}) >= 6, before["summary"]
    fixed = run_cli(["fix", "--no-cache", "--unsafe-fixes", str(beta)])
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    files = sorted(p for p in beta.rglob("*") if p.suffix in (".js", ".mjs"))
    once = {p: p.read_bytes() for p in files}
    for path in files:
        assert javascript.parses(path.read_text(encoding="utf-8"), str(path)), path
        if NODE is not None:
            check = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True)
            assert check.returncode == 0, (path, check.stderr)
    run_cli(["fix", "--no-cache", "--unsafe-fixes", str(beta)])
    assert {p: p.read_bytes() for p in files} == once  # idempotent


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1, so the simulator can serve https/wss."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@pytest.mark.parametrize(("program", "done", "tls"), PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_node_program_fails_as_written_and_completes_after_fix(program: str, done: str, tls: bool,
                                                               tmp_path: Path, tls_pair: tuple[Path, Path]) -> None:
    """Preview-era Node programs against the strict GA simulator: refused as written, complete after `fix`."""
    assert NODE is not None, "node is needed for this end-to-end test (the project's machines have it)"
    _need_node_modules()
    copy = tmp_path / program
    shutil.copyfile(APPS / program, copy)
    (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    with run_subprocess(lifetime=120, idle_timeout=60, tls=tls_pair if tls else None) as sim:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "NODE_"))}
        env.update(sim.env(), NODE_EXTRA_CA_CERTS=str(tls_pair[0]))
        before = subprocess.run([NODE, str(copy)], env=env, capture_output=True, text=True, timeout=60)
        assert before.returncode != 0 and "beta_api_shape_disabled" in before.stderr, before.stdout + before.stderr
        fixed = subprocess.run([sys.executable, "-m", "realtime_migrate", "fix", "-o", "json", str(copy)],
                               capture_output=True, text=True, timeout=120)
        assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
        left = {f["code"] for f in json.loads(fixed.stdout)["findings"]}
        assert left <= {"RTM026"}, left  # only the model name, which needs a person's choice
        after = subprocess.run([NODE, str(copy)], env=env, capture_output=True, text=True, timeout=60)
        assert after.returncode == 0 and done in after.stdout, after.stdout + after.stderr

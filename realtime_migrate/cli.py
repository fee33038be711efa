"""The command line: parses flags, calls the API, renders, and picks the exit code.

Exit codes (a contract pipelines rely on): 0 nothing left to report; 1 findings
remain (after `fix`: findings it could not fix; with `fix --diff`: changes pending;
with `fix --exit-non-zero-on-fix`: a file was changed); 2 usage or config error, or a
file that could not be read, decoded, parsed or written. `scan --exit-zero` turns 1
into 0 (never 2). `fix` has no --exit-zero: it never exits 0 while findings remain.
"""

from __future__ import annotations

import difflib
import sys

import typer

from realtime_migrate import __version__

app = typer.Typer(
    name="realtime-migrate",
    help="Find OpenAI Realtime API preview (beta) protocol code and rewrite it to the GA protocol.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"realtime-migrate {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Find OpenAI Realtime API preview (beta) protocol code and rewrite it to the GA protocol."""


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return tuple(out)


def _settings(select, ignore, exclude, unsafe_fixes, max_file_size, *,  # type: ignore[no-untyped-def]
              paths=(), config=None, stdin_filename=None):
    """Flags over `[tool.realtime-migrate]`: `--select` starts afresh; `--ignore` adds to the config's ignore."""
    from realtime_migrate import catalog
    from realtime_migrate import config as cfgmod
    from realtime_migrate.settings import Settings

    cli_sel, cli_ign = _split(select), _split(ignore)
    bad = catalog.unknown_selectors(cli_sel + cli_ign)
    if bad:
        typer.echo(f"error: unknown rule selector(s): {', '.join(bad)} (see `realtime-migrate rules`)", err=True)
        raise typer.Exit(EXIT_ERROR)
    starts = [stdin_filename or "."] if list(paths) == ["-"] else [p for p in paths if p != "-"]
    try:
        cfg = cfgmod.resolve(starts, config)
    except cfgmod.ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    if cli_sel:
        sel, ign = cli_sel, cli_ign
    else:
        sel, ign = cfg.select or ("ALL",), cfg.ignore + cli_ign
    excl = (_split(exclude) if exclude else cfg.exclude) + cfg.extend_exclude
    unsafe = unsafe_fixes if unsafe_fixes is not None else bool(cfg.unsafe_fixes)
    return Settings(select=sel, ignore=ign, exclude=excl, per_file_ignores=cfgmod.anchored_per_file_ignores(cfg),
                    unsafe_fixes=unsafe, max_file_bytes=int(max_file_size * 1_048_576))


def _check_format(output_format: str) -> None:
    from realtime_migrate.report import FORMATS

    if output_format not in FORMATS:
        typer.echo(f"error: unknown output format {output_format!r}; choose from {', '.join(FORMATS)}", err=True)
        raise typer.Exit(EXIT_ERROR)


def _run(settings, paths: list[str], mode: str, stdin_filename: str | None,  # type: ignore[no-untyped-def]
         force_exclude: bool, cache: bool = False):
    """Runs files (with a progress bar on a terminal), or stdin for `-`; returns (RunResult, stdin output)."""
    from realtime_migrate.api import Runner, RunResult

    runner = Runner(settings, cache=cache or None)
    if "-" in paths:
        if paths != ["-"]:
            typer.echo("error: `-` (stdin) cannot be combined with other paths", err=True)
            raise typer.Exit(EXIT_ERROR)
        result, out = runner.process_stdin(stdin_filename or "<stdin>", sys.stdin.buffer.read(), mode)
        return RunResult(files=[result], checked=1), out
    if force_exclude:
        from realtime_migrate.config import drop_excluded

        paths = drop_excluded(paths, settings.exclude)
    from realtime_migrate import progress

    with progress.bar() as callback:
        return runner.run(paths, mode, progress=callback), None


def _emit(summary, output_format: str, to_stderr: bool = False) -> None:  # type: ignore[no-untyped-def]
    from realtime_migrate.report import renderer

    try:
        render = renderer(output_format)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    (sys.stderr if to_stderr else sys.stdout).write(render(summary))
    if output_format != "text" and not to_stderr:
        for error in summary.errors:
            typer.echo(f"error: {error.one_line()}", err=True)


SELECT = typer.Option(None, "--select", help="Rule codes, prefixes or names to enable (comma-separated).")
IGNORE = typer.Option(None, "--ignore", help="Rule codes, prefixes or names to disable (comma-separated).")
EXCLUDE = typer.Option(None, "--exclude", help="Glob of paths to skip (repeatable), on top of the defaults.")
FORMAT = typer.Option("text", "--output-format", "-o",
                      help="text, concise, json, sarif, github (workflow annotations) or junit.")
MAXSIZE = typer.Option(8.0, "--max-file-size", help="Largest file to parse, in MB.")
CONFIG = typer.Option(None, "--config", help="Config file (pyproject.toml with [tool.realtime-migrate], or a TOML "
                      "file holding that table); default: the nearest pyproject.toml with the table.")
STDIN_NAME = typer.Option(None, "--stdin-filename", help="With `-`: the path of the code read from stdin "
                          "(for per-file-ignores and messages).")
FORCE_EXCLUDE = typer.Option(False, "--force-exclude", help="Apply excludes to files named on the command line "
                             "too (pre-commit names every file).")
NO_CACHE = typer.Option(False, "--no-cache", help="Do not read or write the result cache (.realtime_migrate_cache/ "
                        "in the project root; REALTIME_MIGRATE_CACHE_DIR moves it).")
STATISTICS = typer.Option(False, "--statistics", "-v", help="Print files/s, the prefilter hit ratio and cache hits "
                          "to stderr.")


def _print_statistics(result) -> None:  # type: ignore[no-untyped-def]
    if result.stats is not None:
        typer.echo(f"statistics: {result.stats.line()}", err=True)


@app.command()
def scan(
    paths: list[str] = typer.Argument(..., help="Files or directories."),
    output_format: str = FORMAT,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    exclude: list[str] | None = EXCLUDE,
    unsafe_fixes: bool | None = typer.Option(None, "--unsafe-fixes/--no-unsafe-fixes",
                                             help="Count unsafe fixes as available."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings remain."),
    max_file_size: float = MAXSIZE,
    config: str | None = CONFIG,
    baseline: str | None = typer.Option(None, "--baseline", help="Report only findings not in this baseline file "
                                        "(written by `realtime-migrate baseline`)."),
    stdin_filename: str | None = STDIN_NAME,
    force_exclude: bool = FORCE_EXCLUDE,
    add_suppressions: bool = typer.Option(False, "--add-suppressions",
                                          help="Write `# realtime-migrate: ignore[CODE]` on every finding's line "
                                          "(to adopt the tool on a legacy tree), then report what is left."),
    no_cache: bool = NO_CACHE,
    statistics: bool = STATISTICS,
) -> None:
    """Report every preview-era construct, with its rule code and GA form. `-` reads stdin."""
    from realtime_migrate.report.summary import Summary

    _check_format(output_format)
    settings = _settings(select, ignore, exclude, unsafe_fixes, max_file_size, paths=paths, config=config,
                         stdin_filename=stdin_filename)
    known = None
    if baseline is not None:
        from realtime_migrate.baseline import Baseline, BaselineError

        try:
            known = Baseline.load(baseline)
        except BaselineError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
    if add_suppressions and "-" in paths:
        typer.echo("error: --add-suppressions needs files, not stdin", err=True)
        raise typer.Exit(EXIT_ERROR)
    result, _ = _run(settings, paths, "scan", stdin_filename, force_exclude, cache=not no_cache)
    if statistics:
        _print_statistics(result)
    findings, baselined = (result.findings, 0) if known is None else known.split(result.findings)
    if add_suppressions:
        findings = _add_suppressions(result, findings)
    summary = Summary("scan", findings, result.all_errors, checked=result.checked,
                      unsafe_enabled=settings.unsafe_fixes, baselined=baselined)
    _emit(summary, output_format)
    if summary.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if summary.problems and not exit_zero else EXIT_CLEAN)


def _add_suppressions(result, findings):  # type: ignore[no-untyped-def]
    """Writes the directives file by file; returns the findings still reported (those that could not
    get a directive, notes, RTM900, and every finding of a file that could not be written)."""
    from realtime_migrate.model import FileError
    from realtime_migrate.source import SourceError, read_source, write_atomic
    from realtime_migrate.suppress import UNUSED_CODE, add_directives

    by_path: dict[str, list] = {}  # type: ignore[type-arg]
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    still, added, files = [], 0, 0
    for r in result.files:
        mine = by_path.pop(r.path, [])
        todo = [f for f in mine if not f.is_note and f.code != UNUSED_CODE]
        still.extend(f for f in mine if f.is_note or f.code == UNUSED_CODE)
        if not todo:
            continue
        try:
            src = read_source(r.path)
            if src.notebook is not None:
                raise SourceError("suppression comments are not added to notebooks: add them in the cell by hand")
            if src.text != r.old_text:
                raise SourceError("file changed on disk during the run; not modified (run again)")
            new, n, left = add_directives(src.text, todo)
            if n:
                write_atomic(src, new)
        except SourceError as exc:
            result.errors.append(FileError(r.path, str(exc), "write"))
            still.extend(todo)
            continue
        still.extend(left)
        added += n
        files += n > 0
    for rest in by_path.values():
        still.extend(rest)
    typer.echo(f"Added {added} suppression{'s' * (added != 1)} in {files} file{'s' * (files != 1)}.", err=True)
    return still


@app.command()
def fix(
    paths: list[str] = typer.Argument(..., help="Files or directories."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
    unsafe_fixes: bool | None = typer.Option(None, "--unsafe-fixes/--no-unsafe-fixes",
                                             help="Also apply fixes marked unsafe."),
    output_format: str = FORMAT,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    exclude: list[str] | None = EXCLUDE,
    exit_non_zero_on_fix: bool = typer.Option(False, "--exit-non-zero-on-fix",
                                              help="Exit 1 when a file was changed, even if nothing remains."),
    max_file_size: float = MAXSIZE,
    config: str | None = CONFIG,
    stdin_filename: str | None = STDIN_NAME,
    force_exclude: bool = FORCE_EXCLUDE,
    no_cache: bool = NO_CACHE,
    statistics: bool = STATISTICS,
) -> None:
    """Rewrite what is safe to rewrite; report what could not be fixed.

    `-` reads stdin and prints the fixed code (messages go to stderr). A baseline does not
    apply: `fix` fixes every finding it can.
    """
    from realtime_migrate.report.summary import Summary

    _check_format(output_format)
    settings = _settings(select, ignore, exclude, unsafe_fixes, max_file_size, paths=paths, config=config,
                         stdin_filename=stdin_filename)
    result, stdin_out = _run(settings, paths, "diff" if diff else "fix", stdin_filename, force_exclude,
                             cache=not no_cache)
    if statistics:
        _print_statistics(result)
    changed = [r for r in result.files if r.changed]
    diff_text = ""
    if diff:
        chunks = []
        for r in changed:
            assert r.old_text is not None and r.new_text is not None
            chunks.append("".join(difflib.unified_diff(
                r.old_text.splitlines(keepends=True), r.new_text.splitlines(keepends=True),
                fromfile=f"a/{r.path.lstrip('/')}", tofile=f"b/{r.path.lstrip('/')}")))
        diff_text = "".join(c if c.endswith("\n") else c + "\n\\ No newline at end of file\n" for c in chunks)
    summary = Summary("fix", result.findings, result.all_errors,
                      fixed=[f for r in result.files for f in r.fixed],
                      changed_files=[r.path for r in changed], checked=result.checked,
                      unsafe_enabled=settings.unsafe_fixes, diff=diff_text)
    if stdin_out is not None and not diff:
        sys.stdout.buffer.write(stdin_out)
        sys.stdout.flush()
        _emit(summary, output_format, to_stderr=True)
    else:
        _emit(summary, output_format)
    if summary.errors:
        raise typer.Exit(EXIT_ERROR)
    if summary.problems or (changed and (diff or exit_non_zero_on_fix)):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_CLEAN)


@app.command("baseline")
def write_baseline(
    paths: list[str] = typer.Argument(..., help="Files or directories."),
    output: str = typer.Option("realtime-migrate-baseline.json", "--output", help="Baseline file to write."),
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    exclude: list[str] | None = EXCLUDE,
    max_file_size: float = MAXSIZE,
    config: str | None = CONFIG,
) -> None:
    """Record today's findings, so that `scan --baseline FILE` reports only new ones.

    Findings are keyed on path, code and the text of their line (not the line number),
    so code moving around does not resurface them. Commit the file; shrink it by running
    this again after fixing.
    """
    from pathlib import Path

    from realtime_migrate import baseline

    settings = _settings(select, ignore, exclude, None, max_file_size, paths=paths, config=config)
    result, _ = _run(settings, paths, "scan", None, False)
    for error in result.all_errors:
        typer.echo(f"error: {error.one_line()}", err=True)
    try:
        n = baseline.write(Path(output), result.findings)
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    typer.echo(f"Wrote {n} finding{'s' * (n != 1)} to {output}; `realtime-migrate scan --baseline {output}` "
               "now reports only new ones.")
    if result.all_errors:
        typer.echo(f"{len(result.all_errors)} file(s) could not be processed: their findings are not in the baseline.",
                   err=True)
        raise typer.Exit(EXIT_ERROR)


@app.command("rules")
def list_rules(output_format: str = typer.Option("text", "--output-format", "-o", help="text or json.")) -> None:
    """List every rule: code, name, fix availability and summary."""
    from realtime_migrate import catalog

    rules = catalog.all_rules()
    if output_format == "json":
        import json

        typer.echo(json.dumps([{"code": r.code, "name": r.name, "fix": r.fix.value, "summary": r.summary,
                                "references": list(r.references), "url": r.doc_url} for r in rules], indent=2))
        return
    width = max(len(r.name) for r in rules)
    typer.echo(f"{'code':<7} {'name':<{width}}  {'fix':<9}  summary")
    for r in rules:
        typer.echo(f"{r.code:<7} {r.name:<{width}}  {r.fix.value:<9}  {r.summary}")


@app.command("rule")
def show_rule(code: str = typer.Argument(..., help="A rule code (RTM001) or name.")) -> None:
    """Print a rule's documentation."""
    from realtime_migrate import catalog

    rule = catalog.by_code(code)
    if rule is None:
        typer.echo(f"error: no rule {code!r} (see `realtime-migrate rules`)", err=True)
        raise typer.Exit(EXIT_ERROR)
    typer.echo(rule.render_docs())


def _register_extensions() -> None:
    try:
        from realtime_migrate.ga import cli as ga_cli
    except ImportError:
        return
    register = getattr(ga_cli, "register", None)
    if register is not None:
        register(app)


_register_extensions()

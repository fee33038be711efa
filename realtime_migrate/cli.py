"""The command line: parses flags, calls the API, renders, and picks the exit code.

Exit codes (a contract pipelines rely on): 0 nothing left to report; 1 findings
remain (after `fix`: findings it could not fix; with `fix --diff`: changes pending);
2 usage error, or a file that could not be read, decoded, parsed or written.
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


def _settings(select, ignore, exclude, unsafe_fixes, max_file_size):  # type: ignore[no-untyped-def]
    from realtime_migrate import catalog
    from realtime_migrate.settings import Settings

    sel, ign = _split(select) or ("ALL",), _split(ignore)
    bad = catalog.unknown_selectors(sel + ign)
    if bad:
        typer.echo(f"error: unknown rule selector(s): {', '.join(bad)} (see `realtime-migrate rules`)", err=True)
        raise typer.Exit(EXIT_ERROR)
    return Settings(select=sel, ignore=ign, exclude=_split(exclude), unsafe_fixes=unsafe_fixes,
                    max_file_bytes=int(max_file_size * 1_048_576))


def _emit(summary, output_format: str) -> None:  # type: ignore[no-untyped-def]
    from realtime_migrate.report import renderer

    try:
        render = renderer(output_format)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    sys.stdout.write(render(summary))
    if output_format != "text":
        for error in summary.errors:
            typer.echo(f"error: {error.one_line()}", err=True)


SELECT = typer.Option(None, "--select", help="Rule codes, prefixes or names to enable (comma-separated).")
IGNORE = typer.Option(None, "--ignore", help="Rule codes, prefixes or names to disable (comma-separated).")
EXCLUDE = typer.Option(None, "--exclude", help="Glob of paths to skip (repeatable), on top of the defaults.")
FORMAT = typer.Option("text", "--output-format", "-o", help="text or json.")
MAXSIZE = typer.Option(8.0, "--max-file-size", help="Largest file to parse, in MB.")


@app.command()
def scan(
    paths: list[str] = typer.Argument(..., help="Files or directories."),
    output_format: str = FORMAT,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    exclude: list[str] | None = EXCLUDE,
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Count unsafe fixes as available."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings remain."),
    max_file_size: float = MAXSIZE,
) -> None:
    """Report every preview-era construct, with its rule code and GA form."""
    from realtime_migrate.api import Runner
    from realtime_migrate.report.summary import Summary

    settings = _settings(select, ignore, exclude, unsafe_fixes, max_file_size)
    result = Runner(settings).run(paths, "scan")
    summary = Summary("scan", result.findings, result.all_errors, checked=result.checked,
                      unsafe_enabled=unsafe_fixes)
    _emit(summary, output_format)
    if summary.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if summary.problems and not exit_zero else EXIT_CLEAN)


@app.command()
def fix(
    paths: list[str] = typer.Argument(..., help="Files or directories."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    output_format: str = FORMAT,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    exclude: list[str] | None = EXCLUDE,
    exit_non_zero_on_fix: bool = typer.Option(False, "--exit-non-zero-on-fix",
                                              help="Exit 1 when a file was changed, even if nothing remains."),
    max_file_size: float = MAXSIZE,
) -> None:
    """Rewrite what is safe to rewrite; report what could not be fixed."""
    from realtime_migrate.api import Runner
    from realtime_migrate.report.summary import Summary

    settings = _settings(select, ignore, exclude, unsafe_fixes, max_file_size)
    result = Runner(settings).run(paths, "diff" if diff else "fix")
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
                      unsafe_enabled=unsafe_fixes, diff=diff_text)
    _emit(summary, output_format)
    if summary.errors:
        raise typer.Exit(EXIT_ERROR)
    if summary.problems or (changed and (diff or exit_non_zero_on_fix)):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_CLEAN)


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

"""Console-script entry point, kept apart from the typer app so that common runs never import typer.

`import typer` costs ~0.08 s and `import libcst` ~0.25-0.35 s, while a pre-commit run on
files with no trigger string has nothing to do but read them. So `scan` and `fix` whose
arguments are simple (paths and the flags below, text output) run here: same settings
(flags over `[tool.realtime-migrate]`), same Runner, same renderer, same exit codes as
cli.py, minus the argument parser. libcst is imported only if some file needs parsing,
typer never. Anything else (another command, `--help`, `--diff`, `--baseline`, stdin,
another output format, a flag this parser does not know, an option spelled in a way it
does not handle, an unknown rule selector, a config error) falls through to the typer
app, which does the whole run and prints the messages. tests/test_fast_path.py runs both
paths on the same cases and compares stdout, stderr and the exit code byte for byte.

`REALTIME_MIGRATE_FAST_PATH=0` turns the fast path off.
"""

from __future__ import annotations

import os
import re
import sys

FAST_ENV = "REALTIME_MIGRATE_FAST_PATH"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

_VALUE_OPTIONS = {"--select": "select", "--ignore": "ignore", "--exclude": "exclude", "--output-format": "format",
                  "-o": "format", "--config": "config", "--max-file-size": "max_file_size"}
_FLAGS = {"--unsafe-fixes": ("unsafe", True), "--no-unsafe-fixes": ("unsafe", False),
          "--no-cache": ("no_cache", True), "--force-exclude": ("force_exclude", True),
          "--statistics": ("statistics", True), "-v": ("statistics", True)}
_ONLY = {"--exit-zero": "scan", "--exit-non-zero-on-fix": "fix"}
_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")


class Args:
    """The flags of a simple run (a plain class: each dataclass costs ~1 ms of start-up to build)."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.paths: list[str] = []
        self.select: list[str] = []
        self.ignore: list[str] = []
        self.exclude: list[str] = []
        self.format = "text"
        self.config: str | None = None
        self.max_file_size = "8.0"
        self.unsafe: bool | None = None
        self.no_cache = False
        self.force_exclude = False
        self.statistics = False
        self.exit_zero = False
        self.exit_non_zero_on_fix = False


def parse_args(argv: list[str]) -> Args | None:
    """The arguments of a simple `scan`/`fix` run, or None to let typer handle them."""
    if not argv or argv[0] not in ("scan", "fix"):
        return None
    args = Args(argv[0])
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-" or arg == "--":
            return None
        if not arg.startswith("-"):
            args.paths.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUE_OPTIONS:
            if not eq:
                if i >= len(argv):
                    return None
                value = argv[i]
                i += 1
            if value.startswith("-") or not value:
                return None
            key = _VALUE_OPTIONS[name]
            current = getattr(args, key)
            if isinstance(current, list):
                current.append(value)
            else:
                setattr(args, key, value)  # click: the last one wins
        elif eq:
            return None  # `--flag=value`: click's error message, not ours
        elif name in _FLAGS:
            key, flag = _FLAGS[name]
            setattr(args, key, flag)
        elif _ONLY.get(name) == args.command:
            setattr(args, name[2:].replace("-", "_"), True)
        else:
            return None
    if not args.paths or args.format != "text" or not _NUMBER.fullmatch(args.max_file_size):
        return None
    return args


def _split(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return tuple(out)


def settings_for(args: Args):  # type: ignore[no-untyped-def]
    """cli._settings without typer; None where cli would print an error (typer then prints it)."""
    from realtime_migrate import catalog
    from realtime_migrate import config as cfgmod
    from realtime_migrate.settings import Settings

    cli_sel, cli_ign = _split(args.select), _split(args.ignore)
    if catalog.unknown_selectors(cli_sel + cli_ign):
        return None
    try:
        cfg = cfgmod.resolve(list(args.paths), args.config)
    except cfgmod.ConfigError:
        return None
    if cli_sel:
        sel, ign = cli_sel, cli_ign
    else:
        sel, ign = cfg.select or ("ALL",), cfg.ignore + cli_ign
    excl = (_split(args.exclude) if args.exclude else cfg.exclude) + cfg.extend_exclude
    unsafe = args.unsafe if args.unsafe is not None else bool(cfg.unsafe_fixes)
    return Settings(select=sel, ignore=ign, exclude=excl, per_file_ignores=cfgmod.anchored_per_file_ignores(cfg),
                    unsafe_fixes=unsafe, max_file_bytes=int(float(args.max_file_size) * 1_048_576))


def fast(argv: list[str]) -> int | None:
    """Run a simple scan/fix without typer; the exit code, or None to hand over to the typer app."""
    if argv == ["--version"]:
        from realtime_migrate import __version__

        sys.stdout.write(f"realtime-migrate {__version__}\n")
        return EXIT_CLEAN
    args = parse_args(argv)
    if args is None:
        return None
    settings = settings_for(args)
    if settings is None:
        return None
    from realtime_migrate import progress
    from realtime_migrate.api import Runner
    from realtime_migrate.report.summary import Summary
    from realtime_migrate.report.text_format import render

    paths = args.paths
    if args.force_exclude:
        from realtime_migrate.config import drop_excluded

        paths = drop_excluded(paths, settings.exclude)
    runner = Runner(settings, cache=None if args.no_cache else True)
    with progress.bar() as callback:
        result = runner.run(paths, "scan" if args.command == "scan" else "fix", progress=callback)
    if args.statistics and result.stats is not None:
        sys.stderr.write(f"statistics: {result.stats.line()}\n")
    if args.command == "scan":
        summary = Summary("scan", result.findings, result.all_errors, checked=result.checked,
                          unsafe_enabled=settings.unsafe_fixes)
        sys.stdout.write(render(summary))
        if summary.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if summary.problems and not args.exit_zero else EXIT_CLEAN
    changed = [r for r in result.files if r.changed]
    summary = Summary("fix", result.findings, result.all_errors, fixed=[f for r in result.files for f in r.fixed],
                      changed_files=[r.path for r in changed], checked=result.checked,
                      unsafe_enabled=settings.unsafe_fixes, diff="")
    sys.stdout.write(render(summary))
    if summary.errors:
        return EXIT_ERROR
    if summary.problems or (changed and args.exit_non_zero_on_fix):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def main() -> None:
    if os.environ.get(FAST_ENV, "1") != "0":
        code = fast(sys.argv[1:])
        if code is not None:
            sys.stdout.flush()
            raise SystemExit(code)
    from realtime_migrate.cli import app

    app()

"""The `mentorship` command: parse arguments, call the library, report expected errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from automation import __version__
from automation.config import (
    ConfigError,
    Problem,
    Program,
    cross_check,
    load_program,
    program_today,
)
from automation.forge import ForgeError

CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("program.yml"),
    show_default=True,
    help="The program's roster and rules.",
)
TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this date (YYYY-MM-DD). Default: today in the program's time zone.",
)


class _Group(click.Group):
    """Expected failures become `Error: ...` and exit 1; anything else is a bug (traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, ForgeError) as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mentorship")
def main() -> None:
    """Mentorship programs run as code on GitLab and GitHub.

    The roster lives in program.yml; a nightly CI job runs `mentorship apply` to open
    pairing issues, track goals, nudge quiet pairs and close each term with a
    retrospective.
    """


def _day(value: Any, program: Program) -> date:
    return value.date() if value is not None else program_today(program)


@main.command()
@CONFIG
@TODAY
def validate(config_path: Path, today: Any) -> None:
    """Check program.yml: errors exit 1, warnings (e.g. a mentor over the soft limit) do not.

    \b
    Example:
        mentorship validate --config program.yml
    """
    program = load_program(config_path)
    day = _day(today, program)
    warnings = [p for p in cross_check(program, day) if p.warning]
    for line in _report(program, warnings):
        click.echo(line, err=True)
    active = sum(1 for p in program.pairings if p.start <= day < p.end(program.program))
    summary = (
        f"{config_path}: ok: {len(program.people)} people, {len(program.pairings)} pairings "
        f"({active} active on {day})"
    )
    if warnings:
        summary += f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    click.echo(summary)


def _report(program: Program, problems: list[Problem]) -> list[str]:
    source = program._source
    return source.report(problems) if source else [p.message for p in problems]


@main.group()
def sandbox() -> None:
    """The embedded forge: GitLab and GitHub APIs on one local port, no account needed."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8929, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("sandbox.sqlite3"),
    show_default=True,
    help="SQLite file holding the sandbox's projects, issues and clock; kept across restarts.",
)
def serve(host: str, port: int, state: Path) -> None:
    """Serve the sandbox forge until interrupted.

    GitLab's API is at http://HOST:PORT/api/v4, GitHub's at http://HOST:PORT/api/v3.
    A token authenticates as the user whose login equals the token.

    \b
    Example:
        mentorship sandbox serve --state demo/sandbox.sqlite3
    """
    from automation.sandbox import serve as run_server

    click.echo(f"sandbox forge on http://{host}:{port} (state: {state}); Ctrl-C stops it")
    click.echo(
        f"  GitLab API: http://{host}:{port}/api/v4   GitHub API: http://{host}:{port}/api/v3"
    )
    try:
        run_server(host=host, port=port, state=state)
    except KeyboardInterrupt:
        click.echo("stopped")

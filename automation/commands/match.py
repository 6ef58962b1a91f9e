"""`mentorship match`: mentors proposed for the whole queue of requests at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from automation.commands.today import program_day
from automation.errors import ExpectedError
from automation.roster import matching
from automation.roster.config import load_program
from automation.roster.request import Request, requests_from_json


class RequestsFileError(ExpectedError):
    """A --requests file that is missing, unreadable, or not a list of requests."""


def run(
    config_path: Path,
    today: date | None,
    requests_path: Path,
    start: date | None,
    output: str,
    allow_over_limit: bool,
) -> int:
    program = load_program(config_path)
    day = program_day(program, today)
    requests = read_requests(requests_path)
    result = matching.match(program, requests, day, start=start, allow_over_limit=allow_over_limit)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output == "json":
        click.echo(json.dumps(matching.to_json(result), indent=2))
    else:
        click.echo(matching.to_markdown(result), nl=False)
    return 0


def read_requests(path: Path) -> list[Request]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RequestsFileError(f"{path}: no such file; pass --requests FILE.json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestsFileError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise RequestsFileError(
            f"{path}:{exc.lineno}: invalid JSON: {exc.msg}; fix it (a list of objects)"
        ) from None
    requests, problems = requests_from_json(data)
    if problems:
        raise RequestsFileError("\n".join(f"{path}: {problem}" for problem in problems))
    return requests

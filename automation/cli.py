"""The `mentorship` command: parse arguments, call the library, report expected errors."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from automation import __version__
from automation.errors import ExpectedError

# Each command imports what it uses when it runs: `--version`, `--help` and `COMMAND --help`
# load click and this module only, not pydantic, PyYAML, Jinja2, the forge clients, SciPy or
# matplotlib (README, "Start-up time"; a test in tests/test_cli.py keeps it so).
if TYPE_CHECKING:
    from automation.goals.checklist import Goal
    from automation.lifecycle.observed import Observed
    from automation.roster.config import Program
    from automation.roster.programs import Company
    from automation.roster.request import Request
    from automation.views.status import PairingStatus


def _date(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:
    return None if value is None else value.date()


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
    callback=_date,
    help="Act as if today were this date (YYYY-MM-DD). Default: today in the program's time zone.",
)


FC = TypeVar("FC", bound=Callable[..., Any])


class _Group(click.Group):
    """A command returns its exit code. Expected failures become `Error: ...` and exit 1;
    anything else is a bug (traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except ExpectedError as exc:
            raise click.ClickException(str(exc)) from exc
        if code:
            raise SystemExit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mentorship")
def main() -> None:
    """Mentorship programs run as code on GitLab and GitHub.

    The roster lives in program.yml; a nightly CI job runs `mentorship apply` to open
    pairing issues, track goals, nudge quiet pairs and close each term with a
    retrospective.
    """


@main.command()
@CONFIG
@TODAY
def validate(config_path: Path, today: date | None) -> int:
    """Check program.yml: errors exit 1, warnings (e.g. a mentor over the soft limit) do not.

    \b
    Example:
        mentorship validate --config program.yml
    """
    from automation.commands.validate import run

    return run(config_path, today)


PLAN_OUT = click.option(
    "--plan-out",
    "plan_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the plan as JSON to this file (what CI keeps as plan.json).",
)


CACHE = click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MENTORSHIP_CACHE",
    default=None,
    help="Observe incrementally through the cache kept in this file (README, "
    '"Incremental observation"); $MENTORSHIP_CACHE.',
)


PAIRING = click.option(
    "--pairing",
    "pairing_name",
    default=None,
    metavar="ID",
    help="Only this pairing's writes (its id as the plan prints it, e.g. "
    "alice--bob--2026-01-05); the ledger, dashboard and requests wait for a full run.",
)


@main.command("plan")
@CONFIG
@TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the plan as a JSON list.")
@PLAN_OUT
@CACHE
@PAIRING
def plan_command(
    config_path: Path,
    today: Any,
    as_json: bool,
    plan_out: Path | None,
    cache_path: Path | None,
    pairing_name: str | None,
) -> int:
    """Show what `apply` would do today, without writing anything.

    \b
    Example:
        mentorship plan --config program.yml --today 2026-03-01
        mentorship plan --pairing alice--bob--2026-01-05
    """
    from automation.commands.plan import run

    return run(config_path, today, as_json, plan_out, cache_path, pairing_name)


@main.command("apply")
@CONFIG
@TODAY
@click.option(
    "--max-writes",
    type=click.IntRange(min=0),
    default=None,
    help="Write budget of this run (default: program.max_writes); the rest waits for the next run.",
)
@click.option(
    "--time-budget",
    "time_budget",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="MINUTES",
    help="How long this run may take (default: forge.time_budget_minutes): it writes what "
    "the forge's write limits allow in that time, most urgent first.",
)
@click.option("--force", is_flag=True, help="Apply a plan larger than program.safety_threshold.")
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Append a Markdown summary of the run to this file (e.g. "$GITHUB_STEP_SUMMARY").',
)
@PLAN_OUT
@CACHE
@PAIRING
def apply_command(
    config_path: Path,
    today: Any,
    max_writes: int | None,
    time_budget: float | None,
    force: bool,
    summary_path: Path | None,
    plan_out: Path | None,
    cache_path: Path | None,
    pairing_name: str | None,
) -> int:
    """Do today's work on the forge: the same list `plan` prints. Exit 1 if a write failed.

    Shows how far it has got on standard error: a line redrawn on a terminal, a line
    every 50 writes in a CI log.

    \b
    Example:
        mentorship apply --config program.yml
    """
    from automation.commands.apply import run

    return run(
        config_path,
        today,
        max_writes,
        time_budget,
        force,
        summary_path,
        plan_out,
        cache_path,
        pairing_name,
    )


@main.command()
@click.argument("pairing_name", metavar="PAIRING")
@CONFIG
@TODAY
def explain(pairing_name: str, config_path: Path, today: date | None) -> int:
    """Why the nightly run does what it does for PAIRING today: its timeline (which dates
    are past), what the forge shows of it, and for every rule what it decided and why,
    from the same planning as `plan`. Reads only.

    \b
    Example:
        mentorship explain alice--bob--2026-01-05 --today 2026-03-01
    """
    from automation.commands.explain import run

    return run(pairing_name, config_path, today)


CONFIGS = click.option(
    "--config",
    "config_paths",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="The program's roster and rules [default: program.yml]. Repeat it to read several "
    "programs as one company.",
)
PROGRAMS = click.option(
    "--programs",
    "programs_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A programs file listing the company's program.yml files (and, for each, the "
    "variables holding its token and secret), instead of --config.",
)


def _company(config_paths: Sequence[Path], programs_path: Path | None) -> Company | None:
    """The programs to read together, or None for the one program of --config."""
    from automation.roster.programs import from_configs, load_company

    if programs_path is not None:
        if config_paths:
            raise click.UsageError("give either --programs or --config, not both")
        return load_company(programs_path)
    if len(config_paths) > 1:
        return from_configs(config_paths)
    return None


@dataclass(frozen=True)
class _Read:
    """One program as read from its forge for a report or a history."""

    program: Program
    day: date
    observed: Observed
    statuses: list[PairingStatus]


def _read_program(program: Program, today: Any) -> _Read:
    from automation.commands.connection import connection
    from automation.night.observe import read
    from automation.views.status import program_status

    reached = connection(program, today)
    observed = read(reached.forge, program, reached.day, everything=True, secret=reached.secret)
    return _Read(program, reached.day, observed, program_status(program, observed, reached.day))


def _load_company(company: Company) -> list[Program]:
    """Every program file of the company, loaded (and any error said) before the first
    request, each reading the token variables the programs file names."""
    from automation.roster.programs import member_program

    return [member_program(member) for member in company.members]


def _read_company(company: Company, today: Any) -> list[_Read]:
    """Every program of the company, one after the other, each with its own token; a line
    on standard error before each (its warnings follow it)."""
    programs = _load_company(company)
    done = []
    for number, program in enumerate(programs, start=1):
        click.echo(
            f"reading {number} of {len(programs)}: {program.program.name} "
            f"({len(program.pairings)} pairings, {program.forge.project})",
            err=True,
        )
        done.append(_read_program(program, today))
    return done


@main.command()
@CONFIGS
@PROGRAMS
@TODAY
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help="Folder to write the static site into.",
)
def report(
    config_paths: tuple[Path, ...], programs_path: Path | None, today: Any, out: Path
) -> None:
    """Write the program report: a static site with charts, report.json and pairings.csv.

    It reads every pairing of the roster from the forge and works offline once written;
    publish the folder with GitLab Pages or GitHub Pages (see the README). With several
    programs (--config repeated, or --programs FILE), each program's report goes into a
    folder of its own and the index shows the figures across them.

    \b
    Example:
        mentorship report --config program.yml --out public
        mentorship report --programs programs.yml --out public
    """
    from automation.goals.checklist import Dialect
    from automation.goals.feedback import read_back
    from automation.roster.config import load_program
    from automation.views.report import build_report
    from automation.views.report.company import Part, build_company_report

    def answers(done: _Read) -> Any:
        return read_back(done.observed.issues, Dialect(done.program.forge.api_flavour))

    company = _company(config_paths, programs_path)
    if company is None:
        done = _read_program(load_program(_single(config_paths)), today)
        result = build_report(
            done.program, done.statuses, done.day, out, done.observed.requests, answers(done)
        )
        click.echo(f"wrote {len(result.files)} files to {out}; open {out / 'index.html'}")
        return
    parts = [
        Part(d.program, d.statuses, d.day, d.observed.requests, answers(d))
        for d in _read_company(company, today)
    ]
    whole = build_company_report(company.name, parts, out)
    click.echo(
        f"wrote {len(whole.files)} files to {out} for {len(parts)} programs; "
        f"open {out / 'index.html'}"
    )


def _single(config_paths: Sequence[Path]) -> Path:
    return config_paths[0] if config_paths else Path("program.yml")


@main.command()
@click.argument("handle")
@CONFIGS
@PROGRAMS
@TODAY
@click.option(
    "--format",
    "output",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown for a promotion packet, or JSON.",
)
def history(
    handle: str,
    config_paths: tuple[Path, ...],
    programs_path: Path | None,
    today: Any,
    output: str,
) -> None:
    """Everything HANDLE did in the program, as mentor and as mentee.

    Partners, dates, how each term ended (and why), goals achieved, check-ins held and
    links to the issues: ready to paste into a promotion packet. With several programs
    (--config repeated, or --programs FILE), every term in any of them, each with its
    program.

    \b
    Example:
        mentorship history alice --format md > alice-mentoring.md
        mentorship history alice --programs programs.yml
    """
    from automation.roster.config import load_program
    from automation.views.history import company_history, person_history, to_json, to_markdown

    company = _company(config_paths, programs_path)
    if company is None:
        done = _read_program(load_program(_single(config_paths)), today)
        record = person_history(done.program, done.statuses, handle)
    else:
        # Only the programs that know the person are read from their forges.
        programs = _load_company(company)
        knowing = [program for program in programs if program.person(handle) is not None]
        read_back = [_read_program(program, today) for program in knowing]
        record = company_history(
            company.name,
            [(d.program, d.statuses) for d in read_back] or [(p, []) for p in programs],
            handle,
        )
    if output == "json":
        click.echo(json.dumps(to_json(record), indent=2))
    else:
        click.echo(to_markdown(record), nl=False)


def _format(*choices: str, help: str) -> Callable[[FC], FC]:
    """`--format`, the first choice the default."""
    return click.option(
        "--format",
        "output",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


@main.command()
@CONFIG
@TODAY
@_format("md", "json", "csv", help="A Markdown table, JSON, or CSV for a spreadsheet.")
def mentors(config_path: Path, today: Any, output: str) -> None:
    """The table of available mentors: each mentor's limit, mentees, free places (and the
    wiggle room past the limit), status, topics and time zone. Reads program.yml only.

    \b
    Example:
        mentorship mentors --config program.yml --format csv > mentors.csv
    """
    from automation.roster import mentors as table
    from automation.roster.config import load_program

    program = load_program(config_path)
    from automation.commands.today import program_day

    day = program_day(program, today)
    rows = table.mentor_table(program, day)
    if output == "json":
        click.echo(json.dumps(table.to_json(rows, day), indent=2))
    elif output == "csv":
        click.echo(table.to_csv(rows), nl=False)
    else:
        click.echo(table.to_markdown(rows, day), nl=False)


@main.command("match")
@CONFIG
@TODAY
@click.option(
    "--requests",
    "requests_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="A JSON list of requests: number, handle, opened, topics, timezone, mode "
    "(sync, async, either), avoid.",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=_date,
    help="The start of the proposed terms (YYYY-MM-DD). Default: the Monday after today.",
)
@_format("md", "json", help="Markdown with the program.yml lines to add, or JSON.")
@click.option(
    "--allow-over-limit",
    is_flag=True,
    help="Propose mentors past their limit, within program.matching.wiggle_room, when that "
    "answers more requests (each such proposal is a warning).",
)
def match_command(
    config_path: Path,
    today: Any,
    requests_path: Path,
    start: Any,
    output: str,
    allow_over_limit: bool,
) -> None:
    """Propose mentors for the whole queue at once: as many requests answered as can be,
    with the greatest total fit (topics, time zones, free places, team preference; never
    the mentee's manager, nor a mentor they had before unless program.yml allows it).

    Prints each proposal's score and why, the requests left unmatched and why, and the
    lines to add to program.yml. Writes nothing.

    \b
    Example:
        mentorship match --config program.yml --requests queue.json
    """
    from automation.roster import matching
    from automation.roster.config import load_program

    program = load_program(config_path)
    from automation.commands.today import program_day

    day = program_day(program, today)
    requests = _read_requests(requests_path)
    result = matching.match(
        program,
        requests,
        day,
        start=start,
        allow_over_limit=allow_over_limit,
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output == "json":
        click.echo(json.dumps(matching.to_json(result), indent=2))
    else:
        click.echo(matching.to_markdown(result), nl=False)


def _read_requests(path: Path) -> list[Request]:
    from automation.roster.request import requests_from_json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file; pass --requests FILE.json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{path}:{exc.lineno}: invalid JSON: {exc.msg}; fix it (a list of objects)"
        ) from None
    requests, problems = requests_from_json(data)
    if problems:
        raise click.ClickException("\n".join(f"{path}: {problem}" for problem in problems))
    return requests


@main.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
@click.option(
    "--forge",
    "forge_kind",
    type=click.Choice(["gitlab", "github"]),
    required=True,
    help="Where the program repository lives.",
)
@click.option("--project", default=None, help="GitLab group/project or GitHub owner/repo.")
@click.option("--name", default=None, help="The program's name.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--action-ref",
    default=None,
    metavar="SHA",
    help="The commit of mentorship-automation the CI files pin (its GitHub Action or GitLab "
    "component). Default: the commit this copy was installed from.",
)
def init(
    directory: Path,
    forge_kind: str,
    project: str | None,
    name: str | None,
    force: bool,
    action_ref: str | None,
) -> None:
    """Create a program repository: program.yml, issue templates, CI files, a README.

    The result passes `mentorship validate` as it is; add people and pairings, then
    follow its README to create the token and the schedule.

    \b
    Example:
        mentorship init mentoring --forge gitlab --project acme/mentoring
    """
    from automation.commands import init as scaffolding
    from automation.commands import provenance
    from automation.roster.config import load_program

    files = scaffolding.files_for(forge_kind, provenance.pin(action_ref), project, name)
    written = scaffolding.write(directory, files, force=force)
    for path in written:
        click.echo(f"wrote {path}")
    load_program(directory / "program.yml")  # what we wrote must be a valid program
    click.echo(
        f"\nNext: add people and pairings to {directory / 'program.yml'}, run "
        f"`mentorship validate --config {directory / 'program.yml'}`, and follow "
        f"{directory / 'README.md'} to set up the token and the schedule."
    )


@main.command()
@CONFIG
@click.option(
    "--skip-without-token",
    is_flag=True,
    help="Exit 0 with a note when the token variable (forge.token_env) is not set: for CI "
    "jobs where the secret is not available.",
)
def doctor(config_path: Path, skip_without_token: bool) -> None:
    """Check the forge before the first night: the token and whose it is, forge.bot, the
    project, what the token may do there, every handle of program.yml, the labels.

    Reads only, with paged listings (never a request per person); prints a table with the
    fix for each failure and exits 1 if any check failed.

    \b
    Example:
        GITLAB_TOKEN=glpat-... mentorship doctor --config program.yml
    """
    from automation.commands.doctor import run

    code = run(config_path, os.environ, click.echo, skip_without_token=skip_without_token)
    if code:
        raise SystemExit(code)


@main.command()
@click.option(
    "--body-file",
    type=click.File("r", encoding="utf-8", errors="replace"),
    required=True,
    help="The issue description to read; - reads standard input.",
)
@click.option(
    "--dialect",
    type=click.Choice(["github", "gitlab"]),
    default="github",
    show_default=True,
    help="Whose task-list rules to follow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON form.")
def progress(body_file: Any, dialect: str, as_json: bool) -> None:
    """Show how the bot reads the goals of an issue description: goals, steps, done/total.

    The JSON is {"done", "total", "goals": [{"title", "done", "total", "due"}],
    "mentor_goals": [...]}; the top-level numbers count every task item, as the forge does.

    \b
    Example:
        mentorship progress --body-file goals.md --dialect gitlab
    """
    from automation.goals.checklist import Dialect
    from automation.goals.checklist import parse as parse_checklist
    from automation.goals.checklist import to_json as checklist_json

    checklist = parse_checklist(body_file.read(), Dialect(dialect))
    if as_json:
        click.echo(json.dumps(checklist_json(checklist), indent=2))
        return
    _echo_goals(checklist.goals)
    if not checklist.goals:
        click.echo("no goals found under a '## Goals' heading")
    done = sum(g.done for g in checklist.goals)
    total = sum(g.total for g in checklist.goals)
    if checklist.mentor_goals:
        click.echo("mentor's goals:")
        _echo_goals(checklist.mentor_goals)
    click.echo(f"goals: {done}/{total} steps; every task item: {checklist.done}/{checklist.total}")


def _echo_goals(goals: Iterable[Goal]) -> None:
    for goal in goals:
        due = f" (due {goal.due})" if goal.due else ""
        click.echo(f"{goal.done}/{goal.total}  {goal.title}{due}")
        for step in goal.steps:
            click.echo(f"      [{'x' if step.checked else ' '}] {step.text}")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("mentorship-demo"),
    show_default=True,
    help="Folder for the program, the sandbox state and the summary.",
)
@click.option(
    "--forge",
    "flavour",
    type=click.Choice(["gitlab", "github"]),
    default="gitlab",
    show_default=True,
    help="Which forge API the run speaks to the sandbox.",
)
def demo(out: Path, flavour: str) -> None:
    """Play a whole six-month program on the embedded sandbox forge, night by night.

    Six pairings with staggered starts (one mentor over the soft limit, one extension,
    one early end); scripted mentees tick goals and comment, mentors reply, one pair goes
    quiet. No account and no network needed.

    \b
    Example:
        mentorship demo --out demo --forge github
    """
    from automation.commands.demo import run_demo

    started = time.monotonic()
    result = run_demo(out, flavour, click.echo)  # type: ignore[arg-type]
    elapsed = time.monotonic() - started
    click.echo(
        f"\n{result.nights} nights, {result.writes} writes by the bot, "
        f"{result.requests} HTTP requests, {elapsed:.1f}s"
    )
    if result.failures:
        click.echo(f"{len(result.failures)} writes failed; the first:", err=True)
        click.echo(f"  {result.failures[0]}", err=True)
    click.echo(f"summary:  {result.summary}")
    click.echo(f"report:   {result.report}  (open it in a browser)")
    click.echo(f"program:  {result.program}")
    click.echo("browse the result:")
    click.echo(f"  mentorship sandbox serve --state {result.state}")
    click.echo(f"  mentorship plan --config {result.program}   (in another terminal)")
    if result.failures:
        raise SystemExit(1)


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
@click.option(
    "--users",
    default="",
    help="Logins to register (comma-separated), beside those the state holds; the sandbox "
    "knows no one else.",
)
def serve(host: str, port: int, state: Path, users: str) -> None:
    """Serve the sandbox forge until interrupted.

    GitLab's API is at http://HOST:PORT/api/v4, GitHub's at http://HOST:PORT/api/v3.
    A token authenticates as the registered user whose login equals the token.

    \b
    Example:
        mentorship sandbox serve --users mentorship-bot,alice,bob
    """
    from automation.sandbox import serve as run_server

    logins = [login.strip() for login in users.split(",") if login.strip()]

    click.echo(f"sandbox forge on http://{host}:{port} (state: {state}); Ctrl-C stops it")
    click.echo(
        f"  GitLab API: http://{host}:{port}/api/v4   GitHub API: http://{host}:{port}/api/v3"
    )
    try:
        run_server(host=host, port=port, state=state, users=logins)
    except KeyboardInterrupt:
        click.echo("stopped")

"""The `mentorship` command: its options and help; each command's work is the `run()` of
`automation/commands/<name>.py`, which returns the exit code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from automation import __version__
from automation.errors import ExpectedError

# Each command imports its module when it runs: `--version`, `--help` and `COMMAND --help`
# load click and this module only, not pydantic, PyYAML, Jinja2, the forge clients, SciPy or
# matplotlib (README, "Start-up time"; a test in tests/test_cli.py keeps it so). The
# parameters go by name to the command's `run()`, where they are typed.

FC = TypeVar("FC", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)


class _Output(click.Path):
    """A file the command writes: its folder is made when the command starts, so that a
    run never does its work and then fails to write what it was asked to."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        assert isinstance(path, Path)  # path_type
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.fail(f"cannot make its folder {path.parent}: {exc.strerror}", param, ctx)
        return path


OUTPUT = _Output(dir_okay=False, writable=True, path_type=Path)
FOLDER = click.Path(file_okay=False, path_type=Path)
FORGES = click.Choice(["gitlab", "github"])


def _date(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:
    """A --today or --start as the day it names."""
    return None if value is None else value.date()


def _day(name: str, help: str) -> Callable[[FC], FC]:
    """An option naming a day, YYYY-MM-DD; None when not given."""
    days = click.DateTime(formats=["%Y-%m-%d"])
    return click.option(name, type=days, default=None, callback=_date, help=help)


def _format(*choices: str, help: str) -> Callable[[FC], FC]:
    """`--format`, the first choice the default."""
    choice = click.Choice(choices)
    return click.option(
        "--format", "output", type=choice, default=choices[0], show_default=True, help=help
    )


CONFIG = click.option(
    "--config",
    "config_path",
    type=FILE,
    default=Path("program.yml"),
    show_default=True,
    help="The program's roster and rules.",
)
TODAY = _day(
    "--today",
    "Act as if today were this date (YYYY-MM-DD). Default: today in the program's time zone.",
)
CONFIGS = click.option(
    "--config",
    "config_paths",
    type=FILE,
    multiple=True,
    help="The program's roster and rules [default: program.yml]. Repeat it to read several "
    "programs as one company.",
)
PROGRAMS = click.option(
    "--programs",
    "programs_path",
    type=FILE,
    default=None,
    help="A programs file listing the company's program.yml files (and, for each, the "
    "variables holding its token and secret), instead of --config.",
)
PLAN_OUT = click.option(
    "--plan-out",
    "plan_out",
    type=OUTPUT,
    default=None,
    help="Also write the plan as JSON to this file (what CI keeps as plan.json).",
)
CACHE = click.option(
    "--cache",
    "cache_path",
    type=OUTPUT,
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
def validate(**options: Any) -> int:
    """Check program.yml: errors exit 1, warnings (e.g. a mentor over the soft limit) do not.

    \b
    Example:
        mentorship validate --config program.yml
    """
    from automation.commands.validate import run

    return run(**options)


@main.command("plan")
@CONFIG
@TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the plan as a JSON list.")
@PLAN_OUT
@CACHE
@PAIRING
def plan_command(**options: Any) -> int:
    """Show what `apply` would do today, without writing anything.

    \b
    Example:
        mentorship plan --config program.yml --today 2026-03-01
        mentorship plan --pairing alice--bob--2026-01-05
    """
    from automation.commands.plan import run

    return run(**options)


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
    type=OUTPUT,
    default=None,
    help='Append a Markdown summary of the run to this file (e.g. "$GITHUB_STEP_SUMMARY").',
)
@PLAN_OUT
@CACHE
@PAIRING
def apply_command(**options: Any) -> int:
    """Do today's work on the forge: the same list `plan` prints. Exit 1 if a write failed.

    Shows how far it has got on standard error: a line redrawn on a terminal, a line
    every 50 writes in a CI log.

    \b
    Example:
        mentorship apply --config program.yml
    """
    from automation.commands.apply import run

    return run(**options)


@main.command()
@click.argument("pairing_name", metavar="PAIRING")
@CONFIG
@TODAY
def explain(**options: Any) -> int:
    """Why the nightly run does what it does for PAIRING today: its timeline (which dates
    are past), what the forge shows of it, and for every rule what it decided and why,
    from the same planning as `plan`. Reads only.

    \b
    Example:
        mentorship explain alice--bob--2026-01-05 --today 2026-03-01
    """
    from automation.commands.explain import run

    return run(**options)


def _one_source(options: dict[str, Any]) -> None:
    """--programs and --config name the programs two ways: one only."""
    if options["programs_path"] is not None and options["config_paths"]:
        raise click.UsageError("give either --programs or --config, not both")


@main.command()
@CONFIGS
@PROGRAMS
@TODAY
@click.option(
    "--out",
    type=FOLDER,
    default=Path("report"),
    show_default=True,
    help="Folder to write the static site into.",
)
def report(**options: Any) -> int:
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
    from automation.commands.report import run

    _one_source(options)
    return run(**options)


@main.command()
@click.argument("handle")
@CONFIGS
@PROGRAMS
@TODAY
@_format("md", "json", help="Markdown for a promotion packet, or JSON.")
def history(**options: Any) -> int:
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
    from automation.commands.history import run

    _one_source(options)
    return run(**options)


@main.command()
@CONFIG
@TODAY
@_format("md", "json", "csv", help="A Markdown table, JSON, or CSV for a spreadsheet.")
def mentors(**options: Any) -> int:
    """The table of available mentors: each mentor's limit, mentees, free places (and the
    wiggle room past the limit), status, topics and time zone. Reads program.yml only.

    \b
    Example:
        mentorship mentors --config program.yml --format csv > mentors.csv
    """
    from automation.commands.mentors import run

    return run(**options)


@main.command("match")
@CONFIG
@TODAY
@click.option(
    "--requests",
    "requests_path",
    type=FILE,
    required=True,
    help="A JSON list of requests: number, handle, opened, topics, timezone, mode "
    "(sync, async, either), avoid.",
)
@_day("--start", "The start of the proposed terms (YYYY-MM-DD). Default: the Monday after today.")
@_format("md", "json", help="Markdown with the program.yml lines to add, or JSON.")
@click.option(
    "--allow-over-limit",
    is_flag=True,
    help="Propose mentors past their limit, within program.matching.wiggle_room, when that "
    "answers more requests (each such proposal is a warning).",
)
def match_command(**options: Any) -> int:
    """Propose mentors for the whole queue at once: as many requests answered as can be,
    with the greatest total fit (topics, time zones, free places, team preference; never
    the mentee's manager, nor a mentor they had before unless program.yml allows it).

    Prints each proposal's score and why, the requests left unmatched and why, and the
    lines to add to program.yml. Writes nothing.

    \b
    Example:
        mentorship match --config program.yml --requests queue.json
    """
    from automation.commands.match import run

    return run(**options)


@main.command()
@click.argument("directory", type=FOLDER, default=Path("."), required=False)
@click.option(
    "--forge", "forge_kind", type=FORGES, required=True, help="Where the program repository lives."
)
@click.option("--project", default=None, help="GitLab group/project or GitHub owner/repo.")
@click.option("--name", default=None, help="The program's name.")
@click.option(
    "--github-app",
    "app",
    default=None,
    metavar="SLUG",
    help="GitHub: the bot is the GitHub App of this slug (forge.bot <slug>[bot]), not the "
    "workflow's own token, which anyone with write access can use; the README says how to "
    "set it up.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--action-ref",
    default=None,
    metavar="SHA",
    help="The commit of mentorship-automation the CI files pin (its GitHub Action or GitLab "
    "component). Default: the commit this copy was installed from.",
)
def init(**options: Any) -> int:
    """Create a program repository: program.yml, issue templates, CI files, a README.

    The result passes `mentorship validate` as it is; add people and pairings, then
    follow its README to create the token and the schedule.

    \b
    Example:
        mentorship init mentoring --forge gitlab --project acme/mentoring
    """
    from automation.commands.init import run

    return run(**options)


@main.command()
@CONFIG
@click.option(
    "--skip-without-token",
    is_flag=True,
    help="Exit 0 with a note when the token variable (forge.token_env) is not set: for CI "
    "jobs where the secret is not available.",
)
def doctor(**options: Any) -> int:
    """Check the forge before the first night: the token and whose it is, forge.bot, the
    project, what the token may do there, every handle of program.yml, the labels.

    Reads only, with paged listings (never a request per person); prints a table with the
    fix for each failure and exits 1 if any check failed.

    \b
    Example:
        GITLAB_TOKEN=glpat-... mentorship doctor --config program.yml
    """
    from automation.commands.doctor import run

    return run(**options)


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
def progress(**options: Any) -> int:
    """Show how the bot reads the goals of an issue description: goals, steps, done/total.

    The JSON is {"done", "total", "goals": [{"title", "done", "total", "due"}],
    "mentor_goals": [...]}; the top-level numbers count every task item, as the forge does.

    \b
    Example:
        mentorship progress --body-file goals.md --dialect gitlab
    """
    from automation.commands.progress import run

    return run(**options)


@main.command()
@click.option(
    "--out",
    type=FOLDER,
    default=Path("mentorship-demo"),
    show_default=True,
    help="Folder for the program, the sandbox state and the summary.",
)
@click.option(
    "--forge",
    "flavour",
    type=FORGES,
    default="gitlab",
    show_default=True,
    help="Which forge API the run speaks to the sandbox.",
)
def demo(**options: Any) -> int:
    """Play a whole six-month program on the embedded sandbox forge, night by night.

    Six pairings with staggered starts (one mentor over the soft limit, one extension,
    one early end); scripted mentees tick goals and comment, mentors reply, one pair goes
    quiet. No account and no network needed.

    \b
    Example:
        mentorship demo --out demo --forge github
    """
    from automation.commands.demo import run

    return run(**options)


@main.group()
def sandbox() -> None:
    """The embedded forge: GitLab and GitHub APIs on one local port, no account needed."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8929, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--state",
    type=OUTPUT,
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
def serve(**options: Any) -> int:
    """Serve the sandbox forge until interrupted.

    GitLab's API is at http://HOST:PORT/api/v4, GitHub's at http://HOST:PORT/api/v3.
    A token authenticates as the registered user whose login equals the token.

    \b
    Example:
        mentorship sandbox serve --users mentorship-bot,alice,bob
    """
    from automation.commands.serve import run

    return run(**options)

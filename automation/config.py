"""program.yml: the roster and rules as pydantic models, loaded with line-precise errors."""

from __future__ import annotations

import calendar
import difflib
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

Loc = tuple[str | int, ...]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
_MAX_NODES = 100_000  # far above any roster; stops alias bombs before validation walks them


def _parse_date(value: object) -> object:
    # Dates reach us as strings: the loader turns off YAML's timestamp typing so that
    # `2026-13-01` gets our message, not a constructor traceback.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f"invalid date {value!r}; write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r} ({exc}); write it as YYYY-MM-DD") from None


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from None
    return value


def _check_handle(value: str) -> str:
    if not _HANDLE.fullmatch(value):
        raise ValueError(
            f"invalid handle {value!r}; use the forge username (letters, digits, '-', '_', '.')"
        )
    return value


Day = Annotated[date, BeforeValidator(_parse_date)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
Handle = Annotated[str, AfterValidator(_check_handle)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StaleRules(_Model):
    """When quiet pairs are nudged (days without human activity)."""

    first_meeting_days: int = Field(default=10, ge=1)
    nudge_days: int = Field(default=14, ge=1)
    stalled_days: int = Field(default=28, ge=1)

    @model_validator(mode="after")
    def _stalled_after_nudge(self) -> StaleRules:
        if self.stalled_days <= self.nudge_days:
            raise ValueError(
                f"stalled_days ({self.stalled_days}) must be greater than nudge_days "
                f"({self.nudge_days}): a pair is nudged before it is labelled stalled"
            )
        return self


class ProgressRules(_Model):
    """How goal progress shows on the forge."""

    comment: bool = True  # one progress comment per pairing issue, edited when progress moves
    pace_label: bool = True  # label on-track / behind from progress against the term elapsed
    tolerance: float = Field(
        default=0.2, ge=0, le=1
    )  # how far behind the term still counts as on track
    celebrate: bool = True  # a short comment when a goal reaches 100%, once per goal
    goal_nudge: bool = True  # in the first two weeks, one nudge if goals are missing or vague


class ReportRules(_Model):
    """What the dashboard and reports show beyond numbers and states."""

    include_goal_text: bool = False  # goal titles in reports (never comments or retros)
    dashboard: bool = True  # one bot-owned dashboard issue, updated by the nightly run


class Settings(_Model):
    """Program-wide rules; every field has the default of the programs we follow."""

    name: Text = "Mentorship program"
    timezone: TimeZone = "UTC"
    term_months: int = Field(default=6, ge=1, le=36)
    checkin_every_days: int = Field(default=14, ge=1)
    checkin_style: Literal["issue", "comment"] = "issue"
    ending_soon_days: int = Field(default=14, ge=0)
    midpoint_review: bool = True
    retrospective_reminder_days: int = Field(default=14, ge=1)
    stale: StaleRules = StaleRules()
    progress: ProgressRules = ProgressRules()
    report: ReportRules = ReportRules()
    soft_limit: int = Field(default=2, ge=1)
    label_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = "mentorship"
    confidential: bool = True
    max_writes: int = Field(default=200, ge=1)
    safety_threshold: int = Field(default=100, ge=1)
    # The day the bot began tending the program; by default the day of its first run (kept
    # in the bot's ledger). Nothing before it is counted against a pair.
    adopted: Day | None = None


_DEFAULT_URL = {
    "gitlab": "https://gitlab.com",
    "github": "https://api.github.com",
    "sandbox": "http://127.0.0.1:8929",
}
_DEFAULT_TOKEN_ENV = {
    "gitlab": "GITLAB_TOKEN",
    "github": "GITHUB_TOKEN",
    "sandbox": "SANDBOX_TOKEN",
}


class ForgeSettings(_Model):
    """Where the program repo lives and how to reach it. Never holds the token itself."""

    kind: Literal["gitlab", "github", "sandbox"]
    project: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")]
    url: str | None = None
    token_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    # The environment variable holding the secret that signs the bot's ledger.
    secret_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] = "MENTORSHIP_SECRET"
    bot: str | None = None
    # The sandbox speaks both APIs; `flavour` picks the adapter that talks to it.
    flavour: Literal["gitlab", "github"] | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    retries: int = Field(default=5, ge=0, le=20)
    max_retry_wait_seconds: float = Field(default=120.0, ge=0)
    # all the waiting on rate limits one run may do before it stops writing
    rate_limit_budget_seconds: float = Field(default=600.0, ge=0)

    # Where program.yml writes each handle ("program.yml:12: people[3].handle"), so an
    # adapter can name the line of a handle the forge does not know. Set by parse_program.
    _handle_lines: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def handle_lines(self) -> dict[str, str]:
        return dict(self._handle_lines)

    @model_validator(mode="after")
    def _consistent(self) -> ForgeSettings:
        if self.flavour is not None and self.kind != "sandbox":
            raise ValueError("flavour applies only to kind: sandbox; remove it")
        if self.url is not None and not re.match(r"^https?://[^/\s]+", self.url):
            raise ValueError(f"url {self.url!r} must start with http:// or https://")
        if self.api_flavour == "github" and self.project.count("/") != 1:
            raise ValueError(f"project {self.project!r}: a GitHub repository is 'owner/name'")
        return self

    @property
    def api_flavour(self) -> Literal["gitlab", "github"]:
        if self.kind == "sandbox":
            return self.flavour or "gitlab"
        return self.kind

    @property
    def base_url(self) -> str:
        return (self.url or _DEFAULT_URL[self.kind]).rstrip("/")

    @property
    def token_variable(self) -> str:
        return self.token_env or _DEFAULT_TOKEN_ENV[self.kind]


class Person(_Model):
    """Someone in the program, by forge handle."""

    handle: Handle
    name: str | None = None
    roles: Annotated[list[Literal["mentor", "mentee"]], Field(min_length=1)]
    capacity: int | None = Field(default=None, ge=0)
    topics: list[Text] = []
    timezone: TimeZone | None = None
    away_until: Day | None = None

    @property
    def display(self) -> str:
        return self.name or self.handle


class Pairing(_Model):
    """A mentor and a mentee for one term."""

    mentor: Handle
    mentee: Handle
    start: Day
    term_months: int | None = Field(default=None, ge=1, le=36)
    extended_until: Day | None = None
    extension_reason: Text | None = None
    ended: Day | None = None
    ended_reason: Text | None = None
    private: bool = False
    # The day the bot begins counting this pairing (quiet spells, pace, check-ins held), for
    # a pairing added to the roster when it was already under way. Default: its start, or
    # the program's adoption day if later.
    adopted: Day | None = None

    @property
    def id(self) -> str:
        """Stable across runs and roster edits: the pair and the start date."""
        return f"{self.mentor}--{self.mentee}--{self.start.isoformat()}"

    def planned_end(self, settings: Settings) -> date:
        return add_months(self.start, self.term_months or settings.term_months)

    def end(self, settings: Settings) -> date:
        """The day the term ends: ended early, extended, or as planned."""
        if self.ended is not None:
            return self.ended
        return self.extended_until or self.planned_end(settings)


class Program(_Model):
    """The whole program.yml."""

    program: Settings = Settings()
    forge: ForgeSettings
    people: list[Person] = []
    pairings: list[Pairing] = []

    _source: Source | None = PrivateAttr(default=None)

    def report(self, problems: Sequence[Problem]) -> list[str]:
        """Problems as `file:line: path: message` lines, in file order."""
        if self._source is None:
            return [p.message for p in problems]
        return self._source.report(problems)

    def person(self, handle: str) -> Person | None:
        return next((p for p in self.people if p.handle == handle), None)


def add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st lands on the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One finding about program.yml, located by its path in the document."""

    loc: Loc
    message: str
    warning: bool = False


@dataclass(frozen=True)
class Source:
    path: Path
    lines: Mapping[Loc, int]

    def line(self, loc: Loc) -> int:
        """Line of the closest enclosing node that has one (0 when none does)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 0

    def where(self, loc: Loc) -> str:
        line = self.line(loc)
        return f"{self.path}:{line}" if line else str(self.path)

    def locate(self, loc: Loc) -> str:
        """`program.yml:12: people[3].handle`: the line, then the path in the document."""
        return f"{self.where(loc)}: {_dotted(loc)}"

    def report(self, problems: Sequence[Problem]) -> list[str]:
        """Formatted lines in file order."""
        ordered = sorted(problems, key=lambda p: self.line(p.loc))
        return [self.format(p) for p in ordered]

    def format(self, problem: Problem) -> str:
        path = _dotted(problem.loc)
        label = "warning: " if problem.warning else ""
        prefix = f"{self.where(problem.loc)}: {label}"
        return f"{prefix}{path}: {problem.message}" if path else f"{prefix}{problem.message}"


class ConfigError(Exception):
    """program.yml cannot be used; each line of the message is one located problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# ---------------------------------------------------------------- loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings (we parse them, with our messages)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_program(path: str | Path) -> Program:
    """Read and validate program.yml; raise ConfigError naming file:line and the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [f"{path}: no such file; create it (see program.example.yml) or pass --config"]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_program(text, path)


def parse_program(text: str, path: Path = Path("program.yml")) -> Program:
    data, lines = _read_yaml(text, path)
    source = Source(path, lines)
    if not isinstance(data, dict):
        raise ConfigError(
            [f"{path}:1: expected a mapping with forge:, people: and pairings: at the top"]
        )
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source.report(_pydantic_problems(exc))) from None
    program._source = source
    program.forge._handle_lines = {
        person.handle: source.locate(("people", i, "handle"))
        for i, person in enumerate(program.people)
    }
    errors = [p for p in cross_check(program) if not p.warning]
    if errors:
        raise ConfigError(source.report(errors))
    return program


def _read_yaml(text: str, path: Path) -> tuple[object, dict[Loc, int]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(
            [f"{path}{line}: invalid YAML: {problem}; check indentation and quoting"]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: invalid YAML: {exc}"]) from None
    if node is None:
        return None, {}
    lines: dict[Loc, int] = {}
    problems = list(_index(node, (), lines))
    if problems:
        raise ConfigError([f"{path}:{line}: {message}" for line, message in problems])
    return yaml.load(text, Loader=_Loader), lines  # a SafeLoader subclass


def _index(root: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Iterator[tuple[int, str]]:
    """Record the line of every path; yield (line, message) for duplicate keys."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, loc)]
    seen = 0
    while stack:
        node, here = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            yield node.start_mark.line + 1, "document too large or uses recursive aliases"
            return
        lines.setdefault(here, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in keys:
                    where = _dotted((*here, name))
                    yield key.start_mark.line + 1, f"{where}: duplicate key; keep one of them"
                keys.add(name)
                lines.setdefault((*here, name), key.start_mark.line + 1)
                stack.append((value, (*here, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*here, i)) for i, item in enumerate(node.value))


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            problems.append(Problem(loc, _unknown_field(loc)))
        elif kind == "missing":
            problems.append(Problem(loc, "required; add it"))
        elif kind in {"value_error", "assertion_error"}:
            message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
            problems.append(Problem(loc, message))
        elif kind == "literal_error":
            problems.append(
                Problem(loc, f"{error['input']!r} is not allowed; use {error['ctx']['expected']}")
            )
        elif kind == "string_type":
            problems.append(
                Problem(loc, f"expected text, got {error['input']!r}; put it in quotes")
            )
        else:
            problems.append(Problem(loc, f"{error['msg']} (got {error['input']!r})"))
    return problems


def _unknown_field(loc: Loc) -> str:
    known = _fields_at(loc[:-1])
    name = str(loc[-1])
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
    return f"unknown field; {hint}"


def _fields_at(loc: Loc) -> list[str]:
    model: Any = Program
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if isinstance(a, type)), None)
        if model is None or not issubclass(model, BaseModel):
            return []
    return list(model.model_fields)


# ---------------------------------------------------------------- cross-checks


def cross_check(program: Program, today: date | None = None) -> list[Problem]:
    """Rules that span records: handles, roles, dates, overlaps; soft limit as warnings.

    The soft-limit check looks from `today` on; without `today` it is skipped.
    """
    problems: list[Problem] = []
    people = {p.handle: p for p in program.people}
    for i, person in enumerate(program.people):
        if [p.handle for p in program.people].index(person.handle) != i:
            problems.append(Problem(("people", i, "handle"), f"{person.handle} is listed twice"))
    for i, pairing in enumerate(program.pairings):
        problems.extend(_check_pairing(program.program, people, i, pairing))
    problems.extend(_overlaps(program))
    if today is not None:
        problems.extend(_soft_limit(program, today))
        problems.extend(_away(program, today))
    return problems


def _check_pairing(
    settings: Settings, people: Mapping[str, Person], i: int, pairing: Pairing
) -> Iterator[Problem]:
    loc: Loc = ("pairings", i)
    for role in ("mentor", "mentee"):
        handle = getattr(pairing, role)
        person = people.get(handle)
        if person is None:
            close = difflib.get_close_matches(handle, list(people), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "add them to people:"
            yield Problem((*loc, role), f"unknown person {handle!r}; {hint}")
        elif role not in person.roles:
            yield Problem(
                (*loc, role), f"{handle} is not a {role}; add {role} to their roles in people:"
            )
    if pairing.mentor == pairing.mentee:
        yield Problem(
            loc, f"{pairing.mentor} cannot mentor themselves; pair them with someone else"
        )
    planned = pairing.planned_end(settings)
    if pairing.extended_until is not None:
        if pairing.extension_reason is None:
            yield Problem(
                (*loc, "extended_until"),
                "an extension needs a reason; add extension_reason: to this pairing",
            )
        if pairing.extended_until <= planned:
            yield Problem(
                (*loc, "extended_until"),
                f"{pairing.extended_until} is not after the planned end {planned}; "
                "an extension moves the end later",
            )
    elif pairing.extension_reason is not None:
        yield Problem(
            (*loc, "extension_reason"), "there is no extended_until to explain; remove it"
        )
    if pairing.ended is not None:
        if pairing.ended_reason is None:
            yield Problem(
                (*loc, "ended"), "an early end needs a reason; add ended_reason: to this pairing"
            )
        if pairing.ended < pairing.start:
            yield Problem(
                (*loc, "ended"),
                f"{pairing.ended} is before the start {pairing.start}; fix one of the dates",
            )
    elif pairing.ended_reason is not None:
        yield Problem(
            (*loc, "ended_reason"), "there is no ended: date to explain; add ended: or remove this"
        )
    if pairing.adopted is not None and pairing.adopted < pairing.start:
        yield Problem(
            (*loc, "adopted"),
            f"{pairing.adopted} is before the start {pairing.start}; the bot counts a pairing "
            "from its start at the earliest: remove adopted: or move it on or after the start",
        )


def _overlaps(program: Program) -> Iterator[Problem]:
    settings = program.program
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, pairing in enumerate(program.pairings):
        by_pair.setdefault((pairing.mentor, pairing.mentee), []).append(i)
    for indices in by_pair.values():
        indices.sort(key=lambda i: program.pairings[i].start)
        for a, b in itertools.pairwise(indices):
            first, second = program.pairings[a], program.pairings[b]
            if second.start < first.end(settings):
                # Report on the later entry in the file: that is usually the new one.
                other = program.pairings[min(a, b)]
                yield Problem(
                    ("pairings", max(a, b)),
                    f"overlaps pairings[{min(a, b)}] ({other.mentor} mentoring {other.mentee}, "
                    f"{other.start} to {other.end(settings)}); "
                    "start the new term after the old one ends",
                )


def active_on(program: Program, day: date) -> list[Pairing]:
    """Pairings whose term includes `day` (start inclusive, end exclusive)."""
    settings = program.program
    return [p for p in program.pairings if p.start <= day < p.end(settings)]


def _soft_limit(program: Program, today: date) -> Iterator[Problem]:
    settings = program.program
    for person in program.people:
        limit = person.capacity if person.capacity is not None else settings.soft_limit
        mine = [
            (i, p)
            for i, p in enumerate(program.pairings)
            if p.mentor == person.handle and p.end(settings) > today
        ]
        # The busiest day from today on is the start of one of the pairings (or today).
        for day in sorted({max(today, p.start) for _, p in mine}):
            current = [(i, p) for i, p in mine if p.start <= day < p.end(settings)]
            if len(current) > limit:
                last = max(i for i, _ in current)
                mentees = ", ".join(p.mentee for _, p in current)
                yield Problem(
                    ("pairings", last, "mentor"),
                    f"{person.handle} mentors {len(current)} people at once from {day} "
                    f"(soft limit {limit}): {mentees}",
                    warning=True,
                )
                break


def _away(program: Program, today: date) -> Iterator[Problem]:
    settings = program.program
    for i, pairing in enumerate(program.pairings):
        if pairing.end(settings) <= today:
            continue
        for role in ("mentor", "mentee"):
            person = program.person(getattr(pairing, role))
            away = person.away_until if person else None
            if person is not None and away is not None and away > max(today, pairing.start):
                yield Problem(
                    ("pairings", i, role),
                    f"{person.handle} is away until {away}",
                    warning=True,
                )


def program_today(program: Program, now: datetime | None = None) -> date:
    """Today's date in the program's time zone (`now` defaults to the current instant)."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(program.program.timezone)).date()

"""program.yml: the roster and rules as pydantic models, loaded with line-precise errors."""

from __future__ import annotations

import calendar
import difflib
import itertools
import re
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property, lru_cache, partial
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
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

from automation import collector
from automation.errors import ExpectedError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


def _shown(value: object) -> str:
    """A value from program.yml as a message quotes it: short, however long or deep it is."""
    return reprlib.repr(value)


def _parse_date(value: object) -> object:
    # Dates reach us as strings: the loader turns off YAML's timestamp typing so that
    # `2026-13-01` gets our message, not a constructor traceback.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f"invalid date {_shown(value)}; write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r} ({exc}); write it as YYYY-MM-DD") from None


def _empty_if_none(value: object) -> object:
    return [] if value is None else value


def check_timezone(value: str) -> str:
    """An IANA time zone name, as program.yml and the request forms take it."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from None
    return value


def check_handle(value: str) -> str:
    """A forge username, as program.yml and the request forms take it."""
    if not _HANDLE.fullmatch(value):
        raise ValueError(
            f"invalid handle {value!r}; use the forge username (letters, digits, '-', '_', '.')"
        )
    return value


def _threshold(value: object) -> int | str:
    """A safety threshold: a number of writes, or a share of the running pairings."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    share = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"[0-9]{1,5}%", share) and int(share.removesuffix("%")) > 0:
        return share
    raise ValueError(
        f"invalid safety threshold {_shown(value)}; give a number of writes (250) or a share "
        "of the pairings running that day (300%)"
    )


Day = Annotated[date, BeforeValidator(_parse_date)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Handle = Annotated[str, AfterValidator(check_handle)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StaleRules(_Model):
    """When quiet pairs are nudged (days without human activity)."""

    first_meeting_days: int = Field(default=10, ge=1)
    nudge_days: int = Field(default=14, ge=1)
    stalled_days: int = Field(default=28, ge=1)
    # A question by one of the pair that the other has not answered this long: the other
    # is nudged once and the pairing labelled as waiting for them (rules/turns.py). Runs
    # read comments this long plus the catch-up days back, hence the bound.
    answer_days: int = Field(default=5, ge=1, le=28)

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
    # Private pairings by name in the run's outputs (log, plan.json, run summary).
    name_private_pairings: bool = False


class RequestRules(_Model):
    """The queue of people asking for a mentor (issues from the request form)."""

    max_wait_days: int = Field(default=30, ge=1)  # then the coordinators are told, once
    expire_days: int = Field(default=90, ge=1)  # then an unanswered request is closed kindly
    # Open one merge/pull request that adds the proposed pairings to program.yml; merging it
    # is the coordinators' approval.
    propose_changes: bool = False
    branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")] = "mentorship/roster"
    roster_path: Text = "program.yml"  # program.yml's path in the repository


class FeedbackRules(_Model):
    """Private feedback forms: one per participant at the midpoint and at the end."""

    midpoint: bool = True  # a form for the mentee and one for the mentor at the midpoint
    end: bool = True  # and at the end of the term (or its early end)
    # A score at or below this, or "not a good fit", is brought to the coordinators, once.
    low_score: int = Field(default=6, ge=0, le=10)
    # A form nobody answered is closed as not planned this many days after it opened.
    open_days: int = Field(default=21, ge=1, le=60)


class MatchingWeights(_Model):
    """How much each term of a proposal's fit counts (`mentorship match`)."""

    topics: float = Field(default=3.0, ge=0, le=100)  # times the share of the topics shared
    timezone: float = Field(default=1.0, ge=0, le=100)  # times the hours apart, over 12
    capacity: float = Field(default=1.0, ge=0, le=100)  # times the share of the limit free
    team: float = Field(default=1.0, ge=0, le=100)  # when the team preference is met
    repeat: float = Field(default=1.0, ge=0, le=100)  # a pair met before (allow_repeat: true)


class MatchingRules(_Model):
    """How `mentorship match` proposes mentors for the queue of requests."""

    # Department programs pair within a team, company-wide ones across teams.
    prefer: Literal["same-team", "cross-team", "none"] = "none"
    allow_repeat: bool = False  # propose a mentor who mentored the same mentee before
    weights: MatchingWeights = MatchingWeights()
    # How far over their limit a mentor may be proposed, only with --allow-over-limit: the
    # soft limit allows "some wiggle room" (Wikimedia SRE mentorship policy).
    wiggle_room: int = Field(default=1, ge=0)


MeetingStyle = Literal["sync", "async", "either"]
# A formal meeting of a pair: the programs we follow ask for 30-45 minutes.
MeetingMinutes = Annotated[int, Field(ge=15, le=180)]


# A share threshold never refuses a plan this small: a night of a small program can open
# its kickoffs, or close out its terms, without --force.
SAFETY_FLOOR = 100


class Settings(_Model):
    """Program-wide rules; every field has the default of the programs we follow."""

    name: Text = "Mentorship program"
    timezone: TimeZone = "UTC"
    term_months: int = Field(default=6, ge=1, le=36)
    checkin_every_days: int = Field(default=14, ge=1)
    checkin_style: Literal["issue", "comment"] = "issue"
    # How pairs meet, unless a pairing says otherwise: live, in writing, or as suits them.
    meeting_style: MeetingStyle = "either"
    meeting_minutes: MeetingMinutes = 45
    ending_soon_days: int = Field(default=14, ge=0)
    midpoint_review: bool = True
    retrospective_reminder_days: int = Field(default=14, ge=1)
    # One follow-up on the pairing issue this many days after a completed term (0: none).
    follow_up_days: int = Field(default=30, ge=0, le=366)
    stale: StaleRules = StaleRules()
    progress: ProgressRules = ProgressRules()
    report: ReportRules = ReportRules()
    requests: RequestRules = RequestRules()
    # Private feedback forms; none without a `feedback:` block.
    feedback: FeedbackRules | None = None
    # Who runs the program: told when a request waits too long.
    coordinators: list[Handle] = []
    soft_limit: int = Field(default=2, ge=1)
    label_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = "mentorship"
    confidential: bool = True
    # A cap on one run's writes besides what the forge's limits allow in its time.
    max_writes: int | None = Field(default=None, ge=1)
    # Writes a plan may have without --force: a number, or a share of the running pairings
    # ("300%": three writes a running pairing), never fewer than SAFETY_FLOOR.
    safety_threshold: Annotated[int | str, BeforeValidator(_threshold)] = "300%"
    # The day the bot began tending the program; by default the day of its first run (kept
    # in the bot's ledger). Nothing before it is counted against a pair.
    adopted: Day | None = None
    matching: MatchingRules = MatchingRules()
    # Where a participant asks privately for a change of mentor (an e-mail address, or a
    # coordinators-only repository): named in the pairing issue's no-fault exit paragraph.
    private_contact: Text | None = None

    def safety_limit(self, running: int) -> int:
        """The most writes a plan may have without --force when `running` pairings are
        under way: the number given, or the share of them, at least SAFETY_FLOOR."""
        if isinstance(self.safety_threshold, int):
            return self.safety_threshold
        share = int(self.safety_threshold.removesuffix("%"))
        return max(SAFETY_FLOOR, -(-share * running // 100))


# How many monthly catch-ups a pair that goes on informally gets after its term.
INFORMAL_MONTHS = 3

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


# The forges' documented write limits (minute, hour), kept to unless program.yml says:
# GitHub's secondary limits on content-generating requests
# (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits);
# GitLab's default limit on note creation, 300 a minute per user, which is also the
# documented example for issue creation when an administrator turns that limit on
# (https://docs.gitlab.com/administration/settings/rate_limit_on_notes_creation/). The
# sandbox limits nothing unless told to (POST /_sandbox/limits).
WRITE_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "github": (80, 500),
    "gitlab": (300, None),
    "sandbox": (None, None),
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
    # Writes a minute and an hour the run keeps to (0: no limit); by default the forge's
    # documented limits (WRITE_LIMITS).
    writes_per_minute: int | None = Field(default=None, ge=0)
    writes_per_hour: int | None = Field(default=None, ge=0)
    # How long one run may take: its writes are what the limits allow in this time.
    time_budget_minutes: float = Field(default=45.0, gt=0, le=24 * 60)

    # Where program.yml writes each handle ("program.yml:12: people[3].handle"), so an
    # adapter can name the line of a handle the forge does not know. Set by parse_program.
    _handle_lines: Mapping[str, str] = PrivateAttr(default_factory=dict)

    @property
    def handle_lines(self) -> Mapping[str, str]:
        return self._handle_lines

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

    @property
    def write_limits(self) -> tuple[int | None, int | None]:
        """Writes a minute and an hour the run keeps to (None: no limit)."""
        minute, hour = WRITE_LIMITS[self.kind]
        if self.writes_per_minute is not None:
            minute = self.writes_per_minute or None
        if self.writes_per_hour is not None:
            hour = self.writes_per_hour or None
        return minute, hour


class Person(_Model):
    """Someone in the program, by forge handle."""

    handle: Handle
    name: str | None = None
    roles: Annotated[list[Literal["mentor", "mentee"]], Field(min_length=1)]
    capacity: int | None = Field(default=None, ge=0)
    # A factory, not `= []`: pydantic deep-copies a default for each of 15,000 people.
    topics: list[Text] = Field(default_factory=list)
    timezone: TimeZone | None = None
    away_until: Day | None = None
    available: bool = True  # may take new mentees (a mentor); false keeps their pairings
    manager: Handle | None = None  # never proposed as this person's mentor
    team: Text | None = None  # for the program's same-team or cross-team preference

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
    # The request issue this pairing answers: the nightly run closes it with a link.
    request: int | None = Field(default=None, ge=1)
    # After a completed term, a light catch-up on the pairing issue every month for
    # `INFORMAL_MONTHS` months (instead of the one follow-up).
    continue_informally: Literal["monthly"] | None = None
    # What the pair agreed on for their meetings; the program's rules by default.
    checkin_every_days: int | None = Field(default=None, ge=1)
    meeting_style: MeetingStyle | None = None
    meeting_minutes: MeetingMinutes | None = None
    # A change of mentor: the earlier pairing of the same mentee this one follows (its
    # mentor's handle, or its id), and why.
    follows: Text | None = None
    follows_reason: Text | None = None
    # Set by the Program: the start of the pairing that follows this one, when this one
    # has no `ended:` of its own (a change of mentor ends it where the next one starts).
    _handed_over: date | None = PrivateAttr(default=None)

    @cached_property  # asked for wherever a pairing is looked up or keyed
    def id(self) -> str:
        """Stable across runs and roster edits: the pair and the start date."""
        return f"{self.mentor}--{self.mentee}--{self.start.isoformat()}"

    @property
    def ended_on(self) -> date | None:
        """The day an early end stops the term: `ended:`, or a change of mentor."""
        # Read from `__pydantic_private__` itself: `self._handed_over` goes through
        # BaseModel.__getattr__, which took a third of `validate`'s checks of 10,000 pairings.
        return self.ended or (self.__pydantic_private__ or {}).get("_handed_over")

    def planned_end(self, settings: Settings) -> date:
        return add_months(self.start, self.term_months or settings.term_months)

    def end(self, settings: Settings) -> date:
        """The day the term ends: ended early (or handed over), extended, or as planned."""
        ended = self.ended_on
        if ended is not None:
            return ended
        return self.extended_until or self.planned_end(settings)

    def afterwards(self, settings: Settings) -> tuple[date, ...]:
        """The days of the messages after a completed term: the monthly catch-ups of a pair
        that goes on informally, else the one follow-up (none after an early end, nor
        after a change of mentor: the mentorship goes on with the next pairing)."""
        if self.ended_on is not None:
            return ()
        end = self.end(settings)
        if self.continue_informally == "monthly":
            return tuple(add_months(end, n) for n in range(1, INFORMAL_MONTHS + 1))
        if settings.follow_up_days:
            return (end + timedelta(days=settings.follow_up_days),)
        return ()

    def meetings(self, settings: Settings) -> Meetings:
        """How often, how and how long this pair meets: its own agreement, else the program's."""
        return Meetings(
            every_days=self.checkin_every_days or settings.checkin_every_days,
            style=self.meeting_style or settings.meeting_style,
            minutes=self.meeting_minutes or settings.meeting_minutes,
        )


@dataclass(frozen=True)
class Meetings:
    """A pair's meetings: one per check-in period of `every_days`, `sync` (live), `async` (in
    writing) or `either`, of about `minutes`."""

    every_days: int
    style: str
    minutes: int


class Program(_Model):
    """The whole program.yml."""

    program: Settings = Settings()
    forge: ForgeSettings
    # `people:` or `pairings:` with nothing under it (all examples still commented out) is
    # an empty list.
    people: Annotated[list[Person], BeforeValidator(_empty_if_none)] = []
    pairings: Annotated[list[Pairing], BeforeValidator(_empty_if_none)] = []

    _source: Source | None = PrivateAttr(default=None)
    # The cross-checks that need no date, as parse_program found them.
    _checked: tuple[Problem, ...] | None = PrivateAttr(default=None)
    # Followed pairing id -> the pairing that follows it (a change of mentor).
    _followers: dict[str, Pairing] = PrivateAttr(default_factory=dict)
    # Pairing id -> the first pairing of that id; mentee -> their pairings, in file order:
    # `followed` looks up instead of scanning every pairing, for each pairing that follows one.
    _by_id: dict[str, Pairing] = PrivateAttr(default_factory=dict)
    _by_mentee: dict[str, list[Pairing]] = PrivateAttr(default_factory=dict)
    # Handle -> the first person of that handle, and the list it indexes (`person`).
    _by_handle: tuple[list[Person], dict[str, Person]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _hand_over(self) -> Program:
        """A pairing followed by another, with no `ended:` of its own, ends where the next
        one starts (unless its own term is over by then: `validate` refuses that)."""
        following = [pairing for pairing in self.pairings if pairing.follows is not None]
        if not following:  # no change of mentor: `followed` has nothing to look up
            return self
        # The private attributes read once: each read goes through BaseModel.__getattr__.
        by_id, by_mentee, followers = self._by_id, self._by_mentee, self._followers
        for pairing in self.pairings:
            by_id.setdefault(pairing.id, pairing)
            by_mentee.setdefault(pairing.mentee, []).append(pairing)
        for pairing in following:
            before = self.followed(pairing)
            if before is None or before.start >= pairing.start:
                continue
            followers.setdefault(before.id, pairing)
            if before.ended is None:
                planned = before.extended_until or before.planned_end(self.program)
                before._handed_over = pairing.start if pairing.start < planned else None
        return self

    def followed(self, pairing: Pairing) -> Pairing | None:
        """The earlier pairing `pairing` follows (a change of mentor), if its `follows:`
        names one: a pairing id, or a mentor of the mentee's, whose latest earlier pairing
        it means."""
        if pairing.follows is None:
            return None
        named = self._by_id.get(pairing.follows)
        if named is not None:
            return named
        earlier = [
            other
            for other in self._by_mentee.get(pairing.mentee, ())
            if other.mentor == pairing.follows and other.start < pairing.start
        ]
        return max(earlier, key=lambda p: p.start, default=None)

    def follower(self, pairing: Pairing) -> Pairing | None:
        """The pairing that follows `pairing` (its mentee changed mentor), if any."""
        # From `__pydantic_private__` itself, as `Pairing.ended_on`: planning asks for
        # every pairing, and BaseModel.__getattr__ costs more than the look-up.
        followers: dict[str, Pairing] = (self.__pydantic_private__ or {}).get("_followers", {})
        return followers.get(pairing.id)

    def report(self, problems: Sequence[Problem]) -> list[str]:
        """Problems as `file:line: path: message` lines, in file order."""
        if self._source is None:
            return [p.message for p in problems]
        return self._source.report(problems)

    def person(self, handle: str) -> Person | None:
        # Planning asks for people by handle for every pairing: an index, not a scan. It is
        # rebuilt when `people` is another list (a `model_copy` that replaced it).
        index = (self.__pydantic_private__ or {}).get("_by_handle")  # as `follower`
        if index is None or index[0] is not self.people:
            found: dict[str, Person] = {}
            for person in self.people:
                found.setdefault(person.handle, person)
            index = self._by_handle = (self.people, found)
        return index[1].get(handle)


@lru_cache(maxsize=8192)  # every pairing's end, asked for by each rule: the same few days
def add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st lands on the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day <= 28:  # every month has it (and monthrange works out the weekday too)
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One finding about program.yml, located by its path in the document."""

    loc: Loc
    message: str
    warning: bool = False


# The lines of a mapping's or a list's entries by key or index, and the tables of those
# entries that are mappings or lists walked there (an alias's entries are not: they are
# located at the alias). A table for each node, not one dictionary of every path: making a
# path tuple for each of a roster's 200,000 values took a fifth of the time to read it.
_Table = tuple[dict[str | int, int], dict[str | int, "_Table"]]


@dataclass(frozen=True)
class Lines:
    """Where a YAML document writes each path in it: the line of the document itself, and
    the table of its entries."""

    root: int
    table: _Table

    def line(self, loc: Loc) -> int:
        """Line of the closest enclosing node that has one (0 when none does)."""
        line, (lines, inner) = self.root, self.table
        for part in loc:
            found = lines.get(part)
            if found is None:
                break
            line = found
            table = inner.get(part)
            if table is None:
                break
            lines, inner = table
        return line


@dataclass(frozen=True)
class Source:
    path: Path
    # The line of a path (`Lines.line`), found from the document's nodes (kept for it) when
    # a problem is located, not at every load: reading every line took a third of the walk
    # over 10,000 pairings.
    find_line: Callable[[Loc], int]

    def line(self, loc: Loc) -> int:
        """Line of the closest enclosing node that has one (0 when none does)."""
        return self.find_line(loc)

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


class _HandleLines(Mapping[str, str]):
    """Where program.yml writes each handle ("program.yml:12: people[3].handle"), the last
    entry of a handle listed twice; located when asked, which is when a forge does not know
    the handle, not for each of 15,000 people at every load."""

    def __init__(self, source: Source, handles: Sequence[str]) -> None:
        self._source = source
        self._index = {handle: i for i, handle in enumerate(handles)}

    def __getitem__(self, handle: str) -> str:
        return self._source.locate(("people", self._index[handle], "handle"))

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class ConfigError(ExpectedError):
    """program.yml cannot be used; each line of the message is one located problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.isprintable() or not part:
            out += f"[{part!r}]"  # a key with a line break would break the one-line message
        else:
            out += f".{part}" if out else part
    return out


# ---------------------------------------------------------------- loading


def _plain_resolvers(
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]],
) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """YAML's implicit types minus timestamps and `=`.

    Dates stay strings so that `2026-13-01` gets our message, not a constructor traceback; a
    plain `=` would resolve to `!!value`, a tag no safe constructor builds
    (https://github.com/yaml/pyyaml/issues/89).
    """
    dropped = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}
    return {
        first: [(tag, rx) for tag, rx in entries if tag not in dropped]
        for first, entries in resolvers.items()
    }


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that names the node of a value it cannot build."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            # `!!int abc`, `!!int` alone, `!!bool maybe`, a 5,000-digit number: PyYAML's
            # constructors raise these bare, without the node's position.
            value = _shown(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read {value} as {_short_tag(node.tag)} ({type(exc).__name__}); "
                "quote it to keep it as text, or remove the tag",
                node.start_mark,
            ) from None


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver for a document with no path resolvers (no loader of ours has any),
    its table read once: the composer asks it the tag of every node, 200,000 times for
    10,000 pairings. A plain scalar that may be a number, a boolean or null is matched once
    per document: keys and dates come back thousands of times, and the regular expressions
    for numbers took 2 µs a date."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]  # the loader's __init__
        self._implicit_tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not _SCALAR_NODE:
            return _SEQ if kind is _SEQUENCE_NODE else _MAP
        if not implicit[0]:
            return _STR
        candidates = _IMPLICIT.get(value[:1])
        if candidates is None:
            return _STR
        tag = self._implicit_tags.get(value)
        if tag is None:
            tag = next((tag for tag, regexp in candidates if regexp.match(value)), _STR)
            self._implicit_tags[value] = tag
        return tag

    # The path of the node being composed matters only to path resolvers.
    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class _Loader(_Resolver, _Constructor, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader: slow, but its error messages are the ones we quote."""


if yaml.__with_libyaml__:

    class _FastLoader(_Resolver, _Constructor, yaml.CSafeLoader):
        """The same loader on libyaml (bundled with PyYAML's wheels), about ten times faster."""

else:  # a PyYAML built without libyaml has no CSafeLoader: its own loader, twice on errors
    _FastLoader = _Loader  # type: ignore[misc,assignment]


_Loader.yaml_implicit_resolvers = _plain_resolvers(yaml.SafeLoader.yaml_implicit_resolvers)
_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
# By a plain scalar's first character, or "" for an empty one: the implicit types it may have.
_IMPLICIT = {first: tuple(entries) for first, entries in _Loader.yaml_implicit_resolvers.items()}
_STR, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "merge"))
_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode
# The tags plain YAML resolves to; any other (`!!binary`, `!!set`, `!!python/...`) is refused.
_PLAIN_TAGS = frozenset(
    {_STR, _SEQ, _MAP}
    | {tag for entries in _Loader.yaml_implicit_resolvers.values() for tag, _ in entries}
)
# Aliases may repeat what is written this many times over (plus a small allowance): far more
# than `<<: *defaults` in every entry or a shared `topics:` list needs, far less than an alias
# bomb, which grows exponentially with its levels. go-yaml bounds alias expansion against the
# document's size the same way (https://github.com/go-yaml/yaml/pull/515); here it is counted
# on the node graph, before anything walks the expanded document.
_ALIAS_GROWTH = 10
_ALIAS_ALLOWANCE = 1_000


def load_program(path: str | Path) -> Program:
    """Read and validate program.yml; raise ConfigError naming file:line and the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [
                f"{path}: no such file; `mentorship init` writes a new program repository "
                "with one, or pass --config to name another"
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_program(text, path)


def parse_program(text: str, path: Path = Path("program.yml")) -> Program:
    with collector.paused():
        return _parse(text, path)


def _parse(text: str, path: Path) -> Program:
    data, find_line = _read_yaml(text, path)
    source = Source(path, find_line)
    if not isinstance(data, dict):
        raise ConfigError(
            [f"{path}:1: expected a mapping with forge:, people: and pairings: at the top"]
        )
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source.report(_pydantic_problems(exc))) from None
    program._source = source
    program.forge._handle_lines = _HandleLines(source, [p.handle for p in program.people])
    program._checked = tuple(_undated_checks(program))
    errors = [p for p in program._checked if not p.warning]
    if errors:
        raise ConfigError(source.report(errors))
    return program


def parse_yaml_model(model: type[M], text: str, path: Path, expected: str) -> tuple[M, Source]:
    """Another YAML file of ours (not program.yml), validated by `model` with the same
    located errors; `expected` says what the top-level mapping holds."""
    data, find_line = _read_yaml(text, path)
    source = Source(path, find_line)
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1: expected a mapping with {expected} at the top"])
    try:
        return model.model_validate(data), source
    except ValidationError as exc:
        raise ConfigError(source.report(_pydantic_problems(exc, model))) from None


def _read_yaml(text: str, path: Path) -> tuple[object, Callable[[Loc], int]]:
    """The document's data and what finds the line of a path in it; ConfigError for any
    YAML problem."""
    try:
        return _load(_FastLoader, text, path)
    except yaml.MarkedYAMLError as exc:
        # libyaml stops at 1,000 levels; PyYAML's own scanner would take quadratic time to get
        # there (3,000 levels of `[`: 1.3 s), so its finding is the answer.
        if exc.problem == "exceeded maximum nesting depth" and exc.problem_mark:
            raise ConfigError([_too_deep(f"{path}:{exc.problem_mark.line + 1}")]) from None
    except yaml.YAMLError:
        pass
    # libyaml words its errors differently: read again with PyYAML to quote the messages the
    # README and the tests show.
    try:
        return _load(_Loader, text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem += "; check indentation and quoting"
        raise ConfigError([f"{path}{line}: invalid YAML: {problem}"]) from None
    except yaml.reader.ReaderError as exc:
        number = text.count("\n", 0, exc.position) + 1
        problem = f"U+{exc.character:04X} is not allowed; remove it"
        raise ConfigError([f"{path}:{number}: invalid YAML: {problem}"]) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError([f"{path}: invalid YAML: {problem}"]) from None
    except RecursionError:
        raise ConfigError([_too_deep(str(path))]) from None


def _too_deep(where: str) -> str:
    return f"{where}: invalid YAML: nested too deeply; program.yml needs a few levels at most"


def _load(
    loader_class: type[_Loader] | type[_FastLoader], text: str, path: Path
) -> tuple[object, Callable[[Loc], int]]:
    """Compose once, then one walk over the node graph: its problems and the data; PyYAML's
    constructor builds the data only for shapes the walk leaves to it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, _lines(None).line
        walk = _walk(node, loader)
        problems = [*walk.problems, *_alias_growth(walk)]
        if problems:
            lines = [f"{path}:{line}: {message}" for line, message in sorted(problems)]
            raise ConfigError(lines)
        if walk.unusual:
            # Found first: the constructor rewrites a mapping with merge keys in place.
            located = _lines(node)
            # Afresh: a value the walk could not read left the constructor mid-way.
            loader.constructed_objects, loader.recursive_objects = {}, {}
            return loader.construct_document(node), located.line
        if walk.expanded == walk.written:  # no alias: each value is met once, where written
            return walk.data, partial(_line_at, node)
        tables = cache(partial(_lines, node))
        return walk.data, lambda loc: tables().line(loc)
    finally:
        loader.dispose()


@dataclass
class _Walk:
    """What one pass over the distinct nodes of a document found, aliases not followed twice."""

    problems: list[tuple[int, str]]
    data: object = None
    # A merge key (`<<:`), or a shape PyYAML's constructor answers with its own error
    # (`!!str [a]`, a value it cannot convert): the data is left to the constructor.
    unusual: bool = False
    written: int = 0  # distinct nodes, as written
    expanded: int = 0  # nodes once every alias is replaced by what it names
    largest: tuple[int, int, Loc] = (0, 0, ())  # the biggest alias: its size, line and path


@dataclass(slots=True)
class _Frame:
    """A mapping or list being walked: its data fills as its entries are visited."""

    node: yaml.MappingNode | yaml.SequenceNode
    loc: Loc
    at: yaml.Node  # the node whose line is its line: its key in a mapping, else itself
    data: Any  # the dict or list built for it
    # The entries not visited yet: (key node, value node) of a mapping, (index, node) of a list.
    entries: Iterator[tuple[Any, yaml.Node]]
    size: int = 1  # nodes once its aliases are expanded, so far
    # A key that is not plain text (a list, a mapping, a merge key, a tag, a number): the
    # keys are checked one by one when the walk leaves the mapping, as they are when one
    # repeats; plain keys that do not repeat need no check.
    odd_keys: bool = False


def _walk(root: yaml.Node, constructor: _Constructor) -> _Walk:
    """The problems of the graph itself and the data, in time linear in the distinct nodes.
    A line is read only for a problem (`_lines` locates the rest when asked).

    Problems: refused tags, duplicate and unhashable keys, and an alias inside the node it
    names (a recursive alias). An alias is counted, never walked again (its data is the one
    already built, as PyYAML shares it), so an alias bomb costs no more than its text;
    `_alias_growth` judges it from the counts. Text, the bulk of a roster, is taken as it is;
    other scalars go through the constructor, which names the node of a value it cannot read.
    """
    walk = _Walk([])
    if isinstance(root, yaml.ScalarNode):
        walk.problems.extend(_tag_problems(root, ()))
        walk.data = _scalar(root, constructor, walk)
        walk.written = walk.expanded = 1
        return walk
    scalar_node, text = yaml.ScalarNode, _STR  # read in the loop 200,000 times
    built: dict[int, object] = {}  # id(node) -> its data, from the start of its visit
    # id(node) -> its size with aliases expanded, once the visit of a list or mapping is over
    sizes: dict[int, int] = {}
    problems, missing = walk.problems, object()
    stack = [_open(root, (), root, walk)]
    built[id(root)] = stack[0].data
    visiting = {id(root)}
    while stack:
        frame = stack[-1]
        data, parent = frame.data, frame.loc
        mapping = data.__class__ is dict
        size = 0  # what this visit of the frame adds to its size
        inner: _Frame | None = None
        for key, child in frame.entries:
            if not mapping:
                part, at = key, None
            elif key.__class__ is scalar_node:
                part, at = key.value, key
            else:
                frame.odd_keys = True  # a list or mapping as a key: a problem
                continue
            ident = id(child)
            value = built.get(ident, missing)
            if value is missing:
                if child.__class__ is not scalar_node:
                    inner = _open(child, (*parent, part), at or child, walk)
                    value = built[ident] = inner.data
                elif child.tag == text:
                    value = built[ident] = child.value
                    size += 1
                else:
                    if child.tag not in _PLAIN_TAGS:
                        problems.append(
                            (
                                _line(at or child),
                                f"{_dotted((*parent, part))}: {_refused_tag(child.tag)}",
                            )
                        )
                    value = built[ident] = _scalar(child, constructor, walk)
                    size += 1
            elif ident in visiting:
                problems.append(
                    (
                        _line(at or frame.at),
                        f"{_dotted((*parent, part))}: recursive alias: it names a node that "
                        "contains it; write the values out instead",
                    )
                )
                value = None
            else:  # an alias of a node already walked
                named = sizes.get(ident, 1)
                size += named
                if named > walk.largest[0]:
                    walk.largest = (named, _line(at or frame.at), (*parent, part))
            if not mapping:
                data.append(value)
            elif key.tag == text:
                data[part] = value
            else:
                frame.odd_keys = True
                if key.tag == _MERGE:
                    # `<<: *defaults`: which of two merged keys wins is PyYAML's to say (its
                    # rules have changed between releases); its constructor builds the data.
                    walk.unusual = True
                else:
                    data[_scalar(key, constructor, walk)] = value
            if inner is not None:
                break
        frame.size += size
        if inner is not None:
            visiting.add(id(inner.node))
            stack.append(inner)
            continue
        stack.pop()
        node = frame.node
        if mapping and (frame.odd_keys or len(data) != len(node.value)):
            problems.extend(_key_problems(node, parent))
        visiting.discard(id(node))
        sizes[id(node)] = frame.size
        if stack:
            stack[-1].size += frame.size
    walk.written = len(built)
    walk.expanded = sizes[id(root)]
    walk.data = built[id(root)]
    return walk


def _open(node: yaml.Node, loc: Loc, at: yaml.Node, walk: _Walk) -> _Frame:
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            # `!!seq {a: 1}`: PyYAML's constructor says what is wrong
            walk.problems.extend(_tag_problems(node, loc))
            walk.unusual = True
        return _Frame(node, loc, at, {}, iter(node.value))
    assert isinstance(node, yaml.SequenceNode)
    if node.tag != _SEQ:
        walk.problems.extend(_tag_problems(node, loc))
        walk.unusual = True
    return _Frame(node, loc, at, [], enumerate(node.value))


def _scalar(node: yaml.ScalarNode, constructor: _Constructor, walk: _Walk) -> object:
    """Text as written; any other plain scalar (numbers, true/false, null) from the
    constructor. A value it cannot read leaves the data to it (`_Walk.unusual`)."""
    if node.tag == _STR:
        return node.value
    if node.tag not in _PLAIN_TAGS or node.tag in (_SEQ, _MAP, _MERGE):
        walk.unusual = True
        return None
    try:
        return constructor.construct_object(node)
    except yaml.YAMLError:
        walk.unusual = True
        return None


def _lines(root: yaml.Node | None) -> Lines:
    """The line of each path in a document `_walk` found no problem in, as `_walk` meets its
    values: a mapping's entry at the line of its key, a list's at the line of its value; a
    value met again through an alias at the alias (the line of its key, or of the list it
    is in), its own entries not."""
    if root is None:
        return Lines(0, ({}, {}))
    lines = Lines(_line(root), ({}, {}))
    seen = {id(root)}
    stack = [(lines.root, lines.table, _entries(root))]
    while stack:
        line, (table, inner), entries = stack[-1]
        for key, child in entries:
            if isinstance(key, int):
                part, at = key, 0
            elif isinstance(key, yaml.ScalarNode):
                part, at = key.value, _line(key)
            else:
                continue
            if id(child) in seen:
                table[part] = at or line
                continue
            seen.add(id(child))
            table[part] = at = at or _line(child)
            if not isinstance(child, yaml.ScalarNode):
                inner[part] = ({}, {})
                stack.append((at, inner[part], _entries(child)))
                break
        else:
            stack.pop()
    return lines


def _line_at(root: yaml.Node, loc: Loc) -> int:
    """`_lines(root).line(loc)` for a document with no alias, read off the nodes on the
    path alone."""
    node, line = root, _line(root)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            named = [
                (key, value)
                for key, value in node.value
                if isinstance(key, yaml.ScalarNode) and key.value == part
            ]
            if not named:
                break
            key, node = named[-1]
            line = _line(key)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = _line(node)
        else:
            break
    return line


def _entries(node: yaml.Node) -> Iterator[tuple[Any, yaml.Node]]:
    """A mapping's (key node, value node), a list's (index, value node), a scalar's none."""
    if isinstance(node, yaml.MappingNode):
        return iter(node.value)
    if isinstance(node, yaml.SequenceNode):
        return enumerate(node.value)
    return iter(())


def _alias_growth(walk: _Walk) -> Iterator[tuple[int, str]]:
    if walk.expanded > _ALIAS_GROWTH * walk.written + _ALIAS_ALLOWANCE:
        size, line, loc = walk.largest
        yield (
            line,
            f"{_at(loc)}aliases expand {walk.written:,} written values to {walk.expanded:,} "
            f"(this one alone to {size:,}): an alias bomb; write the repeated parts out",
        )


def _tag_problems(node: yaml.Node, loc: Loc) -> Iterator[tuple[int, str]]:
    """A refused tag on the node."""
    if node.tag not in _PLAIN_TAGS:
        yield _line(node), f"{_at(loc)}{_refused_tag(node.tag)}"


def _key_problems(node: yaml.Node, loc: Loc) -> Iterator[tuple[int, str]]:
    """In a mapping: duplicate keys, refused tags on keys, keys that are lists or mappings."""
    names: set[str] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
            yield (
                _line(key),
                f"{_at(loc)}a {kind} is used as a key; "
                "a key is a name such as `handle`: write it as plain text before the colon",
            )
        elif key.tag not in _PLAIN_TAGS:
            yield _line(key), f"{_at(loc)}{_refused_tag(key.tag)}"
        elif str(key.value) in names:
            name = _dotted((*loc, str(key.value)))
            yield _line(key), f"{name}: duplicate key; keep one of them"
        else:
            names.add(str(key.value))


def _refused_tag(tag: str) -> str:
    return (
        f"the tag {_short_tag(tag)} is not allowed: program.yml holds text, numbers, "
        "true/false, lists and mappings; remove the tag"
    )


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _at(loc: Loc) -> str:
    return f"{_dotted(loc)}: " if loc else ""


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _pydantic_problems(exc: ValidationError, root: type[BaseModel] | None = None) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            problems.append(Problem(loc, _unknown_field(loc, root or Program)))
        elif kind == "missing":
            problems.append(Problem(loc, "required; add it"))
        elif kind in {"value_error", "assertion_error"}:
            message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
            problems.append(Problem(loc, message))
        elif kind == "literal_error":
            shown, expected = _shown(error["input"]), error["ctx"]["expected"]
            problems.append(Problem(loc, f"{shown} is not allowed; use {expected}"))
        elif kind == "string_type":
            problems.append(
                Problem(loc, f"expected text, got {_shown(error['input'])}; put it in quotes")
            )
        else:
            problems.append(Problem(loc, f"{error['msg']} (got {_shown(error['input'])})"))
    return problems


def _unknown_field(loc: Loc, root: type[BaseModel]) -> str:
    known = _fields_at(loc[:-1], root)
    name = str(loc[-1])
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
    return f"unknown field; {hint}"


def _fields_at(loc: Loc, root: type[BaseModel]) -> list[str]:
    model: Any = root
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
    checked = program._checked  # what loading it found (a program never changes)
    problems = list(checked) if checked is not None else _undated_checks(program)
    if today is not None:
        settings = program.program
        ends = [pairing.end(settings) for pairing in program.pairings]
        problems.extend(_soft_limit(program, today, ends))
        problems.extend(_away(program, today, ends))
    return problems


def _undated_checks(program: Program) -> list[Problem]:
    problems: list[Problem] = []
    people = {p.handle: p for p in program.people}
    first: dict[str, int] = {}
    for i, person in enumerate(program.people):
        if first.setdefault(person.handle, i) != i:
            problems.append(Problem(("people", i, "handle"), f"{person.handle} is listed twice"))
    for i, person in enumerate(program.people):
        if person.manager is not None:
            problems.extend(_check_manager(people, i, person))
    for i, pairing in enumerate(program.pairings):
        # Only an early end asks for the follower (whose follows_reason explains it).
        follower = program.follower(pairing) if pairing.ended is not None else None
        problems.extend(_check_pairing(program.program, people, i, pairing, follower))
    problems.extend(_overlaps(program))
    problems.extend(_requests_answered_twice(program))
    problems.extend(_follows(program))
    problems.extend(_teams_to_prefer(program))
    problems.extend(_feedback_forms(program))
    return problems


def _check_pairing(
    settings: Settings,
    people: Mapping[str, Person],
    i: int,
    pairing: Pairing,
    program_follower: Pairing | None = None,
) -> Iterator[Problem]:
    loc: Loc = ("pairings", i)
    for role in ("mentor", "mentee"):
        handle = getattr(pairing, role)
        person = people.get(handle)
        if person is None:
            yield Problem((*loc, role), _unknown_person(handle, people))
        elif role not in person.roles:
            yield Problem(
                (*loc, role), f"{handle} is not a {role}; add {role} to their roles in people:"
            )
    if pairing.mentor == pairing.mentee:
        yield Problem(
            loc, f"{pairing.mentor} cannot mentor themselves; pair them with someone else"
        )
    mentee = people.get(pairing.mentee)
    if mentee is not None and mentee.manager == pairing.mentor:
        yield Problem(
            (*loc, "mentor"),
            f"{pairing.mentor} is {pairing.mentee}'s manager (people: manager:); "
            "mentoring works best outside the reporting line",
            warning=True,
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
        # A pairing that hands over to another takes that one's follows_reason.
        if pairing.ended_reason is None and program_follower is None:
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


def _unknown_person(handle: str, people: Mapping[str, Person]) -> str:
    close = difflib.get_close_matches(handle, list(people), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "add them to people:"
    return f"unknown person {handle!r}; {hint}"


def _check_manager(people: Mapping[str, Person], i: int, person: Person) -> Iterator[Problem]:
    loc: Loc = ("people", i, "manager")
    if person.manager is None:
        return
    if person.manager == person.handle:
        yield Problem(loc, f"{person.handle} cannot be their own manager; remove manager:")
        return
    close = difflib.get_close_matches(person.manager, list(people), n=1)
    if person.manager not in people and close:
        # A manager outside the program needs no entry, but a misspelt one would let the
        # matching propose the real manager.
        yield Problem(
            loc,
            f"{person.manager!r} is not in people:; did you mean {close[0]!r}? "
            "(a manager outside the program needs no entry)",
            warning=True,
        )


def _requests_answered_twice(program: Program) -> Iterator[Problem]:
    first: dict[int, int] = {}
    for i, pairing in enumerate(program.pairings):
        if pairing.request is None:
            continue
        earlier = first.setdefault(pairing.request, i)
        if earlier != i:
            yield Problem(
                ("pairings", i, "request"),
                f"request {pairing.request} is answered by pairings[{earlier}] already; "
                "a request becomes one pairing: remove request: from one of them",
            )


def _follows(program: Program) -> Iterator[Problem]:
    """A change of mentor names an earlier pairing of the same mentee, with another
    mentor, still running when the new one starts; one pairing follows it."""
    settings = program.program
    taken: dict[str, int] = {}
    for i, pairing in enumerate(program.pairings):
        loc: Loc = ("pairings", i)
        if pairing.follows is None:
            if pairing.follows_reason is not None:
                yield Problem(
                    (*loc, "follows_reason"),
                    "there is no follows: to explain; add follows: or remove this",
                )
            continue
        before = program.followed(pairing)
        if before is None:
            earlier = [
                p
                for p in program.pairings
                if p.mentee == pairing.mentee and p.start < pairing.start
            ]
            named = ", ".join(sorted({p.mentor for p in earlier} | {p.id for p in earlier}))
            yield Problem(
                (*loc, "follows"),
                f"{pairing.mentee} has no earlier pairing with '{pairing.follows}'; "
                + (f"name its mentor or its id: {named}" if named else "remove follows:"),
            )
            continue
        if before.mentee != pairing.mentee:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} is {before.mentee}'s pairing, not {pairing.mentee}'s; a change "
                "of mentor follows an earlier pairing of the same mentee",
            )
            continue
        if before.start >= pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} starts on {before.start}, not before this pairing "
                f"({pairing.start}); follows: names the earlier pairing",
            )
            continue
        if before.mentor == pairing.mentor:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} has the same mentor; a change of mentor names another one "
                "(to go on with the same mentor, extend that pairing with extended_until:)",
            )
            continue
        j = taken.setdefault(before.id, i)
        if j != i:
            yield Problem(
                (*loc, "follows"),
                f"pairings[{j}] follows {before.id} already; one pairing follows another",
            )
        end = before.extended_until or before.planned_end(settings)
        if before.ended is None and end <= pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} ends on {end}, before this pairing starts; follows: is for "
                "a change of mentor during a term: remove it",
            )
        elif before.ended is not None and before.ended > pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} ends on {before.ended}, after this pairing starts on "
                f"{pairing.start}: {pairing.mentee} has two mentors until then",
                warning=True,
            )
        if pairing.follows_reason is None:
            yield Problem(
                (*loc, "follows"),
                "a change of mentor needs a reason; add follows_reason: to this pairing",
            )


def _teams_to_prefer(program: Program) -> Iterator[Problem]:
    prefer = program.program.matching.prefer
    if prefer != "none" and not any(p.team for p in program.people):
        yield Problem(
            ("program", "matching", "prefer"),
            f"{prefer} needs teams, and nobody in people: has team:; add team: to people",
            warning=True,
        )


def _feedback_forms(program: Program) -> Iterator[Problem]:
    feedback = program.program.feedback
    if feedback is None or not (feedback.midpoint or feedback.end):
        return
    if program.forge.api_flavour == "github":
        yield Problem(("program", "feedback"), FEEDBACK_ON_GITHUB, warning=True)
    elif not program.program.coordinators:
        yield Problem(
            ("program", "feedback"),
            "low scores are brought to the coordinators, and program.coordinators names "
            "nobody; add the coordinators' handles",
            warning=True,
        )


# Said by `validate` and in every run summary of a GitHub program with `feedback:`.
FEEDBACK_ON_GITHUB = (
    "private feedback forms are skipped on GitHub: every reader of a repository reads all "
    "its issues, so a form cannot be private to one participant; remove feedback: or move "
    'the program to GitLab (README, "Private feedback")'
)


def _overlaps(program: Program) -> Iterator[Problem]:
    settings = program.program
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, pairing in enumerate(program.pairings):
        by_pair.setdefault((pairing.mentor, pairing.mentee), []).append(i)
    for indices in by_pair.values():
        if len(indices) == 1:
            continue
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


def _soft_limit(program: Program, today: date, ends: Sequence[date]) -> Iterator[Problem]:
    """`ends`: each pairing's end."""
    settings = program.program
    by_mentor: dict[str, list[tuple[int, Pairing, date]]] = {}
    for i, (pairing, end) in enumerate(zip(program.pairings, ends, strict=True)):
        if end > today:
            by_mentor.setdefault(pairing.mentor, []).append((i, pairing, end))
    for person in program.people:
        limit = person.capacity if person.capacity is not None else settings.soft_limit
        mine = by_mentor.get(person.handle, [])
        if len(mine) <= limit:
            continue
        # The busiest day from today on is the start of one of the pairings (or today).
        for day in sorted({max(today, p.start) for _, p, _ in mine}):
            current = [(i, p) for i, p, end in mine if p.start <= day < end]
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


def _away(program: Program, today: date, ends: Sequence[date]) -> Iterator[Problem]:
    """`ends`: each pairing's end."""
    away: dict[str, date | None] = {}
    for person in program.people:
        away.setdefault(person.handle, person.away_until)  # the first of a duplicate
    for i, (pairing, end) in enumerate(zip(program.pairings, ends, strict=True)):
        if end <= today:
            continue
        for role in ("mentor", "mentee"):
            handle = getattr(pairing, role)
            until = away.get(handle)
            if until is not None and until > max(today, pairing.start):
                yield Problem(
                    ("pairings", i, role), f"{handle} is away until {until}", warning=True
                )


def program_today(program: Program, now: datetime | None = None) -> date:
    """Today's date in the program's time zone (`now` defaults to the current instant)."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(program.program.timezone)).date()

"""program.yml: the roster and rules as pydantic models, loaded with line-precise errors
(automation/roster/source.py) and checked across records (automation/roster/checks.py)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from automation.roster.checks import undated_checks
from automation.roster.handles import handle_key
from automation.roster.source import (
    ConfigError,
    Problem,
    Source,
    pydantic_problems,
    read_yaml,
    shown,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_YEAR, LAST_YEAR = 1970, 2199  # the years a date in program.yml may name
_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


def _parse_date(value: object) -> object:
    # Dates reach us as strings: the loader turns off YAML's timestamp typing so that
    # `2026-13-01` gets our message, not a constructor traceback.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f"invalid date {shown(value)}; write it as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r} ({exc}); write it as YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        # A term's end, its follow-up and the report's calendar are worked out from it.
        raise ValueError(
            f"{value.strip()} is out of range; program dates lie between {FIRST_YEAR} and "
            f"{LAST_YEAR} (to leave a term open, extend it again when its end is near)"
        )
    return day


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


# What a one-line field refuses: C0 and C1 controls (line breaks and tabs among them), the
# Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates
# (an unbalanced one turns around the text the bot writes after it).
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def check_line(value: str) -> str:
    """Text the bot shows on one line (a name, a topic, a reason): no line break and no
    control character, which could start a quick action or turn text around."""
    found = _NOT_ONE_LINE.search(value)
    if found is not None:
        char = found.group()
        what = "a line break" if char in "\n\r\x0b\x0c\x85\u2028\u2029" else "a control character"
        raise ValueError(
            f"{what} (U+{ord(char):04X}) at character {found.start() + 1} is not allowed; "
            "write it on one line of plain text (YAML folds a long value with >-)"
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
        f"invalid safety threshold {shown(value)}; give a number of writes (250) or a share "
        "of the pairings running that day (300%)"
    )


Day = Annotated[date, BeforeValidator(_parse_date)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Handle = Annotated[str, AfterValidator(check_handle)]
Line = Annotated[str, AfterValidator(check_line)]
Text = Annotated[str, Field(min_length=1), AfterValidator(check_line)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StaleRules(_Model):
    """When quiet pairs are nudged (days without human activity)."""

    first_meeting_days: int = Field(default=10, ge=1, le=366)
    nudge_days: int = Field(default=14, ge=1, le=366)
    stalled_days: int = Field(default=28, ge=1, le=366)
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

    max_wait_days: int = Field(default=30, ge=1, le=366)  # then the coordinators are told, once
    expire_days: int = Field(default=90, ge=1, le=730)  # then a request is closed kindly
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
    checkin_every_days: int = Field(default=14, ge=1, le=92)
    checkin_style: Literal["issue", "comment"] = "issue"
    # How pairs meet, unless a pairing says otherwise: live, in writing, or as suits them.
    meeting_style: MeetingStyle = "either"
    meeting_minutes: MeetingMinutes = 45
    ending_soon_days: int = Field(default=14, ge=0, le=92)
    midpoint_review: bool = True
    retrospective_reminder_days: int = Field(default=14, ge=1, le=92)
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


_PROJECT = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+")


def _project_path(value: str) -> str:
    if not _PROJECT.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a project's path; write it as group/project (GitLab, "
            "subgroups too) or owner/name (GitHub): letters, digits, '.', '_' and '-' "
            "between the slashes"
        )
    return value


# The scheme and host of a forge's address, the host ending at a port, a path or the end
# (`http://evil.example?@localhost` has no host this reads: refused over plain http).
_ORIGIN = re.compile(r"^(?P<scheme>https?)://(?P<host>\[[^\]/]*\]|[^:/\s?#@\[\]]+)(?::\d+)?(?:/|$)")


def _private_link(url: str) -> bool:
    """Whether a request to `url` keeps the token off the network: https, or plain http to
    this machine (a forge or proxy on the runner itself)."""
    found = _ORIGIN.match(url)
    return found is not None and (
        found["scheme"] == "https" or found["host"].lower() in ("localhost", "127.0.0.1", "[::1]")
    )


class ForgeSettings(_Model):
    """Where the program repo lives and how to reach it. Never holds the token itself."""

    kind: Literal["gitlab", "github", "sandbox"]
    project: Annotated[str, AfterValidator(_project_path)]
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
        if self.url is not None and self.kind != "sandbox" and not _private_link(self.url):
            raise ValueError(
                f"url {self.url!r}: the token would cross the network in the clear; use "
                "https:// (plain http:// only to this machine: localhost, 127.0.0.1, [::1])"
            )
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
    name: Line | None = None
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
    checkin_every_days: int | None = Field(default=None, ge=1, le=92)
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
    # Handle (its key) -> the first person of that handle, and the list it indexes (`person`).
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
                found.setdefault(handle_key(person.handle), person)
            index = self._by_handle = (self.people, found)
        return index[1].get(handle_key(handle))  # in any case (roster/handles.py)


@lru_cache(maxsize=8192)  # every pairing's end, asked for by each rule: the same few days
def add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st lands on the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day <= 28:  # every month has it (and monthrange works out the weekday too)
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    data, find_line = read_yaml(text, path)
    source = Source(path, find_line)
    if not isinstance(data, dict):
        raise ConfigError(
            [f"{path}:1: expected a mapping with forge:, people: and pairings: at the top"]
        )
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source.report(pydantic_problems(exc, Program))) from None
    program._source = source
    program.forge._handle_lines = _HandleLines(source, [p.handle for p in program.people])
    program._checked = tuple(undated_checks(program))
    errors = [p for p in program._checked if not p.warning]
    if errors:
        raise ConfigError(source.report(errors))
    return program


def program_today(program: Program, now: datetime | None = None) -> date:
    """Today's date in the program's time zone (`now` defaults to the current instant)."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(program.program.timezone)).date()

"""The program dashboard: one bot-owned issue where coordinators see every pairing at once.

Pure. `view()` gathers what the dashboard shows from `status.program_status` on a day;
`render()` writes it as the issue body; `update()` says whether the body on the forge is
still current. Numbers and states only: goal titles only with `report.include_goal_text`,
never comments or retrospectives, and private pairings only in the totals.

The body stays under GitHub's 65,536 characters however large the program: when the
table of pairings does not fit, it becomes a compact table, then a table by mentor, then
totals alone. A table is shown whole or not at all.

"Since the previous update" compares the totals with those of the dashboard on the forge,
kept in a hidden block of its body, and names the roster's milestones dated in between. It
never depends on what a run did, so a rerun of the night writes the same words.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Any

from automation.lazy import lazy
from automation.lifecycle import markers
from automation.lifecycle.ledger import UNSIGNED, unsigned
from automation.lifecycle.observed import CATCH_UP_DAYS, DASHBOARD, lookback_days
from automation.messages import markdown
from automation.messages.size import BODY_LIMITS
from automation.roster.checks import cross_check
from automation.roster.config import Program
from automation.roster.mentors import Mentor, at_or_over_limit, mentor_table
from automation.views.queue import QueueFigures
from automation.views.status import GoalStatus, Milestone, PairingStatus, bar, percent

LIMIT = BODY_LIMITS["github"]  # GitHub's longest issue body (GitLab takes more): kept to on both
MAX_CHARS = 60_000  # what the dashboard allows itself, with room for the forge's own counting

RUNNING = ("active", "ending-soon")
ENDED = ("completed", "ended-early")

# The totals, in the order they are shown and compared. Private pairings count here.
FIGURES: tuple[tuple[str, str], ...] = (
    ("running", "running pairings"),
    ("ending_soon", "ending soon"),
    ("extended", "running on an extension"),
    ("upcoming", "upcoming pairings"),
    ("completed", "completed pairings"),
    ("ended_early", "pairings ended early"),
    ("stalled", "stalled"),
    ("behind", "behind on their goals"),
    ("on_track", "on track"),
    ("goals_reached", "goals reached in running pairings"),
    ("steps_done", "goal steps done in running pairings"),
    ("steps", "goal steps in running pairings"),
    ("checkins_held", "check-ins held in running pairings"),
    ("checkins_expected", "check-ins due in running pairings"),
    ("retrospectives_open", "retrospectives still open"),
    ("requests_waiting", "requests waiting for a mentor"),
    ("mentors_at_limit", "mentors at or over their limit"),
)

_EVENTS = {
    "start": "started",
    "midpoint review": "reached the midpoint",
    "ending soon": "ending soon",
    "end": "term completed",
    "ended early": "ended early",
    "changed mentor": "changed mentor",
}
_BLOCK_START = "<!-- mentorship-dashboard\n"
_BLOCK_END = "\n-->"


class Detail(IntEnum):
    """How much the body shows; the first that fits is used."""

    FULL = 0  # a row per pairing, every list by name
    COMPACT = 1  # shorter rows
    MENTORS = 2  # a row per mentor instead of per pairing
    SUMMARY = 3  # lists as counts
    TOTALS = 4  # the totals alone


@dataclass(frozen=True)
class Row:
    """A running pairing that is not private."""

    mentee: str
    mentor: str
    week: int
    term_weeks: int
    done: int
    total: int
    pace: str | None
    stalled: bool
    extended: bool
    last_activity: date | None
    next: Milestone | None
    goals: tuple[GoalStatus, ...]  # empty unless goal titles are shown
    awaiting: str | None = None  # whose turn it is: a question waits on the mentor or mentee


@dataclass(frozen=True)
class Ended:
    """A pairing ending soon, or ended with its retrospective still open."""

    mentee: str
    mentor: str
    end: date
    early: bool


@dataclass(frozen=True)
class Mark:
    """A roster milestone of a pairing that is not private."""

    mentee: str
    mentor: str
    milestone: Milestone


@dataclass(frozen=True)
class Asked:
    """A request for a mentor still waiting in the queue."""

    number: int
    author: str
    opened: date
    unread: tuple[str, ...] = ()  # the form's headings whose answers cannot be read


@dataclass(frozen=True)
class View:
    """What the dashboard shows on a day, before it is written out."""

    name: str
    figures: Mapping[str, int]
    rows: tuple[Row, ...]
    ending: tuple[Ended, ...]
    waiting: tuple[Ended, ...]
    over_limit: tuple[str, ...]
    private: int  # private pairings: in the totals, never listed
    marks: tuple[Mark, ...]
    spoke: tuple[date, ...]  # last activity of every running pairing that has one
    ending_soon_days: int
    quiet_window: int  # days of comments a run reads
    retrospective_window: int  # days after its end a pairing is still tended
    goal_text: bool
    queue: tuple[Asked, ...] = ()  # oldest first
    asking: QueueFigures | None = None  # the queue's figures, when the program has requests
    mentors: tuple[Mentor, ...] = ()  # the table of available mentors
    # With program.feedback: the figures of automation.goals.feedback.read_back.
    feedback: Mapping[str, Any] | None = None

    # Worked out once, the same at every detail and as of any day that shows them.
    @lazy
    def handles(self) -> int:
        """How many characters the rows' handles take: less than a table of a row per
        pairing."""
        return sum(len(row.mentee) + len(row.mentor) for row in self.rows)

    @lazy
    def by_mentor(self) -> str:
        return _by_mentor(self.rows)

    @lazy
    def room(self) -> tuple[Mentor, ...]:
        return tuple(m for m in self.mentors if m.accepting)

    @lazy
    def room_table(self) -> str:
        return _room_table(self.room)


@dataclass(frozen=True)
class Previous:
    """The totals of an earlier dashboard and the day it was written."""

    day: date
    figures: Mapping[str, int]


@dataclass(frozen=True)
class Stored:
    """The hidden block of a dashboard body."""

    day: date
    figures: Mapping[str, int]
    previous: Previous | None


# ---------------------------------------------------------------- what it shows


def figures(
    statuses: Sequence[PairingStatus], tended: Iterable[str], today: date, window: int
) -> dict[str, int]:
    """The totals. Phases count every pairing of the roster; what is read from the forge
    counts only the pairings the nightly run still tends (it lists only theirs), and open
    retrospectives only of terms ended in the last `window` days."""
    phases = Counter(s.phase for s in statuses)
    running = [s for s in statuses if s.phase in RUNNING]
    kept = set(tended)
    since = today - timedelta(days=window)
    return {
        "running": len(running),
        "ending_soon": phases["ending-soon"],
        "extended": sum(s.outcome == "extended" for s in running),
        "upcoming": phases["upcoming"],
        "completed": phases["completed"],
        # A change of mentor ends a term, not the mentorship: it counts as neither.
        "ended_early": sum(s.phase == "ended-early" and not s.followed_by for s in statuses),
        "stalled": sum(s.stalled for s in running),
        "behind": sum(s.pace == "behind" for s in running),
        "on_track": sum(s.pace == "on-track" for s in running),
        "goals_reached": sum(1 for s in running for g in s.goals if g.total and g.done == g.total),
        "steps_done": sum(s.done for s in running),
        "steps": sum(s.total for s in running),
        "checkins_held": sum(s.checkins_held for s in running),
        "checkins_expected": sum(s.checkins_expected for s in running),
        "retrospectives_open": sum(_waits(s, kept, since) for s in statuses),
    }


def _waits(status: PairingStatus, tended: set[str], since: date) -> bool:
    """Ended since `since`, still tended by the nightly run, and the retrospective still
    open."""
    return (
        status.id in tended
        and status.phase in ENDED
        and status.end >= since
        and status.retrospective == "open"
    )


def over_limit(program: Program, today: date) -> tuple[str, ...]:
    """Mentors over their soft limit from today on, as `validate` warns, without naming
    their mentees, and "now" rather than today's date (it would change every day)."""
    return tuple(
        problem.message.partition("): ")[0].replace(f" from {today} ", " now ") + ")"
        for problem in cross_check(program, today)
        if problem.warning and "(soft limit " in problem.message
    )


def view(
    program: Program,
    statuses: Sequence[PairingStatus],
    today: date,
    tended: Iterable[str],
    queue: Sequence[Asked] = (),
    asking: QueueFigures | None = None,
    feedback: Mapping[str, Any] | None = None,
    mentors: Sequence[Mentor] | None = None,
) -> View:
    """`tended`: the pairings the nightly run looks after today (observe.tended); `queue`:
    the requests waiting for a mentor, and `asking` the queue's figures; `mentors`, the
    mentors' table today, when the caller has it already."""
    settings = program.program
    tended = set(tended)
    window = settings.retrospective_reminder_days + CATCH_UP_DAYS
    shown = [s for s in statuses if not s.private]
    running = sorted(
        (s for s in shown if s.phase in RUNNING), key=lambda s: (s.mentor, s.mentee, s.start)
    )
    goal_text = settings.report.include_goal_text
    rows = tuple(
        Row(
            mentee=s.mentee,
            mentor=s.mentor,
            week=s.week,
            term_weeks=s.term_weeks,
            done=s.done,
            total=s.total,
            pace=s.pace,
            stalled=s.stalled,
            extended=s.outcome == "extended",
            last_activity=s.last_activity,
            next=s.next_milestone,
            goals=s.goals if goal_text else (),
            awaiting=s.awaiting,
        )
        for s in running
    )
    ending = tuple(
        Ended(s.mentee, s.mentor, s.end, False)
        for s in sorted(running, key=lambda s: (s.end, s.mentee))
        if s.phase == "ending-soon"
    )
    waiting = tuple(
        Ended(s.mentee, s.mentor, s.end, s.phase == "ended-early")
        for s in sorted(shown, key=lambda s: (s.end, s.mentee))
        if _waits(s, tended, today - timedelta(days=window))
    )
    private = sum(s.private for s in statuses)
    mentors = tuple(mentor_table(program, today) if mentors is None else mentors)
    return View(
        name=markdown.inert(settings.name),
        figures={
            **figures(statuses, tended, today, window),
            "requests_waiting": len(queue),
            "mentors_at_limit": at_or_over_limit(mentors)[0],
        },
        rows=rows,
        ending=ending,
        waiting=waiting,
        over_limit=over_limit(program, today),
        private=private,
        marks=tuple(Mark(s.mentee, s.mentor, m) for s in shown for m in s.milestones),
        spoke=tuple(
            s.last_activity for s in statuses if s.phase in RUNNING and s.last_activity is not None
        ),
        ending_soon_days=settings.ending_soon_days,
        quiet_window=lookback_days(program),
        retrospective_window=window,
        goal_text=goal_text,
        queue=tuple(sorted(queue, key=lambda a: (a.opened, a.number))),
        asking=asking,
        mentors=mentors,
        feedback=feedback,
    )


# ---------------------------------------------------------------- the body


def update(current: View, today: date, body: str | None) -> str | None:
    """The body to write today, or None when `body` (the one on the forge) still shows
    `current`. Rendered again as of the day it was written, an unchanged dashboard is the
    same text, so it is not rewritten only because a day passed (its signature, if apply
    signed it, set aside)."""
    stored = parse(body) if body is not None else None
    if body is None or stored is None:
        return render(current, today, None)
    if _same(render(current, stored.day, stored.previous), unsigned(body)):
        return None
    return render(current, today, Previous(stored.day, stored.figures))


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def render(current: View, as_of: date, previous: Previous | None) -> str:
    """The body as of `as_of`, with as much detail as fits in `MAX_CHARS`."""
    body = ""
    for detail in Detail:
        if detail < Detail.MENTORS and current.handles > MAX_CHARS:
            continue  # a row per pairing names both of them: that table alone is too long
        body = render_at(current, as_of, previous, detail)
        if len(body) <= MAX_CHARS:
            break
    return body


def render_at(current: View, as_of: date, previous: Previous | None, detail: Detail) -> str:
    """The body with the given detail, however long."""
    parts = [
        f"# {current.name}: dashboard",
        f"Updated {as_of} by the nightly run, which edits this issue only when something "
        "on it changes. It shows numbers and states; goals, comments and retrospectives "
        "stay in the pairing issues."
        + (" Goal titles are shown (`report.include_goal_text`)." if current.goal_text else ""),
        _totals(current),
        _since(current, as_of, previous, detail),
        _pairings(current, as_of, detail),
        _ending(current, detail),
        _waiting(current, detail),
        _feedback(current),
        _queue(current, as_of, detail),
        _mentors(current, detail),
        _over_limit(current, detail),
    ]
    if current.private:
        s = "s are" if current.private != 1 else " is"
        parts.append(f"{current.private} private pairing{s} counted in the totals only.")
    block = {
        "day": as_of.isoformat(),
        "figures": dict(current.figures),
        "previous": {"day": previous.day.isoformat(), "figures": dict(previous.figures)}
        if previous
        else None,
        # Filled in by apply with a secret: a block someone else rewrote is not believed.
        "sig": UNSIGNED,
    }
    text = json.dumps(block, separators=(",", ":"), sort_keys=True)
    parts.append(f"{_BLOCK_START}{text}{_BLOCK_END}")
    return markers.attach("\n\n".join(p for p in parts if p) + "\n", DASHBOARD)


def _queue(current: View, as_of: date, detail: Detail) -> str:
    if not current.queue:
        return ""
    lines = ["## Requests waiting for a mentor", ""]
    waits = sorted((as_of - a.opened).days for a in current.queue)
    n = len(waits)
    summary = (
        f"{n} request{markdown.plural(n)}; the longest waits {waits[-1]} days, "
        f"the median {round(statistics.median(waits))}."
    )
    matched = current.asking.median_to_match if current.asking else None
    if matched is not None:
        summary += (
            f" Requests answered lately waited {matched} day{markdown.plural(matched)} "
            "for their pairing (median)."
        )
    lines.append(summary)
    if detail >= Detail.SUMMARY:
        return "\n".join(lines)
    lines.append("")
    for asked in current.queue:
        days = (as_of - asked.opened).days
        who = markdown.cell(asked.author)
        line = f"- #{asked.number} from {who}: {days} day{markdown.plural(days)}"
        if asked.unread:
            line += f"; answers not read: {', '.join(asked.unread)}"
        lines.append(line)
    return "\n".join(lines)


def _feedback(current: View) -> str:
    """Scores of the private feedback forms and the retrospectives, every pairing together:
    numbers only, and none over fewer than `min_answers` answers (automation/goals/feedback.py)."""
    shown = current.feedback
    if shown is None:
        return ""

    def number(value: object) -> str:
        return "n/a" if value is None else str(value)

    head = ("asked", "of", "answered", "median", "mean", "not a good fit")
    lines = [
        "## Feedback",
        "",
        "Scores from 0 to 10 in the private feedback forms of the pairings near their "
        "midpoint or end and in the retrospectives of the pairings the nightly run looks "
        "after, every pairing together; a median, mean or share needs "
        f"{shown['min_answers']} answers or more. The program report counts every form.",
        "",
        markdown.row(head),
        markdown.row(["---"] * len(head)),
    ]
    for row in shown["forms"]:
        misfit = row.get("not_a_good_fit", "")
        if misfit not in ("", None):
            misfit = f"{round(100 * misfit)}%"
        cells = [
            f"feedback form, {row['milestone']}",
            f"{row['role']}s",
            f"{row['answered']} of {row['forms']}",
            number(row["median"]),
            number(row["mean"]),
            number(misfit),
        ]
        lines.append(markdown.row(cells))
    for row in shown["recommend"]:
        cells = [
            "retrospective, would recommend",
            f"{row['role']}s",
            str(row["answered"]),
            number(row["median"]),
            number(row["mean"]),
            "",
        ]
        lines.append(markdown.row(cells))
    return "\n".join(lines)


def _totals(current: View) -> str:
    numbers = current.figures
    head = ("running", "ending soon", "upcoming", "completed", "ended early", "stalled", "behind")
    keys = ("running", "ending_soon", "upcoming", "completed", "ended_early", "stalled", "behind")
    lines = [
        markdown.row(head),
        markdown.row(["---"] * len(head)),
        markdown.row(str(numbers[k]) for k in keys),
        "",
        f"Running pairings: goal steps {numbers['steps_done']} of {numbers['steps']} done "
        f"({percent(numbers['steps_done'], numbers['steps'])}%), "
        f"{numbers['goals_reached']} goal{markdown.plural(numbers['goals_reached'])} reached, "
        f"check-ins held {numbers['checkins_held']} of {numbers['checkins_expected']}, "
        f"{numbers['extended']} on an extension. "
        f"Retrospectives still open, of terms ended in the last "
        f"{current.retrospective_window} days: {numbers['retrospectives_open']}.",
    ]
    return "\n".join(lines)


def _since(current: View, as_of: date, previous: Previous | None, detail: Detail) -> str:
    if previous is None:
        return (
            "## Since the previous update\n\n"
            "This is the first update; the next one says what changed since."
        )
    lines = [f"## Since the previous update ({previous.day})", ""]
    marks = sorted(
        (m for m in current.marks if previous.day < m.milestone.day <= as_of),
        key=lambda m: (m.milestone.day, m.mentee, m.mentor),
    )
    if detail <= Detail.COMPACT:
        lines += [f"- {m.mentee} with {m.mentor}: {_EVENTS[m.milestone.name]}" for m in marks]
    else:
        counts = Counter(m.milestone.name for m in marks)
        lines += [
            f"- {_EVENTS[name]}: {n} pairing{markdown.plural(n)}"
            for name, n in sorted(counts.items(), key=lambda item: list(_EVENTS).index(item[0]))
        ]
    for key, label in FIGURES:
        before, now = previous.figures.get(key), current.figures[key]
        if before is not None and before != now:
            lines.append(f"- {label}: {before} → {now}")
    spoke = sum(day > previous.day for day in current.spoke)
    if spoke:
        lines.append(
            f"- people spoke or changed goals in {spoke} running pairing{markdown.plural(spoke)}"
        )
    if len(lines) == 2:
        lines.append("- no milestone and no change in the totals")
    return "\n".join(lines)


def _pairings(current: View, as_of: date, detail: Detail) -> str:
    if not current.rows:
        return ""
    if detail is Detail.TOTALS:
        return (
            "## Running pairings\n\n"
            "Not listed: even a row per mentor would make this issue longer than a forge allows."
        )
    if detail >= Detail.MENTORS:
        return current.by_mentor
    full = detail is Detail.FULL
    head = ["mentee", "mentor", "week", "goals"]
    if full and current.goal_text:
        head.append("goal titles")
    head += ["pace", "quiet", "next milestone"]
    lines = ["## Running pairings", "", markdown.row(head), markdown.row(["---"] * len(head))]
    lines += [markdown.row(_cells(row, as_of, full, current.goal_text)) for row in current.rows]
    none = "none seen" if full else "-"
    lines += [
        "",
        "quiet: days since the mentee or mentor last commented, changed their goals or "
        f"edited a check-in, on the day of the update; {none}: not since the start, nor in "
        f"the last {current.quiet_window} days.",
    ]
    if any(row.awaiting for row in current.rows):
        lines.append("mentor's or mentee's turn: a question of the other waits for their answer.")
    return "\n".join(lines)


def _cells(row: Row, as_of: date, full: bool, goal_text: bool) -> list[str]:
    pace = {"on-track": "on track", "behind": "behind", None: ""}[row.pace]
    turn = f"{row.awaiting}'s turn" if row.awaiting else ""
    flags = (pace, "stalled" if row.stalled else "", "extended" if row.extended else "", turn)
    status = ", ".join(w for w in flags if w)
    quiet_days = max(0, (as_of - row.last_activity).days) if row.last_activity else None
    if full:
        goals = (
            f"{bar(row.done, row.total)} {percent(row.done, row.total)}% ({row.done}/{row.total})"
            if row.total
            else "no goals yet"
        )
        cells = [row.mentee, row.mentor, f"{row.week} of {row.term_weeks}", goals]
        if goal_text:
            cells.append(
                "; ".join(f"{markdown.cell(g.title)} {g.done}/{g.total}" for g in row.goals)
            )
        quiet = (
            "none seen" if quiet_days is None else f"{quiet_days} day{markdown.plural(quiet_days)}"
        )
        upcoming = f"{row.next.name} {row.next.day}" if row.next else ""
        return [*cells, status or "-", quiet, upcoming or "-"]
    goals = f"{percent(row.done, row.total)}%" if row.total else "-"
    quiet = "-" if quiet_days is None else f"{quiet_days}d"
    upcoming = f"{row.next.name.split()[0]} {row.next.day}" if row.next else "-"
    return [
        row.mentee,
        row.mentor,
        f"{row.week}/{row.term_weeks}",
        goals,
        status or "-",
        quiet,
        upcoming,
    ]


def _by_mentor(rows: tuple[Row, ...]) -> str:
    mentors: dict[str, list[Row]] = {}
    for row in rows:
        mentors.setdefault(row.mentor, []).append(row)
    head = ["mentor", "running", "behind", "stalled", "goal steps done"]
    lines = [
        "## Running pairings by mentor",
        "",
        "A row per pairing would make this issue longer than a forge allows.",
        "",
        markdown.row(head),
        markdown.row(["---"] * len(head)),
    ]
    for mentor, mine in sorted(mentors.items()):
        done, total = sum(r.done for r in mine), sum(r.total for r in mine)
        lines.append(
            markdown.row(
                [
                    mentor,
                    str(len(mine)),
                    str(sum(r.pace == "behind" for r in mine)),
                    str(sum(r.stalled for r in mine)),
                    f"{done}/{total} ({percent(done, total)}%)",
                ]
            )
        )
    return "\n".join(lines)


def _ending(current: View, detail: Detail) -> str:
    if not current.ending:
        return ""
    title = f"## Ending within {current.ending_soon_days} days"
    if detail >= Detail.SUMMARY:
        n = len(current.ending)
        return f"{title}\n\n{n} pairing{markdown.plural(n)}."
    return "\n".join(
        [title, ""] + [f"- {e.mentee} with {e.mentor}: ends {e.end}" for e in current.ending]
    )


def _waiting(current: View, detail: Detail) -> str:
    if not current.waiting:
        return ""
    title = (
        "## Waiting on a retrospective\n\n"
        f"Terms ended in the last {current.retrospective_window} days, retrospective still open:"
    )
    if detail >= Detail.SUMMARY:
        n = len(current.waiting)
        return f"{title} {n} pairing{markdown.plural(n)}."
    items = [
        f"- {e.mentee} with {e.mentor}: {'ended early on' if e.early else 'ended'} {e.end}"
        for e in current.waiting
    ]
    return "\n".join([title, "", *items])


def _mentors(current: View, detail: Detail) -> str:
    """The table of available mentors: who can take a mentee now, and how many are full."""
    if not current.mentors:
        return ""
    full, of = at_or_over_limit(current.mentors)
    title = "## Mentors with room"
    room = current.room
    summary = (
        f"{full} of {of} mentor{markdown.plural(of)} at or over their limit; "
        f"{len(room)} can take a mentee (`mentorship mentors` has the whole table)."
    )
    if detail >= Detail.SUMMARY or not room:
        return f"{title}\n\n{summary}"
    return f"{title}\n\n{summary}\n\n{current.room_table}"


def _room_table(room: tuple[Mentor, ...]) -> str:
    head = ["mentor", "free", "topics", "time zone"]
    lines = [markdown.row(head), markdown.row(["---"] * len(head))]
    lines += [
        markdown.row(
            [
                markdown.cell(m.handle),
                str(m.free),
                markdown.cell(", ".join(m.topics)),
                markdown.cell(m.timezone or ""),
            ]
        )
        for m in room
    ]
    return "\n".join(lines)


def _over_limit(current: View, detail: Detail) -> str:
    if not current.over_limit:
        return ""
    title = "## Mentors over their limit"
    if detail >= Detail.TOTALS:
        n = len(current.over_limit)
        return f"{title}\n\n{n} mentor{markdown.plural(n)}; `mentorship validate` names them."
    return "\n".join([title, "", *(f"- {line}" for line in current.over_limit)])


# ---------------------------------------------------------------- the hidden block


def parse(body: str) -> Stored | None:
    """The hidden block of a dashboard body; a damaged one reads as None, never raises."""
    body = body.replace("\r\n", "\n")
    start = body.find(_BLOCK_START)
    end = body.find(_BLOCK_END, start + len(_BLOCK_START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    try:
        data = json.loads(body[start + len(_BLOCK_START) : end])
        previous = data.get("previous")
        return Stored(
            day=date.fromisoformat(data["day"]),
            figures=_numbers(data["figures"]),
            previous=Previous(date.fromisoformat(previous["day"]), _numbers(previous["figures"]))
            if previous
            else None,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _numbers(data: object) -> dict[str, int]:
    if not isinstance(data, dict):
        raise TypeError("figures are not a mapping")
    return {str(k): int(v) for k, v in data.items()}

"""One pairing as the rules see it on a day: its dates, its issues and comments, its people."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from automation.goals.checklist import Checklist, Dialect, parse
from automation.lazy import lazy
from automation.lifecycle import boxes, ledger, markers
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    EditIssueBody,
    OpenIssue,
    PostComment,
    ReopenIssue,
    Target,
    Urgency,
    issue_ref,
    refers,
)
from automation.lifecycle.labels import Labels
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import Observed, adoption, last_spoke, local_day, start_of_day
from automation.lifecycle.rules.reasons import Reasons
from automation.lifecycle.timeline import Timeline
from automation.messages.context import Link, pairing_context, person_context, quoted
from automation.messages.markdown import inert
from automation.messages.size import fitted
from automation.messages.templates import Templates
from automation.model import CloseReason, Comment, Draft, Issue, IssueState, TaskCounts
from automation.roster.config import Pairing, Program
from automation.views.status import counted_goals, percent

if TYPE_CHECKING:
    from automation.lifecycle.rules.progress import Reading


@dataclass(frozen=True)
class Pair:
    program: Program
    pairing: Pairing
    today: date
    observed: Observed
    templates: Templates
    # Issues this plan opens or reopens, as they will look: later planners act on them in
    # the same run (their actions wait for those writes), so one run leaves nothing for the
    # next.
    planned: Mapping[str, Issue] = field(default_factory=dict)
    # Where the rules' reasons go when someone asks why (`mentorship explain`); else None.
    reasons: Reasons | None = field(default=None, compare=False)

    def expecting(self, actions: Iterable[object]) -> Pair:
        """This view, plus the issues that `actions` open or reopen."""
        changed: dict[str, Issue] = {}
        for action in actions:
            if isinstance(action, OpenIssue):
                now = start_of_day(self.today, self.program.program.timezone)
                changed[action.key] = action.draft.opened(self.observed.bot, now)
            elif isinstance(action, ReopenIssue):
                issue = self.observed.issues[action.target.key]
                changed[action.target.key] = replace(issue, state=IssueState.OPEN)
            elif isinstance(action, EditIssueBody) and action.target.key == self.key("pairing"):
                changed[action.target.key] = _edited(
                    self.observed.issues[action.target.key], action.body
                )
        if not changed:
            return self
        after = replace(self, planned={**self.planned, **changed})
        if self.key("pairing") not in changed:
            # The pairing issue is the same one, so are its checklist and the progress read
            # from it: neither worked out twice.
            for name in ("checklist", "progress"):
                if name in self.__dict__:
                    after.__dict__[name] = self.__dict__[name]
        return after

    @lazy
    def id(self) -> str:
        return self.pairing.id  # built anew at each read, and every key of the pair uses it

    @lazy
    def timeline(self) -> Timeline:
        """The term as the pair see it today. A change of mentor to come is the pair's news
        on its day, not before: until then the old term runs as if none were coming (its
        weeks, pace, last meeting and ending-soon note), and on the day it ends."""
        adopted = adoption(self.program, self.observed, self.today)
        timeline = Timeline.of(self.pairing, self.program.program, adopted)
        pairing = self.pairing
        if pairing.ended is None and pairing.ended_on is not None and self.today < timeline.end:
            return replace(
                timeline,
                end=pairing.extended_until or timeline.planned_end,
                ended_early=False,
                extended=pairing.extended_until is not None,
            )
        return timeline

    @lazy
    def labels(self) -> Labels:
        return Labels(self.program.program.label_prefix)

    @lazy
    def dialect(self) -> Dialect:
        return Dialect(self.program.forge.api_flavour)

    def key(self, *parts: str) -> str:
        return "/".join(("pair", self.id, *parts))

    def issue(self, *parts: str) -> Issue | None:
        """The issue as this plan will leave it: opened or reopened by it, else as seen."""
        key = self.key(*parts)
        return self.planned.get(key) or self.observed.issues.get(key)

    def comment(self, *parts: str) -> Comment | None:
        return self.observed.comments.get(self.key(*parts))

    def target(self, *parts: str) -> Target:
        issue = self.observed.issues.get(self.key(*parts))
        return Target(self.key(*parts), issue.number if issue else None)

    @lazy  # asked for by every planner; `planned` is fixed for this view
    def pairing_issue(self) -> Issue | None:
        return self.issue("pairing")

    @lazy
    def pairing_open(self) -> bool:
        issue = self.pairing_issue
        return issue is not None and issue.state is IssueState.OPEN

    def link(self, *parts: str) -> Link | None:
        """A link to an issue that exists, or to one this plan opens (filled in by apply,
        which writes the text only after the issue exists)."""
        key = self.key(*parts)
        issue = self.observed.issues.get(key)
        if issue is not None:
            return Link(issue.number, issue.url)
        if key in self.planned:
            return Link(issue_ref(key, "number"), issue_ref(key, "url"))
        return None

    def days_since(self, day: date) -> int:
        return (self.today - day).days

    @lazy
    def checklist(self) -> Checklist | None:
        """The pairing issue's goals and task items, parsed once for every planner."""
        issue = self.pairing_issue
        return parse(issue.body, self.dialect) if issue else None

    @lazy
    def progress(self) -> Reading | None:
        """The goals' progress read from the pairing issue today (rules/progress.py), for
        the progress planner and the ledger alike."""
        from automation.lifecycle.rules.progress import read  # which builds on this view

        return read(self)

    @lazy
    def last_activity(self) -> date | None:
        """The day the mentee or mentor last commented (within the window), changed the
        checklist of the pairing issue or edited a check-in's description, whichever is
        later."""
        zone = self.program.program.timezone
        edits = (self.checklist_changed, self.checkin_edited, *self.met_days)
        changed = [d for d in edits if d is not None]
        return last_spoke(self.observed, self.id, zone, max(changed, default=None))

    @lazy
    def state(self) -> PairState | None:
        """What the ledger remembers of this pairing."""
        return self.observed.ledger.get(self.id)

    @lazy
    def checklist_changed(self) -> date | None:
        """The day a person last changed the goal checklist. Only people edit the pairing
        issue's body, so a checklist that differs from the one remembered is their work."""
        issue = self.observed.issues.get(self.key("pairing"))
        state = self.state
        if issue is None or state is None or self.checklist is None:
            return None
        # An observed pairing issue is the one `checklist` parsed.
        if self.checklist.fingerprint != state.signature:
            return local_day(issue.updated_at, self.program.program.timezone)
        return date.fromisoformat(state.changed) if state.changed else None

    @lazy
    def latest_checkin(self) -> tuple[str, Issue] | None:
        """The newest check-in issue seen (`checkin/N`, the issue), the one the pair writes
        their agenda and notes in."""
        parts = [
            key.split("/", 2)[2]
            for key in self.observed.by_pairing.get(self.id, ())
            if key.split("/", 2)[2].startswith("checkin/")
        ]
        if not parts:
            return None
        part = max(parts, key=lambda p: int(p.split("/")[1]))
        return part, self.observed.issues[self.key(part)]

    @lazy
    def checkin_edited(self) -> date | None:
        """The day the pair last edited a check-in's description. Only the pair (and
        writers) edit it, so an open check-in whose description differs from the one the
        ledger took in was edited by them; the forge's `updated_at` says when (the list
        response carries it: no request of its own)."""
        state = self.state
        remembered = date.fromisoformat(state.edited) if state and state.edited else None
        found = self.latest_checkin
        if found is None or state is None or not state.agenda:
            return remembered
        part, issue = found
        kept = state.agenda
        if not kept.startswith(f"{part}:") or issue.state is not IssueState.OPEN:
            return remembered
        if ledger.described(part, issue.body) == kept:
            return remembered
        day = local_day(issue.updated_at, self.program.program.timezone)
        return max(day, remembered) if remembered else day

    def agenda(self, actions: Iterable[object]) -> str:
        """What the ledger keeps of the latest check-in's description after `actions`: the
        text of one they open, else the text seen now of the one it kept (an edit counted
        is taken in), or of one it has not recorded at all (opened by a run stopped before
        its ledger write: the rerun takes it in as the bot wrote it). A check-in recorded
        without its text is not followed: the bot could not know the text when it opened
        it (it links a pairing issue opened alongside, whose number only apply knows), or
        an earlier version opened it; taking it in later would rewrite the ledger on a
        quiet night."""
        opened = [
            a
            for a in actions
            if isinstance(a, OpenIssue) and a.key.startswith(self.key("checkin") + "/")
        ]
        if opened:
            action = max(opened, key=lambda a: int(a.key.rsplit("/", 1)[1]))
            body = action.draft.body
            return "" if refers(body) else ledger.described(action.key.split("/", 2)[2], body)
        kept = self.state.agenda if self.state else ""
        recorded = dict(self.state.issues) if self.state else {}
        found = self.latest_checkin
        if found is None:
            return kept
        part, issue = found
        if kept.startswith(f"{part}:") or part not in recorded:
            return ledger.described(part, issue.body)
        return kept

    @lazy
    def window_start(self) -> date:
        return local_day(self.observed.window_start, self.program.program.timezone)

    @lazy
    def asked(self) -> tuple[boxes.Asked, ...]:
        """The boxes ticked on the pairing issue: those this run answers and those answered
        in the window of comments alike, so a run after the answer sees what the run that
        wrote it saw (README, "Boxes on the pairing issue")."""
        prefix = self.key("box") + "/"
        found = {
            (a.box.name, a.stamp): a
            for a in boxes.answered(self.observed.answered.get(self.id, ()), prefix)
        }
        issue = self.observed.issues.get(self.key("pairing"))
        if issue is not None and issue.state is IssueState.OPEN:
            ticks = self.observed.ticks.get(issue.number, ())
            people = {self.pairing.mentor, self.pairing.mentee, *self.program.program.coordinators}
            for ask in boxes.asked(issue.body, ticks, issue.updated_at, frozenset(people)):
                if ask.box == boxes.EXTEND and ask.heeded:
                    # The end it asks for, from tonight's end: the answer's marker keeps it.
                    until = self.timeline.end + timedelta(days=boxes.EXTEND_DAYS)
                    ask = replace(ask, until=until)
                found.setdefault((ask.box.name, ask.stamp), ask)
        return tuple(found.values())

    def heeded(self, box: boxes.Box) -> list[date]:
        """The days one of the pair or a coordinator ticked `box`, up to today."""
        zone = self.program.program.timezone
        days = {local_day(a.at, zone) for a in self.asked if a.box == box and a.heeded}
        return sorted(day for day in days if day <= self.today)

    @lazy
    def met_days(self) -> tuple[date, ...]:
        """The days the pair said, by ticking the box, that they met."""
        return tuple(self.heeded(boxes.MET))

    @lazy
    def paused_until(self) -> date | None:
        """The pair paused reminders with the box: the day they resume, `boxes.PAUSE_DAYS`
        after the latest tick, while that is still to come."""
        span = timedelta(days=boxes.PAUSE_DAYS)
        ends = [day + span for day in self.heeded(boxes.PAUSE) if day + span > self.today]
        return max(ends, default=None)

    @lazy
    def away(self) -> bool:
        """Mentor or mentee is away today, or the pair paused reminders: nudges and the
        stalled label wait."""
        return self.away_until is not None or self.paused_until is not None

    def goals(self) -> list[dict[str, Any]]:
        """Goal progress read from the pairing issue, as templates get it."""
        goals = counted_goals(self.checklist) if self.checklist else ()
        return [
            {
                "title": inert(goal.title),
                "done": goal.done,
                "total": goal.total,
                "percent": percent(goal.done, goal.total),
                "due": goal.due,
            }
            for goal in goals
        ]

    @property
    def followed(self) -> Pairing | None:
        """The pairing this one follows: the mentee changed mentor (`follows:`)."""
        return self.program.followed(self.pairing)

    @property
    def follower(self) -> Pairing | None:
        """The pairing that follows this one: its mentee changed mentor."""
        return self.program.follower(self.pairing)

    @lazy
    def followed_issue(self) -> Issue | None:
        """The pairing issue of the pairing this one follows, if any."""
        before = self.followed
        return self.observed.issues.get(f"pair/{before.id}/pairing") if before else None

    def follows(self) -> dict[str, Any] | None:
        """What the pairing issue says of the pairing this one follows: its mentor, a link
        to its pairing issue and the goals left unfinished there (the unticked steps of
        each goal, quoted inert), read from that issue as it is today."""
        before = self.followed
        if before is None:
            return None
        issue = self.followed_issue
        goals = []
        if issue is not None:
            for goal in counted_goals(parse(issue.body, self.dialect)):
                left = [inert(step.text) for step in goal.steps if not step.checked]
                if left:
                    goals.append({"title": inert(goal.title), "done": goal.done, "steps": left})
        return {
            "mentor": person_context(self.program, before.mentor),
            "start": before.start,
            "changed": before.end(self.program.program),  # the old term's last day
            "reason": quoted(self.pairing.follows_reason),
            "issue": Link(issue.number, issue.url) if issue is not None else None,
            "goals": goals,
        }

    def next(self) -> dict[str, Any] | None:
        """The pairing that follows this one, as the hand-over notes name it."""
        after = self.follower
        if after is None:
            return None
        return {
            "mentor": person_context(self.program, after.mentor),
            "start": after.start,
            "reason": quoted(after.follows_reason),
        }

    def context(self, **extra: Any) -> dict[str, Any]:
        return pairing_context(
            self.program, self.pairing, self.today, self.link("pairing"), **extra
        )

    def draft(
        self,
        template: str,
        key: str,
        labels: tuple[str, ...],
        *,
        due: date | None = None,
        **extra: Any,
    ) -> Draft:
        """An issue from a template: functional labels first, the marker appended, and the
        due date the forge shows (`Draft.due`)."""
        draft = self.templates.issue(template, self.context(**extra))
        merged = tuple(dict.fromkeys((*labels, *draft.labels)))
        return Draft(
            title=draft.title,
            body=markers.attach(fitted(draft.body, self.dialect.value), key),
            labels=merged,
            assignees=draft.assignees,
            confidential=draft.confidential,
            due=due,
        )

    def text(
        self, template: str, key: str, attrs: dict[str, str] | None = None, **extra: Any
    ) -> str:
        """A comment from a template, with its marker (and the marker's attributes)."""
        body = self.templates.comment(template, self.context(**extra))
        return markers.attach(fitted(body, self.dialect.value), key, **(attrs or {}))

    def said_and_closed(
        self,
        parts: tuple[str, ...],
        word: str,
        text: Callable[[str], str],
        reason: CloseReason,
        urgency: Urgency,
    ) -> list[Action]:
        """A comment on the issue of `parts` (its key `parts` + `word`, its text
        `text(key)`), then the issue's close, which waits for it; the comment once: a rerun
        after a lost close has said it already."""
        target = self.target(*parts)
        actions: list[Action] = []
        after: tuple[str, ...] = ()
        if self.comment(*parts, word) is None:
            key = self.key(*parts, word)
            actions.append(PostComment(key, self.id, target, text(key), urgency))
            after = (key,)
        close = self.key(*parts, "close")
        actions.append(CloseIssue(close, self.id, target, reason, urgency, after))
        return actions

    def nothing(self, reason: str, **facts: object) -> list[Action]:
        """No write from this rule, and why: `reason` with `facts` filled in, formatted only
        when someone asks (`mentorship explain`), so a night's planning pays nothing for it."""
        if self.reasons is not None:
            self.reasons.hear(reason.format(**facts))
        return []

    @lazy
    def away_until(self) -> tuple[str, date] | None:
        """Who of the pair is away today, and until when (the later return if both are)."""
        away = [
            (person.away_until, handle)
            for handle in (self.pairing.mentor, self.pairing.mentee)
            if (person := self.program.person(handle))
            and person.away_until
            and person.away_until > self.today
        ]
        if not away:
            return None
        until, handle = max(away)
        return handle, until

    def within(self, day: date, days: int) -> bool:
        """Today is `day` or up to `days` - 1 days after it."""
        return day <= self.today < day + timedelta(days=days)


def _edited(issue: Issue, body: str) -> Issue:
    """The pairing issue once the bot's edit of its boxes is applied: unticking them lowers
    GitLab's count of ticked items by as many."""
    tasks = issue.tasks
    if tasks is not None:
        gone = len(boxes.ticked(issue.body)) - len(boxes.ticked(body))
        tasks = TaskCounts(tasks.done - gone, tasks.total)
    return replace(issue, body=body, tasks=tasks)

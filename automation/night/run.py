"""One nightly run: observe the forge, plan the day, keep to the write budget, apply."""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from automation.errors import ExpectedError
from automation.forge.base import Forge
from automation.forge.cached import MARGIN
from automation.forge.pacing import Pacer
from automation.lifecycle import markers
from automation.lifecycle.actions import (
    Action,
    Budgeted,
    CloseIssue,
    OpenIssue,
    Target,
    Urgency,
    budget,
    requests_of,
    to_json,
)
from automation.lifecycle.observed import Observed, part_of, start_of_day
from automation.lifecycle.rules import plan
from automation.lifecycle.timeline import Phase, Timeline
from automation.messages.markdown import cell
from automation.messages.templates import Templates
from automation.model import CloseReason
from automation.night.executor import Outcome, Status, apply
from automation.night.observe import read
from automation.roster.checks import FEEDBACK_ON_GITHUB
from automation.roster.config import SAFETY_FLOOR, Program
from automation.roster.handles import same_handle


class TooManyWrites(ExpectedError):
    """The plan is larger than the safety threshold: likely a roster mistake."""


def plan_day(
    forge: Forge,
    program: Program,
    today: date,
    templates: Templates,
    *,
    secret: str | None = None,
    pairing: str | None = None,
) -> list[Action]:
    """The day's plan; with `pairing` (an id), only that pairing's writes."""
    actions = plan(program, read(forge, program, today, secret=secret), today, templates)
    return of_pairing(actions, pairing)


def of_pairing(actions: list[Action], pairing: str | None) -> list[Action]:
    """The writes of one pairing (all of them for None). Program-wide writes (the ledger,
    the dashboard, requests) are left to the next full run: until the ledger records an
    issue this run opens, the issue is believed by its marker (README, "Security")."""
    return actions if pairing is None else [a for a in actions if a.pairing == pairing]


@dataclass(frozen=True)
class Report:
    planned: tuple[Action, ...]
    deferred: tuple[Action, ...]  # over the run's write budget (max_writes)
    outcomes: tuple[Outcome, ...]
    # Over what the forge's write limits allow in the run's time, and why (for people).
    paced: tuple[Action, ...] = ()
    paced_why: str = ""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in (Status.FAILED, Status.SKIPPED)]

    @property
    def limited(self) -> list[Outcome]:
        """Writes left for the next run because the forge's rate limit stopped this one."""
        return [o for o in self.outcomes if o.status is Status.DEFERRED]


def run_day(
    forge: Forge,
    program: Program,
    today: date,
    templates: Templates,
    *,
    max_writes: int | None = None,
    force: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    secret: str | None = None,
    on_plan: Callable[[Sequence[Action]], None] | None = None,
    pacer: Pacer | None = None,
    pairing: str | None = None,
) -> Report:
    """Plan and apply the same list. Refuses a plan over the safety threshold unless forced.

    The writes kept are the most urgent within `max_writes` and within what the forge's
    write limits allow in the time `pacer` has left; the rest waits for the next run.
    With `pairing`, only that pairing's writes (`of_pairing`).
    """
    settings = program.program
    observed = read(forge, program, today, secret=secret)
    actions = of_pairing(plan(program, observed, today, templates), pairing)
    if on_plan is not None:
        on_plan(actions)  # before any write: kept even if the run is cut short
    if pacer is not None:
        pacer.seen(own_writes(observed))
    running = running_pairings(program, today)
    threshold = settings.safety_limit(running)
    if len(actions) > threshold and not force:
        raise TooManyWrites(
            f"the plan has {len(actions)} writes, over the safety threshold of {threshold} "
            f"({_threshold_source(settings.safety_threshold, running)}); check program.yml "
            "for a mistake with `mentorship plan`, then run again with --force if it is right"
        )
    cap = max_writes if max_writes is not None else settings.max_writes
    kept = budget(actions, cap) if cap is not None else Budgeted(tuple(actions), ())
    paced, why = _within_limits(kept.run, program, pacer)
    outcomes = apply(paced.run, forge, on_outcome, secret)
    outcomes += _close_own_duplicates(forge, program, today, outcomes, on_outcome)
    return Report(tuple(actions), kept.deferred, tuple(outcomes), paced.deferred, why)


def own_writes(observed: Observed) -> list[float]:
    """When the bot made the issues and comments it reads back (epoch seconds): an earlier
    run's writes, which count in the forge's write limits for an hour. Label changes and
    closes leave no such trace; the forge's refusal covers them (README, "Rate limits")."""
    bot = observed.bot
    times = [
        i.created_at.timestamp() for i in observed.issues.values() if same_handle(i.author, bot)
    ]
    for comment in observed.comments.values():
        if same_handle(comment.author, bot):
            times.append(comment.created_at.timestamp())
            if comment.updated_at != comment.created_at:
                times.append(comment.updated_at.timestamp())  # an edit is a write too
    return times


def running_pairings(program: Program, today: date) -> int:
    """Pairings of the roster under way on `today` (started, not yet ended)."""
    settings = program.program
    return sum(
        Timeline.of(p, settings).phase(today) in (Phase.ACTIVE, Phase.ENDING_SOON)
        for p in program.pairings
    )


def _threshold_source(threshold: int | str, running: int) -> str:
    if isinstance(threshold, int):
        return "program.safety_threshold"
    return (
        f"program.safety_threshold {threshold} of {running} running pairings, "
        f"at least {SAFETY_FLOOR}"
    )


def _within_limits(
    actions: Sequence[Action], program: Program, pacer: Pacer | None
) -> tuple[Budgeted, str]:
    """The most urgent writes the forge's limits allow in the time the run has left."""
    left = None if pacer is None else pacer.seconds_left()
    room = None if pacer is None else pacer.room()
    if pacer is None or left is None or room is None:
        return Budgeted(tuple(actions), ()), ""
    flavour = program.forge.api_flavour
    kept = budget(actions, room, lambda a: requests_of(a, flavour))
    why = (
        f"the forge's write limits, {pacer.limits.describe()}: {room} writes fit in the "
        f"{max(0, round(left / 60))} minutes this run had left"
    )
    return kept, why if kept.deferred else ""


def _close_own_duplicates(
    forge: Forge,
    program: Program,
    today: date,
    outcomes: Sequence[Outcome],
    on_outcome: Callable[[Outcome], None] | None,
) -> list[Outcome]:
    """Two runs at once can both open the same issue. After its writes, a run that opened
    issues lists the issues the bot opened since it began (`_copies_since`: one listing,
    of only those, not the run's other writes); where an older one has the key of one it
    opened, it closes its own copy, so no duplicate outlives the run that made it (the run
    that opened the older one finds nothing to close)."""
    opened: dict[str, tuple[OpenIssue, int]] = {
        o.action.key: (o.action, o.opened)
        for o in outcomes
        if isinstance(o.action, OpenIssue) and o.opened is not None
    }
    if not opened:
        return []
    since = _copies_since(forge.server_time(), program.program.timezone, today)
    closes: dict[str, Action] = {}
    for issue in forge.list_created(author=forge.whoami(), since=since):
        marker = markers.find(issue.body)
        if marker is None or marker.key not in opened:
            continue
        action, number = opened[marker.key]
        if issue.number < number:  # an older copy: ours is the duplicate
            key = f"duplicate/{number}"
            target = Target(marker.key, number)
            reason = CloseReason.NOT_PLANNED
            closes[key] = CloseIssue(key, action.pairing, target, reason, Urgency.HOUSEKEEPING)
    return apply(list(closes.values()), forge, on_outcome)


def _copies_since(began: datetime | None, zone: str, today: date) -> datetime:
    """From when another run's copy of an issue this run opened may date: after the run's
    first read, which showed no copy (else it had planned none). That is the forge's clock
    when it answered the run's first request (`began`), less the observation cache's
    MARGIN for the clock's grain; the start of yesterday when the forge's clock is not
    known, and never earlier."""
    yesterday = start_of_day(today - timedelta(days=1), zone)
    return yesterday if began is None else max(yesterday, began - MARGIN)


@dataclass(frozen=True)
class Disclosure:
    """What a run's outputs show (its log, plan.json and run summary, kept as CI artifacts
    that more people can read than the issues): the text of the bot's writes, which quotes
    goals, only with `report.include_goal_text`; private pairings by a stand-in, unless
    `report.name_private_pairings`."""

    text: bool
    stand_ins: Mapping[str, str]  # private pairing id -> its stand-in

    @classmethod
    def of(cls, program: Program) -> Disclosure:
        report = program.program.report
        stand_ins = {
            p.id: f"private-{zlib.crc32(p.id.encode()):08x}"
            for p in program.pairings
            if p.private and not report.name_private_pairings
        }
        return cls(report.include_goal_text, stand_ins)

    def _masked(self, text: str) -> str:
        for pairing, stand_in in self.stand_ins.items():
            text = text.replace(pairing, stand_in)
        return text

    def pairing(self, pairing: str) -> str:
        return self.stand_ins.get(pairing, pairing)

    def describe(self, action: Action) -> str:
        if _feedback(action):
            return "private feedback forms"
        if action.pairing in self.stand_ins and isinstance(action, OpenIssue):
            return "open issue (of a private pairing)"
        return self._masked(action.describe())

    def detail(self, outcome: Outcome) -> str:
        """Why a write failed or waited, for the log: the error or the keys it waited for
        name the form (whose, answered) and its number, so a feedback write's says only
        that much; a private pairing's id is its stand-in, and its people are not named."""
        if not outcome.detail:
            return ""
        if _feedback(outcome.action):
            failed = outcome.status is Status.FAILED
            return (
                "the error is not shown: it names the form" if failed else "waits for another write"
            )
        said = self._masked(outcome.detail)
        if outcome.action.pairing in self.stand_ins:
            # The forge's words may name one of the pair (an unknown or unassignable user).
            for handle in outcome.action.pairing.split("--")[:2]:
                said = re.sub(rf"(?<![\w-]){re.escape(handle)}(?![\w-])", "one of the pair", said)
        return said

    def to_json(self, action: Action) -> dict[str, Any]:
        """The action for plan.json: kinds, keys, targets, labels; no body unless allowed."""
        if _feedback(action):
            key = f"pair/{self.pairing(action.pairing)}/feedback"
            return {"kind": "feedback", "key": key, "pairing": self.pairing(action.pairing)}
        out = to_json(action)
        if not self.text:
            out.pop("body", None)
            out.get("issue", {}).pop("body", None)
        if action.pairing in self.stand_ins and "issue" in out:
            out["issue"].update(title="(private)", assignees=[])
        masked: dict[str, Any] = json.loads(self._masked(json.dumps(out)))
        return masked


def _feedback(action: Action) -> bool:
    """A write on a private feedback form: its text or which form it is would say how a
    named pairing was scored, so outputs say only "feedback"."""
    return part_of(action.key) == "feedback"


def summary(actions: Sequence[Action]) -> str:
    """`3 open-issue, 2 comment` in a stable order."""
    counts = Counter("feedback" if _feedback(a) else a.kind for a in actions)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"


def run_summary(program: Program, day: date, report: Report) -> str:
    """The run as Markdown for people: what was done, by pairing (a CI job summary)."""
    shown = Disclosure.of(program)
    names = {
        p.id: "a private pairing" if p.id in shown.stand_ins else f"{p.mentee} with {p.mentor}"
        for p in program.pairings
    }
    rows: dict[str, list[str]] = {}
    for outcome in report.outcomes:
        mark = {
            Status.DONE: "",
            Status.FAILED: "**failed:** ",
            Status.SKIPPED: "skipped: ",
            Status.DEFERRED: "deferred (rate limited): ",
        }
        rows.setdefault(outcome.action.pairing, []).append(
            f"{mark[outcome.status]}{cell(shown.describe(outcome.action))}"
        )
    for action in (*report.deferred, *report.paced):
        rows.setdefault(action.pairing, []).append(f"deferred: {cell(shown.describe(action))}")
    done = [o.action for o in report.outcomes if o.status is Status.DONE]
    lines = [
        f"## {cell(program.program.name)}: nightly run for {day}",
        "",
        f"Done: {summary(done)}.",
    ]
    if report.failed:
        lines.append(f"Not done: {len(report.failed)} (see the job log for the errors).")
    checked = [o for o in report.outcomes if o.checks]
    if checked:
        happened = sum(o.status is Status.DONE for o in checked)
        lines.append(
            f"Lost answers: {len(checked)} writes got no answer and were read back "
            f"({sum(o.checks for o in checked)} reads); {happened} had been done."
        )
    feedback = program.program.feedback
    if feedback is not None and program.forge.api_flavour == "github":
        lines.append(f"Warning: {FEEDBACK_ON_GITHUB}.")
    if report.deferred:
        lines.append(f"Deferred to the next run (write budget): {summary(report.deferred)}.")
    if report.paced:
        lines.append(
            f"Deferred to the next run ({report.paced_why}): {summary(report.paced)}; the most "
            "urgent went first."
        )
    if report.limited:
        limited = summary([o.action for o in report.limited])
        lines.append(f"Deferred to the next run (the forge's rate limit): {limited}.")
    if rows:
        lines += ["", "| pairing | what the run did |", "|---|---|"]
        for pairing, items in rows.items():
            # Said once: how many writes a form took is not for the run's outputs.
            said = "<br>".join(dict.fromkeys(items))
            lines.append(f"| {names.get(pairing, '(program)')} | {said} |")
    return "\n".join(lines) + "\n"

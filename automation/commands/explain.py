"""`mentorship explain`: one pairing's dates, what the forge shows of it, and what each rule
decided today and why, from the same planning as `plan` (the rules give their reasons)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import click

from automation.commands.connection import connection
from automation.commands.pairing import find_pairing
from automation.lifecycle.observed import Observed, adoption, last_spoke, left_alone, local_day
from automation.lifecycle.rules import PLANNERS, plan, rule_name
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.rules.reasons import Reasons
from automation.lifecycle.timeline import Timeline
from automation.messages.markdown import plural
from automation.messages.templates import Templates, templates_for
from automation.model import Issue, IssueState
from automation.night.observe import read
from automation.night.run import Disclosure
from automation.roster.config import Pairing, Program, load_program
from automation.views.status import counted_goals


def run(pairing_name: str, config_path: Path, today: date | None) -> int:
    program = load_program(config_path)
    pairing = find_pairing(program, pairing_name)
    reached = connection(program, today)
    observed = read(reached.forge, program, reached.day, secret=reached.secret)
    for line in explain(program, pairing, observed, reached.day, templates_for(config_path)):
        click.echo(line)
    return 0


def explain(
    program: Program, pairing: Pairing, observed: Observed, today: date, templates: Templates
) -> list[str]:
    """The lines `mentorship explain` prints: the timeline, the observed state, then each
    rule's decision. Shows counts and dates, never people's text."""
    reasons = Reasons(pairing.id)
    plan(program, observed, today, templates, reasons)
    shown = Disclosure.of(program)
    timeline = Timeline.of(pairing, program.program, adoption(program, observed, today))
    pair = Pair(program, pairing, today, observed, templates)
    phase = timeline.phase(today)
    lines = [
        f"{shown.pairing(pairing.id)}: {pairing.mentee} with {pairing.mentor}, on {today}: "
        f"{phase.value}, week {timeline.week(today)} of {timeline.term_weeks}",
        "",
        "timeline:",
        *_timeline(program, pairing, timeline, today),
        "",
        "observed:",
        *_observed(pair),
        "",
        "rules:",
    ]
    if not reasons.decisions:
        lines.append(f"  none ran: {_untended(program, pairing, observed, today)}")
    width = max(len(rule_name(p)) for p in PLANNERS)
    for decision in reasons.decisions:
        said = [shown.describe(a) for a in decision.actions]
        why = [f"nothing — {r}" for r in decision.reasons] if not said else list(decision.reasons)
        for number, text in enumerate(said + why or ["nothing"]):
            name = decision.rule if number == 0 else ""
            lines.append(f"  {name:<{width}}  {text}")
    return lines


def _timeline(program: Program, pairing: Pairing, timeline: Timeline, today: date) -> list[str]:
    settings = program.program
    when = [(timeline.start, "start: the pairing issue (kickoff)")]
    if settings.midpoint_review and timeline.midpoint < timeline.end:
        when.append((timeline.midpoint, "midpoint review"))
    if not timeline.ended_early:
        when.append((timeline.ending_soon, "ending soon: label and comment"))
    end = "end (early): " if timeline.ended_early else "end: "
    when.append((timeline.end, end + "retrospective, pairing issue closed"))
    reminder = timeline.end + timedelta(days=settings.retrospective_reminder_days)
    when.append((reminder, "grace: one reminder if the retrospective is still open"))
    when += [(day, "after the term: follow-up") for day in pairing.afterwards(settings)]
    lines = [f"  {_mark(day, today)}  {day}  {what}" for day, what in sorted(when)]
    period = timeline.period(today)
    periods = timeline.period(timeline.end - timedelta(days=1)) or 0
    every = f"every {timeline.checkin_days} days, {periods} period{plural(periods)}"
    if period is None:
        lines.insert(1, f"  {'past' if today >= timeline.end else '    '}  check-ins {every}")
    else:
        now = f"{timeline.period_start(period)} to {timeline.period_end(period)}"
        lines.insert(1, f"  now   check-ins {every}: period {period}, {now}")
    return lines


def _mark(day: date, today: date) -> str:
    return "past" if day <= today else "    "


def _observed(pair: Pair) -> list[str]:
    observed = pair.observed
    zone = pair.program.program.timezone
    issue = pair.pairing_issue
    if issue is None:
        lines = ["  pairing issue: none yet"]
    else:
        lines = [f"  pairing issue: {_issue(issue)}, labels: {', '.join(issue.labels) or 'none'}"]
        goals = counted_goals(pair.checklist) if pair.checklist else ()
        done = sum(g.done for g in goals)
        total = sum(g.total for g in goals)
        counts = f"{len(goals)}, {done}/{total} steps done" if goals else "none written yet"
        lines.append(f"  goals: {counts}")
    for part in _parts(observed.by_pairing.get(pair.id, ())):
        if part != "pairing":
            lines.append(f"  {part}: {_issue(observed.issues[pair.key(part)])}")
    spoke = last_spoke(observed, pair.id, zone, None)
    said = f"{spoke} by {observed.spoke[pair.id]}" if spoke else "none"
    lines.append(
        f"  last activity: {pair.last_activity or 'none seen'} (comments: {said}, "
        f"goals changed: {pair.checklist_changed or 'no'}, check-in edited: "
        f"{pair.checkin_edited or 'no'}; comments read from {pair.window_start})"
    )
    turn = observed.turns.get(pair.id)
    if turn is not None:
        asker = "mentee" if turn.waiting == "mentor" else "mentor"
        asked = local_day(turn.asked, zone)
        lines.append(f"  waiting: a question of the {asker}, for the {turn.waiting}, since {asked}")
    for handle in (pair.pairing.mentor, pair.pairing.mentee):
        person = pair.program.person(handle)
        if person is not None and person.away_until is not None:
            tense = "away until" if person.away_until > pair.today else "was away until"
            lines.append(f"  away: {handle} {tense} {person.away_until}")
    return lines


def _parts(keys: Iterable[str]) -> list[str]:
    return [key.split("/", 2)[2] for key in keys]


def _issue(issue: Issue) -> str:
    state = "open" if issue.state is IssueState.OPEN else "closed"
    return f"#{issue.number} ({state})"


def _untended(program: Program, pairing: Pairing, observed: Observed, today: date) -> str:
    """Why the nightly run leaves the pairing alone today (`observe.left_alone`)."""
    why = left_alone(program, observed, today, pairing, adoption(program, observed, today))
    return f"the run leaves it alone: {why or 'it is not tended'}"

"""Boxes on the pairing issue: the pair (or a coordinator) ticks one, the next run acts on it.

Each box ticked in the bot's block of the pairing issue is answered once, by a comment whose
marker names the box and when it was ticked (`pair/<id>/box/<name>/<when>`), then unticked,
so that it can be ticked again. What it does is read from the same list whether the answer
is written tonight or was written by an earlier run (`Pair.asked`):

- "We met this period": the day counts as the pair's activity and its period as met.
- "Pause reminders for two weeks": nudges and the stalled label wait (`Pair.away`).
- "Ask the coordinators for an extension" / "... to end this pairing": the answer asks
  the coordinators, with the exact lines to add to the pairing in program.yml: the roster
  stays theirs to change. With `requests.propose_changes`, the ask is also pending
  (`pending`): the one roster merge/pull request of the requests (rules/requests.py) carries
  the change to the pairing's entry until program.yml on the default branch shows it, or
  until the coordinators close that merge request without merging it, which declines the
  asks it carried (said once on the pairing issue, `declined`).

Which asks are pending is read from the answers in the window of comments, never from
older history: an ask the coordinators leave unanswered for longer than the window
(`observe.lookback_days`, a month by default) drops out of the proposal, and its answer with
the lines stays on the pairing issue for them. The ledger could keep it longer; a month
unmerged is taken as an answer too, and keeping it would need a second record of what the
comments already say.

Only the mentee, the mentor and `program.coordinators` are heeded, by who the forge says
ticked the box; anyone else's tick is answered as ignored, and unticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from automation.lifecycle import boxes
from automation.lifecycle.actions import Action, EditIssueBody, PostComment, Urgency
from automation.lifecycle.observed import local_day
from automation.lifecycle.rules.pair import Pair
from automation.model import IssueState
from automation.roster.edit import Amendment, amendment_lines


@dataclass(frozen=True)
class RosterAsk:
    """A box ask the roster merge request carries: its answer's key, the pairing issue,
    who asked, and the change to the pairing's entry in program.yml."""

    key: str
    issue: int | None
    name: str  # `extend` or `end`
    by: str
    change: Amendment


def plan(pair: Pair) -> list[Action]:
    issue = pair.observed.issues.get(pair.key("pairing"))
    if issue is None or issue.state is not IssueState.OPEN:
        return pair.nothing("the pairing issue is not open")
    ticked = set(boxes.ticked(issue.body))
    said = declined(pair)
    if not ticked:
        return said or pair.nothing("no box is ticked on the pairing issue")
    actions: list[Action] = []
    for ask in pair.asked:
        key = _key(pair, ask)
        if ask.box.name not in ticked or pair.comment("box", ask.box.name, ask.stamp):
            continue
        body = pair.text("box", key, ask.attrs(), box=answer(pair, ask))
        actions.append(PostComment(key, pair.id, pair.target("pairing"), body, Urgency.CHECKIN))
    # Unticked once answered, so that a box can be ticked again; the answer first, so that
    # a run stopped in between answers nothing twice and unticks on the next run.
    after = tuple(a.key for a in actions)
    body = boxes.untick(issue.body, ticked)
    target = pair.target("pairing")
    key = f"{target.key}/boxes"
    actions.append(EditIssueBody(key, pair.id, target, body, Urgency.CHECKIN, after))
    return said + actions


def answer(pair: Pair, ask: boxes.Asked) -> dict[str, Any]:
    """`box` as the answer's template sees it: which, who, and what it did or asks for."""
    day = local_day(ask.at, pair.program.program.timezone)
    return {
        "name": ask.box.name,
        "text": ask.box.text,
        "by": ask.by,
        "day": day,
        "heeded": ask.heeded,
        "coordinators": list(pair.program.program.coordinators),
        "period": pair.timeline.period(day),
        "until": day + timedelta(days=boxes.PAUSE_DAYS),
        "lines": roster_lines(pair, ask) if ask.heeded else "",
        "proposed": pair.program.program.requests.propose_changes,
        "declined": False,
    }


def roster_lines(pair: Pair, ask: boxes.Asked) -> str:
    """The lines that make the change in program.yml, under the pairing's own entry."""
    change = amendment(pair, ask)
    return amendment_lines(change) if change.fields else ""


def amendment(pair: Pair, ask: boxes.Asked) -> Amendment:
    """What the ask sets on the pairing's entry in program.yml (nothing for other boxes)."""
    entry = pair.pairing
    return Amendment(entry.mentor, entry.mentee, entry.start, _fields(pair, ask))


def _fields(pair: Pair, ask: boxes.Asked) -> tuple[tuple[str, str | date], ...]:
    day = local_day(ask.at, pair.program.program.timezone)
    who = f"asked for on the pairing issue by @{ask.by} on {day}"
    if ask.box == boxes.EXTEND:
        until = ask.until or pair.timeline.end + timedelta(days=boxes.EXTEND_DAYS)
        return (("extended_until", until), ("extension_reason", who))
    if ask.box == boxes.END:
        return (("ended", max(day, pair.pairing.start)), ("ended_reason", who))
    return ()


def shown(pair: Pair, ask: boxes.Asked) -> bool:
    """Whether the roster in hand already makes the change the ask is for."""
    entry = pair.pairing
    if ask.box == boxes.EXTEND:
        return entry.extended_until is not None and (
            ask.until is None or entry.extended_until >= ask.until
        )
    return entry.ended is not None


def _roster_asks(pair: Pair) -> list[boxes.Asked]:
    """The extension and end asks of the pair or a coordinator that the roster does not
    show yet, with `requests.propose_changes` on (else the answer's lines are the route)."""
    if not pair.program.program.requests.propose_changes:
        return []
    return [
        a
        for a in pair.asked
        if a.box in (boxes.EXTEND, boxes.END) and a.heeded and not shown(pair, a)
    ]


def _key(pair: Pair, ask: boxes.Asked) -> str:
    """The key of the answer to `ask`."""
    return pair.key("box", ask.box.name, ask.stamp)


def _is_declined(pair: Pair, ask: boxes.Asked) -> bool:
    roster = pair.observed.roster
    said = pair.comment("box", ask.box.name, ask.stamp, "declined") is not None
    return said or (roster is not None and _key(pair, ask) in roster.declined)


def pending(pair: Pair) -> list[RosterAsk]:
    """The asks the roster merge request carries tonight (README, "Boxes on the pairing
    issue"): answered or answered tonight, not shown by the roster, not declined."""
    issue = pair.observed.issues.get(pair.key("pairing"))
    return [
        RosterAsk(
            _key(pair, ask),
            issue.number if issue is not None else None,
            ask.box.name,
            ask.by,
            amendment(pair, ask),
        )
        for ask in _roster_asks(pair)
        if not _is_declined(pair, ask)
    ]


def declined(pair: Pair) -> list[Action]:
    """Once, on the pairing issue: the coordinators closed the roster merge request that
    carried an ask without merging it, so it is not proposed again."""
    roster = pair.observed.roster
    if roster is None or not roster.declined:
        return []
    actions: list[Action] = []
    for ask in _roster_asks(pair):
        key = _key(pair, ask)
        if key not in roster.declined or pair.comment("box", ask.box.name, ask.stamp, "declined"):
            continue
        day = local_day(ask.at, pair.program.program.timezone)
        box = {"name": ask.box.name, "by": ask.by, "day": day, "declined": True}
        body = pair.text("box", f"{key}/declined", box=box)
        actions.append(
            PostComment(f"{key}/declined", pair.id, pair.target("pairing"), body, Urgency.CHECKIN)
        )
    return actions

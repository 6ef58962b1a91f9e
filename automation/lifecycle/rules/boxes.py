"""Boxes on the pairing issue: the pair (or a coordinator) ticks one, the next run acts on it.

Each box ticked in the bot's block of the pairing issue is answered once, by a comment whose
marker names the box and when it was ticked (`pair/<id>/box/<name>/<when>`), then unticked,
so that it can be ticked again. What it does is read from the same list whether the answer
is written tonight or was written by an earlier run (`Pair.asked`):

- "We met this period": the day counts as the pair's activity and its period as met.
- "Pause reminders for two weeks": nudges and the stalled label wait (`Pair.away`).
- "Ask the coordinators for an extension" / "... to end this pairing": the answer asks
  the coordinators, with the exact lines to add to the pairing in program.yml: the roster
  stays theirs to change.

Only the mentee, the mentor and `program.coordinators` are heeded, by who the forge says
ticked the box; anyone else's tick is answered as ignored, and unticked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from automation.lifecycle import boxes
from automation.lifecycle.actions import Action, EditIssueBody, PostComment, Urgency
from automation.lifecycle.observed import local_day
from automation.lifecycle.rules.pair import Pair
from automation.model import IssueState


def plan(pair: Pair) -> list[Action]:
    issue = pair.observed.issues.get(pair.key("pairing"))
    if issue is None or issue.state is not IssueState.OPEN:
        return pair.nothing("the pairing issue is not open")
    ticked = set(boxes.ticked(issue.body))
    if not ticked:
        return pair.nothing("no box is ticked on the pairing issue")
    actions: list[Action] = []
    for ask in pair.asked:
        key = pair.key("box", ask.box.name, ask.stamp)
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
    return actions


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
    }


def roster_lines(pair: Pair, ask: boxes.Asked) -> str:
    """The lines that make the change in program.yml, under the pairing's own entry."""
    day = local_day(ask.at, pair.program.program.timezone)
    who = f"asked for on the pairing issue by @{ask.by} on {day}"
    if ask.box == boxes.EXTEND:
        until = pair.timeline.end + timedelta(days=boxes.EXTEND_DAYS)
        fields = f"extended_until: {until}\nextension_reason: {who}"
    elif ask.box == boxes.END:
        fields = f"ended: {max(day, pair.pairing.start)}\nended_reason: {who}"
    else:
        return ""
    entry = pair.pairing
    head = f"- mentor: {entry.mentor}\n  mentee: {entry.mentee}\n  start: {entry.start}\n"
    return head + "".join(f"  {line}\n" for line in fields.splitlines())

"""One-time comments on the pairing issue: midpoint review, ending soon, extension."""

from __future__ import annotations

from datetime import date
from typing import Any

from automation.lifecycle.actions import Action, PostComment, Relabel, Urgency
from automation.lifecycle.observed import CATCH_UP_DAYS
from automation.lifecycle.rules.pair import Pair


def plan(pair: Pair) -> list[Action]:
    if not pair.pairing_open or pair.today >= pair.timeline.end:
        return pair.nothing("milestones are said while the term runs on an open pairing issue")
    timeline = pair.timeline
    actions: list[Action] = []
    if pair.program.program.midpoint_review:
        actions += _once(pair, "midpoint", ("midpoint",), timeline.midpoint, goals=pair.goals())
    else:
        pair.nothing("no midpoint comment (program.midpoint_review is off)")
    if timeline.ended_early:
        pair.nothing("no ending-soon comment: the term ends early, on {end}", end=timeline.end)
    else:
        actions += _once(
            pair, "ending-soon", ("ending-soon",), timeline.ending_soon, goals=pair.goals()
        )
    issue = pair.pairing_issue
    extended_until = pair.pairing.extended_until
    if timeline.extended and extended_until and issue and pair.labels.extended not in issue.labels:
        # The label is the lasting record that the pair was told, so it goes on only after
        # the comment: a run killed in between writes the comment again, never loses it.
        parts = ("extended", extended_until.isoformat())
        key = pair.key(*parts)
        after: tuple[str, ...] = ()
        if pair.comment(*parts) is None:
            body = pair.text("extended", key)
            actions.append(
                PostComment(key, pair.id, pair.target("pairing"), body, Urgency.MILESTONE)
            )
            after = (key,)
        actions.append(
            Relabel(
                f"{key}/label",
                pair.id,
                pair.target("pairing"),
                (pair.labels.extended,),
                (),
                Urgency.MILESTONE,
                after,
            )
        )
    return actions


def _once(
    pair: Pair, template: str, parts: tuple[str, ...], day: date, **extra: Any
) -> list[Action]:
    if pair.comment(*parts) is not None:
        return pair.nothing("the {name} comment was posted", name=template)
    if pair.today < day:
        return pair.nothing("the {name} comment is due {day}", name=template, day=day)
    if not pair.within(day, CATCH_UP_DAYS):
        return pair.nothing(
            "the {name} comment was due {day}: said within {days} days or not at all",
            name=template,
            day=day,
            days=CATCH_UP_DAYS,
        )
    key = pair.key(*parts)
    body = pair.text(template, key, **extra)
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.MILESTONE)]

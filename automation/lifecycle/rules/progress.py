"""Goal progress on the forge: the progress comment, the pace label, celebrations, the
goal nudge, and what the ledger keeps of them between runs."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from automation.goals.checklist import Checklist, Goal
from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import (
    Action,
    EditComment,
    PostComment,
    Relabel,
    Urgency,
    if_done,
    ref,
)
from automation.lifecycle.ledger import PairState
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase
from automation.messages.markdown import inert
from automation.views.status import bar, counted, counted_goals, percent

log = logging.getLogger(__name__)

GOAL_NUDGE_FROM, GOAL_NUDGE_UNTIL = 7, 14  # days after the start: a week to write goals
CELEBRATIONS_A_NIGHT = 3  # goals at 100% cheered in one night; more are remembered, not cheered
CELEBRATED_GOALS = 12  # the first goals of a description (the mentee's, then the mentor's)


def goal_key(title: str, mentor: bool = False) -> str:
    """A goal's name for the ledger and its celebration's key: a digest of its title without
    the due date (moving the date keeps the name), `g` for the mentee's goals, `m` for the
    mentor's own. Not the title itself: keys are shown in the run's log, plan.json and
    summary, which more people can read than the goal (README, "What CI keeps"); and short,
    as every pairing's ledger entry must fit in its shard (automation/lifecycle/ledger.py)."""
    digest = hashlib.blake2b(legacy_goal_key(title).encode(), digest_size=4).hexdigest()
    return f"{'m' if mentor else 'g'}{digest}"


def legacy_goal_key(title: str) -> str:
    """The name earlier versions gave a goal: its title as a slug. Their ledgers and their
    celebrations' markers carry it; a goal celebrated under it is not celebrated again."""
    title = re.sub(r"\b(by|due:?)\s+\d{4}-\d{2}-\d{2}\b|\(\d{4}-\d{2}-\d{2}\)", "", title)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48].strip("-")
    return slug or "goal"


@dataclass(frozen=True)
class Reading:
    """The pairing's goals today, and what to show and remember of them."""

    checklist: Checklist
    goals: tuple[Goal, ...]  # the mentee's goals that count (not the untouched example)
    mentor_goals: tuple[Goal, ...]  # the mentor's own growth goals that count
    done: int  # goal steps done, over all goals
    total: int  # goal steps, over all goals
    tasks: tuple[int, int]  # every task item of the description, as the forge counts them
    counted: tuple[int, int]  # the same, as the parser counts them
    history: tuple[tuple[int, int, int], ...]
    digest: str
    behind: bool | None  # None: no goals yet, or pace not judged


def behind_on(day: date, done: int, total: int, pair: Pair) -> bool:
    """Whether `done` of `total` goal steps is behind on `day`: the share of the term gone
    since the bot started counting (a pairing met under way is judged on the time it has had
    since, not on months before the bot came) is past the share done and the tolerance."""
    tolerance = pair.program.program.progress.tolerance
    since, end = pair.timeline.counted_from, pair.timeline.end
    elapsed = (day - since).days / max(1, (end - since).days)
    return done / total + tolerance < elapsed


def read(pair: Pair) -> Reading | None:
    issue = pair.pairing_issue
    if issue is None or not pair.pairing_open:
        return None
    if pair.timeline.phase(pair.today) not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return None
    checklist = pair.checklist
    assert checklist is not None  # there is a pairing issue
    # GitLab counts the boxes itself; its numbers are what people see on the issue.
    parsed = (checklist.done, checklist.total)
    tasks = (issue.tasks.done, issue.tasks.total) if issue.tasks is not None else parsed
    # Progress and pace are about the goals, not the "before we start" list or notes.
    goals = counted_goals(checklist)
    mentor_goals = counted(checklist.mentor_goals)
    done = sum(goal.done for goal in goals)
    total = sum(goal.total for goal in goals)
    state = pair.state
    history = state.history if state else ()
    week = pair.timeline.week(pair.today)
    if not history or history[-1][1:] != (done, total):
        kept = history[:-1] if history and history[-1][0] == week else history
        history = (*kept, (week, done, total))
    behind = None
    if total and pair.program.program.progress.pace_label:
        behind = behind_on(pair.today, done, total, pair)
    shown: dict[str, Any] = {
        "goals": [(g.title, g.done, g.total, g.due) for g in goals],
        "total": [done, total],
        "tasks": tasks,
        "history": history,
        "behind": behind,
    }
    if mentor_goals:  # so that a progress comment without them keeps its digest
        shown["mentor_goals"] = [(g.title, g.done, g.total, g.due) for g in mentor_goals]
    digest = hashlib.blake2b(json.dumps(shown).encode(), digest_size=8).hexdigest()
    return Reading(
        checklist, goals, mentor_goals, done, total, tasks, parsed, history, digest, behind
    )


def _shown_goals(goals: tuple[Goal, ...]) -> list[dict[str, Any]]:
    return [
        {
            "title": inert(g.title),
            "done": g.done,
            "total": g.total,
            "percent": percent(g.done, g.total),
            "bar": bar(g.done, g.total),
            "due": g.due,
        }
        for g in goals
    ]


def small_wins(history: tuple[tuple[int, int, int], ...]) -> list[tuple[int, int]]:
    """The steps ticked in each week that moved forward, from one history point to the
    next: `(week, steps)`. The first point is where counting began, not a win."""
    return [
        (week, done - before)
        for (_, before, _), (week, done, _) in pairwise(history)
        if done > before
    ]


def _progress_context(pair: Pair, reading: Reading) -> dict[str, Any]:
    timeline = pair.timeline
    return {
        "progress": {
            "done": reading.done,
            "total": reading.total,
            "percent": percent(reading.done, reading.total),
            "bar": bar(reading.done, reading.total),
            "tasks": {"done": reading.tasks[0], "total": reading.tasks[1]},
            "goals": _shown_goals(reading.goals),
            "mentor_goals": _shown_goals(reading.mentor_goals),
            "history": [
                {
                    "week": w,
                    "starts": timeline.start + timedelta(weeks=w - 1),
                    "done": d,
                    "total": t,
                    "percent": percent(d, t),
                }
                for w, d, t in reading.history
            ],
            "wins": [
                {"week": w, "starts": timeline.start + timedelta(weeks=w - 1), "steps": steps}
                for w, steps in small_wins(reading.history)
            ],
            "week": timeline.week(pair.today),
            "term_weeks": timeline.term_weeks,
            "pace": None
            if reading.behind is None
            else ("behind" if reading.behind else "on track"),
        }
    }


def plan(pair: Pair) -> list[Action]:
    reading = pair.progress
    if reading is None:
        return pair.nothing("goals are read while the term runs on an open pairing issue")
    if reading.counted != reading.tasks:
        log.warning(
            "pairing issue #%s: GitLab counts %s/%s task items, the parser %s/%s; using GitLab's",
            pair.target("pairing").number,
            *reading.tasks,
            *reading.counted,
        )
    rules = pair.program.program.progress
    actions: list[Action] = []
    if rules.comment:
        actions += _comment(pair, reading)
    if reading.behind is not None:
        actions += _pace(pair, reading.behind)
    actions += _celebrations(pair, reading)
    if rules.goal_nudge:
        actions += _goal_nudge(pair, reading)
    if not actions:
        pair.nothing(
            "goals {done}/{total} steps: the forge shows them as they are",
            done=reading.done,
            total=reading.total,
        )
    return actions


def _comment(pair: Pair, reading: Reading) -> list[Action]:
    """Post the progress comment once, then edit it only when the progress it shows moved.

    Its marker carries the digest of what it shows, and so does the ledger: the week
    number in its text changes every week, the progress not.
    """
    key = pair.key("progress")
    state = pair.state
    seen = pair.comment("progress")  # in the comment window, with its marker
    target = pair.target("pairing")
    shown: str | None = None
    comment_id: int | None = None
    if seen is not None:
        marker = markers.find(seen.body)
        shown, comment_id = (marker.attrs.get("digest") if marker else None), seen.id
        if key in pair.observed.forged:
            shown = None  # someone else rewrote it (README, "Security"): written again
    elif state is not None and isinstance(state.comment, int):
        shown, comment_id = state.digest, state.comment
    if comment_id is not None and shown == reading.digest:
        return []  # unchanged: not rendered at all
    # Signed by apply with a secret, so that a text someone else put in is known.
    attrs = {"digest": reading.digest, "sig": ledger.UNSIGNED_MARKER}
    body = pair.text("progress", key, attrs, **_progress_context(pair, reading))
    if comment_id is None:
        return [PostComment(key, pair.id, target, body, Urgency.MILESTONE)]
    return [EditComment(f"{key}/edit", pair.id, target, comment_id, body, Urgency.MILESTONE)]


def _pace(pair: Pair, behind: bool) -> list[Action]:
    issue = pair.pairing_issue
    assert issue is not None
    labels = pair.labels
    wanted = labels.pace("behind" if behind else "on-track")
    others = tuple(sorted(set(issue.labels) & set(labels.paces) - {wanted}))
    add = () if wanted in issue.labels else (wanted,)
    if not add and not others:
        return []
    target = pair.target("pairing")
    return [Relabel(pair.key("pace"), pair.id, target, add, others, Urgency.LABELS)]


@dataclass(frozen=True)
class _Owned:
    """A goal that counts, with its ledger name and the one earlier versions gave it (a
    mentor's goal's names say so, so the two never share one)."""

    name: str
    legacy: str
    goal: Goal
    mentor: bool


def _owned(reading: Reading) -> list[_Owned]:
    return [
        _Owned(goal_key(g.title), legacy_goal_key(g.title), g, False) for g in reading.goals
    ] + [
        _Owned(goal_key(g.title, True), f"mentor-{legacy_goal_key(g.title)}", g, True)
        for g in reading.mentor_goals
    ]


def _celebrated(pair: Pair, owned: _Owned) -> bool:
    """The goal's celebration was posted, under either of its names."""
    return any(pair.comment("celebrate", name) for name in (owned.name, owned.legacy))


def _to_celebrate(pair: Pair, reading: Reading) -> tuple[list[_Owned], list[_Owned]]:
    """The goals at 100% not celebrated yet, of the first `CELEBRATED_GOALS`: those cheered
    tonight, and those over `CELEBRATIONS_A_NIGHT` that the ledger takes as celebrated without
    a comment of their own. A description with hundreds of goals ticked at once makes no
    hundreds of comments, and no ledger entry too long for its shard."""
    if not pair.program.program.progress.celebrate:
        return [], []
    celebrated = set(pair.state.celebrated) if pair.state else set()
    new: list[_Owned] = []
    for owned in _owned(reading)[:CELEBRATED_GOALS]:
        goal = owned.goal
        if not goal.total or goal.done < goal.total or {owned.name, owned.legacy} & celebrated:
            continue
        celebrated.add(owned.name)  # two goals of one title are one
        if not _celebrated(pair, owned):
            new.append(owned)
    return new[:CELEBRATIONS_A_NIGHT], new[CELEBRATIONS_A_NIGHT:]


def _celebrations(pair: Pair, reading: Reading) -> list[Action]:
    actions: list[Action] = []
    for owned in _to_celebrate(pair, reading)[0]:
        goal = owned.goal
        key = pair.key("celebrate", owned.name)
        shown = {"title": inert(goal.title), "steps": goal.total, "mentor": owned.mentor}
        body = pair.text("celebrate", key, goal=shown)
        actions.append(PostComment(key, pair.id, pair.target("pairing"), body, Urgency.MILESTONE))
    return actions


def goal_problems(checklist: Checklist) -> list[str]:
    """What keeps goals from being Time-bound and Measurable, in words for the mentee."""
    if not checklist.goals:
        return ["there are no goals under `## Goals` yet"]
    problems = []
    for goal in checklist.goals:
        title = inert(goal.title)
        if goal.title.lower().startswith("example"):
            problems.append(f'"{title}" is still the example; replace it with your own goal')
            continue
        missing = []
        if goal.due is None:
            missing.append('no date (add "by YYYY-MM-DD" to its title)')
        if goal.total < 2:
            steps = "no steps" if goal.total == 0 else "one step"
            missing.append(f"{steps} to tick (add a few `- [ ]` steps)")
        if missing:
            problems.append(f'"{title}" has {" and ".join(missing)}')
    return problems


def _goal_nudge(pair: Pair, reading: Reading) -> list[Action]:
    start = pair.timeline.start
    first_week = start + timedelta(days=GOAL_NUDGE_FROM)
    if not pair.within(first_week, GOAL_NUDGE_UNTIL - GOAL_NUDGE_FROM):
        return []
    problems = goal_problems(reading.checklist)
    if not problems or pair.comment("goals") is not None:
        return []
    key = pair.key("goals")
    body = pair.text("goals-nudge", key, problems=problems)
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.NUDGE)]


def recorded(pair: Pair, actions: list[Action]) -> tuple[str, ...]:
    """The writes whose outcome the ledger records: it must wait for them to succeed (a new
    progress comment's id, a celebration). Not for an edit of the progress comment: the
    digest it records is the new one only if the edit is done (`state`), so a failed edit
    is tried again, and the rest of the pairing's record (the day its goals changed) is
    kept meanwhile rather than read later from an `updated_at` the night's labels moved."""
    celebrate = pair.key("celebrate")
    return tuple(
        a.key for a in actions if a.key == pair.key("progress") or a.key.startswith(celebrate)
    )


def state(pair: Pair, actions: list[Action]) -> PairState | None:
    """What the ledger should remember after `actions` (this pairing's plan) are applied."""
    reading = pair.progress
    if reading is None:
        return None
    issue = pair.pairing_issue
    assert issue is not None
    previous = pair.state
    keys = {a.key for a in actions}
    seen = pair.comment("progress")
    comment: int | str | None
    if pair.key("progress") in keys:
        comment = ref(pair.key("progress"))
    elif seen is not None:
        comment = seen.id
    else:
        comment = previous.comment if previous else None
    celebrated = set(previous.celebrated) if previous else set()
    for owned in _owned(reading):
        if owned.legacy in celebrated:  # kept from now on under its new name
            celebrated.discard(owned.legacy)
            celebrated.add(owned.name)
        if pair.key("celebrate", owned.name) in keys or _celebrated(pair, owned):
            celebrated.add(owned.name)
    celebrated |= {owned.name for owned in _to_celebrate(pair, reading)[1]}
    changed = pair.checklist_changed
    met = set(previous.met) if previous else set()
    last = pair.last_activity
    spoke_in = pair.timeline.period(last) if last else None
    if spoke_in is not None:
        met.add(spoke_in)
    # A "we met" box ticked by the pair counts its period as met, whenever the run sees it.
    met |= {p for day in pair.met_days if (p := pair.timeline.period(day)) is not None}
    edit = pair.key("progress", "edit")
    return PairState(
        comment=comment,
        digest=if_done(reading.digest, [edit]) if edit in keys else reading.digest,
        signature=reading.checklist.fingerprint,
        changed=changed.isoformat() if changed else None,
        history=reading.history,
        celebrated=tuple(sorted(celebrated)),
        met=tuple(sorted(met)),
    )

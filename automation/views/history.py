"""One person's mentoring history: every term they held as mentor or mentee, ready to paste
into a promotion packet.

Pure: built from the roster and the pairings' statuses (`status.program_status` over
what `automation.night.observe.read(..., everything=True)` saw). Numbers, dates, outcomes and
links; goal titles only with `report.include_goal_text`; private pairings only as a count.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from automation.messages import markdown
from automation.roster.config import Pairing, Program
from automation.roster.source import ConfigError
from automation.views.status import GoalStatus, PairingStatus, percent

ROLES = ("mentor", "mentee")
_OUTCOMES = {"upcoming": "not started", "completed": "completed", "ended-early": "ended early"}


class UnknownPerson(ConfigError):
    """The handle is not among the program's people."""


@dataclass(frozen=True)
class Term:
    """One pairing, seen from the person's side."""

    pairing: str
    role: str  # mentor or mentee: the person's role in it
    partner: str
    partner_name: str
    start: date
    planned_end: date
    end: date
    outcome: str  # running, completed, ended early, not started
    extension_reason: str | None  # set when the term was extended
    ended_reason: str | None  # set when it ended early
    goals: int
    goals_reached: int  # goals with every step done
    done: int  # goal steps done, over all goals
    total: int
    goal_titles: tuple[GoalStatus, ...]  # empty unless `report.include_goal_text`
    checkins_held: int
    checkins_expected: int
    retrospective: str  # none, open, returned
    pairing_url: str | None
    retrospective_url: str | None
    # A change of mentor: the mentor before this term, or after it (a handle), and why.
    follows: str | None = None
    followed_by: str | None = None
    change_reason: str | None = None  # why the mentee changed mentor at this term's end
    program: str = ""  # the program's name, in a history across several programs

    @property
    def extended(self) -> bool:
        return self.extension_reason is not None


@dataclass(frozen=True)
class History:
    handle: str
    name: str
    program: str
    terms: tuple[Term, ...]  # by start date
    private: tuple[tuple[str, int], ...]  # (role, private terms in that role), counted only
    goal_text: bool
    # The programs the person is in, when the history reads several (then `program` is the
    # company's name and each term names its program).
    programs: tuple[str, ...] = ()

    def as_role(self, role: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.role == role)

    @property
    def journeys(self) -> tuple[tuple[Term, ...], ...]:
        """The person's terms as mentee, a change of mentor joining two terms into one
        journey (terms without a change are journeys of one term)."""
        mine = self.as_role("mentee")

        def after(term: Term) -> Term | None:
            return next(
                (
                    t
                    for t in mine
                    if t.start > term.start
                    and t.program == term.program
                    and t.partner == term.followed_by
                    and t.follows == term.partner
                ),
                None,
            )

        following = {id(t) for term in mine if (t := after(term)) is not None}
        out: list[tuple[Term, ...]] = []
        for term in mine:
            if id(term) in following:
                continue  # part of the journey of the term it follows
            chain = [term]
            while (step := after(chain[-1])) is not None:
                chain.append(step)
            out.append(tuple(chain))
        return tuple(out)


def person_history(program: Program, statuses: Sequence[PairingStatus], handle: str) -> History:
    """Every term `handle` held; raises UnknownPerson (with a suggestion) for a stranger."""
    person = program.person(handle)
    if person is None:
        raise UnknownPerson([_unknown([p.handle for p in program.people], handle, "program.yml")])
    handle = person.handle  # asked in any case, written as people: writes it
    goal_text = program.program.report.include_goal_text
    terms: list[Term] = []
    private: Counter[str] = Counter()
    pairings = {p.id: p for p in program.pairings}
    for status in sorted(statuses, key=lambda s: (s.start, s.id)):
        if handle not in (status.mentor, status.mentee):
            continue
        role = "mentor" if status.mentor == handle else "mentee"
        if status.private:
            private[role] += 1
            continue
        partner = status.mentee if role == "mentor" else status.mentor
        someone = program.person(partner)
        before, after, reason = _change(program, pairings.get(status.id))
        ended_reason = status.ended_reason
        if role == "mentor" and after is not None:
            # Why the mentee changed mentor is theirs and the coordinators' (`follows_reason`,
            # or an `ended_reason` written on the old term): the old mentor's history
            # (shown to whoever they share it with) says only that it happened.
            reason = ended_reason = None
        outcome = _OUTCOMES.get(status.phase, "running")
        terms.append(
            Term(
                pairing=status.id,
                role=role,
                partner=partner,
                partner_name=someone.display if someone else partner,
                start=status.start,
                planned_end=status.planned_end,
                end=status.end,
                outcome="changed mentor" if after and outcome == "ended early" else outcome,
                extension_reason=status.extension_reason if not status.ended_reason else None,
                ended_reason=ended_reason,
                goals=len(status.goals),
                goals_reached=sum(1 for g in status.goals if g.total and g.done == g.total),
                done=status.done,
                total=status.total,
                goal_titles=status.goals if goal_text else (),
                checkins_held=status.checkins_held,
                checkins_expected=status.checkins_expected,
                retrospective=status.retrospective,
                pairing_url=status.pairing_url,
                retrospective_url=status.retrospective_url,
                follows=before,
                followed_by=after,
                change_reason=reason,
            )
        )
    return History(
        handle=handle,
        name=person.display,
        program=program.program.name,
        terms=tuple(terms),
        private=tuple((role, private[role]) for role in ROLES if private[role]),
        goal_text=goal_text,
    )


def _change(program: Program, pairing: Pairing | None) -> tuple[str | None, str | None, str | None]:
    """The mentor before and the mentor after a pairing in its mentee's journey (a change
    of mentor), and why the mentee changed at its end; a private pairing on either side of
    a change keeps that change unsaid."""
    if pairing is None:
        return None, None, None
    before, after = program.followed(pairing), program.follower(pairing)
    if before is not None and before.private:
        before = None
    if after is not None and after.private:
        after = None
    return (
        before.mentor if before else None,
        after.mentor if after else None,
        after.follows_reason if after else None,
    )


def company_history(
    name: str, programs: Sequence[tuple[Program, Sequence[PairingStatus]]], handle: str
) -> History:
    """Every term `handle` held in any of the company's programs (a mentor may mentor in two
    departments); raises UnknownPerson when no program knows them."""
    found = [
        person_history(program, statuses, handle)
        for program, statuses in programs
        if program.person(handle) is not None
    ]
    if not found:
        handles = [p.handle for program, _ in programs for p in program.people]
        where = f"any of the {len(programs)} programs"
        raise UnknownPerson([_unknown(list(dict.fromkeys(handles)), handle, where)])
    terms = [replace(term, program=history.program) for history in found for term in history.terms]
    private: Counter[str] = Counter()
    for history in found:
        private.update(dict(history.private))
    return History(
        handle=handle,
        name=found[0].name,
        program=name,
        terms=tuple(sorted(terms, key=lambda t: (t.start, t.program, t.pairing))),
        private=tuple((role, private[role]) for role in ROLES if private[role]),
        goal_text=any(history.goal_text for history in found),
        programs=tuple(history.program for history in found),
    )


def _unknown(handles: Sequence[str], handle: str, where: str) -> str:
    folded = {h.lower(): h for h in handles}
    close = [folded[handle.lower()]] if handle.lower() in folded else []
    close = close or difflib.get_close_matches(handle, handles, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "check the handle under people: in it"
    return f"{handle!r} is not a person in {where}; {hint}"


# ---------------------------------------------------------------- Markdown


def to_markdown(history: History) -> str:
    lines = [f"# Mentoring history: {markdown.cell(history.name)} ({history.handle})", ""]
    lines += [f"{markdown.cell(history.program)}. {_overview(history)}", ""]
    if history.programs:
        lines += [f"Programs: {', '.join(markdown.cell(p) for p in history.programs)}.", ""]
    for role in ROLES:
        terms = history.as_role(role)
        if not terms:
            continue
        partner = "mentee" if role == "mentor" else "mentor"
        lines += [f"## As {role}", ""]
        head = ["program"] * bool(history.programs) + [
            partner,
            "term",
            "outcome",
            "goals reached",
            "goal steps",
            "check-ins",
            "issues",
        ]
        lines += [markdown.row(head), markdown.row(["---"] * len(head))]
        lines += [
            markdown.row([markdown.cell(term.program)] * bool(history.programs) + _cells(term))
            for term in terms
        ]
        lines.append("")
        if role == "mentee":
            lines += [_journey(j) for j in history.journeys if len(j) > 1]
            lines += [""] if any(len(j) > 1 for j in history.journeys) else []
        if history.goal_text:
            lines += _goal_lists(terms)
    for role, count in history.private:
        lines += [f"And {count} private term{markdown.plural(count)} as {role}, not listed.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _overview(history: History) -> str:
    parts = []
    for role in ROLES:
        terms = history.as_role(role)
        if terms:
            outcomes = Counter(t.outcome for t in terms)
            counted = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
            told = f"as {role}: {len(terms)} term{markdown.plural(len(terms))} ({counted})"
            journeys = len(history.journeys) if role == "mentee" else len(terms)
            if journeys < len(terms):
                told += f" in {journeys} mentorship{markdown.plural(journeys)}"
            parts.append(told)
    if not parts:
        return "No terms to list."
    terms = history.terms
    goals = sum(t.goals for t in terms)
    reached = sum(t.goals_reached for t in terms)
    done, total = sum(t.done for t in terms), sum(t.total for t in terms)
    held = sum(t.checkins_held for t in terms)
    expected = sum(t.checkins_expected for t in terms)
    told = "; ".join(parts)
    return (
        told[:1].upper()
        + told[1:]
        + f". Goals reached: {reached} of {goals}; goal steps done: {done} of {total} "
        f"({percent(done, total)}%). Check-ins held: {held} of {expected}."
    )


def _journey(chain: Sequence[Term]) -> str:
    """One mentee journey across a change of mentor, in a line."""
    steps = []
    for term in chain:
        step = f"{markdown.cell(term.partner_name)} ({term.partner}), {term.start} to {term.end}"
        if term.followed_by is not None:
            why = f": {markdown.cell(term.change_reason)}" if term.change_reason else ""
            step += f", then a change of mentor{why}"
        steps.append(step)
    return f"One mentorship from {chain[0].start}: " + "; ".join(steps) + "."


def _cells(term: Term) -> list[str]:
    outcome = term.outcome
    if term.followed_by is not None:
        why = f": {markdown.cell(term.change_reason)}" if term.change_reason else ""
        outcome = f"changed mentor on {term.end}{why}; continued with {term.followed_by}"
    elif term.outcome == "ended early" and term.ended_reason:
        outcome = f"ended early on {term.end}: {markdown.cell(term.ended_reason)}"
    elif term.extension_reason:
        outcome += f"; extended from {term.planned_end}: {markdown.cell(term.extension_reason)}"
    links = [
        f"[{what}]({url})"
        for what, url in (("pairing", term.pairing_url), ("retrospective", term.retrospective_url))
        if url
    ]
    if term.follows is not None:
        outcome = f"continues from the term with {term.follows}; {outcome}"
    return [
        f"{markdown.cell(term.partner_name)} ({term.partner})",
        f"{term.start} to {term.end}",
        outcome,
        f"{term.goals_reached} of {term.goals}" if term.goals else "no goals written",
        f"{term.done}/{term.total} ({percent(term.done, term.total)}%)" if term.total else "-",
        f"{term.checkins_held} of {term.checkins_expected}",
        ", ".join(links) or "-",
    ]


def _goal_lists(terms: Sequence[Term]) -> list[str]:
    lines: list[str] = []
    for term in terms:
        if term.goal_titles:
            lines.append(
                f"Goals of the term with {markdown.cell(term.partner_name)} from {term.start}:"
            )
            lines += [
                f"- {markdown.cell(g.title)}: {g.done}/{g.total}"
                + (" (reached)" if g.total and g.done == g.total else "")
                for g in term.goal_titles
            ]
            lines.append("")
    return lines


# ---------------------------------------------------------------- JSON


def to_json(history: History) -> dict[str, Any]:
    """The history as plain JSON values (dates as YYYY-MM-DD)."""
    return {
        "handle": history.handle,
        "name": history.name,
        "program": history.program,
        **({"programs": list(history.programs)} if history.programs else {}),
        "terms": [
            {"program": term.program, **_term_json(term, history.goal_text)}
            if history.programs
            else _term_json(term, history.goal_text)
            for term in history.terms
        ],
        "journeys": [[term.pairing for term in chain] for chain in history.journeys],
        "private_terms": dict(history.private),
    }


def _term_json(term: Term, goal_text: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pairing": term.pairing,
        "role": term.role,
        "partner": {"handle": term.partner, "name": term.partner_name},
        "start": term.start.isoformat(),
        "planned_end": term.planned_end.isoformat(),
        "end": term.end.isoformat(),
        "outcome": term.outcome,
        "extended": term.extended,
        "extension_reason": term.extension_reason,
        "ended_reason": term.ended_reason,
        "goals": {
            "count": term.goals,
            "reached": term.goals_reached,
            "steps_done": term.done,
            "steps": term.total,
            "percent": percent(term.done, term.total),
        },
        "checkins": {"held": term.checkins_held, "expected": term.checkins_expected},
        "pairing_url": term.pairing_url,
        "retrospective": {"state": term.retrospective, "url": term.retrospective_url},
        "follows": term.follows,
        "followed_by": term.followed_by,
        "change_reason": term.change_reason,
    }
    if goal_text:
        out["goals"]["titles"] = [
            {"title": g.title, "done": g.done, "total": g.total} for g in term.goal_titles
        ]
    return out

"""What templates see: the names each template may use, and an example of every context.

Words from program.yml (names, topics, reasons, the program's name) reach templates inert
(`markdown.inert`), as people's words do: whoever may change the roster, a template, the
shipped ones or a program's own, cannot make them mention, reference, run a quick action
or open HTML in the bot's writes. Handles are given as they are (program.yml allows only
a forge username): templates mention the pair on purpose, and assign issues to them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from automation.lifecycle.timeline import Timeline
from automation.messages.markdown import inert
from automation.roster.config import Pairing, Program


@dataclass(frozen=True)
class Link:
    """An issue a template may link to. For an issue the same run opens, both are
    references that apply fills in (`actions.issue_ref`)."""

    number: int | str
    url: str


@dataclass(frozen=True)
class TemplateSpec:
    """A template the rules render: an issue or a comment, and the extra names it gets."""

    kind: str  # "issue", "comment", or "part" (a text another template shows)
    extra: tuple[str, ...] = ()
    purpose: str = ""
    # "pairing": the names of `pairing_context`; "request": those of `request_context`.
    scope: str = "pairing"


# Every template the rules use. `validate` renders each with an example context, so a
# program's override that uses a name it will not get fails before touching the forge.
SPECS: dict[str, TemplateSpec] = {
    "pairing": TemplateSpec(
        "issue", ("agenda", "follows"), "the pairing issue: kickoff, goals, expectations"
    ),
    "checkin": TemplateSpec(
        "issue", ("checkin", "goals", "agenda"), "a check-in issue for one period"
    ),
    "checkin-comment": TemplateSpec(
        "comment",
        ("checkin", "goals", "agenda"),
        "a check-in as a comment (checkin_style: comment)",
    ),
    # The agenda of each kind of meeting, in the form the pair meets in (`meeting.form`):
    # the pairing issue and the check-ins show it as `agenda.text`.
    "agenda-first": TemplateSpec("part", ("meeting",), "agenda: the first meeting"),
    "agenda-checkin": TemplateSpec("part", ("meeting",), "agenda: a regular check-in"),
    "agenda-midpoint": TemplateSpec("part", ("meeting",), "agenda: the midpoint meeting"),
    "agenda-last": TemplateSpec("part", ("meeting",), "agenda: the last meeting"),
    "first-meeting": TemplateSpec("comment", ("days_quiet",), "nudge: no first meeting yet"),
    "quiet": TemplateSpec("comment", ("days_quiet",), "nudge: no activity for a while"),
    "answer": TemplateSpec("comment", ("turn",), "nudge: a question waits for an answer"),
    "midpoint": TemplateSpec("comment", ("goals",), "midpoint review prompt"),
    "ending-soon": TemplateSpec("comment", ("goals",), "how to end with grace"),
    "extended": TemplateSpec("comment", (), "the term was extended"),
    "retrospective": TemplateSpec(
        "issue", ("goals", "earlier"), "the retrospective issue (one per end of the term)"
    ),
    "retrospective-moved": TemplateSpec(
        "comment",
        ("retro",),
        "a retrospective closed: the roster no longer holds the end it was opened for",
    ),
    "reopened": TemplateSpec(
        "comment", ("reopened",), "the pairing issue reopened: the roster took its end back"
    ),
    # The closing notes name the retrospective rather than link it: they are written in
    # the run that opens it, and a rerun after a crash must write the same words.
    "completed": TemplateSpec("comment", (), "closing note on the pairing issue at term end"),
    "ended-early": TemplateSpec("comment", (), "closing note when a pairing ends early"),
    "changed-mentor": TemplateSpec(
        "comment", ("next",), "closing note when the mentee changes mentor"
    ),
    "handover": TemplateSpec(
        "issue",
        ("goals", "next", "earlier"),
        "the short hand-over retrospective of a change of mentor",
    ),
    "retrospective-reminder": TemplateSpec("comment", (), "one reminder to return the retro"),
    "follow-up": TemplateSpec(
        "comment", ("catch_up",), "a month after the term, or a monthly informal catch-up"
    ),
    "removed": TemplateSpec("comment", (), "closing note when a pairing leaves the roster"),
    "request-received": TemplateSpec(
        "comment", (), "a request for a mentor, acknowledged", scope="request"
    ),
    "request-waiting": TemplateSpec(
        "comment", (), "to the coordinators: a request waits too long", scope="request"
    ),
    "request-matched": TemplateSpec(
        "comment", ("pairing_issue",), "a request answered by a pairing", scope="request"
    ),
    "request-proposed": TemplateSpec(
        "comment", ("proposal",), "a mentor proposed for a request", scope="request"
    ),
    "request-expired": TemplateSpec(
        "comment", (), "a request closed after waiting too long", scope="request"
    ),
    "offer-received": TemplateSpec(
        "comment", (), "an offer to mentor, acknowledged", scope="request"
    ),
    "feedback": TemplateSpec(
        "issue", ("form",), "a private feedback form for one participant (GitLab only)"
    ),
    "feedback-answered": TemplateSpec(
        "comment",
        ("form", "coordinators"),
        "an answered feedback form, closed; to the coordinators too on a low score or poor fit",
    ),
    "feedback-moved": TemplateSpec(
        "comment",
        ("form",),
        "an end form closed unanswered: the roster moved the end it was opened for",
    ),
    "progress": TemplateSpec("comment", ("progress",), "goal progress, edited when it moves"),
    "celebrate": TemplateSpec("comment", ("goal",), "a goal reached 100%"),
    "goals-nudge": TemplateSpec("comment", ("problems",), "goals missing a date or steps"),
    "box": TemplateSpec("comment", ("box",), "a box ticked on the pairing issue, answered"),
}


def person_context(program: Program, handle: str) -> dict[str, Any]:
    """A person as templates see them: `handle`, `name`, `timezone`, `topics`."""
    person = program.person(handle)
    return {
        "handle": handle,
        "name": inert(person.display) if person else handle,
        "timezone": person.timezone if person else None,
        "topics": [inert(topic) for topic in person.topics] if person else [],
    }


def pairing_context(
    program: Program,
    pairing: Pairing,
    today: date,
    pairing_issue: Link | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The names every template gets, plus the `extra` ones of its spec."""
    settings = program.program
    timeline = Timeline.of(pairing, settings)
    meetings = pairing.meetings(settings)
    return {
        "program": {
            "name": inert(settings.name),
            "term_months": pairing.term_months or settings.term_months,
            "checkin_every_days": settings.checkin_every_days,
            "checkin_style": settings.checkin_style,
            "follow_up_days": settings.follow_up_days,
            "meeting_style": settings.meeting_style,
            "meeting_minutes": settings.meeting_minutes,
            "timezone": settings.timezone,
            "confidential": settings.confidential,
            "label_prefix": settings.label_prefix,
            "forge": program.forge.api_flavour,
            "private_contact": contact(settings.private_contact),
        },
        "pairing": {
            "id": pairing.id,
            "start": timeline.start,
            "end": timeline.end,
            "planned_end": timeline.planned_end,
            "midpoint": timeline.midpoint,
            "ending_soon": timeline.ending_soon,
            "extended": timeline.extended,
            "extended_until": pairing.extended_until,
            "extension_reason": quoted(pairing.extension_reason),
            "ended_early": timeline.ended_early,
            "ended": pairing.ended_on,
            "ended_reason": quoted(pairing.ended_reason),
            "term_weeks": timeline.term_weeks,
            "week": timeline.week(today),
            "private": pairing.private,
            "continue_informally": pairing.continue_informally,
            "checkin_every_days": meetings.every_days,
            "meeting_style": meetings.style,
            "meeting_minutes": meetings.minutes,
        },
        "mentor": person_context(program, pairing.mentor),
        "mentee": person_context(program, pairing.mentee),
        "today": today,
        "pairing_issue": pairing_issue,
        **extra,
    }


def quoted(text: str | None) -> str | None:
    """Optional words from program.yml as templates get them: inert, or None."""
    return None if text is None else inert(text)


# A web address with nothing in it that Markdown or the forge would read otherwise.
_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~/?#=&%+@!$'*,;:-]*)?")


def contact(text: str | None) -> str | None:
    """Where to ask privately (`program.private_contact`): a web address as a link (an
    autolink: its `#` and `@` are no reference or mention), anything else inert (an e-mail
    address stays one)."""
    if text is not None and _WEB_ADDRESS.fullmatch(text):
        return f"<{text}>"
    return quoted(text)


def example_extras(today: date) -> dict[str, Any]:
    """A value for every extra name, as the rules would pass it."""
    return {
        "catch_up": {"number": 2, "of": 3},
        "checkin": {
            "number": 3,
            "starts": today,
            "ends": today,
            "due": today,
            "carried": ["Book the on-call shadowing slot (owner: mentee)"],
            "previous": Link(12, "https://forge.example/acme/mentoring/-/issues/12"),
        },
        "goals": [
            {"title": "Run an incident review", "done": 2, "total": 4, "percent": 50, "due": None},
            {"title": "Ship the runbook", "done": 3, "total": 3, "percent": 100, "due": today},
        ],
        "days_quiet": 15,
        "turn": {"waiting": "mentor", "asked": today.isoformat(), "days": 5},
        "progress": {
            "done": 5,
            "total": 7,
            "percent": 71,
            "bar": "███████░░░",
            "tasks": {"done": 8, "total": 11},
            "goals": [
                {
                    "title": "Run an incident review",
                    "done": 2,
                    "total": 4,
                    "percent": 50,
                    "bar": "█████░░░░░",
                    "due": None,
                },
                {
                    "title": "Ship the runbook",
                    "done": 3,
                    "total": 3,
                    "percent": 100,
                    "bar": "██████████",
                    "due": today,
                },
            ],
            "mentor_goals": [
                {
                    "title": "Give feedback that lands",
                    "done": 1,
                    "total": 3,
                    "percent": 33,
                    "bar": "███░░░░░░░",
                    "due": None,
                },
            ],
            "history": [
                {"week": 1, "starts": today, "done": 0, "total": 7, "percent": 0},
                {"week": 5, "starts": today, "done": 5, "total": 7, "percent": 71},
            ],
            "wins": [{"week": 5, "starts": today, "steps": 5}],
            "week": 6,
            "term_weeks": 26,
            "pace": "on track",
        },
        "goal": {"title": "Ship the runbook", "steps": 3, "mentor": False},
        "meeting": {
            "kind": "regular",
            "title": "Check-in",
            "form": "sync",
            "style": "either",
            "minutes": 45,
            "every_days": 14,
            "number": 3,
            "starts": today,
            "ends": today,
            "post_by": today,
            "due": today,
        },
        "agenda": {
            "meeting": "regular",
            "title": "Check-in",
            "style": "either",
            "minutes": 45,
            "post_by": today,
            "due": today,
            "text": "1. **Wins since last time**\n2. **Blockers**\n",
        },
        "form": feedback_form("midpoint", "mentee")
        | {"score": 4, "fit": False, "reasons": ["a score of 4", "that it is not a good fit"]}
        | {"opened_for": today, "again": True},
        "coordinators": ["coordinator"],
        "follows": {
            "mentor": {"handle": "ana", "name": "Ana", "timezone": None, "topics": []},
            "start": today,
            "changed": today,
            "reason": "a closer match for the new goals",
            "issue": Link(5, "https://forge.example/acme/mentoring/-/issues/5"),
            "goals": [
                {
                    "title": "Ship the runbook by 2027-03-01",
                    "done": 1,
                    "steps": ["Draft the alerting section", "Review it with the on-call team"],
                }
            ],
        },
        "next": {
            "mentor": {"handle": "ana", "name": "Ana", "timezone": None, "topics": []},
            "start": today,
            "reason": "a closer match for the new goals",
        },
        "earlier": [
            {"number": 6, "url": "https://forge.example/acme/mentoring/-/issues/6", "end": today}
        ],
        "retro": {"opened_for": today, "answered": True},
        "reopened": {"ended": today},
        "problems": ['"Learn Go" has no date (add "by YYYY-MM-DD" to its title)'],
        "box": {
            "name": "extend",
            "text": "Ask the coordinators for an extension",
            "by": "mentee",
            "day": today,
            "heeded": True,
            "coordinators": ["coordinator"],
            "period": 3,
            "until": today,
            "lines": "- mentor: mentor\n  mentee: mentee\n  start: 2026-03-02\n"
            "  extended_until: 2026-10-02\n  extension_reason: asked for\n",
            "proposed": True,
            "declined": False,
        },
    }


def feedback_form(
    milestone: str, role: str, other_sees: bool = False, others: bool = False
) -> dict[str, Any]:
    """`form` for a feedback form: when, whose (`mentee` or `mentor`), the boxes it offers,
    whether the other of the pair sees it too (a coordinator of the program), and whether
    another coordinator, outside the pairing, does."""
    return {
        "milestone": milestone,
        "role": role,
        "scores": list(range(11)),
        "other_sees": other_sees,
        "others": others,
    }


def request_context(
    program: Program,
    number: int,
    url: str,
    author: str,
    opened: date,
    today: date,
    queue: Mapping[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """The names every template about a request or an offer gets, plus `extra`."""
    settings = program.program
    return {
        "program": {"name": inert(settings.name), "timezone": settings.timezone},
        "request": {
            "number": number,
            "url": url,
            "author": author,
            "opened": opened,
            "days_waiting": (today - opened).days,
            "max_wait_days": settings.requests.max_wait_days,
            "expire_days": settings.requests.expire_days,
        },
        "queue": queue,
        "coordinators": list(settings.coordinators),
        "today": today,
        **extra,
    }


def example_context(program: Program, name: str, today: date) -> dict[str, Any]:
    """The context `name` gets on a day, for an example pairing (or request) of `program`."""
    spec = SPECS[name]
    link = Link(7, "https://forge.example/acme/mentoring/-/issues/7")
    if spec.scope == "request":
        url = "https://forge.example/acme/mentoring/-/issues/12"
        queue = {"length": 3, "typical_wait": 12}
        return request_context(
            program,
            12,
            url,
            "dana",
            today,
            today,
            queue,
            **{key: _request_extras(link, today)[key] for key in spec.extra},
        )
    pairing = program.pairings[0] if program.pairings else _example_pairing(today)
    extras = example_extras(today)
    return pairing_context(
        program, pairing, today, link, **{key: extras[key] for key in spec.extra}
    )


def _request_extras(link: Link, today: date) -> dict[str, Any]:
    proposal = {
        "mentor": "ana",
        "start": today,
        "score": 2.5,
        "over_limit": False,
        "terms": [{"name": "topics", "points": 2.0, "detail": "shares go, testing"}],
        "lines": (
            f"pairings:\n  - mentor: ana\n    mentee: dana\n    start: {today}\n    request: 12\n"
        ),
        "merge_request": True,
    }
    return {"pairing_issue": link, "proposal": proposal}


def _example_pairing(today: date) -> Pairing:
    return Pairing(mentor="mentor", mentee="mentee", start=today)

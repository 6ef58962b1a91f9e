"""The meetings a pair agreed on: its cadence, style and length, the agenda of each meeting,
and the due date of each check-in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from automation.goals.checklist import parse
from automation.lifecycle.actions import OpenIssue, PostComment
from automation.lifecycle.observed import checkin_window_days
from automation.lifecycle.rules import agenda, checkins, kickoff
from automation.lifecycle.timeline import Timeline
from automation.roster.config import Meetings, Program
from automation.roster.source import ConfigError
from automation.views.report.site import period_starts
from automation.views.status import PairingStatus, pairing_status
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    comment,
    observed_on,
    pair_on,
    pairing_issue,
    program,
)

# The test roster's term: 2026-01-05 to 2026-07-05, midpoint 2026-04-05. At 14 days a
# period, the midpoint falls in period 7 (from 2026-03-30) and the last day in period 13
# (from 2026-06-22).
MIDPOINT_PERIOD = START + timedelta(days=6 * 14)
LAST_PERIOD = START + timedelta(days=12 * 14)
ACTIVITY = [comment(1, "bob", START + timedelta(days=2))]


def styled(style: str, extra: str = "") -> Program:
    """The test roster, its pairing meeting in `style`."""
    return program(extra=f"meeting_style: {style}\n{extra}")


def opened(day: date, roster: Program) -> OpenIssue:
    [action] = checkins.plan(pair_on(day, [pairing_issue()], ACTIVITY, roster))
    assert isinstance(action, OpenIssue)
    return action


# ---------------------------------------------------------------- cadence, style, length


def test_a_pairing_meets_as_the_program_says_unless_it_agreed_otherwise() -> None:
    roster = program(extra="checkin_every_days: 7\nmeeting_minutes: 30")
    settings = roster.program

    assert roster.pairings[0].meetings(settings) == Meetings(7, "either", 30)
    assert program().pairings[0].meetings(settings) == Meetings(14, "either", 45)


def test_the_pairs_own_cadence_makes_its_periods() -> None:
    roster = program(extra="checkin_every_days: 7")
    timeline = Timeline.of(roster.pairings[0], roster.program)

    assert timeline.period(START + timedelta(days=6)) == 1
    assert timeline.period(START + timedelta(days=7)) == 2
    assert timeline.period_end(2) == START + timedelta(days=13)


def test_the_pairs_own_cadence_opens_its_checkins() -> None:
    weekly = program(extra="checkin_every_days: 7")
    second_week = START + timedelta(days=7)

    assert opened(second_week, weekly).key == f"pair/{PAIR}/checkin/2"
    # At the program's 14 days the same day is still the first period: nothing to open.
    assert checkins.plan(pair_on(second_week, [pairing_issue()], ACTIVITY, program())) == []


def test_checkins_expected_and_the_reports_periods_follow_the_pairs_cadence() -> None:
    day = START + timedelta(days=20)
    weekly = program(extra="checkin_every_days: 7")
    fortnightly = program()

    def status(roster: Program) -> PairingStatus:
        observed = observed_on(day, [pairing_issue()], [], roster)
        return pairing_status(roster, observed, roster.pairings[0], day)

    weekly_status, fortnightly_status = status(weekly), status(fortnightly)
    assert weekly_status.checkins_expected == 3
    assert fortnightly_status.checkins_expected == 2
    assert period_starts(weekly_status)[:3] == (
        START,
        START + timedelta(days=7),
        START + timedelta(days=14),
    )


def test_the_checkin_window_covers_the_longest_cadence() -> None:
    roster = program(extra="checkin_every_days: 30")

    assert checkin_window_days(roster, roster.pairings) == 2 * 30 + 1
    assert checkin_window_days(roster, []) == 2 * 14 + 1  # a pairing gone from the roster


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("meeting_style", "video", "'video' is not allowed; use 'sync', 'async' or 'either'"),
        ("meeting_minutes", "5", "Input should be greater than or equal to 15 (got 5)"),
        ("checkin_every_days", "0", "Input should be greater than or equal to 1 (got 0)"),
    ],
)
def test_a_pairing_with_a_bad_meeting_field_is_refused_at_its_line(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        program(extra=f"{field}: {value}")

    assert str(caught.value) == f"program.yml:16: pairings[0].{field}: {message}"


# ---------------------------------------------------------------- which meeting


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (START, "first"),
        (START + timedelta(days=14), "regular"),
        (MIDPOINT_PERIOD, "midpoint"),
        (MIDPOINT_PERIOD + timedelta(days=14), "regular"),
        (LAST_PERIOD, "last"),
    ],
)
def test_each_period_holds_its_meeting(day: date, kind: str) -> None:
    roster = program()
    timeline = Timeline.of(roster.pairings[0], roster.program)
    period = timeline.period(day)
    assert period is not None

    assert agenda.kind(timeline, period, midpoint_review=True) == kind


def test_without_the_midpoint_review_the_midpoint_period_is_a_regular_checkin() -> None:
    roster = program()
    timeline = Timeline.of(roster.pairings[0], roster.program)

    assert agenda.kind(timeline, 7, midpoint_review=False) == "regular"


def test_an_early_end_makes_its_period_the_last_meeting() -> None:
    roster = program(extra="ended: 2026-03-01\nended_reason: Moved teams")
    timeline = Timeline.of(roster.pairings[0], roster.program)

    assert agenda.kind(timeline, 4, midpoint_review=True) == "last"  # 2026-02-23 to 03-01


# ---------------------------------------------------------------- the agenda it shows

AGENDAS = {
    # (meeting, style): a line only that agenda has
    ("first", "sync"): "## Agenda: your first meeting",
    ("first", "async"): "## Your first meeting, in writing",
    ("regular", "sync"): "## Agenda\n",
    ("regular", "async"): "## This check-in, in writing",
    ("midpoint", "sync"): "## Agenda: the midpoint meeting",
    ("midpoint", "async"): "## The midpoint review, in writing",
    ("last", "sync"): "## Agenda: your last meeting",
    ("last", "async"): "## Your last meeting, in writing",
}
CHECKIN_DAYS = {
    "regular": START + timedelta(days=14),
    "midpoint": MIDPOINT_PERIOD,
    "last": LAST_PERIOD,
}


def _only(body: str, meeting: str, style: str) -> None:
    assert AGENDAS[meeting, style] in body
    others = [text for key, text in AGENDAS.items() if key != (meeting, style)]
    assert [text for text in others if text in body] == []


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize("meeting", ["regular", "midpoint", "last"])
def test_a_checkin_issue_shows_the_agenda_of_its_meeting_in_the_pairs_style(
    meeting: str, style: str
) -> None:
    body = opened(CHECKIN_DAYS[meeting], styled(style)).draft.body

    _only(body, meeting, style)


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize("meeting", ["regular", "midpoint", "last"])
def test_a_checkin_comment_shows_the_same_agenda(meeting: str, style: str) -> None:
    roster = program(style="comment", extra=f"meeting_style: {style}")
    [action] = checkins.plan(pair_on(CHECKIN_DAYS[meeting], [pairing_issue()], ACTIVITY, roster))
    assert isinstance(action, PostComment)

    _only(action.body, meeting, style)


@pytest.mark.parametrize("style", ["sync", "async"])
def test_the_pairing_issue_carries_the_first_meetings_agenda(style: str) -> None:
    [action] = kickoff.plan(pair_on(START, roster=styled(style)))
    assert isinstance(action, OpenIssue)

    _only(action.draft.body, "first", style)


def test_the_first_meeting_covers_expectations_cadence_channel_boundaries_confidentiality() -> None:
    [action] = kickoff.plan(pair_on(START, roster=styled("sync", "checkin_every_days: 21")))
    assert isinstance(action, OpenIssue)
    body = action.draft.body

    for point in ("Expectations", "Cadence", "Channel", "Boundaries", "Confidentiality"):
        assert f"**{point}.**" in body
    assert "Meet every 21 days for about 45 minutes" in body


def test_an_async_checkin_says_who_posts_and_who_answers_by_when() -> None:
    body = opened(START + timedelta(days=14), styled("async")).draft.body

    # Period 2 runs from 2026-01-19 to 2026-02-01: the mentee posts by its middle, the
    # mentor answers by its last day.
    assert "**@bob, by 2026-01-25:** post a comment" in body
    assert "**@alice, by 2026-02-01:** answer it" in body


def test_either_shows_the_live_agenda_with_a_line_on_meeting_in_writing() -> None:
    body = opened(START + timedelta(days=14), program()).draft.body

    _only(body, "regular", "sync")
    assert "_Meeting in writing this time? @bob posts the same points" in body


def test_the_pairing_issue_states_the_pairs_cadence_style_and_length() -> None:
    roster = styled("async", "checkin_every_days: 7\nmeeting_minutes: 30")
    [action] = kickoff.plan(pair_on(START, roster=roster))
    assert isinstance(action, OpenIssue)

    assert "- **Meetings:** every 7 days, about 30 minutes, in writing, in comments;" in (
        action.draft.body
    )


def test_no_agenda_adds_a_task_item_to_carry_forward() -> None:
    for meeting, day in CHECKIN_DAYS.items():
        for style in ("sync", "async", "either"):
            body = opened(day, styled(style)).draft.body
            assert parse(body).steps == (), (meeting, style)


# ---------------------------------------------------------------- the due date


def test_a_checkin_issue_is_due_on_the_last_day_of_its_period() -> None:
    action = opened(START + timedelta(days=14), program())

    assert action.draft.due == date(2026, 2, 1)
    assert "**Due 2026-02-01.**" in action.draft.body
    # The title stays as the template writes it: each forge adapter shows the due date.
    assert action.draft.title == "Check-in 2: Bob & Alice (2026-01-19)"


def test_the_pairing_issue_has_no_due_date() -> None:
    [action] = kickoff.plan(pair_on(START))
    assert isinstance(action, OpenIssue)

    assert action.draft.due is None

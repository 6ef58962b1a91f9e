from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from automation.views.report.burnup import BurnUp, burnup_series
from automation.views.report.charts import inline, month_ticks
from automation.views.report.figures import (
    Share,
    active_by_week,
    goal_share_bins,
    kept_share_bins,
    meets_consistently,
    program_figures,
    share_bin,
)
from automation.views.status import GoalStatus, Milestone, PairingStatus

START = date(2026, 1, 5)


def status(**changes: object) -> PairingStatus:
    base = PairingStatus(
        id="alice--bob--2026-01-05",
        mentor="alice",
        mentee="bob",
        start=START,
        planned_end=date(2026, 7, 5),
        end=date(2026, 7, 5),
        phase="active",
        week=10,
        term_weeks=26,
        outcome="running",
        ended_reason=None,
        extension_reason=None,
        private=False,
        goals=(),
        done=0,
        total=0,
        history=(),
        last_activity=None,
        days_quiet=None,
        checkins_expected=0,
        checkins_held=0,
        stalled=False,
        pace=None,
        retrospective="none",
        pairing_url=None,
        retrospective_url=None,
        next_milestone=None,
        milestones=(Milestone("start", START), Milestone("end", date(2026, 7, 5))),
        checkin_every_days=14,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def goal(done: int, total: int) -> GoalStatus:
    return GoalStatus("a goal", done, total, None)


@pytest.mark.parametrize(
    ("held", "expected", "consistent"),
    [(3, 4, True), (4, 4, True), (2, 3, False), (5, 7, False), (0, 0, False)],
)
def test_meeting_consistently_means_three_quarters_of_expected_checkins_held(
    held: int, expected: int, consistent: bool
) -> None:
    pairing = status(checkins_held=held, checkins_expected=expected)
    assert meets_consistently(pairing) is consistent


def test_the_mentors_own_goals_are_a_figure_of_their_own() -> None:
    statuses = [
        status(goals=(goal(2, 2),), done=2, total=2, mentor_goals=(goal(1, 2), goal(0, 3))),
        status(mentor_goals=(goal(0, 0),)),
    ]
    figures = program_figures(statuses)
    assert figures.mentor_goals_half_achieved == Share(1, 2)
    # The mentee's figures do not count them.
    assert figures.goals_half_achieved == Share(1, 1)
    assert figures.goal_steps == Share(2, 2)


def test_figures_count_private_pairings_and_only_terms_that_are_over() -> None:
    statuses = [
        status(phase="upcoming", outcome="not started"),
        status(checkins_held=2, checkins_expected=4, goals=(goal(1, 2), goal(0, 3))),
        status(
            phase="completed",
            outcome="completed",
            checkins_held=12,
            checkins_expected=13,
            retrospective="returned",
            goals=(goal(3, 3),),
        ),
        status(phase="ended-early", outcome="ended early", checkins_held=3, checkins_expected=4),
        status(
            phase="completed",
            outcome="completed",
            private=True,
            checkins_held=13,
            checkins_expected=13,
            retrospective="open",
            goals=(goal(1, 4), goal(0, 0)),
        ),
    ]
    figures = program_figures(statuses)
    assert (figures.pairings, figures.private) == (5, 1)
    assert dict(figures.by_phase) == {
        "upcoming": 1,
        "active": 1,
        "ending-soon": 0,
        "completed": 2,
        "ended-early": 1,
    }
    assert figures.meeting_consistently == Share(3, 4)  # the upcoming one expects nothing yet
    assert figures.goals_half_achieved == Share(2, 4)  # a goal without steps is not counted
    assert figures.completed_term == Share(2, 3)
    assert figures.retrospectives_returned == Share(1, 3)
    assert figures.checkins == Share(30, 34)


def test_a_share_of_nothing_is_not_zero_percent() -> None:
    assert (Share(0, 0).share, Share(0, 0).percent) == (None, "n/a")
    assert (Share(2, 3).share, Share(2, 3).percent) == (0.6667, "67%")


@pytest.mark.parametrize(
    ("done", "total", "label"),
    [
        (0, 4, "0-24%"),
        (1, 4, "25-49%"),
        (1, 3, "25-49%"),
        (1, 2, "50-74%"),
        (2, 3, "50-74%"),
        (3, 4, "75-99%"),
        (6, 7, "75-99%"),
        (7, 7, "100%"),
    ],
)
def test_each_share_falls_in_its_quarter(done: int, total: int, label: str) -> None:
    assert share_bin(done, total) == label


def test_goal_histogram_counts_pairings_and_sets_apart_those_without_goals() -> None:
    statuses = [
        status(done=0, total=4),
        status(done=2, total=4),
        status(done=4, total=4),
        status(done=0, total=0),
        status(done=0, total=0, phase="upcoming"),
    ]
    assert goal_share_bins(statuses) == (
        ("0-24%", 1),
        ("25-49%", 0),
        ("50-74%", 1),
        ("75-99%", 0),
        ("100%", 1),
        ("no goals yet", 1),
    )
    kept = kept_share_bins([status(checkins_held=1, checkins_expected=2), status()])
    assert dict(kept)["50-74%"] == 1
    assert sum(n for _, n in kept) == 1


def test_active_pairings_are_counted_at_each_week_start_over_the_programs_span() -> None:
    first = status(start=START, end=START + timedelta(days=21))
    second = status(start=START + timedelta(days=8), end=START + timedelta(days=30))
    assert active_by_week([first, second]) == (
        (START, 1),
        (START + timedelta(days=7), 1),
        (START + timedelta(days=14), 2),
        (START + timedelta(days=21), 1),
        (START + timedelta(days=28), 1),
    )
    assert active_by_week([]) == ()


def test_month_ticks_name_each_month_and_the_year_where_it_starts() -> None:
    ticks = month_ticks(date(2026, 11, 20), date(2027, 2, 10))
    assert ticks == (
        (date(2026, 12, 1), "Dec\n2026"),
        (date(2027, 1, 1), "Jan\n2027"),
        (date(2027, 2, 1), "Feb"),
    )
    assert len(month_ticks(date(2026, 1, 1), date(2028, 1, 1))) == 9  # every third month


def test_burn_up_runs_from_the_recorded_points_to_where_the_goals_stand_today() -> None:
    burnup = BurnUp(
        start=START,
        end=date(2026, 7, 5),
        today=date(2026, 3, 1),
        points=((START, 1, 4), (date(2026, 2, 2), 2, 5)),
        done=3,
        total=5,
        milestones=(),
        checkins=(),
    )
    assert burnup_series(burnup) == (
        (START, 1, 4),
        (date(2026, 2, 2), 2, 5),
        (date(2026, 3, 1), 3, 5),
    )
    after = replace(burnup, today=date(2026, 9, 1))
    assert burnup_series(after)[-1] == (date(2026, 7, 5), 3, 5)
    assert burnup_series(replace(burnup, points=(), done=0, total=0)) == ()


def test_inlined_svg_is_scalable_titled_and_keeps_its_ids_to_itself() -> None:
    document = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n'
        '<svg width="100pt" height="50pt" viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg">'
        '<!-- a & b --><defs><clipPath id="p1"><rect/></clipPath><path id="m2"/></defs>'
        '<g id="figure_1" clip-path="url(#p1)"><use xlink:href="#m2"/></g></svg>'
    )
    svg = str(inline(document, "goals", "Goal <completion>", "Pairings & goals"))
    assert svg.startswith('<svg class="chart" role="img" aria-labelledby="goals-title goals-desc"')
    assert 'width="100pt"' not in svg
    assert 'viewBox="0 0 100 50"' in svg
    assert '<title id="goals-title">Goal &lt;completion&gt;</title>' in svg
    assert '<desc id="goals-desc">Pairings &amp; goals</desc>' in svg
    assert 'id="goals-p1"' in svg
    assert "url(#goals-p1)" in svg
    assert 'href="#goals-m2"' in svg
    assert 'id="goals-figure_1"' in svg
    assert "<!--" not in svg
    assert "<?xml" not in svg


def test_a_change_of_mentor_is_one_mentorship_and_no_term_that_ended_early() -> None:
    old = status(
        phase="ended-early",
        outcome="ended early",
        end=date(2026, 3, 2),
        followed_by="carol--bob--2026-03-02",
    )
    new = status(id="carol--bob--2026-03-02", mentor="carol", follows=old.id)
    done = status(id="dave--erin--2025-07-06", phase="completed", outcome="completed")

    figures = program_figures([old, new, done])

    assert (figures.pairings, figures.mentorships, figures.mentor_changes) == (3, 2, 1)
    assert figures.completed_term == Share(1, 1)  # the handed-over term is not counted

"""Reconcile, not fire events: pairings met under way, terms ended in a gap, roster edits
after the fact and pairings taken out of the roster, planned from what a run observes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from automation.lifecycle import markers
from automation.lifecycle.actions import Action, OpenIssue
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import renames, tended, withdrawn
from automation.lifecycle.rules import plan
from automation.messages.templates import Templates
from automation.model import Issue, IssueState
from automation.roster.config import Program, parse_program
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    issue,
    ledger_issue,
    lines,
    observed_on,
    pairing_issue,
    plan_on,
    program,
)

PROGRESS_ON = "comment: false, pace_label: true, celebrate: false, goal_nudge: false"
OWN_GOALS = "## Goals\n\n### Ship it by 2026-05-01\n\n- [ ] Draft\n- [ ] Review\n- [ ] Ship\n"
EXAMPLE_GOAL = "## Goals\n\n### Example: lead a review by 2026-04-05\n\n- [ ] Shadow\n- [ ] Lead\n"


def checkin(period: int, state: IssueState = IssueState.OPEN) -> Issue:
    return issue(
        100 + period, f"pair/{PAIR}/checkin/{period}", state=state, labels=("mentorship-check-in",)
    )


def current(day: date) -> list[Issue]:
    """The pairing issue and the check-in of `day`'s period, as earlier runs left them."""
    return [pairing_issue(), checkin((day - START).days // 14 + 1)]


def pace(actions: list[Action]) -> list[str]:
    return [line for line in lines(actions) if "/pace]" in line]


def test_a_pairing_met_under_way_is_not_stalled_nor_nudged_for_silence_before_the_bot() -> None:
    # Five months in, first run: nobody spoke in the window, yet nothing counts against
    # the pair from before today. The pairing issue is the agenda of this period.
    day = START + timedelta(days=150)
    actions = plan_on(day, adopted=None)
    assert lines(actions) == [f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"]


def test_the_quiet_clock_of_a_pairing_met_under_way_starts_on_the_adoption_day() -> None:
    adopted = START + timedelta(days=100)
    day = adopted + timedelta(days=13)
    assert plan_on(day, current(day), adopted=adopted) == []
    day = adopted + timedelta(days=14)
    nudge = plan_on(day, current(day), adopted=adopted)
    assert [a.key for a in nudge] == [f"pair/{PAIR}/quiet/{adopted}"]
    day = adopted + timedelta(days=28)
    stalled = plan_on(day, current(day), adopted=adopted)
    assert lines(stalled) == [f"label #1 +mentorship-stalled [pair/{PAIR}/pairing/labels]"]


def test_check_ins_of_a_pairing_met_under_way_follow_from_the_next_period() -> None:
    adopted = START + timedelta(days=141)  # in period 11 (days 140 to 153)
    for day in (adopted, START + timedelta(days=153)):
        assert plan_on(day, [pairing_issue()], adopted=adopted) == []
    [opened] = plan_on(START + timedelta(days=154), [pairing_issue()], adopted=adopted)
    assert opened.key == f"pair/{PAIR}/checkin/12"


def test_pace_of_a_pairing_met_under_way_counts_from_the_adoption_day() -> None:
    adopted = START + timedelta(days=140)
    roster = program(progress=PROGRESS_ON)
    goals = pairing_issue(body=OWN_GOALS)
    actions = plan_on(adopted + timedelta(days=1), [goals], roster=roster, adopted=adopted)
    assert pace(actions) == [f"label #1 +mentorship-pace::on-track [pair/{PAIR}/pace]"]
    # Counted from the start, 0 of 3 steps at 77% of the term would be behind.
    actions = plan_on(adopted + timedelta(days=1), [goals], roster=roster)
    assert pace(actions) == [f"label #1 +mentorship-pace::behind [pair/{PAIR}/pace]"]


def test_the_untouched_example_goal_is_not_a_goal() -> None:
    roster = program(progress=PROGRESS_ON)
    day = START + timedelta(days=120)
    example = pairing_issue(body=EXAMPLE_GOAL)
    assert pace(plan_on(day, [example], roster=roster)) == []
    ticked = pairing_issue(body=EXAMPLE_GOAL.replace("- [ ] Shadow", "- [x] Shadow"))
    assert pace(plan_on(day, [ticked], roster=roster)) == [
        f"label #1 +mentorship-pace::on-track [pair/{PAIR}/pace]"
    ]


def test_after_a_long_gap_the_term_ends_and_every_open_check_in_is_closed() -> None:
    day = date(2026, 9, 1)  # the term ended on 2026-07-05
    actions = plan_on(day, [pairing_issue(), checkin(3), checkin(8), checkin(13)])
    retro = f"pair/{PAIR}/retrospective/2026-07-05"
    assert [a.key for a in actions] == [
        retro,
        f"pair/{PAIR}/checkin/3/close",
        f"pair/{PAIR}/checkin/8/close",
        f"pair/{PAIR}/checkin/13/close",
        f"pair/{PAIR}/completed",
        f"pair/{PAIR}/pairing/labels",
        f"pair/{PAIR}/pairing/close",
    ]


def test_a_pairing_is_tended_until_its_close_out_is_settled_for_its_current_end() -> None:
    roster = program()
    [pairing] = roster.pairings
    long_after = date(2027, 1, 1)
    closed = pairing_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::completed"))

    def tended_with(state: PairState | None) -> list[str]:
        book = ledger_issue(90, "ledger/2026-01", {PAIR: state} if state else {})
        seen = observed_on(long_after, [closed, book], [], roster)
        return [p.id for p in tended(roster, seen, long_after)]

    assert tended_with(None) == [PAIR]
    assert tended_with(PairState(settled="2026-07-05")) == []
    # The roster moved the end: the pairing is tended again until settled for that end.
    assert tended_with(PairState(settled="2026-06-01")) == [PAIR]
    assert pairing.end(roster.program).isoformat() == "2026-07-05"


def test_a_close_out_is_recorded_as_settled_if_its_writes_succeed() -> None:
    actions = plan_all_with_ledger(date(2026, 7, 5), [pairing_issue()])
    [book] = [a for a in actions if a.key == "ledger/2026-01"]
    steps = ("retrospective/2026-07-05", "completed", "pairing/labels", "pairing/close")
    keys = "|".join(f"pair/{PAIR}/{step}" for step in steps)
    assert isinstance(book, OpenIssue)
    assert f'"z":"@if-done:2026-07-05:{keys}"' in book.draft.body


def test_an_extension_added_after_the_bot_closed_the_term_reopens_it() -> None:
    extended = program(extra="extended_until: 2026-09-01\nextension_reason: more time\n")
    closed = pairing_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::completed"))
    actions = plan_on(date(2026, 7, 20), [closed], roster=extended)
    reopen = f"pair/{PAIR}/pairing/reopen"
    assert lines(actions)[0] == f"reopen #1 [{reopen}]"
    # The rest of the night carries on in the reopened issue, once it is open.
    assert [(a.key, a.after) for a in actions[1:3]] == [
        (f"pair/{PAIR}/checkin/15", (reopen,)),
        (f"pair/{PAIR}/pairing/labels", (reopen,)),
    ]
    assert lines(actions[2:3]) == [
        f"label #1 +mentorship-stalled +mentorship::active -mentorship::completed "
        f"[pair/{PAIR}/pairing/labels] after {reopen}"
    ]
    # Closed by a person (no outcome label): the bot leaves it closed.
    by_hand = pairing_issue(state=IssueState.CLOSED)
    assert not [
        a for a in plan_on(date(2026, 7, 20), [by_hand], roster=extended) if a.kind == "reopen"
    ]


ROSTER = """\
forge: {{kind: gitlab, project: acme/mentoring, bot: mentorship-bot}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
pairings:
{pairings}
"""


def test_a_pairing_taken_out_of_the_roster_is_closed_with_a_note_and_settled() -> None:
    roster = parse_program(ROSTER.format(pairings="  []"), Path("program.yml"))
    book = ledger_issue(90, "ledger/2026-01", {PAIR: PairState()})
    day = date(2026, 3, 1)
    seen = observed_on(day, [pairing_issue(), checkin(4), book], [], roster)
    assert withdrawn(roster, seen) == [PAIR]
    actions = plan_all_with_ledger(day, [pairing_issue(), checkin(4), book], roster)
    assert lines(actions)[:4] == [
        f"comment on #1: removed [pair/{PAIR}/removed]",
        f"label #1 -mentorship::active [pair/{PAIR}/pairing/labels]",
        f"close #1 as not planned [pair/{PAIR}/pairing/close] "
        f"after pair/{PAIR}/removed,pair/{PAIR}/pairing/labels",
        f"close #104 as not planned [pair/{PAIR}/checkin/4/close]",
    ]


def test_a_pairing_issue_the_ledger_never_recorded_is_closed_once_out_of_the_roster() -> None:
    # The run that opened it stopped before it wrote the ledger; the pairing left the
    # roster before the next run.
    roster = parse_program(ROSTER.format(pairings="  []"), Path("program.yml"))
    day = date(2026, 3, 1)
    seen = observed_on(day, [pairing_issue(), checkin(4)], [], roster)
    assert withdrawn(roster, seen) == [PAIR]
    actions = plan_all_with_ledger(day, [pairing_issue(), checkin(4)], roster)
    assert lines(actions)[:4] == [
        f"comment on #1: removed [pair/{PAIR}/removed]",
        f"label #1 -mentorship::active [pair/{PAIR}/pairing/labels]",
        f"close #1 as not planned [pair/{PAIR}/pairing/close] "
        f"after pair/{PAIR}/removed,pair/{PAIR}/pairing/labels",
        f"close #104 as not planned [pair/{PAIR}/checkin/4/close]",
    ]


def test_a_pairing_issue_the_ledger_never_recorded_follows_its_moved_start() -> None:
    moved = "alice--bob--2026-01-12"
    roster = parse_program(
        ROSTER.format(pairings="  - {mentor: alice, mentee: bob, start: 2026-01-12}"),
        Path("program.yml"),
    )
    seen = observed_on(date(2026, 3, 1), [pairing_issue(), checkin(4)], [], roster)
    assert seen.issues[f"pair/{moved}/pairing"].number == 1
    assert withdrawn(roster, seen) == []
    planned = plan_all_with_ledger(date(2026, 3, 1), [pairing_issue(), checkin(4)], roster)
    assert not [a for a in planned if isinstance(a, OpenIssue) and a.key.startswith("pair/")]


def test_a_moved_start_date_carries_the_pairing_on_under_its_new_id() -> None:
    moved = "alice--bob--2026-01-12"
    roster = parse_program(
        ROSTER.format(pairings="  - {mentor: alice, mentee: bob, start: 2026-01-12}"),
        Path("program.yml"),
    )
    book = ledger_issue(90, "ledger/2026-01", {PAIR: PairState()})
    day = date(2026, 3, 1)
    seen = observed_on(day, [pairing_issue(), checkin(4), book], [], roster)
    assert renames(roster, {f"pair/{PAIR}/pairing": pairing_issue()}, {PAIR: PairState()}) == {
        PAIR: moved
    }
    assert seen.issues[f"pair/{moved}/pairing"].number == 1
    assert seen.issues[f"pair/{moved}/checkin/4"].number == 104
    assert withdrawn(roster, seen) == []
    # Nothing opened twice, nothing closed: the old issues carry on under the new id (the
    # check-in of period 4 is the current one of the moved term too).
    planned = plan_all_with_ledger(day, [pairing_issue(), checkin(4), book], roster)
    keys = [a.key for a in planned if a.key.startswith("pair/")]
    assert keys == [f"pair/{moved}/pairing/labels", f"pair/{moved}/progress"]


def test_a_start_moved_after_the_close_out_moves_the_term_unless_it_is_a_new_one() -> None:
    def moved_to(start: str) -> dict[str, str]:
        roster = parse_program(
            ROSTER.format(pairings=f"  - {{mentor: alice, mentee: bob, start: {start}}}"),
            Path("program.yml"),
        )
        closed = pairing_issue(state=IssueState.CLOSED)
        return renames(roster, {f"pair/{PAIR}/pairing": closed}, {PAIR: settled})

    settled = PairState(settled="2026-07-05")
    # A correction, whether or not the bot had closed the term out yet: the pair's issues
    # follow (a run after a gap, which never saw the old end, does the same).
    assert moved_to("2026-01-02") == {PAIR: "alice--bob--2026-01-02"}
    # A start after the term's end is the pair's next term: it gets issues of its own.
    assert moved_to("2026-08-03") == {}


def test_a_start_moved_long_after_the_close_out_is_found_through_the_ledger() -> None:
    # Weeks after its close-out a quiet night no longer lists the pairing issue: the
    # ledger's record of it is enough for the term to carry on under its new id (and be
    # settled anew for its new end, as a run that never saw the old end settles it).
    roster = parse_program(
        ROSTER.format(pairings="  - {mentor: alice, mentee: bob, start: 2026-01-02}"),
        Path("program.yml"),
    )
    recorded = PairState(settled="2026-07-05", issues=(("pairing", 1),))
    assert renames(roster, {}, {PAIR: recorded}) == {PAIR: "alice--bob--2026-01-02"}
    assert renames(roster, {}, {PAIR: PairState(settled="2026-07-05")}) == {}
    # A pairing with a ledger entry of its own is no one's new id.
    assert renames(roster, {}, {PAIR: recorded, "alice--bob--2026-01-02": PairState()}) == {}


def plan_all_with_ledger(
    day: date, issues: list[Issue], roster: Program | None = None
) -> list[Action]:
    """The whole plan, ledger and dashboard writes included."""
    roster = roster or program()
    return plan(roster, observed_on(day, issues, [], roster), day, Templates())


def test_a_marker_the_pair_writes_on_an_old_check_in_names_no_other_issue() -> None:
    # The ledger records the pairing issue and the latest check-in (#107); the pair edit
    # the older check-in #101, which it no longer records.
    terms = "  - {mentor: alice, mentee: bob, start: 2026-01-05}\n" + (
        "  - {mentor: alice, mentee: bob, start: 2026-08-03}"
    )
    roster = parse_program(ROSTER.format(pairings=terms), Path("program.yml"))
    recorded = PairState(issues=(("checkin/7", 107), ("pairing", 1)))
    book = ledger_issue(90, "ledger/2026-01", {PAIR: recorded})
    old = checkin(1, IssueState.CLOSED)
    seen = [book, pairing_issue(), checkin(7)]

    def believed(key: str, day: date) -> int | None:
        forged = replace(old, body=markers.attach("", key))
        found = observed_on(day, [*seen, forged], [], roster).issues.get(key)
        return found.number if found else None

    # Kept as the old check-in it is, its comments the pair's activity.
    assert believed(f"pair/{PAIR}/checkin/1", START + timedelta(days=90)) == 101
    # Not a check-in still to come, nor another pairing's issue: those open as they would.
    assert believed(f"pair/{PAIR}/checkin/9", START + timedelta(days=90)) is None
    later = "alice--bob--2026-08-03"
    assert believed(f"pair/{later}/pairing", date(2026, 8, 3)) is None
    opened = plan_on(
        date(2026, 8, 3),
        [*seen, replace(old, body=markers.attach("", f"pair/{later}/pairing"))],
        [],
        roster,
    )
    assert f"open issue 'Mentorship: bob & alice' [pair/{later}/pairing]" in lines(opened)


def test_the_ledger_keeps_every_retrospective_by_the_end_it_was_opened_for() -> None:
    # The one of an end taken back, closed, keeps its number: who it is stays the bot's
    # word, not its marker's; the real end's is recorded as it opens.
    stale = issue(
        20,
        f"pair/{PAIR}/retrospective/2026-05-20",
        created=date(2026, 5, 20),
        state=IssueState.CLOSED,
    )
    ending = pairing_issue(labels=("mentorship", "mentorship::ending-soon"))
    actions = plan_all_with_ledger(date(2026, 7, 5), [ending, stale])
    [book] = [a for a in actions if a.key == "ledger/2026-01"]
    assert isinstance(book, OpenIssue)
    assert (
        f'"i":{{"pairing":1,"retrospective/2026-05-20":20,'
        f'"retrospective/2026-07-05":"@ref:pair/{PAIR}/retrospective/2026-07-05"}}'
    ) in book.draft.body


def test_a_closed_check_in_no_longer_listed_keeps_its_number_in_the_ledger() -> None:
    # After the end, a closed check-in is listed only while recent (observe lists closed
    # check-ins of the last two periods): the night it drops out is as quiet as the one before.
    roster = program()
    end = date(2026, 7, 5)
    closed = pairing_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::completed"))
    retro = issue(2, f"pair/{PAIR}/retrospective/{end}", state=IssueState.CLOSED, created=end)
    last = checkin(13, IssueState.CLOSED)
    recorded = PairState(
        settled=end.isoformat(),
        issues=(("checkin/13", last.number), ("pairing", 1), (f"retrospective/{end}", 2)),
    )
    book = ledger_issue(90, "ledger/2026-01", {PAIR: recorded})
    day = end + timedelta(days=20)

    def rewritten(issues: list[Issue]) -> bool:
        actions = plan(roster, observed_on(day, [*issues, book], [], roster), day, Templates())
        return any(a.key == "ledger/2026-01" for a in actions)

    assert not rewritten([closed, retro, last])
    assert not rewritten([closed, retro])

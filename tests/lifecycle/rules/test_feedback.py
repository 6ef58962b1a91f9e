"""Private feedback forms: opened at the midpoint and the end for each participant, once;
read back once answered; a low score or a poor fit told to the coordinators once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from automation.lifecycle import markers
from automation.lifecycle.actions import CloseIssue, OpenIssue, PostComment
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import forms_read_since
from automation.lifecycle.rules import bookkeeping, feedback, withdrawal
from automation.model import CloseReason, IssueState
from automation.roster.config import Program, parse_program
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    QUIET_PROGRESS,
    ROSTER,
    comment,
    issue,
    ledger_issue,
    lines,
    pair_on,
    pairing_issue,
    plan_on,
)

MIDPOINT = date(2026, 4, 5)
END = date(2026, 7, 5)


def program(
    settings: str = "{}", coordinators: str = "[carol]", kind: str = "gitlab", extra: str = ""
) -> Program:
    text = ROSTER.format(progress=QUIET_PROGRESS, style="issue", extra=extra, away="")
    text = text.replace(
        "  name: Test program\n",
        f"  name: Test program\n  feedback: {settings}\n  coordinators: {coordinators}\n",
    ).replace("kind: gitlab", f"kind: {kind}")
    return parse_program(text, Path("program.yml"))


def form(
    number: int,
    milestone: str,
    role: str,
    ticked: str = "",
    created: date = MIDPOINT,
    end: date | None = None,
    **kw: object,
) -> object:
    """A form as the participant left it: `ticked` lists the boxes they ticked; an end
    form's key carries `end` (none: as an older version wrote it)."""
    boxes = [*map(str, range(11)), "Yes, a good fit", "No, not a good fit"]
    chosen = set(ticked.split("|")) if ticked else set()
    body = "\n".join(f"- [{'x' if box in chosen else ' '}] {box}" for box in boxes)
    return issue(
        number,
        f"pair/{PAIR}/feedback/{milestone}/{role}" + (f"/{end}" if end else ""),
        body=body,
        labels=("mentorship-feedback",),
        created=created,
        **kw,  # type: ignore[arg-type]
    )


MENTOR_DONE = form(6, "midpoint", "mentor", "8", state=IssueState.CLOSED)


def test_a_form_for_each_participant_on_the_midpoint() -> None:
    roster = program()
    assert feedback.plan(pair_on(MIDPOINT - timedelta(days=1), [pairing_issue()], [], roster)) == []
    opened = feedback.plan(pair_on(MIDPOINT, [pairing_issue()], [], roster))
    assert [a.key for a in opened] == [
        f"pair/{PAIR}/feedback/midpoint/mentee",
        f"pair/{PAIR}/feedback/midpoint/mentor",
    ]
    for action, handle in zip(opened, ("bob", "alice"), strict=True):
        assert isinstance(action, OpenIssue)
        assert action.draft.assignees == (handle,)
        assert action.draft.confidential
        assert action.draft.labels == ("mentorship-feedback",)
    mentee, mentor = (a.draft.body for a in opened if isinstance(a, OpenIssue))
    assert "- [ ] Yes, a good fit" in mentee
    assert "good fit" not in mentor
    assert all(f"- [ ] {n}\n" in mentee for n in range(11))


def test_forms_are_private_whatever_the_template_override_says(tmp_path: Path) -> None:
    from automation.lifecycle.rules.pair import Pair
    from automation.messages.templates import Templates

    (tmp_path / "feedback.md").write_text(
        '---\ntitle: "Feedback"\nassignees: ["{{ mentee.handle }}", "{{ mentor.handle }}"]\n'
        "confidential: false\n---\n- [ ] 5\n"
    )
    roster = program()
    pair = pair_on(MIDPOINT, [pairing_issue()], [], roster)
    pair = Pair(roster, pair.pairing, MIDPOINT, pair.observed, Templates(tmp_path))
    drafts = [a.draft for a in feedback.plan(pair) if isinstance(a, OpenIssue)]
    assert [(d.assignees, d.confidential) for d in drafts] == [(("bob",), True), (("alice",), True)]


def test_forms_at_the_end_and_none_after_the_catch_up_window() -> None:
    roster = program()
    closed = pairing_issue(state=IssueState.CLOSED)
    assert [a.key for a in feedback.plan(pair_on(END, [closed], [], roster))] == [
        f"pair/{PAIR}/feedback/end/mentee/{END}",
        f"pair/{PAIR}/feedback/end/mentor/{END}",
    ]
    assert feedback.plan(pair_on(END + timedelta(days=14), [closed], [], roster)) == []
    assert (
        feedback.plan(pair_on(MIDPOINT + timedelta(days=14), [pairing_issue()], [], roster)) == []
    )


def test_a_form_is_opened_once() -> None:
    roster = program()
    issues = [pairing_issue(), form(5, "midpoint", "mentee"), form(6, "midpoint", "mentor")]
    assert feedback.plan(pair_on(MIDPOINT + timedelta(days=1), issues, [], roster)) == []


def test_milestones_can_be_turned_off_and_no_block_means_no_forms() -> None:
    only_end = program("{midpoint: false}")
    assert feedback.plan(pair_on(MIDPOINT, [pairing_issue()], [], only_end)) == []
    assert len(feedback.plan(pair_on(END, [pairing_issue()], [], only_end))) == 2
    from tests.lifecycle.rules.world import program as plain

    assert feedback.plan(pair_on(MIDPOINT, [pairing_issue()], [], plain())) == []


def test_no_forms_on_github() -> None:
    roster = program(kind="github")
    assert feedback.plan(pair_on(MIDPOINT, [pairing_issue()], [], roster)) == []


def test_an_answered_form_is_thanked_and_closed() -> None:
    roster = program()
    mentee = form(4, "midpoint", "mentee", state=IssueState.CLOSED)
    issues = [pairing_issue(), mentee, form(5, "midpoint", "mentor", "9")]
    actions = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], roster))
    key = f"pair/{PAIR}/feedback/midpoint/mentor"
    assert lines(actions) == [
        f"comment on #5: feedback/midpoint/mentor/answered [{key}/answered]",
        f"close #5 as completed [{key}/close] after {key}/answered",
    ]
    thanks = actions[0]
    assert isinstance(thanks, PostComment)
    assert thanks.body.split("\n", 1)[1] == (
        "Thank you, @alice: your answers are in, and this form is now closed. Only you and "
        "the program's coordinators can see it.\n"
    )


def test_a_close_lost_after_the_thanks_is_done_again_without_a_second_comment() -> None:
    mentee = form(4, "midpoint", "mentee", state=IssueState.CLOSED)
    issues = [pairing_issue(), mentee, form(5, "midpoint", "mentor", "9")]
    key = f"pair/{PAIR}/feedback/midpoint/mentor"
    said = [comment(5, BOT, MIDPOINT + timedelta(days=3), key=f"{key}/answered")]
    actions = feedback.plan(pair_on(MIDPOINT + timedelta(days=4), issues, said, program()))
    assert lines(actions) == [f"close #5 as completed [{key}/close]"]


def test_a_low_score_tells_the_coordinators_on_the_form_then_closes_it() -> None:
    roster = program("{low_score: 5}", "[carol, dave]")
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "5|Yes, a good fit")]
    actions = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], roster))
    key = f"pair/{PAIR}/feedback/midpoint/mentee"
    assert lines(actions) == [
        f"comment on #5: feedback/midpoint/mentee/answered [{key}/answered]",
        f"close #5 as completed [{key}/close] after {key}/answered",
    ]
    told = actions[0]
    assert isinstance(told, PostComment)
    assert told.body.split("\n", 1)[1].startswith(
        "@carol @dave — this private feedback form answers a score of 5"
    )
    assert "a private word with @bob.\n\nThank you, @bob" in told.body
    assert "not a good fit" not in told.body


def test_not_a_good_fit_tells_the_coordinators_whatever_the_score() -> None:
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "9|No, not a good fit")]
    told, _ = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], program()))
    assert isinstance(told, PostComment)
    assert "answers that the pairing is not a good fit" in told.body


def test_a_score_above_the_low_mark_tells_nobody_in_the_same_two_writes() -> None:
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "7|Yes, a good fit")]
    actions = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], program()))
    assert [type(a) for a in actions] == [PostComment, CloseIssue]
    assert isinstance(actions[0], PostComment)
    assert "@carol" not in actions[0].body


def test_without_coordinators_a_low_score_mentions_nobody() -> None:
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "1")]
    actions = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], program("{}", "[]")))
    assert [type(a) for a in actions] == [PostComment, CloseIssue]
    assert isinstance(actions[0], PostComment)
    assert "private word" not in actions[0].body


def test_a_coordinator_who_is_one_of_the_pair_is_not_told_of_the_others_low_score() -> None:
    roster = program("{low_score: 5}", "[carol, Alice]")  # alice mentors bob
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "2|No, not a good fit")]
    told, _ = feedback.plan(pair_on(MIDPOINT + timedelta(days=3), issues, [], roster))
    assert isinstance(told, PostComment)
    assert told.body.split("\n", 1)[1].startswith("@carol — this private feedback form")
    assert "@alice" not in told.body.lower()


def test_a_form_says_plainly_that_the_other_of_the_pair_sees_it_when_they_coordinate() -> None:
    opened = feedback.plan(
        pair_on(MIDPOINT, [pairing_issue()], [], program(coordinators="[alice]"))
    )
    mentee, mentor = (a.draft.body for a in opened if isinstance(a, OpenIssue))
    assert "cannot." not in mentee
    assert "is one of the coordinators and can see it too" in mentee
    assert "cannot." in mentor  # bob coordinates nothing: alice's form is hers and theirs
    assert "write here only what you would tell them" in mentee  # nobody else to ask
    [other, _] = (
        a.draft.body
        for a in feedback.plan(
            pair_on(MIDPOINT, [pairing_issue()], [], program(coordinators="[alice, carol]"))
        )
        if isinstance(a, OpenIssue)
    )
    assert "ask another coordinator in private" in other


def test_a_closed_form_is_not_read_again_so_the_coordinators_are_told_once() -> None:
    issues = [
        pairing_issue(),
        MENTOR_DONE,
        form(5, "midpoint", "mentee", "0", state=IssueState.CLOSED),
    ]
    assert feedback.plan(pair_on(MIDPOINT + timedelta(days=4), issues, [], program())) == []


def test_several_scores_ticked_leave_the_form_open_until_it_expires() -> None:
    roster = program("{open_days: 10}")
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee", "2|9")]
    assert feedback.plan(pair_on(MIDPOINT + timedelta(days=9), issues, [], roster)) == []
    [close] = feedback.plan(pair_on(MIDPOINT + timedelta(days=10), issues, [], roster))
    assert isinstance(close, CloseIssue)
    assert close.reason is CloseReason.NOT_PLANNED


def test_the_term_is_settled_only_once_its_forms_are_closed() -> None:
    roster = program()
    closed = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    retro = issue(2, f"pair/{PAIR}/retrospective", labels=("mentorship",), created=END)
    mentor = form(8, "end", "mentor", "8", created=END, state=IssueState.CLOSED)
    waiting = [closed, retro, mentor, form(7, "end", "mentee", created=END)]
    day = END + timedelta(days=3)
    pair = pair_on(day, waiting, [], roster)
    kept = bookkeeping.remembered(pair, feedback.plan(pair))
    assert kept is not None
    assert kept[0].settled is None
    assert ("feedback/end/mentee", 7) in kept[0].issues
    done = [closed, retro, mentor, form(7, "end", "mentee", created=END, state=IssueState.CLOSED)]
    pair = pair_on(day, done, [], roster)
    kept = bookkeeping.remembered(pair, feedback.plan(pair))
    assert kept is not None
    assert kept[0].settled == END.isoformat()


def test_the_whole_plan_opens_the_forms_and_nothing_else_of_them_after() -> None:
    roster = program()
    first = [a.key for a in plan_on(MIDPOINT, [pairing_issue()], roster=roster)]
    assert f"pair/{PAIR}/feedback/midpoint/mentee" in first
    issues = [pairing_issue(), form(5, "midpoint", "mentee"), form(6, "midpoint", "mentor")]
    again = plan_on(MIDPOINT, issues, roster=roster)
    assert not [a for a in again if "/feedback/" in a.key]


def test_a_pairing_taken_out_of_the_roster_has_its_open_forms_closed() -> None:
    issues = [pairing_issue(), MENTOR_DONE, form(5, "midpoint", "mentee")]
    pair = pair_on(MIDPOINT + timedelta(days=3), issues, [], program())
    entry = withdrawal.pairing_of(PAIR, {"alice", "bob"})
    assert entry is not None
    actions = withdrawal.plan(replace(pair, pairing=entry))
    assert lines(actions)[-1] == (
        f"close #5 as not planned [pair/{PAIR}/feedback/midpoint/mentee/close]"
    )


def test_the_forms_are_read_around_their_milestones_and_until_the_term_is_settled() -> None:
    roster = program("{open_days: 10}")
    [pairing] = roster.pairings
    window = 14 + 10
    assert forms_read_since(roster, pairing, MIDPOINT - timedelta(days=1), False) is None
    for day in (MIDPOINT, MIDPOINT + timedelta(days=window - 1), END, END + timedelta(days=90)):
        assert forms_read_since(roster, pairing, day, False) == MIDPOINT
    assert forms_read_since(roster, pairing, MIDPOINT + timedelta(days=window), False) is None
    assert forms_read_since(roster, pairing, END + timedelta(days=window), True) is None
    assert forms_read_since(program(kind="github"), pairing, MIDPOINT, False) is None
    from tests.lifecycle.rules.world import program as plain

    assert forms_read_since(plain(), pairing, MIDPOINT, False) is None


def test_the_ledger_keeps_the_forms_numbers_on_nights_they_are_not_read() -> None:
    from tests.lifecycle.rules.world import ledger_issue

    recorded = (("feedback/midpoint/mentee", 5), ("feedback/midpoint/mentor", 6), ("pairing", 1))
    kept = ledger_issue(800, "ledger/2026-01", {PAIR: PairState(issues=recorded)})
    day = MIDPOINT + timedelta(days=60)
    pair = pair_on(day, [pairing_issue(), kept], [], program())
    assert feedback.plan(pair) == []
    kept = bookkeeping.remembered(pair, [])
    assert kept is not None
    assert kept[0].issues == recorded


def test_an_old_check_in_given_a_forms_marker_by_the_pair_is_not_taken_for_the_form() -> None:
    # The ledger records the latest check-in (#17); the pair edits an older one (#11) so
    # that its marker names the mentor's form, not opened yet, and tick a low score in it.
    roster = program("{midpoint: true}")
    recorded = PairState(issues=(("checkin/7", 17), ("pairing", 1)))
    book = ledger_issue(50, "ledger/2026-01", {PAIR: recorded})
    latest = issue(17, f"pair/{PAIR}/checkin/7", created=MIDPOINT - timedelta(days=7))
    old = issue(11, f"pair/{PAIR}/checkin/1", created=date(2026, 1, 5), body="- [ ] talk")
    forged = replace(old, body=markers.attach("- [x] 2", f"pair/{PAIR}/feedback/midpoint/mentor"))
    day = MIDPOINT + timedelta(days=1)

    honest = plan_on(day, [book, pairing_issue(), latest, old], [], roster)
    edited = plan_on(day, [book, pairing_issue(), latest, forged], [], roster)

    opened = [f"pair/{PAIR}/feedback/midpoint/mentee", f"pair/{PAIR}/feedback/midpoint/mentor"]
    assert [a.key for a in edited if isinstance(a, OpenIssue)] == opened
    assert [a.key for a in edited if "/feedback/" in a.key] == [
        a.key for a in honest if "/feedback/" in a.key
    ]
    assert not [a for a in edited if getattr(getattr(a, "target", None), "number", None) == 11]


# An `ended:` a coordinator wrote, whose end forms opened, then took back: the roster's end
# is the planned one again.
TAKEN_BACK = date(2026, 5, 20)


def moved_form(number: int, role: str, ticked: str = "", **kw: object) -> object:
    return form(number, "end", role, ticked, created=TAKEN_BACK, end=TAKEN_BACK, **kw)


def test_an_end_taken_back_closes_its_unanswered_form_with_a_word_of_why() -> None:
    issues = [pairing_issue(), moved_form(7, "mentee", "7"), moved_form(8, "mentor")]
    actions = feedback.plan(pair_on(TAKEN_BACK + timedelta(days=1), issues, [], program()))
    mentee = f"pair/{PAIR}/feedback/end/mentee/{TAKEN_BACK}"
    mentor = f"pair/{PAIR}/feedback/end/mentor/{TAKEN_BACK}"
    # Bob's answer is kept: read back like any answered form.
    assert lines(actions) == [
        f"comment on #7: feedback/end/mentee/{TAKEN_BACK}/answered [{mentee}/answered]",
        f"close #7 as completed [{mentee}/close] after {mentee}/answered",
        f"comment on #8: feedback/end/mentor/{TAKEN_BACK}/moved [{mentor}/moved]",
        f"close #8 as not planned [{mentor}/close] after {mentor}/moved",
    ]
    said = actions[2]
    assert isinstance(said, PostComment)
    assert said.body.split("\n", 1)[1] == (
        "@alice, the term did not end on 2026-05-20 after all: it goes on until 2026-07-05, "
        "as program.yml now says. This form asked about that end, so it is closed without "
        "answers; a new one opens at the end of the term.\n"
    )


def test_a_close_lost_after_the_word_of_why_is_done_again_without_a_second_word() -> None:
    issues = [
        pairing_issue(),
        moved_form(7, "mentee", state=IssueState.CLOSED),
        moved_form(8, "mentor"),
    ]
    key = f"pair/{PAIR}/feedback/end/mentor/{TAKEN_BACK}"
    said = [comment(8, BOT, TAKEN_BACK + timedelta(days=1), key=f"{key}/moved")]
    actions = feedback.plan(pair_on(TAKEN_BACK + timedelta(days=2), issues, said, program()))
    assert lines(actions) == [f"close #8 as not planned [{key}/close]"]


def test_the_real_end_opens_fresh_forms_beside_those_of_the_end_taken_back() -> None:
    closed = pairing_issue(state=IssueState.CLOSED)
    done = [moved_form(7, "mentee", "7", state=IssueState.CLOSED)]
    issues = [closed, *done, moved_form(8, "mentor", state=IssueState.CLOSED)]
    actions = feedback.plan(pair_on(END, issues, [], program()))
    assert [a.key for a in actions] == [
        f"pair/{PAIR}/feedback/end/mentee/{END}",
        f"pair/{PAIR}/feedback/end/mentor/{END}",
    ]
    # A form the run never saw closed (the end was taken back before a night read it) is
    # closed at the real end, which opens its own; past the real end's window, nothing opens.
    issues = [closed, *done, moved_form(8, "mentor")]
    late = feedback.plan(pair_on(END + timedelta(days=14), issues, [], program()))
    said = late[0]
    assert isinstance(said, PostComment)
    assert "it ended on 2026-07-05, as program.yml now says" in said.body
    assert said.body.rstrip().endswith("so it is closed without answers.")
    assert [a.kind for a in late] == ["comment", "close"]


def test_an_extension_added_after_the_end_closes_that_ends_forms_too() -> None:
    extended = program(extra="    extended_until: 2026-08-04\n    extension_reason: more time\n")
    issues = [pairing_issue(), form(7, "end", "mentee", created=END, end=END)]
    actions = feedback.plan(pair_on(END + timedelta(days=2), issues, [], extended))
    said = actions[0]
    assert isinstance(said, PostComment)
    assert "@bob, the term did not end on 2026-07-05 after all: it goes on until 2026-08-04" in (
        said.body
    )
    assert [a.kind for a in actions] == ["comment", "close"]


def test_an_end_form_opened_on_or_after_the_end_the_roster_now_says_is_that_ends_form() -> None:
    # The end moved earlier after its forms opened: they asked about a term that had ended.
    roster = program()
    closed = pairing_issue(state=IssueState.CLOSED)
    later = END + timedelta(days=3)
    issues = [closed, form(7, "end", "mentee", created=later, end=later)]
    issues.append(form(8, "end", "mentor", "8", created=later, end=later))
    actions = feedback.plan(pair_on(later + timedelta(days=1), issues, [], roster))
    assert [a.key.rsplit("/", 1)[1] for a in actions] == ["answered", "close"]


def test_an_end_form_kept_without_its_end_is_for_the_end_that_held_when_it_opened() -> None:
    # Forms an older version opened: keyed without their end.
    issues = [pairing_issue(), form(7, "end", "mentee", created=TAKEN_BACK)]
    actions = feedback.plan(pair_on(TAKEN_BACK + timedelta(days=1), issues, [], program()))
    assert [a.key.rsplit("/", 1)[1] for a in actions] == ["moved", "close"]
    closed = pairing_issue(state=IssueState.CLOSED)
    issues = [closed, form(7, "end", "mentee", created=END), form(8, "end", "mentor", created=END)]
    assert feedback.plan(pair_on(END + timedelta(days=1), issues, [], program())) == []


def test_the_ledger_retires_the_forms_of_an_end_taken_back_once_closed() -> None:
    from automation.lifecycle.actions import assuming_done

    issues = [
        pairing_issue(),
        moved_form(7, "mentee", state=IssueState.CLOSED),
        moved_form(8, "mentor"),
    ]
    pair = pair_on(TAKEN_BACK + timedelta(days=1), issues, [], program())
    kept = bookkeeping.remembered(pair, feedback.plan(pair))
    assert kept is not None
    mentee, mentor = (f"feedback/end/{role}/{TAKEN_BACK}" for role in ("mentee", "mentor"))
    # The one seen closed at once; the other once tonight's close is done.
    assert kept[0].retired[0] == mentee
    assert assuming_done(f'"{kept[0].retired[1]}"') == f'"{mentor}"'
    assert (mentor, 8) in kept[0].issues
    nothing = bookkeeping.remembered(pair, [])
    assert nothing is not None
    assert nothing[0].retired == (mentee,)  # the close not planned: not retired


def test_forms_of_an_end_taken_back_are_read_by_number_until_retired() -> None:
    from automation.lifecycle.observed import forms_of_a_moved_end
    from tests.lifecycle.rules.world import ledger_issue, observed_on

    roster = program()
    mentee, mentor = (f"feedback/end/{role}/{TAKEN_BACK}" for role in ("mentee", "mentor"))
    recorded = (("feedback/midpoint/mentee", 5), (mentee, 7), (mentor, 8), ("pairing", 1))
    day = TAKEN_BACK + timedelta(days=2)

    def numbers(state: PairState, *listed: object) -> list[int]:
        books = ledger_issue(800, "ledger/2026-01", {PAIR: state})
        observed = observed_on(day, [pairing_issue(), books, *listed], [], roster)  # type: ignore[list-item]
        return forms_of_a_moved_end(roster, observed, roster.pairings, day)

    assert numbers(PairState(issues=recorded)) == [7, 8]
    assert numbers(PairState(issues=recorded), moved_form(8, "mentor")) == [7]  # listed
    assert numbers(PairState(issues=recorded, retired=(mentee,))) == [8]
    assert numbers(PairState(issues=recorded, retired=(mentee, mentor))) == []
    # The end's own forms, and those kept without their end once the term is over, are
    # listed as ever: never read one by one.
    at_end = (("feedback/end/mentee", 7), (f"feedback/end/mentor/{END}", 8))
    assert numbers(PairState(issues=at_end)) == [7]
    assert (
        forms_of_a_moved_end(roster, observed_on(END, [], [], roster), roster.pairings, END) == []
    )
    assert (
        forms_of_a_moved_end(
            program(kind="github"), observed_on(day, [], [], roster), roster.pairings, day
        )
        == []
    )

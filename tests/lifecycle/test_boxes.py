"""The boxes of the pairing issue as text: which are ticked, unticking them, and who ticked
them by each forge's history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from automation.lifecycle import boxes, markers
from automation.model import ChangeRequest, ChangeState, Comment, Tick

BLOCK = (
    "Intro\r\n\r\n<!-- mentorship:boxes -->\r\n- [x] We met this period\r\n"
    "- [ ] Pause reminders for two weeks\r\n* [X] Ask the coordinators to end this pairing\r\n"
    "<!-- /mentorship:boxes -->\r\n\r\n## Goals\r\n- [x] We met this period\r\n"
)
T1 = datetime(2026, 3, 5, 12, tzinfo=UTC)
T2 = datetime(2026, 3, 5, 13, tzinfo=UTC)


def test_only_the_boxes_between_the_bots_lines_count() -> None:
    assert boxes.states(BLOCK) == {"met": True, "pause": False, "end": True}
    assert boxes.ticked(BLOCK) == ("met", "end")
    assert boxes.ticked("- [x] We met this period\n") == ()  # no block: a person's own item


def test_untick_changes_the_named_boxes_of_the_block_and_nothing_else() -> None:
    after = boxes.untick(BLOCK, ["met", "end"])
    assert after == BLOCK.replace(
        "- [x] We met this period\r\n- [ ]", "- [ ] We met this period\r\n- [ ]"
    ).replace("* [X] Ask", "* [ ] Ask")
    assert after.endswith("## Goals\r\n- [x] We met this period\r\n")  # outside: kept
    assert boxes.ticked(after) == ()


def test_a_gitlab_task_note_names_the_box_and_its_author() -> None:
    note = r"marked the checklist item **We met this period** as completed"
    assert boxes.tick_of_note(note, "dana", T1) == Tick("We met this period", True, "dana", T1)
    escaped = r"marked the task **Ask the coordinators \(now\)** as incomplete"
    assert boxes.tick_of_note(escaped, "x", T1) == Tick(
        "Ask the coordinators (now)", False, "x", T1
    )
    assert boxes.tick_of_note("changed the description", "dana", T1) is None


def test_github_revisions_say_who_ticked_each_box() -> None:
    original = "<!-- mentorship:boxes -->\n- [ ] We met this period\n<!-- /mentorship:boxes -->\n"
    ticked = original.replace("[ ]", "[x]")
    ticks = boxes.ticks_of_revisions([("bot", T1, original), ("dana", T2, ticked)])
    assert ticks == [Tick("We met this period", True, "dana", T2)]
    assert boxes.who_ticked(ticks, "met") == ticks[0]


def test_a_revision_deleted_from_the_history_leaves_the_next_change_unattributed() -> None:
    original = "<!-- mentorship:boxes -->\n- [ ] We met this period\n<!-- /mentorship:boxes -->\n"
    ticked = original.replace("[ ]", "[x]")
    revisions = [("bot", T1, original), ("mallory", T1, None), ("dana", T2, ticked)]
    assert boxes.ticks_of_revisions(revisions) == []


def test_the_latest_record_of_a_box_decides_who_ticked_it() -> None:
    ticks = [
        Tick("We met this period", True, "dana", T1),
        Tick("We met this period", False, "mallory", T2),
    ]
    assert boxes.who_ticked(ticks, "met") is None
    again = [*ticks, Tick("We met this period", True, "mallory", T2.replace(hour=14))]
    found = boxes.who_ticked(again, "met")
    assert found is not None
    assert found.author == "mallory"
    assert boxes.asked(
        "<!-- mentorship:boxes -->\n- [x] We met this period\n<!-- /mentorship:boxes -->\n",
        again,
        T1,
        frozenset({"dana"}),
    ) == [boxes.Asked(boxes.MET, "mallory", T2.replace(hour=14), False)]


def test_a_box_ticked_by_a_pair_member_whose_login_differs_in_case_is_heeded() -> None:
    ticks = [Tick("We met this period", True, "Dana", T1)]
    body = "<!-- mentorship:boxes -->\n- [x] We met this period\n<!-- /mentorship:boxes -->\n"
    assert boxes.asked(body, ticks, T1, frozenset({"dana"})) == [
        boxes.Asked(boxes.MET, "Dana", T1, True)
    ]


def test_a_box_nobody_is_known_to_have_ticked_is_not_heeded() -> None:
    body = "<!-- mentorship:boxes -->\n- [x] We met this period\n<!-- /mentorship:boxes -->\n"
    assert boxes.asked(body, [], T1, frozenset({"dana"})) == [boxes.Asked(boxes.MET, "", T1, False)]


def _change(author: str, state: ChangeState, body: str) -> ChangeRequest:
    return ChangeRequest(4, "Mentorship: 1 extension", body, state, "b", "main", "", author, "")


def test_only_a_closed_unmerged_roster_change_of_the_bots_declines_the_asks_it_lists() -> None:
    key = "pair/alice--dana--2026-03-02/box/extend/20260322T120000Z"
    body = f"| #1 | alice | dana | extension to 2026-10-02 | dana | `{key}` |\n"
    assert boxes.declined_keys([_change("bot", ChangeState.CLOSED, body)], "bot") == {key}
    assert boxes.declined_keys([_change("bot", ChangeState.MERGED, body)], "bot") == set()
    assert boxes.declined_keys([_change("mallory", ChangeState.CLOSED, body)], "bot") == set()
    # A met or pause key is no roster ask.
    met = body.replace("/extend/", "/met/")
    assert boxes.declined_keys([_change("bot", ChangeState.CLOSED, met)], "bot") == set()


def test_an_extension_answer_keeps_the_end_it_asked_for() -> None:
    asked = boxes.Asked(boxes.EXTEND, "dana", T1, True, date(2026, 10, 2))
    key = f"pair/p/box/extend/{asked.stamp}"
    comment = Comment(1, 1, markers.attach("Asked.", key, **asked.attrs()), "bot", T1, T1)
    assert boxes.answered([(key, comment)], "pair/p/box/") == [asked]

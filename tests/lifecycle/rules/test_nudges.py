from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle.actions import PostComment, Relabel
from automation.lifecycle.rules import nudges, status
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    START,
    comment,
    lines,
    pair_on,
    pairing_issue,
    program,
)


def day(n: int) -> date:
    return START + timedelta(days=n)


def test_first_meeting_nudge_after_ten_quiet_days() -> None:
    assert nudges.plan(pair_on(day(9), [pairing_issue()])) == []
    [action] = nudges.plan(pair_on(day(10), [pairing_issue()]))
    assert isinstance(action, PostComment)
    assert action.key == f"pair/{PAIR}/first-meeting"
    assert action.target.number == 1
    assert "10 days" in action.body


def test_first_meeting_nudge_is_written_once() -> None:
    sent = comment(1, BOT, day(10), key=f"pair/{PAIR}/first-meeting")
    assert nudges.plan(pair_on(day(11), [pairing_issue()], [sent])) == []


def test_the_bots_own_comments_are_not_activity() -> None:
    chatter = comment(1, BOT, day(3), body="progress")
    [action] = nudges.plan(pair_on(day(10), [pairing_issue()], [chatter]))
    assert action.key == f"pair/{PAIR}/first-meeting"


def test_comments_by_others_are_not_the_pairs_activity() -> None:
    coordinator = comment(1, "carol", day(3))
    [action] = nudges.plan(pair_on(day(10), [pairing_issue()], [coordinator]))
    assert action.key == f"pair/{PAIR}/first-meeting"


def test_quiet_nudge_after_fourteen_days_without_the_pair() -> None:
    met = [comment(1, "bob", day(3))]
    assert nudges.plan(pair_on(day(16), [pairing_issue()], met)) == []
    assert lines(nudges.plan(pair_on(day(17), [pairing_issue()], met))) == [
        f"comment on #1: quiet/2026-01-08 [pair/{PAIR}/quiet/2026-01-08]"
    ]


def test_one_quiet_nudge_per_quiet_spell() -> None:
    met = [comment(1, "bob", day(3))]
    sent = comment(1, BOT, day(17), key=f"pair/{PAIR}/quiet/2026-01-08")
    assert nudges.plan(pair_on(day(20), [pairing_issue()], [*met, sent])) == []
    later = [*met, sent, comment(1, "alice", day(22))]
    assert [a.key for a in nudges.plan(pair_on(day(36), [pairing_issue()], later))] == [
        f"pair/{PAIR}/quiet/2026-01-27"
    ]


def test_stalled_label_after_twenty_eight_days_and_gone_when_they_talk() -> None:
    met = [comment(1, "alice", day(3))]
    assert status.plan(pair_on(day(30), [pairing_issue()], met)) == []
    [stall] = status.plan(pair_on(day(31), [pairing_issue()], met))
    assert isinstance(stall, Relabel)
    assert (stall.add, stall.remove) == (("mentorship-stalled",), ())
    assert nudges.plan(pair_on(day(31), [pairing_issue()], met)) == []  # the label speaks now
    stalled = pairing_issue(labels=("mentorship", "mentorship::active", "mentorship-stalled"))
    talking = [*met, comment(1, "bob", day(31))]
    [unstall] = status.plan(pair_on(day(32), [stalled], talking))
    assert isinstance(unstall, Relabel)
    assert (unstall.add, unstall.remove) == ((), ("mentorship-stalled",))


def test_silence_longer_than_the_window_is_stalled_without_a_nudge() -> None:
    pair = pair_on(day(60), [pairing_issue()])
    assert nudges.plan(pair) == []
    assert lines(status.plan(pair)) == [
        f"label #1 +mentorship-stalled [pair/{PAIR}/pairing/labels]"
    ]


def test_someone_away_gets_no_nudges_and_no_stalled_label() -> None:
    pair = pair_on(day(40), [pairing_issue()], roster=program(away="2026-03-01"))
    assert nudges.plan(pair) == []
    assert status.plan(pair) == []

"""The mentor's own growth goals on both forges, through the real clients on the sandbox:
written in the pairing issue, shown in the progress comment, celebrated once."""

from __future__ import annotations

from datetime import timedelta

from automation.lifecycle.rules.progress import goal_key
from tests.test_security import PAIR, START, Program_, world

__all__ = ["world"]

MENTOR_GOALS = """
## Mentor's goals

### Give feedback that lands by 2026-05-01

- [x] Ask for feedback on my feedback
- [x] Try the situation-behaviour-impact format
"""


def test_a_mentors_goal_is_tracked_and_celebrated_on_the_forge(world: Program_) -> None:
    world.night(START)
    pairing = world.bots(f"pair/{PAIR}/pairing")
    assert "## Mentor's goals" in pairing.body
    world.daytime(START + timedelta(days=2))
    head = pairing.body.partition("## Mentor's goals")[0]
    world.bob.edit_issue_body(pairing.number, head + MENTOR_GOALS)
    written = world.night(START + timedelta(days=2))
    cheer = f"pair/{PAIR}/celebrate/{goal_key('Give feedback that lands', mentor=True)}"
    assert cheer in written
    bodies = [
        c.body
        for c in world.bot.list_issue_comments(pairing.number)
        if c.author == "mentorship-bot"
    ]
    [celebration] = [b for b in bodies if "Mentor's goal complete" in b]
    assert "Give feedback that lands by 2026-05-01" in celebration
    [shown] = [b for b in bodies if "Goal progress" in b]
    assert "| Give feedback that lands by 2026-05-01 | `██████████` 100% | 2/2 |" in shown
    # Celebrated once: the next nights write nothing about it.
    later = world.night(START + timedelta(days=3))
    assert [k for k in later if "/celebrate/" in k] == []

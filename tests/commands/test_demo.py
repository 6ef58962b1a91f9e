from __future__ import annotations

from pathlib import Path

import pytest

from automation.commands.demo import run_demo
from automation.forge import connect
from automation.goals.checklist import Dialect
from automation.goals.feedback import read_form
from automation.roster.config import load_program
from automation.sandbox import start


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_demo_plays_a_whole_program_and_leaves_it_to_browse(tmp_path: Path, flavour: str) -> None:
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", flavour, lines.append)  # type: ignore[arg-type]

    assert result.failures == ()
    assert result.nights > 180
    assert lines[0].startswith("week of 2026-01-05: 1 active pairing;")
    program = load_program(result.program)
    assert program.forge.url == "http://127.0.0.1:8929"
    # The request's pairing came in through the bot's merge request, merged on the forge.
    assert len(program.pairings) == 8
    [asked] = [p for p in program.pairings if p.request is not None]
    assert asked.id == "chen--ivan--2026-02-09"
    summary = result.summary.read_text()
    assert "0 failed" in summary
    assert "| gus with chen | 2026-02-16 to 2026-04-20 | ended early" in summary
    assert "| emeka with bruno | 2026-01-19 to 2026-08-14 | extended to 2026-08-14" in summary
    assert summary.count("open issue 'Retrospective:") == 7
    # Farah changes mentor: alice's term hands over, bruno's carries her open goals on.
    assert (
        "| farah with alice | 2026-02-02 to 2026-03-16 | changed mentor to bruno "
        "(Farah's talk moved to databases, Bruno's field) | 4/7 steps |"
    ) in summary
    assert "| farah with bruno | 2026-03-16 to 2026-08-16 | completed | 3/3 steps |" in summary
    handed = summary.split("## farah with alice")[1].split("## ")[0]
    assert "2026-03-16: open issue 'Hand-over: Farah Haddad & Alice Liddell'" in handed
    assert "close #" in handed.split("2026-03-16: comment on #")[1]
    asked = summary.split("## ivan's request for a mentor")[1]
    assert "2026-02-04: propose program.yml on mentorship/roster" in asked
    assert "+mentorship-request::proposed" in asked
    assert "2026-02-09: close #" in asked
    hana = summary.split("## hana with alice")[1].split("## ")[0]
    assert ": quiet/" in hana  # this pair went quiet and was nudged
    assert "+mentorship-stalled" in hana
    assert "celebrate/" in summary.split("## dana with alice")[1].split("## ")[0]
    # On GitLab each participant gets a private feedback form at the midpoint and the end
    # (none at the midpoint for gus, whose term ended before it); the summary names no form.
    forms = summary.count("private feedback forms")
    assert (forms > 0) is (flavour == "gitlab")
    assert "feedback/" not in summary
    # The state outlives the demo: serving it again shows the program's issues.
    with start(state=result.state) as sandbox:
        settings = program.forge.model_copy(update={"url": sandbox.url})
        issues = connect(settings, {}).list_issues(labels=["mentorship"])
    titles = sorted(i.title.split(":")[0] for i in issues)
    # Eight pairing issues, seven retrospectives and a hand-over, the program's ledger and
    # one per month of starts.
    assert titles.count("Mentorship") == 8
    assert titles.count("Retrospective") == 7
    assert titles.count("Hand-over") == 1
    [bruno] = [i for i in issues if i.title == "Mentorship: Farah Haddad & Bruno Diaz"]
    assert "This pairing follows Farah Haddad's pairing with Alice Liddell" in bruno.body
    assert bruno.body.count("Carried over from [#") == 1  # the goal still open
    assert titles.count("Mentorship bot ledger") == 4
    with start(state=result.state) as sandbox:
        settings = program.forge.model_copy(update={"url": sandbox.url})
        bot = connect(settings, {})
        forms = bot.list_issues(labels=["mentorship-feedback"])
    # Two forms at the midpoint and two at the end of each of the eight terms, but none at
    # the midpoint of a term over before it (gus's early end, farah's hand-over).
    assert len(forms) == (28 if flavour == "gitlab" else 0)
    assert all(form.confidential and len(form.assignees) == 1 for form in forms)
    # Everyone answers but the quiet pair (hana and alice), at the midpoint and the end.
    answered = [form for form in forms if read_form(form.body, Dialect.GITLAB).answered]
    assert len(answered) == (24 if flavour == "gitlab" else 0)

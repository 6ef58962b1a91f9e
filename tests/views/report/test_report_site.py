from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from automation.lifecycle.observed import Observed
from automation.roster.config import parse_program
from automation.views.report import ReportResult, build_report
from automation.views.report.figures import Share
from automation.views.report.records import to_csv
from automation.views.status import program_status
from tests.views.report.conftest import ANSWER, RETURNED, Term
from tests.views.test_queue import REQUESTS, TODAY
from tests.views.test_queue import program as queue_program

PAIRINGS = [
    "alice--dana--2026-01-05",
    "bruno--emeka--2026-01-19",
    "alice--farah--2026-02-02",
    "chen--gus--2026-02-16",
    "alice--hana--2026-03-02",
    "bruno--chen--2026-03-16",
    "chen--ivan--2026-02-09",
    "bruno--farah--2026-03-16",  # farah's change of mentor
]
QUIET = "alice--hana--2026-03-02"  # the pair that went quiet after three weeks
Build = Callable[..., ReportResult]


def texts(out: Path) -> dict[str, str]:
    return {
        str(path.relative_to(out)): path.read_text(encoding="utf-8")
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_a_simulated_term_gives_an_overview_a_page_per_pairing_and_the_data(
    report_of: Build,
) -> None:
    result = report_of()
    out = result.out
    assert {str(p.relative_to(out)) for p in result.files} == {
        "index.html",
        "pairings.csv",
        "report.json",
        *(f"pairings/{p}.html" for p in PAIRINGS),
    }
    figures = result.figures
    assert (figures.pairings, figures.private, result.listed) == (8, 0, 8)
    assert (figures.mentorships, figures.mentor_changes) == (7, 1)
    assert figures.phase_count("completed") == 6
    assert figures.phase_count("ended-early") == 2  # gus, and farah's term with alice
    # hana and alice went quiet: 2 of 14 check-ins held; everyone else met every period.
    assert figures.meeting_consistently == Share(6 + 1, 8)
    assert figures.goals_half_achieved == Share(10, 11)  # farah's goal left with alice
    # gus ended early; farah's term with alice went on with bruno, so it is not counted.
    assert figures.completed_term == Share(6, 7)
    assert figures.retrospectives_returned == Share(7, 8)  # all but the quiet pair answered
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 4
    for title in ("Active pairings over time", "Goal completion", "Check-in cadence"):
        assert f"<h3>{title}</h3>" in index
    assert '<li class="card" id="figure-meeting">\n<span class="value">88%</span>' in index
    assert "7 of 8 pairs that held at least 75% of their expected check-ins" in index
    assert "7 of 8 retrospectives due" in index
    assert "8 pairings, 7 mentorships (1 change of mentor),\n" in index
    assert index.count('<a href="pairings/') == 8
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in index


def test_report_json_and_pairings_csv_carry_the_same_numbers(report_of: Build) -> None:
    out = report_of().out
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["format"] == 1
    assert report["date"] == "2026-10-30"
    assert report["totals"]["pairings"] == 8
    assert report["figures"]["meeting_consistently"] == {"count": 7, "of": 8, "share": 0.875}
    assert report["figures"]["retrospectives_returned"] == {"count": 7, "of": 8, "share": 0.875}
    assert report["active_by_week"][0] == {"week_of": "2026-01-05", "active": 1}
    assert max(week["active"] for week in report["active_by_week"]) == 7
    rows = list(csv.DictReader((out / "pairings.csv").open(encoding="utf-8")))
    assert [row["id"] for row in rows] == [p["id"] for p in report["pairings"]] == PAIRINGS
    for row, pairing in zip(rows, report["pairings"], strict=True):
        for column, value in row.items():
            expected = pairing[column]
            shown = (
                ""
                if expected is None
                else str(expected).lower()
                if isinstance(expected, bool)
                else str(expected)
            )
            assert value == shown, (pairing["id"], column)
    hana = next(p for p in report["pairings"] if p["id"] == QUIET)
    assert (hana["checkins_held"], hana["checkins_expected"]) == (2, 14)
    assert hana["meeting_consistently"] is False
    assert (hana["goal_steps_done"], hana["goal_steps"], hana["progress_percent"]) == (2, 3, 67)
    dana = next(p for p in report["pairings"] if p["id"] == RETURNED)
    assert (dana["retrospective"], dana["days_quiet"]) == ("returned", 0)  # dana answered today
    # A point for each week in which steps were ticked (none in week 5).
    assert [(h["week"], h["week_start"], h["done"]) for h in dana["history"]] == [
        (1, "2026-01-05", 0),
        (2, "2026-01-12", 1),
        (3, "2026-01-19", 2),
        (4, "2026-01-26", 3),
        (6, "2026-02-09", 4),
        (7, "2026-02-16", 5),
        (8, "2026-02-23", 6),
    ]
    assert dana["page"] == f"pairings/{RETURNED}.html"


def test_a_pairing_page_charts_its_burn_up_against_the_expected_line(report_of: Build) -> None:
    page = (report_of().out / f"pairings/{RETURNED}.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1
    assert '<title id="burnup-title">Goal progress over the term</title>' in page
    assert "6 of 6 done; the expected pace rises in a straight line from 0 at the start" in page
    assert (
        "Milestones: start 2026-01-05; midpoint review 2026-04-05; ending soon 2026-06-21;" in page
    )
    assert "13 check-in periods" in page
    assert '<a href="../index.html">' in page
    assert "<td>Goal 1</td>" in page


def test_a_private_pairing_is_counted_but_never_named(report_of: Build) -> None:
    result = report_of(private=QUIET)
    out = result.out
    assert (result.figures.pairings, result.figures.private, result.listed) == (8, 1, 7)
    assert result.figures.meeting_consistently == Share(7, 8)  # still counted
    assert not (out / f"pairings/{QUIET}.html").exists()
    for name, text in texts(out).items():
        assert "hana" not in text, name
        assert QUIET not in text, name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["totals"] | {"by_phase": None} == {
        "pairings": 8,
        "listed": 7,
        "private": 1,
        "mentorships": 7,
        "mentor_changes": 1,
        "by_phase": None,
        "checkins_held": 76,
        "checkins_expected": 88,
        "goal_steps_done": 28,
        "goal_steps": 32,
    }
    assert len(report["pairings"]) == 7
    assert "1 private pairing counted above but not listed" in texts(out)["index.html"]


def test_goal_titles_show_only_when_the_program_opts_in_and_comments_never(
    report_of: Build,
) -> None:
    hidden = texts(report_of("hidden").out)
    shown = texts(report_of("shown", include_goal_text=True).out)
    title = "Lead an incident review"
    assert not any(title in text for text in hidden.values())
    assert title in shown[f"pairings/{RETURNED}.html"]
    assert title in shown["report.json"]
    for site in (hidden, shown):
        for name, text in site.items():
            for said in ("Coffee chat done", "Wins: shipped", "Great goals", ANSWER[:20]):
                assert said not in text, name
            assert "moved to another team" not in text, name  # reasons stay in the roster


def test_building_twice_gives_identical_bytes(report_of: Build) -> None:
    first, second = report_of("first").out, report_of("second").out
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_pages_of_pairings_no_longer_listed_are_removed(term: Term, tmp_path: Path) -> None:
    out = tmp_path / "site"
    term.report(out)
    assert (out / f"pairings/{QUIET}.html").exists()
    (out / "pairings" / "notes.txt").write_text("kept", encoding="utf-8")
    term.report(out, term.roster(private=QUIET))
    assert not (out / f"pairings/{QUIET}.html").exists()
    assert (out / "pairings" / "notes.txt").exists()


def test_a_rebuild_rewrites_only_the_files_whose_content_changed(
    term: Term, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    term.report(out)
    before = 1_000_000_000  # a date no build writes a file on
    for path in out.rglob("*.*"):
        os.utime(path, (before, before))
    result = term.report(out, term.roster(private=QUIET))
    rewritten = {
        str(path.relative_to(out)) for path in result.files if path.stat().st_mtime != before
    }
    # The overview and the data count the pairing made private; no other page changed.
    assert rewritten == {"index.html", "report.json", "pairings.csv"}
    assert len(result.files) == 3 + len(PAIRINGS) - 1


def test_every_chart_id_and_reference_is_unique_to_its_chart(report_of: Build) -> None:
    index = (report_of().out / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', index)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r"url\(#([^)]+)\)", index)) <= set(ids)
    assert set(re.findall(r'href="#([^"]+)"', index)) <= set(ids)


def test_an_empty_roster_still_gives_a_report_and_names_are_escaped(tmp_path: Path) -> None:
    program = parse_program(
        "program: {name: 'R&D <Mentoring>'}\nforge: {kind: gitlab, project: acme/mentoring}\n",
        Path("program.yml"),
    )
    result = build_report(program, [], date_of("2026-05-01"), tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<h1>R&amp;D &lt;Mentoring&gt;</h1>" in index
    assert "No pairings to list" in index
    assert result.figures.meeting_consistently == Share(0, 0)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["figures"]["completed_term"] == {"count": 0, "of": 0, "share": None}
    assert (tmp_path / "pairings.csv").read_text(encoding="utf-8").count("\n") == 1


def test_a_program_before_its_first_start_has_pages_with_nothing_to_chart_yet(
    term: Term, tmp_path: Path
) -> None:
    today = date_of("2026-01-01")
    nothing = Observed("mentorship-bot", datetime(2026, 1, 1, tzinfo=UTC), {}, (), {}, {})
    statuses = program_status(term.program, nothing, today)
    result = build_report(term.program, statuses, today, tmp_path)
    assert result.figures.phase_count("upcoming") == 8
    assert result.figures.meeting_consistently == Share(0, 0)
    page = (tmp_path / f"pairings/{RETURNED}.html").read_text(encoding="utf-8")
    assert "No goal steps written yet, so there is no progress to chart." in page
    assert "<p>No goals written yet.</p>" in page
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 4
    assert index.count("no goals yet</td>") == 8


def date_of(text: str) -> date:
    return date.fromisoformat(text)


def cell(value: object) -> str:
    """How a JSON value reads in the CSV."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_report_shows_the_mentors_the_queue_and_its_chart_over_time(tmp_path: Path) -> None:
    build_report(queue_program(), [], TODAY, tmp_path, REQUESTS)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-queue"' in index
    assert "Requests waiting over time" in index
    cards = re.findall(r'<li class="card" id="figure-([^"]*)">\n<span class="value">([^<]*)', index)
    assert cards[4:] == [
        ("mentors-full", "33%"),
        ("requests-waiting", "2"),
        ("time-to-match", "14 days"),
    ]
    assert "median wait 18 days, longest 30" in index
    assert "<td>not taking mentees</td>" in index
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["requests"] == {
        "waiting": 2,
        "median_wait_days": 18,
        "longest_wait_days": 30,
        "matched": 1,
        "median_days_to_match": 14,
        "mentors": 3,
        "mentors_at_or_over_limit": 1,
    }
    assert report["requests_by_week"][-1] == {"week_of": "2026-03-16", "waiting": 3}
    assert [m["handle"] for m in report["mentors"]] == ["alice", "dave", "ann"]
    assert [m["status"] for m in report["mentors"]] == [
        "at the limit",
        "available",
        "not taking mentees",
    ]


def test_a_program_without_requests_shows_no_queue_chart(tmp_path: Path) -> None:
    build_report(queue_program(), [], TODAY, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-queue"' not in index
    assert "no one is waiting" in index


def test_goal_titles_in_the_report_drop_direction_controls_and_zero_width_characters(
    term: Term, tmp_path: Path
) -> None:
    roster = term.roster(include_goal_text=True)
    statuses = term.statuses(roster)
    at = next(n for n, s in enumerate(statuses) if s.id == RETURNED)
    status = statuses[at]
    # An unbalanced right-to-left override would turn the page's words after it around.
    hostile = replace(status.goals[0], title="Lead \u202eweiver\u200b an incident")
    statuses[at] = replace(status, goals=(hostile, *status.goals[1:]))
    out = build_report(roster, statuses, term.today, tmp_path / "site").out
    site = texts(out)
    assert "Lead weiver an incident" in site[f"pairings/{RETURNED}.html"]
    assert "Lead weiver an incident" in site["report.json"]
    for name, text in site.items():
        assert re.search("[\u202a-\u202e\u2066-\u2069\u200b-\u200f]", text) is None, name


def test_a_csv_text_a_spreadsheet_would_run_is_written_as_text() -> None:
    # A company's CSV names each program; a name starting with "=" stays a name.
    columns = ("program", "id", "week", "stalled", "days_quiet")
    record = {"program": "=1+2", "id": "alice--bob--2026-01-05", "week": 3, "stalled": False}
    written = to_csv([{**record, "days_quiet": None}], columns)
    assert written.splitlines()[1] == "'=1+2,alice--bob--2026-01-05,3,false,"


def test_only_a_web_address_is_linked_as_the_pairing_issue(term: Term, tmp_path: Path) -> None:
    today = date_of("2026-01-01")
    nothing = Observed("mentorship-bot", datetime(2026, 1, 1, tzinfo=UTC), {}, (), {}, {})
    statuses = program_status(term.program, nothing, today)
    urls = ["javascript:alert(1)", "https://gitlab.example/acme/m/-/issues/7"]
    shown = [replace(s, pairing_url=url) for s, url in zip(statuses, urls, strict=False)]
    build_report(term.program, shown + statuses[2:], today, tmp_path)
    first, second = (
        (tmp_path / f"pairings/{s.id}.html").read_text(encoding="utf-8") for s in statuses[:2]
    )
    assert "javascript:" not in first
    assert 'href="https://gitlab.example/acme/m/-/issues/7"' in second
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [p["issue_url"] for p in report["pairings"][:2]] == [None, urls[1]]

"""The company report over the simulated term: figures across programs, a folder per program."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from automation.roster.config import Program, Settings
from automation.views.report.company import Part, build_company_report
from automation.views.report.figures import Share
from tests.views.report.conftest import RETURNED, Term


def renamed(program: Program, name: str) -> Program:
    rules: Settings = program.program.model_copy(update={"name": name})
    return program.model_copy(update={"program": rules})


def company(term: Term, out: Path, private: str | None = None) -> dict:
    """The demo program as two departments: itself, and a copy under another name with
    `private` made private."""
    first = term.roster()
    second = renamed(term.roster(private=private), "Platform & Data")
    parts = [Part(p, term.statuses(p), term.today, {}) for p in (first, second)]
    build_company_report("Acme mentoring", parts, out)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_across_two_programs_the_shares_hold_and_the_counts_add_up(
    term: Term, tmp_path: Path
) -> None:
    alone = term.report(tmp_path / "alone").figures
    report = company(term, tmp_path / "company")
    assert report["program"] == "Acme mentoring"
    assert report["totals"]["pairings"] == 2 * alone.pairings
    assert report["totals"]["mentor_changes"] == 2 * alone.mentor_changes
    figures = report["figures"]
    assert figures["meeting_consistently"] == {
        "count": 2 * alone.meeting_consistently.count,
        "of": 2 * alone.meeting_consistently.of,
        "share": alone.meeting_consistently.share,
    }
    assert Share(**{k: figures["completed_term"][k] for k in ("count", "of")}) == Share(
        2 * alone.completed_term.count, 2 * alone.completed_term.of
    )
    assert [(p["program"], p["folder"], p["pairings"]) for p in report["programs"]] == [
        (term.program.program.name, "platform-engineering-mentorship-demo", alone.pairings),
        ("Platform & Data", "platform-data", alone.pairings),
    ]


def test_a_private_pairing_of_one_program_is_counted_but_never_named(
    term: Term, tmp_path: Path
) -> None:
    out = tmp_path / "company"
    report = company(term, out, private=RETURNED)
    assert report["totals"]["private"] == 1
    assert report["totals"]["listed"] == report["totals"]["pairings"] - 1
    named = [(p["program"], p["id"]) for p in report["pairings"] if p["id"] == RETURNED]
    assert named == [(term.program.program.name, RETURNED)]
    rows = list(csv.DictReader(io.StringIO((out / "pairings.csv").read_text())))
    assert [r["program"] for r in rows if r["id"] == RETURNED] == [term.program.program.name]
    assert not (out / "platform-data" / "pairings" / f"{RETURNED}.html").exists()


def test_every_link_of_the_company_index_leads_to_a_file_it_wrote(
    term: Term, tmp_path: Path
) -> None:
    out = tmp_path / "company"
    report = company(term, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert set(links) == {
        "report.json",
        "pairings.csv",
        "platform-engineering-mentorship-demo/index.html",
        "platform-data/index.html",
    }
    for link in links:
        assert (out / link).is_file(), link
    for pairing in report["pairings"]:
        assert (out / pairing["page"]).is_file()
    assert "Platform &amp; Data</a>" in index
    assert index.count("<svg") == 4

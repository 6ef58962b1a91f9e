"""Several programs as one company, end to end: two departments on the sandbox forge, one
speaking GitLab's API and one GitHub's, read by `mentorship report` and `mentorship history`
with repeated --config options or a programs file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.commands.demo import sandbox_cast
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start

ENGINEERING = """\
program:
  name: Engineering mentoring
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge:
  {{kind: sandbox, flavour: gitlab, url: "{url}", project: acme/engineering, bot: mentorship-bot}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
  - {{mentor: alice, mentee: carol, start: 2026-01-05}}
"""
DESIGN = """\
program:
  name: Design mentoring
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge:
  {{kind: sandbox, flavour: github, url: "{url}", project: acme/design, bot: mentorship-bot}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: dave, name: Dave, roles: [mentee]}}
  - {{handle: erin, name: Erin, roles: [mentor]}}
  - {{handle: frank, name: Frank, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: dave, start: 2026-01-05}}
  - {{mentor: erin, mentee: frank, start: 2026-01-05, private: true}}
"""
TODAY = "2026-01-20"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start() as running:
        yield running


@pytest.fixture(scope="module")
def company(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two department folders, each program's first night applied, and a programs file."""
    root = tmp_path_factory.mktemp("company")
    sandbox.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
    for folder, roster in (("engineering", ENGINEERING), ("design", DESIGN)):
        path = root / folder / "program.yml"
        path.parent.mkdir()
        path.write_text(roster.format(url=sandbox.url))
        sandbox.register_users(*sandbox_cast(load_program(path)))
        assert run("apply", "--config", str(path), "--today", "2026-01-05")[0] == 0
    (root / "programs.yml").write_text(
        "name: Acme mentoring\nprograms:\n  - engineering/program.yml\n"
        "  - config: design/program.yml\n    secret_env: DESIGN_SECRET\n"
    )
    sandbox.set_clock(datetime(2026, 1, 20, 9, tzinfo=UTC))
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def configs(company: Path) -> list[str]:
    return [
        "--config",
        str(company / "engineering" / "program.yml"),
        "--config",
        str(company / "design" / "program.yml"),
    ]


def report_of(*args: str, out: Path) -> dict:
    code, stdout, stderr = run("report", *args, "--today", TODAY, "--out", str(out))
    assert code == 0, stderr
    assert stdout.endswith(f"open {out / 'index.html'}\n")
    return json.loads((out / "report.json").read_text())


def test_company_report_counts_every_program_and_names_each_pairings_program(
    company: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    report = report_of("--programs", str(company / "programs.yml"), out=out)
    assert report["program"] == "Acme mentoring"
    assert report["totals"]["pairings"] == 4
    assert report["totals"]["private"] == 1
    assert report["totals"]["listed"] == 3
    assert report["totals"]["by_phase"]["active"] == 4
    assert [
        (p["program"], p["folder"], p["pairings"], p["running"]) for p in report["programs"]
    ] == [
        ("Engineering mentoring", "engineering-mentoring", 2, 2),
        ("Design mentoring", "design-mentoring", 2, 2),
    ]
    assert [(p["program"], p["mentee"], p["page"]) for p in report["pairings"]] == [
        (
            "Engineering mentoring",
            "bob",
            "engineering-mentoring/pairings/alice--bob--2026-01-05.html",
        ),
        (
            "Engineering mentoring",
            "carol",
            "engineering-mentoring/pairings/alice--carol--2026-01-05.html",
        ),
        ("Design mentoring", "dave", "design-mentoring/pairings/alice--dave--2026-01-05.html"),
    ]
    for pairing in report["pairings"]:
        assert (out / pairing["page"]).is_file()
    rows = list(csv.DictReader(io.StringIO((out / "pairings.csv").read_text())))
    assert next(iter(rows[0])) == "program"
    assert [(r["program"], r["mentee"]) for r in rows] == [
        ("Engineering mentoring", "bob"),
        ("Engineering mentoring", "carol"),
        ("Design mentoring", "dave"),
    ]


def test_company_index_shows_the_shares_and_links_each_programs_own_report(
    company: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    report_of(*configs(company), out=out)
    index = (out / "index.html").read_text()
    assert "<h1>Mentorship programs</h1>" in index  # no programs file: the default title
    assert "2 programs,\n4 pairings,\n4 running." in index
    assert '<a href="engineering-mentoring/index.html">Engineering mentoring</a>' in index
    assert '<a href="design-mentoring/index.html">Design mentoring</a>' in index
    assert '<td class="num">50%</td>' in index  # each program's share of the pairings
    assert "frank" not in index
    assert (out / "design-mentoring" / "index.html").is_file()


def test_each_programs_folder_holds_the_report_it_would_have_alone(
    company: Path, tmp_path: Path
) -> None:
    report_of(*configs(company), out=tmp_path / "company")
    for folder, name in (("engineering", "engineering-mentoring"), ("design", "design-mentoring")):
        alone = tmp_path / folder
        report_of("--config", str(company / folder / "program.yml"), out=alone)
        files = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
        assert files
        for file in files:
            assert (tmp_path / "company" / name / file).read_bytes() == (alone / file).read_bytes()


def test_company_report_costs_what_the_programs_reports_cost_together(
    company: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    alone = 0
    for folder in ("engineering", "design"):
        sandbox.reset_counts()
        report_of("--config", str(company / folder / "program.yml"), out=tmp_path / folder)
        alone += sandbox.request_counts()["reads"]
    sandbox.reset_counts()
    report_of(*configs(company), out=tmp_path / "company")
    counts = sandbox.request_counts()
    assert counts["writes"] == 0
    assert counts["reads"] == alone


def test_history_finds_a_mentor_in_both_departments(company: Path) -> None:
    code, out, err = run(
        "history", "alice", *configs(company), "--today", TODAY, "--format", "json"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["programs"] == ["Engineering mentoring", "Design mentoring"]
    assert [(t["program"], t["partner"]["handle"]) for t in record["terms"]] == [
        ("Design mentoring", "dave"),
        ("Engineering mentoring", "bob"),
        ("Engineering mentoring", "carol"),
    ]
    code, out, _ = run("history", "alice", "--programs", str(company / "programs.yml"))
    assert code == 0
    assert out.startswith(
        "# Mentoring history: Alice (alice)\n\nAcme mentoring. As mentor: 3 terms"
    )
    assert "| program | mentee | term |" in out
    assert "| Design mentoring | Dave (dave) | 2026-01-05 to 2026-07-05 |" in out


def test_history_of_someone_in_one_department_reads_only_that_programs_forge(
    company: Path, sandbox: RunningSandbox
) -> None:
    sandbox.reset_counts()
    code, out, _ = run("history", "frank", *configs(company), "--today", TODAY, "--format", "json")
    assert code == 0
    assert json.loads(out)["private_terms"] == {"mentee": 1}
    routes = sandbox.request_counts()["by_route"]
    assert routes
    assert not [route for route in routes if "/api/v4/" in route]  # Engineering speaks GitLab


def test_history_of_a_stranger_looks_in_every_program(company: Path) -> None:
    code, _, err = run("history", "dav", *configs(company))
    assert code == 1
    assert err == "Error: 'dav' is not a person in any of the 2 programs; did you mean 'dave'?\n"


def test_the_company_report_says_each_program_as_it_reads_it(company: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, stdout, stderr = run("report", *configs(company), "--today", TODAY, "--out", str(out))
    assert code == 0
    assert stderr.splitlines() == [
        "reading 1 of 2: Engineering mentoring (2 pairings, acme/engineering)",
        "reading 2 of 2: Design mentoring (2 pairings, acme/design)",
        # On GitHub, as for one program: the ledger is trusted only when signed.
        "warning: $MENTORSHIP_SECRET is not set: anyone with write access to the repository "
        "can edit the bot's ledger; set it (a repository secret) so the bot signs its ledger "
        "and believes no other",
    ]
    files = sum(1 for path in out.rglob("*") if path.is_file())
    assert stdout == f"wrote {files} files to {out} for 2 programs; open {out / 'index.html'}\n"


def test_either_a_programs_file_or_configs(company: Path) -> None:
    code, _, err = run("report", "--programs", str(company / "programs.yml"), *configs(company)[:2])
    assert code == 2
    assert "give either --programs or --config, not both" in err

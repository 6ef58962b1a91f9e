"""A request for a mentor from the shipped form to its pairing, on both forges through the
real clients: acknowledged, answered by a pairing of the roster, closed with a link."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import requests
import yaml

from automation.commands.init import FORM_FILES, SCAFFOLD
from automation.forge import Forge, RetryPolicy, connect
from automation.lifecycle import markers
from automation.messages.templates import Templates
from automation.model import Draft, IssueState
from automation.night.observe import read
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.roster.request import LABELS
from automation.sandbox import RunningSandbox, start

ROOT = Path(__file__).resolve().parent.parent
FORMS = ("mentorship", "mentorship-request", "mentorship-offer")  # the labels the forms apply
ASKED = date(2026, 3, 2)
ROSTER = """\
program:
  name: Request test
  coordinators: [coco]
  requests: {{propose_changes: {propose}}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/requests,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor], topics: [kubernetes]}}
  - {{handle: dana, roles: [mentee]}}
pairings:
{pairings}"""


def roster(flavour: str, url: str, pairings: str = "  []\n", *, propose: bool = False) -> str:
    return ROSTER.format(flavour=flavour, url=url, pairings=pairings, propose=str(propose).lower())


def program(flavour: str, url: str, pairings: str = "  []\n") -> Program:
    return parse_program(roster(flavour, url, pairings), Path("program.yml"))


def form_body(flavour: str) -> tuple[str, tuple[str, ...]]:
    """What the shipped form leaves in a new issue: its body, and the labels GitHub's form
    sets itself (GitLab's template sets them with quick actions in the body)."""
    if flavour == "gitlab":
        template = (SCAFFOLD / "gitlab-request.md").read_text(encoding="utf-8")
        body = template.replace("<!-- What you would like help with", "kubernetes\n<!--")
        return body, ()
    form = yaml.safe_load((SCAFFOLD / "github-request.yml").read_text(encoding="utf-8"))
    answers = {"topics": "kubernetes", "goals": "Run the cluster upgrade", "timezone": "UTC"}
    # GitHub renders an issue form as a heading per field and the answer below it.
    sections = [
        f"### {field['attributes']['label']}\n\n{answers.get(field.get('id', ''), '_No response_')}"
        for field in form["body"]
        if field["type"] != "markdown"
    ]
    return "\n\n".join(sections), tuple(form["labels"])


def filled_form(flavour: str, answers: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The shipped form with `answers` (by field: the keys of request.LABELS) written under
    their headings, as a person leaves it; the labels GitHub's form sets itself."""
    if flavour == "gitlab":
        body = (SCAFFOLD / "gitlab-request.md").read_text(encoding="utf-8")
        if "mode" in answers:
            body = body.replace("\nEither\n", "\n")  # the template's default answer
        for field, answer in answers.items():
            heading = f"### {LABELS[field]}\n"
            body = body.replace(heading, f"{heading}\n{answer}\n", 1)
        return body, ()
    form = yaml.safe_load((SCAFFOLD / "github-request.yml").read_text(encoding="utf-8"))
    by_label = {label: field for field, label in LABELS.items()}
    sections = [
        f"### {label}\n\n{answers.get(by_label[label], '_No response_')}"
        for item in form["body"]
        if item["type"] != "markdown" and (label := item["attributes"]["label"])
    ]
    return "\n\n".join(sections), tuple(form["labels"])


def converged(sandbox: RunningSandbox, bot: Forge, day: date, roster: Program) -> list[str]:
    """The keys of the night's writes on `day`, after which nothing is left to do."""
    sandbox.set_clock(datetime.combine(day, time(23), UTC))
    report = run_day(bot, roster, day, Templates())
    assert report.failed == []
    assert plan_day(bot, roster, day, Templates()) == []
    return [o.action.key for o in report.outcomes]


def bot_and(roster: Program, login: str) -> tuple[Forge, Forge]:
    """The bot and a person, on the program's forge, with no retries."""
    policy = RetryPolicy(retries=0)
    return (
        connect(roster.forge, {}, policy),
        connect(roster.forge, {"SANDBOX_TOKEN": login}, policy),
    )


@pytest.fixture(params=["gitlab", "github"])
def flavour(request: pytest.FixtureRequest) -> Iterator[tuple[str, RunningSandbox]]:
    with start(users=["mentorship-bot", "alice", "dana", "coco"]) as sandbox:
        yield request.param, sandbox


def test_a_request_from_the_form_is_acknowledged_then_answered_by_its_pairing(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    waiting = program(name, sandbox.url)
    bot, dana = bot_and(waiting, "dana")

    night = functools.partial(converged, sandbox, bot)

    # A form applies labels that exist (GitLab's quick actions never create one): the
    # program's first night creates them.
    assert night(ASKED - timedelta(days=1), waiting)[:3] == [f"label/{x}" for x in FORMS]
    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    body, labels = form_body(name)
    asked = dana.create_issue(Draft("Mentorship request", body, labels))
    assert "mentorship-request" in bot.get_issue(asked.number).labels
    number = asked.number
    written = night(ASKED, waiting)
    [proposal] = [k for k in written if k.startswith(f"request/{number}/proposal/")]
    assert written[:3] == [f"request/{number}/received", proposal, f"request/{number}/labels"]
    assert "mentorship-request::proposed" in bot.get_issue(number).labels
    [proposed] = [
        c.body
        for c in bot.list_issue_comments(number)
        if (m := markers.find(c.body)) and m.key == proposal
    ]
    assert "`alice`" in proposed
    assert "mentee: dana" in proposed
    assert "@alice" not in proposed
    assert night(ASKED + timedelta(days=1), waiting) == []

    # The coordinators match dana with alice: program.yml gets the pairing, naming it.
    start_day = ASKED + timedelta(days=14)
    pairing = f"  - {{mentor: alice, mentee: dana, start: {start_day}, request: {number}}}\n"
    answered = program(name, sandbox.url, pairing)
    written = night(start_day, answered)
    assert "pair/alice--dana--2026-03-16/pairing" in written
    request = bot.get_issue(number)
    assert request.state is IssueState.CLOSED
    assert "mentorship-request::matched" in request.labels
    [said] = [
        c.body
        for c in bot.list_issue_comments(number)
        if (m := markers.find(c.body)) and m.key == f"request/{number}/matched"
    ]
    pairing_issue = next(i for i in bot.list_issues() if i.title == "Mentorship: dana & alice")
    assert f"[#{pairing_issue.number}]({pairing_issue.url})" in said
    # The dashboard no longer lists it; the program's ledger keeps no queue.
    assert night(start_day + timedelta(days=1), answered) == []


def label_reads(sandbox: RunningSandbox) -> int:
    """Listings of the project's labels since the counts were last reset."""
    routes = sandbox.request_counts()["by_route"]
    return sum(
        n for route, n in routes.items() if route.startswith("GET ") and route.endswith("/labels")
    )


def test_the_first_night_creates_the_labels_of_the_forms_and_then_reads_them_no_more(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    waiting = program(name, sandbox.url)
    bot, dana = bot_and(waiting, "dana")
    assert not set(FORMS) & bot.label_names()  # a new project

    # The first night lists the project's labels once and creates the three, first.
    first = ASKED - timedelta(days=1)
    sandbox.reset_counts()
    written = converged(sandbox, bot, first, waiting)
    assert written[:3] == [f"label/{label}" for label in FORMS]
    assert label_reads(sandbox) == 1  # the plan after the night finds them in the ledger
    shown = _labels(sandbox, name)
    assert {label: shown[label][0] for label in FORMS} == {
        "mentorship": "1f75cb",
        "mentorship-request": "108548",
        "mentorship-offer": "6b4fbb",
    }
    assert shown["mentorship-request"][1] == "Someone asks for a mentor (the request form)"

    # A request opened through the form afterwards carries its labels, and is seen.
    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    body, labels = form_body(name)
    number = dana.create_issue(Draft("Mentorship request", body, labels)).number
    assert {"mentorship", "mentorship-request"} <= set(bot.get_issue(number).labels)
    sandbox.reset_counts()
    written = converged(sandbox, bot, ASKED, waiting)
    assert f"request/{number}/received" in written
    assert not [key for key in written if key.startswith("label/")]
    assert label_reads(sandbox) == 0  # the ledger records them: no read for them

    # A quiet night: a handful of reads, none of them for labels, and no write.
    sandbox.set_clock(datetime.combine(ASKED + timedelta(days=1), time(23), UTC))
    sandbox.reset_counts()
    report = run_day(bot, waiting, ASKED + timedelta(days=1), Templates())
    counts = sandbox.request_counts()
    assert (report.outcomes, counts["writes"], label_reads(sandbox)) == ((), 0, 0)
    assert counts["reads"] <= 5


def test_a_label_made_whose_answer_was_lost_is_read_back_as_done(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    waiting = program(name, sandbox.url)
    bot = connect(waiting.forge, {}, RetryPolicy(retries=0))
    # The forge makes the first label, and the answer never comes back.
    sandbox.inject_fault(method="POST", path="/labels$", drop_response=True, times=1)
    sandbox.set_clock(datetime.combine(ASKED, time(23), UTC))

    report = run_day(bot, waiting, ASKED, Templates())

    assert report.failed == []
    [lost] = [o for o in report.outcomes if o.checks]
    assert (lost.action.key, lost.detail) == (
        "label/mentorship",
        "the answer was lost; read back: done",
    )
    assert set(FORMS) <= bot.label_names()
    assert plan_day(bot, waiting, ASKED, Templates()) == []


def _labels(sandbox: RunningSandbox, flavour: str) -> dict[str, tuple[str, str]]:
    """The project's labels as the forge shows them: name -> (colour, description)."""
    if flavour == "gitlab":
        url = f"{sandbox.url}/api/v4/projects/acme%2Frequests/labels"
        headers = {"Authorization": "Bearer mentorship-bot"}
    else:
        url = f"{sandbox.url}/api/v3/repos/acme/requests/labels"
        headers = {"Authorization": "token mentorship-bot"}
    answer = requests.get(url, params={"per_page": 100}, headers=headers, timeout=5)
    answer.raise_for_status()
    return {
        label["name"]: (label["color"].removeprefix("#").lower(), label["description"])
        for label in answer.json()
    }


def roster_reads(sandbox: RunningSandbox) -> dict[str, int]:
    """Reads of program.yml, of the merge/pull requests and of comparisons since the counts
    were last reset."""
    routes = sandbox.request_counts()["by_route"]
    kinds = {"files": ("/files/", "/contents/"), "requests": ("/merge_requests", "/pulls")}
    kinds["compare"] = ("/compare",)
    return {
        kind: sum(
            n
            for route, n in routes.items()
            if route.startswith("GET ") and any(part in route for part in parts)
        )
        for kind, parts in kinds.items()
    }


def test_a_proposal_is_a_merge_request_whose_merge_opens_the_pairing(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    text = roster(name, sandbox.url, propose=True)
    sandbox.put_file(name, "acme/requests", "program.yml", text)
    bot, dana = bot_and(program(name, sandbox.url), "dana")

    def night(day: date) -> tuple[Program, list[str]]:
        """A nightly run on program.yml as the default branch holds it that day."""
        sandbox.set_clock(datetime.combine(day, time(23), UTC))
        found = bot.read_file("program.yml")
        assert found is not None
        roster = parse_program(found.text, Path("program.yml"))
        report = run_day(bot, roster, day, Templates())
        assert report.failed == []
        assert plan_day(bot, roster, day, Templates()) == []
        return roster, [o.action.key for o in report.outcomes]

    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    made = bot.create_issue(Draft("Labels", "", ("mentorship", "mentorship-request")))
    bot.relabel(made.number, (), ("mentorship", "mentorship-request"))
    body, labels = form_body(name)
    number = dana.create_issue(Draft("Mentorship request", body, labels)).number
    _, written = night(ASKED)
    assert "roster/proposal" in written
    change = bot.find_change_request("mentorship/roster")
    assert change is not None
    assert change.title == "Mentorship: 1 proposed pairing"
    assert f"#{number}" in change.body
    branch = bot.read_file("program.yml", "mentorship/roster")
    assert branch is not None
    proposed = parse_program(branch.text, Path("program.yml"))
    [pairing] = proposed.pairings
    assert (pairing.mentor, pairing.mentee, pairing.request) == ("alice", "dana", number)
    # The program's own lines are kept: the change only adds the pairing.
    assert branch.text.startswith(text.split("pairings:")[0])
    # Nothing new the next night: the merge request already shows the proposal. The run and
    # the plan after it each read program.yml on both branches, the requests open from the
    # proposal branch, and whether that branch holds anything but the bot's program.yml
    # (the test reads program.yml once more itself).
    sandbox.reset_counts()
    assert night(ASKED + timedelta(days=1))[1] == []
    assert roster_reads(sandbox) == {"files": 1 + 2 * 2, "requests": 2, "compare": 2}

    sandbox.register_users("coco", access="maintain")  # a coordinator may merge
    sandbox.merge(name, "acme/requests", change.number, by="coco")
    merged, written = night(pairing.start)
    assert merged.pairings == proposed.pairings
    assert f"pair/{pairing.id}/pairing" in written
    assert bot.get_issue(number).state is IssueState.CLOSED
    assert bot.find_change_request("mentorship/roster") is None
    assert night(pairing.start + timedelta(days=1))[1] == []


PLANTED = ".github/workflows/evil.yml"
WORKFLOW = "on: pull_request_target\njobs: {x: {runs-on: ubuntu-latest, steps: [{run: env}]}}\n"


def asked_on(name: str, sandbox: RunningSandbox, writer: str) -> tuple[Program, Forge, Forge]:
    """A program proposing its changes, a request asked on ASKED at 10:00, and a writer
    (push access: GitHub write, GitLab Developer) besides the bot; the clock at 09:00."""
    text = roster(name, sandbox.url, propose=True)
    sandbox.put_file(name, "acme/requests", "program.yml", text)
    sandbox.register_users(writer, access="write")
    roster_ = parse_program(text, Path("program.yml"))
    bot, dana = bot_and(roster_, "dana")
    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    made = bot.create_issue(Draft("Labels", "", ("mentorship", "mentorship-request")))
    bot.relabel(made.number, (), ("mentorship", "mentorship-request"))
    body, labels = form_body(name)
    dana.create_issue(Draft("Mentorship request", body, labels))
    sandbox.set_clock(datetime.combine(ASKED, time(9), UTC))
    return roster_, bot, bot_and(roster_, writer)[1]


def test_a_commit_a_writer_pushed_to_the_proposal_branch_never_reaches_the_default_branch(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    roster_, bot, mallory = asked_on(name, sandbox, "mallory")
    # Before the bot's first write, a writer pushes a workflow of theirs to its branch.
    mallory.put_branch_file("mentorship/roster", PLANTED, WORKFLOW, "tidy", base="main")

    assert "roster/proposal" in converged(sandbox, bot, ASKED, roster_)
    change = bot.find_change_request("mentorship/roster")
    assert change is not None
    assert change.author == "mentorship-bot"
    assert bot.read_file(PLANTED, "mentorship/roster") is None
    sandbox.register_users("coco", access="maintain")
    sandbox.merge(name, "acme/requests", change.number, by="coco")
    assert bot.read_file(PLANTED) is None
    merged = bot.read_file("program.yml")
    assert merged is not None
    assert "mentee: dana" in merged.text


def test_a_commit_pushed_onto_the_bots_proposal_is_dropped_the_next_night(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    roster_, bot, _ = asked_on(name, sandbox, "mallory")
    assert "roster/proposal" in converged(sandbox, bot, ASKED, roster_)
    change = bot.find_change_request("mentorship/roster")
    assert change is not None
    # After the bot's write, a writer pushes onto its branch: program.yml is still the
    # bot's and so are the request's title and description.
    sandbox.put_file(name, "acme/requests", PLANTED, WORKFLOW, branch="mentorship/roster")

    assert converged(sandbox, bot, ASKED + timedelta(days=1), roster_) == ["roster/proposal"]

    assert bot.read_file(PLANTED, "mentorship/roster") is None
    kept = bot.find_change_request("mentorship/roster")
    assert kept is not None
    assert (kept.number, kept.title, kept.body) == (change.number, change.title, change.body)
    sandbox.register_users("coco", access="maintain")
    sandbox.merge(name, "acme/requests", change.number, by="coco")
    assert bot.read_file(PLANTED) is None


def test_a_request_a_person_opened_from_the_proposal_branch_is_left_alone_and_reported(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    roster_, bot, mallory = asked_on(name, sandbox, "mallory")
    mallory.put_branch_file("mentorship/roster", PLANTED, WORKFLOW, "tidy", base="main")
    theirs = mallory.open_change_request("mentorship/roster", "main", "WIP", "mine")
    sandbox.set_clock(datetime.combine(ASKED, time(23), UTC))

    report = run_day(bot, roster_, ASKED, Templates())

    [failed] = report.failed
    assert failed.action.key == "roster/proposal"
    assert failed.detail == (
        f"the roster proposal was not written: #{theirs.number} by mallory ({theirs.url}) is "
        "open from mentorship/roster, the bot's proposal branch, and is not the bot's; the bot "
        "neither edits it nor rewrites the branch under it: close it (a person's change to "
        "program.yml goes on a branch of its own), and protect the proposal branch so that "
        "only the bot pushes there"
    )
    [still] = bot.open_change_requests("mentorship/roster")
    assert (still.number, still.title, still.body, still.head) == (
        theirs.number,
        "WIP",
        "mine",
        theirs.head,
    )
    assert bot.find_change_request("mentorship/roster") is None
    # Once it is closed, the next night proposes on a branch of the bot's alone.
    mallory.close_change_request(theirs.number)
    assert "roster/proposal" in converged(sandbox, bot, ASKED + timedelta(days=1), roster_)
    mine = bot.find_change_request("mentorship/roster")
    assert mine is not None
    assert mine.number != theirs.number
    assert bot.read_file(PLANTED, "mentorship/roster") is None


def test_this_repository_ships_the_forms_init_writes() -> None:
    for files in FORM_FILES.values():
        for target, source in files.items():
            assert (ROOT / target).read_bytes() == (SCAFFOLD / source).read_bytes(), target


def test_answers_that_cannot_be_read_are_said_to_the_asker_and_shown_to_coordinators(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    sandbox.register_users("bob")
    text = roster(name, sandbox.url).replace(
        "  - {handle: dana",
        "  - {handle: bob, roles: [mentor], topics: [kubernetes]}\n  - {handle: dana",
    )
    waiting = parse_program(text, Path("program.yml"))
    bot, dana = bot_and(waiting, "dana")
    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    made = bot.create_issue(Draft("Labels", "", ("mentorship", "mentorship-request")))
    bot.relabel(made.number, (), ("mentorship", "mentorship-request"))
    answers = {
        "topics": "kubernetes",
        "timezone": "Berlin time",
        "mode": "sometimes",
        "avoid": "Alice, @@@, my manager @coco",
    }
    number = dana.create_issue(Draft("Mentorship request", *filled_form(name, answers))).number

    sandbox.set_clock(datetime.combine(ASKED, time(23), UTC))
    report = run_day(bot, waiting, ASKED, Templates())
    assert report.failed == []
    assert plan_day(bot, waiting, ASKED, Templates()) == []
    comments = {
        m.key: c.body for c in bot.list_issue_comments(number) if (m := markers.find(c.body))
    }
    # Alice, written with a capital, is avoided: bob is proposed.
    [proposal] = [body for key, body in comments.items() if "/proposal/" in key]
    assert "`bob`" in proposal
    assert "alice" not in proposal.casefold()
    received = comments[f"request/{number}/received"]
    # The asker's words are quoted inert: nobody is notified, no heading is opened.
    assert "@coco" not in received
    assert "\n###" not in received
    shown = received.replace("\u200b", "")  # the zero-width spaces that make them inert
    assert "Some answers could not be read" in shown
    assert "'### Time zone': unknown time zone 'Berlin time'" in shown
    assert "'### Sync or async': 'sometimes' is not one of sync, async or either" in shown
    assert "'@@@' is not a username" in shown
    assert "'my manager @coco' is not a username" in shown
    dashboard = next(i for i in bot.list_issues() if i.title == "Request test: dashboard")
    assert (
        f"- #{number} from dana: 0 days; answers not read: Time zone, Sync or async, "
        "People to avoid"
    ) in dashboard.body


CARLA = """\
program:
  name: Case test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/requests,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor], topics: [kubernetes]}}
  - {{handle: bob, roles: [mentor], topics: [kubernetes]}}
  - {{handle: carla, roles: [mentee], manager: ALICE}}
pairings:
{pairings}"""


def test_a_login_in_another_case_than_program_yml_is_the_same_person(
    flavour: tuple[str, RunningSandbox],
) -> None:
    name, sandbox = flavour
    sandbox.register_users("Carla", "bob")  # the account's login has a capital
    waiting = parse_program(CARLA.format(flavour=name, url=sandbox.url, pairings="  []\n"))
    bot, carla = bot_and(waiting, "Carla")

    night = functools.partial(converged, sandbox, bot)

    sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
    made = bot.create_issue(Draft("Labels", "", ("mentorship", "mentorship-request")))
    bot.relabel(made.number, (), ("mentorship", "mentorship-request"))
    number = carla.create_issue(
        Draft("Mentorship request", *filled_form(name, {"topics": "kubernetes"}))
    ).number
    assert bot.get_issue(number).author == "Carla"
    night(ASKED, waiting)
    [proposal] = [
        c.body
        for c in bot.list_issue_comments(number)
        if (m := markers.find(c.body)) and "/proposal/" in m.key
    ]
    # Her manager, written ALICE, is not proposed; the lines name her as people: does.
    assert "`bob`" in proposal
    assert "mentee: carla" in proposal
    assert "handle: Carla" not in proposal

    start_day = ASKED + timedelta(days=14)
    pairing = f"  - {{mentor: bob, mentee: carla, start: {start_day}, request: {number}}}\n"
    paired = parse_program(CARLA.format(flavour=name, url=sandbox.url, pairings=pairing))
    written = night(start_day, paired)
    key = f"pair/bob--carla--{start_day}/pairing"
    assert key in written
    issue = next(i for i in bot.list_issues() if i.title == "Mentorship: carla & bob")
    assert set(issue.assignees) == {"Carla", "bob"}
    assert bot.get_issue(number).state is IssueState.CLOSED

    sandbox.set_clock(datetime.combine(start_day + timedelta(days=1), time(9), UTC))
    carla.comment(issue.number, "Hello! When shall we meet?")
    observed = read(bot, paired, start_day + timedelta(days=1))
    pid = f"bob--carla--{start_day}"
    assert observed.spoke[pid] == "carla"
    assert pid in observed.activity
    assert observed.turns[pid].waiting == "mentor"  # her question waits for bob


MALLORY = """\
program:
  name: Request test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/requests,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor], topics: [kubernetes]}}
  - {{handle: mallory, roles: [mentor], topics: [golang]}}
  - {{handle: dana, roles: [mentee]}}
pairings: []
"""


@pytest.mark.parametrize("name", ["github"])
def test_a_request_someone_else_rewrote_is_read_as_its_author_wrote_it(name: str) -> None:
    # On GitHub anyone with write access may edit any issue: mallory takes herself off
    # dana's avoid list and gives the request her own topic.
    with start(users=["mentorship-bot", "alice", "dana", "mallory"]) as sandbox:
        roster = parse_program(MALLORY.format(flavour=name, url=sandbox.url))
        bot, dana = bot_and(roster, "dana")
        _, mallory = bot_and(roster, "mallory")
        night = functools.partial(converged, sandbox, bot)
        night(ASKED - timedelta(days=1), roster)  # the forms' labels
        sandbox.set_clock(datetime.combine(ASKED, time(10), UTC))
        answers = {"topics": "kubernetes", "avoid": "mallory"}
        number = dana.create_issue(Draft("Mentorship request", *filled_form(name, answers))).number
        night(ASKED, roster)
        sandbox.set_clock(datetime.combine(ASKED + timedelta(days=1), time(10), UTC))
        body = bot.get_issue(number).body
        mallory.edit_issue_body(
            number, body.replace("kubernetes", "golang").replace("mallory", "_No response_")
        )

        assert night(ASKED + timedelta(days=1), roster) == []
        proposals = [
            c.body
            for c in bot.list_issue_comments(number)
            if (m := markers.find(c.body)) and "/proposal/" in m.key
        ]
        assert len(proposals) == 1
        assert "`alice`" in proposals[0]

        # Her own edit is hers: dana asks for golang, and gets mallory proposed after all.
        sandbox.set_clock(datetime.combine(ASKED + timedelta(days=2), time(10), UTC))
        mine, _ = filled_form(name, {"topics": "golang", "goals": "Write a CLI"})
        dana.edit_issue_body(number, mine)
        written = night(ASKED + timedelta(days=2), roster)
        assert any("/proposal/" in key for key in written)

"""`mentorship doctor` on the sandbox: exact output, exit codes and request counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner

from automation.cli import main
from automation.commands.demo import PROGRAM, sandbox_cast
from automation.forge import connect
from automation.messages.templates import Templates
from automation.night.run import run_day
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start

HEADER = "check         status   found"


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSandbox]:
    with start() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running: RunningSandbox) -> RunningSandbox:
    running.reset()
    return running


def write(path: Path, sandbox: RunningSandbox, flavour: str, extra_people: str = "") -> Path:
    """The demo's program.yml, its forge this sandbox, optionally with more people."""
    text = PROGRAM.format(flavour=flavour, port=0, state="unused", config="unused")
    text = text.replace("http://127.0.0.1:0", sandbox.url)
    text = text.replace("pairings:\n", f"{extra_people}pairings:\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def form_labels(
    sandbox: RunningSandbox,
    flavour: str,
    project: str = "acme/mentoring",
    by: str = "mentorship-bot",
) -> None:
    """Create the labels the request and offer forms apply, once, as the README says."""
    for name in ("mentorship", "mentorship-request", "mentorship-offer"):
        if flavour == "gitlab":
            url = f"{sandbox.url}/api/v4/projects/{project.replace('/', '%2F')}/labels"
            body = {"name": name, "color": "#6699cc"}
            headers = {"Authorization": f"Bearer {by}"}
        else:
            url = f"{sandbox.url}/api/v3/repos/{project}/labels"
            body = {"name": name, "color": "ededed"}
            headers = {"Authorization": f"token {by}"}
        requests.post(url, json=body, headers=headers, timeout=5).raise_for_status()


def doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["doctor", *args], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_the_demos_program_passes(sandbox: RunningSandbox, tmp_path: Path, flavour: str) -> None:
    config = write(tmp_path / "program.yml", sandbox, flavour)
    sandbox.register_users(*sandbox_cast(load_program(config)))
    form_labels(sandbox, flavour)
    sandbox.reset_counts()

    code, output = doctor("--config", str(config))

    gitlab_rows = [
        "writes        ok       role Developer (30), scope api: may create issues and "
        "comments, label and assign",
        "confidential  ok       may create and read confidential issues",
    ]
    github_rows = [
        "writes        ok       role push: may create issues and comments, label and assign",
        "private       ok       acme/mentoring is private",
    ]
    assert code == 0
    assert output.splitlines() == [
        f"{config}: sandbox project acme/mentoring at {sandbox.url}",
        HEADER,
        "token         ok       the token in $SANDBOX_TOKEN is mentorship-bot's",
        "bot           ok       the bot writes as mentorship-bot",
        "project       ok       acme/mentoring answers; private",
        *(gitlab_rows if flavour == "gitlab" else github_rows),
        "people        ok       every handle can be assigned in acme/mentoring (8 people)",
        "labels        ok       3 of 23 labels exist; the token creates the others on first use",
        "all 7 checks passed",
    ]
    assert sandbox.request_counts()["writes"] == 0


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_an_unknown_handle_and_one_without_a_role_fail_naming_their_lines(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    more = "  - {handle: ghost, roles: [mentee]}\n  - {handle: outsider, roles: [mentee]}\n"
    config = write(tmp_path / "program.yml", sandbox, flavour, more)
    program = load_program(config)
    sandbox.register_users(*sandbox_cast(program)[:-2])  # not ghost, not outsider
    sandbox.register_users("outsider", access="none")
    form_labels(sandbox, flavour)

    code, output = doctor("--config", str(config))

    lines = output.splitlines()
    people = lines.index(next(line for line in lines if line.startswith("people")))
    indent = " " * 23
    assert code == 1
    assert lines[people : people + 4] == [
        "people        FAIL     2 of 10 handles cannot be assigned in acme/mentoring:",
        f"{indent}{config}:25: people[8].handle: 'ghost': no such user",
        f"{indent}{config}:26: people[9].handle: 'outsider': has no role there",
        f"{indent}fix: correct each handle in program.yml, or give them a role in "
        "acme/mentoring (GitLab: a member; GitHub: read access or more)",
    ]
    assert lines[-1] == "1 of 7 checks failed: fix them and run mentorship doctor again"


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_a_handle_written_in_another_case_than_the_login_can_be_assigned(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    more = "  - {handle: carla, roles: [mentee]}\n"
    config = write(tmp_path / "program.yml", sandbox, flavour, more)
    sandbox.register_users(*sandbox_cast(load_program(config))[:-1], "Carla")
    form_labels(sandbox, flavour)

    code, output = doctor("--config", str(config))

    assert "people        ok       every handle can be assigned in acme/mentoring (9 people)" in (
        output.splitlines()
    )
    assert code == 0, output


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_a_new_project_warns_until_the_first_night_creates_the_labels_of_the_forms(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    config = write(tmp_path / "program.yml", sandbox, flavour)
    sandbox.register_users(*sandbox_cast(load_program(config)))

    code, output = doctor("--config", str(config))

    # The nightly run creates them (its token may), so CI stays green; a request opened
    # through a form before that run is not labelled, which the warning says.
    indent = " " * 23
    assert code == 0
    assert output.splitlines()[-5:] == [
        "labels        warning  0 of 23 labels exist; the request and offer forms apply only "
        "labels that exist, and these do not: mentorship, mentorship-request, mentorship-offer",
        f"{indent}the next nightly run creates them; a request opened through a form before "
        "then is not labelled, and the run does not see it",
        f"{indent}the token creates the others on first use",
        f"{indent}fix: let the nightly run (or `mentorship apply`) run before people use the "
        "forms; if they were deleted after a run made them, it does not make them again: "
        "create the labels mentorship, mentorship-request, mentorship-offer in acme/mentoring",
        "all 7 checks passed, 1 with a warning",
    ]


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_after_the_first_night_the_labels_of_the_forms_exist(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    config = write(tmp_path / "program.yml", sandbox, flavour)
    program = load_program(config)
    sandbox.register_users(*sandbox_cast(program))
    sandbox.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
    run_day(connect(program.forge, {}), program, date(2026, 1, 5), Templates())

    code, output = doctor("--config", str(config))

    assert code == 0
    [labels] = [line for line in output.splitlines() if line.startswith("labels")]
    assert labels.startswith("labels        ok       ")
    assert "the request and offer forms" not in labels


def test_a_bot_that_is_not_the_tokens_user_fails(sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = write(tmp_path / "program.yml", sandbox, "gitlab")
    sandbox.register_users(*sandbox_cast(load_program(config)), "someone-else")

    code, output = doctor("--config", str(config), env={"SANDBOX_TOKEN": "someone-else"})

    assert code == 1
    assert output.splitlines()[2:5] == [
        "token         ok       the token in $SANDBOX_TOKEN is someone-else's",
        "bot           FAIL     forge.bot is mentorship-bot, but the token is someone-else's",
        "                       fix: set forge.bot: someone-else in program.yml, or use "
        "mentorship-bot's token",
    ]


def test_a_guest_token_may_not_label_or_make_issues_confidential(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    config = write(tmp_path / "program.yml", sandbox, "gitlab")
    sandbox.register_users(*sandbox_cast(load_program(config)))
    sandbox.register_users("mentorship-bot", access="read")

    code, output = doctor("--config", str(config))

    indent = " " * 23
    assert code == 1
    assert output.splitlines()[5:] == [
        "writes        FAIL     role Guest (10), scope api: may not label, assign or close issues",
        f"{indent}fix: give the token's user the Reporter role (GitHub: triage) or higher in "
        "acme/mentoring",
        "confidential  FAIL     role Guest (10): may not label, close or read the confidential "
        "issues it opens for others",
        f"{indent}fix: give the token's user the Reporter role or higher in acme/mentoring",
        "people        ok       every handle can be assigned in acme/mentoring (8 people)",
        "labels        FAIL     0 of 23 labels exist; the request and offer forms apply only "
        "labels that exist, and these do not: mentorship, mentorship-request, mentorship-offer",
        f"{indent}missing: mentorship::active, "
        "mentorship::ending-soon, mentorship::completed, mentorship::ended-early, "
        "mentorship::retrospective, mentorship-check-in, mentorship-stalled, "
        "mentorship-extended, mentorship-pace::on-track, mentorship-pace::behind, "
        "mentorship-awaiting::mentor, mentorship-awaiting::mentee, "
        "mentorship::ledger, mentorship::dashboard, "
        "mentorship-request::waiting, mentorship-request::proposed, "
        "mentorship-request::matched, mentorship-request::withdrawn, "
        "mentorship-request::expired, mentorship-offer::acknowledged",
        f"{indent}the token may not create labels",
        f"{indent}fix: create the labels mentorship, mentorship-request, mentorship-offer in "
        "acme/mentoring; create the missing labels in the project, or give the token's user "
        "the Reporter role (GitHub: write) or higher",
        "3 of 7 checks failed: fix them and run mentorship doctor again",
    ]


def test_an_actions_token_on_a_public_repository(sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = write(tmp_path / "program.yml", sandbox, "github")
    config.write_text(
        config.read_text().replace("bot: mentorship-bot", 'bot: "github-actions[bot]"')
    )
    sandbox.register_users(*sandbox_cast(load_program(config)))
    sandbox.register_users("github-actions[bot]")
    form_labels(sandbox, "github", by="alice")
    requests.patch(
        f"{sandbox.url}/api/v3/repos/acme/mentoring",
        json={"private": False},
        headers={"Authorization": "token alice"},
        timeout=5,
    )

    code, output = doctor("--config", str(config))

    indent = " " * 23
    assert code == 0
    assert output.splitlines()[2:] == [
        "token         ok       it works, but cannot say whose it is (a GitHub App or Actions "
        "token)",
        "bot           warning  forge.bot is github-actions[bot], as every workflow's token "
        "writes: anyone with write access can push a workflow that writes as the bot",
        f'{indent}fix: make the bot a GitHub App of its own (README, "Running it in CI", GitHub)',
        "project       ok       acme/mentoring answers; public",
        "writes        warning  the forge does not report an app token's role in the repository",
        f"{indent}fix: in Actions the workflow's permissions decide: nightly.yml grants issues: "
        "write",
        "private       warning  acme/mentoring is public: GitHub has no confidential issues, so "
        "goals are public",
        f"{indent}fix: make the repository private (Settings > General > Danger Zone)",
        "people        ok       every handle can be assigned in acme/mentoring (8 people)",
        "labels        warning  3 of 23 labels exist; missing: mentorship::active, "
        "mentorship::ending-soon, mentorship::completed, mentorship::ended-early, "
        "mentorship::retrospective, mentorship-check-in, mentorship-stalled, "
        "mentorship-extended, mentorship-pace::on-track, mentorship-pace::behind, "
        "mentorship-awaiting::mentor, mentorship-awaiting::mentee, "
        "mentorship::ledger, mentorship::dashboard, "
        "mentorship-request::waiting, mentorship-request::proposed, "
        "mentorship-request::matched, mentorship-request::withdrawn, "
        "mentorship-request::expired, mentorship-offer::acknowledged",
        f"{indent}the token may not create labels",
        f"{indent}fix: create the missing labels in the project, or give the token's user the "
        "Reporter role (GitHub: write) or higher",
        "all 7 checks passed, 4 with a warning",
    ]


def test_without_its_token_variable_doctor_fails_or_skips_when_told(tmp_path: Path) -> None:
    config = tmp_path / "program.yml"
    config.write_text("forge: {kind: gitlab, project: acme/mentoring}\n", encoding="utf-8")

    code, output = doctor("--config", str(config), env={"GITLAB_TOKEN": ""})
    skipped, note = doctor(
        "--config", str(config), "--skip-without-token", env={"GITLAB_TOKEN": ""}
    )

    assert code == 1
    assert output.splitlines() == [
        f"{config}: gitlab project acme/mentoring at https://gitlab.com",
        HEADER,
        "token         FAIL     $GITLAB_TOKEN is not set",
        "                       fix: put the gitlab token in that environment variable "
        "(forge.token_env in program.yml names it)",
        "1 of 1 checks failed: fix them and run mentorship doctor again",
    ]
    assert (skipped, note) == (0, "mentorship doctor: $GITLAB_TOKEN is not set here; skipped\n")


def test_a_wrong_forge_url_stops_at_the_token(sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = write(tmp_path / "program.yml", sandbox, "gitlab")
    config.write_text(config.read_text().replace(sandbox.url, f"{sandbox.url}/nowhere"))

    code, output = doctor("--config", str(config))

    assert code == 1
    assert output.splitlines()[2:] == [
        "token         FAIL     GitLab answered 404 to GET /user",
        f"                       fix: not found, and {sandbox.url}/nowhere does not answer like "
        f"a GitLab API (GET {sandbox.url}/nowhere/api/v4/version did not answer); set forge.url "
        "to the address of the GitLab instance, such as https://gitlab.com, without /api/v4",
        "1 of 1 checks failed: fix them and run mentorship doctor again",
    ]


PEOPLE = 100


@pytest.mark.parametrize(("flavour", "sent"), [("gitlab", 6), ("github", 5)])
def test_a_hundred_people_cost_a_handful_of_requests(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str, sent: int
) -> None:
    people = "".join(f"  - {{handle: person-{n:03}, roles: [mentee]}}\n" for n in range(PEOPLE))
    config = tmp_path / "program.yml"
    config.write_text(
        f"forge: {{kind: sandbox, flavour: {flavour}, url: '{sandbox.url}', "
        "project: acme/big, bot: mentorship-bot}\n"
        f"people:\n{people}",
        encoding="utf-8",
    )
    sandbox.register_users(*sandbox_cast(load_program(config)))
    form_labels(sandbox, flavour, "acme/big")
    sandbox.reset_counts()

    code, output = doctor("--config", str(config))

    counts = sandbox.request_counts()
    assert code == 0, output
    assert f"every handle can be assigned in acme/big ({PEOPLE} people)" in output
    # 101 logins with a role (the people and the bot): two pages of 100 on either forge
    listing = {
        "gitlab": "GET /api/v4/projects/:id/members/all",
        "github": ("GET /api/v3/repos/:owner/:repo/assignees"),
    }[flavour]
    assert counts["by_route"][listing] == 2
    assert (counts["total"], counts["writes"]) == (sent, 0)


def test_a_read_only_gitlab_token_fails_with_exactly_these_requests(tmp_path: Path) -> None:
    api = "https://gitlab.example.com/api/v4"
    project = f"{api}/projects/acme%2Fmentoring"
    config = tmp_path / "program.yml"
    config.write_text(
        "program: {confidential: false}\n"
        "forge: {kind: gitlab, url: 'https://gitlab.example.com', project: acme/mentoring}\n"
        "people:\n  - {handle: alice, roles: [mentor]}\n",
        encoding="utf-8",
    )
    member = {"id": 2, "username": "alice", "state": "active", "access_level": 30}
    with responses.RequestsMock() as mock:
        mock.get(f"{api}/user", json={"id": 1, "username": "mentorship-bot"})
        mock.get(
            project,
            json={
                "visibility": "private",
                "permissions": {"project_access": None, "group_access": {"access_level": 40}},
            },
        )
        mock.get(f"{api}/personal_access_tokens/self", json={"scopes": ["read_api"]})
        mock.get(f"{project}/members/all", json=[member])
        mock.get(f"{project}/labels", json=[{"name": "mentorship"}])

        code, output = doctor("--config", str(config), env={"GITLAB_TOKEN": "glpat-x"})

        sent = [call.request.url for call in mock.calls]
    assert code == 1
    assert output.splitlines()[2:] == [
        "token         ok       the token in $GITLAB_TOKEN is mentorship-bot's",
        "bot           ok       the bot writes as mentorship-bot",
        "project       ok       acme/mentoring answers; private",
        "writes        FAIL     the token's scopes are read_api: it may not write",
        "                       fix: create a token with the api scope",
        "people        ok       every handle can be assigned in acme/mentoring (1 person)",
        "labels        FAIL     1 of 23 labels exist; the request and offer forms apply only "
        "labels that exist, and these do not: mentorship-request, mentorship-offer",
        "                       the token creates the others on first use",
        "                       fix: create them once: glab label create --name "
        "mentorship-request --repo acme/mentoring && glab label create --name mentorship-offer "
        "--repo acme/mentoring",
        "2 of 6 checks failed: fix them and run mentorship doctor again",
    ]
    assert sent == [
        f"{api}/user",
        project,
        f"{api}/personal_access_tokens/self",
        f"{project}/members/all?per_page=100",
        f"{project}/labels?per_page=100",
    ]

"""The people a night assigns, on the sandbox through the real clients: GitLab, which
assigns by user id, learns the ids of everyone its new issues assign in one GraphQL query a
hundred people, not a `GET /users?username=` each; GitHub, which assigns by login, asks
nothing."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

import pytest

from automation.commands.demo import sandbox_cast
from automation.forge import Forge, RetryPolicy, connect
from automation.forge.base import ForgeError
from automation.lifecycle import markers
from automation.messages.templates import Templates
from automation.model import Issue
from automation.night.run import run_day
from automation.roster.config import parse_program
from automation.sandbox import RunningSandbox, start

DAY = date(2026, 3, 2)
PAIRINGS = 75  # 150 people, none of whom the forge has listed yet
GRAPHQL = "POST /api/graphql"
LOOKUP = "GET /api/v4/users"


def roster(flavour: str, url: str) -> str:
    people = [
        f"  - {{handle: {role}{n}, roles: [{role}]}}"
        for n in range(PAIRINGS)
        for role in ("mentor", "mentee")
    ]
    pairings = [
        f"  - {{mentor: mentor{n}, mentee: mentee{n}, start: {DAY.isoformat()}}}"
        for n in range(PAIRINGS)
    ]
    return "\n".join(
        [
            "program: {name: Assignees, safety_threshold: 1000}",
            f'forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/a, '
            "bot: mentorship-bot}",
            "people:",
            *people,
            "pairings:",
            *pairings,
            "",
        ]
    )


class Unbatched:
    """The adapter, without learning the night's people ahead of its writes."""

    def __init__(self, forge: Forge) -> None:
        self._forge = forge

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forge, name)

    def know_users(self, logins: Sequence[str]) -> None:
        pass


class Refused(Unbatched):
    """The adapter, with its batched read of the night's people refused (GraphQL off)."""

    def know_users(self, logins: Sequence[str]) -> None:
        raise ForgeError("GitLab answered 404 to POST graphql", status=404)


def first_night(
    sandbox: RunningSandbox, flavour: str, *, batched: bool = True, refused: bool = False
) -> tuple[dict[str, Any], dict[tuple[str, str], Issue]]:
    """The request counts of a program's first night, and the pairing issues it opened by
    (mentee, mentor)."""
    program = parse_program(roster(flavour, sandbox.url), Path("program.yml"))
    sandbox.register_users(*sandbox_cast(program))
    sandbox.set_clock(datetime.combine(DAY, time(23), UTC))
    bot = connect(program.forge, {}, RetryPolicy(retries=0))
    sandbox.reset_counts()

    night = bot if batched else cast(Forge, (Refused if refused else Unbatched)(bot))
    report = run_day(night, program, DAY, Templates())

    counts = sandbox.request_counts()
    assert report.failed == []
    issues = {
        marker.key: issue
        for issue in bot.list_issues()
        if (marker := markers.find(issue.body)) is not None
    }
    return counts, {(p.mentee, p.mentor): issues[f"pair/{p.id}/pairing"] for p in program.pairings}


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start() as running:
        yield running


def reads(counts: dict[str, Any]) -> dict[str, int]:
    return {
        route: n for route, n in counts["by_route"].items() if route.startswith(("GET", GRAPHQL))
    }


@pytest.mark.parametrize(
    ("batched", "refused"),
    [(True, False), (False, False), (False, True)],
    ids=["batched", "a lookup a person", "the batch refused: a lookup a person"],
)
def test_gitlab_learns_a_first_nights_people_in_a_graphql_query_a_hundred(
    sandbox: RunningSandbox, batched: bool, refused: bool
) -> None:
    counts, opened = first_night(sandbox, "gitlab", batched=batched, refused=refused)

    # the night's listings (the ledger, the program's issues, check-ins, comments, the
    # project's labels, which a first night creates the forms' ones from, and the listing
    # after it opens issues), and the people its 75 pairing issues assign: 150 nobody
    # listed yet, in 2 queries (100 and 50), or one `GET /users?username=` each
    people = 2 * PAIRINGS
    listings = {
        "GET /api/v4/projects/:id/events": 1,
        "GET /api/v4/projects/:id/issues": 6,
        "GET /api/v4/projects/:id/labels": 1,
    }
    if batched:
        assert reads(counts) == listings | {GRAPHQL: math.ceil(people / 100)}
        assert counts["reads"] == 10
    else:
        assert reads(counts) == listings | {LOOKUP: people}
        assert counts["reads"] == 158
    assert len(opened) == PAIRINGS
    for (mentee, mentor), issue in opened.items():
        assert set(issue.assignees) == {mentee, mentor}


def test_github_asks_nothing_about_the_people_it_assigns(sandbox: RunningSandbox) -> None:
    counts, opened = first_night(sandbox, "github")

    # the same listings as on GitLab, nothing more
    assert reads(counts) == {
        "GET /api/v3/repos/:owner/:repo/issues/comments": 1,
        "GET /api/v3/repos/:owner/:repo/issues": 6,
        "GET /api/v3/repos/:owner/:repo/labels": 1,
    }
    assert counts["reads"] == 8
    assert len(opened) == PAIRINGS
    for (mentee, mentor), issue in opened.items():
        assert set(issue.assignees) == {mentee, mentor}

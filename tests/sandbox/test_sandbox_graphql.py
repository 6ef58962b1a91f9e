"""The sandbox's GraphQL: the documents it reads, GitHub's aliased issue revisions,
GitLab's issues by iid with their notes and its users by username, all on `/api/graphql`,
counted as reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from automation.sandbox import RunningSandbox, start
from automation.sandbox.graphql import Field, GraphQLError, parse

BODY = "<!-- mentorship:boxes -->\n- [ ] We met this period\n<!-- /mentorship:boxes -->\n"
TICKED = BODY.replace("[ ]", "[x]")
EDITS = "userContentEdits(last: 100) { nodes { editedAt diff editor { login } } }"
NOTES = (
    "query($path: ID!, $iids: [String!], $after: String) { project(fullPath: $path) { "
    "issues(iids: $iids) { nodes { iid notes(first: 2, after: $after) { pageInfo { "
    "hasNextPage endCursor } nodes { body system author { username } createdAt } } } } } }"
)
USERS = (
    "query($names: [String!], $first: Int, $after: String) { users(usernames: $names, "
    "first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id username } } }"
)
# the GitLab adapter's query
USER_IDS = (
    "query($names: [String!]) { users(usernames: $names, first: 100) { nodes { id username } } }"
)


# ---------------------------------------------------------------- documents


def test_a_document_is_read_into_fields_with_aliases_arguments_and_variables() -> None:
    document = """
        query Edits($owner: String!, $tags: [String!] = ["a"]) { # a comment
          repository(owner: $owner, name: "b\\"c") {
            i3: issue(number: 3) { title, labels(first: 1, states: [OPEN, CLOSED]) { x } }
          }
        }
    """
    (repository,) = parse(document, {"owner": "acme"})
    assert repository == Field(
        "repository",
        None,
        (("owner", "acme"), ("name", 'b"c')),
        (
            Field(
                "issue",
                "i3",
                (("number", 3),),
                (
                    Field("title", None),
                    Field(
                        "labels",
                        None,
                        (("first", 1), ("states", ["OPEN", "CLOSED"])),
                        (Field("x", None),),
                    ),
                ),
            ),
        ),
    )
    assert repository.selections[0].key == "i3"
    assert parse("{ a(on: true, off: false, none: null) }")[0].arguments == (
        ("on", True),
        ("off", False),
        ("none", None),
    )


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        ("query($n: Int!) { a(n: $n) }", {}, "Variable $n of a non-null type was given no value"),
        ("{ a(n: $n) }", {}, "Variable $n is used but not declared"),
        ("mutation { a }", {}, "the sandbox answers queries only, not mutation"),
        ("{ ...f }", {}, "the sandbox reads no fragments or directives"),
        ("{ a } { b }", {}, "the sandbox answers a document of one operation only"),
        ("{ a(", {}, "Parse error on end of document"),
        ("{ a ; }", {}, "Parse error on '; }'"),
    ],
)
def test_a_document_the_sandbox_cannot_read_is_an_error(
    document: str, variables: dict[str, Any], message: str
) -> None:
    with pytest.raises(GraphQLError) as caught:
        parse(document, variables)
    assert str(caught.value).startswith(message)


# ---------------------------------------------------------------- the forges


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=["bot", "dana"]) as running:
        running.set_clock(datetime(2026, 3, 2, 12, tzinfo=UTC))
        yield running


def _post(sandbox: RunningSandbox, headers: dict[str, str], query: str, **variables: Any) -> Any:
    answer = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 200
    return answer.json()


def _github(sandbox: RunningSandbox, user: str, method: str, path: str, **data: Any) -> Any:
    url = f"{sandbox.url}/api/v3/repos/acme/b{path}"
    headers = {"Authorization": f"token {user}"}
    return requests.request(method, url, json=data, headers=headers, timeout=10).json()


def _gitlab(sandbox: RunningSandbox, user: str, method: str, path: str, **data: Any) -> Any:
    url = f"{sandbox.url}/api/v4/projects/acme%2Fb{path}"
    headers = {"PRIVATE-TOKEN": user}
    return requests.request(method, url, json=data, headers=headers, timeout=10).json()


GITHUB = {"Authorization": "token bot"}
GITLAB = {"PRIVATE-TOKEN": "bot"}


def test_github_answers_each_aliased_issue_under_its_alias(sandbox: RunningSandbox) -> None:
    edited = _github(sandbox, "bot", "POST", "/issues", title="t", body=BODY)["number"]
    _github(sandbox, "dana", "PATCH", f"/issues/{edited}", body=TICKED)
    plain = _github(sandbox, "bot", "POST", "/issues", title="u", body=BODY)["number"]
    query = (
        "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { "
        f"i{edited}: issue(number: {edited}) {{ {EDITS} }} "
        f"i{plain}: issue(number: {plain}) {{ number {EDITS} }} }} }}"
    )
    sandbox.reset_counts()

    answer = _post(sandbox, GITHUB, query, owner="acme", name="b")

    assert answer == {
        "data": {
            "repository": {
                f"i{edited}": {
                    "userContentEdits": {
                        "nodes": [
                            {
                                "editedAt": "2026-03-02T12:00:00Z",
                                "diff": TICKED,
                                "editor": {"login": "dana"},
                            },
                            {
                                "editedAt": "2026-03-02T12:00:00Z",
                                "diff": BODY,
                                "editor": {"login": "bot"},
                            },
                        ]
                    }
                },
                f"i{plain}": {"number": plain, "userContentEdits": {"nodes": []}},
            }
        }
    }
    counts = sandbox.request_counts()
    assert (counts["reads"], counts["writes"]) == (1, 0)
    assert counts["by_route"] == {"POST /api/graphql": 1}


def test_github_answers_a_missing_issue_null_with_a_not_found_error(
    sandbox: RunningSandbox,
) -> None:
    number = _github(sandbox, "bot", "POST", "/issues", title="t", body=BODY)["number"]
    query = (
        'query { repository(owner: "acme", name: "b") { '
        f"a: issue(number: {number}) {{ number }} b: issue(number: 99) {{ number }} }} }}"
    )
    assert _post(sandbox, GITHUB, query) == {
        "data": {"repository": {"a": {"number": number}, "b": None}},
        "errors": [
            {
                "type": "NOT_FOUND",
                "path": ["repository", "b"],
                "message": "Could not resolve to an issue with the number of 99.",
            }
        ],
    }


def test_github_refuses_more_than_100_nodes_a_connection_and_unknown_fields(
    sandbox: RunningSandbox,
) -> None:
    number = _github(sandbox, "bot", "POST", "/issues", title="t", body=BODY)["number"]
    too_many = (
        f'{{ repository(owner: "acme", name: "b") {{ issue(number: {number}) {{ '
        "userContentEdits(last: 101) { nodes { diff } } } } }"
    )
    assert _post(sandbox, GITHUB, too_many) == {
        "errors": [
            {
                "message": "Requesting 101 records on the `userContentEdits` connection exceeds "
                "the `last` limit of 100 records."
            }
        ]
    }
    unknown = '{ repository(owner: "acme", name: "b") { stars } }'
    assert _post(sandbox, GITHUB, unknown) == {
        "errors": [{"message": "Field 'stars' doesn't exist on type 'Repository'"}]
    }


def test_gitlab_answers_issues_by_iid_with_their_notes_oldest_first(
    sandbox: RunningSandbox,
) -> None:
    first = _gitlab(sandbox, "bot", "POST", "/issues", title="t", description=BODY)["iid"]
    second = _gitlab(sandbox, "bot", "POST", "/issues", title="u", description=BODY)["iid"]
    sandbox.advance(timedelta(minutes=5))
    _gitlab(sandbox, "dana", "PUT", f"/issues/{first}", description=TICKED)
    sandbox.advance(timedelta(minutes=5))
    _gitlab(sandbox, "dana", "POST", f"/issues/{first}/notes", body="met on Tuesday")
    sandbox.reset_counts()

    answer = _post(sandbox, GITLAB, NOTES, path="acme/b", iids=[str(first), str(second), "99"])

    (newer, older) = answer["data"]["project"]["issues"]["nodes"]  # newest first
    assert (newer["iid"], older["iid"]) == (str(second), str(first))
    assert newer["notes"] == {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
    notes = older["notes"]
    assert notes["nodes"] == [
        {
            "body": "marked the checklist item **We met this period** as completed",
            "system": True,
            "author": {"username": "dana"},
            "createdAt": "2026-03-02T12:05:00Z",
        },
        {
            "body": "met on Tuesday",
            "system": False,
            "author": {"username": "dana"},
            "createdAt": "2026-03-02T12:10:00Z",
        },
    ]
    counts = sandbox.request_counts()
    assert (counts["reads"], counts["writes"]) == (1, 0)
    assert counts["by_route"] == {"POST /api/graphql": 1}


def test_gitlab_pages_notes_forward_with_first_and_after(sandbox: RunningSandbox) -> None:
    iid = _gitlab(sandbox, "bot", "POST", "/issues", title="t", description=BODY)["iid"]
    for n in range(3):
        _gitlab(sandbox, "dana", "POST", f"/issues/{iid}/notes", body=f"note {n}")

    def page(after: str | None) -> dict[str, Any]:
        answer = _post(sandbox, GITLAB, NOTES, path="acme/b", iids=[str(iid)], after=after)
        (issue,) = answer["data"]["project"]["issues"]["nodes"]
        notes: dict[str, Any] = issue["notes"]
        return notes

    one = page(None)
    assert [n["body"] for n in one["nodes"]] == ["note 0", "note 1"]
    assert one["pageInfo"]["hasNextPage"] is True
    two = page(one["pageInfo"]["endCursor"])
    assert [n["body"] for n in two["nodes"]] == ["note 2"]
    assert two["pageInfo"]["hasNextPage"] is False


def test_gitlab_graphql_errors_and_authentication(sandbox: RunningSandbox) -> None:
    _gitlab(sandbox, "bot", "POST", "/issues", title="t", description=BODY)
    unknown = '{ project(fullPath: "acme/b") { issues(iids: ["1"]) { nodes { weight } } } }'
    assert _post(sandbox, GITLAB, unknown) == {
        "errors": [{"message": "Field 'weight' doesn't exist on type 'Issue'"}]
    }
    answer = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": '{ project(fullPath: "acme/b") { fullPath } }'},
        headers={"PRIVATE-TOKEN": "nobody"},
        timeout=10,
    )
    assert (answer.status_code, answer.json()) == (401, {"message": "401 Unauthorized"})


def _users_named(sandbox: RunningSandbox, login: str) -> list[dict[str, Any]]:
    """GitLab's REST lookup, `GET /users?username=`."""
    answer = requests.get(
        f"{sandbox.url}/api/v4/users", params={"username": login}, headers=GITLAB, timeout=10
    )
    found: list[dict[str, Any]] = answer.json()
    return found


def _rest_id(sandbox: RunningSandbox, login: str) -> int:
    (user,) = _users_named(sandbox, login)
    return int(user["id"])


def test_gitlab_answers_the_users_that_exist_with_global_ids_of_their_rest_ids(
    sandbox: RunningSandbox,
) -> None:
    sandbox.register_users("erin", access="none")  # an account without a role exists too
    ids = {login: _rest_id(sandbox, login) for login in ("bot", "dana", "erin")}
    sandbox.reset_counts()

    # `Dana` is `dana`, answered once: a username is matched as `GET /users?username=`
    # matches it, in any case (UsersFinder#by_username: `User.by_username`, an `iwhere`)
    names = ["erin", "ghost", "dana", "Dana", "dana"]
    answer = _post(sandbox, GITLAB, USER_IDS, names=names)

    nodes = [
        {"id": f"gid://gitlab/User/{ids['dana']}", "username": "dana"},
        {"id": f"gid://gitlab/User/{ids['erin']}", "username": "erin"},
    ]
    assert answer == {"data": {"users": {"nodes": nodes}}}
    assert _post(sandbox, GITLAB, USER_IDS, names=["ghost"]) == {"data": {"users": {"nodes": []}}}
    counts = sandbox.request_counts()
    assert (counts["reads"], counts["writes"]) == (2, 0)
    assert counts["by_route"] == {"POST /api/graphql": 2}
    # the REST lookup's rule, followed above
    assert [u["username"] for u in _users_named(sandbox, "Dana")] == ["dana"]


def test_gitlab_answers_at_most_100_users_a_page(sandbox: RunningSandbox) -> None:
    logins = [f"person{n:03}" for n in range(120)]
    sandbox.register_users(*logins)

    one = _post(sandbox, GITLAB, USERS, names=logins, first=500)["data"]["users"]
    assert [n["username"] for n in one["nodes"]] == logins[:100]
    assert one["pageInfo"]["hasNextPage"] is True
    two = _post(sandbox, GITLAB, USERS, names=logins, after=one["pageInfo"]["endCursor"])
    assert [n["username"] for n in two["data"]["users"]["nodes"]] == logins[100:]


def test_gitlab_users_are_asked_by_usernames_with_gitlab_tokens(sandbox: RunningSandbox) -> None:
    assert _post(sandbox, GITLAB, "{ users { nodes { id } } }") == {
        "errors": [{"message": "the sandbox lists users by `usernames` only"}]
    }
    assert _post(sandbox, GITLAB, '{ users(usernames: ["dana"]) { nodes { email } } }') == {
        "errors": [{"message": "Field 'email' doesn't exist on type 'UserCore'"}]
    }
    answer = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": '{ users(usernames: ["dana"]) { nodes { id } } }'},
        headers={"PRIVATE-TOKEN": "nobody"},
        timeout=10,
    )
    assert (answer.status_code, answer.json()) == (401, {"message": "401 Unauthorized"})

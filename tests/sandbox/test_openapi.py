"""Every GitHub operation the sandbox serves, checked against GitHub's OpenAPI description.

`data/github-openapi-subset.json` holds the response schemas of those operations as published
in `@octokit/openapi` (written by `scripts/extract_github_schemas.py`). Each case drives the
sandbox over real HTTP and validates the JSON body against the schema the description gives
for that operation and status, with JSON Schema 2020-12 after translating OpenAPI 3.0's
`nullable`.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from automation.sandbox import RunningSandbox, SandboxAdmin, github_api
from automation.sandbox.github_shapes import PREFIX

SUBSET_PATH = Path(__file__).parent / "data" / "github-openapi-subset.json"
SUBSET: dict[str, Any] = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))
OPERATIONS: dict[str, Any] = SUBSET["operations"]
SUBSET_URI = "urn:github-openapi-subset"
JSON_TYPE = "application/json; charset=utf-8"

# -- OpenAPI 3.0 schema objects as JSON Schema 2020-12 -----------------------------------

_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf")


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema 2020-12.

    `nullable: true` admits null whatever else the schema says: `type` gains "null", an
    `enum` gains None (GitHub's `state_reason` lists only its strings, yet is null on open
    issues), and a schema without `type` (a `$ref`, `anyOf`...) becomes `anyOf` it or null.
    A 3.1-style `type: [x, "null"]` is already JSON Schema and passes through unchanged.

    `oneOf` becomes `anyOf`: the description offers alternatives that overlap (a 409 from
    repos/create-or-update-file-contents is `basic-error` or `repository-rule-violation-
    error`, both of optional keys only), so no body could match exactly one of them.
    """
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            converted[key] = {name: json_schema(sub) for name, sub in value.items()}
        elif key in _SCHEMA_VALUES:
            converted["anyOf" if key == "oneOf" else key] = json_schema(value)
        else:
            converted[key] = value
    if not converted.pop("nullable", False):
        return converted
    if "type" not in converted:
        return {"anyOf": [converted, {"type": "null"}]}
    types = converted["type"] if isinstance(converted["type"], list) else [converted["type"]]
    converted["type"] = [*types, "null"] if "null" not in types else types
    if "enum" in converted and None not in converted["enum"]:
        converted["enum"] = [*converted["enum"], None]
    return converted


def _document(subset: dict[str, Any]) -> dict[str, Any]:
    operations = {
        key: {
            **operation,
            "responses": {
                status: {
                    **response,
                    "content": {
                        media: json_schema(schema)
                        for media, schema in response.get("content", {}).items()
                    },
                }
                for status, response in operation["responses"].items()
            },
        }
        for key, operation in subset["operations"].items()
    }
    schemas = {
        name: json_schema(schema) for name, schema in subset["components"]["schemas"].items()
    }
    return {"operations": operations, "components": {"schemas": schemas}}


REGISTRY: Registry[Any] = Registry().with_resource(
    SUBSET_URI, DRAFT202012.create_resource(_document(SUBSET))
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    datetime.fromisoformat(value)
    return True


@FORMATS.checks("uri")
def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


def _pointer(*parts: str) -> str:
    return "".join("/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


def validator(operation: str, status: int, media: str = "application/json") -> Any:
    """A validator for one response body: the description's schema, references resolved."""
    where = _pointer("operations", operation, "responses", str(status), "content", media)
    return Draft202012Validator(
        {"$ref": f"{SUBSET_URI}#{where}"}, registry=REGISTRY, format_checker=FORMATS
    )


def problems(operation: str, status: int, body: Any) -> list[str]:
    errors = validator(operation, status).iter_errors(body)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors)


# -- the sandbox, over plain HTTP --------------------------------------------------------


@dataclass
class Http:
    """Requests to one repository of the sandbox, authenticated as `bot` unless told."""

    api: str
    repo: str
    session: requests.Session
    admin: SandboxAdmin

    def __call__(
        self, method: str, path: str, *, token: str | None = "bot", **kwargs: Any
    ) -> requests.Response:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            **kwargs.pop("headers", {}),
        }
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.api + path.replace("{r}", f"/repos/{self.repo}")
        return self.session.request(method, url, headers=headers, timeout=10, **kwargs)

    def faulty(self, method: str, path: str, status: int, **kwargs: Any) -> requests.Response:
        """The response to a request the sandbox was told to fail with `status`."""
        self.admin.inject_fault(method=method, path=re.escape(f"/repos/{self.repo}"), status=status)
        return self(method, path, **kwargs)

    def follow(self, url: str) -> requests.Response:
        """GET an absolute URL the sandbox handed out (a `Link`), as a client would."""
        return self.session.get(url, headers={"Authorization": "Bearer bot"}, timeout=10)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self(method, path, **kwargs)
        assert response.ok, response.text
        return response.json() if response.content else None

    def issue(self, title: str = "Pairing: alice and bob", **fields: Any) -> int:
        payload = {"title": title, **fields}
        number: int = self.ok("POST", "{r}/issues", json=payload)["number"]
        return number

    def comment(self, number: int, body: str = "Kickoff done") -> int:
        created = self.ok("POST", f"{{r}}/issues/{number}/comments", json={"body": body})
        comment_id: int = created["id"]
        return comment_id


_repos = itertools.count(1)


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[Http]:
    with requests.Session() as session:
        yield Http(f"{sandbox.url}/api/v3", f"octo/openapi-{next(_repos)}", session, sandbox)


def _populated(http: Http) -> int:
    """A repository with a labelled, assigned issue, a closed one and a few comments."""
    number = http.issue(
        body="## Goals\n\n- [ ] ship\n", labels=["mentorship", "mentorship::active"]
    )
    http.ok("PATCH", f"{{r}}/issues/{number}", json={"assignees": ["alice", "bob"]})
    closed = http.issue("Check-in 1", labels=["check-in"])
    http.ok("PATCH", f"{{r}}/issues/{closed}", json={"state": "closed"})
    http.comment(number)
    http.comment(number, "Second meeting")
    http.comment(closed, "Done")
    return number


# -- the cases: (operation, status) and how to provoke it --------------------------------

Send = Callable[[Http], requests.Response]


@dataclass(frozen=True)
class Case:
    operation: str
    status: int
    send: Send
    note: str = ""

    def __str__(self) -> str:
        return f"{self.operation} {self.status}{' ' + self.note if self.note else ''}"


R = "/repos/{owner}/{repo}"
ISSUE = f"{R}/issues/{{issue_number}}"


def _get_issue_closed(http: Http) -> requests.Response:
    number = http.issue(body=None, assignees=["alice"])
    http.comment(number)
    http.ok("PATCH", f"{{r}}/issues/{number}", json={"state": "closed"}, token="mentor")
    return http("GET", f"{{r}}/issues/{number}")


def _patch_issue(http: Http) -> requests.Response:
    number = http.issue(labels=["mentorship"])
    payload = {"state": "closed", "state_reason": "not_planned", "labels": ["retired"]}
    return http("PATCH", f"{{r}}/issues/{number}", json=payload)


def _reopen_issue(http: Http) -> requests.Response:
    number = http.issue()
    http.ok("PATCH", f"{{r}}/issues/{number}", json={"state": "closed"})
    return http("PATCH", f"{{r}}/issues/{number}", json={"state": "open"})


def _create_repo_label(http: Http) -> requests.Response:
    payload = {"name": "mentorship::active", "color": "1f883d", "description": "Running"}
    return http("POST", "{r}/labels", json=payload)


def _duplicate_label(http: Http) -> requests.Response:
    http.ok("POST", "{r}/labels", json={"name": "mentorship", "color": "ededed"})
    return http("POST", "{r}/labels", json={"name": "Mentorship", "color": "ededed"})


def _label_issue(http: Http) -> int:
    return http.issue(labels=["mentorship", "mentorship::active", "help wanted"])


def _get_repo(http: Http) -> requests.Response:
    http.issue()
    return http("GET", "{r}")


# listings ask for pages smaller than what they hold, so that they carry a `Link` header
def _list_issues(http: Http) -> requests.Response:
    _populated(http)
    return http("GET", "{r}/issues", params={"state": "all", "per_page": 1})


def _search_issues(http: Http) -> requests.Response:
    _populated(http)
    query = f'repo:{http.repo} is:issue in:title "Pairing" author:bot'
    return http("GET", "/search/issues", params={"q": query, "per_page": 1})


def _list_repo_comments(http: Http) -> requests.Response:
    _populated(http)
    return http("GET", "{r}/issues/comments", params={"per_page": 2})


def _list_labels(http: Http) -> requests.Response:
    _label_issue(http)
    return http("GET", "{r}/labels", params={"per_page": 2})


ISSUE_CASES: tuple[Case, ...] = (
    Case("GET /user", 200, lambda h: h("GET", "/user", token="mentor")),
    Case("GET /user", 401, lambda h: h("GET", "/user", token=None)),
    Case("GET /user", 401, lambda h: h("GET", "/user", token="never-registered"), "bad token"),
    Case("GET /user", 403, lambda h: h("GET", "/user", token="github-actions[bot]")),
    Case("GET /users/{username}", 200, lambda h: h("GET", "/users/alice")),
    Case("GET /users/{username}", 404, lambda h: h("GET", "/users/never-registered")),
    Case("GET /meta", 200, lambda h: h("GET", "/meta")),
    Case("GET /search/issues", 200, _search_issues),
    # a query the sandbox cannot answer: no `repo:` qualifier
    Case("GET /search/issues", 422, lambda h: h("GET", "/search/issues", params={"q": "bug"})),
    Case(f"GET {R}", 200, _get_repo),
    Case(f"GET {R}/assignees", 200, lambda h: h("GET", "{r}/assignees", params={"per_page": 2})),
    Case(f"GET {R}/assignees/{{assignee}}", 204, lambda h: h("GET", "{r}/assignees/alice")),
    Case(
        f"GET {R}/assignees/{{assignee}}",
        404,
        lambda h: h("GET", "{r}/assignees/never-registered"),
    ),
    Case(f"PATCH {R}", 200, lambda h: h("PATCH", "{r}", json={"visibility": "public"})),
    Case(f"GET {R}/issues", 200, _list_issues),
    Case(f"GET {R}/issues", 422, lambda h: h("GET", "{r}/issues", params={"state": "shut"})),
    Case(
        f"POST {R}/issues",
        201,
        lambda h: h(
            "POST",
            "{r}/issues",
            json={"title": "Pairing", "body": "Goals", "labels": ["a"], "assignees": ["bob"]},
        ),
    ),
    Case(f"POST {R}/issues", 400, lambda h: h("POST", "{r}/issues", data=b"{title")),
    Case(f"POST {R}/issues", 422, lambda h: h("POST", "{r}/issues", json={"body": "no title"})),
    Case(
        f"POST {R}/issues",
        422,
        lambda h: h("POST", "{r}/issues", json={"title": "t", "assignees": ["ghost"]}),
        "unknown assignee",
    ),
    Case(
        f"POST {R}/issues",
        403,
        lambda h: h.faulty("POST", "{r}/issues", 403, json={"title": "x"}),
        "secondary rate limit fault",
    ),
    Case(
        f"POST {R}/issues",
        503,
        lambda h: h.faulty("POST", "{r}/issues", 503, json={"title": "x"}),
        "fault",
    ),
    Case(f"GET {ISSUE}", 200, lambda h: h("GET", f"{{r}}/issues/{_populated(h)}"), "open"),
    Case(f"GET {ISSUE}", 200, _get_issue_closed, "closed"),
    Case(f"GET {ISSUE}", 404, lambda h: h("GET", "{r}/issues/999")),
    Case(f"PATCH {ISSUE}", 200, _patch_issue, "closed"),
    Case(f"PATCH {ISSUE}", 200, _reopen_issue, "reopened"),
    Case(f"PATCH {ISSUE}", 404, lambda h: h("PATCH", "{r}/issues/999", json={"title": "x"})),
    Case(
        f"PATCH {ISSUE}",
        422,
        lambda h: h("PATCH", f"{{r}}/issues/{h.issue()}", json={"state": "done"}),
    ),
    Case(
        f"POST {ISSUE}/labels",
        200,
        lambda h: h("POST", f"{{r}}/issues/{h.issue()}/labels", json={"labels": ["a", "b"]}),
    ),
    Case(f"POST {ISSUE}/labels", 404, lambda h: h("POST", "{r}/issues/999/labels", json=["a"])),
    Case(
        f"POST {ISSUE}/labels",
        422,
        lambda h: h("POST", f"{{r}}/issues/{h.issue()}/labels", json={"labels": [""]}),
    ),
    Case(
        f"PUT {ISSUE}/labels",
        200,
        lambda h: h("PUT", f"{{r}}/issues/{_label_issue(h)}/labels", json={"labels": ["x"]}),
    ),
    Case(f"PUT {ISSUE}/labels", 404, lambda h: h("PUT", "{r}/issues/999/labels", json=["a"])),
    Case(
        f"DELETE {ISSUE}/labels",
        204,
        lambda h: h("DELETE", f"{{r}}/issues/{_label_issue(h)}/labels"),
    ),
    Case(f"DELETE {ISSUE}/labels", 404, lambda h: h("DELETE", "{r}/issues/999/labels")),
    Case(
        f"DELETE {ISSUE}/labels/{{name}}",
        200,
        lambda h: h("DELETE", f"{{r}}/issues/{_label_issue(h)}/labels/mentorship::active"),
    ),
    Case(
        f"DELETE {ISSUE}/labels/{{name}}",
        404,
        lambda h: h("DELETE", f"{{r}}/issues/{h.issue()}/labels/absent"),
    ),
    Case(
        f"GET {ISSUE}/comments",
        200,
        lambda h: h("GET", f"{{r}}/issues/{_populated(h)}/comments", params={"per_page": 1}),
    ),
    Case(f"GET {ISSUE}/comments", 404, lambda h: h("GET", "{r}/issues/999/comments")),
    Case(
        f"POST {ISSUE}/comments",
        201,
        lambda h: h("POST", f"{{r}}/issues/{h.issue()}/comments", json={"body": "Hello"}),
    ),
    Case(
        f"POST {ISSUE}/comments",
        404,
        lambda h: h("POST", "{r}/issues/9/comments", json={"body": "x"}),
    ),
    Case(
        f"POST {ISSUE}/comments",
        403,
        lambda h: h.faulty("POST", "{r}/issues/1/comments", 403, json={"body": "x"}),
        "secondary rate limit fault",
    ),
    Case(
        f"POST {ISSUE}/comments",
        422,
        lambda h: h("POST", f"{{r}}/issues/{h.issue()}/comments", json={"body": ""}),
    ),
    Case(f"GET {R}/issues/comments", 200, _list_repo_comments),
    Case(
        f"GET {R}/issues/comments",
        422,
        lambda h: h("GET", "{r}/issues/comments", params={"sort": "votes"}),
    ),
    Case(
        f"GET {R}/issues/comments/{{comment_id}}",
        200,
        lambda h: h("GET", f"{{r}}/issues/comments/{h.comment(h.issue())}"),
    ),
    Case(
        f"GET {R}/issues/comments/{{comment_id}}",
        404,
        lambda h: h("GET", "{r}/issues/comments/999999"),
    ),
    Case(
        f"PATCH {R}/issues/comments/{{comment_id}}",
        200,
        lambda h: h("PATCH", f"{{r}}/issues/comments/{h.comment(h.issue())}", json={"body": "B"}),
    ),
    Case(
        f"PATCH {R}/issues/comments/{{comment_id}}",
        422,
        lambda h: h("PATCH", f"{{r}}/issues/comments/{h.comment(h.issue())}", json={"body": ""}),
    ),
    Case(f"GET {R}/labels", 200, _list_labels),
    Case(f"POST {R}/labels", 201, _create_repo_label),
    Case(f"POST {R}/labels", 422, _duplicate_label),
    Case(
        f"DELETE {R}/labels/{{name}}",
        204,
        lambda h: h("DELETE", f"{{r}}/labels/{_create_repo_label(h).json()['name']}"),
    ),
)


# -- repositories: refs, contents, pull requests -----------------------------------------

PULL = f"{R}/pulls/{{pull_number}}"


def _file_on(h: Http, branch: str, text: str = "people: []\n", path: str = "program.yml") -> str:
    """Commit a file onto `branch` (made from main when new), as a person pushing would."""
    return h.admin.put_file("github", h.repo, path, text, branch=branch)


def _pull(h: Http, branch: str = "proposal") -> int:
    _file_on(h, branch)
    payload = {"title": "Roster change", "head": branch, "base": "main", "body": "Proposed"}
    number: int = h.ok("POST", "{r}/pulls", json=payload)["number"]
    return number


def _as_reader(h: Http) -> str:
    h.admin.register_users("reader", access="read")
    return "reader"


def _main_sha(h: Http) -> str:
    sha: str = h.ok("GET", "{r}/git/ref/heads/main")["object"]["sha"]
    return sha


def _put(h: Http, **fields: Any) -> requests.Response:
    payload = {"message": "Propose", "content": "cGVvcGxlOiBbXQo=", **fields}
    return h("PUT", "{r}/contents/program.yml", json=payload)


def _update_file(h: Http) -> requests.Response:
    _file_on(h, "main")
    blob = h.ok("GET", "{r}/contents/program.yml")["sha"]
    return _put(h, sha=blob, content="cGFpcmluZ3M6IFtdCg==")


def _conflicting_pull(h: Http) -> requests.Response:
    _file_on(h, "main", "a\n")
    _file_on(h, "proposal", "b\n")
    number = h.ok("POST", "{r}/pulls", json={"title": "t", "head": "proposal", "base": "main"})[
        "number"
    ]
    _file_on(h, "main", "c\n")
    return h("PUT", f"{{r}}/pulls/{number}/merge", json={})


def _list_pulls(h: Http) -> requests.Response:
    _pull(h, "one")
    _pull(h, "two")
    return h("GET", "{r}/pulls", params={"per_page": 1})


REPOSITORY_CASES: tuple[Case, ...] = (
    Case(f"GET {R}/git/ref/{{ref}}", 200, lambda h: h("GET", "{r}/git/ref/heads/main")),
    Case(f"GET {R}/git/ref/{{ref}}", 404, lambda h: h("GET", "{r}/git/ref/heads/nowhere")),
    Case(
        f"POST {R}/git/refs",
        201,
        lambda h: h("POST", "{r}/git/refs", json={"ref": "refs/heads/b", "sha": _main_sha(h)}),
    ),
    Case(
        f"POST {R}/git/refs",
        422,
        lambda h: h("POST", "{r}/git/refs", json={"ref": "refs/heads/main", "sha": _main_sha(h)}),
        "already exists",
    ),
    Case(
        f"PATCH {R}/git/refs/{{ref}}",
        200,
        lambda h: (
            _file_on(h, "roster", "planted\n", ".github/workflows/x.yml"),
            h("PATCH", "{r}/git/refs/heads/roster", json={"sha": _main_sha(h), "force": True}),
        )[1],
    ),
    Case(
        f"PATCH {R}/git/refs/{{ref}}",
        422,
        lambda h: h("PATCH", "{r}/git/refs/heads/nowhere", json={"sha": _main_sha(h)}),
        "no such ref",
    ),
    Case(
        f"PATCH {R}/git/refs/{{ref}}",
        422,
        lambda h: (
            _file_on(h, "roster"),
            h("PATCH", "{r}/git/refs/heads/roster", json={"sha": _main_sha(h)}),
        )[1],
        "not a fast forward",
    ),
    Case(
        f"GET {R}/compare/{{basehead}}",
        200,
        lambda h: (
            _file_on(h, "roster"),
            _file_on(h, "roster", "on: push\n", ".github/workflows/x.yml"),
            _file_on(h, "main", "a\n", "other.md"),
            h("GET", "{r}/compare/main...roster"),
        )[3],
    ),
    Case(
        f"GET {R}/compare/{{basehead}}",
        404,
        lambda h: h("GET", "{r}/compare/main...nowhere"),
        "no such ref",
    ),
    Case(
        f"DELETE {R}/git/refs/{{ref}}",
        204,
        lambda h: (_file_on(h, "gone"), h("DELETE", "{r}/git/refs/heads/gone"))[1],
    ),
    Case(
        f"GET {R}/contents/{{path}}",
        200,
        lambda h: (_file_on(h, "main"), h("GET", "{r}/contents/program.yml"))[1],
    ),
    Case(f"GET {R}/contents/{{path}}", 404, lambda h: h("GET", "{r}/contents/absent.yml")),
    Case(
        f"GET {R}/contents/{{path}}",
        404,
        lambda h: h("GET", "{r}/contents/program.yml", params={"ref": "nowhere"}),
        "no such ref",
    ),
    Case(f"PUT {R}/contents/{{path}}", 201, lambda h: _put(h, branch="main")),
    Case(f"PUT {R}/contents/{{path}}", 200, _update_file),
    Case(
        f"PUT {R}/contents/{{path}}",
        409,
        lambda h: (_file_on(h, "main"), _put(h, sha="0" * 40))[1],
        "stale sha",
    ),
    Case(
        f"PUT {R}/contents/{{path}}",
        422,
        lambda h: (_file_on(h, "main"), _put(h))[1],
        "no sha for an existing file",
    ),
    Case(f"PUT {R}/contents/{{path}}", 404, lambda h: _put(h, branch="nowhere"), "no branch"),
    Case(f"GET {R}/pulls", 200, _list_pulls),
    Case(f"GET {R}/pulls", 422, lambda h: h("GET", "{r}/pulls", params={"state": "shut"})),
    Case(
        f"POST {R}/pulls",
        201,
        lambda h: (
            _file_on(h, "p"),
            h("POST", "{r}/pulls", json={"title": "t", "head": "p", "base": "main"}),
        )[1],
    ),
    Case(
        f"POST {R}/pulls",
        422,
        lambda h: (
            _pull(h),
            h("POST", "{r}/pulls", json={"title": "t", "head": "proposal", "base": "main"}),
        )[1],
        "already exists",
    ),
    Case(
        f"POST {R}/pulls",
        403,
        lambda h: (
            _file_on(h, "p"),
            h(
                "POST",
                "{r}/pulls",
                json={"title": "t", "head": "p", "base": "main"},
                token=_as_reader(h),
            ),
        )[1],
        "read access",
    ),
    Case(f"GET {PULL}", 200, lambda h: h("GET", f"{{r}}/pulls/{_pull(h)}")),
    Case(f"GET {PULL}", 404, lambda h: h("GET", "{r}/pulls/999")),
    Case(
        f"PATCH {PULL}",
        200,
        lambda h: h("PATCH", f"{{r}}/pulls/{_pull(h)}", json={"title": "New", "body": "B"}),
    ),
    Case(
        f"PATCH {PULL}",
        200,
        lambda h: h("PATCH", f"{{r}}/pulls/{_pull(h)}", json={"state": "closed"}),
        "closed",
    ),
    Case(
        f"PATCH {PULL}",
        422,
        lambda h: h("PATCH", f"{{r}}/pulls/{_pull(h)}", json={"state": "shut"}),
    ),
    Case(
        f"PATCH {PULL}",
        403,
        lambda h: h("PATCH", f"{{r}}/pulls/{_pull(h)}", json={"title": "x"}, token=_as_reader(h)),
    ),
    Case(f"PUT {PULL}/merge", 200, lambda h: h("PUT", f"{{r}}/pulls/{_pull(h)}/merge", json={})),
    Case(f"PUT {PULL}/merge", 405, _conflicting_pull, "conflict"),
    Case(
        f"PUT {PULL}/merge",
        409,
        lambda h: h("PUT", f"{{r}}/pulls/{_pull(h)}/merge", json={"sha": "0" * 40}),
        "stale sha",
    ),
    Case(f"PUT {PULL}/merge", 404, lambda h: h("PUT", "{r}/pulls/999/merge", json={})),
    Case(
        f"PUT {PULL}/merge",
        403,
        lambda h: h("PUT", f"{{r}}/pulls/{_pull(h)}/merge", json={}, token=_as_reader(h)),
    ),
)
CASES = ISSUE_CASES + REPOSITORY_CASES


@pytest.mark.parametrize("case", CASES, ids=str)
def test_response_body_matches_the_openapi_schema(http: Http, case: Case) -> None:
    response = case.send(http)

    assert response.status_code == case.status, response.text
    documented = OPERATIONS[case.operation]["responses"][str(case.status)]
    if "content" not in documented:
        assert response.content == b""
        return
    assert response.headers["Content-Type"] == JSON_TYPE
    assert problems(case.operation, case.status, response.json()) == []


@pytest.mark.parametrize("case", [c for c in CASES if c.status < 300], ids=str)
def test_documented_success_headers_are_sent(http: Http, case: Case) -> None:
    response = case.send(http)

    documented = OPERATIONS[case.operation]["responses"][str(case.status)].get("headers", {})
    if "Location" in documented:
        body = response.json()
        assert response.headers["Location"] == body["url"]
        assert urlsplit(response.headers["Location"]).netloc == urlsplit(http.api).netloc
    if "Link" in documented:
        assert 'rel="next"' in response.headers["Link"]
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert response.headers[name].isdigit()
    assert response.headers["X-GitHub-Media-Type"] == "github.v3; format=json"


def _comments_on_issue_one(http: Http, count: int) -> int:
    number = http.issue()
    assert number == 1
    return len([http.comment(number, f"comment {n}") for n in range(count)])


def _assignable(http: Http) -> int:
    """Everyone registered with a role may be assigned, in every repository."""
    return sum(1 for user in http.admin.users() if user["access"] != "none")


# each populates a fresh repository and says how many items the listing then holds
LISTINGS: dict[str, tuple[str, Callable[[Http], int]]] = {
    f"GET {R}/issues": ("{r}/issues", lambda h: len([h.issue(f"issue {n}") for n in range(5)])),
    # the repository is fresh, so its first issue is number 1
    f"GET {ISSUE}/comments": ("{r}/issues/1/comments", lambda h: _comments_on_issue_one(h, 5)),
    f"GET {R}/issues/comments": (
        "{r}/issues/comments",
        lambda h: len([h.comment(h.issue()) for _ in range(5)]),
    ),
    f"GET {R}/labels": (
        "{r}/labels",
        lambda h: len(
            h.ok("GET", f"{{r}}/issues/{h.issue(labels=[f'l{n}' for n in range(5)])}")["labels"]
        ),
    ),
    f"GET {R}/assignees": ("{r}/assignees", _assignable),
    f"GET {R}/pulls": ("{r}/pulls", lambda h: len([_pull(h, f"b{n}") for n in range(5)])),
}


def test_every_listing_with_a_documented_link_header_is_checked() -> None:
    documented = {
        key
        for key, operation in OPERATIONS.items()
        if "Link" in operation["responses"].get("200", {}).get("headers", {})
    }
    assert documented == set(LISTINGS)


@pytest.mark.parametrize("operation", LISTINGS)
def test_paginated_lists_link_every_page_with_absolute_urls(http: Http, operation: str) -> None:
    path, populate = LISTINGS[operation]
    total = populate(http)
    pages = -(-total // 2)
    assert pages >= 3

    first = http("GET", path, params={"per_page": 2, "direction": "asc"})
    middle = http("GET", path, params={"per_page": 2, "direction": "asc", "page": 2})
    last_url = first.links["last"]["url"]
    last = http.follow(last_url)

    assert list(first.links) == ["next", "last"]
    assert list(middle.links) == ["prev", "next", "last", "first"]
    assert list(last.links) == ["prev", "first"]
    for response in (first, middle, last):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        for link in response.links.values():
            url = urlsplit(link["url"])
            assert (url.scheme, url.netloc) == ("http", urlsplit(http.api).netloc)
            assert url.path == urlsplit(response.url).path
            query = parse_qs(url.query)
            assert query["per_page"] == ["2"]
            assert query["direction"] == ["asc"]
    assert parse_qs(urlsplit(last_url).query)["page"] == [str(pages)]
    assert len(last.json()) == total - 2 * (pages - 1)
    assert http.follow(first.links["next"]["url"]).json() == middle.json()


@pytest.mark.parametrize("operation", LISTINGS)
def test_a_single_page_has_no_link_header(http: Http, operation: str) -> None:
    path, populate = LISTINGS[operation]
    populate(http)

    response = http("GET", path, params={"per_page": 100})

    assert "Link" not in response.headers


def _route_operation(template: str) -> str:
    """A sandbox route template in the OpenAPI description's spelling."""
    names = {"number": "pull_number" if "/pulls/" in template else "issue_number"}
    path = template.removeprefix(PREFIX)
    return re.sub(r":([a-z_]+)", lambda m: "{" + names.get(m[1], m[1]) + "}", path)


def test_every_served_operation_is_in_the_subset_and_exercised() -> None:
    served = {f"{r.method} {_route_operation(r.template)}" for r in github_api.API.routes}

    assert served == set(OPERATIONS)
    assert {case.operation for case in CASES} == served
    for case in CASES:
        assert str(case.status) in OPERATIONS[case.operation]["responses"]


def test_the_subset_names_the_package_version_it_came_from() -> None:
    assert SUBSET["source"]["package"] == "@octokit/openapi"
    assert re.fullmatch(r"\d+\.\d+\.\d+", SUBSET["source"]["version"])


# -- the nullable translation itself -----------------------------------------------------


def _valid(schema: Any, value: Any) -> bool:
    return Draft202012Validator(json_schema(schema)).is_valid(value)


def test_nullable_admits_null_next_to_the_type() -> None:
    assert _valid({"type": "string", "nullable": True}, None)
    assert _valid({"type": "string", "nullable": True}, "text")
    assert not _valid({"type": "string"}, None)
    assert not _valid({"type": "string", "nullable": False}, None)


def test_a_nullable_enum_admits_null_though_it_does_not_list_it() -> None:
    schema = {"type": "string", "nullable": True, "enum": ["completed", "not_planned"]}

    assert _valid(schema, None)
    assert _valid(schema, "completed")
    assert not _valid(schema, "reopened-ish")


def test_a_nullable_schema_without_type_becomes_any_of_it_or_null() -> None:
    schema = {"anyOf": [{"type": "integer"}, {"type": "string"}], "nullable": True}

    assert _valid(schema, None)
    assert _valid(schema, 3)
    assert not _valid(schema, 2.5)


def test_type_lists_pass_through_and_property_names_are_not_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "nullable": {"type": "boolean"},
            "type": {"type": ["string", "null"]},
        },
    }

    assert json_schema(schema) == schema
    assert _valid(schema, {"nullable": True, "type": None})


def test_nullable_component_references_admit_null_and_plain_ones_do_not() -> None:
    def check(name: str, value: Any) -> bool:
        ref = {"$ref": f"{SUBSET_URI}#/components/schemas/{name}"}
        return Draft202012Validator(ref, registry=REGISTRY).is_valid(value)

    assert check("nullable-simple-user", None)
    assert not check("simple-user", None)
    assert not check("label", {"name": "no id"})


@pytest.mark.parametrize(
    ("mangle", "problem"),
    [
        (lambda issue: issue.pop("user"), "<body>: 'user' is a required property"),
        (lambda issue: issue.update(state_reason="done"), "state_reason: 'done' is not one of"),
        (lambda issue: issue.update(closed_at="2026-03-02 09:00"), "closed_at: '2026-03-02 09:00'"),
        (lambda issue: issue.update(url="/repos/o/r/issues/1"), "url: '/repos/o/r/issues/1'"),
        (lambda issue: issue["labels"][0].update(color=0xEDEDED), "labels/0: "),
        (lambda issue: issue.update(assignee={}), "assignee: "),
    ],
    ids=["no user", "unknown state_reason", "not RFC 3339", "relative url", "label", "assignee"],
)
def test_the_schemas_catch_a_mangled_issue(
    http: Http, mangle: Callable[[dict[str, Any]], object], problem: str
) -> None:
    issue = http.ok("GET", f"{{r}}/issues/{http.issue(labels=['mentorship'])}")
    assert problems(f"GET {ISSUE}", 200, issue) == []

    mangle(issue)

    found = problems(f"GET {ISSUE}", 200, issue)
    assert any(p.startswith(problem) for p in found), found

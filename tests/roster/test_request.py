from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.roster.request import (
    LABELS,
    Mode,
    Request,
    Unreadable,
    parse_request,
    request_to_json,
    requests_from_json,
    sections,
)

OPENED = date(2026, 3, 2)

# What GitHub writes for an issue form: each answer under `### <label>`, a blank line
# between, `_No response_` for an optional field left empty, a multiple-choice dropdown's
# choices joined with ", " (https://github.com/github/issue-parser, src/format.ts).
GITHUB_BODY = """\
### Topics

Kubernetes, incident response

### What do you want to achieve?

Lead an incident review by June.

### Time zone

Europe/Berlin

### Sync or async

Async (comments on the pairing issue)

### Availability

_No response_

### People to avoid

carol, @dave
"""


def parsed(body: str) -> tuple[Request, list[Unreadable]]:
    return parse_request(body, 12, "bob", OPENED)


def test_a_github_issue_form_body_becomes_a_request() -> None:
    request, problems = parsed(GITHUB_BODY)
    assert problems == []
    assert request == Request(
        number=12,
        handle="bob",
        opened=OPENED,
        topics=("Kubernetes", "incident response"),
        goals="Lead an incident review by June.",
        timezone="Europe/Berlin",
        mode=Mode.ASYNC,
        availability="",
        avoid=("carol", "dave"),
    )


def test_web_edited_bodies_with_crlf_read_the_same() -> None:
    assert parsed(GITHUB_BODY.replace("\n", "\r\n")) == parsed(GITHUB_BODY)


def test_a_gitlab_template_with_hints_in_comments_reads_the_answers() -> None:
    body = """\
<!-- Fill in each section; delete nothing. -->
### Topics
<!-- e.g. kubernetes, go -->
- go
- Kubernetes

### What do you want to achieve?
Ship a controller.

### Time zone
<!-- an IANA name such as Europe/Berlin -->
America/Toronto

### Sync or async
sync
"""
    request, problems = parsed(body)
    assert problems == []
    assert (request.topics, request.goals, request.timezone, request.mode) == (
        ("go", "Kubernetes"),
        "Ship a controller.",
        "America/Toronto",
        Mode.SYNC,
    )


def test_ticked_checkboxes_are_the_topics() -> None:
    body = "### Topics\n\n- [X] go\n- [ ] rust\n- [x] SQL\n"
    assert parsed(body)[0].topics == ("go", "SQL")


def test_headings_in_an_answer_stay_in_it_and_fenced_ones_are_text() -> None:
    body = (
        "### What do you want to achieve?\n\n### Step one\nLearn.\n```\n### Topics\n```\n"
        "### Topics\n\ngo\n"
    )
    answers = sections(body)
    assert answers["goals"] == "### Step one\nLearn.\n```\n### Topics\n```"
    assert answers["topics"] == "go"


def test_headings_match_whatever_their_case_and_end_punctuation() -> None:
    assert sections("## TOPICS:\n\ngo\n### time zone (optional)\nUTC\n") == {
        "topics": "go",
        "timezone": "UTC",
    }


def test_a_heading_s_closing_hashes_are_not_part_of_it() -> None:
    assert sections("### Topics ###\ngo\n#Time zone\nUTC\n") == {"topics": "go\n#Time zone\nUTC"}
    assert sections("## Topics ## \ngo\n## Time zone\nUTC\n") == {
        "topics": "go",
        "timezone": "UTC",
    }
    # A line of thousands of `#` is one line of text, read in one pass.
    assert sections("### Topics\n" + "#" * 50_000 + "x\n")["topics"].endswith("#x")


def test_topics_are_kept_once_in_their_first_spelling() -> None:
    assert parsed("### Topics\n\nGo; go, GO\nrust\n")[0].topics == ("Go", "rust")


def test_an_empty_dropdown_is_no_answer() -> None:
    request, _ = parsed("### Topics\n\ngo\n\n### Sync or async\n\nNone\n")
    assert request.mode is Mode.EITHER


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "### Topics\n\n_No response_\n",
            "no topics under '### Topics': mentors are matched on them; edit the request and "
            "name a topic or two",
        ),
        (
            "### Topics\n\ngo\n### Time zone\n\nCET+1\n",
            "'### Time zone': unknown time zone 'CET+1'; use an IANA name such as "
            "'Europe/Berlin' or 'UTC'",
        ),
        (
            "### Topics\n\ngo\n### Sync or async\n\nweekly calls\n",
            "'### Sync or async': 'weekly calls' is not one of sync, async or either; choose "
            "one (either is fine)",
        ),
        (
            "### Topics\n\ngo\n### People to avoid\n\nmy manager\n",
            "'### People to avoid': 'my manager' is not a username; list usernames separated "
            "by commas (without @, so that nobody is notified)",
        ),
    ],
)
def test_each_problem_says_what_to_fix(body: str, problem: str) -> None:
    assert [p.says for p in parsed(body)[1]] == [problem]


def test_every_answer_that_cannot_be_read_is_a_problem_of_its_field() -> None:
    body = (
        "### Topics\n\ngo\n### Time zone\n\nBerlin time\n### Sync or async\n\nsometimes\n"
        "### People to avoid\n\n@@@, my manager, @alice\n"
    )
    request, problems = parsed(body)
    assert [p.field for p in problems] == ["timezone", "mode", "avoid", "avoid"]
    assert problems[2].says == (
        "'### People to avoid': '@@@' is not a username; list usernames separated by commas "
        "(without @, so that nobody is notified)"
    )
    assert (request.timezone, request.mode, request.avoid) == (None, Mode.EITHER, ("alice",))


def test_people_to_avoid_are_kept_once_whatever_their_case() -> None:
    assert parsed("### People to avoid\n\nAlice, alice, @ALICE\n")[0].avoid == ("Alice",)


def test_the_labels_are_the_headings_the_parser_reads() -> None:
    body = "".join(f"### {label}\n\nUTC\n\n" for label in LABELS.values())
    assert set(sections(body)) == set(LABELS)


@given(st.text())
def test_any_body_gives_a_request_and_problems_never_an_exception(body: str) -> None:
    request, problems = parsed(body)
    assert request.number == 12
    assert all(p.field in LABELS and p.says for p in problems)


def test_json_round_trip() -> None:
    request, _ = parsed(GITHUB_BODY)
    assert requests_from_json([request_to_json(request)]) == ([request], [])


def test_json_needs_only_number_handle_and_opened() -> None:
    loaded, problems = requests_from_json([{"number": 3, "handle": "erin", "opened": "2026-03-01"}])
    assert problems == []
    assert loaded == [Request(3, "erin", date(2026, 3, 1))]


def test_json_problems_name_the_entry_and_field() -> None:
    loaded, problems = requests_from_json(
        [
            {"number": 1, "handle": "ok", "opened": "2026-03-01"},
            {"number": "2", "handle": "bad handle", "opened": "2026-13-01", "mode": "weekly"},
            {"handle": "x", "opened": "2026-03-01", "avoid": ["fine", 3], "topcs": []},
            "not an object",
        ]
    )
    assert [r.number for r in loaded] == [1]
    assert problems == [
        "[1].number: expected int, got '2'",
        "[1].handle: invalid handle 'bad handle'; use the forge username (letters, digits, "
        "'-', '_', '.')",
        "[1].opened: invalid date '2026-13-01' (month must be in 1..12); write it as YYYY-MM-DD",
        "[1].mode: 'weekly' is not a mode; use sync, async or either",
        "[2].topcs: unknown field; known: number, handle, opened, topics, goals, timezone, "
        "mode, availability, avoid",
        "[2].number: required; add it",
        "[2].avoid[1]: expected text, got 3",
        "[3]: expected an object with number, handle and opened",
    ]


def test_json_that_is_not_a_list_says_what_it_should_be() -> None:
    assert requests_from_json({"number": 1}) == (
        [],
        ["expected a list of requests, each an object with number, handle, opened"],
    )

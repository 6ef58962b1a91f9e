"""The sandbox's `task_completion_status` (a port of GitLab's Taskable) against the product's
GitLab dialect: where GitLab and the product's parser agree, and where they do not."""

from __future__ import annotations

import pytest
from gitlab.v4.objects import Project

from automation.goals.checklist import Dialect, parse
from automation.sandbox import RunningSandbox
from automation.sandbox.tasks import task_counts


def product(body: str) -> tuple[int, int]:
    checklist = parse(body, Dialect.GITLAB)
    return checklist.total, checklist.done


AGREE = {
    "bullets": "- [ ] one\n* [x] two\n+ [X] three",
    "ordered with a dot": "1. [ ] step\n2. [x] step",
    "nested": "- [ ] goal\n  - [x] step",
    "blockquoted": "> - [x] quoted",
    "CRLF": "- [x] one\r\n- [ ] two\r\n",
    "a tab in the box": "- [\t] tab",
    "no text after the box": "- [ ]",
    "inapplicable": "- [~] skipped\n- [x] done",  # not an item for either
    "not a list": "[ ] loose\n[x] box",
    "two spaces in the box": "- [  ] wide",
}

# (body, GitLab's counts at the ported commit, the product's counts): the product follows the
# rendered Markdown, this generation of GitLab a pattern over the raw text
DISAGREE = {
    "ordered with a parenthesis": ("1) [ ] step", (0, 0), (1, 0)),
    "in a fence": ("```\n- [ ] example\n```", (1, 0), (0, 0)),
    "in an HTML comment": ("<!--\n- [x] hidden\n-->", (1, 1), (0, 0)),
    "indented code": ("    - [ ] code", (1, 0), (0, 0)),
    "text on the next line": ("- [ ]\nnext line", (1, 0), (0, 0)),
    "an empty box above another": ("- [ ]\n- [x]", (1, 0), (0, 0)),
}


@pytest.mark.parametrize("body", AGREE.values(), ids=AGREE.keys())
def test_taskable_and_the_product_agree(body: str) -> None:
    assert task_counts(body) == product(body)


@pytest.mark.parametrize(("body", "gitlab", "ours"), DISAGREE.values(), ids=DISAGREE.keys())
def test_taskable_and_the_product_disagree(
    body: str, gitlab: tuple[int, int], ours: tuple[int, int]
) -> None:
    assert task_counts(body) == gitlab
    assert product(body) == ours


def test_a_blank_description_has_no_tasks() -> None:
    assert task_counts(None) == task_counts("") == task_counts(" \n\t") == (0, 0)


def test_issues_report_what_taskable_counts(sandbox: RunningSandbox, project: Project) -> None:
    body = "## Goals\n\n1) [x] by parenthesis\n```\n- [ ] fenced\n```\n- [x] real\n"

    issue = project.issues.create({"title": "t", "description": body})

    assert issue.task_completion_status == {"count": 2, "completed_count": 1}
    assert product(body) == (2, 2)

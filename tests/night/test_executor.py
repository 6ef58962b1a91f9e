"""Creating a label: done when made, when it existed, and when its lost answer is read
back as made; failed when the read back does not find it. Opening an issue on a forge that
keeps one assignee: done, and said."""

from __future__ import annotations

from dataclasses import replace

from automation.forge.base import ForgeError
from automation.lifecycle.actions import CreateLabel, OpenIssue, Urgency
from automation.model import Draft, Issue
from automation.night.executor import Status, apply
from tests.convergence.memory import MemoryForge

LABEL = CreateLabel(
    "label/mentorship-request",
    "",
    "mentorship-request",
    "108548",
    "Someone asks for a mentor (the request form)",
    Urgency.KICKOFF,
)


class Lost(MemoryForge):
    """A forge whose label creations get no answer: after `made` the label exists or not."""

    def __init__(self, made: bool) -> None:
        super().__init__("gitlab")
        self.made = made
        self.listed = 0

    def create_label(self, name: str, color: str, description: str) -> bool:
        if self.made:
            super().create_label(name, color, description)
        raise ForgeError("GitLab answered 502 to POST labels", status=502, transient=True)

    def label_names(self) -> frozenset[str]:
        self.listed += 1
        return super().label_names()


def test_a_label_is_created_once() -> None:
    forge = MemoryForge("github")

    [outcome] = apply([LABEL], forge)

    assert (outcome.status, outcome.detail, outcome.checks) == (Status.DONE, "", 0)
    assert forge.label_names() == {"mentorship-request"}


def test_a_label_that_exists_already_is_done() -> None:
    forge = MemoryForge("github")
    forge.create_label("mentorship-request", "ededed", "made by hand")

    [outcome] = apply([LABEL], forge)

    assert (outcome.status, outcome.detail) == (Status.DONE, "it exists already")


def test_a_lost_answer_is_read_back_in_the_projects_labels() -> None:
    forge = Lost(made=True)

    [outcome] = apply([LABEL], forge)

    assert outcome.status is Status.DONE
    assert outcome.detail == "the answer was lost; read back: done"
    assert (outcome.checks, forge.listed) == (1, 1)


def test_a_lost_answer_without_the_label_fails() -> None:
    forge = Lost(made=False)

    [outcome] = apply([LABEL], forge)

    assert outcome.status is Status.FAILED
    assert outcome.detail.endswith("read back: not done")
    assert outcome.checks == 1


def test_a_refused_creation_fails_without_a_read_back() -> None:
    class Refused(Lost):
        def create_label(self, name: str, color: str, description: str) -> bool:
            raise ForgeError("GitLab answered 403 to POST labels", status=403)

    forge = Refused(made=False)

    [outcome] = apply([LABEL], forge)

    assert outcome.status is Status.FAILED
    assert (outcome.checks, forge.listed) == (0, 0)


class OneAssignee(MemoryForge):
    """GitLab Free: an issue keeps the first of its assignees."""

    def create_issue(self, draft: Draft, author: str | None = None) -> Issue:
        return super().create_issue(replace(draft, assignees=draft.assignees[:1]), author)


def test_an_issue_the_forge_kept_fewer_assignees_on_is_done_and_says_so() -> None:
    draft = Draft("Mentorship: bob & alice", "Goals", (), ("bob", "alice"))
    opened = OpenIssue("pair/p/pairing", "p", draft, Urgency.KICKOFF)

    [outcome] = apply([opened], OneAssignee("gitlab"))
    [both] = apply([opened], MemoryForge("gitlab"))

    assert outcome.status is Status.DONE
    assert outcome.detail == (
        "the forge kept 1 of its 2 assignees: GitLab Free keeps one per issue (README, "
        '"One assignee per issue"), and no forge assigns someone without a role in the project'
    )
    assert (both.status, both.detail) == (Status.DONE, "")

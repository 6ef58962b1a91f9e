"""A forge in memory: the Forge protocol over dicts, with the forges' label, state and
listing semantics (what the rules rely on), a settable clock and people who write.

The convergence tests run thousands of daily baselines; a night here costs a fraction of
a millisecond of I/O instead of a few HTTP round trips. The sandbox runs the same nights
through the real clients (tests/convergence/test_convergence.py compares the two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from automation.forge.base import ForgeError
from automation.lifecycle import boxes
from automation.model import CloseReason, Comment, Draft, Issue, IssueState, Tick


class MemoryForge:
    def __init__(self, flavour: str, bot: str = "mentorship-bot") -> None:
        self.kind = flavour
        self.bot = bot
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.issues: dict[int, Issue] = {}
        self.comments: dict[int, Comment] = {}
        # Each issue's description revisions, `(editor, when, text)`, oldest first: the
        # forges' history of who ticked a box (GitLab's notes, GitHub's revisions).
        self.revisions: dict[int, list[tuple[str, datetime, str | None]]] = {}
        # The project's labels: made by create_label, or on first use as both forges do.
        self.labels: set[str] = set()

    def whoami(self) -> str:
        return self.bot

    def server_time(self) -> datetime | None:
        return self.now

    def user_ids(self) -> dict[str, int]:
        return {}

    def learn_user_ids(self, ids: object) -> None:
        pass

    def know_users(self, logins: Sequence[str]) -> None:
        pass

    # ------------------------------------------------------------ reads

    def list_issues(
        self,
        *,
        labels: Sequence[str] = (),
        state: IssueState | None = None,
        updated_since: datetime | None = None,
    ) -> list[Issue]:
        return [
            issue
            for issue in self.issues.values()
            if set(labels) <= set(issue.labels)
            and (state is None or issue.state is state)
            and (updated_since is None or issue.updated_at >= updated_since)
        ]

    def list_created(self, *, author: str, since: datetime) -> list[Issue]:
        found = [i for i in self.issues.values() if i.author == author and i.created_at >= since]
        return sorted(found, key=lambda i: (i.created_at, i.number), reverse=True)

    def get_issue(self, number: int) -> Issue:
        return self._issue(number)

    def list_comments(self, *, since: datetime | None = None) -> list[Comment]:
        return [c for c in self.comments.values() if since is None or c.created_at >= since]

    def list_issue_comments(self, number: int) -> list[Comment]:
        return [c for c in self.comments.values() if c.issue_number == number]

    def box_ticks_of(self, numbers: Sequence[int]) -> dict[int, list[Tick]]:
        return {n: boxes.ticks_of_revisions(self.revisions.get(n, [])) for n in numbers}

    def authored_descriptions(self, authors: Mapping[int, str]) -> dict[int, str]:
        return {}  # as GitLab: only the author may edit a request

    def label_names(self) -> frozenset[str]:
        return frozenset(self.labels)

    # ------------------------------------------------------------ writes

    def create_issue(self, draft: Draft, author: str | None = None) -> Issue:
        number = len(self.issues) + 1
        issue = replace(draft.opened(author or self.bot, self.now), number=number)
        issue = replace(issue, url=f"https://forge.test/issues/{number}")
        self.issues[number] = issue
        self.labels.update(draft.labels)
        return issue

    def edit_issue_body(self, number: int, body: str, author: str | None = None) -> None:
        issue = self._issue(number)
        if body != issue.body:
            kept = self.revisions.setdefault(number, [(issue.author, issue.created_at, issue.body)])
            kept.append((author or self.bot, self.now, body))
        self._touch(number, body=body)

    def comment(self, number: int, body: str, author: str | None = None) -> Comment:
        self._issue(number)
        comment = Comment(
            id=len(self.comments) + 1,
            issue_number=number,
            body=body,
            author=author or self.bot,
            created_at=self.now,
            updated_at=self.now,
        )
        self.comments[comment.id] = comment
        self._touch(number)
        return comment

    def edit_comment(self, number: int, comment_id: int, body: str) -> None:
        found = self.comments.get(comment_id)
        if found is None or found.issue_number != number:
            raise ForgeError(f"no comment {comment_id} on #{number}", status=404)
        self.comments[comment_id] = replace(found, body=body, updated_at=self.now)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        self.relabel(number, labels, ())

    def remove_labels(self, number: int, labels: Sequence[str]) -> None:
        self.relabel(number, (), labels)

    def relabel(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        kept = [label for label in self._issue(number).labels if label not in remove]
        self.labels.update(add)
        self._touch(number, labels=(*kept, *(a for a in add if a not in kept)))

    def close(self, number: int, reason: CloseReason) -> None:
        # GitLab keeps no close reason.
        kept = reason if self.kind == "github" else None
        self._touch(number, state=IssueState.CLOSED, close_reason=kept, closed_at=self.now)

    def reopen(self, number: int) -> None:
        self._touch(number, state=IssueState.OPEN, close_reason=None, closed_at=None)

    def create_label(self, name: str, color: str, description: str) -> bool:
        if name in self.labels:
            return False
        self.labels.add(name)
        return True

    # ------------------------------------------------------------ plumbing

    def _issue(self, number: int) -> Issue:
        if number not in self.issues:
            raise ForgeError(f"no issue #{number}", status=404)
        return self.issues[number]

    def _touch(self, number: int, **changes: object) -> None:
        issue = self._issue(number)
        self.issues[number] = replace(issue, updated_at=self.now, **changes)  # type: ignore[arg-type]

"""How handles compare: a forge username names one account whatever its case.

GitHub and GitLab both find a user by any case of their username (GitHub's API answers
`/users/OCTOCAT` with `octocat`; GitLab made its username lookups case-insensitive in
https://gitlab.com/gitlab-org/gitlab-foss/-/issues/38304, `User.by_username` matching with
`iwhere`) and refuse a new account whose username differs from another only by case. So
`Alice` in program.yml, `alice` in a request's answers and `ALICE` as the author of a
comment are one person: every comparison of handles goes through `handle_key`.
"""

from __future__ import annotations

from collections.abc import Iterable


def handle_key(handle: str) -> str:
    """What a handle is compared by (usernames are ASCII on both forges)."""
    return handle.casefold()


def same_handle(a: str | None, b: str | None) -> bool:
    """Whether two handles name the same account (None names nobody)."""
    return a is not None and b is not None and handle_key(a) == handle_key(b)


def handle_keys(handles: Iterable[str]) -> frozenset[str]:
    """The keys of handles, to look one up with `handle_key(h) in keys`."""
    return frozenset(handle_key(h) for h in handles)

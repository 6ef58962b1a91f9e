"""A small standard-library client for the sandbox's /_sandbox/ control endpoints."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any


class SandboxError(RuntimeError):
    """A control endpoint refused a request; the message is the sandbox's explanation."""


class SandboxAdmin:
    """Drives a running sandbox's clock, request counts and faults over HTTP."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        # Loopback traffic must never go through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_sandbox{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SandboxError(f"{method} /_sandbox{path} -> {error.code}: {detail}") from error

    # -- clock ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return _instant(self._call("GET", "/clock"))

    def set_clock(self, instant: datetime) -> datetime:
        """Freeze the sandbox clock at `instant` (naive means UTC)."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return _instant(self._call("POST", "/clock", {"now": instant.isoformat()}))

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta`, freezing it there."""
        return _instant(self._call("POST", "/clock", {"advance_seconds": delta.total_seconds()}))

    def follow_real_time(self) -> datetime:
        return _instant(self._call("POST", "/clock", {"now": None}))

    # -- request counts ------------------------------------------------------------------

    def request_counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = self._call("GET", "/requests")
        return counts

    def reset_counts(self) -> None:
        self._call("POST", "/requests/reset", {})

    # -- faults --------------------------------------------------------------------------

    def inject_fault(
        self,
        *,
        method: str = "*",
        path: str = "",
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        delay_seconds: float = 0.0,
        drop_response: bool = False,
        times: int | None = 1,
        skip: int = 0,
    ) -> dict[str, Any]:
        """Arm a fault for the next `times` requests whose path matches the regex `path`,
        after letting `skip` of them through; `method` may name several: "POST|PUT"."""
        spec = {
            "method": method,
            "path": path,
            "status": status,
            "headers": dict(headers or {}),
            "body": body,
            "delay_seconds": delay_seconds,
            "drop_response": drop_response,
            "times": times,
            "skip": skip,
        }
        fault: dict[str, Any] = self._call("POST", "/faults", spec)
        return fault

    def faults(self) -> list[dict[str, Any]]:
        armed: list[dict[str, Any]] = self._call("GET", "/faults")
        return armed

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # -- users, pull requests, limits ----------------------------------------------------

    def register_users(self, *logins: str, access: str = "write") -> list[dict[str, Any]]:
        """Create accounts (or change their role): only registered users exist, and a token
        is accepted only as the login of a registered user."""
        users: list[dict[str, Any]] = self._call(
            "POST", "/users", {"logins": list(logins), "access": access}
        )
        return users

    def set_gitlab_edition(self, edition: str) -> None:
        """`free`: a GitLab issue keeps one assignee; `premium` (the default): every one."""
        self._call("POST", "/edition", {"gitlab": edition})

    def users(self) -> list[dict[str, Any]]:
        registered: list[dict[str, Any]] = self._call("GET", "/users")
        return registered

    def open_pull_request(self, repo: str, author: str, title: str, body: str = "") -> int:
        """A pull request in a GitHub repository (it shows in the issue lists); its number."""
        spec = {"repo": repo, "author": author, "title": title, "body": body}
        created: dict[str, Any] = self._call("POST", "/pulls", spec)
        return int(created["number"])

    def put_file(
        self,
        flavour: str,
        project: str,
        path: str,
        text: str,
        *,
        branch: str = "main",
        message: str = "",
    ) -> str:
        """Commit `text` as the file at `path` on `branch` (created from the default branch
        when new) of a GitLab project or GitHub repository; the commit's id."""
        spec = {
            "flavour": flavour,
            "project": project,
            "path": path,
            "text": text,
            "branch": branch,
            "message": message,
        }
        made: dict[str, Any] = self._call("POST", "/files", spec)
        return str(made["commit"])

    def merge(self, flavour: str, project: str, number: int, *, by: str) -> str:
        """Merge merge request !number (GitLab) or pull request #number (GitHub) as `by`, a
        registered GitLab Maintainer or GitHub writer; the merge commit's id."""
        spec = {"flavour": flavour, "project": project, "number": number, "by": by}
        merged: dict[str, Any] = self._call("POST", "/merges", spec)
        return str(merged["merge_commit"])

    def set_secondary_limit(
        self,
        *,
        per_minute: int = 80,
        per_hour: int = 500,
        retry_after: int | None = None,
        on: bool = True,
    ) -> dict[str, Any]:
        """Enforce GitHub's secondary limit on content-creating requests (off with on=False)."""
        spec = (
            {"per_minute": per_minute, "per_hour": per_hour, "retry_after": retry_after}
            if on
            else None
        )
        limits: dict[str, Any] = self._call("POST", "/limits", {"secondary": spec})
        return limits

    def reset(self) -> None:
        """Wipe every issue, label, comment, user and the clock; clear counts, faults, limits."""
        self._call("POST", "/reset", {})


def _instant(clock: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(clock["now"]))

"""The forge boundary: `connect()` builds the adapter that program.yml names."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import TypedDict

import requests

# The client classes by name, never `import gitlab`/`import github`: importing the submodules
# `automation.forge.gitlab` and `.github` below rebinds those names in this package.
from github import Auth, Github
from gitlab import Gitlab
from requests.adapters import HTTPAdapter

from automation.forge.base import Forge, ForgeError, Preflight
from automation.forge.github import GitHubForge
from automation.forge.gitlab import GitLabForge
from automation.forge.pacing import Pacer, WriteLimits
from automation.forge.retry import RetryPolicy, WaitBudget
from automation.roster.config import ForgeSettings

__all__ = [
    "SANDBOX_BOT",
    "Forge",
    "ForgeError",
    "Pacer",
    "RetryPolicy",
    "connect",
    "github_client",
    "gitlab_client",
    "pacer_for",
    "preflight",
]

USER_AGENT = "mentorship-automation"
SANDBOX_BOT = "mentorship-bot"  # who a run on the sandbox acts as without forge.bot or a token
# GitHub asks for a pause between requests and "at least one second between each" write:
# https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
# PyGithub keeps the first (Requester.__deferRequest); the run's Pacer keeps the second,
# with the limits, so that its budget counts the time those pauses take.
REQUEST_GAP = 0.25
WRITE_GAP = {"github": 1.0}
# Seconds to open a connection: a forge that takes none in that time is not coming (a wrong
# forge.url, a firewall, a proxy needed), so a run fails in seconds, not after minutes of
# retries; a read may still take the whole forge.timeout_seconds.
CONNECT_TIMEOUT = 10.0


def timeouts(timeout: float) -> tuple[float, float]:
    """`(connect, read)` for requests, which both clients hand it to as is."""
    return (min(CONNECT_TIMEOUT, timeout), timeout)


def gitlab_client(url: str, token: str, policy: RetryPolicy, timeout: float) -> Gitlab:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=policy.urllib3())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return Gitlab(
        url,
        private_token=token,
        timeout=timeouts(timeout),  # type: ignore[arg-type]  # passed on to requests as is
        per_page=100,
        session=session,
        user_agent=USER_AGENT,
    )


def github_client(
    url: str, token: str, policy: RetryPolicy, timeout: float, *, pace: bool
) -> Github:
    # A quarter second between any two requests (REQUEST_GAP); the writes' own pause is the
    # Pacer's. The sandbox needs no pacing: pace=False.
    client = Github(
        base_url=url,
        auth=Auth.Token(token),
        timeout=math.ceil(timeout),  # checked for an int; replaced below
        per_page=100,
        retry=policy.urllib3(),
        user_agent=USER_AGENT,
        lazy=True,
        seconds_between_requests=REQUEST_GAP if pace else 0.0,
        seconds_between_writes=0.0,
    )
    # Github() takes whole seconds only, but its requester hands its timeout to requests as
    # is (github/Requester.py, HTTPRequestsConnectionClass): give it (connect, read).
    # tests/forge/test_retry.py checks that the client sends requests with it.
    setattr(client.requester, "_Requester__timeout", timeouts(timeout))  # noqa: B010
    return client


Adapter = GitLabForge | GitHubForge  # each is a Forge and a Preflight


class _Options(TypedDict):
    """What both adapters take beside their client and project."""

    bot: str | None
    token_env: str
    policy: RetryPolicy
    handles: Mapping[str, str]
    pacer: Pacer


def _options(settings: ForgeSettings, policy: RetryPolicy, pacer: Pacer) -> _Options:
    return {
        "bot": settings.bot,
        "token_env": settings.token_variable,
        "policy": policy,
        "handles": settings.handle_lines,
        "pacer": pacer,
    }


def pacer_for(
    settings: ForgeSettings,
    *,
    seconds: float | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Pacer:
    """A pacer keeping to program.yml's write limits (or the forge's documented ones), for a
    run that has `seconds` from now (None: no end)."""
    deadline = None if seconds is None else clock() + seconds
    limits = WriteLimits(*settings.write_limits, gap=WRITE_GAP.get(settings.kind, 0.0))
    return Pacer(limits, clock=clock, sleep=sleep, deadline=deadline)


def _gitlab(settings: ForgeSettings, token: str, policy: RetryPolicy, pacer: Pacer) -> Adapter:
    client = gitlab_client(settings.base_url, token, policy, settings.timeout_seconds)
    return GitLabForge(client, settings.project, **_options(settings, policy, pacer))


def _github(settings: ForgeSettings, token: str, policy: RetryPolicy, pacer: Pacer) -> Adapter:
    url = settings.base_url
    if settings.kind == "sandbox":
        url += "/api/v3"
    client = github_client(
        url, token, policy, settings.timeout_seconds, pace=settings.kind != "sandbox"
    )
    return GitHubForge(client, settings.project, **_options(settings, policy, pacer))


_ADAPTERS: dict[str, Callable[[ForgeSettings, str, RetryPolicy, Pacer], Adapter]] = {
    "gitlab": _gitlab,
    "github": _github,
}


def connect(
    settings: ForgeSettings,
    env: Mapping[str, str],
    policy: RetryPolicy | None = None,
    pacer: Pacer | None = None,
) -> Forge:
    """The adapter for program.yml's `forge:`, with the token read from the environment.

    On the sandbox a token is a login; without one the run acts as forge.bot, else as
    `mentorship-bot` (who must be registered there like everyone else). Writes are paced
    by `pacer`, by default one keeping to the write limits of `settings`.
    """
    return _adapter(settings, env, policy, pacer)


def preflight(
    settings: ForgeSettings, env: Mapping[str, str], policy: RetryPolicy | None = None
) -> Preflight:
    """The same adapter as `connect()`, for the reads `mentorship doctor` makes."""
    return _adapter(settings, env, policy, None)


def _adapter(
    settings: ForgeSettings,
    env: Mapping[str, str],
    policy: RetryPolicy | None,
    pacer: Pacer | None,
) -> Adapter:
    variable = settings.token_variable
    token = env.get(variable, "").strip()
    if settings.kind == "sandbox":
        token = token or settings.bot or SANDBOX_BOT
    elif not token:
        fix = (
            f"put the {settings.kind} token in that environment variable "
            "(forge.token_env in program.yml names it)"
        )
        raise ForgeError(f"${variable} is not set: {fix}", fix=fix)
    if not token.isascii() or any(ord(c) < 0x21 or ord(c) == 0x7F for c in token):
        # Not echoed: the client would print it in its error (an invalid header value).
        fix = f"set ${variable} to the token alone, on one line, without spaces"
        raise ForgeError(
            f"${variable} holds a space, a control character or a character that is not "
            f"ASCII: {fix}",
            fix=fix,
        )
    if policy is None:
        policy = RetryPolicy(
            retries=settings.retries,
            max_wait=settings.max_retry_wait_seconds,
            budget=WaitBudget(settings.rate_limit_budget_seconds),
        )
    return _ADAPTERS[settings.api_flavour](settings, token, policy, pacer or pacer_for(settings))

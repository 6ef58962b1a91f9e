"""`mentorship doctor`: the preflight before the first night, with the fewest requests.

It asks the forge who the token is, what it may do in the project, who can be assigned
there (one paged listing, not a request per person) and which labels exist, and prints a
table with the fix for each failure. Nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import click

from automation.forge import preflight
from automation.forge.base import Access, ForgeError, Preflight
from automation.lifecycle.labels import Labels
from automation.roster.config import Program, load_program
from automation.roster.handles import handle_key, handle_keys

ACTIONS_BOT = "github-actions[bot]"


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    found: tuple[str, ...]  # what was found, one line each
    fix: str = ""


def _failed(name: str, error: ForgeError) -> Check:
    return Check(name, Status.FAIL, (error.problem,), error.fix)


def diagnose(program: Program, forge: Preflight) -> list[Check]:
    """Every check in order; a failed token or project stops the checks that need it."""
    settings = program.forge
    variable = settings.token_variable
    try:
        owner = forge.token_owner()
    except ForgeError as error:
        return [_failed("token", error)]
    checks = [_token(owner, variable), _bot(owner, settings.bot)]
    try:
        access = forge.access()
    except ForgeError as error:
        return [*checks, _failed("project", error)]
    visibility = "private" if access.private else "public"
    checks.append(Check("project", Status.OK, (f"{settings.project} answers; {visibility}",)))
    checks.append(_writes(access, settings.project))
    if forge.kind == "gitlab" and program.program.confidential:
        checks.append(_confidential(access, settings.project))
    if forge.kind == "github":
        checks.append(_private(access, settings.project))
    for name, check in (("people", _people), ("labels", _labels)):
        try:
            checks.append(check(program, forge, access))
        except ForgeError as error:
            checks.append(_failed(name, error))
    return checks


def _token(owner: str | None, variable: str) -> Check:
    if owner is None:
        found = "it works, but cannot say whose it is (a GitHub App or Actions token)"
        return Check("token", Status.OK, (found,))
    return Check("token", Status.OK, (f"the token in ${variable} is {owner}'s",))


def _bot(owner: str | None, bot: str | None) -> Check:
    if owner is None:
        if bot == ACTIONS_BOT:
            return Check(
                "bot",
                Status.WARNING,
                (
                    f"forge.bot is {bot}, as every workflow's token writes: anyone with write "
                    "access can push a workflow that writes as the bot",
                ),
                'make the bot a GitHub App of its own (README, "Running it in CI", GitHub)',
            )
        if bot is not None and bot.endswith("[bot]"):
            return Check("bot", Status.OK, (f"forge.bot is {bot}, as an app token writes",))
        return Check(
            "bot",
            Status.FAIL,
            (f"an app token writes as its app, and forge.bot is {bot or 'not set'}",),
            f"set forge.bot: {ACTIONS_BOT} in program.yml (in GitHub Actions)",
        )
    if bot is None or bot == owner:
        return Check("bot", Status.OK, (f"the bot writes as {owner}",))
    return Check(
        "bot",
        Status.FAIL,
        (f"forge.bot is {bot}, but the token is {owner}'s",),
        f"set forge.bot: {owner} in program.yml, or use {bot}'s token",
    )


def _writes(access: Access, project: str) -> Check:
    name = "writes"
    if access.scopes is not None and "api" not in access.scopes:
        scopes = ", ".join(access.scopes) or "none"
        return Check(
            name,
            Status.FAIL,
            (f"the token's scopes are {scopes}: it may not write",),
            "create a token with the api scope",
        )
    if access.manages_issues is None:
        return Check(
            name,
            Status.WARNING,
            ("the forge does not report an app token's role in the repository",),
            "in Actions the workflow's permissions decide: nightly.yml grants issues: write",
        )
    scope = ", scope api" if access.scopes else ""
    if not access.manages_issues:
        return Check(
            name,
            Status.FAIL,
            (f"role {access.role}{scope}: may not label, assign or close issues",),
            f"give the token's user the Reporter role (GitHub: triage) or higher in {project}",
        )
    return Check(
        name,
        Status.OK,
        (f"role {access.role}{scope}: may create issues and comments, label and assign",),
    )


def _confidential(access: Access, project: str) -> Check:
    if access.manages_issues:
        return Check("confidential", Status.OK, ("may create and read confidential issues",))
    return Check(
        "confidential",
        Status.FAIL,
        (
            f"role {access.role}: may not label, close or read the confidential issues "
            "it opens for others",
        ),
        f"give the token's user the Reporter role or higher in {project}",
    )


def _private(access: Access, project: str) -> Check:
    if access.private:
        return Check("private", Status.OK, (f"{project} is private",))
    return Check(
        "private",
        Status.WARNING,
        (f"{project} is public: GitHub has no confidential issues, so goals are public",),
        "make the repository private (Settings > General > Danger Zone)",
    )


def _people(program: Program, forge: Preflight, access: Access) -> Check:
    project = program.forge.project
    assignable = handle_keys(forge.assignable())  # the listing has logins in their case
    where = program.forge.handle_lines
    missing = [p.handle for p in program.people if handle_key(p.handle) not in assignable]
    if not missing:
        count = len(program.people)
        people = "person" if count == 1 else "people"
        found = f"every handle can be assigned in {project} ({count} {people})"
        return Check("people", Status.OK, (found,))
    lines = [f"{len(missing)} of {len(program.people)} handles cannot be assigned in {project}:"]
    for handle in missing:
        why = "has no role there" if forge.user_exists(handle) else "no such user"
        lines.append(f"{where.get(handle, 'program.yml')}: {handle!r}: {why}")
    return Check(
        "people",
        Status.FAIL,
        tuple(lines),
        f"correct each handle in program.yml, or give them a role in {project} "
        "(GitLab: a member; GitHub: read access or more)",
    )


def _labels(program: Program, forge: Preflight, access: Access) -> Check:
    labels = Labels(program.program.label_prefix)
    private = program.program.feedback is not None and program.forge.api_flavour == "gitlab"
    wanted = (*labels.every, labels.feedback) if private else labels.every
    existing = forge.label_names()
    missing = [label for label in wanted if label not in existing]
    have = f"{len(wanted) - len(missing)} of {len(wanted)} labels exist"
    if not missing:
        return Check("labels", Status.OK, (have,))
    # The forms label a request themselves, and apply only labels that exist (GitLab's
    # quick actions ignore an unknown label; GitHub's issue forms too: "If a label does not
    # already exist in the repository, it will not be automatically added", docs.github.com
    # "Syntax for issue forms"). The nightly run creates them (rules/forms.py), once; until
    # it has, a request opened through a form is not labelled and goes unseen: a warning,
    # or a failure when the token could not create them at night either.
    forms = [label for label in (labels.program, labels.request, labels.offer) if label in missing]
    others = [label for label in missing if label not in forms]
    found: list[str] = []
    fixes: list[str] = []
    status = Status.OK
    if forms:
        found.append(
            f"{have}; the request and offer forms apply only labels that exist, and these "
            f"do not: {', '.join(forms)}"
        )
        if _run_creates_labels(access):
            status = Status.WARNING
            found.append(
                "the next nightly run creates them; a request opened through a form before "
                "then is not labelled, and the run does not see it"
            )
            fixes.append(
                "let the nightly run (or `mentorship apply`) run before people use the forms; "
                "if they were deleted after a run made them, it does not make them again: "
                + _create_labels(program, forms).removeprefix("create them once: ")
            )
        else:
            status = Status.FAIL
            fixes.append(_create_labels(program, forms))
    if others and access.creates_labels:
        found.append("the token creates the others on first use")
    elif others:
        listed = f"missing: {', '.join(others)}"
        found += [f"{have}; {listed}" if not forms else listed, "the token may not create labels"]
        fixes.append(
            "create the missing labels in the project, or give the token's user the Reporter "
            "role (GitHub: write) or higher"
        )
        worse = Status.WARNING if access.creates_labels is None else Status.FAIL
        status = Status.FAIL if Status.FAIL in (status, worse) else worse
    if status is Status.OK:
        return Check("labels", Status.OK, (f"{have}; {found[0]}",))
    return Check("labels", status, tuple(found), "; ".join(fixes))


def _run_creates_labels(access: Access) -> bool:
    """Whether the nightly run, with this token, may create the labels the forms apply: a
    role that creates labels (or one the forge does not report, as for an Actions token
    whose workflow grants issues: write) and, on GitLab, the api scope."""
    writes = access.scopes is None or "api" in access.scopes
    return access.creates_labels is not False and writes


def _create_labels(program: Program, names: list[str]) -> str:
    """How to create labels once, with the forge's own command line tool."""
    project = program.forge.project
    if program.forge.kind == "gitlab":
        commands = [f"glab label create --name {name} --repo {project}" for name in names]
    elif program.forge.kind == "github":
        commands = [f"gh label create {name} --repo {project}" for name in names]
    else:
        return f"create the labels {', '.join(names)} in {project}"
    return "create them once: " + " && ".join(commands)


# ---------------------------------------------------------------- the table


def render(checks: list[Check]) -> list[str]:
    """The table: check, status, what was found, and under a failure its fix."""
    width = max([len("confidential"), *(len(c.name) for c in checks)])  # the longest name
    status_width = len(Status.WARNING.value)
    indent = " " * (width + status_width + 4)
    lines = [f"{'check':<{width}}  {'status':<{status_width}}  found"]
    for check in checks:
        first, *more = check.found
        lines.append(f"{check.name:<{width}}  {check.status.value:<{status_width}}  {first}")
        lines += [f"{indent}{line}" for line in more]
        if check.fix and check.status is not Status.OK:
            lines.append(f"{indent}fix: {check.fix}")
    return lines


def summary(checks: list[Check]) -> str:
    failed = sum(1 for c in checks if c.status is Status.FAIL)
    warned = sum(1 for c in checks if c.status is Status.WARNING)
    if failed:
        return f"{failed} of {len(checks)} checks failed: fix them and run mentorship doctor again"
    note = f", {warned} with a warning" if warned else ""
    return f"all {len(checks)} checks passed{note}"


def run(config_path: Path, skip_without_token: bool) -> int:
    """Check program.yml's forge with the token of the environment and print the table."""
    return check(config_path, os.environ, click.echo, skip_without_token=skip_without_token)


def check(
    config_path: Path,
    env: Mapping[str, str],
    echo: Callable[[str], None],
    *,
    skip_without_token: bool = False,
) -> int:
    """Check program.yml's forge and print the table; the exit code (1: a check failed)."""
    program = load_program(config_path)
    settings = program.forge
    variable = settings.token_variable
    if skip_without_token and not env.get(variable, "").strip():
        echo(f"mentorship doctor: ${variable} is not set here; skipped")
        return 0
    echo(f"{config_path}: {settings.kind} project {settings.project} at {settings.base_url}")
    try:
        checks = diagnose(program, preflight(settings, env))
    except ForgeError as error:  # no token at all
        checks = [_failed("token", error)]
    for line in render(checks):
        echo(line)
    echo(summary(checks))
    return 1 if any(c.status is Status.FAIL for c in checks) else 0

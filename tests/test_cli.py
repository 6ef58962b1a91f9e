from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.commands.demo import sandbox_cast
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start

ROOT = Path(__file__).resolve().parent.parent

ROSTER = """\
program:
  name: CLI test
  timezone: Europe/Berlin
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/cli, bot: mentorship-bot}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
  - {{mentor: alice, mentee: carol, start: 2026-01-05}}
"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start() as running:
        running.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
        yield running


@pytest.fixture
def config(sandbox: RunningSandbox, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    sandbox.reset()
    sandbox.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
    path = tmp_path / "program.yml"
    path.write_text(ROSTER.format(flavour=getattr(request, "param", "gitlab"), url=sandbox.url))
    sandbox.register_users(*sandbox_cast(load_program(path)))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help_with_an_example() -> None:
    def commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
        for name, command in group.commands.items():
            yield f"{prefix}{name}", command
            if isinstance(command, click.Group):
                yield from commands(command, f"{prefix}{name} ")

    for name, command in commands(main):
        code, out, _ = run(*name.split(), "--help")
        assert code == 0, name
        assert command.help, name
        if not isinstance(command, click.Group):
            assert "Example:" in out, name


# What `--version` and every `--help` must not import: the libraries behind the commands
# and the modules that load them (README, "Start-up time").
HEAVY = (
    "automation.roster.config",
    "automation.forge",
    "automation.night.run",
    "automation.lifecycle.rules",
    "automation.sandbox",
    "automation.messages.templates",
    "cmarkgfm",
    "github",
    "gitlab",
    "jinja2",
    "matplotlib",
    "numpy",
    "pydantic",
    "requests",
    "ruamel",
    "scipy",
    "yaml",
)

# Runs `mentorship --version`, `--help` and `COMMAND --help` for every command in one fresh
# interpreter, then prints the modules it loaded.
_HELP_EVERYWHERE = """
import contextlib, io, json, sys

import click

from automation.cli import main


def names(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from names(command, (*prefix, name))


for args in [["--version"], ["--help"], *([*n, "--help"] for n in names(main))]:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args, prog_name="mentorship")
        except SystemExit as exit:
            assert exit.code == 0, args
print(json.dumps(sorted(sys.modules)))
"""


def test_version_and_every_help_load_none_of_the_heavy_modules() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _HELP_EVERYWHERE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    loaded = json.loads(done.stdout)
    assert "automation.cli" in loaded
    heavy = [m for m in loaded if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]
    assert heavy == []


def test_help_lists_every_command() -> None:
    def listed(out: str) -> list[str]:
        section = out.split("Commands:\n", 1)[1]
        return [line.split()[0] for line in section.splitlines() if line.startswith("  ")]

    code, out, _ = run("--help")
    assert code == 0
    assert listed(out) == sorted(main.commands)
    sandbox = main.commands["sandbox"]
    assert isinstance(sandbox, click.Group)
    code, out, _ = run("sandbox", "--help")
    assert code == 0
    assert listed(out) == sorted(sandbox.commands) == ["serve"]


def test_validate_example_roster() -> None:
    code, out, err = run(
        "validate", "--config", str(ROOT / "program.example.yml"), "--today", "2026-11-21"
    )
    assert code == 0
    assert out == (
        f"{ROOT / 'program.example.yml'}: ok: 4 people, 3 pairings (3 active on 2026-11-21), "
        "1 warning\n"
    )
    assert (
        err == f"{ROOT / 'program.example.yml'}:86: warning: pairings[2].mentee: "
        "dave is away until 2026-11-30\n"
    )


def test_validate_broken_roster_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "program.yml"
    path.write_text(
        "forge: {kind: gitlab, project: a/b}\n"
        "pairings:\n  - {mentor: x, mentee: y, start: 2026-02-30}\n"
    )
    code, out, err = run("validate", "--config", str(path))
    assert code == 1
    assert out == ""
    assert err == (
        f"Error: {path}:3: pairings[0].start: invalid date '2026-02-30' "
        "(day is out of range for month); write it as YYYY-MM-DD\n"
    )


def test_validate_refuses_a_template_that_reaches_for_python_and_runs_none_of_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "program.yml"
    path.write_text("forge: {kind: gitlab, project: a/b}\n")
    (tmp_path / "templates" / "issues").mkdir(parents=True)
    quiet = tmp_path / "templates" / "issues" / "quiet.md"
    ran = tmp_path / "ran"
    quiet.write_text(f"{{{{ cycler.__init__.__globals__.os.popen('id > {ran}').read() }}}}\n")
    code, out, err = run("validate", "--config", str(path))
    assert (code, out) == (1, "")
    assert f"{quiet}:1: not allowed in a template: access to attribute '__init__'" in err
    assert not ran.exists()


HOSTILE = {
    "recursive alias": ("a: &a [*a]\n", "1: a[0]: recursive alias"),
    "alias bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 9)}]\n" for c in "bcdefghi"),
        "9: i[0]: aliases expand",
    ),
    "list as key": ("[[a]]: 1\n", "1: a list is used as a key"),
    "mapping as key": ("{a: 1}: 2\n", "1: a mapping is used as a key"),
    "binary tag": ("forge: !!binary aGVsbG8=\n", "1: forge: the tag !!binary is not allowed"),
    "python tag": (
        "forge: !!python/object/apply:os.system ['true']\n",
        "1: forge: the tag !!python/object/apply:os.system is not allowed",
    ),
}


@pytest.mark.parametrize(("text", "start"), HOSTILE.values(), ids=HOSTILE.keys())
def test_validate_answers_a_hostile_file_in_one_error_line(
    tmp_path: Path, text: str, start: str
) -> None:
    path = tmp_path / "program.yml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", "--config", str(path)])
    assert isinstance(result.exception, SystemExit)  # a ConfigError, not an escaped traceback
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}:{start}")
    assert result.stderr.count("\n") == 1


def example_with_template(tmp_path: Path, name: str, text: str) -> tuple[Path, Path]:
    """The example program in `tmp_path` with one template of its own: (template, program)."""
    (tmp_path / "templates" / "issues").mkdir(parents=True)
    template = tmp_path / "templates" / "issues" / name
    template.write_text(text)
    path = tmp_path / "program.yml"
    path.write_text((ROOT / "program.example.yml").read_text())
    return template, path


def test_validate_reports_a_broken_template_override(tmp_path: Path) -> None:
    _, path = example_with_template(tmp_path, "quiet.md", "Hi @{{ mentee.handel }}\n")
    code, _, err = run("validate", "--config", str(path), "--today", "2026-11-21")
    assert code == 1
    assert err.startswith(
        f"Error: {tmp_path / 'templates' / 'issues' / 'quiet.md'}:1: "
        "'dict object' has no attribute 'handel'"
    )


def test_validate_reports_a_syntax_error_in_a_template_override_at_its_line(
    tmp_path: Path,
) -> None:
    text = '---\ntitle: "Check-in {{ checkin.number }}"\n---\nAgenda\n{% if %}\n'
    template, path = example_with_template(tmp_path, "checkin.md", text)
    code, out, err = run("validate", "--config", str(path), "--today", "2026-11-21")
    assert (code, out) == (1, "")
    assert err == f"Error: {template}:5: Expected an expression, got 'end of statement block'\n"


def test_validate_as_a_module_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "program.yml"
    path.write_text("forge: [\n")
    done = subprocess.run(
        [sys.executable, "-m", "automation", "validate", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"Error: {path}:2: invalid YAML:")


def test_plan_prints_one_line_per_action_and_a_summary(config: Path) -> None:
    code, out, _ = run("plan", "--config", str(config), "--today", "2026-01-05")
    assert code == 0
    # a new program: the labels the forms apply first
    assert out == (
        "(program): create label 'mentorship'\n"
        "(program): create label 'mentorship-request'\n"
        "(program): create label 'mentorship-offer'\n"
        "alice--bob--2026-01-05: open issue 'Mentorship: Bob & Alice'\n"
        "alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'\n"
        "(program): open issue 'Mentorship bot ledger: pairings started 2026-01'\n"
        "(program): close the new ledger/2026-01 issue as not planned\n"
        "(program): open issue 'CLI test: dashboard'\n"
        "(program): open issue 'Mentorship bot ledger: the program'\n"
        "(program): close the new ledger/program issue as not planned\n"
        "plan for 2026-01-05: 2 close, 3 create-label, 5 open-issue\n"
    )


def test_on_the_sandbox_today_is_the_sandboxs_clock(config: Path, sandbox: RunningSandbox) -> None:
    sandbox.set_clock(datetime(2026, 1, 4, 12, tzinfo=UTC))
    assert run("plan", "--config", str(config))[1].splitlines()[-1] == (
        "plan for 2026-01-04: 1 close, 3 create-label, 2 open-issue"
    )
    sandbox.set_clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert (
        run("plan", "--config", str(config))[1].splitlines()[-1].startswith("plan for 2026-03-01: ")
    )


def test_without_a_running_sandbox_plan_says_how_to_start_one(tmp_path: Path) -> None:
    path = tmp_path / "program.yml"
    path.write_text(ROSTER.format(flavour="gitlab", url="http://127.0.0.1:9"))
    code, _, err = run("plan", "--config", str(path))
    assert code == 1
    assert err.startswith("Error: cannot read the sandbox's clock at http://127.0.0.1:9 (")
    assert err.endswith("start it with `mentorship sandbox serve`, or pass --today\n")


def test_ci_outputs_carry_no_goal_text_and_no_private_names_unless_allowed(
    config: Path, tmp_path: Path
) -> None:
    config.write_text(
        config.read_text().replace(
            "{mentor: alice, mentee: carol, start: 2026-01-05}",
            "{mentor: alice, mentee: carol, start: 2026-01-05, private: true}",
        )
    )
    stand_in = f"private-{zlib.crc32(b'alice--carol--2026-01-05'):08x}"
    code, out, _ = run("plan", "--config", str(config), "--today", "2026-01-05", "--json")
    assert code == 0
    assert "carol" not in out
    planned = json.loads(out)
    assert [a for a in planned if "body" in a or "body" in a.get("issue", {})] == []
    [private] = [a for a in planned if a["pairing"] == stand_in]
    assert private["key"] == f"pair/{stand_in}/pairing"
    assert private["issue"]["title"] == "(private)"
    summary = tmp_path / "summary.md"
    run("apply", "--config", str(config), "--today", "2026-01-05", "--summary", str(summary))
    assert "carol" not in summary.read_text()
    assert "| a private pairing | open issue (of a private pairing) |" in summary.read_text()
    # Opted in, the plan shows what it will write.
    config.write_text(
        config.read_text().replace(
            "  name: CLI test",
            "  name: CLI test\n  report: {include_goal_text: true, name_private_pairings: true}",
        )
    )
    code, out, _ = run("plan", "--config", str(config), "--today", "2026-01-06", "--json")
    assert '"body": ' in out


def test_apply_keeps_the_plan_it_applies(config: Path, tmp_path: Path) -> None:
    planned = tmp_path / "planned.json"
    run("plan", "--config", str(config), "--today", "2026-01-05", "--plan-out", str(planned))
    kept = tmp_path / "plan.json"
    code, out, _ = run(
        "apply", "--config", str(config), "--today", "2026-01-05", "--plan-out", str(kept)
    )
    assert code == 0
    assert json.loads(kept.read_text()) == json.loads(planned.read_text())
    assert len(json.loads(kept.read_text())) == len(out.splitlines()) - 1  # one line a write


def test_outputs_into_a_folder_not_made_yet_are_written_there(config: Path, tmp_path: Path) -> None:
    # The folders are made when the command starts: a run never does its work, then fails
    # to write its summary.
    summary, kept = tmp_path / "new" / "summary.md", tmp_path / "other" / "plan.json"
    args = ("--config", str(config), "--today", "2026-01-05", "--plan-out", str(kept))
    code, _, err = run("apply", *args, "--summary", str(summary))
    assert (code, err) == (0, "")
    assert "CLI test" in summary.read_text()
    assert json.loads(kept.read_text())


def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    config: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "plan.json"
    folder.mkdir()
    sandbox.reset_counts()
    code, _, err = run("apply", "--config", str(config), "--summary", str(folder))
    assert code == 2
    assert f"'{folder}' is a directory" in err
    assert sandbox.request_counts()["writes"] == 0


def test_serving_on_a_port_in_use_or_from_a_state_that_is_not_one_is_an_error(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    port = sandbox.url.rsplit(":", 1)[1].split("/")[0]
    code, _, err = run("sandbox", "serve", "--port", port, "--state", str(tmp_path / "s.db"))
    assert code == 1
    assert err.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert err.endswith("pick another --port (or --host)\n")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, " * 100)
    code, _, err = run("sandbox", "serve", "--port", "0", "--state", str(junk))
    assert code == 1
    assert err.startswith(f"Error: {junk}: not a sandbox state file (")


def test_plan_json_is_a_stable_list(config: Path) -> None:
    code, out, _ = run("plan", "--config", str(config), "--today", "2026-01-05", "--json")
    assert code == 0
    [label, _, _, first, _, ledger, closed, board, program, _] = json.loads(out)
    assert label == {
        "kind": "create-label",
        "key": "label/mentorship",
        "pairing": "",
        "urgency": "kickoff",
        "after": [],
        "label": {
            "name": "mentorship",
            "color": "1f75cb",
            "description": "Mentorship program: pairings, requests and offers",
        },
    }
    assert program["key"] == "ledger/program"
    assert ledger["key"] == "ledger/2026-01"
    assert closed == {
        "kind": "close",
        "key": "ledger/2026-01/close",
        "pairing": "",
        "urgency": "housekeeping",
        "after": ["ledger/2026-01"],
        "target": {"key": "ledger/2026-01", "number": None},
        "reason": "not_planned",
    }
    assert board["key"] == "dashboard"
    assert sorted(first) == ["after", "issue", "key", "kind", "pairing", "urgency"]
    assert first["kind"] == "open-issue"
    assert first["key"] == "pair/alice--bob--2026-01-05/pairing"
    assert first["issue"]["labels"] == ["mentorship", "mentorship::active"]
    assert first["issue"]["assignees"] == ["bob", "alice"]


def test_apply_does_the_plan_then_nothing_is_left(config: Path) -> None:
    code, out, _ = run("apply", "--config", str(config), "--today", "2026-01-05")
    assert code == 0
    assert out == (
        "   done  (program): create label 'mentorship'\n"
        "   done  (program): create label 'mentorship-request'\n"
        "   done  (program): create label 'mentorship-offer'\n"
        "   done  alice--bob--2026-01-05: open issue 'Mentorship: Bob & Alice'\n"
        "   done  alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'\n"
        "   done  (program): open issue 'Mentorship bot ledger: pairings started 2026-01'\n"
        "   done  (program): close the new ledger/2026-01 issue as not planned\n"
        "   done  (program): open issue 'CLI test: dashboard'\n"
        "   done  (program): open issue 'Mentorship bot ledger: the program'\n"
        "   done  (program): close the new ledger/program issue as not planned\n"
        "applied for 2026-01-05: 2 close, 3 create-label, 5 open-issue\n"
    )
    assert run("plan", "--config", str(config), "--today", "2026-01-05")[1] == (
        "plan for 2026-01-05: nothing\n"
    )


def test_apply_and_plan_observe_through_the_cache_file(
    config: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    cache = tmp_path / "state" / "cache.json.gz"
    assert (
        run("apply", "--config", str(config), "--today", "2026-01-05", "--cache", str(cache))[0]
        == 0
    )
    assert cache.exists()
    sandbox.set_clock(datetime(2026, 1, 7, 23, tzinfo=UTC))
    sandbox.reset_counts()
    code, out, _ = run(
        "plan", "--config", str(config), "--today", "2026-01-07", "--cache", str(cache)
    )
    # The issues changed since the first run and the comments created since (the roster
    # names the bot: no request asks who it is).
    reads = sandbox.request_counts()["reads"]
    assert (code, out, reads) == (0, "plan for 2026-01-07: nothing\n", 2)


def test_write_budget_defers_the_rest_to_the_next_run(config: Path) -> None:
    code, out, _ = run(
        "apply", "--config", str(config), "--today", "2026-01-05", "--max-writes", "4"
    )
    assert code == 0
    assert out == (
        "   done  (program): create label 'mentorship'\n"
        "   done  (program): create label 'mentorship-request'\n"
        "   done  (program): create label 'mentorship-offer'\n"
        "   done  alice--bob--2026-01-05: open issue 'Mentorship: Bob & Alice'\n"
        "deferred  alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'\n"
        "deferred  (program): open issue 'Mentorship bot ledger: pairings started 2026-01'\n"
        "deferred  (program): close the new ledger/2026-01 issue as not planned\n"
        "deferred  (program): open issue 'CLI test: dashboard'\n"
        "deferred  (program): open issue 'Mentorship bot ledger: the program'\n"
        "deferred  (program): close the new ledger/program issue as not planned\n"
        "applied for 2026-01-05: 3 create-label, 1 open-issue\n"
        "deferred to the next run (write budget): 2 close, 4 open-issue\n"
    )
    code, out, _ = run("apply", "--config", str(config), "--today", "2026-01-05")
    assert (
        out.splitlines()[0]
        == "   done  alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'"
    )


def test_a_plan_over_the_safety_threshold_needs_force(config: Path) -> None:
    config.write_text(
        config.read_text().replace("  name: CLI test", "  name: CLI test\n  safety_threshold: 1")
    )
    code, out, err = run("apply", "--config", str(config), "--today", "2026-01-05")
    assert code == 1
    assert out == ""
    assert err == (
        "Error: the plan has 10 writes, over the safety threshold of 1 "
        "(program.safety_threshold); check program.yml for a mistake with `mentorship plan`, "
        "then run again with --force if it is right\n"
    )
    code, _, _ = run("apply", "--config", str(config), "--today", "2026-01-05", "--force")
    assert code == 0


def test_a_failed_write_exits_1_and_the_rest_still_run(
    config: Path, sandbox: RunningSandbox
) -> None:
    config.write_text(
        config.read_text().replace("bot: mentorship-bot}", "bot: mentorship-bot, retries: 0}")
    )
    sandbox.inject_fault(method="POST", path="/issues$", status=422, times=1)
    code, out, err = run("apply", "--config", str(config), "--today", "2026-01-05")
    assert code == 1
    lines = out.splitlines()[3:]  # after the labels the forms apply
    assert lines[0].startswith(
        " FAILED  alice--bob--2026-01-05: open issue 'Mentorship: Bob & Alice' "
        "(GitLab answered 422 to POST /projects/acme%2Fcli/issues:"
    )
    assert lines[1] == "   done  alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'"
    assert lines[2:7] == [
        "   done  (program): open issue 'Mentorship bot ledger: pairings started 2026-01'",
        "   done  (program): close the new ledger/2026-01 issue as not planned",
        "   done  (program): open issue 'CLI test: dashboard'",
        "   done  (program): open issue 'Mentorship bot ledger: the program'",
        "   done  (program): close the new ledger/program issue as not planned",
    ]
    assert err == "1 of 10 writes did not happen\n"


@pytest.mark.parametrize("config", ["github"], indirect=True)
def test_a_secondary_rate_limit_defers_the_rest_of_the_night_without_failing(
    config: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # No time to wait the limit out: the run stops writing at the first refusal.
    config.write_text(
        config.read_text().replace(
            "bot: mentorship-bot}", "bot: mentorship-bot, rate_limit_budget_seconds: 0}"
        )
    )
    summary = tmp_path / "summary.md"
    sandbox.set_secondary_limit(per_minute=2, per_hour=100)
    try:
        code, out, err = run(
            "apply", "--config", str(config), "--today", "2026-01-05", "--summary", str(summary)
        )
    finally:
        sandbox.set_secondary_limit(on=False)
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:10]] == ["done", "done"] + ["deferred"] * 8
    assert lines[2].startswith(
        "deferred  (program): create label 'mentorship-offer' (rate limited: "
    )
    rest = "2 close, 1 create-label, 5 open-issue"
    assert lines[-1] == f"deferred to the next run (the forge's rate limit): {rest}"
    assert f"Deferred to the next run (the forge's rate limit): {rest}." in summary.read_text()
    # The next run does the rest.
    code, out, _ = run("apply", "--config", str(config), "--today", "2026-01-05")
    assert code == 0
    assert out.splitlines()[-1] == f"applied for 2026-01-05: {rest}"


def test_missing_token_for_a_real_forge_is_an_error_not_a_trace(tmp_path: Path) -> None:
    path = tmp_path / "program.yml"
    path.write_text(
        "forge: {kind: github, project: acme/mentoring, token_env: MENTORSHIP_TEST_TOKEN}\n"
    )
    code, _, err = run("plan", "--config", str(path))
    assert code == 1
    assert err == (
        "Error: $MENTORSHIP_TEST_TOKEN is not set: put the github token in that environment "
        "variable (forge.token_env in program.yml names it)\n"
    )


BODY = (
    "## Before we start\r\n\r\n- [x] Coffee chat\r\n\r\n## Goals\r\n\r\n"
    "### Ship the runbook by 2027-03-01\r\n\r\n- [x] Outline\r\n- [ ] Draft\r\n\r\n"
    "```\r\n- [ ] not a task\r\n```\r\n- [~] not applicable\r\n"
)


def test_progress_prints_how_the_bot_reads_a_body(tmp_path: Path) -> None:
    path = tmp_path / "body.md"
    path.write_bytes(BODY.encode())
    code, out, _ = run("progress", "--body-file", str(path))
    assert code == 0
    assert out == (
        "1/2  Ship the runbook by 2027-03-01 (due 2027-03-01)\n"
        "      [x] Outline\n"
        "      [ ] Draft\n"
        "goals: 1/2 steps; every task item: 2/3\n"
    )


def test_progress_prints_no_escape_sequence_a_goal_carries(tmp_path: Path) -> None:
    # Clear the screen, set the window title, write to the clipboard (OSC 52).
    path = tmp_path / "body.md"
    title = "Learn Go \x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobw==\x07\x9b31m"
    path.write_text(f"## Goals\n\n### {title}\n\n- [ ] Read \x1b[31mred\n", encoding="utf-8")
    code, out, _ = run("progress", "--body-file", str(path))
    assert code == 0
    assert out.splitlines()[:2] == [
        "0/1  Learn Go [2J]0;pwned]52;c;ZWNobw==31m",
        "      [ ] Read [31mred",
    ]


def test_progress_json_from_standard_input_in_the_gitlab_dialect() -> None:
    result = CliRunner().invoke(
        main, ["progress", "--body-file", "-", "--dialect", "gitlab", "--json"], input=BODY
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "done": 2,
        "total": 3,
        "goals": [
            {"title": "Ship the runbook by 2027-03-01", "done": 1, "total": 2, "due": "2027-03-01"}
        ],
        "mentor_goals": [],
    }


def test_apply_appends_a_markdown_summary_by_pairing(config: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    code, _, _ = run(
        "apply", "--config", str(config), "--today", "2026-01-05", "--summary", str(summary)
    )
    assert code == 0
    assert summary.read_text() == (
        "earlier step\n"
        "## CLI test: nightly run for 2026-01-05\n"
        "\n"
        "Done: 2 close, 3 create-label, 5 open-issue.\n"
        "\n"
        "| pairing | what the run did |\n"
        "|---|---|\n"
        "| (program) | create label 'mentorship'<br>create label 'mentorship-request'"
        "<br>create label 'mentorship-offer'"
        "<br>open issue 'Mentorship bot ledger: pairings started 2026-01'"
        "<br>close the new ledger/2026-01 issue as not planned"
        "<br>open issue 'CLI test: dashboard'"
        "<br>open issue 'Mentorship bot ledger: the program'"
        "<br>close the new ledger/program issue as not planned |\n"
        "| bob with alice | open issue 'Mentorship: Bob & Alice' |\n"
        "| carol with alice | open issue 'Mentorship: Carol & Alice' |\n"
    )


def test_report_writes_the_static_site(config: Path, tmp_path: Path) -> None:
    run("apply", "--config", str(config), "--today", "2026-01-05")
    out = tmp_path / "site"
    code, stdout, _ = run(
        "report", "--config", str(config), "--today", "2026-01-20", "--out", str(out)
    )
    assert code == 0
    assert stdout.endswith(f"open {out / 'index.html'}\n")
    report = json.loads((out / "report.json").read_text())
    assert [p["mentee"] for p in report["pairings"]] == ["bob", "carol"]
    assert (out / "pairings" / "alice--bob--2026-01-05.html").is_file()


def test_history_of_a_mentor_in_markdown_and_json(config: Path) -> None:
    run("apply", "--config", str(config), "--today", "2026-01-05")
    code, out, _ = run("history", "alice", "--config", str(config), "--today", "2026-02-01")
    assert code == 0
    assert "bob" in out
    assert "carol" in out
    code, out, _ = run(
        "history", "alice", "--config", str(config), "--today", "2026-02-01", "--format", "json"
    )
    assert code == 0
    record = json.loads(out)
    assert record["handle"] == "alice"
    assert len(record["terms"]) == 2


def test_history_of_a_stranger_suggests_the_handle(config: Path) -> None:
    code, _, err = run("history", "alise", "--config", str(config))
    assert code == 1
    assert err == "Error: 'alise' is not a person in program.yml; did you mean 'alice'?\n"


@pytest.mark.parametrize("config", ["github"], indirect=True)
def test_a_run_writes_what_the_forges_limits_allow_in_its_time_and_says_why(
    config: Path, tmp_path: Path
) -> None:
    config.write_text(
        config.read_text().replace(
            "bot: mentorship-bot}", "bot: mentorship-bot, writes_per_hour: 6}"
        )
    )
    summary = tmp_path / "summary.md"
    code, out, err = run(
        "apply",
        *("--config", str(config), "--today", "2026-01-05"),
        *("--time-budget", "30", "--summary", str(summary)),
    )

    assert code == 0, err
    why = "the forge's write limits, 6 an hour: 6 writes fit in the 30 minutes this run had left"
    # the labels the forms apply and the kickoffs first; the housekeeping waits
    assert out == (
        "   done  (program): create label 'mentorship'\n"
        "   done  (program): create label 'mentorship-request'\n"
        "   done  (program): create label 'mentorship-offer'\n"
        "   done  alice--bob--2026-01-05: open issue 'Mentorship: Bob & Alice'\n"
        "   done  alice--carol--2026-01-05: open issue 'Mentorship: Carol & Alice'\n"
        "   done  (program): open issue 'Mentorship bot ledger: pairings started 2026-01'\n"
        "deferred  (program): close the new ledger/2026-01 issue as not planned\n"
        "deferred  (program): open issue 'CLI test: dashboard'\n"
        "deferred  (program): open issue 'Mentorship bot ledger: the program'\n"
        "deferred  (program): close the new ledger/program issue as not planned\n"
        "applied for 2026-01-05: 3 create-label, 3 open-issue\n"
        f"deferred to the next run ({why}): 2 close, 2 open-issue\n"
    )
    assert (
        f"Deferred to the next run ({why}): 2 close, 2 open-issue; the most urgent went first."
        in summary.read_text()
    )


def _validate_apart(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`mentorship validate` in a process of its own (one thread: each template is checked
    in a child with limits)."""
    return subprocess.run(
        [sys.executable, "-m", "automation", "validate", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )


def test_validate_names_a_template_file_of_no_templates_name_when_it_checks_each_apart(
    tmp_path: Path,
) -> None:
    typo, path = example_with_template(tmp_path, "qiet.md", "Hi\n")
    done = _validate_apart(path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: {typo}: unknown template name 'qiet'; known: ")


def test_validate_stops_a_template_that_runs_on_in_a_process_of_its_own(tmp_path: Path) -> None:
    # Each turn sums two million numbers: within every check inside the render, and far
    # past the CPU seconds its own process may take (lowered here to 2).
    quiet, path = example_with_template(
        tmp_path,
        "quiet.md",
        "{% set big = (range(100000)|list) * 20 %}"
        "{% for i in range(100000) %}{{ big|sum }}{% endfor %}\n",
    )
    done = _validate_apart(path, MENTORSHIP_TEMPLATE_CPU_SECONDS="2")
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"Error: {quiet}: rendering it took more than 2 s of CPU or 2 GiB of memory"
    )

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import __version__
from automation.cli import main
from automation.commands.init import CI_FILES, FORM_FILES
from automation.messages.templates import DEFAULTS
from automation.roster.config import load_program


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("forge", ["gitlab", "github"])
def test_init_writes_a_program_repo_that_validates_as_generated(tmp_path: Path, forge: str) -> None:
    repo = tmp_path / "mentoring"
    code, out, _ = run(
        "init",
        str(repo),
        "--forge",
        forge,
        "--project",
        "acme/mentoring",
        "--name",
        "Platform: mentoring",
    )
    assert code == 0, out
    templates = sorted(f"templates/issues/{p.name}" for p in DEFAULTS.glob("*.md"))
    shipped = [*CI_FILES[forge], *FORM_FILES[forge]]
    assert tree(repo) == sorted(["README.md", "program.yml", *shipped, *templates])
    program = load_program(repo / "program.yml")
    assert (program.forge.kind, program.forge.project) == (forge, "acme/mentoring")
    assert program.program.name == "Platform: mentoring"
    assert program.forge.bot == ("github-actions[bot]" if forge == "github" else None)
    code, out, err = run("validate", "--config", str(repo / "program.yml"))
    assert (code, err) == (0, "")
    assert re.fullmatch(
        r".*program\.yml: ok: 0 people, 0 pairings \(0 active on [\d-]{10}\)\n", out
    )
    text = (repo / "program.yml").read_text()
    assert text.count("  # - mentor: alice") == 2  # two commented example pairings


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "program.yml").write_text("mine\n")
    code, _, err = run("init", str(tmp_path), "--forge", "gitlab")
    assert code == 1
    assert err == (
        f"Error: {tmp_path} already has program.yml; nothing was written. "
        "Pick an empty folder, or pass --force to overwrite them\n"
    )
    assert tree(tmp_path) == ["program.yml"]
    assert (tmp_path / "program.yml").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("forge", "project", "says"),
    [
        ("gitlab", 'bad project/"x"', "forge.project: 'bad project/\"x\"' is not a project's path"),
        ("github", "a/b/c", "forge: project 'a/b/c': a GitHub repository is 'owner/name'"),
    ],
)
def test_init_refuses_a_project_path_validate_would_refuse_and_writes_nothing(
    tmp_path: Path, forge: str, project: str, says: str
) -> None:
    code, _, err = run("init", str(tmp_path / "new"), "--forge", forge, "--project", project)
    assert code == 1
    assert err.startswith(f"Error: nothing written; the program.yml it would write has {says}")
    assert not (tmp_path / "new").exists()


def test_init_with_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "program.yml").write_text("mine\n")
    code, _, _ = run("init", str(tmp_path), "--forge", "github", "--force")
    assert code == 0
    assert load_program(tmp_path / "program.yml").forge.project == "your-org/mentoring"


@pytest.mark.parametrize("forge", ["gitlab", "github"])
def test_uncommenting_the_examples_gives_a_roster_that_validates(
    tmp_path: Path, forge: str
) -> None:
    repo = tmp_path / "program"
    assert run("init", str(repo), "--forge", forge)[0] == 0
    path = repo / "program.yml"
    lines = path.read_text().splitlines()
    examples = [i for i, line in enumerate(lines) if line.startswith("  # - ")]
    first = min(examples)
    uncommented = [
        line.replace("  # ", "  ", 1)
        if (i >= first and line.startswith("  #   ")) or i in examples
        else line
        for i, line in enumerate(lines)
    ]
    path.write_text("\n".join(uncommented) + "\n")
    program = load_program(path)
    assert [p.handle for p in program.people] == ["alice", "bob", "carol", "dave"]
    assert len(program.pairings) == 3
    assert program.followed(program.pairings[2]) is program.pairings[0]


def test_init_on_gitlab_writes_a_confidential_change_of_mentor_template(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--forge", "gitlab")[0] == 0
    text = (tmp_path / ".gitlab/issue_templates/change-mentor.md").read_text()

    assert text.rstrip().endswith("/confidential")
    assert "To the program coordinators" in text


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["plan"],
        ["apply"],
        ["doctor"],
        ["mentors"],
        ["report"],
        ["history", "alice"],
        ["match", "--requests", "requests.json"],
    ],
    ids=lambda args: args[0],
)
def test_a_command_run_where_there_is_no_program_yml_points_to_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requests.json").write_text("[]\n")

    code, _, err = run(*args)

    assert code == 1
    assert err == (
        "Error: program.yml: no such file; `mentorship init` writes a new program repository "
        "with one, or pass --config to name another\n"
    )


@pytest.mark.parametrize(
    ("forge", "path", "pinned"),
    [
        ("github", ".github/workflows/nightly.yml", "mentorship-automation/mentorship-automation@"),
        ("gitlab", ".gitlab-ci.yml", "mentorship-automation/mentorship-automation/mentorship@"),
    ],
)
def test_init_pins_the_ci_to_the_commit_action_ref_names(
    tmp_path: Path, forge: str, path: str, pinned: str
) -> None:
    sha = "89abcdef0123456789abcdef0123456789abcdef"

    code, out, _ = run("init", str(tmp_path), "--forge", forge, "--action-ref", sha)

    assert code == 0, out
    assert f"{pinned}{sha} # v{__version__}" in (tmp_path / path).read_text()


def test_init_with_a_github_app_names_its_bot_and_says_how_to_set_it_up(tmp_path: Path) -> None:
    repo = tmp_path / "mentoring"
    code, out, _ = run("init", str(repo), "--forge", "github", "--github-app", "acme-mentor")
    assert code == 0, out
    program = load_program(repo / "program.yml")
    assert program.forge.bot == "acme-mentor[bot]"
    readme = (repo / "README.md").read_text()
    assert "`MENTORSHIP_APP_CLIENT_ID`" in readme
    assert "`MENTORSHIP_APP_KEY`" in readme
    assert "writes as `acme-mentor[bot]`" in readme
    # The same workflows: the App's token step runs once the environment holds the App.
    plain = tmp_path / "plain"
    assert run("init", str(plain), "--forge", "github")[0] == 0
    for path in CI_FILES["github"]:
        assert (repo / path).read_text() == (plain / path).read_text()
    assert run("validate", "--config", str(repo / "program.yml"))[0] == 0


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--forge", "gitlab", "--github-app", "acme"], "--github-app is for --forge github"),
        (["--forge", "github", "--github-app", "Acme Mentor"], "is not a GitHub App's slug"),
    ],
)
def test_init_refuses_a_github_app_it_cannot_use_and_writes_nothing(
    tmp_path: Path, args: list[str], why: str
) -> None:
    code, _, err = run("init", str(tmp_path / "m"), *args)
    assert code == 1
    assert why in err
    assert not (tmp_path / "m").exists()

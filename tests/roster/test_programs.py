"""The programs file: a company's program.yml files, each with the variables of its token."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.forge import ForgeError, connect
from automation.roster.programs import (
    DEFAULT_NAME,
    Company,
    Member,
    folders,
    from_configs,
    load_company,
    member_program,
)
from automation.roster.source import ConfigError

ROSTER = """\
program: {{name: {name}}}
forge: {{kind: {kind}, project: acme/{name}}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
"""


def write(root: Path, folder: str, kind: str = "gitlab") -> Path:
    path = root / folder / "program.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ROSTER.format(name=folder, kind=kind))
    return path


def test_paths_are_relative_to_the_programs_file_and_entries_may_name_variables(
    tmp_path: Path,
) -> None:
    (tmp_path / "programs.yml").write_text(
        "name: Acme mentoring\n"
        "programs:\n"
        "  - engineering/program.yml\n"
        "  - config: design/program.yml\n"
        "    token_env: DESIGN_GITHUB_TOKEN\n"
        "    secret_env: DESIGN_SECRET\n"
    )
    assert load_company(tmp_path / "programs.yml") == Company(
        "Acme mentoring",
        (
            Member(tmp_path / "engineering" / "program.yml"),
            Member(tmp_path / "design" / "program.yml", "DESIGN_GITHUB_TOKEN", "DESIGN_SECRET"),
        ),
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("programs: []\n", "programs.yml:1: programs: List should have at least 1 item"),
        (
            "programs:\n  - a/program.yml\n  - {config: b/program.yml, token: X}\n",
            "programs.yml:3: programs[1].token:",
        ),
        (
            "programs:\n  - {config: a/program.yml, token_env: not a name}\n",
            "programs.yml:2: programs[0].token_env:",
        ),
        (
            "programs:\n  - a/program.yml\n  - ./a/program.yml\n",
            "programs.yml:3: programs[1]: {root}/a/program.yml is listed already as "
            "programs[0]; list each program once",
        ),
        ("- a/program.yml\n", "programs.yml:1: expected a mapping with programs:"),
    ],
)
def test_a_broken_programs_file_names_the_line_and_the_fix(
    tmp_path: Path, text: str, error: str
) -> None:
    path = tmp_path / "programs.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_company(path)
    assert str(raised.value).startswith(f"{tmp_path}/" + error.format(root=tmp_path))


def test_a_missing_programs_file_says_what_it_should_hold(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file; a programs file lists program\.yml"):
        load_company(tmp_path / "programs.yml")


def test_repeated_configs_make_a_company_with_the_default_name(tmp_path: Path) -> None:
    paths = [write(tmp_path, "a"), write(tmp_path, "b")]
    assert from_configs(paths) == Company(DEFAULT_NAME, (Member(paths[0]), Member(paths[1])))
    with pytest.raises(ConfigError, match="given twice as --config"):
        from_configs([paths[0], paths[1], paths[0]])


def test_the_programs_file_token_variable_is_the_one_connect_asks_for(tmp_path: Path) -> None:
    path = write(tmp_path, "design", kind="github")
    program = member_program(Member(path, "DESIGN_GITHUB_TOKEN", "DESIGN_SECRET"))
    assert program.forge.token_variable == "DESIGN_GITHUB_TOKEN"
    assert program.forge.secret_env == "DESIGN_SECRET"
    assert program.forge.handle_lines == load_program_handles(path)
    with pytest.raises(ForgeError, match=r"^\$DESIGN_GITHUB_TOKEN is not set"):
        connect(program.forge, {"GITHUB_TOKEN": "the engineering token"})


def load_program_handles(path: Path) -> dict[str, str]:
    return member_program(Member(path)).forge.handle_lines


def test_without_variables_the_program_keeps_its_own(tmp_path: Path) -> None:
    program = member_program(Member(write(tmp_path, "engineering")))
    assert program.forge.token_variable == "GITLAB_TOKEN"
    assert program.forge.secret_env == "MENTORSHIP_SECRET"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Engineering mentoring", "Design"], ("engineering-mentoring", "design")),
        (["Data & ML", "Data / ML", "Data ML"], ("data-ml", "data-ml-2", "data-ml-3")),
        (["Équipe Café", "!!!"], ("equipe-cafe", "program")),
    ],
)
def test_each_program_gets_a_folder_of_its_own(names: list[str], expected: tuple[str]) -> None:
    assert folders(names) == expected

"""Several programs read as one company: the programs file, and each program's own token.

A company runs department programs in separate repositories, each with its program.yml,
forge project and token; `mentorship report` and `mentorship history` read them together.
They are named by repeating `--config`, or by a programs file:

    name: Acme mentoring               # the title of the company-wide report
    programs:
      - engineering/program.yml        # relative to this file
      - config: design/program.yml
        token_env: DESIGN_GITHUB_TOKEN    # instead of the program's forge.token_env
        secret_env: DESIGN_MENTORSHIP_SECRET
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from automation.roster.config import Program, load_program
from automation.roster.source import ConfigError, parse_yaml_model

DEFAULT_NAME = "Mentorship programs"
_VARIABLE = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    config: Annotated[str, Field(min_length=1)]
    token_env: Annotated[str, Field(pattern=_VARIABLE)] | None = None
    secret_env: Annotated[str, Field(pattern=_VARIABLE)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, data: object) -> object:
        """A bare path is an entry with nothing else to say."""
        return {"config": data} if isinstance(data, str) else data


class _ProgramsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1)] = DEFAULT_NAME
    programs: Annotated[list[_Entry], Field(min_length=1)]


@dataclass(frozen=True)
class Member:
    """One program of the company: its program.yml, and the environment variables that hold
    its token and ledger secret when they differ from what its forge: settings name."""

    config: Path
    token_env: str | None = None
    secret_env: str | None = None


@dataclass(frozen=True)
class Company:
    name: str
    members: tuple[Member, ...]


def load_company(path: Path) -> Company:
    """Read a programs file; program paths are relative to its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [f"{path}: no such file; a programs file lists program.yml files under programs:"]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    data, source = parse_yaml_model(_ProgramsFile, text, path, "programs: (a list of paths)")
    members = []
    for entry in data.programs:
        members.append(Member(path.parent / entry.config, entry.token_env, entry.secret_env))
    repeated = _repeated([m.config for m in members])
    if repeated is not None:
        index, first = repeated
        raise ConfigError(
            [
                f"{source.locate(('programs', index))}: {members[index].config} is listed "
                f"already as programs[{first}]; list each program once"
            ]
        )
    return Company(data.name, tuple(members))


def from_configs(paths: Sequence[Path]) -> Company:
    """The company of programs named by repeated --config options."""
    repeated = _repeated(list(paths))
    if repeated is not None:
        raise ConfigError([f"{paths[repeated[0]]}: given twice as --config; give it once"])
    return Company(DEFAULT_NAME, tuple(Member(path) for path in paths))


def _repeated(paths: Sequence[Path]) -> tuple[int, int] | None:
    """The first path that names a file listed before it (its index, and the earlier one)."""
    seen: dict[Path, int] = {}
    for index, path in enumerate(paths):
        key = Path(path).resolve()
        if key in seen:
            return index, seen[key]
        seen[key] = index
    return None


def member_program(member: Member) -> Program:
    """The member's program.yml, its forge settings reading the variables the programs
    file names instead of their own."""
    program = load_program(member.config)
    update = {
        key: value
        for key, value in (("token_env", member.token_env), ("secret_env", member.secret_env))
        if value is not None
    }
    if not update:
        return program
    return program.model_copy(update={"forge": program.forge.model_copy(update=update)})


def folders(names: Sequence[str]) -> tuple[str, ...]:
    """A folder name for each program of the company report: its name in lower case with
    dashes, numbered when two names make the same folder."""
    out: list[str] = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "program"
        folder, n = base, 1
        while folder in out:
            n += 1
            folder = f"{base}-{n}"
        out.append(folder)
    return tuple(out)

"""Markdown task lists -> goals and progress, read the way GitHub or GitLab renders them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Dialect(str, Enum):
    GITHUB = "github"
    GITLAB = "gitlab"


@dataclass(frozen=True)
class Step:
    text: str
    checked: bool
    line: int  # 1-based line of the task item in the body


@dataclass(frozen=True)
class Goal:
    title: str
    steps: tuple[Step, ...]
    due: str | None = None  # ISO date read from "by YYYY-MM-DD" in the title

    @property
    def done(self) -> int:
        return sum(step.checked for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Checklist:
    """Every task item of a body (`done`/`total`) and the goals under `## Goals`."""

    done: int
    total: int
    goals: tuple[Goal, ...]
    steps: tuple[Step, ...]


_TASK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\[([ xX])\]\s+(\S.*)$")


def parse(body: str, dialect: Dialect = Dialect.GITHUB) -> Checklist:
    """Placeholder reading of task items; replaced by the full parser."""
    steps = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", body), start=1):
        match = _TASK.match(line)
        if match:
            steps.append(Step(match.group(2), match.group(1) != " ", number))
    return Checklist(
        done=sum(s.checked for s in steps), total=len(steps), goals=(), steps=tuple(steps)
    )

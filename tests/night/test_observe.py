"""The night's reads: the project's labels are listed only until the program's ledger
records the labels the forms apply as made."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from automation.messages.templates import Templates
from automation.night.observe import read
from automation.night.run import run_day
from automation.roster.config import parse_program
from tests.convergence.memory import MemoryForge

DAY = date(2026, 3, 2)
ROSTER = """\
program: {name: Labels, coordinators: [coco]}
forge: {kind: gitlab, project: acme/labels, bot: mentorship-bot}
people:
  - {handle: alice, roles: [mentor]}
  - {handle: dana, roles: [mentee]}
pairings: []
"""


class Counting(MemoryForge):
    def __init__(self) -> None:
        super().__init__("gitlab")
        self.listed = 0

    def label_names(self) -> frozenset[str]:
        self.listed += 1
        return super().label_names()


def test_the_labels_are_listed_until_the_ledger_records_them() -> None:
    program = parse_program(ROSTER, Path("program.yml"))
    forge = Counting()
    forge.now = datetime.combine(DAY, time(23), UTC)

    first = read(forge, program, DAY)
    assert (first.label_names, forge.listed) == (frozenset(), 1)

    report = run_day(forge, program, DAY, Templates())
    assert report.failed == []
    made = [o.action.key for o in report.outcomes if o.action.kind == "create-label"]
    assert made == ["label/mentorship", "label/mentorship-request", "label/mentorship-offer"]
    assert forge.listed == 2

    again = read(forge, program, DAY)
    assert again.label_names is None
    assert again.labels_made == {"mentorship", "mentorship-request", "mentorship-offer"}
    assert forge.listed == 2  # no read for them any more

"""Why each rule decided what it did for one pairing: the reasons planners give for the
writes they leave out, collected only when asked (`mentorship explain`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from automation.lifecycle.actions import Action


@dataclass(frozen=True)
class Decision:
    """What one rule planned for the pairing, and why it left out what it did."""

    rule: str
    actions: tuple[Action, ...]
    reasons: tuple[str, ...]


class Reasons:
    """Collects, while one pairing is planned, each rule's actions and the reasons it gave
    (`Pair.nothing`). Planning makes one only for `mentorship explain`; other runs pass none
    and the reasons are never written out."""

    def __init__(self, pairing: str) -> None:
        self.pairing = pairing
        self.decisions: list[Decision] = []
        self._heard: list[str] = []

    def hear(self, reason: str) -> None:
        self._heard.append(reason)

    def decided(self, rule: str, actions: Sequence[Action]) -> None:
        """The rule that just ran: the reasons heard since the previous rule are its own."""
        self.decisions.append(Decision(rule, tuple(actions), tuple(self._heard)))
        self._heard = []

"""How far a long apply has got: a line redrawn in place on a terminal, a line every so many
writes in a CI log (where redrawing would print every step)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from automation.night.executor import Outcome, Status

EVERY = 50  # writes between two lines in a log


@dataclass
class Ticker:
    """Counts the outcomes of a run's writes and says how far it has got through `say`
    (a line; `redraw` when it replaces the previous one on a terminal)."""

    say: Callable[[str, bool], None]
    terminal: bool
    every: int = EVERY
    total: int = 0
    written: int = 0
    deferred: int = 0

    def planned(self, total: int) -> None:
        self.total = total

    def heard(self, outcome: Outcome) -> None:
        self.written += 1
        if outcome.status is Status.DEFERRED:
            self.deferred += 1
        if self.terminal:
            self.say(self.line(), True)
        elif self.written % self.every == 0 and self.written < self.total:
            self.say(self.line(), False)

    def finished(self, deferred: int) -> None:
        """The last line, once the run knows every write it left for the next one: on a
        terminal the line stays; in a log, a run long enough to show its progress ends with
        where it got to."""
        self.deferred = deferred
        if self.terminal and self.written:
            self.say(self.line(), True)
            self.say("", False)
        elif not self.terminal and self.written >= self.every:
            self.say(self.line(), False)

    def line(self) -> str:
        share = self.written * 100 // self.total if self.total else 100
        return f"applied {self.written}/{self.total} ({share}%), {self.deferred} deferred"

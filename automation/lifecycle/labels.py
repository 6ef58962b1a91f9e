"""The labels the bot owns, derived from the program's label prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Made:
    """A label the nightly run creates in the project: its name, colour (six hex digits,
    no '#') and a description saying what it is for."""

    name: str
    color: str
    description: str


@dataclass(frozen=True)
class Labels:
    """The labels the bot owns. Phase labels share one scope (GitLab keeps one label per
    scope on tiers with scoped labels); flags are plain labels so they can coexist."""

    prefix: str

    @property
    def program(self) -> str:
        return self.prefix

    def phase(self, name: str) -> str:
        return f"{self.prefix}::{name}"

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(self.phase(p) for p in ("active", "ending-soon", "completed", "ended-early"))

    @property
    def retrospective(self) -> str:
        return f"{self.prefix}::retrospective"

    @property
    def checkin(self) -> str:
        # Not the program label: listing the pairings must not page through every
        # check-in the program ever had.
        return f"{self.prefix}-check-in"

    @property
    def feedback(self) -> str:
        """On a participant's private feedback form."""
        return f"{self.prefix}-feedback"

    @property
    def stalled(self) -> str:
        return f"{self.prefix}-stalled"

    @property
    def extended(self) -> str:
        return f"{self.prefix}-extended"

    def pace(self, name: str) -> str:
        return f"{self.prefix}-pace::{name}"

    @property
    def paces(self) -> tuple[str, ...]:
        return (self.pace("on-track"), self.pace("behind"))

    def awaiting(self, side: str) -> str:
        """A question waits for the pair's `mentor` or `mentee`. Its own scope, not the
        phase's: GitLab keeps one label per scope."""
        return f"{self.prefix}-awaiting::{side}"

    @property
    def awaitings(self) -> tuple[str, ...]:
        return (self.awaiting("mentor"), self.awaiting("mentee"))

    @property
    def ledger(self) -> str:
        return f"{self.prefix}::ledger"

    @property
    def dashboard(self) -> str:
        return f"{self.prefix}::dashboard"

    @property
    def request(self) -> str:
        """On an issue of the request form: someone asks for a mentor."""
        return f"{self.prefix}-request"

    def request_state(self, name: str) -> str:
        """Where a request stands: waiting, proposed, matched, withdrawn or expired."""
        return f"{self.prefix}-request::{name}"

    @property
    def request_states(self) -> tuple[str, ...]:
        names = ("waiting", "proposed", "matched", "withdrawn", "expired")
        return tuple(self.request_state(n) for n in names)

    @property
    def offer(self) -> str:
        """On an issue of the offer form: someone offers to mentor."""
        return f"{self.prefix}-offer"

    @property
    def offer_seen(self) -> str:
        return f"{self.prefix}-offer::acknowledged"

    @property
    def forms(self) -> tuple[Made, ...]:
        """The labels the request and offer forms apply. A form applies only labels that
        exist (GitHub issue forms ignore an unknown one; GitLab's `/label` quick action
        too), and the bot puts the request and offer labels on no issue of its own, so no
        first use creates them: the nightly run creates all three (rules/forms.py)."""
        return (
            Made(self.program, "1f75cb", "Mentorship program: pairings, requests and offers"),
            Made(self.request, "108548", "Someone asks for a mentor (the request form)"),
            Made(self.offer, "6b4fbb", "Someone offers to mentor (the offer form)"),
        )

    @property
    def every(self) -> tuple[str, ...]:
        """Every label the bot may put on an issue (and `feedback`, with feedback forms)."""
        return (
            self.program,
            *self.phases,
            self.retrospective,
            self.checkin,
            self.stalled,
            self.extended,
            *self.paces,
            *self.awaitings,
            self.ledger,
            self.dashboard,
            self.request,
            *self.request_states,
            self.offer,
            self.offer_seen,
        )

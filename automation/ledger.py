"""Bot-owned state that must outlive the comment window, kept in ledger issues on the forge.

A run reads a month of comments, which is all the nudges need. Progress needs more: which
comment shows a pairing's progress (it is edited in place, and GitLab lists no note edits
project-wide), the history of its progress and which goals were celebrated. That state
lives in the body of a few bot-owned issues, one per month of pairing starts, listed with
the pairing issues in the same paged request.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from automation import markers

_START = "<!-- mentorship-ledger\n"
_END = "\n-->"
_VERSION = 1
PER_ISSUE = 300  # pairings per ledger issue: about 60 KB, under GitHub's 65,536 characters
# The ledger issue of the program itself: the day the bot first ran for it.
PROGRAM = "ledger/program"


@dataclass(frozen=True)
class PairState:
    """What the bot remembers about one pairing between runs."""

    comment: int | str | None = None  # progress comment id, or a reference resolved by apply
    digest: str = ""  # of the progress the comment shows
    signature: str = ""  # of the checklist's step states
    changed: str | None = None  # ISO date the mentee or mentor last changed the checklist
    history: tuple[tuple[int, int, int], ...] = ()  # (check-in period, done, total)
    celebrated: tuple[str, ...] = field(default=())
    met: tuple[int, ...] = ()  # check-in periods in which the mentee or mentor spoke
    # The end (ISO date) of the term whose close-out the bot has seen complete: the issue
    # closed and labelled, its retrospective open, no check-in left open. Until then, and
    # again if the roster moves the end, the pairing is tended whatever its age.
    settled: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"c": self.comment, "d": self.digest, "s": self.signature}
        if self.changed:
            out["a"] = self.changed
        if self.history:
            out["h"] = [list(point) for point in self.history]
        if self.celebrated:
            out["g"] = list(self.celebrated)
        if self.met:
            out["m"] = list(self.met)
        if self.settled:
            out["z"] = self.settled
        return out

    @classmethod
    def from_json(cls, data: Any) -> PairState | None:
        if not isinstance(data, dict):
            return None
        comment = data.get("c")
        history = data.get("h") or []
        celebrated = data.get("g") or []
        met = data.get("m") or []
        try:
            return cls(
                comment=comment if isinstance(comment, int | str) else None,
                digest=str(data.get("d") or ""),
                signature=str(data.get("s") or ""),
                changed=str(data["a"]) if data.get("a") else None,
                history=tuple((int(p), int(d), int(t)) for p, d, t in history),
                celebrated=tuple(str(g) for g in celebrated),
                met=tuple(int(p) for p in met),
                settled=str(data["z"]) if data.get("z") else None,
            )
        except (TypeError, ValueError):
            return None


def shard(pairing_id: str, start_month: str, pairings_that_month: int) -> str:
    """The ledger key of a pairing: its start month, split when the month is crowded."""
    parts = -(-pairings_that_month // PER_ISSUE)
    if parts <= 1:
        return f"ledger/{start_month}"
    return f"ledger/{start_month}/{zlib.crc32(pairing_id.encode()) % parts + 1}"


def _payload(body: str) -> dict[str, Any] | None:
    """The JSON block of a ledger body, or None when it is missing or damaged."""
    start = body.find(_START)
    end = body.find(_END, start + len(_START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    try:
        data = json.loads(body[start + len(_START) : end])
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != _VERSION:
        return None
    return data


def parse(body: str) -> dict[str, PairState]:
    """The pairings' states in a ledger body; a damaged body reads as empty, never raises."""
    pairs = (_payload(body) or {}).get("pairs")
    if not isinstance(pairs, dict):
        return {}
    states = {str(k): PairState.from_json(v) for k, v in pairs.items()}
    return {k: v for k, v in states.items() if v is not None}


def adopted(body: str) -> date | None:
    """The program's adoption day kept in the program's ledger issue."""
    value = (_payload(body) or {}).get("adopted")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def render(key: str, states: Mapping[str, PairState]) -> str:
    """The body of ledger issue `key`: a marker, a note for people, the state as JSON."""
    payload = {"v": _VERSION, "pairs": {k: states[k].to_json() for k in sorted(states)}}
    note = (
        "This issue holds what the mentorship bot remembers between nightly runs about the "
        f"pairings of `{key.removeprefix('ledger/')}` (progress comments, progress history, "
        "celebrated goals). It is written by the bot; please do not edit or reopen it."
    )
    return _body(key, note, payload)


def render_program(day: date) -> str:
    """The body of the program's ledger issue: the day the bot began tending the program."""
    note = (
        f"The mentorship bot has tended this program since {day.isoformat()}: nothing before "
        "that day counts against a pair. It is written by the bot; please do not edit or "
        "reopen it (set `program.adopted` in program.yml to choose another day)."
    )
    return _body(PROGRAM, note, {"v": _VERSION, "adopted": day.isoformat()})


def _body(key: str, note: str, payload: Mapping[str, Any]) -> str:
    # `>` never appears escaped-free inside the HTML comment, so nothing can close it early.
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True).replace(">", "\\u003e")
    return markers.attach(f"{note}\n\n{_START}{text}{_END}\n", key)

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
from typing import Any

from automation import markers

_START = "<!-- mentorship-ledger\n"
_END = "\n-->"
_VERSION = 1
PER_ISSUE = 300  # pairings per ledger issue: about 60 KB, under GitHub's 65,536 characters


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
            )
        except (TypeError, ValueError):
            return None


def shard(pairing_id: str, start_month: str, pairings_that_month: int) -> str:
    """The ledger key of a pairing: its start month, split when the month is crowded."""
    parts = -(-pairings_that_month // PER_ISSUE)
    if parts <= 1:
        return f"ledger/{start_month}"
    return f"ledger/{start_month}/{zlib.crc32(pairing_id.encode()) % parts + 1}"


def parse(body: str) -> dict[str, PairState]:
    """The pairings' states in a ledger body; a damaged body reads as empty, never raises."""
    start = body.find(_START)
    end = body.find(_END, start + len(_START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return {}
    try:
        data = json.loads(body[start + len(_START) : end])
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("v") != _VERSION:
        return {}
    pairs = data.get("pairs")
    if not isinstance(pairs, dict):
        return {}
    states = {str(k): PairState.from_json(v) for k, v in pairs.items()}
    return {k: v for k, v in states.items() if v is not None}


def render(key: str, states: Mapping[str, PairState]) -> str:
    """The body of ledger issue `key`: a marker, a note for people, the state as JSON."""
    payload = {"v": _VERSION, "pairs": {k: states[k].to_json() for k in sorted(states)}}
    # `>` never appears escaped-free inside the HTML comment, so nothing can close it early.
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True).replace(">", "\\u003e")
    note = (
        "This issue holds what the mentorship bot remembers between nightly runs about the "
        f"pairings of `{key.removeprefix('ledger/')}` (progress comments, progress history, "
        "celebrated goals). It is written by the bot; please do not edit or close it."
    )
    return markers.attach(f"{note}\n\n{_START}{text}{_END}\n", key)

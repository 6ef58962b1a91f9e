"""Bot-owned state that must outlive the comment window, kept in ledger issues on the forge.

A run reads a month of comments, which is all the nudges need. Progress needs more: which
comment shows a pairing's progress (it is edited in place, and GitLab lists no note edits
project-wide), the history of its progress and which goals were celebrated. That state
lives in the body of a few bot-owned issues, one per month of pairing starts, listed with
the pairing issues in the same paged request.

The ledger is also where the bot's identity for its issues lives: the number of each
pairing's issues (pairing, retrospective, open check-ins) and of the dashboard. A marker in
an issue body can be edited by whoever may edit that body; a number recorded here cannot.
With a secret (`MENTORSHIP_SECRET`), every ledger body is signed (HMAC-SHA256 over its key
and text), so that a ledger written by anyone but the bot is never believed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from automation.lifecycle import markers
from automation.messages.markdown import as_kept

_START = "<!-- mentorship-ledger\n"
_END = "\n-->"
_VERSION = 1
# Pairings per ledger issue: the largest entry a term reaches (weekly check-ins, long
# handles) is about 790 characters, so a full shard stays near 63,500, under GitHub's
# 65,536 (tests/lifecycle/test_ledger.py checks that worst case).
PER_ISSUE = 80
# The ledger issue of the program itself: the day the bot first ran for it.
PROGRAM = "ledger/program"
# What every ledger issue's title begins with: found by it when its label was taken off.
TITLE = "Mentorship bot ledger"
# Where the signature goes in a ledger body; apply fills it in (it holds the secret).
UNSIGNED = "@sign"
_SIGNATURE = re.compile(r'"sig":"([^"]*)"')
# In a marker, on a comment of the bot's that people must not rewrite: `sig=unsigned`
# until apply signs it (no `@` in it: a mention checker would see one).
UNSIGNED_MARKER = "unsigned"
_MARKER_SIGNATURE = re.compile(r"(?<=[ \t])sig=([!-;=?-~]*)(?=[ \t])")


@dataclass(frozen=True)
class PairState:
    """What the bot remembers about one pairing between runs."""

    comment: int | str | None = None  # progress comment id, or a reference resolved by apply
    digest: str = ""  # of the progress the comment shows
    signature: str = ""  # of the checklist's step states
    changed: str | None = None  # ISO date the mentee or mentor last changed the checklist
    # (week of the term, done, total): a point for each week in which the goal steps moved.
    history: tuple[tuple[int, int, int], ...] = ()
    celebrated: tuple[str, ...] = field(default=())
    met: tuple[int, ...] = ()  # check-in periods in which the mentee or mentor spoke
    # The end (ISO date) of the term whose close-out the bot has seen complete: the issue
    # closed and labelled, its retrospective open, no check-in left open. Until then, and
    # again if the roster moves the end, the pairing is tended whatever its age.
    settled: str | None = None
    # The numbers of its issues, by what they are (`pairing`, `retrospective`, `checkin/3`):
    # who they are, whatever their markers say. A number, or a reference apply fills in.
    issues: tuple[tuple[str, int | str], ...] = ()
    # Ids the pairing had before its start moved: its older issues and comments carry them.
    was: tuple[str, ...] = ()
    # The latest check-in's description as the bot last took it in, `checkin/N:digest`:
    # the text the bot wrote, or the pair's once their edit was counted (`described`).
    agenda: str = ""
    edited: str | None = None  # ISO date the pair last edited a check-in's description
    # Feedback forms (parts, as in `issues`) opened for an end the roster no longer holds,
    # seen closed: still who `issues` says, but not read again (README, "Private feedback").
    retired: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"c": self.comment, "d": self.digest, "s": self.signature}
        if self.changed:
            out["a"] = self.changed
        if self.history:
            out["p"] = [list(point) for point in self.history]
        if self.celebrated:
            out["g"] = list(self.celebrated)
        if self.met:
            out["m"] = list(self.met)
        if self.settled:
            out["z"] = self.settled
        if self.issues:
            out["i"] = dict(self.issues)
        if self.was:
            out["w"] = list(self.was)
        if self.agenda:
            out["k"] = self.agenda
        if self.edited:
            out["e"] = self.edited
        if self.retired:
            out["f"] = list(self.retired)
        return out

    @classmethod
    def from_json(cls, data: Any) -> PairState | None:
        if not isinstance(data, dict):
            return None
        comment = data.get("c")
        history = data.get("p") or []  # ("h" held points by check-in period: not kept)
        celebrated = data.get("g") or []
        met = data.get("m") or []
        issues = data.get("i") or {}
        was = data.get("w") or []
        retired = data.get("f") or []
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
                # A number, or (in a plan not yet applied) a reference: left out.
                issues=tuple(sorted((str(k), v) for k, v in issues.items() if isinstance(v, int))),
                was=tuple(str(w) for w in was),
                agenda=str(data.get("k") or ""),
                edited=str(data["e"]) if data.get("e") else None,
                # A close not done when written (`if_done`) reads null: not retired yet.
                retired=tuple(str(f) for f in retired if isinstance(f, str)),
            )
        except (TypeError, ValueError, AttributeError):
            return None


def described(part: str, body: str) -> str:
    """What `agenda` keeps of check-in `part` whose description is `body`."""
    kept = as_kept(body).encode("utf-8", "replace")
    return f"{part}:{hashlib.blake2b(kept, digest_size=6).hexdigest()}"


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


# Ledger bodies read already: a run reads each when it observes, then again for the
# dashboard (as the night leaves the ledger) and for the ledger writes it plans.
_PARSED: dict[str, dict[str, PairState]] = {}
_PARSED_LIMIT = 4096  # bodies kept in a process before it starts over


def parse(body: str) -> dict[str, PairState]:
    """The pairings' states in a ledger body; a damaged body reads as empty, never raises."""
    found = _PARSED.get(body)
    if found is None:
        found = _parse(body)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[body] = found
    return dict(found)


def _parse(body: str) -> dict[str, PairState]:
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


def program_queue(body: str) -> dict[int, date]:
    """The open requests the program's ledger issue keeps: number -> the day opened."""
    queue = (_payload(body) or {}).get("queue")
    if not isinstance(queue, dict):
        return {}
    out: dict[int, date] = {}
    for number, opened in queue.items():
        try:
            out[int(number)] = date.fromisoformat(str(opened))
        except ValueError:
            continue
    return out


def program_proposed(body: str) -> dict[int, str]:
    """The proposals posted on requests, as the program's ledger keeps them: by request
    number, the digest of the mentor proposed."""
    proposed = (_payload(body) or {}).get("proposed")
    if not isinstance(proposed, dict):
        return {}
    # A proposal whose comment failed is recorded as null: posted again.
    return {int(n): d for n, d in proposed.items() if str(n).isdigit() and isinstance(d, str)}


def program_labels(body: str) -> frozenset[str]:
    """The labels the program's ledger issue records as made (or found) in the project: a
    run lists the project's labels only while one the forms apply is not among them."""
    names = (_payload(body) or {}).get("labels")
    if not isinstance(names, str):
        return frozenset()  # none recorded, or null: a creation failed, look again
    return frozenset(name for name in names.split(",") if name)


def labels_value(names: Iterable[str]) -> str:
    """How the program's ledger keeps `names` (`program_labels` reads them back): the label
    prefix allows no comma, colon or quote in a name."""
    return ",".join(sorted(names))


def program_issues(body: str) -> dict[str, int]:
    """The numbers of the program's own issues (the dashboard) in its ledger issue."""
    issues = (_payload(body) or {}).get("issues")
    if not isinstance(issues, dict):
        return {}
    return {str(k): v for k, v in issues.items() if isinstance(v, int)}


def render(key: str, states: Mapping[str, PairState]) -> str:
    """The body of ledger issue `key`: a marker, a note for people, the state as JSON."""
    payload = {
        "v": _VERSION,
        "pairs": {k: states[k].to_json() for k in sorted(states)},
        "sig": UNSIGNED,
    }
    note = (
        "This issue holds what the mentorship bot remembers between nightly runs about the "
        f"pairings of `{key.removeprefix('ledger/')}` (progress comments, progress history, "
        "celebrated goals). It is written by the bot; please do not edit or reopen it."
    )
    return _body(key, note, payload)


def render_program(
    day: date,
    issues: Mapping[str, int | str],
    queue: Mapping[int, date] | None = None,
    proposed: Mapping[int, str] | None = None,
    labels: str | None = None,
) -> str:
    """The body of the program's ledger issue: the day the bot began tending the program,
    the numbers of its own issues, the open requests of the queue and the labels made for
    the forms (`labels_value`, or an `if_done` of it)."""
    note = (
        f"The mentorship bot has tended this program since {day.isoformat()}: nothing before "
        "that day counts against a pair. It is written by the bot; please do not edit or "
        "reopen it (set `program.adopted` in program.yml to choose another day)."
    )
    payload = {
        "v": _VERSION,
        "adopted": day.isoformat(),
        "issues": dict(issues),
        "queue": {str(n): opened.isoformat() for n, opened in sorted((queue or {}).items())},
        "proposed": {str(n): digest for n, digest in sorted((proposed or {}).items())},
        "sig": UNSIGNED,
    }
    if labels is not None:
        payload["labels"] = labels
    return _body(PROGRAM, note, payload)


def _body(key: str, note: str, payload: Mapping[str, Any]) -> str:
    # `>` never appears escaped-free inside the HTML comment, so nothing can close it early.
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True).replace(">", "\\u003e")
    return markers.attach(f"{note}\n\n{_START}{text}{_END}\n", key)


def sign(text: str, key: str, secret: str) -> str:
    """`text` (a ledger body or the dashboard, for issue `key`; a comment whose marker has
    `sig=unsigned`, for its marker's key) with its signature filled in."""
    found, placeholder = _found(text)
    if found is None or found.group(1) != placeholder:
        return text
    return text[: found.start(1)] + _mac(text, key, secret) + text[found.end(1) :]


def signature(text: str, key: str, secret: str) -> str:
    """`valid`, `invalid`, or `none` when the body carries no signature (written before a
    secret was set, or without one)."""
    found, placeholder = _found(text)
    if found is None or found.group(1) == placeholder:
        return "none"
    unsigned = text[: found.start(1)] + placeholder + text[found.end(1) :]
    mac = _mac(unsigned, key, secret).encode()
    return "valid" if hmac.compare_digest(found.group(1).encode(), mac) else "invalid"


def unsigned(text: str) -> str:
    """`text` with its signature, if any, as it was before apply filled it in."""
    found, placeholder = _found(text)
    if found is None:
        return text
    return text[: found.start(1)] + placeholder + text[found.end(1) :]


def _found(text: str) -> tuple[re.Match[str] | None, str]:
    """The signature and what stands for it unsigned: in the marker on the first line,
    else the last `"sig"` of the text (the bot's JSON closes it: people's words on the
    dashboard come before)."""
    first = text.split("\n", 1)[0]
    if first.startswith("<!--") and (found := _MARKER_SIGNATURE.search(first)):
        return found, UNSIGNED_MARKER
    matches = list(_SIGNATURE.finditer(text))
    return (matches[-1] if matches else None), UNSIGNED


def _mac(unsigned: str, key: str, secret: str) -> str:
    message = f"{key}\n{as_kept(unsigned)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]

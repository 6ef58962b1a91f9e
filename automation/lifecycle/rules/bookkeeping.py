"""The bot's bookkeeping: what the ledger keeps of each pairing after a plan, the ledger
issues that keep it, and the program's own record (adoption day, the dashboard's number).

Planned after every pairing's writes, which the ledger records; see automation/lifecycle/ledger.py
for the format and README, "How a nightly run works" and "Security", for why."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from automation.lifecycle import ledger
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    EditIssueBody,
    OpenIssue,
    PostComment,
    Relabel,
    ReopenIssue,
    Target,
    Urgency,
    if_done,
    ref,
)
from automation.lifecycle.labels import Labels
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import DASHBOARD, Observed, part_of, started_on
from automation.lifecycle.rules import feedback, forms, progress, requests
from automation.lifecycle.rules.pair import Pair
from automation.model import CloseReason, Draft, IssueState
from automation.roster.config import Program

# The writes that change a pairing's state, rather than post a one-time message.
_STATE_WRITES = (OpenIssue, Relabel, CloseIssue, ReopenIssue, PostComment)


def remembered(pair: Pair, mine: list[Action]) -> tuple[PairState, tuple[str, ...]] | None:
    """What the ledger keeps of the pairing after this plan, and the writes it records.

    After its end, a pairing whose close-out this plan completes (or finds complete) is
    settled: no longer tended once its last message is due. The plan's own close-out
    writes must all succeed for that to be recorded (`if_done`), so a write lost tonight
    keeps the pairing tended, and reconciled, on the next run.
    """
    previous = pair.state
    current = progress.state(pair, mine)
    kept = current or previous or PairState()
    end = pair.timeline.end
    issue = pair.issue("pairing")
    closing = {pair.key("pairing", "close")} & {a.key for a in mine}
    settled: str | None = None
    forms_open = feedback.open_forms(pair, mine)
    closed = bool(closing) or (issue is not None and issue.state is IssueState.CLOSED)
    if pair.today >= end and issue is not None and closed and not forms_open:
        needed = [a.key for a in mine if isinstance(a, _STATE_WRITES) and not _message(a)]
        settled = if_done(end.isoformat(), needed) if needed else end.isoformat()
    was = sorted({*kept.was, *(o for o, n in pair.observed.renamed.items() if n == pair.id)})
    edited = pair.checkin_edited
    state = replace(
        kept,
        settled=settled,
        issues=_numbers(pair, mine),
        was=tuple(was),
        agenda=pair.agenda(mine),
        edited=edited.isoformat() if edited else None,
        retired=feedback.retired(pair, mine),
    )
    if state == previous:
        return None
    return state, progress.recorded(pair, mine)


def _numbers(pair: Pair, mine: list[Action]) -> tuple[tuple[str, int | str], ...]:
    """The numbers of the pairing's issues the bot acts on (its pairing issue, its
    retrospective, its latest check-in, its feedback forms) after this plan: one it opens
    is a reference."""
    # Feedback forms are listed only on the nights they are needed (observe.forms_read_since),
    # and a closed check-in only while it is recent (observe.checkin_window_days): their
    # numbers are kept from the ledger in between, or a quiet night would rewrite it.
    previous = pair.state.issues if pair.state else ()
    numbers: dict[str, int | str] = {
        p: n for p, n in previous if p.startswith(("feedback/", "checkin/"))
    }
    for key in pair.observed.by_pairing.get(pair.id, ()):
        numbers[key.split("/", 2)[2]] = pair.observed.issues[key].number
    for action in mine:
        if isinstance(action, OpenIssue):
            numbers[action.key.split("/", 2)[2]] = ref(action.key)
    checkins = [part for part in numbers if part.startswith("checkin/")]
    latest = max(checkins, key=lambda part: int(part.split("/")[1]), default=None)
    # Every retrospective, one per end (lifecycle/retrospectives.py): the current one and
    # those of an end taken back, whose numbers say who they are once closed.
    kept = ("pairing", "retrospective", latest)
    return tuple(
        sorted(
            (part, n)
            for part, n in numbers.items()
            if part in kept or part.startswith(("feedback/", "retrospective/"))
        )
    )


def _message(action: Action) -> bool:
    """A one-time message after the end (the retrospective reminder, a follow-up, a
    catch-up): not close-out."""
    if part_of(action.key) == "retrospective" and action.key.endswith("/reminder"):
        return True  # the reminder on the retrospective of one end
    return part_of(action.key) in ("retrospective-reminder", "follow-up", "informal")


def ledgers(
    program: Program,
    observed: Observed,
    states: Mapping[str, tuple[PairState, tuple[str, ...]]],
) -> list[Action]:
    """Write each ledger issue whose pairings' states changed, after their writes (and,
    with a secret newly set, each one not signed yet). Ledger issues are closed: out of
    people's way, still listed by the run."""
    months = Counter(p.start.strftime("%Y-%m") for p in program.pairings)

    def shard_of(pairing_id: str) -> str:
        started = started_on(pairing_id)
        month = started.strftime("%Y-%m") if started else "unknown"
        return ledger.shard(pairing_id, month, max(1, months[month]))

    shards: dict[str, dict[str, tuple[PairState, tuple[str, ...]]]] = defaultdict(dict)
    for pairing_id, entry in states.items():
        shards[shard_of(pairing_id)][pairing_id] = entry
    # A pairing whose start moved is kept under its new id only, once that is written (not
    # before: a start moved to a later day makes the pairing wait, and write nothing).
    dropped: dict[str, set[str]] = defaultdict(set)
    for old, new in observed.renamed.items():
        if new in states:
            dropped[shard_of(old)].add(old)
            shards.setdefault(shard_of(old), {})
    labels = Labels(program.program.label_prefix)
    actions: list[Action] = []
    for key, entries in sorted(shards.items()):
        issue = observed.issues.get(key)
        kept = ledger.parse(issue.body) if issue else {}
        wanted = {pid: state for pid, state in kept.items() if pid not in dropped[key]}
        wanted |= {pid: state for pid, (state, _) in entries.items()}
        if issue is not None and wanted == kept and key not in observed.unsigned:
            continue
        after = tuple(k for _, keys in entries.values() for k in keys)
        body = ledger.render(key, wanted)
        if issue is None:
            title = f"{ledger.TITLE}: pairings started {key.removeprefix('ledger/')}"
            draft = Draft(title, body, (labels.program, labels.ledger), (), True)
            actions += _opened_closed(OpenIssue(key, "", draft, Urgency.HOUSEKEEPING, after))
        else:
            target = Target(key, issue.number)
            actions.append(EditIssueBody(key, "", target, body, Urgency.HOUSEKEEPING, after))
    for key in sorted(observed.unsigned - {ledger.PROGRAM} - set(shards)):
        issue = observed.issues[key]
        target = Target(key, issue.number)
        body = ledger.render(key, ledger.parse(issue.body))
        actions.append(EditIssueBody(key, "", target, body, Urgency.HOUSEKEEPING))
    written = {a.key for a in actions}
    for key, issue in sorted(observed.issues.items()):
        if key.startswith("ledger/") and issue.state is IssueState.OPEN:
            actions.append(_close(Target(key, issue.number), (key,) if key in written else ()))
    return actions


def program_record(
    program: Program,
    observed: Observed,
    today: date,
    actions: list[Action],
    queue: requests.Kept,
) -> list[Action]:
    """The program's ledger issue: the adoption day (today, on the first run; a damaged
    record is written anew), the numbers of the dashboard and of the other ledger issues
    (found by them if someone takes their label off), the queue of open requests (so
    that the next run lists them however old) and the labels made for the forms (so that
    the next run does not list the project's labels), written when any of them changes."""
    record = observed.issues.get(ledger.PROGRAM)
    kept = ledger.program_issues(record.body) if record else {}
    labels = forms.recorded(program, observed, actions)

    def recorded(key: str) -> bool:
        return key == DASHBOARD or (key.startswith("ledger/") and key != ledger.PROGRAM)

    issues: dict[str, int | str] = {k: i.number for k, i in observed.issues.items() if recorded(k)}
    for action in actions:
        if isinstance(action, OpenIssue) and recorded(action.key):
            issues.setdefault(action.key, ref(action.key))
    unchanged = (
        issues == kept
        and queue.waiting == observed.queue
        and queue.proposed == observed.proposed
        and ledger.PROGRAM not in observed.unsigned
        and labels in (None, ledger.labels_value(observed.labels_made))
    )
    if record is not None and observed.adopted is not None and unchanged:
        return []
    body = ledger.render_program(
        observed.adopted or today, issues, queue.waiting, queue.proposed, labels
    )
    if record is None:
        named = Labels(program.program.label_prefix)
        title = f"{ledger.TITLE}: the program"
        draft = Draft(title, body, (named.program, named.ledger), (), True)
        return _opened_closed(OpenIssue(ledger.PROGRAM, "", draft, Urgency.HOUSEKEEPING))
    target = Target(ledger.PROGRAM, record.number)
    return [EditIssueBody(ledger.PROGRAM, "", target, body, Urgency.HOUSEKEEPING)]


def _opened_closed(action: OpenIssue) -> list[Action]:
    """A bot issue nobody needs to see open: opened, then closed (GitHub opens issues open)."""
    return [action, _close(Target(action.key), (action.key,))]


def _close(target: Target, after: tuple[str, ...]) -> CloseIssue:
    return CloseIssue(
        f"{target.key}/close", "", target, CloseReason.NOT_PLANNED, Urgency.HOUSEKEEPING, after
    )

"""What the forge says today: the bot's issues and comments by marker, and human activity.

`read()` in `night/observe.py` does the I/O: a few paged list requests, never one per
pairing. `snapshot()` turns what they returned into an `Observed` value the rules plan from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from automation.goals.feedback import form_key
from automation.lazy import lazy
from automation.lifecycle import boxes, ledger, markers, turns
from automation.lifecycle.labels import Labels
from automation.lifecycle.ledger import PairState
from automation.lifecycle.timeline import Timeline
from automation.lifecycle.turns import Turn
from automation.model import ChangeRequest, Comment, Issue, IssueState, Tick
from automation.roster.config import Pairing, Program
from automation.roster.handles import handle_key, same_handle

# A one-time comment (midpoint, ending soon, a nudge) is written within this many days of
# its date or not at all, so a run needs to read only this far back to know it exists.
CATCH_UP_DAYS = 14
# The marker key of the program's dashboard issue (automation/views/dashboard.py).
DASHBOARD = "dashboard"


def lookback_days(program: Program) -> int:
    """How far back comments are read: enough to see every nudge and one-time comment, and
    an unanswered question for as long as its nudge may still be written."""
    stale = program.program.stale
    answer = stale.answer_days + CATCH_UP_DAYS
    return max(stale.stalled_days, stale.first_meeting_days, CATCH_UP_DAYS, answer) + 1


def tended_until(pairing: Pairing, program: Program) -> date:
    """The last day the bot looks after a pairing: its end, then the retrospective reminder
    and the messages after the term (a follow-up, or monthly catch-ups)."""
    settings = program.program
    end = pairing.end(settings)
    reminder = end + timedelta(days=settings.retrospective_reminder_days)
    last = max((reminder, *pairing.afterwards(settings)))
    return last + timedelta(days=CATCH_UP_DAYS)


def forms_read_since(program: Program, pairing: Pairing, today: date, settled: bool) -> date | None:
    """The day from which a run lists a pairing's private feedback forms, or None when it
    need not tonight (README, "Private feedback"). A form opens within CATCH_UP_DAYS of its
    milestone and closes `open_days` after, so the run reads a pairing's forms from its
    midpoint while either window is open, and after the end until its term is settled
    (which waits for its forms to close, however late the nights run). Other nights cost
    no read for them."""
    rules = program.program.feedback
    if rules is None or program.forge.api_flavour == "github":
        return None
    timeline = Timeline.of(pairing, program.program)
    span = timedelta(days=CATCH_UP_DAYS + rules.open_days)
    near = any(day <= today < day + span for day in (timeline.midpoint, timeline.end))
    if near or (today >= timeline.end and not settled):
        return min(timeline.midpoint, timeline.end)
    return None


def forms_of_a_moved_end(
    program: Program, observed: Observed, pairings: Iterable[Pairing], today: date
) -> list[int]:
    """The numbers, as the ledger keeps them, of end forms opened for an end the roster no
    longer holds (an `ended:` taken back or moved, an extension added after the end) that
    the listing did not find and that the ledger has not seen closed: the run reads them
    one by one to close them (rules/feedback.py). Forms are listed only near the current
    milestones, so those of an end taken back would stay open; once seen closed the ledger
    retires them, and the nights after read nothing more for them."""
    if program.program.feedback is None or program.forge.api_flavour == "github":
        return []
    numbers = []
    for pairing in pairings:
        state = observed.ledger.get(pairing.id)
        if state is None:
            continue
        end = pairing.end(program.program)
        for part, number in state.issues:
            key = f"pair/{pairing.id}/{part}"
            form = form_key(key)
            if form is None or form.milestone != "end" or part in state.retired:
                continue
            # An end form opens on or after its end: one kept without its end (an older
            # version's key) while the term runs was opened for an end taken back.
            moved = form.end < end if form.end is not None else today < end
            if moved and key not in observed.issues and isinstance(number, int):
                numbers.append(number)
    return numbers


def adoption(program: Program, observed: Observed, today: date) -> date:
    """The day the bot began tending the program: program.yml's `adopted`, else the day of
    its first run as the ledger keeps it (today, on that first run)."""
    return program.program.adopted or observed.adopted or today


def tended(program: Program, observed: Observed, today: date) -> list[Pairing]:
    """The pairings the nightly run looks after today.

    Every pairing that has started, until its close-out is done (kept in the ledger as
    settled) and its last message is due, however long ago it ended: a run after a gap of
    months still closes every term that ended in between. Terms that ended before the bot
    began tending the program are history and are left alone.
    """
    adopted = adoption(program, observed, today)
    return [p for p in program.pairings if left_alone(program, observed, today, p, adopted) is None]


class LeftAlone(StrEnum):
    """Why the nightly run does not look after a pairing today (`tended`)."""

    UPCOMING = "the term has not started"
    HISTORY = "the term ended before the bot began tending the program"
    SETTLED = "the term's close-out is done and its last message was due"


def left_alone(
    program: Program, observed: Observed, today: date, pairing: Pairing, adopted: date
) -> LeftAlone | None:
    """Why the run leaves `pairing` alone today, or None when it looks after it."""
    end = pairing.end(program.program)
    if pairing.start > today:
        return LeftAlone.UPCOMING
    if end <= adopted and pairing.id not in observed.ledger:
        return LeftAlone.HISTORY
    if term_settled(observed, pairing, program) and today > tended_until(pairing, program):
        return LeftAlone.SETTLED
    return None


def term_settled(observed: Observed, pairing: Pairing, program: Program) -> bool:
    state = observed.ledger.get(pairing.id)
    return state is not None and state.settled == pairing.end(program.program).isoformat()


def start_of_day(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def last_spoke(observed: Observed, pairing_id: str, zone: str, changed: date | None) -> date | None:
    """The later of the pair's last comment in the window and their last checklist change."""
    moment = observed.activity.get(pairing_id)
    days = [d for d in (local_day(moment, zone) if moment else None, changed) if d is not None]
    return max(days, default=None)


@dataclass(frozen=True)
class Roster:
    """program.yml on the forge, for proposing pairings and the extensions and ends asked
    with the boxes (`requests.propose_changes`)."""

    text: str | None  # on the default branch
    proposed: str | None  # on the proposal branch
    change: ChangeRequest | None  # the open merge/pull request from that branch
    # Box asks (`pair/<id>/box/<name>/<when>`) that a roster change the bot opened carried
    # when it was closed without a merge: declined (rules/boxes.py).
    declined: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Observed:
    bot: str
    window_start: datetime  # comments older than this were not read
    issues: Mapping[str, Issue]  # the bot's issues by key: the ledger's record, else the marker
    duplicates: tuple[Issue, ...]  # newer bot issues that repeat a key (concurrent runs)
    comments: Mapping[str, Comment]  # the bot's comments in the window, by marker key
    activity: Mapping[str, datetime]  # pairing id -> last human comment in the window
    ledger: Mapping[str, PairState] = field(default_factory=dict)  # pairing id -> its state
    adopted: date | None = None  # the program's adoption day, once the ledger keeps it
    # Ledger keys believed without a signature while a secret is set: the run signs them.
    unsigned: frozenset[str] = frozenset()
    # Pairings whose start moved: old id -> the roster's id they carry on under.
    renamed: Mapping[str, str] = field(default_factory=dict)
    # People's issues from the request and offer forms, by number (open, or closed lately).
    requests: Mapping[int, Issue] = field(default_factory=dict)
    offers: Mapping[int, Issue] = field(default_factory=dict)
    # The queue as the ledger keeps it: request number -> the day it was opened.
    queue: Mapping[int, date] = field(default_factory=dict)
    # Proposals posted on requests, as the ledger keeps them: request number -> its digest.
    proposed: Mapping[int, str] = field(default_factory=dict)
    roster: Roster | None = None
    # pairing id -> a question of one of the pair the other has not answered (in the window)
    turns: Mapping[str, Turn] = field(default_factory=dict)
    # pairing id -> who of the pair wrote the last comment in the window (`activity`)
    spoke: Mapping[str, str] = field(default_factory=dict)
    # pairing issue number -> who ticked its boxes, read for the issues with a box ticked
    ticks: Mapping[int, tuple[Tick, ...]] = field(default_factory=dict)
    # The labels the program's ledger records as made for the forms (rules/forms.py).
    labels_made: frozenset[str] = frozenset()
    # The project's labels, listed only while one the forms apply is not recorded as made.
    label_names: frozenset[str] | None = None
    # With a secret, the keys of the bot's texts people must not rewrite (the dashboard,
    # progress comments) that carry no valid signature: someone else rewrote them, or a
    # run before the secret wrote them. The run writes them again.
    forged: frozenset[str] = frozenset()

    @lazy
    def by_pairing(self) -> Mapping[str, tuple[str, ...]]:
        """The keys of each pairing's issues, by pairing id (sorted)."""
        keys: dict[str, list[str]] = {}
        for key in sorted(self.issues):
            pairing = pairing_of(key)
            if pairing is not None:
                keys.setdefault(pairing, []).append(key)
        return {pairing: tuple(found) for pairing, found in keys.items()}

    @lazy
    def comments_by_pairing(self) -> Mapping[str, tuple[tuple[str, Comment], ...]]:
        """The bot's comments of each pairing (`pair/<id>/...`, with their keys), by pairing
        id, in the order they were listed."""
        found: dict[str, list[tuple[str, Comment]]] = {}
        for key, comment in self.comments.items():
            pairing = pairing_of(key)
            if pairing is not None:
                found.setdefault(pairing, []).append((key, comment))
        return {pairing: tuple(pairs) for pairing, pairs in found.items()}

    @lazy
    def answered(self) -> Mapping[str, tuple[tuple[str, Comment], ...]]:
        """The bot's acknowledgements of ticked boxes (`pair/<id>/box/...`), by pairing id."""
        found = {
            pairing: tuple((key, c) for key, c in pairs if part_of(key) == "box")
            for pairing, pairs in self.comments_by_pairing.items()
        }
        return {pairing: pairs for pairing, pairs in found.items() if pairs}


def box_asks(observed: Observed) -> tuple[bool, bool]:
    """Whether an extension or end was asked on a pairing issue: answered in the window of
    comments, or ticked on an open pairing issue tonight."""
    answered = any(
        key.split("/")[3:4] in (["extend"], ["end"])
        for pairs in observed.answered.values()
        for key, _ in pairs
    )
    ticked = any(
        part_of(key) == "pairing"
        and issue.state is IssueState.OPEN
        and {"extend", "end"} & set(boxes.ticked(issue.body))
        for key, issue in observed.issues.items()
    )
    return answered, ticked


def pairing_of(key: str) -> str | None:
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "pair" else None


def part_of(key: str) -> str | None:
    """What a pairing's key names (`pairing`, `checkin`, `feedback`, `follow-up`, ...)."""
    parts = key.split("/")
    return parts[2] if len(parts) >= 3 and parts[0] == "pair" else None


def snapshot(
    program: Program,
    bot: str,
    issues: Iterable[Issue],
    comments: Iterable[Comment],
    window_start: datetime,
    secret: str | None = None,
) -> Observed:
    """Index what was read, trusting only what people cannot forge (README, "Security").

    Only the bot's own issues and comments count. Its ledger issues are believed when they
    carry the ledger label and, with a `secret`, a valid signature. Every other issue is
    who the ledger says its number is; only an issue the ledger has not recorded yet (one
    opened by a run whose ledger write failed, or by a version that kept no numbers) is
    taken at its marker's word (`_may_claim`), and never for a key the ledger gives another
    issue. A bot comment counts only on the issue its key belongs to.
    """
    issues = list(issues)
    labels = Labels(program.program.label_prefix)
    mine = sorted(
        (i for i in issues if same_handle(i.author, bot)), key=lambda i: (i.created_at, i.number)
    )
    theirs = [i for i in issues if not same_handle(i.author, bot)]
    requests = {i.number: i for i in theirs if labels.request in i.labels}
    offers = {i.number: i for i in theirs if labels.offer in i.labels}
    books, unsigned = _ledgers(program, mine, secret)
    states: dict[str, PairState] = {}
    for key in sorted(books):
        states.update(ledger.parse(books[key].body))
    record = books.get(ledger.PROGRAM)
    adopted = ledger.adopted(record.body) if record else None
    queue = ledger.program_queue(record.body) if record else {}
    proposed = ledger.program_proposed(record.body) if record else {}
    labels_made = ledger.program_labels(record.body) if record else frozenset()
    recorded = _recorded(states, ledger.program_issues(record.body) if record else {})
    claimed = set(recorded.values())
    shelved = {issue.number for issue in books.values()}
    by_key: dict[str, Issue] = dict(books)
    duplicates: list[Issue] = []
    for issue in mine:
        if issue.number in shelved:
            continue
        known = recorded.get(issue.number)
        if known is not None:
            key = known
        else:
            marker = markers.find(issue.body)
            if marker is None or marker.key.startswith("ledger/"):
                continue
            key = marker.key
            if key in claimed:
                # The ledger gives this key to another issue: a copy from two runs at once.
                duplicates.append(issue)
                continue
            if not _may_claim(issue, key, labels, states):
                continue  # an issue of the bot's that a person gave another marker
        if key in by_key and by_key[key].number != issue.number:
            duplicates.append(issue)
        else:
            by_key.setdefault(key, issue)
    # Pairings whose start moved: the ones the ledger knows, and any seen moving now.
    renamed = {old: new for new, state in states.items() for old in state.was}
    renamed |= renames(program, by_key, states)
    if renamed:
        by_key = {_renamed(key, renamed): issue for key, issue in by_key.items()}
        for old, new in renamed.items():
            if old in states:
                states.setdefault(new, states.pop(old))
    # A comment on a private feedback form is between its participant and the coordinators:
    # it is neither the pair's activity nor a question the other one should answer.
    owner = {
        issue.number: pairing_of(key) for key, issue in by_key.items() if part_of(key) != "feedback"
    }
    # Logins in any case are the roster's people (roster/handles.py): by key, the side
    # and the handle as program.yml writes it.
    sides = {
        p.id: {
            handle_key(p.mentor): ("mentor", p.mentor),
            handle_key(p.mentee): ("mentee", p.mentee),
        }
        for p in program.pairings
    }
    # GitLab lets only a note's author edit it; GitHub, anyone with write access.
    edits_only_own = program.forge.api_flavour == "gitlab"
    bot_comments: dict[str, Comment] = {}
    activity: dict[str, datetime] = {}
    spoke: dict[str, str] = {}
    waiting: dict[str, Turn | None] = {}
    forged = {DASHBOARD} if _forged(by_key.get(DASHBOARD), DASHBOARD, secret) else set()
    for comment in sorted(comments, key=lambda c: (c.created_at, c.id)):
        if same_handle(comment.author, bot):
            marker = markers.find(comment.body)
            if marker is not None and (edits_only_own or _as_written(comment, marker.key)):
                said = _renamed(marker.key, renamed)
                home = by_key.get(home_of(said))
                on = home.number if home is not None else _asked_on(said)
                if on == comment.issue_number and said not in bot_comments:
                    bot_comments[said] = comment
                    if part_of(said) in _EDITED_BY_THE_BOT and _forged(comment, marker.key, secret):
                        forged.add(said)
            continue
        pairing = owner.get(comment.issue_number)
        found = sides.get(pairing or "", {}).get(handle_key(comment.author))
        if pairing is not None and found is not None:
            side, handle = found
            activity[pairing] = max(activity.get(pairing, comment.created_at), comment.created_at)
            spoke[pairing] = handle  # comments come in order: the last one stays
            asking = turns.asks(comment.body)
            waiting[pairing] = turns.after(waiting.get(pairing), side, asking, comment.created_at)
    return Observed(
        bot,
        window_start,
        by_key,
        tuple(duplicates),
        bot_comments,
        activity,
        states,
        adopted,
        unsigned,
        renamed,
        requests,
        offers,
        queue,
        proposed,
        turns={pid: turn for pid, turn in waiting.items() if turn is not None},
        spoke=spoke,
        labels_made=labels_made,
        forged=frozenset(forged),
    )


def _ledgers(
    program: Program, mine: Sequence[Issue], secret: str | None
) -> tuple[dict[str, Issue], frozenset[str]]:
    """The bot's ledger issues by key, oldest first, and the keys believed unsigned.

    A ledger issue carries the ledger label, which a participant cannot set, or is the
    one the program's own ledger records under its key (one whose label someone took
    off: `unlisted_own`), or, with a secret, the program's own ledger signed. With a
    secret, it must carry a valid signature, except while none does yet (the first run
    after the secret was set: they are believed, and signed by it).
    """
    label = Labels(program.program.label_prefix).ledger
    found: list[tuple[str, Issue, str]] = []
    for issue in mine:
        marker = markers.find(issue.body)
        if marker is None or not marker.key.startswith("ledger/"):
            continue
        signed = ledger.signature(issue.body, marker.key, secret) if secret else "none"
        found.append((marker.key, issue, signed))
    migrating = secret is not None and not any(s == "valid" for _, _, s in found)
    believed = [
        (key, issue, signed)
        for key, issue, signed in found
        if secret is None or signed == "valid" or (migrating and signed == "none")
    ]
    books: dict[str, Issue] = {}
    for key, issue, _ in believed:
        if label in issue.labels:
            books.setdefault(key, issue)
    if ledger.PROGRAM not in books:
        # Its label taken off, found by its title (night/observe.py): the bot's, by its
        # signature alone. Without a secret, a label is all that tells the program's
        # record from an issue of the bot's a participant may rewrite.
        recovered = [i for k, i, how in believed if k == ledger.PROGRAM and how == "valid"]
        books |= {ledger.PROGRAM: recovered[0]} if recovered else {}
    record = books.get(ledger.PROGRAM)
    shelved = ledger.program_issues(record.body) if record else {}
    for key, issue, _ in believed:
        if key not in books and key != ledger.PROGRAM and shelved.get(key) == issue.number:
            books[key] = issue
    unsigned = {
        key
        for key, issue, signed in believed
        if secret is not None and signed == "none" and books.get(key) is issue
    }
    return books, frozenset(unsigned)


def unlisted_own(observed: Observed, kind: str) -> list[int]:
    """The numbers of the program's own issues of `kind` (`ledger/`, `dashboard`) that its
    ledger records and the listings did not find: someone took their label off (a ledger
    issue would be forgotten, and with it what the bot remembers of its pairings)."""
    record = observed.issues.get(ledger.PROGRAM)
    shelved = ledger.program_issues(record.body) if record else {}
    return [n for k, n in shelved.items() if k.startswith(kind) and k not in observed.issues]


def _recorded(states: Mapping[str, PairState], program: Mapping[str, int]) -> dict[int, str]:
    """Issue number -> the key the ledger records for it (not its ledger issues: only
    those `_ledgers` believes are)."""
    out = {number: key for key, number in program.items() if not key.startswith("ledger/")}
    for pairing, state in states.items():
        for part, number in state.issues:
            if isinstance(number, int):
                out[number] = f"pair/{pairing}/{part}"
    return out


def _may_claim(issue: Issue, key: str, labels: Labels, states: Mapping[str, PairState]) -> bool:
    """Whether an issue of the bot's that the ledger has not recorded may be taken at its
    marker's word.

    Such an issue was opened by a run whose ledger write failed, or it is an old check-in
    (the ledger records only the latest). Either way it carries the labels the bot opens
    an issue of its kind with, which a participant may not set (GitLab's Guests, GitHub's
    readers), and issue numbers only grow: one opened after the ledger's last record of
    its pairing is newer than every issue recorded there; an old check-in is older than
    the latest one and of an earlier period, and newer than its pairing issue. The pair may
    edit their check-ins: a marker a person wrote there naming another issue (a feedback
    form not opened yet, a pairing issue, a check-in to come) is not believed."""
    part = part_of(key)
    if not set(labels_of(key, labels)) <= set(issue.labels):
        return False
    pairing = pairing_of(key)
    state = states.get(pairing) if pairing is not None else None
    if state is None:
        return True
    recorded = {p: n for p, n in state.issues if isinstance(n, int)}
    if not recorded or issue.number > max(recorded.values()):
        return True
    if part != "checkin" or issue.number < recorded.get("pairing", 0):
        return False
    latest = [(_period(p), n) for p, n in recorded.items() if p.startswith("checkin/")]
    return bool(latest) and _period(key.split("/", 2)[2]) < max(latest)[0]


def labels_of(key: str, labels: Labels) -> tuple[str, ...]:
    """The labels an issue of the bot's carries by what it is (its key): the ones the
    night's listings find it by."""
    if key == DASHBOARD:
        return (labels.program, labels.dashboard)
    if key.startswith("ledger/"):
        return (labels.program, labels.ledger)
    kinds = {
        "pairing": (labels.program,),
        "retrospective": (labels.program, labels.retrospective),
        "checkin": (labels.checkin,),
        "feedback": (labels.feedback,),
    }
    return kinds.get(part_of(key) or "", ())


def unlisted(
    program: Program, observed: Observed, pairings: Iterable[Pairing], today: date
) -> list[int]:
    """The numbers the ledger records for issues of `pairings` that the night's listings
    find whenever they carry their labels (`labels_of`), and did not: someone took a
    label off (GitHub's triage, GitLab's Reporters may). Read by number, the issue is
    still the pair's, and gets its labels back (rules/listed.py), where a run that took
    it for missing would open a second one. Their pairing issue and retrospectives were
    opened after their start, from which the program's issues are listed; their latest
    check-in, of this period or the last, within the two periods check-ins are listed for.
    None on a night every label is in place."""
    settings = program.program
    adopted = adoption(program, observed, today)
    numbers = []
    for pairing in pairings:
        state = observed.ledger.get(pairing.id)
        missing = [
            (part, number)
            for part, number in (state.issues if state else ())
            if isinstance(number, int) and f"pair/{pairing.id}/{part}" not in observed.issues
        ]
        if not missing:
            continue
        period = Timeline.of(pairing, settings, adopted).period(today)
        numbers += [
            number
            for part, number in missing
            if part.split("/", 1)[0] in ("pairing", "retrospective")
            or (
                part.startswith("checkin/")
                and settings.checkin_style == "issue"
                and period is not None
                and _period(part) >= period - 1
            )
        ]
    return numbers


def _period(part: str) -> int:
    """The period of a check-in's key part (`checkin/7`); 0 if it names none."""
    number = part.rsplit("/", 1)[-1]
    return int(number) if number.isdigit() else 0


# The bot's comments it edits itself (rules/progress.py); it never edits any other.
_EDITED_BY_THE_BOT = frozenset({"progress"})


def _forged(text: Issue | Comment | None, key: str, secret: str | None) -> bool:
    """Whether, with a secret, a text of the bot's carries no valid signature for `key`."""
    return (
        secret is not None
        and text is not None
        and ledger.signature(text.body, key, secret) != "valid"
    )


def _as_written(comment: Comment, key: str) -> bool:
    """Whether a bot comment on GitHub is as the bot wrote it. GitHub lets anyone with
    write access edit any comment, and the pair need write access to tick boxes: an edited
    marker could turn a nudge into a box answer "by" a coordinator, asking to extend a
    term. The bot never edits a comment but its progress comment, so one edited since it
    was written is not believed (the bot writes it again if it is still due)."""
    return comment.updated_at <= comment.created_at or part_of(key) in _EDITED_BY_THE_BOT


def _asked_on(key: str) -> int | None:
    """The request or offer a bot comment with marker `key` answers (`request/12/...`)."""
    parts = key.split("/")
    if len(parts) >= 3 and parts[0] in ("request", "offer") and parts[1].isdigit():
        return int(parts[1])
    return None


def home_of(key: str) -> str:
    """The issue a bot comment with marker `key` is written on."""
    if key.startswith("pair/") and key.endswith("/retrospective-reminder"):
        return key.removesuffix("-reminder")
    if key.startswith("pair/") and key.endswith(("/answered", "/moved")):
        return key.rsplit("/", 1)[0]  # on a private feedback form, or a retrospective
    if part_of(key) == "retrospective" and key.endswith("/reminder"):
        return key.removesuffix("/reminder")  # on the retrospective of one end
    pairing = pairing_of(key)
    return f"pair/{pairing}/pairing" if pairing is not None else key


def renames(
    program: Program, issues: Mapping[str, Issue], states: Mapping[str, PairState]
) -> dict[str, str]:
    """Pairings whose start moved in the roster, or whose handles' case was corrected: the
    old id (still in the ledger, no longer in the roster) -> the roster's pairing of the
    same two people that has no pairing issue of its own, the nearest in time. Its issues,
    comments and state carry on under the new id, so fixing a start date, or writing
    `Alice` as `alice`, does not open a second pairing issue. A term already closed
    out is moved only by a start before its end: a later one is a new term of the pair.
    Whether the bot closed the term out yet does not matter otherwise, so runs every night
    and a run after a gap follow the same edit alike; the ledger's record of the pairing
    issue counts as much as the issue, which a quiet night no longer lists."""
    in_roster = {p.id for p in program.pairings}
    orphans = {
        pid: state.settled
        for pid, state in states.items()
        if pid not in in_roster
        and (f"pair/{pid}/pairing" in issues or "pairing" in dict(state.issues))
    }
    orphans.update(dict.fromkeys(unrecorded(issues, states, in_roster)))
    out: dict[str, str] = {}
    for pairing in program.pairings:
        # The same two people however the roster spells their handles' case now.
        prefix = handle_key(f"{pairing.mentor}--{pairing.mentee}--")
        if f"pair/{pairing.id}/pairing" in issues or pairing.id in states:
            continue
        candidates = [
            (abs((started - pairing.start).days), pid)
            for pid, settled in orphans.items()
            if handle_key(pid).startswith(prefix)
            and pid not in out
            and (started := started_on(pid))
            and (settled is None or pairing.start.isoformat() < settled)
        ]
        if candidates:
            out[min(candidates)[1]] = pairing.id
    return out


def _renamed(key: str, renamed: Mapping[str, str]) -> str:
    pairing = pairing_of(key)
    if pairing is None or pairing not in renamed:
        return key
    return f"pair/{renamed[pairing]}/{key.split('/', 2)[2]}"


def started_on(pairing_id: str) -> date | None:
    """The start date a pairing id ends with (`mentor--mentee--YYYY-MM-DD`)."""
    try:
        return date.fromisoformat(pairing_id.rsplit("--", 1)[-1])
    except ValueError:
        return None


def withdrawn(program: Program, observed: Observed) -> list[str]:
    """Pairings the bot tended that the roster no longer has (and that no moved start
    date explains): their close-out is still to be done. The ledger names them, and so
    does an open pairing issue of the bot's that the ledger does not: the run that opened
    it stopped before it wrote the ledger."""
    in_roster = {p.id for p in program.pairings}
    tended = [pid for pid, state in observed.ledger.items() if state.settled is None]
    opened = unrecorded(observed.issues, observed.ledger, in_roster)
    return sorted({*tended, *opened} - in_roster)


def unrecorded(
    issues: Mapping[str, Issue], states: Mapping[str, PairState], in_roster: Collection[str]
) -> list[str]:
    """Pairings of open pairing issues of the bot's that neither the roster nor the ledger
    knows: the run that opened one stopped before it wrote the ledger, and the roster
    changed before the next run."""
    return [
        pid
        for key, issue in issues.items()
        if key.endswith("/pairing")
        and issue.state is IssueState.OPEN
        and (pid := pairing_of(key)) is not None
        and pid not in states
        and pid not in in_roster
    ]


def checkin_window_days(program: Program, pairings: Iterable[Pairing]) -> int:
    """How far back check-ins are listed: the last two periods of every pair. Pairs meet at
    their own cadence, so the longest covers them all (a pairing gone from the roster had
    the program's)."""
    settings = program.program
    every = max([settings.checkin_every_days, *(p.meetings(settings).every_days for p in pairings)])
    return 2 * every + 1

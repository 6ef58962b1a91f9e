"""Reading the forge for a night: a few paged list requests, never one per pairing.

`read()` is the run's only read of the forge; `automation.lifecycle.observed.snapshot()` turns
what it listed into the `Observed` value the rules plan from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from automation.forge.base import Forge, ForgeError
from automation.lifecycle import boxes, ledger
from automation.lifecycle.labels import Labels
from automation.lifecycle.observed import (
    DASHBOARD,
    Observed,
    Roster,
    box_asks,
    checkin_window_days,
    forms_of_a_moved_end,
    forms_read_since,
    lookback_days,
    snapshot,
    start_of_day,
    started_on,
    tended,
    term_settled,
    unlisted,
    unlisted_own,
    withdrawn,
)
from automation.lifecycle.rules import forms
from automation.model import Issue, IssueState
from automation.roster.config import Pairing, Program
from automation.roster.handles import same_handle


def _followed_issues(
    program: Program, pairings: Sequence[Pairing], observed: Observed
) -> list[int]:
    """The numbers, as the ledger keeps them, of the pairing issues that pairings about to
    open their own issue follow, when the listing did not find them."""
    numbers = []
    for pairing in pairings:
        before = program.followed(pairing)
        if before is None or f"pair/{pairing.id}/pairing" in observed.issues:
            continue
        state = observed.ledger.get(before.id)
        number = dict(state.issues).get("pairing") if state else None
        if f"pair/{before.id}/pairing" not in observed.issues and isinstance(number, int):
            numbers.append(number)
    return numbers


def _existing(forge: Forge, numbers: Sequence[int]) -> list[Issue]:
    """The issues of these numbers, as the ledger keeps them; one deleted since (a
    coordinator may delete an issue) is left out, so that it does not stop the night."""
    found = []
    for number in numbers:
        try:
            found.append(forge.get_issue(number))
        except ForgeError as error:
            if error.status != 404:
                raise
    return found


def _as_the_bot_wrote(forge: Forge, issues: Sequence[Issue], bot: str) -> list[Issue]:
    """`issues`, the bot's among them as it last wrote them (`_as_written`): its ledger."""
    return _as_written(forge, issues, {i.number: bot for i in issues if same_handle(i.author, bot)})


def _as_written(forge: Forge, issues: Sequence[Issue], authors: Mapping[int, str]) -> list[Issue]:
    """`issues`, those `authors` names (number -> author) with their description as that
    author last wrote it: on GitHub anyone with write access may edit any issue. One query
    per 100 of them for who last edited each, and their revisions only where it was not
    the author (`Forge.authored_descriptions`); none on GitLab, where only the author, the
    assignees and Reporters and up may."""
    written = forge.authored_descriptions(authors) if authors else {}
    return [replace(i, body=written[i.number]) if i.number in written else i for i in issues]


def read(
    forge: Forge,
    program: Program,
    today: date,
    *,
    everything: bool = False,
    secret: str | None = None,
) -> Observed:
    """List what the rules need: the bot's ledger, the program's issues (of the tended
    pairings, the queue of requests, the dashboard), open and recent check-ins, and recent
    comments. Each is one paged request (100 a page) however many pairings.

    `everything` lists the issues of every pairing in the roster, however old (for
    reports and histories, which run less often than the nightly job). `secret` checks
    the ledger's signatures (README, "Security")."""
    settings = program.program
    labels = Labels(settings.label_prefix)
    zone = settings.timezone
    bot = forge.whoami()
    window_start = start_of_day(today - timedelta(days=lookback_days(program)), zone)
    # The ledger first: it says which pairings are still to be looked after.
    # The ledger as the bot last wrote it: a signature stripped from every ledger issue would
    # have them believed as a ledger kept before the secret (and signed by this run), an
    # older signed body pasted back as it stands.
    issues = _as_the_bot_wrote(forge, forge.list_issues(labels=[labels.ledger]), bot)
    state = snapshot(program, bot, issues, [], window_start, secret)
    if secret is not None and ledger.PROGRAM not in state.issues:
        # The program's own ledger not listed: the first night, or its label taken off
        # (believed by its signature, `observed._ledgers`). One search, by its title.
        listed = {issue.number for issue in issues}
        titled = [i for i in forge.find_titled(ledger.TITLE, bot) if i.number not in listed]
        if titled:
            issues += _as_the_bot_wrote(forge, titled, bot)
            state = snapshot(program, bot, issues, [], window_start, secret)
    # A ledger issue someone took the label off, read by the number the program's records.
    lost = _existing(forge, unlisted_own(state, "ledger/"))
    if lost:
        issues += _as_the_bot_wrote(forge, lost, bot)
        state = snapshot(program, bot, issues, [], window_start, secret)
    # The labels the forms apply: listed (one paged read) only until the ledger records
    # them as made, so a quiet night reads nothing for them.
    label_names = forge.label_names() if forms.unknown(program, state) else None
    pairings = program.pairings if everything else tended(program, state, today)
    # A pairing taken out of the roster, or whose start moved, still has issues to close
    # or to carry on: they are listed from its old start.
    starts = [p.start for p in pairings] + [
        started for pid in withdrawn(program, state) if (started := started_on(pid))
    ]
    # Requests in the queue, however old, and new ones (requests and offers carry the
    # program's label: the same listing finds them).
    asked = [*state.queue.values(), today - timedelta(days=lookback_days(program))]
    since = None if everything else start_of_day(min(starts + asked) - timedelta(1), zone)
    issues += forge.list_issues(labels=[labels.program], updated_since=since)
    if starts and settings.checkin_style == "issue":
        # Every open check-in, however old (a term's end closes them all), and the recent
        # ones, open or closed: the current period's may have been closed by the pair.
        recent = today - timedelta(days=checkin_window_days(program, pairings))
        issues += forge.list_issues(labels=[labels.checkin], state=IssueState.OPEN)
        issues += forge.list_issues(
            labels=[labels.checkin], updated_since=start_of_day(recent, zone)
        )
    # Private feedback forms carry a label of their own, so that the closed ones do not
    # lengthen the listing above: one more paged read, on the nights a pairing needs them.
    if everything and settings.feedback is not None:
        issues += forge.list_issues(labels=[labels.feedback])
    else:
        days = [
            forms_read_since(program, p, today, term_settled(state, p, program)) for p in pairings
        ]
        needed = [day for day in days if day is not None]
        if needed:
            since_day = start_of_day(min(needed) - timedelta(1), zone)
            issues += forge.list_issues(labels=[labels.feedback], updated_since=since_day)
    comments = forge.list_comments(since=window_start)

    def seen(listed: list[Issue]) -> Observed:
        """What the issues `listed` and the comments say, with the labels listed above."""
        observed = snapshot(program, bot, listed, comments, window_start, secret)
        return replace(observed, label_names=label_names)

    observed = seen(issues)
    handed = _followed_issues(program, pairings, observed)
    # The end forms of an end the roster took back: not near any milestone now, so not
    # listed; read by their ledger numbers until closed (none on other nights).
    moved = forms_of_a_moved_end(program, observed, pairings, today)
    # Issues the listings find by labels someone took off: read by their ledger numbers.
    stripped = unlisted(program, observed, pairings, today)
    if handed or moved or stripped:
        # A change of mentor: the new pairing issue carries the old one's open goals, and
        # the old issue may be older than the listing (its term closed out long ago).
        issues += _existing(forge, list(dict.fromkeys([*handed, *moved, *stripped])))
        observed = seen(issues)
    # Open requests as their authors last wrote them: a participant could take themselves
    # off another's people to avoid, or change its topics to their own.
    asks = observed.requests.values()
    authors = {i.number: i.author for i in asks if i.state is IssueState.OPEN}
    if authors:
        written = _as_written(forge, list(asks), authors)
        observed = replace(observed, requests={i.number: i for i in written})
    asking = settings.requests
    open_requests = any(i.state is IssueState.OPEN for i in observed.requests.values())
    answered, ticked_now = box_asks(observed)
    if asking.propose_changes and (open_requests or observed.queue or answered or ticked_now):
        # Three reads, on nights with a queue or an extension or end asked on a pairing
        # issue: what the proposal branch would change; a fourth with an ask answered, for
        # the roster changes closed lately (a closed one declines the asks it carried).
        found = forge.read_file(asking.roster_path)
        branch = forge.read_file(asking.roster_path, asking.branch)
        change = forge.find_change_request(asking.branch)
        closed = forge.closed_change_requests(asking.branch) if answered else []
        if (
            change is not None
            and branch is not None
            and not forge.changes_only(asking.branch, change.target, asking.roster_path)
        ):
            # One more with the bot's request open: a branch holding anything but the
            # base and the bot's program.yml (a commit someone pushed there since, or a
            # base that moved on) does not show the bot's proposal, whatever its
            # program.yml says, so the proposal is written again on the base's head.
            branch = None
        roster = Roster(
            found.text if found else None,
            branch.text if branch else None,
            change,
            boxes.declined_keys(closed, bot),
        )
        observed = replace(observed, roster=roster)
    if settings.report.dashboard and DASHBOARD not in observed.issues:
        # The dashboard is rewritten only when what it shows changes, so after a spell
        # with no live pairing it can be older than the issues listed above.
        listed = {issue.number for issue in issues}
        older = [i for i in forge.list_issues(labels=[labels.dashboard]) if i.number not in listed]
        if not older:
            # Its labels taken off: read by the number the program's ledger records.
            older = _existing(forge, unlisted_own(observed, DASHBOARD))
        if older:
            # The roster was read above: the listing does not bring it again.
            observed = replace(seen([*issues, *older]), roster=observed.roster)
    ticked = [
        issue.number
        for p in pairings
        if (issue := observed.issues.get(f"pair/{p.id}/pairing")) is not None
        and issue.state is IssueState.OPEN
        and boxes.ticked(issue.body)
    ]
    if ticked:
        # A box ticked on a pairing issue: who ticked it, from the forge's history (one
        # query per TICKS_BATCH such issues; none on a night nobody ticked one).
        history = forge.box_ticks_of(ticked)
        ticks = {number: tuple(history.get(number, ())) for number in ticked}
        observed = replace(observed, ticks=ticks)
    return observed

"""The dashboard issue: opened once, then edited in place when what it shows changes.

A plan is computed before it is applied, yet the dashboard must show the forge as the
night leaves it: otherwise the next run would see new issues and labels and write the
dashboard again. So it is rendered from `expected()`, what the forge will show once the
night's other writes are done. A rerun, after a crash or not, expects the same and writes
nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from automation.goals.checklist import Checklist
from automation.goals.feedback import program_read_back
from automation.lifecycle import ledger
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    CreateLabel,
    EditIssueBody,
    OpenIssue,
    ProposeRoster,
    Relabel,
    ReopenIssue,
    Target,
    Urgency,
    assuming_done,
)
from automation.lifecycle.labels import Labels
from automation.lifecycle.observed import DASHBOARD, Observed, start_of_day, tended
from automation.lifecycle.rules import quiet, requests
from automation.messages.markdown import inert
from automation.model import Draft, Issue, IssueState
from automation.roster.config import Program
from automation.roster.mentors import mentor_table
from automation.roster.request import LABELS
from automation.views import dashboard
from automation.views.queue import queue, queue_figures
from automation.views.status import program_status


def expected(observed: Observed, actions: Sequence[Action], today: date, zone: str) -> Observed:
    """What a run will observe after `actions`: the issues they open, label, close or
    rewrite, and the ledger as rewritten. Comments are left out: the dashboard counts only
    people's, which no action writes."""
    issues = dict(observed.issues)
    now = start_of_day(today, zone)
    for action in actions:
        if isinstance(action, OpenIssue):
            if action.key not in issues:
                draft = replace(action.draft, body=assuming_done(action.draft.body))
                issues[action.key] = draft.opened(observed.bot, now)
            continue
        if isinstance(action, ProposeRoster | CreateLabel):
            continue  # no issue of the program changes
        issue = issues.get(action.target.key)
        if issue is None:
            continue
        if isinstance(action, Relabel):
            kept = tuple(label for label in issue.labels if label not in action.remove)
            added = tuple(label for label in action.add if label not in kept)
            issues[action.target.key] = replace(issue, labels=(*kept, *added))
        elif isinstance(action, CloseIssue):
            issues[action.target.key] = replace(issue, state=IssueState.CLOSED)
        elif isinstance(action, ReopenIssue):
            issues[action.target.key] = replace(issue, state=IssueState.OPEN)
        elif isinstance(action, EditIssueBody):
            issues[action.target.key] = replace(issue, body=assuming_done(action.body))
    states: dict[str, ledger.PairState] = {}
    for key in sorted(k for k in issues if k.startswith("ledger/")):
        states.update(ledger.parse(issues[key].body))
    record = issues.get(ledger.PROGRAM)
    adopted = observed.adopted or (ledger.adopted(record.body) if record else None)
    return replace(observed, issues=issues, ledger=states, adopted=adopted)


def plan(
    program: Program,
    observed: Observed,
    today: date,
    actions: Sequence[Action],
    checklists: Mapping[str, Checklist],
    tonight: quiet.Tonight,
) -> list[Action]:
    """Open the dashboard, or rewrite it when what it shows changed; after every other
    write of the plan (`actions`), whose results it shows. `checklists` are the pairing
    issues' as the planners parsed them (the plan never rewrites a pairing issue's body);
    `tonight` keeps the rows of quiet pairings and gives those it skipped."""
    settings = program.program
    if not settings.report.dashboard:
        return []
    after = expected(observed, actions, today, settings.timezone)
    statuses = program_status(program, after, today, checklists, tonight.rows())
    tonight.keep(statuses)
    now = queue(program, observed.requests, today)
    asked = [_asked(program, observed.requests[n], n, d) for n, d in now.waiting.items()]
    table = mentor_table(program, today)
    asking = queue_figures(program, observed.requests, today, now=now, table=table)
    tending = [p.id for p in tended(program, after, today)]
    answers = None
    if settings.feedback is not None:
        answers = program_read_back(program, after.issues)
    shown = dashboard.view(program, statuses, today, tending, asked, asking, answers, table)
    issue = observed.issues.get(DASHBOARD)
    # One someone else rewrote: its "since the last update" figures are not believed.
    believed = issue.body if issue and DASHBOARD not in observed.forged else None
    body = dashboard.update(shown, today, believed)
    if body is None:
        return []
    if issue is None:
        labels = Labels(settings.label_prefix)
        title = f"{inert(settings.name)}: dashboard"
        draft = Draft(title, body, (labels.program, labels.dashboard), (), True)
        return [OpenIssue(DASHBOARD, "", draft, Urgency.HOUSEKEEPING)]
    target = Target(DASHBOARD, issue.number)
    return [EditIssueBody(DASHBOARD, "", target, body, Urgency.HOUSEKEEPING)]


def _asked(program: Program, issue: Issue, number: int, opened: date) -> dashboard.Asked:
    """A request in the dashboard's queue, with the headings of the answers that cannot be
    read (the coordinators see what to ask about; the answers themselves stay private)."""
    unread = dict.fromkeys(LABELS[p.field] for p in requests.read(program, number, issue)[1])
    return dashboard.Asked(number, issue.author, opened, tuple(unread))

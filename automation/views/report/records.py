"""report.json and pairings.csv: the report's numbers for other tools, stable and documented."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from automation.messages.markdown import spreadsheet_cell, visible
from automation.views.report.figures import (
    ACHIEVED_SHARE,
    CONSISTENT_SHARE,
    Figures,
    Share,
    meets_consistently,
    percent,
)
from automation.views.status import PairingStatus

FORMAT = 1
CSV_COLUMNS = (
    "id",
    "mentee",
    "mentor",
    "start",
    "planned_end",
    "end",
    "phase",
    "outcome",
    "week",
    "term_weeks",
    "goal_steps_done",
    "goal_steps",
    "progress_percent",
    "checkins_held",
    "checkins_expected",
    "meeting_consistently",
    "retrospective",
    "pace",
    "stalled",
    "days_quiet",
)


@dataclass(frozen=True)
class Listed:
    """A pairing the report lists (never a private one), with the dates of its check-ins."""

    status: PairingStatus
    period_starts: tuple[date, ...]  # start of check-in period 1, 2, ...

    @property
    def page(self) -> str:
        return f"pairings/{self.status.id}.html"


def share_record(share: Share) -> dict[str, Any]:
    return {"count": share.count, "of": share.of, "share": share.share}


def pairing_record(listed: Listed, include_goal_text: bool) -> dict[str, Any]:
    status = listed.status
    goals = [
        {
            **({"title": visible(goal.title)} if include_goal_text else {}),
            "done": goal.done,
            "total": goal.total,
            "due": goal.due,
        }
        for goal in status.goals
    ]
    mentor_goals = [{"done": goal.done, "total": goal.total} for goal in status.mentor_goals]
    return {
        "id": status.id,
        "mentee": status.mentee,
        "mentor": status.mentor,
        "start": status.start.isoformat(),
        "planned_end": status.planned_end.isoformat(),
        "end": status.end.isoformat(),
        "phase": status.phase,
        "outcome": status.outcome,
        "week": status.week,
        "term_weeks": status.term_weeks,
        "goal_steps_done": status.done,
        "goal_steps": status.total,
        "progress_percent": percent(status.done, status.total),
        "checkins_held": status.checkins_held,
        "checkins_expected": status.checkins_expected,
        "meeting_consistently": meets_consistently(status),
        "retrospective": status.retrospective,
        "pace": status.pace,
        "stalled": status.stalled,
        "days_quiet": status.days_quiet,
        "next_milestone": (
            {"name": status.next_milestone.name, "date": status.next_milestone.day.isoformat()}
            if status.next_milestone
            else None
        ),
        "milestones": [{"name": m.name, "date": m.day.isoformat()} for m in status.milestones],
        "goals": goals,
        "mentor_goals": mentor_goals,
        "history": [
            {
                "week": week,
                "week_start": status.week_start(week).isoformat(),
                "done": done,
                "total": total,
            }
            for week, done, total in status.history
        ],
        # As the forge gave it; a link only to a web address (never `javascript:`).
        "issue_url": status.pairing_url if _web_address(status.pairing_url) else None,
        "page": listed.page,
    }


def report_record(
    name: str,
    today: date,
    figures: Figures,
    weeks: Sequence[tuple[date, int]],
    goal_bins: Sequence[tuple[str, int]],
    pairings: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "program": name,
        "date": today.isoformat(),
        "thresholds": {"meeting_consistently": CONSISTENT_SHARE, "goal_achieved": ACHIEVED_SHARE},
        "totals": {
            "pairings": figures.pairings,
            "listed": len(pairings),
            "private": figures.private,
            "mentorships": figures.mentorships,
            "mentor_changes": figures.mentor_changes,
            "by_phase": dict(figures.by_phase),
            "checkins_held": figures.checkins.count,
            "checkins_expected": figures.checkins.of,
            "goal_steps_done": figures.goal_steps.count,
            "goal_steps": figures.goal_steps.of,
        },
        "figures": {
            "meeting_consistently": share_record(figures.meeting_consistently),
            "goals_half_achieved": share_record(figures.goals_half_achieved),
            "mentor_goals_half_achieved": share_record(figures.mentor_goals_half_achieved),
            "completed_term": share_record(figures.completed_term),
            "retrospectives_returned": share_record(figures.retrospectives_returned),
        },
        "active_by_week": [{"week_of": day.isoformat(), "active": n} for day, n in weeks],
        "goal_share": [{"bin": label, "pairings": n} for label, n in goal_bins],
        "pairings": list(pairings),
    }


def _web_address(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("https://", "http://"))


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return spreadsheet_cell(value)  # a program's name, a phase: never a formula
    return str(value)


def to_csv(pairings: Sequence[dict[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in pairings:
        writer.writerow([_cell(record[column]) for column in columns])
    return buffer.getvalue()

"""The overview charts, drawn with matplotlib and inlined as accessible, deterministic SVG."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import matplotlib
from markupsafe import Markup, escape
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from automation.views.report.figures import NO_GOALS

BLUE, LIGHT_BLUE, ORANGE, GREEN, GREY, INK = (
    "#0072B2",
    "#A6CEE3",
    "#E69F00",
    "#009E73",
    "#8C8C8C",
    "#222222",
)
HEADROOM = 1.15  # a count axis reaches this far above its largest count
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NO_METADATA: dict[str, str | None] = {"Creator": None, "Date": None, "Format": None, "Type": None}
_ROOT = re.compile(r"<svg\b[^>]*>")
_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')  # an id, and what points at one
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)


@dataclass(frozen=True)
class Chart:
    """One chart: an id unique on its page, a heading, a text alternative and the SVG."""

    id: str
    title: str
    description: str
    svg: Markup


@contextmanager
def _styled(chart_id: str) -> Iterator[None]:
    # The hash salt makes the SVG's internal ids depend on the chart, not on a random value.
    with matplotlib.rc_context(
        {
            "svg.hashsalt": chart_id,
            "svg.fonttype": "path",  # glyphs as shapes: the chart looks the same without its fonts
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "text.color": INK,
            "axes.labelcolor": INK,
            "axes.edgecolor": "#666666",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": "#444444",
            "ytick.color": "#444444",
            "grid.color": "#E5E5E5",
            "legend.frameon": False,
            "legend.fontsize": 8,
        }
    ):
        yield


def _render(figure: Figure, chart_id: str, title: str, description: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=NO_METADATA, facecolor="white")
    return Chart(
        chart_id, title, description, inline(buffer.getvalue(), chart_id, title, description)
    )


def inline(svg: str, prefix: str, title: str, description: str) -> Markup:
    """A standalone SVG document as an element for an HTML page: no prolog or comments, ids
    prefixed so that several charts can share a page, scalable, with a title and description
    for assistive technology."""
    root = _ROOT.search(svg)
    if root is None:
        raise ValueError("not an SVG document")
    body = _COMMENT.sub("", svg[root.end() :])
    body = _REFERENCE.sub(lambda found: f"{found.group(1)}{prefix}-{found.group(2)}", body)
    opening = labelled(_SIZE.sub("", root.group(0)), prefix, title, description)
    return Markup(opening + body.strip() + "\n")


def labelled(tag: str, prefix: str, title: str, description: str) -> str:
    """An `<svg ...>` opening tag as an image for assistive technology: a chart, followed by
    the title and the description it is labelled by (their ids start with `prefix`)."""
    labels = f"{prefix}-title {prefix}-desc"
    opening = tag.replace("<svg", f'<svg class="chart" role="img" aria-labelledby="{labels}"', 1)
    return (
        opening + f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(description)}</desc>'
    )


def _x(day: date) -> float:
    return float(day.toordinal())


def _dates(days: Sequence[date]) -> list[float]:
    return [_x(day) for day in days]


def month_ticks(first: date, last: date) -> tuple[tuple[date, str], ...]:
    """First days of the months from `first` to `last`, every third one over long spans;
    each labelled with the month, and the year where it starts and on the first tick."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = 1 if months <= 12 else 3 if months <= 36 else 12
    ticks: list[tuple[date, str]] = []
    for index in range(0, months + 1, step):
        year, month = divmod(first.month - 1 + index, 12)
        day = date(first.year + year, month + 1, 1)
        if first <= day <= last:
            label = MONTHS[month]
            ticks.append((day, f"{label}\n{day.year}" if not ticks or month == 0 else label))
    return tuple(ticks)


def _date_axis(axes: Axes, first: date, last: date) -> None:
    ticks = month_ticks(first, last)
    axes.set_xticks(_dates([day for day, _ in ticks]), [label for _, label in ticks])


def _counts_axis(axes: Axes, top: int) -> None:
    axes.set_ylim(0, max(1, top) * HEADROOM)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y")
    axes.set_axisbelow(True)


def _listing(pairs: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {count}" for label, count in pairs)


def active_chart(weeks: Sequence[tuple[date, int]], today: date) -> Chart:
    if weeks:
        peak = max(count for _, count in weeks)
        description = (
            f"Pairings running at the start of each week from {weeks[0][0]} to {weeks[-1][0]}; "
            f"at most {peak} at once."
        )
    else:
        description = "No pairings in the roster yet."
    return _weekly("active", "Active pairings over time", description, weeks, today, "pairings")


def queue_chart(weeks: Sequence[tuple[date, int]], today: date) -> Chart:
    if weeks:
        peak = max(count for _, count in weeks)
        description = (
            f"Requests waiting for a mentor at the start of each week from {weeks[0][0]} to "
            f"{weeks[-1][0]}; at most {peak} at once, {weeks[-1][1]} in the last week."
        )
    else:
        description = "No request for a mentor yet."
    return _weekly("queue", "Requests waiting over time", description, weeks, today, "requests")


def _weekly(
    chart_id: str,
    title: str,
    description: str,
    weeks: Sequence[tuple[date, int]],
    today: date,
    ylabel: str,
) -> Chart:
    """A count at the start of each week, as a step line, with today marked."""
    peak = max((count for _, count in weeks), default=0)
    with _styled(chart_id):
        figure = Figure(figsize=(5.6, 3.0), layout="constrained")
        axes = figure.add_subplot()
        if weeks:
            xs, ys = _dates([day for day, _ in weeks]), [count for _, count in weeks]
            axes.fill_between(xs, ys, step="post", color=LIGHT_BLUE, alpha=0.6, linewidth=0)
            axes.step(xs, ys, where="post", color=BLUE, linewidth=1.6)
            if weeks[0][0] <= today <= weeks[-1][0]:
                axes.axvline(_x(today), color=ORANGE, linewidth=1.2, linestyle="--")
                axes.annotate(
                    "today",
                    (_x(today), max(1, peak) * 1.08),
                    color=ORANGE,
                    ha="center",
                    fontsize=8,
                )
            _date_axis(axes, weeks[0][0], weeks[-1][0])
        axes.set_ylabel(ylabel)
        _counts_axis(axes, peak)
        return _render(figure, chart_id, title, description)


def _bars(
    chart_id: str,
    title: str,
    description: str,
    bins: Sequence[tuple[str, int]],
    xlabel: str,
) -> Chart:
    with _styled(chart_id):
        figure = Figure(figsize=(5.6, 3.0), layout="constrained")
        axes = figure.add_subplot()
        labels = [label for label, _ in bins]
        counts = [count for _, count in bins]
        colours = [GREY if label == NO_GOALS else BLUE for label in labels]
        bars = axes.bar(labels, counts, color=colours, width=0.7)
        axes.bar_label(bars, padding=2, fontsize=8)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("pairings")
        _counts_axis(axes, max(counts, default=0))
        return _render(figure, chart_id, title, description)


def goal_share_chart(bins: Sequence[tuple[str, int]]) -> Chart:
    return _bars(
        "goals",
        "Goal completion",
        f"Pairings by the share of their goal steps done. {_listing(bins)}.",
        bins,
        "goal steps done",
    )


def kept_share_chart(bins: Sequence[tuple[str, int]]) -> Chart:
    return _bars(
        "cadence",
        "Check-ins kept",
        f"Started pairings by the share of expected check-ins they held. {_listing(bins)}.",
        bins,
        "check-ins held of those expected",
    )


def cadence_chart(rows: Sequence[tuple[str, int, int]]) -> Chart:
    """Check-ins held against expected, one bar per pairing: (label, held, expected)."""
    description = "Check-ins held of those expected, per pairing. " + "; ".join(
        f"{label}: {held} of {expected}" for label, held, expected in rows
    )
    with _styled("cadence"):
        figure = Figure(figsize=(5.6, 1.2 + 0.34 * max(1, len(rows))), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        expected = [row[2] for row in rows]
        held = [row[1] for row in rows]
        axes.barh(positions, expected, color=LIGHT_BLUE, height=0.7, label="expected")
        axes.barh(positions, held, color=BLUE, height=0.4, label="held")
        axes.scatter(
            [0.75 * e for e in expected],
            positions,
            marker="|",
            s=140,
            color=INK,
            label="75% of expected",
            zorder=3,
        )
        axes.set_yticks(positions, [row[0] for row in rows])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x")
        axes.set_axisbelow(True)
        axes.set_xlabel("check-ins")
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
        return _render(figure, "cadence", "Check-in cadence", description)


def phase_chart(by_phase: Sequence[tuple[str, int]]) -> Chart:
    description = f"Pairings by phase of their term. {_listing(by_phase)}."
    with _styled("phases"):
        figure = Figure(figsize=(5.6, 2.6), layout="constrained")
        axes = figure.add_subplot()
        labels = [phase.replace("-", " ") for phase, _ in by_phase][::-1]
        counts = [count for _, count in by_phase][::-1]
        bars = axes.barh(labels, counts, color=GREEN, height=0.6)
        axes.bar_label(bars, padding=3, fontsize=8)
        axes.set_xlim(0, max(1, *counts) * HEADROOM)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x")
        axes.set_axisbelow(True)
        axes.set_xlabel("pairings")
        return _render(figure, "phases", "Pairings by phase", description)

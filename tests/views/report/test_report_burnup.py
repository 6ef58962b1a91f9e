"""The burn-up chart, read back as a person reads it: its lines against its labelled axes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from automation.views.report.burnup import BurnUp, burnup_chart, count_ticks
from automation.views.report.charts import BLUE, GREY, INK, ORANGE
from automation.views.status import Milestone

NS = {"svg": "http://www.w3.org/2000/svg"}
START, END = date(2026, 1, 5), date(2026, 7, 5)
MILESTONES = (
    Milestone("start", START),
    Milestone("midpoint review", date(2026, 4, 5)),
    Milestone("ending soon", date(2026, 6, 21)),
    Milestone("end", END),
)
BURNUP = BurnUp(
    start=START,
    end=END,
    today=date(2026, 4, 1),
    points=((date(2026, 2, 2), 1, 5), (date(2026, 3, 2), 3, 6)),
    done=4,
    total=6,
    milestones=MILESTONES,
    checkins=tuple(START + timedelta(days=14 * n) for n in range(13)),
)
MONTHS = {"Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7}


def parsed(burnup: BurnUp) -> ElementTree.Element:
    return ElementTree.fromstring(str(burnup_chart(burnup).svg))


def group(svg: ElementTree.Element, name: str) -> ElementTree.Element:
    found = svg.find(f".//svg:g[@class='{name}']", NS)
    assert found is not None, name
    return found


def path(svg: ElementTree.Element, name: str) -> ElementTree.Element:
    found = svg.find(f".//svg:path[@class='{name}']", NS)
    assert found is not None, name
    return found


def axes(svg: ElementTree.Element) -> tuple[dict[float, date], dict[float, int]]:
    """The x of each labelled month (its first day), and the y of each labelled count (its
    tick, drawn before its label)."""
    months = {
        float(label.attrib["x"]): date(2026, MONTHS[label.text or ""], 1)
        for label in group(svg, "x-ticks").iterfind("svg:text", NS)
        if label.text in MONTHS
    }
    counts: dict[float, int] = {}
    tick = 0.0
    for element in group(svg, "y-ticks"):
        if element.tag.endswith("line"):
            tick = float(element.attrib["y1"])
        else:
            counts[tick] = int(element.text or "")
    return months, counts


def reader(svg: ElementTree.Element) -> tuple[Callable[[float], date], Callable[[float], float]]:
    """Functions from a point's x to its day and from its y to its count, from two labelled
    ticks of each axis."""
    months, counts = axes(svg)
    (x1, d1), (x2, d2) = sorted(months.items())[:2]
    (y1, c1), (y2, c2) = sorted(counts.items())[:2]

    def day(x: float) -> date:
        return d1 + timedelta(days=round((x - x1) * (d2 - d1).days / (x2 - x1)))

    def count(y: float) -> float:
        return round(c1 + (y - y1) * (c2 - c1) / (y2 - y1), 1)

    return day, count


def vertices(d: str) -> list[tuple[float, float]]:
    """The corners of a path of M, H and V moves."""
    x = y = 0.0
    corners = []
    for move, value in re.findall(r"([MHV])([-\d. ]+)", d):
        numbers = [float(n) for n in value.split()]
        if move == "M":
            x, y = numbers
        elif move == "H":
            x = numbers[0]
        else:
            y = numbers[0]
        corners.append((x, y))
    return corners


def test_the_done_and_total_steps_stand_at_the_recorded_points_and_today() -> None:
    svg = parsed(BURNUP)
    day, count = reader(svg)
    done = [(day(x), count(y)) for x, y in vertices(path(svg, "done").attrib["d"])]
    # Held from each point to the next: a corner at the next day before the step up.
    assert done == [
        (date(2026, 2, 2), 1),
        (date(2026, 3, 2), 1),
        (date(2026, 3, 2), 3),
        (date(2026, 4, 1), 3),
        (date(2026, 4, 1), 4),
    ]
    total = [(day(x), count(y)) for x, y in vertices(path(svg, "total").attrib["d"])]
    assert total[0] == (date(2026, 2, 2), 5)
    assert total[-1] == (date(2026, 4, 1), 6)
    assert (path(svg, "done").attrib["stroke"], path(svg, "total").attrib["stroke"]) == (BLUE, GREY)


def test_the_expected_line_rises_from_none_at_the_start_to_the_total_at_the_end() -> None:
    svg = parsed(BURNUP)
    day, count = reader(svg)
    expected = svg.find(".//svg:line[@class='expected']", NS)
    assert expected is not None
    ends = [(expected.attrib[f"x{n}"], expected.attrib[f"y{n}"]) for n in (1, 2)]
    assert [(day(float(x)), count(float(y))) for x, y in ends] == [(START, 0), (END, 6)]
    assert expected.attrib["stroke"] == ORANGE


def test_the_strip_marks_every_check_in_period_and_milestone_on_its_day() -> None:
    svg = parsed(BURNUP)
    day, _ = reader(svg)
    checkins = group(svg, "check-ins")
    assert [day(float(mark.attrib["x1"])) for mark in checkins] == list(BURNUP.checkins)
    assert checkins.attrib["stroke"] == BLUE
    milestones = group(svg, "milestones")
    labels = milestones.iterfind("svg:text", NS)
    names = [(label.text, day(float(label.attrib["x"]))) for label in labels]
    assert names == [(m.name, m.day) for m in MILESTONES]
    assert milestones.attrib["fill"] == INK


def test_the_chart_is_titled_described_and_the_same_bytes_each_time() -> None:
    chart = burnup_chart(BURNUP)
    svg = str(chart.svg)
    assert svg.startswith(
        '<svg class="chart" role="img" aria-labelledby="burnup-title burnup-desc"'
    )
    assert '<title id="burnup-title">Goal progress over the term</title>' in svg
    assert "4 of 6 done" in chart.description
    assert f'<desc id="burnup-desc">{chart.description}</desc>' in svg
    assert str(burnup_chart(BURNUP).svg) == svg
    legend = [label.text for label in group(parsed(BURNUP), "legend").iterfind("svg:text", NS)]
    assert legend == ["done", "total", "expected", "today"]


def test_a_pairing_without_goals_says_so_and_draws_no_lines() -> None:
    empty = replace(BURNUP, points=(), done=0, total=0)
    svg = parsed(empty)
    assert svg.find(".//svg:path[@class='done']", NS) is None
    assert svg.find(".//svg:line[@class='expected']", NS) is None
    assert svg.find(".//svg:g[@class='legend']", NS) is None
    assert "No goals written yet" in str(burnup_chart(empty).svg)
    assert "no progress to chart" in burnup_chart(empty).description


def test_count_ticks_are_whole_numbers_a_round_step_apart() -> None:
    assert count_ticks(1.15) == (0, 1)
    assert count_ticks(6.9) == (0, 1, 2, 3, 4, 5, 6)
    assert count_ticks(11.5) == (0, 2, 4, 6, 8, 10)
    assert count_ticks(46) == (0, 10, 20, 30, 40)
    assert count_ticks(230) == (0, 50, 100, 150, 200)

"""The program report: a static site of charts and tables, with report.json and pairings.csv."""

from __future__ import annotations

from automation.views.report.site import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]

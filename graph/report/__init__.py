"""Takedown-style reports of a detection run: HTML (self-contained) and Markdown with PNGs."""

from cibgraph.graph.report.build import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]

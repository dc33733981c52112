"""The monthly report: one self-contained HTML page and a Markdown summary, read entirely from the store."""

from forecast.report.build import build_report

__all__ = ["build_report"]

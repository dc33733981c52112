"""``forecast report``: write the self-contained HTML report and the Markdown summary of one run in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def report(
    store: Optional[Path] = typer.Option(
        None, "--store", help="Store file (default: $FORECAST_STORE, else $FORECAST_HOME/forecast.duckdb)."
    ),
    run: Optional[str] = typer.Option(None, "--run", help="Run id to report on (default: the latest)."),
    report_dir: Optional[Path] = typer.Option(
        None,
        "--output",
        "--report-dir",
        "-o",
        help="Where to write report.html and report.md (default: $FORECAST_HOME/reports).",
    ),
) -> None:
    """Report a run: targets and how their odds moved, leaderboard, charts, forecasts vs outcomes, conflicts."""
    from forecast.report import build_report

    html_path, md_path = build_report(store, run, report_dir)
    typer.echo(f"wrote {html_path} and {md_path}", err=True)

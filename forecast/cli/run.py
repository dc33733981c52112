"""``forecast run``: the whole monthly job on the bundled data (plus your facts), stored as one run."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forecast.cli.common import Engine, emit_json
from forecast.defaults import DEFAULT_YEARS


def run(
    data: Optional[list[Path]] = typer.Option(
        None, "--data", help="Observation CSV(s) to use instead of the bundled dataset; repeat."
    ),
    store: Optional[Path] = typer.Option(
        None, "--store", help="Store file (default: $FORECAST_STORE, else $FORECAST_HOME/forecast.duckdb)."
    ),
    report_dir: Optional[Path] = typer.Option(
        None, "--report-dir", "-o", help="Where report.html and report.md go (default: $FORECAST_HOME/reports)."
    ),
    horizon: int = typer.Option(
        DEFAULT_YEARS, "--horizon", help="Years of outlook: the year in progress and the ones after."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for every sampled path (same seed, same numbers)."),
    engine: Optional[Engine] = typer.Option(
        None,
        "--engine",
        help="Where the backtest and the outlooks run: serial, processes or dask (default: processes with "
        "--jobs > 1, else serial).",
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Local processes (or local Dask workers)."),
    json_output: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Reconcile → backtest and pick a model per series → forecast → target odds → store → report.

    Re-running on the same data, code and options reuses the stored run (nothing is duplicated).
    Exit codes for schedulers: 0 ok, 2 bad input (names file, line and field), 1 failure.
    """
    from forecast.pipeline import RunSettings, run_pipeline

    settings = RunSettings(horizon=horizon, seed=seed)
    outcome = run_pipeline(data, store, report_dir, settings, engine=engine.value if engine else None, jobs=jobs)
    summary = {
        "run_id": outcome.run_id,
        "new_run": outcome.created,
        "report_html": str(outcome.report_html),
        "report_md": str(outcome.report_md),
        "seconds": outcome.timings,
        **outcome.counts,
    }
    if json_output:
        emit_json(summary)
    else:
        state = "new run" if outcome.created else "already stored (same data, code and settings)"
        typer.echo(f"run {outcome.run_id}: {state}; report: {outcome.report_html}")

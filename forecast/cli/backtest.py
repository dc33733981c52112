"""``forecast backtest``: rolling-origin evaluation of models on bundled series or a CSV, printing the leaderboard."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from forecast.backtest import backtest as run_backtest
from forecast.backtest.leaderboard import LOWER_IS_BETTER, as_text, leaderboard
from forecast.backtest.selection import save_selection, select_models
from forecast.backtest.windows import WindowSpec
from forecast.cli.common import emit_json
from forecast.data.panels import select_series, series_panel
from forecast.errors import InputError
from forecast.longframe import read_csv
from forecast.models.registry import available_models

class Engine(str, Enum):
    serial = "serial"
    processes = "processes"
    dask = "dask"


class Format(str, Enum):
    table = "table"
    json = "json"


class Window(str, Enum):
    expanding = "expanding"
    sliding = "sliding"


def backtest(
    source: Optional[Path] = typer.Argument(None, metavar="[INPUT.csv]", help="Long CSV with unique_id, ds, y."),
    entity: Optional[str] = typer.Option(None, "--entity", "-e", help="Backtest one bundled entity's series."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Only this metric (trains, teu, ...)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Model to score; repeat. Default: all."),
    horizon: int = typer.Option(..., "--horizon", help="Steps ahead to forecast at each cutoff."),
    windows: int = typer.Option(3, "--windows", "-n", help="Number of rolling-origin windows."),
    step: int = typer.Option(1, "--step", help="Periods between consecutive cutoffs."),
    min_train: int = typer.Option(3, "--min-train", help="Shortest training set a window may have."),
    window: Window = typer.Option(Window.expanding, "--window", help="Expanding or sliding training window."),
    refit: int = typer.Option(1, "--refit", help="Re-estimate every K windows (update in between if possible)."),
    freq: str = typer.Option("annual", "--freq", help="Bundled series frequency: annual or monthly."),
    engine: Engine = typer.Option(Engine.serial, "--engine", help="serial, processes or dask."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Local processes (engine=processes)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (engine=dask)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local Dask workers when no --scheduler."),
    rank_by: str = typer.Option("mase", "--rank-by", help=f"Metric to rank by: {', '.join(LOWER_IS_BETTER)}."),
    n_paths: int = typer.Option(1000, "--paths", help="Sample paths per forecast."),
    seed: int = typer.Option(0, "--seed"),
    allow_negative: bool = typer.Option(False, "--allow-negative", help="Accept negative values (series that are not counts)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write per-series scores as CSV."),
    selection: Optional[Path] = typer.Option(None, "--selection", help="Write the per-series best model as CSV."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Score models by rolling-origin backtest and print the leaderboard (overall, failures, per step)."""
    if rank_by not in LOWER_IS_BETTER:
        raise InputError(f"--rank-by must be one of {', '.join(LOWER_IS_BETTER)}, got {rank_by!r}")
    if scheduler and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask")
    spec = WindowSpec(h=horizon, n_windows=windows, step=step, min_train=min_train, window=window.value)
    models = [m.lower() for m in model] if model else available_models()
    if source is not None and entity is not None:
        raise InputError("give either INPUT.csv or --entity, not both")
    need = spec.min_train + spec.h + (spec.n_windows - 1) * spec.step
    data = read_csv(source) if source is not None else select_series(series_panel(freq), entity, metric, need, freq)
    result = run_backtest(
        data, models, h=horizon, n_windows=windows, step=step, min_train=min_train, window=window.value,
        refit=refit, n_paths=n_paths, seed=seed, engine=engine.value, jobs=jobs, scheduler=scheduler,
        n_workers=workers, freq=None if source is not None else freq, allow_negative=allow_negative,
        source=None if source is None else str(source),
    )
    if result.forecasts.empty:
        raise InputError("no series is long enough for one window; " + "; ".join(result.skipped["reason"][:1]))
    board = leaderboard(result, rank_by)
    if output is not None:
        result.scores.to_csv(output, index=False)
    if selection is not None:
        save_selection(select_models(result, rank_by), selection)
    if fmt is Format.json:
        emit_json({
            "config": {"models": models, "horizon": horizon, "windows": windows, "step": step, "refit": refit,
                       "engine": engine.value, "series": int(result.forecasts["unique_id"].nunique())},
            "overall": _records(board.overall),
            "per_horizon": _records(board.per_horizon),
            "per_series": _records(board.per_series),
            "failures": _records(board.failures),
            "skipped": _records(result.skipped),
        })
    else:
        typer.echo(as_text(board))
        if len(result.skipped):
            typer.echo(f"\nskipped {len(result.skipped)} series too short for a window")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN → None, so the JSON is valid."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

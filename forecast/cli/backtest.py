"""``forecast backtest``: rolling-origin evaluation of models on bundled series or a CSV, printing the leaderboard."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from forecast.cli.common import Engine, SummaryFormat, emit_json, model_option
from forecast.defaults import BACKTEST_ENGINE, BACKTEST_PATHS, ENGINES, RANKING_METRICS
from forecast.errors import InputError
from forecast.paths import write_atomically

ENGINE_HELP = ", ".join(ENGINES) + "."
DEFAULT_ENGINE = Engine(BACKTEST_ENGINE)


class Window(str, Enum):
    expanding = "expanding"
    sliding = "sliding"


def backtest(
    source: Optional[Path] = typer.Argument(None, metavar="[INPUT.csv]", help="Long CSV with unique_id, ds, y."),
    entity: Optional[str] = typer.Option(None, "--entity", "-e", help="Backtest one bundled entity's series."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Only this metric (trains, teu, ...)."),
    model: Optional[list[str]] = model_option("all"),
    horizon: int = typer.Option(..., "--horizon", help="Steps ahead to forecast at each cutoff."),
    windows: int = typer.Option(3, "--windows", "-n", help="Number of rolling-origin windows."),
    step: int = typer.Option(1, "--step", help="Periods between consecutive cutoffs."),
    min_train: int = typer.Option(3, "--min-train", help="Shortest training set a window may have."),
    window: Window = typer.Option(Window.expanding, "--window", help="Expanding or sliding training window."),
    freq: str = typer.Option("annual", "--freq", help="Bundled series frequency: annual or monthly."),
    engine: Engine = typer.Option(DEFAULT_ENGINE, "--engine", help=ENGINE_HELP),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Local processes (engine=processes)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (engine=dask)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local Dask workers when no --scheduler."),
    rank_by: str = typer.Option("mase", "--rank-by", help=f"Metric to rank by: {', '.join(RANKING_METRICS)}."),
    n_paths: int = typer.Option(BACKTEST_PATHS, "--paths", help="Sample paths per forecast."),
    seed: int = typer.Option(0, "--seed"),
    allow_negative: bool = typer.Option(
        False, "--allow-negative", help="Accept negative values (series that are not counts)."
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write per-series scores as CSV."),
    selection: Optional[Path] = typer.Option(None, "--selection", help="Write the per-series best model as CSV."),
    events: Optional[str] = typer.Option(
        None, "--events", help="Events file as regressors ('bundled' for datasets/events.csv); see predict."
    ),
    exog: Optional[Path] = typer.Option(None, "--exog", help="Regressors: long CSV unique_id, ds, one column each."),
    fmt: SummaryFormat = typer.Option(SummaryFormat.table, "--format", help="table or json."),
) -> None:
    """Score models by rolling-origin backtest and print the leaderboard (overall, failures, per step)."""
    from forecast.backtest import backtest as run_backtest
    from forecast.backtest.leaderboard import as_text, leaderboard
    from forecast.backtest.selection import save_selection, select_models
    from forecast.backtest.windows import WindowSpec
    from forecast.data.panels import select_series, series_panel
    from forecast.longframe import read_csv
    from forecast.models.registry import available_models

    if rank_by not in RANKING_METRICS:
        raise InputError(f"--rank-by must be one of {', '.join(RANKING_METRICS)}, got {rank_by!r}")
    if scheduler and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask")
    spec = WindowSpec(h=horizon, n_windows=windows, step=step, min_train=min_train, window=window.value)
    models = model or available_models()
    if source is not None and entity is not None:
        raise InputError("give either INPUT.csv or --entity, not both")
    need = spec.min_train + spec.h + (spec.n_windows - 1) * spec.step
    if source is not None:
        data = read_csv(source)
    else:
        data = select_series(series_panel(freq), entity, metric, freq=freq, min_points=need)
    result = run_backtest(
        data,
        models,
        h=horizon,
        n_windows=windows,
        step=step,
        min_train=min_train,
        window=window.value,
        n_paths=n_paths,
        seed=seed,
        engine=engine.value,
        jobs=jobs,
        scheduler=scheduler,
        n_workers=workers,
        freq=None if source is not None else freq,
        allow_negative=allow_negative,
        source=None if source is None else str(source),
        events=events,
        exog=exog,
    )
    if result.forecasts.empty:
        raise InputError("no series is long enough for one window; " + "; ".join(result.skipped["reason"][:1]))
    board = leaderboard(result, rank_by)
    if output is not None:
        write_atomically(output, lambda handle: result.scores.to_csv(handle, index=False))
    if selection is not None:
        save_selection(select_models(result, rank_by), selection)
    if fmt is SummaryFormat.json:
        emit_json(
            {
                "config": {
                    "models": list(result.models),
                    "horizon": horizon,
                    "windows": windows,
                    "step": step,
                    "engine": engine.value,
                    "series": int(result.forecasts["unique_id"].nunique()),
                },
                "overall": _records(board.overall),
                "per_horizon": _records(board.per_horizon),
                "per_series": _records(board.per_series),
                "failures": _records(board.failures),
                "skipped": _records(result.skipped),
            }
        )
    else:
        typer.echo(as_text(board))
        if len(result.skipped):
            typer.echo(f"\nskipped {len(result.skipped)} series too short for a window")


def _records(frame) -> list[dict]:
    """Rows as dicts with NaN → None, so the JSON is valid."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

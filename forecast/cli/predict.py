"""``forecast predict``: forecast every series of a long-format CSV, or a bundled reconciled series, with any models.

A thin layer over :func:`forecast.predict.predict`: reads the input, runs it, writes the wide table atomically
(or prints it) and reports on stderr which series fell back to a simpler model and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forecast.backtest.selection import as_mapping, load_selection
from forecast.cli.backtest import select_input
from forecast.cli.common import OutputFormat, emit
from forecast.errors import InputError
from forecast.paths import write_atomically
from forecast.longframe import read_csv
from forecast.predict import SELECTED, predict as run_predict


def predict(
    source: Optional[Path] = typer.Argument(None, metavar="[INPUT.csv]", help="Long CSV: one row per series and date."),
    horizon: int = typer.Option(..., "--horizon", "-h", help="Steps ahead to forecast."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Model name; repeat for several. Default: auto."),
    season: Optional[int] = typer.Option(None, "--season", help="Season length (default: from the frequency)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="annual, quarterly, monthly, weekly or daily (default: inferred; bundled: annual)."),
    level: Optional[list[float]] = typer.Option(None, "--level", help="Interval level in percent; repeat. Default: 80 and 95."),
    samples: int = typer.Option(1000, "--samples", help="Sample paths per series and model."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Local processes."),
    seed: int = typer.Option(0, "--seed"),
    id_col: str = typer.Option("unique_id", "--id-col"),
    ds_col: str = typer.Option("ds", "--ds-col"),
    y_col: str = typer.Option("y", "--y-col"),
    entity: Optional[str] = typer.Option(None, "--entity", "-e", help="Forecast this bundled entity's series instead of a CSV."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Bundled metric (trains, teu, ...)."),
    basis: Optional[str] = typer.Option(None, "--basis", help="Bundled counting basis (e.g. reported)."),
    selection: Optional[Path] = typer.Option(None, "--selection", help="Per-series models from `forecast backtest --selection`; adds the model 'selected' (the default with it)."),
    allow_negative: bool = typer.Option(False, "--allow-negative", help="Accept negative values (series that are not counts)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the forecast table as CSV here."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="How to print when no --output: table, csv, json."),
) -> None:
    """Forecast each series H steps ahead: mean and interval columns per model, one row per series and date."""
    if (source is None) == (entity is None):
        raise InputError("give either INPUT.csv or --entity")
    if samples < 10:
        raise InputError(f"--samples must be at least 10, got {samples}")
    if source is not None:
        data = read_csv(source)
    else:
        data = select_input(None, entity, metric, freq or "annual", 1)
        if basis is not None:
            data = data[data["basis"] == basis]
            if data.empty:
                raise InputError(f"no bundled series for {entity!r} with basis {basis!r}")
        id_col, ds_col, y_col, freq = "unique_id", "ds", "y", freq or "annual"
    chosen = as_mapping(load_selection(selection)) if selection is not None else None
    result = run_predict(
        data, horizon, models=model or [SELECTED if chosen else "auto"], selection=chosen, level=level or [80, 95], season_length=season, freq=freq,
        n_paths=samples, seed=seed, jobs=jobs, id_col=id_col, ds_col=ds_col, y_col=y_col,
        allow_negative=allow_negative, source=None if source is None else str(source),
    )
    for row in result.fallbacks().itertuples(index=False):
        typer.echo(f"fallback: {row.unique_id} {row.model} -> {row.used}: {row.reason}", err=True)
    table = result.table()
    if output is not None:
        write_atomically(output, lambda handle: table.to_csv(handle, index=False))
        typer.echo(f"wrote {len(table)} rows for {table['unique_id'].nunique()} series to {output}", err=True)
    else:
        emit(table, fmt)

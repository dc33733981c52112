"""``forecast predict``: forecast every series of a long-format CSV with any models, or a bundled entity's outlook.

A thin layer over :func:`forecast.predict.predict` (CSV input: wide table, one column group per model) and
:class:`forecast.outlook.Outlooks` (``--entity``: from the as-of date, the year in progress conditioned on every
fact known about it, then the years after — the same paths ``forecast target`` and the report read).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forecast.cli.common import Engine, OutputFormat, emit, model_option
from forecast.defaults import DEFAULT_PATHS, HIERARCHY, LEVELS, MIN_PATHS, SELECTED
from forecast.errors import InputError
from forecast.paths import write_atomically

LEVELS_TEXT = " and ".join(map(str, LEVELS))


def predict(
    source: Optional[Path] = typer.Argument(None, metavar="[INPUT.csv]", help="Long CSV: one row per series and date."),
    horizon: int = typer.Option(
        ..., "--horizon", "-h", help="Steps ahead to forecast (with --entity: years from the year in progress on)."
    ),
    model: Optional[list[str]] = model_option("auto"),
    season: Optional[int] = typer.Option(None, "--season", help="Season length (default: from the frequency)."),
    freq: Optional[str] = typer.Option(
        None,
        "--freq",
        help="annual, quarterly, monthly, weekly or daily (default: inferred; with --entity: annual, or monthly).",
    ),
    level: Optional[list[float]] = typer.Option(
        None, "--level", help=f"Interval level in percent; repeat. Default: {LEVELS_TEXT}."
    ),
    samples: int = typer.Option(DEFAULT_PATHS, "--samples", help="Sample paths per series and model."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Local processes (or local Dask workers)."),
    engine: Optional[Engine] = typer.Option(
        None, "--engine", help="serial, processes or dask (default: processes with --jobs > 1, else serial)."
    ),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (engine=dask)."),
    save: Optional[Path] = typer.Option(
        None, "--save", help="Keep the fitted models in this folder, to forecast again later with --load."
    ),
    load: Optional[Path] = typer.Option(
        None,
        "--load",
        help="Forecast from the models saved in this folder instead of fitting; with INPUT.csv, check that it "
        "holds the histories they were fitted on.",
    ),
    trust: bool = typer.Option(
        False,
        "--trust",
        help="With --load: accept models saved by someone else (not signed with your key). Loading a saved model "
        "runs code from its files: only for folders whose author you trust.",
    ),
    update: bool = typer.Option(
        False,
        "--update",
        help="With --load and INPUT.csv: take its new observations into the saved models without fitting again "
        "(models that can: see `forecast models`); with --save, keep the updated models.",
    ),
    seed: int = typer.Option(0, "--seed"),
    id_col: str = typer.Option("unique_id", "--id-col"),
    ds_col: str = typer.Option("ds", "--ds-col"),
    y_col: str = typer.Option("y", "--y-col"),
    entity: Optional[str] = typer.Option(
        None, "--entity", "-e", help="Forecast this bundled entity's series (its outlook) instead of a CSV."
    ),
    metric: Optional[str] = typer.Option(None, "--metric", help="With --entity: only this metric (trains, teu, ...)."),
    basis: Optional[str] = typer.Option(
        None, "--basis", help="With --entity: only this counting basis (e.g. reported)."
    ),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        help="With --entity: use only facts published by this date (default: the date the data runs to).",
    ),
    selection: Optional[Path] = typer.Option(
        None,
        "--selection",
        help="Per-series models from `forecast backtest --selection`; adds the model 'selected' (the default with it).",
    ),
    hierarchy: Optional[bool] = typer.Option(
        None,
        "--hierarchy/--no-hierarchy",
        help="With --entity: reconciled with the catalogue's sums (MinT, the default), so parents' paths are their "
        "parts' plus what they do not itemise, as `forecast run` and `forecast target` give them; --no-hierarchy: "
        "the series alone.",
    ),
    allow_negative: bool = typer.Option(
        False, "--allow-negative", help="Accept negative values (series that are not counts)."
    ),
    events: Optional[str] = typer.Option(
        None,
        "--events",
        help="Events file (name, start, end, kind, scope, source) as regressors; 'bundled' for datasets/events.csv.",
    ),
    exog: Optional[Path] = typer.Option(
        None, "--exog", help="Regressors with their future values: long CSV unique_id, ds, one column each."
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the forecast table as CSV here."),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", help="How to print when no --output: table, csv, json."
    ),
) -> None:
    """Forecast each series H steps ahead: mean and interval columns per model, one row per series and date."""
    if load is not None and (entity is not None or model):
        raise InputError("--load forecasts from saved models: no --entity or --model with it")
    if trust and load is None:
        raise InputError("--trust is about the saved models of --load: give --load")
    if update and (load is None or source is None):
        raise InputError("--update takes the new values of INPUT.csv into the models of --load: give both")
    if (events is not None or exog is not None) and (load is not None or entity is not None):
        raise InputError("--events and --exog go with INPUT.csv; saved models keep the regressors they were fitted on")
    if load is None and (source is None) == (entity is None):
        raise InputError("give either INPUT.csv or --entity")
    if save is not None and entity is not None:
        raise InputError("--save keeps the models fitted to INPUT.csv; an --entity outlook is not saved")
    if samples < MIN_PATHS:
        raise InputError(f"--samples must be at least {MIN_PATHS}, got {samples}")
    from forecast.backtest.selection import as_mapping, load_selection

    chosen = as_mapping(load_selection(selection)) if selection is not None else None
    models = model or [SELECTED if chosen else "auto"]
    if hierarchy is not None and entity is None:
        raise InputError("--hierarchy/--no-hierarchy is about the bundled series: give --entity")
    if entity is not None:
        if len(models) > 1:
            raise InputError("--entity forecasts with one model: give --model once")
        table = entity_outlook(
            entity,
            metric,
            basis,
            as_of,
            horizon,
            models[0],
            samples,
            seed,
            chosen,
            freq,
            level or list(LEVELS),
            hierarchy is not False,
        )
    elif load is not None:
        from forecast.longframe import read_csv
        from forecast.saved_models import load_models

        saved = load_models(load, trust=trust)
        if source is not None:
            columns = {"id_col": id_col, "ds_col": ds_col, "y_col": y_col}
            if update:
                saved = saved.update(read_csv(source), str(source), **columns)
            else:
                saved.check_data(read_csv(source), str(source), **columns)
        result = saved.predict(horizon, samples, seed, level)
        if save is not None:
            _save(result, save, saved.manifest["settings"])
        table = result.table()
    else:
        from forecast.longframe import read_csv
        from forecast.predict import predict as run_predict

        result = run_predict(
            read_csv(source),
            horizon,
            models=models,
            selection=chosen,
            level=level or list(LEVELS),
            season_length=season,
            freq=freq,
            n_paths=samples,
            seed=seed,
            jobs=jobs,
            id_col=id_col,
            ds_col=ds_col,
            y_col=y_col,
            allow_negative=allow_negative,
            source=str(source),
            engine=engine.value if engine else None,
            scheduler=scheduler,
            keep_models=save is not None,
            events=events,
            exog=exog,
        )
        if save is not None:
            settings = {"horizon": horizon, "models": list(models), "samples": samples, "seed": seed}
            _save(result, save, {**settings, "events": events, "exog": None if exog is None else str(exog)})
        for row in result.fallbacks().itertuples(index=False):
            typer.echo(f"fallback: {row.unique_id} {row.model} -> {row.used}: {row.reason}", err=True)
        table = result.table()
    if output is not None:
        write_atomically(
            output, lambda handle: table.to_csv(handle, index=False, float_format="%.6g", date_format="%Y-%m-%d")
        )
        typer.echo(f"wrote {len(table)} rows for {table['unique_id'].nunique()} series to {output}", err=True)
    else:
        emit(table, fmt)


def _save(result, folder: Path, settings: dict) -> None:
    from forecast.saved_models import save_models

    save_models(result, folder, settings)
    typer.echo(f"saved {len(result.forecasts)} fitted models to {folder}", err=True)


def entity_outlook(entity, metric, basis, as_of, horizon, model, samples, seed, selection, freq, levels, hierarchy):
    """The outlook table of every series of ``entity`` (one metric/basis when given), with a line on stderr per
    series saying how old its data is and what it rests on (and, with ``hierarchy``, the sums it is in)."""
    import pandas as pd

    from forecast.outlook import NoOutlook, Outlooks

    if freq not in (None, "annual", "monthly"):
        raise InputError(f"--freq with --entity is annual or monthly, got {freq!r}")
    method = HIERARCHY if hierarchy else None
    outlooks = Outlooks(model=model, years=horizon, n_paths=samples, seed=seed, selection=selection, hierarchy=method)
    slug = outlooks.facts.check(entity, metric or "trains", basis)
    vintage = outlooks.facts.on(as_of)
    keys = [
        k
        for k in vintage.keys()
        if k[0] == slug and (metric is None or k[1] == metric) and (basis is None or k[2] == basis)
    ]
    if not keys:
        raise InputError(
            f"no {metric or ''} facts about {entity!r}{f' on basis {basis}' if basis else ''} "
            f"published by {vintage.as_of.date()}"
        )
    tables = []
    for key in keys:
        try:
            view = outlooks.get(*key, vintage)
        except NoOutlook as err:
            typer.echo(f"no outlook: {err}", err=True)
            continue
        known = view.last_known_year
        typer.echo(
            f"{view.uid}: as of {view.as_of.date()}; latest full year {known or 'none'}; {view.method}", err=True
        )
        if hierarchy:
            from forecast.hierarchy import describe_sums

            coherent = outlooks.coherent(*key, vintage)
            for line in describe_sums(coherent.paths, slug, view.as_of.year) if coherent is not None else []:
                typer.echo(f"  {line}", err=True)
        tables.append(view.monthly_table(levels) if freq == "monthly" else view.table(levels))
    if not tables:
        raise InputError(f"no series of {entity!r} has enough facts for an outlook")
    return pd.concat(tables, ignore_index=True)

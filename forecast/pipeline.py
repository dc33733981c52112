"""The main job, ``forecast run``: reconcile → backtest → one outlook per series → targets → store → report.

Each stage is the same Python call a notebook makes; this module only chains them and records one run.
Forecasts and target odds come from one :class:`forecast.outlook.Outlooks`, so the report's charts, its target
table, ``forecast target`` and ``forecast predict --entity`` on the same data agree; their paths are reconciled
with the catalogue's sums (MinT), so a parent's paths are its parts' plus what they do not itemise. The backtest
scores the models on every series long enough for its windows (the leaderboard) and records which one each series
would pick.
The run id hashes the data, the code version and the settings, so re-running on the same data and code finds
its run already stored and only rewrites the report (idempotent); a new data release makes a new run.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from forecast import executor
from forecast.backtest import backtest
from forecast.data import data_hash, load_observations
from forecast.data.panels import complete_periods, latest_runs
from forecast.data.vintage import FactBase, known_from
from forecast.defaults import DEFAULT_PATHS, DEFAULT_YEARS, HIERARCHY, RUN_BACKTEST_PATHS
from forecast.models.registry import model_label
from forecast.outlook import Outlook, Outlooks
from forecast.outlook.news import explain, previous_month_end
from forecast.outlook.pace import PACE_COLUMNS, pace_rows
from forecast.report import build_report
from forecast.store import RunRecord, check_store, write_run
from forecast.store.location import store_path
from forecast.store.read import list_runs, read_table
from forecast.store.runs import code_version
from forecast.targets import check_all_targets

QUANTILES = {"q10": 0.10, "q50": 0.50, "q90": 0.90, "lo_80": 0.10, "hi_80": 0.90, "lo_95": 0.025, "hi_95": 0.975}


@dataclass(frozen=True)
class RunSettings:
    """What a run computes; part of the run id, so changing any of it makes a new run."""

    horizon: int = DEFAULT_YEARS
    model: str = "auto"  # the outlook's model (the backtest scores the others beside it)
    models: tuple[str, ...] = ("naive", "drift", "ets", "theta", "arima", "auto")
    backtest_horizon: int = 2
    windows: int = 3
    min_points: int = 5
    n_paths: int = DEFAULT_PATHS
    seed: int = 0
    hierarchy: str | None = HIERARCHY  # outlooks reconciled with the catalogue's sums (forecast.hierarchy); None: not

    def __post_init__(self):
        """Model specs are kept as their labels, so the stored settings say exactly what ran."""
        object.__setattr__(self, "model", model_label(self.model))
        object.__setattr__(self, "models", tuple(model_label(m) for m in self.models))


@dataclass
class RunOutcome:
    """What a run produced: its id, whether it was new, where the report went, and the time each stage took."""

    run_id: str
    created: bool
    report_html: Path
    report_md: Path
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def run_pipeline(
    data_files: list[str | Path] | None = None,
    store: str | Path | None = None,
    report_dir: str | Path | None = None,
    settings: RunSettings | None = None,
    progress: bool = True,
    engine: str | None = None,
    jobs: int = 1,
) -> RunOutcome:
    """Run every stage on the bundled data plus the user's facts (or ``data_files``) and store one run; the
    backtest and the outlooks run on ``engine`` with ``jobs`` workers (:func:`forecast.executor.chosen_engine`;
    the same numbers on every engine, so the stored run does not depend on it)."""
    settings = settings or RunSettings()
    engine = executor.chosen_engine(engine, jobs)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 2)
        clock = now

    check_store(store)  # a damaged or unwritable store is found now, not after the computing
    observations = load_observations(files=data_files)
    record = RunRecord(data_hash=data_hash(observations), settings=_jsonable(asdict(settings)))
    if _stored(store, record.run_id):
        html, md = build_report(store, record.run_id, report_dir, observations)
        lap("report")
        return RunOutcome(record.run_id, False, html, md, timings)
    stages = tqdm(total=5, desc="forecast run", disable=not progress, leave=False)
    facts = FactBase(observations)
    rec = facts.on().reconciliation()
    panel = latest_runs(complete_periods(rec.panel("annual")), settings.min_points)
    lap("reconcile"), stages.update()
    result = backtest(
        panel[["unique_id", "ds", "y"]],
        settings.models,
        h=settings.backtest_horizon,
        n_windows=settings.windows,
        n_paths=RUN_BACKTEST_PATHS,
        seed=settings.seed,
        progress=False,
        engine=engine,
        jobs=jobs,
    )
    lap("backtest"), stages.update()
    outlooks = Outlooks(
        facts=facts,
        model=settings.model,
        years=settings.horizon,
        n_paths=settings.n_paths,
        seed=settings.seed,
        hierarchy=settings.hierarchy,
    )
    views, no_outlooks = outlooks.every(engine=engine, jobs=jobs, progress=progress)
    forecasts = forecast_rows(views)
    lap("outlook"), stages.update()
    checks = check_all_targets(outlooks=outlooks)
    lap("targets"), stages.update()
    news = news_since_last(store, outlooks, checks, record.settings)
    pace = pace_table(views, outlooks)
    lap("news+pace")
    tables = {
        "series": rec.series.replace([np.inf], np.nan),
        "forecasts": forecasts,
        "scores": result.scores.melt(id_vars=["unique_id", "model"], var_name="metric", value_name="value"),
        "target_checks": checks,
        "conflicts": conflict_rows(rec.conflicts),
        "no_outlooks": no_outlooks,
        "run_facts": pd.DataFrame(
            {"fact_id": observations["id"].astype(str), "known_from": known_from(observations).dt.normalize()}
        ),
        "news": news,
        "pace": pace,
    }
    written = write_run(store, RunRecord(record.data_hash, record.settings, started_at=record.started_at), tables)
    html, md = build_report(store, written.run_id, report_dir, observations)
    lap("store+report"), stages.update(), stages.close()
    counts = {
        "series": len(views),
        "forecast_rows": len(forecasts),
        "targets": len(checks),
        "conflicts": len(rec.conflicts),
    }
    return RunOutcome(written.run_id, written.created, html, md, timings, counts)


def news_since_last(store, outlooks: Outlooks, checks: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """What moved the outlook since the store's latest run (:mod:`forecast.outlook.news`: the store's
    ``news`` rows); on a first run, since the end of the month before the data's date."""
    previous = _previous_run(store)
    if previous is None:
        return explain(outlooks, previous_month_end(outlooks.facts.as_of)).rows()
    run, forecasts, old_checks, old_ids = previous
    point = "mean" if outlooks.hierarchy is not None else "q50"
    annual = forecasts[forecasts["freq"].fillna("annual") == "annual"]
    before = {(uid, ds.year): float(v) for uid, ds, v in zip(annual["unique_id"], annual["ds"], annual[point])}
    since = pd.Timestamp(forecasts["as_of"].dropna().max())
    if since > outlooks.facts.as_of:
        since = outlooks.facts.as_of
    other = []
    if run["code_version"] != code_version():
        other.append(f"code {run['code_version']} → {code_version()}")
    if json.loads(run["settings"]) != json.loads(json.dumps(settings)):
        other.append("run settings changed (model, horizon, paths or hierarchy)")
    return explain(
        outlooks,
        since,
        before=before,
        old_ids=old_ids,
        odds_before=_odds(old_checks),
        odds_after=_odds(checks[pd.to_datetime(checks["period_end"]).dt.year >= outlooks.facts.as_of.year]),
        other=other,
    ).rows()


def _previous_run(store):
    """The latest stored run with an outlook: its ``runs`` row, forecasts, target checks and fact ids (None for a
    run stored before the store kept them); None when there is none."""
    if not store_path(store).exists():
        return None
    runs = list_runs(store)
    for run_id in reversed(list(runs["run_id"])):
        forecasts = read_table(store, "forecasts", run_id)
        if "as_of" not in forecasts or forecasts["as_of"].isna().all():
            continue
        ids = read_table(store, "run_facts", run_id)["fact_id"]
        run = runs[runs["run_id"] == run_id].iloc[0].to_dict()
        return run, forecasts, read_table(store, "target_checks", run_id), set(ids) if len(ids) else None
    return None


def _odds(checks: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """Target key → (label, probability) of target check rows."""
    keys = checks["target_key"].fillna(checks["target"]) if "target_key" in checks else checks["target"]
    return {str(k): (str(t), p) for k, t, p in zip(keys, checks["target"], checks["probability"])}


def pace_table(views: list[Outlook], outlooks: Outlooks) -> pd.DataFrame:
    """The store's ``pace`` rows: where each series' year in progress stands (:mod:`forecast.outlook.pace`)."""
    frames = [pace_rows(view, outlooks.profile(view)) for view in views if view.monthly is not None]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PACE_COLUMNS)


def forecast_rows(views: list[Outlook]) -> pd.DataFrame:
    """The store's ``forecasts`` rows of every outlook: one per year (``freq`` annual) and, where the series has
    sub-annual facts, one per month (``freq`` monthly), with the quantiles of the same paths."""
    frames = []
    for view in views:
        years = view.shown
        months = [] if view.months is None else list(view.months[: 12 * len(years)].to_timestamp())
        for freq, paths, ds in (
            ("annual", view.annual, [pd.Timestamp(int(y), 1, 1) for y in years]),
            ("monthly", view.monthly, months),
        ):
            if paths is None:
                continue
            paths = paths[:, : len(ds)]
            row = {
                "unique_id": view.uid,
                "model": view.used,
                "ds": ds,
                "freq": freq,
                "as_of": view.as_of,
                "reconciled": view.reconciled.method if view.reconciled is not None else None,
                "mean": paths.mean(axis=0),
            }
            row.update({name: np.quantile(paths, q, axis=0) for name, q in QUANTILES.items()})
            if freq == "annual":
                seen = [view.observed.get(int(y)) for y in years]
                before = [view.year_paths(int(y) - 1) for y in years]
                row.update(
                    p_up=[np.mean(paths[:, k] > b) if b is not None else np.nan for k, b in enumerate(before)],
                    status=[view.status(int(y)) for y in years],
                    observed=[o.value if o else np.nan for o in seen],
                    observed_through=[o.through if o else pd.NaT for o in seen],
                    observed_text=[o.short() if o else None for o in seen],
                    prior_mean=view.prior_mean[: len(years)],
                    notes="; ".join(view.notes),
                )
            frames.append(pd.DataFrame(row))
    return pd.concat(frames, ignore_index=True)


def conflict_rows(conflicts: pd.DataFrame) -> pd.DataFrame:
    """The data layer's conflicts in the store's columns (one row per fact set aside), the facts it clashed with
    never including itself."""
    own = [set(ids.split(";")) for ids in conflicts["fact_ids"]]
    against = [
        ";".join(a for a in str(text or "").split(";") if a and a not in mine)
        for text, mine in zip(conflicts["against"], own)
    ]
    return pd.DataFrame(
        {
            "unique_id": conflicts["unique_id"],
            "entity": conflicts["entity"],
            "metric": conflicts["metric"],
            "basis": conflicts["basis"],
            "ds": conflicts["period_start"],
            "period_end": conflicts["period_end"],
            "fact_id": conflicts["fact_ids"],
            "statement": conflicts["statement"],
            "missed_by": conflicts["violation"],
            "relative": conflicts["relative"],
            "against": against,
            "resolution": conflicts["resolution"],
            "violation": [f"{v:,.0f} ({r:.1%})" for v, r in zip(conflicts["violation"], conflicts["relative"])],
            "kept": False,
            "note": conflicts["statement"],
        }
    )


def _stored(store, run_id: str) -> bool:
    return store_path(store).exists() and run_id in set(list_runs(store)["run_id"])


def _jsonable(settings: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}

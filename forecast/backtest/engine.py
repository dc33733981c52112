"""Rolling-origin backtests of many series × models × cutoffs, run serially, on local processes or on Dask.

Work is cut into chunks of whole series; a worker forecasts every window of its series with every model and
returns only per-point summaries (point forecast, interval bounds, CRPS) — sample paths never leave the worker,
so memory stays bounded however many series there are. Seeds depend on (seed, series, model, cutoff) only, so
every engine and chunking gives identical numbers.

Refit every ``k`` windows: a model is re-estimated at every ``k``-th window. In between, a model that offers
``update(y) -> self`` (re-anchor on the longer series keeping its estimated parameters) is updated cheaply;
a model without it is re-fitted anyway, and ``BacktestResult.fits`` records ``"fit (no update)"`` for it, so a
speed-up that did not happen is never silent.
"""

from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from forecast.backtest.windows import WindowSpec, windows
from forecast.distribution import SamplePaths
from forecast.errors import InputError
from forecast.frequency import Frequency
from forecast.longframe import on_grid, regular_series
from forecast.models.registry import get_model, model_class
from forecast.fitting import forecast_array, prepare, series_seed
from forecast.predict import PROGRESS_MIN_SERIES

ENGINES = ("serial", "processes", "dask")
MAX_CHUNK_SERIES = 250
IN_FLIGHT_PER_WORKER = 3


@dataclass
class BacktestResult:
    """Everything a backtest produced; paths are summarised, never kept.

    ``forecasts``: long frame ``unique_id, ds, cutoff, step, y`` then per model ``<m>`` (mean),
    ``<m>-lo-<L>``, ``<m>-hi-<L>`` and ``<m>-crps``. ``fallbacks``: (series, model, cutoff) where another model
    was used or the input repaired, and why. ``fits``: what happened to each model at each cutoff (``fit``,
    ``update``, ``fit (no update)``). ``paths``: ``(unique_id, model, cutoff) → SamplePaths`` when asked
    for with ``keep_paths``. ``skipped``: series too short for any window. ``train``: the history
    (regular dates, gaps as NaN) that scaled metrics need.
    """

    forecasts: pd.DataFrame
    fallbacks: pd.DataFrame
    fits: pd.DataFrame
    skipped: pd.DataFrame
    train: pd.DataFrame = field(repr=False)
    models: tuple[str, ...]
    levels: tuple[float, ...]
    season_length: int
    freq: Frequency
    spec: WindowSpec
    paths: dict = field(default_factory=dict, repr=False)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Per series × model metrics (one row per pair, computed once); see
        :func:`forecast.backtest.metrics.score_table`."""
        from forecast.backtest.metrics import score_table

        return score_table(self.forecasts, self.models, self.train, self.season_length, self.levels)


def backtest(
    df: pd.DataFrame,
    models: Iterable[str] = ("naive", "drift"),
    h: int = 1,
    n_windows: int = 3,
    step: int | None = None,
    min_train: int | None = None,
    window: str = "expanding",
    window_size: int | None = None,
    refit: int = 1,
    level: Iterable[float] = (80, 95),
    n_paths: int = 1000,
    seed: int = 0,
    engine: str = "serial",
    jobs: int | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    season_length: int | None = None,
    freq: str | None = None,
    keep_paths: bool = False,
    progress: bool | None = None,
    allow_negative: bool = False,
    source: str | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of every series in a long frame (``unique_id, ds, y``) with every model.

    Windows (see :class:`WindowSpec`): ``n_windows`` cutoffs ``step`` periods apart (default 1), the last one
    ``h`` periods before each series' end; training sets of at least ``min_train`` observed points (default 3),
    all history (``expanding``) or the last ``window_size`` points (``sliding``); re-estimate every ``refit``.

    ``engine`` is ``serial``, ``processes`` (``jobs`` local processes) or ``dask`` (a running scheduler at
    ``scheduler``, else a loopback ``LocalCluster`` of ``n_workers`` started and closed for the run).
    ``keep_paths`` also returns every window's sample paths (``BacktestResult.paths``); leave it off for many
    series — by default only per-point summaries come back, so 10,000 series fit in memory.
    The frame is checked by :func:`forecast.longframe.on_grid` (``source`` names it in messages).
    """
    models = tuple(m.lower() for m in models)
    if not models:
        raise InputError("give at least one model")
    for m in models:
        model_class(m)
    levels = tuple(float(lv) for lv in level)
    for lv in levels:
        if not 0 < lv < 100:
            raise InputError(f"level must be between 0 and 100, got {lv:g}")
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    spec = WindowSpec(
        h=h, n_windows=n_windows, step=step or 1, min_train=min_train or 3,
        window=window, size=window_size, refit=refit,
    )
    data, frequency = on_grid(df, source=source, allow_negative=allow_negative, freq=freq)
    season = int(season_length or frequency.season_length)
    series, skipped, train = _series(data, spec, frequency)
    config = (models, levels, season, n_paths, seed, spec, keep_paths)
    chunks = _chunks(series, engine, jobs or n_workers or 2)
    total = sum(len(s[3]) for s in series)
    show = progress if progress is not None else len(series) >= PROGRESS_MIN_SERIES
    bar = tqdm(total=total, desc="backtest series×windows", unit="win", disable=not show, leave=False,
               file=sys.stderr)

    def done(result):
        bar.update(result["n_windows"])

    if engine == "serial":
        results = []
        for chunk in chunks:
            results.append(_run_chunk(chunk, config))
            done(results[-1])
    elif engine == "processes":
        results = _run_processes(chunks, config, jobs or 2, done)
    else:
        results = _run_dask(chunks, config, scheduler, n_workers or jobs or 2, done)
    bar.close()
    return _assemble(results, models, levels, season, frequency, spec, skipped, train)


def _series(data: pd.DataFrame, spec: WindowSpec, freq: Frequency):
    """Per series: (id, regular dates, values, windows); plus the skipped series and the regularised history.

    Series sharing first and last dates share one regular index (computed once), which keeps 10,000 series fast.
    """
    series, skipped, train = [], [], []
    for uid, index, y in regular_series(data, freq):
        train.append((uid, index, y))
        wins = windows(len(y), spec, np.isfinite(y))
        if wins:
            series.append((uid, index, y, wins))
        else:
            need = spec.min_train + spec.h + (spec.n_windows - 1) * spec.step
            skipped.append({"unique_id": uid, "n_points": len(y), "reason": f"needs {need} points for "
                            f"{spec.n_windows} window(s) (min_train {spec.min_train}, h {spec.h}); has {len(y)}"})
    history = pd.DataFrame({
        "unique_id": np.repeat([t[0] for t in train], [len(t[2]) for t in train]),
        "ds": np.concatenate([t[1].to_numpy() for t in train]) if train else np.array([], "datetime64[ns]"),
        "y": np.concatenate([t[2] for t in train]) if train else np.array([], float),
    })
    return series, pd.DataFrame(skipped, columns=["unique_id", "n_points", "reason"]), history


def _chunks(series: list, engine: str, workers: int) -> list[list]:
    """Whole series per chunk; several chunks per worker so the load balances, results stream back and the
    progress bar moves."""
    workers = 1 if engine == "serial" else workers
    size = max(1, min(MAX_CHUNK_SERIES, -(-len(series) // (workers * 8))))
    return [series[i : i + size] for i in range(0, len(series), size)]


def _run_processes(chunks, config, jobs: int, done) -> list[dict]:
    """Chunks on a local process pool, with at most a few chunks in flight per process."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return _bounded(lambda chunk: pool.submit(_run_chunk, chunk, config), chunks, jobs, done,
                        lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0])


def _run_dask(chunks, config, scheduler: str | None, n_workers: int, done) -> list[dict]:
    """Chunks on a Dask cluster: the one at ``scheduler``, else a loopback LocalCluster for this run only
    (its HTTP endpoint on a free loopback port, so it never clashes with a dashboard already on 8787)."""
    from distributed import Client, LocalCluster, wait as dask_wait

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        return _bounded(lambda chunk: client.submit(_run_chunk, chunk, config, pure=False), chunks, workers, done,
                        lambda pending: dask_wait(list(pending), return_when="FIRST_COMPLETED").done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _bounded(submit, chunks, workers: int, done, first_done) -> list[dict]:
    """Keep at most ``IN_FLIGHT_PER_WORKER × workers`` chunks submitted; collect results as they finish."""
    todo = iter(enumerate(chunks))
    pending: dict = {}
    results: list[dict | None] = [None] * len(chunks)

    def top_up():
        for i, chunk in todo:
            pending[submit(chunk)] = i
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                return

    top_up()
    while pending:
        for fut in first_done(set(pending)):
            result = fut.result()
            results[pending.pop(fut)] = result
            done(result)
        top_up()
    return results


def _run_chunk(chunk: list, config: tuple) -> dict:
    """Worker: every window × model of every series in the chunk → summary columns, fallbacks and fit actions."""
    models, levels, season, n_paths, seed, spec, keep_paths = config
    h = spec.h
    keys: dict[str, list] = {"unique_id": [], "ds": [], "cutoff": [], "step": [], "y": []}
    cols: dict[str, list] = {}
    fallbacks, fits, kept, n_windows = [], [], {}, 0
    for uid, index, y, wins in chunk:
        n_windows += len(wins)
        for win in wins:
            keys["unique_id"].append(np.full(h, uid, dtype=object))
            keys["ds"].append(index[win.test(h)].to_numpy())
            keys["cutoff"].append(np.full(h, index[win.cutoff].to_datetime64()))
            keys["step"].append(np.arange(1, h + 1, dtype=np.int64))
            keys["y"].append(y[win.test(h)])
        for model in models:
            state = None
            for win in wins:
                cutoff = index[win.cutoff]
                paths, used, reason, action, state = _forecast_window(
                    y[win.train()], h, model, season, n_paths,
                    series_seed(seed, f"{uid}@{cutoff.isoformat()}", model), win.refit, spec.refit > 1, state,
                )
                for name, values in summarise(paths.paths, y[win.test(h)], levels).items():
                    cols.setdefault(f"{model}{name}", []).append(values)
                fits.append((uid, model, cutoff, action))
                if keep_paths:
                    kept[(uid, model, cutoff)] = paths
                if reason:
                    fallbacks.append((uid, model, cutoff, used, reason))
    frame = None
    if n_windows:
        # rows are laid out series → window → step, and each model's columns were appended in that same order
        frame = pd.DataFrame({name: np.concatenate(parts) for name, parts in {**keys, **cols}.items()})
    return {"forecasts": frame, "fallbacks": fallbacks, "fits": fits, "paths": kept, "n_windows": n_windows}


def summarise(paths: np.ndarray, y: np.ndarray, levels) -> dict[str, np.ndarray]:
    """Per step: mean (``""``), interval bounds (``-lo-<L>``, ``-hi-<L>``) and CRPS (``-crps``) from one sort.

    Quantiles interpolate linearly between order statistics, as :func:`numpy.quantile` does by default.
    """
    ordered = np.sort(paths, axis=0)
    out = {"": paths.mean(axis=0)}
    for lv in levels:
        tail = (100.0 - lv) / 200.0
        out[f"-lo-{lv:g}"] = _sorted_quantile(ordered, tail)
        out[f"-hi-{lv:g}"] = _sorted_quantile(ordered, 1.0 - tail)
    out["-crps"] = crps_paths(ordered, y, is_sorted=True)
    return out


def _sorted_quantile(ordered: np.ndarray, q: float) -> np.ndarray:
    position = q * (ordered.shape[0] - 1)
    below = int(np.floor(position))
    above = min(below + 1, ordered.shape[0] - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _forecast_window(train, h, model, season, n_paths, seed, refit, may_update, state):
    """Paths for one window: update the kept model between refits when it can, else fit with fallbacks.

    A trailing gap before the cutoff is forecast through, so the returned steps still start right after it.
    Returns (paths, used model, fallback reason, fit action, model kept for updates or None).
    """
    trailing = len(train) - 1 - int(np.flatnonzero(np.isfinite(train)).max()) if np.isfinite(train).any() else 0
    steps = h + trailing
    if may_update:
        filled, _ = prepare(train)
        nonneg = bool(len(filled)) and bool(np.all(filled >= 0))
        if not refit and state is not None:
            paths = _try_paths(lambda: state.update(filled), steps, n_paths, seed)
            if paths is not None:
                return _tail(paths, h, nonneg), model, None, "update", state
        if hasattr(model_class(model), "update"):
            fitted = _try_fit(model, filled, season)
            paths = _try_paths(lambda: fitted, steps, n_paths, seed) if fitted is not None else None
            if paths is not None:
                return _tail(paths, h, nonneg), model, None, "fit", fitted
    result, used, reason = forecast_array(train, steps, model, season, n_paths, seed)
    action = "fit" if refit or not may_update else "fit (no update)"
    return SamplePaths(result.paths[:, trailing:]), used, reason, action, None


def _try_fit(model, y, season):
    try:
        return get_model(model).fit(y, season)
    except Exception:  # noqa: BLE001 — a failed fit goes down the fallback chain of forecast_array
        return None


def _try_paths(get_fitted, steps, n_paths, seed):
    try:
        paths = get_fitted().sample_paths(steps, n_paths, seed)
    except Exception:  # noqa: BLE001 — a failed update is re-fitted instead
        return None
    return paths if paths.shape == (n_paths, steps) and np.all(np.isfinite(paths)) else None


def _tail(paths: np.ndarray, h: int, nonneg: bool) -> SamplePaths:
    out = SamplePaths(paths[:, paths.shape[1] - h :])
    return out.clip_at_zero() if nonneg else out


def crps_paths(paths: np.ndarray, y: np.ndarray, is_sorted: bool = False) -> np.ndarray:
    """CRPS of the empirical path distribution per step, energy form ``E|X - y| - ½ E|X - X'|`` (NaN if y is).

    ``E|X - X'|`` over all n² ordered pairs is computed from sorted samples in O(n log n):
    ``2/n² Σ_i x_(i) (2i - n - 1)``.
    """
    paths = np.asarray(paths, dtype=float)
    n = paths.shape[0]
    first = np.mean(np.abs(paths - y[None, :]), axis=0)
    ranks = 2 * np.arange(1, n + 1) - n - 1
    ordered = paths if is_sorted else np.sort(paths, axis=0)
    spread = 2.0 * (ordered * ranks[:, None]).sum(axis=0) / n**2
    return np.where(np.isfinite(y), first - 0.5 * spread, np.nan)


def _assemble(results, models, levels, season, freq, spec, skipped, train) -> BacktestResult:
    """Concatenate chunk results in a fixed order so every engine returns the same frame."""
    frames = [r["forecasts"] for r in results if r["forecasts"] is not None]
    columns = ["unique_id", "ds", "cutoff", "step", "y"]
    forecasts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    forecasts = forecasts.sort_values(["unique_id", "cutoff", "ds"], kind="stable").reset_index(drop=True)
    fallbacks = pd.DataFrame(
        [f for r in results for f in r["fallbacks"]], columns=["unique_id", "model", "cutoff", "used", "reason"]
    ).sort_values(["unique_id", "model", "cutoff"], kind="stable").reset_index(drop=True)
    fits = pd.DataFrame(
        [f for r in results for f in r["fits"]], columns=["unique_id", "model", "cutoff", "action"]
    ).sort_values(["unique_id", "model", "cutoff"], kind="stable").reset_index(drop=True)
    paths = {key: value for r in results for key, value in r["paths"].items()}
    return BacktestResult(forecasts, fallbacks, fits, skipped, train, models, levels, season, freq, spec, paths)

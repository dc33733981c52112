"""Annual ``auto`` choices measured and not adopted, on validation windows of the *training* part: why no rule is
ahead of AutoETS on M3 other and of AutoTheta on Tourism yearly at once.

For every validation window (:func:`_competitions.validation`) of M3 yearly, M3 other and Tourism yearly it forecasts
with each annual member alone, and with statsforecast's AutoARIMA and AutoCES standing in for members of other
families; with the median and the mean of every set of 3 to 5 of these nine (members a series is too short for drop
out, as in ``auto``); with per-series switches from the default members to the trend-following set
(drift, damped ETS, ETS of any error and trend form by AICc) or the flat set (Theta, optimised Theta, drift) — by the
strength of the series' trend (|mean Δy| / sd Δy × √(n-1) above a threshold), or by which set forecast the series'
own last ``h`` points better when fitted without them — and with statsforecast's AutoETS and AutoTheta. Prints MASE
and sMAPE (as ``models_accuracy.py``) and their ratios to the default per collection, then how many candidates are
at or below the default on both measures everywhere, and the closest; last, what choosing one candidate per
collection would give (among ``auto``'s own members' candidates, and with the stand-ins): the best on the earlier two
windows of each series, scored on the latest.

Run: ``python benchmarks/annual_choices.py [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import executor
from forecast.backtest.metrics import mase, smape
from forecast.models.auto import ANNUAL_MEMBERS, fit_members

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import validation
from models_accuracy import peers

COLLECTIONS = ("m3-yearly", "m3-other", "tourism-yearly")
MEMBERS = ("theta", "auto_theta", "ets", "ets_trend", "damped", "drift", "ets_aicc")
SETS = {"default": ANNUAL_MEMBERS, "trend": ("drift", "damped", "ets_aicc"), "flat": ("theta", "auto_theta", "drift")}
STAND_INS = ("AutoARIMA", "AutoCES")  # statsforecast models standing in for members of other families
TREND_THRESHOLDS = (1.0, 2.0, 4.0)
MIN_HOLDOUT_TRAIN = 6  # points left to fit on when the series' own last h points are held out


def _median(fits, h: int) -> np.ndarray:
    return np.median([fit.point(h) for fit in fits], axis=0)


def _member(y: np.ndarray, h: int, name: str, memo: dict) -> np.ndarray:
    """One member's point forecast, NaN where the series is shorter than the member needs."""
    try:
        return fit_members(y, 1, (name,), memo=memo)[0].point(h)
    except ValueError:
        return np.full(h, np.nan)


def _window(task: tuple) -> dict:
    """Worker: each member's point forecast of one window, the trend strength, and each set's error on the
    window's own last ``h`` training points (NaN when too few points are left to fit)."""
    y, h = task
    memo = {}
    out = {name: _member(y, h, name, memo) for name in MEMBERS}
    diffs = np.diff(y)
    spread = diffs.std(ddof=1) if len(diffs) > 1 else 0.0
    out["trend strength"] = abs(diffs.mean()) / spread * np.sqrt(len(diffs)) if spread > 0 else 0.0
    own, held_out = {}, {}  # the sets share members: fitted once on the held-out series
    for label, names in SETS.items():
        if len(y) - h >= MIN_HOLDOUT_TRAIN:
            own[label] = float(np.mean(np.abs(_median(fit_members(y[:-h], 1, names, memo=held_out), h) - y[-h:])))
        else:
            own[label] = np.nan
    out["own error"] = own
    return out


def candidates(windows: list[dict], stand_ins: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Candidate name → (windows × h) point forecasts; a member alone falls back to the default where the series is
    too short for it."""
    member = {name: np.array([w[name] for w in windows]) for name in MEMBERS} | stand_ins
    sets = {label: np.nanmedian([member[n] for n in names], axis=0) for label, names in SETS.items()}
    out = {name: np.where(np.isnan(values), sets["default"], values) for name, values in member.items()}
    for size in (3, 4, 5):
        for names in combinations(member, size):
            stack = np.array([member[n] for n in names])
            if set(names) != set(SETS["default"]):  # the default itself
                out[f"median {'+'.join(names)}"] = np.nanmedian(stack, axis=0)
            out[f"mean {'+'.join(names)}"] = np.nanmean(stack, axis=0)
    out["default"] = sets["default"]
    strength = np.array([w["trend strength"] for w in windows])[:, None]
    for threshold in TREND_THRESHOLDS:
        out[f"trend set when trend strength > {threshold:g}"] = np.where(
            strength > threshold, sets["trend"], sets["default"]
        )
    own = pd.DataFrame([w["own error"] for w in windows])
    for other in ("trend", "flat"):
        chosen = (own[other] < own["default"]).to_numpy()[:, None]  # NaN (too short) keeps the default
        out[f"{other} set where it forecast the own last h better"] = np.where(chosen, sets[other], sets["default"])
    return out


def scores(name: str, jobs: int) -> pd.DataFrame:
    """MASE and sMAPE of every candidate and both peers on the validation windows of collection ``name``, their
    ratios to the default's, and the ratios on the latest windows and on the earlier ones apart."""
    data = validation(name)
    series = {uid: g["y"].to_numpy() for uid, g in data.train.groupby("unique_id", sort=False)}
    engine = "processes" if jobs > 1 else "serial"
    windows = executor.run(_window, [(y, data.h) for y in series.values()], engine=engine, jobs=jobs, progress=False)
    test = data.test.set_index("unique_id").loc[list(series)].reset_index()
    fitted, _ = peers(data.train, data.h, 1, jobs, data.alias, models=STAND_INS, levels=())
    fitted = fitted.set_index("unique_id").loc[list(series)]
    stand_ins = {name: fitted[name].to_numpy().reshape(len(series), data.h) for name in STAND_INS}
    columns = {label: values.ravel() for label, values in candidates(windows, stand_ins).items()}
    frame = pd.concat([test, pd.DataFrame(columns, index=test.index)], axis=1)
    frame["cutoff"] = frame["unique_id"].map(data.train.groupby("unique_id")["ds"].max())
    peer_forecasts, _ = peers(data.train, data.h, 1, jobs, data.alias)
    frame = frame.merge(peer_forecasts[["unique_id", "ds", "AutoETS", "AutoTheta"]], on=["unique_id", "ds"])
    models = [*columns, "AutoETS", "AutoTheta"]
    per_window = {
        "MASE": mase(frame, models, train=data.train).set_index("unique_id"),
        "sMAPE": smape(frame, models).set_index("unique_id"),
    }
    latest = per_window["MASE"].index.str.endswith("@0")  # the last h training points; "@1", "@2" end earlier
    table = pd.DataFrame({measure: values.mean() for measure, values in per_window.items()})
    table = table.assign(**{f"{m} ratio": table[m] / table.loc["default", m] for m in ("MASE", "sMAPE")})
    for measure, values in per_window.items():
        table[f"latest {measure} ratio"] = values[latest].mean() / values[latest]["default"].mean()
    table["earlier MASE ratio"] = per_window["MASE"][~latest].mean() / per_window["MASE"][~latest]["default"].mean()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    tables = {}
    for name in COLLECTIONS:
        tables[name] = table = scores(name, args.jobs)
        shown = [*MEMBERS, *STAND_INS, "default", "AutoETS", "AutoTheta", *[i for i in table.index if " set " in i]]
        print(f"\n== {name}: validation windows, {len(table)} candidates ==")
        print(table.loc[shown].to_string(float_format=lambda v: f"{v:.3f}"), flush=True)
    ratios = pd.concat({name: t[["MASE ratio", "sMAPE ratio"]] for name, t in tables.items()}, axis=1)
    worst = ratios.max(axis=1).drop(["default", "AutoETS", "AutoTheta"]).sort_values()
    print(f"\n== {(worst <= 1).sum()} of {len(worst)} candidates at or below the default on both measures, everywhere")
    print("closest (worst ratio over the collections and measures):")
    print(ratios.loc[worst.index[:5]].to_string(float_format=lambda v: f"{v:.4f}"))
    print("\n== one candidate per collection, chosen by MASE on its earlier windows, scored on its latest ones ==")
    for pool in ("auto's members", "with the stand-ins"):
        for name, table in tables.items():
            options = table.drop(index=["AutoETS", "AutoTheta"])
            if pool == "auto's members":
                options = options[~options.index.str.contains("|".join(STAND_INS))]
            choice = options["earlier MASE ratio"].idxmin()
            row = table.loc[choice]
            print(
                f"{pool}, {name}: {choice} (earlier {row['earlier MASE ratio']:.4f}); latest MASE ratio "
                f"{row['latest MASE ratio']:.4f}, sMAPE ratio {row['latest sMAPE ratio']:.4f}"
            )


if __name__ == "__main__":
    main()

"""Base against coherent outlooks, by level of the hierarchy, from rolling origins on the annual series.

For each origin year T (as of 30 June of T, from the facts public then only), every series in a sum of the
catalogue (:mod:`forecast.hierarchy.structure`) gets its base outlook; the same paths are reconciled by MinT
(shrunk covariance, the default), OLS and bottom-up. The year in progress (T) and the next (T + 1) are scored
against the total the bundled facts now pin down, on the same metric and counting basis: MASE (absolute error of
the paths' median over the in-sample naive error of the years known before T, from
:func:`forecast.backtest.metrics.mase`) and CRPS (from :func:`forecast.backtest.metrics.crps_paths`; scaled
the same way, :func:`forecast.backtest.metrics.scaled_crps`), averaged per series and then per level (the
entity's kind: national, corridor, port group, port, hub, …), with the share of outcomes inside the 80% interval
(:func:`forecast.backtest.metrics.coverage`).

Run: ``python benchmarks/hierarchy_backtest.py [--start 2019] [--end 2024] [--paths 500] [--output rows.csv]``
(a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from forecast.backtest.metrics import coverage, crps_paths, mase, scaled_crps
from forecast.data.entities import entity_catalogue
from forecast.data.vintage import FactBase
from forecast.hierarchy import coherence_table, summing_structure
from forecast.outlook import NoOutlook, Outlooks

METHODS = ("mint", "ols", "bottom_up")
MODELS = ("base", *METHODS)
KINDS = ("national", "corridor", "port_group", "port", "region", "province", "brand", "hub", "route")


def origin_rows(outlooks: Outlooks, latest, as_of: pd.Timestamp) -> list[dict]:
    """One row per (series, year scored) at one origin: the truth, and per model the median and the CRPS."""
    vintage = outlooks.facts.on(as_of)
    rows = []
    for metric, basis in sorted({(k[1], k[2]) for k in vintage.keys(metrics=("trains", "teu", "tonnes"))}):
        structure = summing_structure(vintage, metric, basis)
        if not structure.sums:
            continue
        views = {}
        for entity in structure.entities:
            try:
                views[entity] = outlooks.base(entity, metric, basis, vintage)
            except NoOutlook:
                continue
        if not views:
            continue
        coherent = {
            m: {e: outlooks.coherent(e, metric, basis, vintage.as_of, method=m).outlooks[e] for e in views}
            for m in METHODS
        }
        for entity, view in views.items():
            truth = latest.series(entity, metric, basis).pinned
            for year in (as_of.year, as_of.year + 1):
                if year not in truth.index or year not in view.years:
                    continue
                known = truth[truth.index < as_of.year]
                if len(known) < 2:
                    continue
                y = float(truth[year])
                row = {
                    "unique_id": f"{entity}/{metric}/{basis}",
                    "entity": entity,
                    "origin": as_of.year,
                    "h": year - as_of.year,
                    "ds": pd.Timestamp(year, 1, 1),
                    "cutoff": pd.Timestamp(int(known.index[-1]), 1, 1),
                    "y": y,
                }
                for model in MODELS:
                    chosen = view if model == "base" else coherent[model][entity]
                    paths = chosen.year_paths(year)
                    row[model] = float(np.median(paths))
                    row[f"{model}-crps"] = float(crps_paths(paths[:, None], np.array([y]))[0])
                    row[f"{model}-lo-80"], row[f"{model}-hi-80"] = np.quantile(paths, [0.1, 0.9])
                rows.append(row)
    return rows


def train_frame(latest, rows: pd.DataFrame) -> pd.DataFrame:
    """The pinned years of every scored series as they are known now (the naive scale's history)."""
    frames = []
    for uid in rows["unique_id"].unique():
        entity, metric, basis = uid.split("/")
        pinned = latest.series(entity, metric, basis).pinned
        frames.append(
            pd.DataFrame({"unique_id": uid, "ds": [pd.Timestamp(int(y), 1, 1) for y in pinned.index], "y": pinned})
        )
    return pd.concat(frames, ignore_index=True)


def level_table(rows: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """MASE, scaled CRPS and 80% coverage per level and model (series averaged first), with an overall row."""
    scores = mase(rows, list(MODELS), train).set_index("unique_id").add_prefix("MASE ")
    scores = scores.join(scaled_crps(rows, list(MODELS), train).set_index("unique_id").add_prefix("CRPS "))
    scores = scores.join(coverage(rows, list(MODELS), level=80).set_index("unique_id").add_prefix("cov80 "))
    kinds = entity_catalogue().set_index("slug")["kind"]
    scores["level"] = [kinds.get(uid.split("/")[0], "hub") for uid in scores.index]
    scores = scores.dropna()
    table = scores.groupby("level").mean()
    table["series"] = scores.groupby("level").size()
    table = table.reindex([k for k in KINDS if k in table.index])
    overall = scores.drop(columns="level").mean().to_frame("all").T
    overall["series"] = len(scores)
    return pd.concat([table, overall])


def sums_table(latest) -> str:
    """:func:`forecast.hierarchy.coherence_table` of the latest vintage, the sums with history, as Markdown: years
    compared, years the parts exceed the whole (by more than the tolerance), the not-itemised share of the
    whole over the years every part is known (mean, range)."""
    table = coherence_table(latest)
    table = table[table["years"] > 0]
    lines = ["| metric / basis | parent = parts + other | years | parts exceed (beyond 3%) | not itemised | kept |"]
    lines.append("|---|---|---|---|---|---|")
    for r in table.itertuples(index=False):
        share = "–"
        if not np.isnan(r.gap_share_mean):
            share = f"{r.gap_share_mean:.1%} ({r.gap_share_min:.1%} to {r.gap_share_max:.1%})"
        lines.append(
            f"| {r.metric} / {r.basis} | {r.parent} = {r.parts.replace(';', ' + ')} | {r.years} | "
            f"{r.years_parts_exceed} ({r.years_over}) | {share} | {'yes' if r.kept else 'no'} |"
        )
    return "\n".join(lines)


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown rows (level, then each column; scores to three decimals), for the README."""
    head = ["level", *table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for level, row in table.iterrows():
        cells = [f"{int(v)}" if name == "series" else f"{v:.3f}" for name, v in row.items()]
        lines.append("| " + " | ".join([str(level), *cells]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=2019)
    parser.add_argument("--end", type=int, default=2024)
    parser.add_argument("--paths", type=int, default=500)
    parser.add_argument("--model", default="auto")
    parser.add_argument("--output", default=None, help="write every scored row here (CSV)")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    facts = FactBase()
    latest = facts.on()
    outlooks = Outlooks(facts=facts, model=args.model, n_paths=args.paths, years=2)
    rows = []
    for year in range(args.start, args.end + 1):
        rows += origin_rows(outlooks, latest, pd.Timestamp(year, 6, 30))
        print(f"origin {year}: {len(rows)} rows so far ({time.perf_counter() - clock:.0f} s)", file=sys.stderr)
    frame = pd.DataFrame(rows)
    if args.output:
        frame.to_csv(args.output, index=False)
    train = train_frame(latest, frame)
    print(f"{len(frame)} scored series-years, origins {args.start}-{args.end}, {args.paths} paths")
    for h in sorted(frame["h"].unique()):
        own = frame[frame["h"] == h]
        print(f"\nh = {h} ({'year in progress' if h == 0 else f'{h} year(s) after'}), {len(own)} rows")
        print(markdown(level_table(own, train)))
    print("\nboth horizons")
    print(markdown(level_table(frame, train)))
    print("\nhow the history adds up (sums with a year where the parent and a part are known)")
    print(sums_table(latest))
    print(f"\n{time.perf_counter() - clock:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

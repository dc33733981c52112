"""How ``auto`` spreads its annual paths: absolute, relative (log-scale members) always, or relative only for
moderate growth (the default). Prints MASE and 80% coverage on M3 yearly (h=6), on rolling windows of the
bundled annual series (h≤3), and 80% coverage of the next value of simulated 12-point series."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _m3 import m3  # noqa: E402

from forecast.cli.backtest import bundled_panel  # noqa: E402
from forecast.models.auto import MAX_LOG_RATIO, MAX_TYPICAL_GROWTH, Auto  # noqa: E402
from forecast.models.base import innovations  # noqa: E402
from forecast.targets.calibration import simulate  # noqa: E402

RULES = ("absolute", "relative", "moderate (default)")


def paths(y: np.ndarray, h: int, rule: str, seed: int = 0) -> np.ndarray:
    model = Auto().fit(y, 1)
    z = innovations(np.random.default_rng(seed), 1000, h, 1.0, model.dof_)
    point = np.median([fit.point(h) for fit in model.fits_], axis=0)
    relative = bool(np.all(y > 0)) and rule != "absolute"
    if relative and rule.startswith("moderate"):
        relative = np.median(np.abs(np.diff(np.log(y)))) < MAX_TYPICAL_GROWTH
    if relative:
        from forecast.models.auto import MEMBERS

        log_fits = [MEMBERS[m][1](np.log(y)) for m in model.members_ if len(y) >= MEMBERS[m][0]]
        log_paths = model._combine(log_fits, h, z)
        out = point * np.exp(np.clip(log_paths - np.median(log_paths, axis=0), -MAX_LOG_RATIO, MAX_LOG_RATIO))
    else:
        out = model._combine(model.fits_, h, z)
    return np.maximum(out + point - out.mean(axis=0), 0)


def score(cases, rule) -> tuple[float, float]:
    mase, cover = [], []
    for y, future in cases:
        p = paths(y, len(future), rule)
        mase.append(np.mean(np.abs(p.mean(axis=0) - future)) / np.mean(np.abs(np.diff(y))))
        lo, hi = np.quantile(p, [0.1, 0.9], axis=0)
        cover.append(np.mean((future >= lo) & (future <= hi)))
    return float(np.mean(mase)), float(np.mean(cover))


def main() -> None:
    train, test, _, _ = m3("yearly")
    m3_cases = [(g["y"].to_numpy(), test.loc[test["unique_id"] == uid, "y"].to_numpy())
                for uid, g in train.groupby("unique_id")]  # fmt: skip
    bundled = []
    for _, g in bundled_panel("annual").groupby("unique_id"):
        y = g.sort_values("ds")["y"].to_numpy()
        if len(y) >= 6 and not np.isnan(y).any():
            bundled += [(y[:cut], y[cut:cut + 3]) for cut in range(max(3, len(y) - 5), len(y) - 2)]
    print(f"M3 yearly {len(m3_cases)} series; bundled {len(bundled)} windows; simulated 300 per process")
    for rule in RULES:
        start = time.perf_counter()
        m3_mase, m3_cov = score(m3_cases, rule)
        b_mase, b_cov = score(bundled, rule)
        rng, sims = np.random.default_rng(0), {}
        for process in ("random walk with drift", "damped trend", "poisson counts"):
            hits = []
            for k in range(300):
                s = simulate(process, 12, rng)
                lo, hi = np.quantile(paths(s[:-1], 1, rule, seed=k)[:, 0], [0.1, 0.9])
                hits.append(lo <= s[-1] <= hi)
            sims[process] = np.mean(hits)
        print(f"{rule:>20}: M3 MASE {m3_mase:.3f} cov80 {m3_cov:.3f} | bundled MASE {b_mase:.3f} cov80 {b_cov:.3f} | "
              + ", ".join(f"{k} {v:.3f}" for k, v in sims.items()) + f" | {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

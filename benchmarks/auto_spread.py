"""How ``auto`` spreads its annual paths: absolute, relative (log-scale members) always, or relative only for
moderate growth (the default), with the log-scale spread weighted towards recent years (default) or not. Prints
MASE, 80% and 95% coverage on M3 yearly (h=6) and on rolling windows of the bundled annual series (h≤3), and 80%
coverage of the next value of simulated 12-point series (600 per process).

Run: ``python benchmarks/auto_spread.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import collection

from forecast.data.panels import series_panel
from forecast.models.auto import Auto
from forecast.targets.calibration import PROCESSES, simulate

VARIANTS = {
    "absolute": dict(spread="absolute"),
    "relative": dict(spread="relative"),
    "moderate, equal weights": dict(spread="moderate", recent_weight=1.0),
    "moderate (default)": dict(spread="moderate"),
}
SIMULATED = 600


def paths(y: np.ndarray, h: int, options: dict, seed: int = 0) -> np.ndarray:
    return np.maximum(Auto(**options).fit(y, 1).sample_paths(h, 1000, seed), 0)


def score(cases, options) -> tuple[float, float, float]:
    mase, cover80, cover95 = [], [], []
    for y, future in cases:
        p = paths(y, len(future), options)
        mase.append(np.mean(np.abs(p.mean(axis=0) - future)) / np.mean(np.abs(np.diff(y))))
        q = np.quantile(p, [0.025, 0.1, 0.9, 0.975], axis=0)
        cover80.append(np.mean((future >= q[1]) & (future <= q[2])))
        cover95.append(np.mean((future >= q[0]) & (future <= q[3])))
    return float(np.mean(mase)), float(np.mean(cover80)), float(np.mean(cover95))


def main() -> None:
    data = collection("m3-yearly")
    train, test = data.train, data.test
    m3_cases = [(g["y"].to_numpy(), test.loc[test["unique_id"] == uid, "y"].to_numpy())
                for uid, g in train.groupby("unique_id")]  # fmt: skip
    bundled = []
    for _, g in series_panel("annual").groupby("unique_id"):
        y = g.sort_values("ds")["y"].to_numpy()
        if len(y) >= 6 and not np.isnan(y).any():
            bundled += [(y[:cut], y[cut : cut + 3]) for cut in range(max(3, len(y) - 5), len(y) - 2)]
    print(f"M3 yearly {len(m3_cases)} series; bundled {len(bundled)} windows; simulated {SIMULATED} per process")
    for name, options in VARIANTS.items():
        start = time.perf_counter()
        m3_mase, m3_80, m3_95 = score(m3_cases, options)
        b_mase, b_80, _ = score(bundled, options)
        rng, sims = np.random.default_rng(0), {}
        for process in PROCESSES:
            hits = []
            for k in range(SIMULATED):
                s = simulate(process, 12, rng)
                lo, hi = np.quantile(paths(s[:-1], 1, options, seed=k)[:, 0], [0.1, 0.9])
                hits.append(lo <= s[-1] <= hi)
            sims[process] = np.mean(hits)
        print(
            f"{name:>24}: M3 MASE {m3_mase:.3f} cov80 {m3_80:.3f} cov95 {m3_95:.3f} | bundled MASE {b_mase:.3f} "
            f"cov80 {b_80:.3f} | "
            + ", ".join(f"{k} {v:.3f}" for k, v in sims.items())
            + f" | {time.perf_counter() - start:.0f} s"
        )


if __name__ == "__main__":
    main()

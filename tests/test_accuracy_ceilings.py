"""Accuracy ceilings, as Darts keeps them: ``auto``'s MASE on a fixed sample of every M3 and Tourism collection
may not rise more than :data:`MARGIN` above the figure it had when the ceiling was set (benchmarks/README.md).

The sample, the forecasts and the scoring are ``benchmarks/models_accuracy.py``'s (evenly spaced series, the
competition horizon, MASE scaled by the in-sample seasonal naive), so a regression here is one the benchmark
would show at full size. An improvement should lower the ceiling in the same change.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from _competitions import collection
from models_accuracy import ours, score

SAMPLE = 20  # evenly spaced series per collection
MARGIN = 0.02
CEILINGS = {  # auto's MASE on the sample when the ceiling was set (2026-12-02, issue 12)
    "m3-yearly": 2.6262,
    "m3-quarterly": 1.0381,
    "m3-monthly": 0.7841,
    "m3-other": 2.2629,
    "tourism-yearly": 2.4740,
    "tourism-quarterly": 1.4417,
    "tourism-monthly": 1.5251,
}


@pytest.mark.parametrize("name", CEILINGS)
def test_auto_mase_stays_under_its_ceiling(name):
    data = collection(name, SAMPLE)
    forecasts, times = ours(data.train, data.h, data.season_length, ["auto"], 1, data.freq)
    measured = score(data.train, data.test, forecasts, ["auto"], data.season_length, times).loc["auto", "MASE"]
    assert measured <= CEILINGS[name] * (1 + MARGIN), f"{name}: MASE {measured:.4f}, ceiling {CEILINGS[name]}"

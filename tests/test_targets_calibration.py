"""Calibration scores by hand, and honest 80% intervals on simulated series whose truth is known."""

import numpy as np
import pytest

from forecast.targets.calibration import brier, coverage_tolerance, log_score, reliability, simulated


def test_scores_by_hand():
    p, y = np.array([0.9, 0.2, 0.5]), np.array([1.0, 0.0, 1.0])
    assert brier(p, y) == pytest.approx((0.01 + 0.04 + 0.25) / 3)
    assert log_score(p, y) == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.5)) / 3)
    assert log_score(np.array([0.0]), np.array([1.0])) == pytest.approx(-np.log(0.01))  # clipped, not infinite
    table = reliability(np.array([0.1, 0.15, 0.9]), np.array([0.0, 1.0, 1.0]), bins=2)
    assert table["n"].tolist() == [2, 1] and table["frequency"].tolist() == [0.5, 1.0]


def test_tolerance_is_three_binomial_standard_errors():
    assert coverage_tolerance(400) == pytest.approx(3 * np.sqrt(0.16 / 400))


@pytest.mark.slow
def test_drift_intervals_cover_a_random_walk_with_drift():
    # Well specified: coverage of the 80% interval must sit within 3 binomial s.e. of 80%.
    n = 250
    cases = simulated("drift", n_series=n, length=12, n_paths=500, seed=11, processes=("random walk with drift",))
    assert abs(cases["covered"].mean() - 0.8) <= coverage_tolerance(n)
    # Probabilities carry information: better than always saying the base rate.
    base = np.full(n, cases["outcome"].mean())
    assert brier(cases["p"], cases["outcome"]) < brier(base, cases["outcome"])

"""SamplePaths turns paths into the numbers users read; checked against numpy formulas on known paths."""

import numpy as np
import pytest

from forecast.distribution import SamplePaths


@pytest.fixture
def paths():
    # 5 paths, 2 steps: step 0 is 1..5, step 1 is 10..50
    return SamplePaths(np.array([[1.0, 10], [2, 20], [3, 30], [4, 40], [5, 50]]))


def test_mean_median_and_quantiles(paths):
    assert paths.mean().tolist() == [3.0, 30.0]
    assert paths.median().tolist() == [3.0, 30.0]
    assert paths.quantile(0.25).tolist() == [2.0, 20.0]


def test_interval_is_central(paths):
    lo, hi = paths.interval(50)
    assert lo.tolist() == [2.0, 20.0] and hi.tolist() == [4.0, 40.0]


def test_prob_exceeds_strict_and_inclusive(paths):
    assert paths.prob_exceeds(3, step=0) == pytest.approx(2 / 5)
    assert paths.prob_exceeds(3, step=0, strict=False) == pytest.approx(3 / 5)
    # sums per path are 11, 22, 33, 44, 55
    assert paths.prob_exceeds(30) == pytest.approx(3 / 5)


def test_total_with_observed_offset(paths):
    assert paths.total(slice(1, 2), offset=100).tolist() == [110.0, 120, 130, 140, 150]


def test_clip_at_zero_floors_negative_values():
    clipped = SamplePaths(np.array([[-1.0, 2.0]])).clip_at_zero()
    assert clipped.paths.tolist() == [[0.0, 2.0]]

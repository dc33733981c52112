"""Conditioning monthly paths on facts about sums of them, against the exact Gaussian answers."""

import numpy as np
import pytest
from scipy import stats

from forecast.outlook.conditioning import Band, condition, condition_years, merge

N = 20_000


def gaussian_prior(seed=0):
    """Three months, correlated, Gaussian: the case where the ensemble update must be the Kalman one."""
    rng = np.random.default_rng(seed)
    mean = np.array([100.0, 120.0, 90.0])
    cov = np.array([[100.0, 60.0, 30.0], [60.0, 144.0, 50.0], [30.0, 50.0, 81.0]])
    return rng.multivariate_normal(mean, cov, N), mean, cov, rng


def test_an_exact_sum_gives_the_kalman_posterior():
    x, mean, cov, rng = gaussian_prior()
    a = np.array([1.0, 1.0, 0.0])  # "January-February: 240"
    out = condition(x, [Band(a, 239.5, 240.5, ("F1",), "Jan-Feb 240")], rng).paths
    gain = cov @ a / (a @ cov @ a)
    post_mean = mean + gain * (240 - a @ mean)
    post_cov = cov - np.outer(gain, a @ cov)
    np.testing.assert_allclose(out.mean(axis=0), post_mean, atol=0.6)
    np.testing.assert_allclose(np.cov(out.T), post_cov, atol=6.0)  # MC error on variances near 100: about 1-2
    assert np.all(np.abs(out @ a - 240) <= 0.5 + 1e-9)  # every path meets the fact


def test_a_lower_bound_gives_the_truncated_normal():
    x, mean, cov, rng = gaussian_prior(1)
    a = np.array([0.0, 0.0, 1.0])  # "March: more than 100" on a prior N(90, 9²), in levels
    out = condition(
        x,
        [
            Band(a, -np.inf, 80.0, ("U",), "at most 80"),
        ],
        rng,
    ).paths  # upper bound: level scale
    truncated = stats.truncnorm(-np.inf, (80 - 90) / 9, loc=90, scale=9)
    np.testing.assert_allclose(np.quantile(out[:, 2], [0.1, 0.5, 0.9]), truncated.ppf([0.1, 0.5, 0.9]), atol=0.4)
    # the other months follow March through their covariance with it
    expected_first = mean[0] + cov[0, 2] / cov[2, 2] * (truncated.mean() - 90)
    assert out[:, 0].mean() == pytest.approx(expected_first, abs=0.6)


def test_a_bound_the_other_facts_leave_no_room_for_is_set_aside_and_named():
    x, _, _, rng = gaussian_prior(2)
    bands = [
        Band(np.array([1.0, 0, 0]), 99.5, 100.5, ("A",), "January 100"),
        Band(np.array([1.0, 1, 1]), 5000.0, np.inf, ("M",), "milestone: more than 5,000", since_launch=True),
    ]
    result = condition(x, bands, rng)
    assert result.set_aside == ("milestone: more than 5,000",)
    assert np.all(np.abs(result.paths[:, 0] - 100) <= 0.5 + 1e-9)


def test_months_sum_to_years_and_later_years_keep_each_paths_growth():
    rng = np.random.default_rng(3)
    annual = np.column_stack([np.full(500, 1200.0), np.full(500, 1320.0)]) * np.exp(0.1 * rng.standard_normal((500, 1)))
    shares = np.full((500, 24), 1 / 12)
    a = np.r_[np.ones(3), np.zeros(21)]  # Q1 of the first year: 240, a fifth below its share of the prior
    out = condition_years(annual, shares, [Band(a, 239.5, 240.5, ("Q1",), "Q1 240")], rng).paths
    years = out.reshape(500, 2, 12).sum(axis=2)
    np.testing.assert_allclose(out[:, :3].sum(axis=1), 240, atol=0.5)
    # The second year is moved with the first, path by path: prior growth (10%) kept from the new level.
    np.testing.assert_allclose(years[:, 1] / years[:, 0], 1.1, rtol=1e-9)
    assert np.all(out >= 0)


def test_a_level_and_its_growth_rate_on_the_same_period_merge_into_their_overlap():
    a = np.array([1.0, 1.0])
    merged = merge([Band(a, 95.0, 105.0, ("L",), "level"), Band(a, 100.0, 110.0, ("G",), "growth")])
    assert len(merged) == 1 and (merged[0].lo, merged[0].hi) == (100.0, 105.0) and merged[0].ids == ("L", "G")
    apart = merge([Band(a, 95.0, 96.0, ("L",), "level"), Band(a, 100.0, 110.0, ("G",), "growth")])
    assert (apart[0].lo, apart[0].hi) == (95.0, 96.0)  # disagreeing: the narrower one


def test_a_multiplicative_prior_is_conditioned_on_the_log_scale():
    # A young hub's year may be a third or three times the guess: in levels, a linear update would leave
    # paths far from the fact; on the log scale the year's total lands where Q1 and the share say.
    rng = np.random.default_rng(4)
    annual = 400 * np.exp(1.0 * rng.standard_normal((4000, 1)))
    shares = np.full((4000, 12), 1 / 12) * np.exp(0.05 * rng.standard_normal((4000, 12)))
    shares /= shares.sum(axis=1, keepdims=True)
    a = np.r_[np.ones(3), np.zeros(9)]
    out = condition_years(annual, shares, [Band(a, 49.5, 50.5, ("Q1",), "Q1 50")], rng).paths
    total = out.sum(axis=1)
    assert np.median(total) == pytest.approx(200, rel=0.05)
    assert np.quantile(total, 0.9) / np.quantile(total, 0.1) < 1.5

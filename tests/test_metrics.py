"""Backtest metrics against values computed by hand on a two-point frame (and a Gaussian CRPS closed form)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.backtest import metrics
from forecast.backtest.metrics import crps_paths

T = pd.Timestamp


def _frame():
    """Series a: trained to 2012 on 10, 12, 11; forecasts 12, 16 for actuals 13, 15 (+ a row with no actual)."""
    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "a"],
            "ds": [T("2013"), T("2014"), T("2015")],
            "cutoff": [T("2012")] * 3,
            "step": [1, 2, 3],
            "y": [13.0, 15.0, np.nan],
            "m": [12.0, 16.0, 99.0],
            "m-lo-80": [11.0, 14.0, 0.0],
            "m-hi-80": [14.0, 14.5, 1.0],
            "m-crps": [0.5, 1.0, np.nan],
            "naive": [11.0, 11.0, 11.0],
            "naive-lo-80": [10.0, 10.0, 10.0],
            "naive-hi-80": [12.0, 12.0, 12.0],
            "naive-crps": [1.0, 3.0, np.nan],
        }
    )
    train = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2010", periods=5, freq="YS"), "y": [10.0, 12.0, 11.0, 13.0, 15.0]}
    )
    return frame, train


def _value(fn, **kw):
    frame, train = _frame()
    out = fn(frame, ["m"], train=train, **kw)
    assert list(out.columns) == ["unique_id", "m"] and out["unique_id"].tolist() == ["a"]
    return out["m"].item()


# errors (forecast - actual) are -1 and +1; the in-sample naive MAE up to 2012 is (|12-10| + |11-12|) / 2 = 1.5,
# its MSE (4 + 1) / 2 = 2.5.
@pytest.mark.parametrize(
    "fn, expected",
    [
        (metrics.mae, 1.0),
        (metrics.rmse, 1.0),
        (metrics.mape, 100 * (1 / 13 + 1 / 15) / 2),
        (metrics.smape, (200 * 1 / 25 + 200 * 1 / 31) / 2),
        (metrics.mase, 1 / 1.5),
        (metrics.rmsse, math.sqrt(1 / 2.5)),
        (metrics.bias, 0.0),
        (metrics.coverage, 0.5),  # 13 in [11, 14]; 15 above 14.5
        # interval score: 3 (width) and 0.5 + 2/0.2 × 0.5 = 5.5, mean 4.25, over 1.5
        (metrics.msis, 4.25 / 1.5),
        # q=.1 at lo: 0.1×2, 0.1×1; q=.9 at hi: 0.1×1 (over by 1), 0.9×0.5
        (metrics.pinball, (0.2 + 0.1 + 0.1 + 0.45) / 4),
        (metrics.crps, 0.75),
        (metrics.scaled_crps, 0.75 / 1.5),
    ],
)
def test_metric_by_hand(fn, expected):
    assert _value(fn) == pytest.approx(expected)


def test_skill_relative_to_naive():
    # naive errors are -2 and -4: MASE 3 / 1.5 = 2, the model's 2/3, so skill = 1 - (2/3) / 2
    assert _value(metrics.skill) == pytest.approx(1 - (1 / 1.5) / 2)
    frame, train = _frame()
    by_mae = metrics.skill(frame, ["m"], train, metric=metrics.mae)
    assert by_mae["m"].item() == pytest.approx(1 - 1 / 3)


def test_seasonal_scale_uses_only_history_up_to_the_cutoff():
    # season 2: |2-1| and |5-3| before the cutoff (2013) → scale 1.5; the later jump to 80 must not count
    train = pd.DataFrame(
        {"unique_id": "b", "ds": pd.date_range("2010", periods=6, freq="YS"), "y": [1.0, 3.0, 2.0, 5.0, 4.0, 80.0]}
    )
    frame = pd.DataFrame(
        {"unique_id": ["b"], "ds": [T("2014")], "cutoff": [T("2013")], "step": [1], "y": [4.0], "m": [7.0]}
    )
    assert metrics.mase(frame, ["m"], train, season_length=2)["m"].item() == pytest.approx(3 / 1.5)


def test_one_row_per_series_in_sorted_order():
    frame, train = _frame()
    other = frame.assign(unique_id="0", m=frame["y"])
    both = pd.concat([frame, other], ignore_index=True)
    out = metrics.mae(both, ["m", "naive"], pd.concat([train, train.assign(unique_id="0")]))
    assert out["unique_id"].tolist() == ["0", "a"]
    assert out["m"].tolist() == [0.0, 1.0] and out["naive"].tolist() == [3.0, 3.0]


def test_crps_energy_form_by_hand():
    # paths 1, 2, 3 against y = 2: E|X-y| = 2/3, E|X-X'| = (0+1+2+1+0+1+2+1+0)/9 = 8/9 → 2/3 - 4/9 = 2/9
    paths = np.array([[1.0], [2.0], [3.0]])
    assert crps_paths(paths, np.array([2.0]))[0] == pytest.approx(2 / 9)
    assert np.isnan(crps_paths(paths, np.array([np.nan]))[0])


def test_crps_matches_gaussian_closed_form():
    n, sigma, y = 20_000, 2.0, 1.0
    samples = stats.norm.ppf((np.arange(n) + 0.5) / n, scale=sigma)[:, None]
    z = y / sigma
    exact = sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert crps_paths(samples, np.array([y]))[0] == pytest.approx(exact, rel=1e-3)


def test_scaled_metrics_need_the_training_history():
    frame, _ = _frame()
    with pytest.raises(ValueError, match="training history"):
        metrics.mase(frame, ["m"])

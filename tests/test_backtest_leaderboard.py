"""Leaderboard tables agree with the per-series scores they summarise."""

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import backtest
from forecast.backtest.leaderboard import as_text, leaderboard
from forecast.errors import InputError


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(5)
    rows = []
    for i in range(4):
        y = 30 + np.cumsum(rng.normal(1.5, 2, 11))
        rows += [(f"r{i}", ds, v) for ds, v in zip(pd.date_range("2010", periods=11, freq="YS"), y)]
    df = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
    return backtest(df, ["naive", "drift", "mean"], h=3, n_windows=3, n_paths=300, progress=False)


def test_overall_is_the_mean_of_per_series_scores_ranked(result):
    board = leaderboard(result)
    by_model = result.scores.groupby("model")["mase"].mean()
    overall = board.overall.set_index("model")
    assert overall["mase"].to_dict() == pytest.approx(by_model.to_dict())
    assert overall["skill"].to_dict() == pytest.approx((1 - by_model / by_model["naive"]).to_dict())
    assert board.overall["mase"].is_monotonic_increasing and board.overall["rank"].tolist() == [1, 2, 3]
    assert (overall["series"] == 4).all() and (overall["fell_back"] == 0).all()


def test_per_series_ranks_and_per_step_rows(result):
    board = leaderboard(result, metric="rmsse")
    best = board.per_series[board.per_series["rank"] == 1]
    expected = result.scores.loc[result.scores.groupby("unique_id")["rmsse"].idxmin(), ["unique_id", "model"]]
    assert best[["unique_id", "model"]].values.tolist() == expected.values.tolist()
    assert sorted(board.per_horizon["step"].unique()) == [1, 2, 3] and len(board.per_horizon) == 9
    # naive's MASE grows with the horizon on trending series
    naive = board.per_horizon[board.per_horizon["model"] == "naive"].set_index("step")["mase"]
    assert naive[1] < naive[3]
    assert "mase h=3" in as_text(board)


def test_rank_metric_must_be_lower_is_better(result):
    with pytest.raises(InputError, match="rank metric"):
        leaderboard(result, metric="coverage")

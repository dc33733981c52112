"""Backtest engine: identical results on every engine (a real Dask LocalCluster included), fallbacks listed, short
series skipped, sample paths kept only on request."""

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import backtest
from forecast.backtest.leaderboard import leaderboard
from forecast.backtest.selection import as_mapping, load_selection, save_selection, select_models
from forecast.errors import InputError


def _panel(n_series=6, n=12, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        y = 50 + np.cumsum(rng.normal(2, 3, n))
        rows += [(f"s{i}", ds, v) for ds, v in zip(pd.date_range("2008", periods=n, freq="YS"), y)]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


@pytest.mark.slow
@pytest.mark.dask
def test_engines_give_identical_results():
    df = _panel()
    kw = dict(models=["naive", "drift", "mean"], h=2, n_windows=3, n_paths=200, seed=7, progress=False)
    serial = backtest(df, **kw)
    processes = backtest(df, engine="processes", jobs=2, **kw)
    dask = backtest(df, engine="dask", n_workers=2, **kw)
    for other in (processes, dask):
        pd.testing.assert_frame_equal(serial.forecasts, other.forecasts)
        pd.testing.assert_frame_equal(serial.fallbacks, other.fallbacks)
        pd.testing.assert_frame_equal(serial.scores, other.scores)
    assert len(serial.forecasts) == 6 * 3 * 2


def test_results_do_not_depend_on_series_order():
    df = _panel()
    kw = dict(models=["drift"], h=2, n_windows=2, n_paths=100, progress=False)
    pd.testing.assert_frame_equal(backtest(df, **kw).forecasts, backtest(df.iloc[::-1], **kw).forecasts)


def test_fallbacks_are_listed_on_the_leaderboard():
    df = _panel(n_series=2)
    short = pd.DataFrame(
        {"unique_id": "short", "ds": pd.date_range("2018", periods=4, freq="YS"), "y": [5, 6, 8.0, 9.0]}
    )
    result = backtest(
        pd.concat([df, short]), ["naive", "drift"], h=1, n_windows=2, min_train=2, n_paths=100, progress=False
    )
    board = leaderboard(result)
    failure = board.failures.set_index(["unique_id", "model"]).loc[("short", "drift")]
    assert failure["used"] == "naive" and failure["windows"] == 1 and failure["of"] == 2
    assert "needs at least 3 points" in failure["reason"]
    note = board.per_series.set_index(["unique_id", "model"]).loc[("short", "drift"), "fallback"]
    assert note.startswith("fell back to naive in 1/2 windows")
    assert board.overall.set_index("model").loc["drift", "fell_back"] == 1
    # drift was replaced on "short", so selection does not credit it there
    assert select_models(result).set_index("unique_id").loc["short", "model"] == "naive"


def test_series_too_short_for_any_window_are_skipped():
    df = pd.concat(
        [
            _panel(n_series=1),
            pd.DataFrame({"unique_id": "tiny", "ds": pd.to_datetime(["2019", "2020"]), "y": [1.0, 2.0]}),
        ]
    )
    result = backtest(df, ["naive"], h=2, n_windows=2, n_paths=20, progress=False)
    assert result.skipped["unique_id"].tolist() == ["tiny"]
    assert "tiny" not in set(result.forecasts["unique_id"])


def test_paths_are_kept_only_when_asked():
    df = _panel(n_series=1)
    assert backtest(df, ["naive"], h=2, n_windows=2, n_paths=30, progress=False).paths == {}
    kept = backtest(df, ["naive"], h=2, n_windows=2, n_paths=30, keep_paths=True, progress=False).paths
    assert len(kept) == 2 and all(p.paths.shape == (30, 2) for p in kept.values())


def test_selection_ties_go_to_the_simpler_model_and_round_trip(tmp_path):
    # a straight line: naive and seasonal naive (season 1) both forecast the last value exactly, a tie
    df = pd.DataFrame(
        {"unique_id": "line", "ds": pd.date_range("2010", periods=8, freq="YS"), "y": np.arange(8) * 3.0 + 10}
    )
    result = backtest(df, ["snaive", "mean", "naive"], h=1, n_windows=2, n_paths=10, progress=False)
    table = select_models(result)
    assert as_mapping(table) == {"line": "naive"}
    save_selection(table, tmp_path / "sel.csv")
    assert as_mapping(load_selection(tmp_path / "sel.csv")) == {"line": "naive"}
    (tmp_path / "bad.csv").write_text("unique_id,model\nline,nope\n")
    with pytest.raises(InputError, match="bad.csv:2: model"):
        load_selection(tmp_path / "bad.csv")


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"models": ["nope"]}, "unknown model"),
        ({"engine": "spark"}, "engine must be"),
        ({"h": 0}, "horizon must be at least 1"),
        ({"level": (120,)}, "level must be"),
    ],
)
def test_bad_arguments_are_input_errors(kw, message):
    with pytest.raises(InputError, match=message):
        backtest(_panel(n_series=1), **{"models": ["naive"], "h": 1, **kw})

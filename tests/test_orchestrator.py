"""The predict orchestrator: grouping, seeds independent of order, gap filling, fallbacks, non-negative counts."""

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.fitting import forecast_array, prepare
from forecast.predict import predict


def _frame(series: dict[str, list[float]], start="2010") -> pd.DataFrame:
    rows = []
    for uid, values in series.items():
        for ds, y in zip(pd.date_range(start, periods=len(values), freq="YS"), values):
            rows.append({"unique_id": uid, "ds": ds, "y": y})
    return pd.DataFrame(rows)


def test_prepare_trims_and_interpolates():
    y, gaps = prepare(np.array([np.nan, 1.0, np.nan, 3.0, np.nan]))
    assert y.tolist() == [1.0, 2.0, 3.0] and gaps == 1


def test_results_do_not_depend_on_series_order():
    df = _frame({"a": [1, 2, 4, 7, 11], "b": [5, 5, 6, 6, 7]})
    one = predict(df, 2, models=["drift"]).table()
    two = predict(df.iloc[::-1], 2, models=["drift"]).table()
    pd.testing.assert_frame_equal(one, two)


def test_jobs_give_identical_results():
    df = _frame({f"s{i}": list(np.arange(6) * (i + 1) + 3.0) for i in range(4)})
    serial = predict(df, 3, models=["naive", "drift"], jobs=1).table()
    parallel = predict(df, 3, models=["naive", "drift"], jobs=2).table()
    pd.testing.assert_frame_equal(serial, parallel)


def test_too_short_series_falls_back_and_says_why():
    df = _frame({"short": [7.0, 9.0]})
    df = pd.concat([df, _frame({"long": [1, 2, 3, 4]})])
    pred = predict(df, 2, models=["drift"])
    fallbacks = pred.fallbacks()
    assert fallbacks.loc[fallbacks.unique_id == "short", "used"].item() == "naive"
    assert "needs at least 3 points" in fallbacks.loc[fallbacks.unique_id == "short", "reason"].item()
    table = pred.table()
    assert np.isfinite(table["drift"]).all()
    short = table[table.unique_id == "short"]
    assert (short["drift-hi-80"] > short["drift-lo-80"]).all()  # naive on 2 points still has an interval


def test_a_single_observation_is_an_input_error_naming_the_row():
    df = pd.concat([_frame({"long": [1, 2, 3, 4]}), _frame({"one": [7.0, np.nan]})], ignore_index=True)
    with pytest.raises(InputError, match=r"row 6: y: series 'one' has 1 observed value"):
        predict(df, 2, models=["drift"])


def test_gap_is_filled_and_recorded():
    df = _frame({"gappy": [1, 2.2, 3, 3.9, 5.1, 6]}).drop(index=2)
    pred = predict(df, 1, models=["drift"])
    assert "filled 1 missing" in pred.fallbacks()["reason"].item()
    # the gap is filled at 3.05 (halfway), and drift goes on by the mean step, (6 - 1) / 5
    assert pred.table()["drift"].item() == pytest.approx(7.0, abs=0.3)


def test_a_model_whose_interval_has_no_width_falls_back_and_says_so():
    # drift on a noiseless line has no residuals: its interval would say the future is certain
    pred = predict(_frame({"line": [1.0, 2, 3, 4, 5, 6]}), 2, models=["drift"])
    row = pred.fallbacks().iloc[0]
    assert row["used"] == "naive" and "no width" in row["reason"]
    lo, hi = pred.table()["drift-lo-80"], pred.table()["drift-hi-80"]
    assert (hi - lo > 0).all()


def test_count_forecasts_are_never_negative():
    paths, used, _ = forecast_array(np.array([50.0, 30, 10, 2]), 6, "drift", n_paths=500, seed=1)
    assert used == "drift" and paths.paths.min() >= 0


def test_interval_columns_named_by_level():
    table = predict(_frame({"a": [1, 2, 3, 5]}), 2, models=["naive"], level=[80, 95]).table()
    assert list(table.columns) == [
        "unique_id",
        "ds",
        "naive",
        "naive-lo-80",
        "naive-hi-80",
        "naive-lo-95",
        "naive-hi-95",
    ]
    assert (table["naive-lo-95"] <= table["naive-lo-80"]).all() and (table["naive-hi-80"] <= table["naive-hi-95"]).all()


@pytest.mark.parametrize("bad", [{"h": 0}, {"models": ["no-such-model"]}, {"level": [120]}])
def test_bad_arguments_are_input_errors(bad):
    args = {"h": 2, "models": ["naive"], "level": [80]} | bad
    with pytest.raises(InputError):
        predict(_frame({"a": [1, 2, 3]}), **args)


def test_unparseable_date_names_the_row():
    df = _frame({"a": [1, 2, 3]}).astype({"ds": str})
    df.loc[1, "ds"] = "not-a-date"
    with pytest.raises(InputError, match="row 3: ds"):
        predict(df, 1, models=["naive"])


@pytest.mark.slow
def test_models_are_addressed_with_parameters_as_text_pairs_or_instances():
    from forecast.models.sklearn_lags import Lags

    df = _frame({"a": list(100 + 7.0 * np.arange(14) + np.sin(np.arange(14)) * 5)})
    text = "lags(regressor=gbr, n_lags=4)"
    result = predict(
        df,
        3,
        models=[text, ("lags", {"n_lags": 4, "regressor": "gbr"}), Lags(n_lags=4, regressor="gbr"), "lags"],
        n_paths=300,
    )
    assert result.models == (text, "lags(n_lags=4, regressor=gbr)", "lags(n_lags=4, regressor=gbr)", "lags")
    first = result.forecasts[0]
    assert first.used == "lags(n_lags=4, regressor=gbr)" and first.reason is None
    np.testing.assert_array_equal(first.paths.paths, result.forecasts[1].paths.paths)
    np.testing.assert_array_equal(first.paths.paths, result.paths("a", Lags(n_lags=4, regressor="gbr")).paths)
    assert not np.array_equal(first.paths.paths, result.paths("a", "lags").paths)  # ridge on 3 lags differs


def test_a_parameter_that_raises_the_minimum_length_sends_short_series_to_the_fallback():
    from forecast.backtest import backtest

    df = _frame({"a": list(10.0 + 3 * np.arange(12) + 2 * np.sin(np.arange(12)))})
    result = backtest(df, [("lags", {"n_lags": 6})], h=1, n_windows=2, n_paths=50, progress=False)
    assert result.models == ("lags(n_lags=6)",)
    # cutoffs at 10 and 11 points, below n_lags + 5 = 11 and at it
    assert result.fallbacks["reason"].tolist() == ["lags(n_lags=6): needs at least 11 points, got 10"]
    assert result.fallbacks["used"].tolist() == ["drift"] and len(result.forecasts) == 2

"""Events and user regressors: the events file and its checks, the columns they become (known answers by hand),
the models that use them (arima against statsmodels called directly), the ones that say they ignored them, and
the errors and saved models around them."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.arima.model import ARIMA

from forecast.backtest import backtest
from forecast.errors import InputError
from forecast.fitting import fit_with_fallback
from forecast.frequency import FREQUENCIES
from forecast.models.registry import get_model, model_table
from forecast.predict import predict
from forecast.regressors import EVENT_COLUMNS, Event, Regressors, read_events, read_exog
from forecast.saved_models import load_models, save_models
from tests.cli_runs import assert_clean_failure, forecast

ANNUAL, MONTHLY, DAILY = FREQUENCIES["annual"], FREQUENCIES["monthly"], FREQUENCIES["daily"]
STEP_2016 = pd.DataFrame(
    {"name": ["jump"], "start": ["2016-01-01"], "end": [""], "kind": ["step"], "scope": ["all"], "source": ["test"]}
)


def event(kind, start, end=None, scope=("all",)):
    return Event("e", pd.Timestamp(start), None if end is None else pd.Timestamp(end), kind, scope, "test")


@pytest.fixture
def broken():
    """An annual series growing by about 2 a year that jumps by about 20 in 2016."""
    rng = np.random.default_rng(1)
    y = np.r_[100 + np.cumsum(rng.normal(2, 3, 20)), 160 + np.cumsum(rng.normal(2, 3, 10))]
    return pd.DataFrame({"unique_id": "a", "ds": pd.date_range("1996-01-01", periods=30, freq="YS"), "y": y})


# --- the events file ---------------------------------------------------------------------------------------------


def test_the_bundled_events_are_sourced_steps():
    events = read_events("bundled")
    assert [e.name for e in events] == [
        "covid_freight_shift",
        "russia_sanctions",
        "red_sea_diversion",
        "russia_transit_ban",
    ]
    assert all(e.source.startswith("http") and e.description and e.kind == "step" for e in events)
    assert events[1].start == pd.Timestamp("2022-02-24")


GOOD = "e1,2020-03-01,,step,all,https://example.org/a"


@pytest.mark.parametrize(
    "row, field, fragment",
    [
        ("e2,2020-03-01,,jump,all,src", "kind", "'jump' is not one of step, pulse, ramp"),
        ("e2,2020-03-01,2020-06-30,step,all,src", "end", "a step has no end"),
        ("e2,2020-03-01,,pulse,all,src", "end", "a pulse needs an end date"),
        ("e2,2020-03-01,2020-01-31,ramp,all,src", "end", "before the start"),
        ("e2,March 2020,,step,all,src", "start", "not a date (YYYY-MM-DD)"),
        ("e2,1850-01-01,,step,all,src", "start", "outside the supported dates"),
        ("e2,2020-03-01,,step, ; ,src", "scope", "empty"),
        ("e2,2020-03-01,,step,all,", "source", "empty"),
        ("2nd,2020-03-01,,step,all,src", "name", "is not a name"),
        ("e1,2021-03-01,,step,all,src", "name", "already defined on line 2"),
    ],
)
def test_a_bad_event_row_names_file_line_and_field(tmp_path, row, field, fragment):
    path = tmp_path / "events.csv"
    path.write_text(",".join(EVENT_COLUMNS) + f"\n{GOOD}\n\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_events(path)
    assert str(err.value).startswith(f"{path}:4: {field}: ") and fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_events_from_a_frame_take_timestamps_and_blank_ends():
    frame = pd.DataFrame(
        {
            "name": ["surge", "dip"],
            "start": pd.to_datetime(["2020-03-01", "2022-02-01"]),
            "end": [None, pd.Timestamp("2022-05-31")],
            "kind": ["step", "pulse"],
            "scope": ["all", "national"],
            "source": ["a", "b"],
        }
    )
    surge, dip = read_events(frame)
    assert surge.end is None and dip.end == pd.Timestamp("2022-05-31") and dip.scope == ("national",)
    with pytest.raises(InputError, match=r"^row 3: end: a pulse needs an end date$"):
        read_events(frame.assign(end=None))


def test_an_events_file_without_a_column_says_which(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("name,start,kind,scope,source\ne1,2020-03-01,step,all,src\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"events.csv:1: header: no column\(s\) end"):
        read_events(path)


# --- the columns events become -------------------------------------------------------------------------------------


def test_step_pulse_and_ramp_on_monthly_periods_by_hand():
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    assert event("step", "2024-03-01").values(months, MONTHLY).tolist() == [0, 0, 1, 1, 1, 1]
    assert event("pulse", "2024-02-01", "2024-03-31").values(months, MONTHLY).tolist() == [0, 1, 1, 0, 0, 0]
    # month-end dates stand for the same months
    ends = pd.date_range("2024-01-31", periods=6, freq="ME")
    assert event("pulse", "2024-02-01", "2024-03-31").values(ends, MONTHLY).tolist() == [0, 1, 1, 0, 0, 0]


def test_a_daily_ramp_rises_by_one_over_its_length_each_day():
    days = pd.date_range("2024-01-01", periods=7, freq="D")
    ramp = event("ramp", "2024-01-02", "2024-01-05").values(days, DAILY)
    np.testing.assert_allclose(ramp, [0, 0.25, 0.5, 0.75, 1, 1, 1])


def test_a_period_gets_the_share_of_its_days_an_event_covers():
    years = pd.date_range("2021-01-01", periods=3, freq="YS")
    # a step on 24 February 2022: 311 of 2022's 365 days
    np.testing.assert_allclose(event("step", "2022-02-24").values(years, ANNUAL), [0, 311 / 365, 1])
    # a ramp over 2024-07-01..2025-06-30 (365 days): 2024 holds its first 184 days (of 366), 2025 the other 181
    # and 184 days at 1
    ramp = event("ramp", "2024-07-01", "2025-06-30").values(pd.date_range("2023-01-01", periods=4, freq="YS"), ANNUAL)
    first = 184 * 185 / 2 / 365 / 366
    second = ((365 * 366 / 2 - 184 * 185 / 2) / 365 + 184) / 365
    np.testing.assert_allclose(ramp, [0, first, second, 1])


def test_scope_takes_entities_and_their_series():
    sanctions = event("step", "2022-02-24", scope=("national", "xian"))
    assert sanctions.covers("national/trains/reported") and sanctions.covers("xian")
    assert not sanctions.covers("nationalist") and not sanctions.covers("chengdu/trains/reported")
    dates = pd.date_range("2020-01-01", periods=3, freq="YS")
    assert Regressors.of("chengdu/trains/reported", dates, ANNUAL, (sanctions,)) is None


def test_regressor_rows_run_on_past_the_history():
    dates = pd.date_range("2020-01-01", periods=3, freq="YS")
    regressors = Regressors.of("a", dates, ANNUAL, (event("step", "2024-01-01"),))
    assert regressors.matrix(0, 6)[:, 0].tolist() == [0, 0, 0, 0, 1, 1]
    assert regressors.matrix(4, 6)[:, 0].tolist() == [1, 1]


# --- models that take them, and those that do not ------------------------------------------------------------------


def test_arima_with_regressors_is_statsmodels_arima_with_exog(broken):
    y = broken["y"].to_numpy()
    X = event("step", "2016-01-01").values(pd.DatetimeIndex(broken["ds"]), ANNUAL)[:, None]
    model = get_model("arima").fit(y, 1, X)
    future = np.ones((4, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ARIMA(y, exog=X, order=model.order_, trend=model.trend_).fit()
    np.testing.assert_allclose(model.result_.params, reference.params)
    assert reference.model.param_names[:2] == ["x1", "x2"]  # the drift, then the step
    assert 10 < reference.params[1] < 30  # the series jumps by about 20 in 2016
    ours = model.sample_paths(4, 50, seed=3, X=future)
    theirs = reference.simulate(4, anchor="end", repetitions=50, exog=future, rng=np.random.default_rng(3))
    np.testing.assert_allclose(ours, np.asarray(theirs).reshape(4, 50).T)


def test_events_change_forecasts_only_in_the_models_that_use_them(broken):
    kwargs = dict(n_paths=200, seed=4)
    without = predict(broken, 3, ["ets", "arima", "lags"], **kwargs)
    with_events = predict(broken, 3, ["ets", "arima", "lags"], events=STEP_2016, **kwargs)
    assert np.array_equal(without.paths("a", "ets").paths, with_events.paths("a", "ets").paths)
    assert not np.allclose(without.paths("a", "arima").paths, with_events.paths("a", "arima").paths)
    assert not np.allclose(without.paths("a", "lags").paths, with_events.paths("a", "lags").paths)
    notes = with_events.fallbacks().set_index("model")["reason"]
    assert notes.to_dict() == {"ets": "ets ignored events/regressors: it takes none"}


@pytest.mark.parametrize("model", ["auto", "ensemble", "theta", "naive"])
def test_a_model_without_the_capability_says_it_ignored_them(broken, model):
    assert not model_table().set_index("model").loc[model, "exogenous"]
    result = predict(broken, 2, [model], n_paths=100, events=STEP_2016)
    assert f"{model} ignored events/regressors: it takes none" in result.fallbacks()["reason"].iloc[0]


def test_the_model_table_lists_who_takes_regressors():
    table = model_table().set_index("model")["exogenous"]
    assert table[["arima", "lags", "prophet", "prophet_logistic"]].all() and not table[["ets", "auto"]].any()


def test_an_event_after_the_history_is_left_out_and_said_so(broken):
    late = STEP_2016.assign(name="later", start="2027-01-01")
    result = predict(broken, 4, ["arima", "ets"], events=late, n_paths=100)
    plain = predict(broken, 4, ["arima"], n_paths=100)
    assert np.array_equal(result.paths("a", "arima").paths, plain.paths("a", "arima").paths)
    notes = result.fallbacks().set_index("model")["reason"]
    assert notes["arima"] == "arima left out later: constant over the history, no effect to estimate"
    assert notes["ets"] == "ets ignored events/regressors: it takes none"
    # an event that touches neither the history nor the forecast steps is nothing to ignore
    assert predict(broken, 1, ["ets"], events=late, n_paths=100).fallbacks().empty


def test_lags_follow_a_user_regressor_into_the_future():
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.normal(0, 1, 43))
    y = 200 + 10 * x[:40] + rng.normal(0, 0.5, 40)
    dates = pd.date_range("1980-01-01", periods=43, freq="YS")
    history = pd.DataFrame({"unique_id": "s", "ds": dates[:40], "y": y})
    flat = x[39]
    means = {}
    for jump in (0.0, 5.0):
        exog = pd.DataFrame({"unique_id": "s", "ds": dates, "x": np.r_[x[:40], [flat + jump] * 3]})
        means[jump] = predict(history, 3, ["lags"], exog=exog, n_paths=300).table()["lags"].to_numpy()
    np.testing.assert_allclose(means[5.0] - means[0.0], 50, rtol=0.15)


def test_prophet_takes_a_step_event(broken):
    without = predict(broken, 2, ["prophet"], n_paths=100).table()["prophet"]
    with_events = predict(broken, 2, ["prophet"], events=STEP_2016, n_paths=100)
    assert with_events.fallbacks().empty and not np.allclose(without, with_events.table()["prophet"])


# --- user regressors: errors, backtests, saved models -------------------------------------------------------------


def test_a_missing_future_regressor_value_is_one_line_naming_file_series_and_date(broken, tmp_path):
    path = tmp_path / "exog.csv"
    pd.DataFrame({"unique_id": "a", "ds": pd.date_range("1996-01-01", periods=32, freq="YS"), "x": 1.0}).assign(
        x=lambda f: np.arange(len(f), dtype=float)
    ).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        predict(broken, 3, ["arima"], exog=path)
    assert str(err.value) == (
        f"{path}: series 'a' has no value of 'x' for forecast step 2028-01-01; regressors need a value at every "
        "date of the history and of the horizon"
    )
    with pytest.raises(InputError, match=r"exog.csv: no rows for series 'b'"):
        predict(pd.concat([broken, broken.assign(unique_id="b")]), 2, ["arima"], exog=path)


def test_a_bad_regressor_value_names_file_line_and_column(tmp_path):
    path = tmp_path / "exog.csv"
    path.write_text("unique_id,ds,x\na,2020-01-01,1\na,2021-01-01,lots\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"exog.csv:3: x: not a number: 'lots'"):
        read_exog(path)


def test_a_regressor_may_not_share_an_events_name(broken):
    exog = broken.assign(jump=1.0)[["unique_id", "ds", "jump"]]
    with pytest.raises(InputError, match=r"^regressors:1: header: jump is also an event's name; rename one$"):
        predict(broken, 1, ["arima"], events=STEP_2016, exog=exog)


def test_a_backtest_with_events_changes_arima_and_not_ets(broken):
    kwargs = dict(h=2, n_windows=3, n_paths=100, engine="serial", progress=False)
    plain = backtest(broken, ["ets", "arima"], **kwargs).forecasts
    eventful = backtest(broken, ["ets", "arima"], events=STEP_2016, **kwargs).forecasts
    assert np.array_equal(plain["ets"], eventful["ets"]) and not np.allclose(plain["arima"], eventful["arima"])


def test_saved_models_keep_their_regressors(broken, tmp_path):
    exog = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("1996-01-01", periods=33, freq="YS")})
    exog["x"] = np.sin(np.arange(33))
    fitted = predict(broken, 3, ["arima"], events=STEP_2016, exog=exog, n_paths=100, seed=2, keep_models=True)
    save_models(fitted, tmp_path / "m")
    again = load_models(tmp_path / "m").predict(3, n_paths=100, seed=2)
    np.testing.assert_array_equal(again.paths("a", "arima").paths, fitted.paths("a", "arima").paths)
    with pytest.raises(InputError, match=r"no value of 'x' for forecast step 2029-01-01"):
        load_models(tmp_path / "m").predict(4, n_paths=100, seed=2)


def test_fit_with_fallback_gives_the_fallback_no_regressors(broken):
    y = broken["y"].to_numpy()[:4]  # too short for arima: drift takes over, and says it ignored them
    pulse = event("pulse", "1997-01-01", "1997-12-31")
    regressors = Regressors.of("a", pd.DatetimeIndex(broken["ds"][:4]), ANNUAL, (pulse,))
    fitted, _ = fit_with_fallback(y, 2, "arima", regressors=regressors)
    assert fitted.used == "drift" and fitted.design is None
    assert fitted.reason.endswith("drift ignored events/regressors: it takes none")


# --- the command line --------------------------------------------------------------------------------------------


def test_the_cli_refuses_a_bad_events_file_with_exit_2_and_one_line(broken, tmp_path):
    data, events = tmp_path / "in.csv", tmp_path / "events.csv"
    broken.to_csv(data, index=False)
    events.write_text(",".join(EVENT_COLUMNS) + "\nwar,2022-02-24,2022-01-01,pulse,all,src\n", encoding="utf-8")
    result = forecast(tmp_path, "predict", data, "--horizon", 2, "--events", events)
    lines = assert_clean_failure(result, 2, "end")
    assert lines == [f"error: {events}:2: end: 2022-01-01 is before the start 2022-02-24"]


def test_the_cli_says_which_models_ignored_the_events(broken, tmp_path):
    data = tmp_path / "in.csv"
    broken.to_csv(data, index=False)
    result = forecast(
        tmp_path, "predict", data, "-h", 2, "--model", "ets", "--model", "arima", "--events", "bundled", "--samples", 50
    )
    assert result.exit_code == 0, result.output
    assert "fallback: a ets -> ets: ets ignored events/regressors: it takes none" in result.stderr.splitlines()
    assert "arima" not in result.stderr


def test_the_cli_refuses_missing_future_regressors_with_exit_2(broken, tmp_path):
    data, exog = tmp_path / "in.csv", tmp_path / "exog.csv"
    broken.to_csv(data, index=False)
    broken.assign(x=np.arange(30.0))[["unique_id", "ds", "x"]].to_csv(exog, index=False)
    result = forecast(tmp_path, "predict", data, "-h", 2, "--model", "arima", "--exog", exog)
    lines = assert_clean_failure(result, 2)
    assert lines == [
        f"error: {exog}: series 'a' has no value of 'x' for forecast step 2026-01-01; regressors need a value at "
        "every date of the history and of the horizon"
    ]


def test_the_backtest_command_takes_events(broken, tmp_path):
    data = tmp_path / "in.csv"
    broken.to_csv(data, index=False)
    args = ("backtest", data, "--horizon", 1, "--windows", 2, "--model", "ets", "--model", "arima", "--paths", 50)
    result = forecast(tmp_path, *args, "--events", "bundled", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "ets ignored events/regressors: it takes none" in result.stdout


def test_a_saved_model_fitted_with_events_is_fitted_again_to_take_new_observations(broken, tmp_path):
    fitted = predict(broken, 2, ["arima"], events=STEP_2016, n_paths=50, keep_models=True)
    save_models(fitted, tmp_path / "m")
    newer = pd.concat([broken, pd.DataFrame({"unique_id": ["a"], "ds": [pd.Timestamp("2026-01-01")], "y": [175.0]})])
    with pytest.raises(InputError, match=r"series 'a': arima was fitted with events/regressors: fit it again"):
        load_models(tmp_path / "m").update(newer)

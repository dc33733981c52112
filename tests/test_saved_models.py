"""Saved models: fit once, forecast later with the same paths; refused when the data or the model code changed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runs import forecast
from ets_reference import smoothed

from forecast.errors import InputError
from forecast.predict import predict
from forecast.saved_models import code_hash, load_models, save_models
from forecast.signing import sign


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = []
    for uid, level in (("a", 100.0), ("b", 2_000.0)):
        for k, ds in enumerate(pd.date_range("2012-01-01", periods=12, freq="YS")):
            rows.append({"unique_id": uid, "ds": ds, "y": level * (1.08**k) * np.exp(0.05 * rng.standard_normal())})
    return pd.DataFrame(rows)


def test_a_loaded_model_draws_the_paths_of_the_original_run(frame, tmp_path):
    fitted = predict(frame, 4, models=("ets", "theta"), n_paths=300, seed=7, keep_models=True)
    save_models(fitted, tmp_path / "models")
    loaded = load_models(tmp_path / "models").predict(4, n_paths=300, seed=7)
    for fc in fitted.forecasts:
        again = loaded.paths(fc.unique_id, fc.model)
        np.testing.assert_array_equal(again.paths, fc.paths.paths)
    pd.testing.assert_frame_equal(loaded.table(), fitted.table())
    longer = load_models(tmp_path / "models").predict(6, n_paths=300, seed=7)
    assert longer.table()["ds"].max() == pd.Timestamp("2029-01-01")  # any horizon, from the saved last date
    other_seed = load_models(tmp_path / "models").predict(4, n_paths=300, seed=8)
    assert not np.array_equal(other_seed.paths("a", "ets").paths, fitted.paths("a", "ets").paths)


def test_loaded_models_pass_the_checks_a_fitted_request_passes(frame, tmp_path):
    save_models(predict(frame, 2, models=("drift",), n_paths=50, keep_models=True), tmp_path / "m")
    loaded = load_models(tmp_path / "m")
    with pytest.raises(InputError, match="level must be between 0 and 100"):
        loaded.predict(2, n_paths=50, level=(80, 120))
    with pytest.raises(InputError, match="the horizon can be at most 176"):  # 2023 + 176 years = 2199
        loaded.predict(200, n_paths=50)
    with pytest.raises(InputError):
        loaded.predict(2, n_paths=0)
    assert len(loaded.predict(176, n_paths=50).table()) == 2 * 176


def test_changed_data_or_model_code_is_refused(frame, tmp_path):
    save_models(predict(frame, 2, models=("drift",), n_paths=50, keep_models=True), tmp_path / "m")
    saved = load_models(tmp_path / "m")
    saved.check_data(frame)  # the same histories pass
    changed = frame.copy()
    changed.loc[changed.index[-1], "y"] += 1
    with pytest.raises(InputError, match="series 'b' changed since its models were saved"):
        saved.check_data(changed)
    manifest = tmp_path / "m" / "manifest.json"
    content = json.loads(manifest.read_text())
    other = {k: v for k, v in content.items() if k != "signature"} | {"code_hash": "0" * 16}
    manifest.write_text(json.dumps({**other, "signature": sign(other)}))  # as another version would sign it
    with pytest.raises(InputError, match="saved by other model code") as refused:
        load_models(tmp_path / "m")
    assert code_hash() not in str(refused.value)  # the hash to forge is not given away


def test_cli_save_then_load_prints_the_same_forecast(frame, tmp_path):
    data = tmp_path / "in.csv"
    frame.to_csv(data, index=False)
    home = tmp_path / "home"
    first = forecast(home, "predict", data, "-h", "3", "-m", "theta", "--save", tmp_path / "saved", "--format", "csv")
    again = forecast(home, "predict", data, "-h", "3", "--load", tmp_path / "saved", "--format", "csv")
    assert first.exit_code == 0 and again.exit_code == 0, again.stderr
    assert first.stdout == again.stdout
    refused = forecast(home, "predict", "-h", "3", "--load", tmp_path / "nowhere")
    assert refused.exit_code == 2 and "no saved models here" in refused.stderr


def extended(frame: pd.DataFrame, years: int = 2) -> pd.DataFrame:
    """``frame`` with ``years`` more observations per series, growing as before."""
    rows = [frame]
    for uid, series in frame.groupby("unique_id"):
        last = series.iloc[-1]
        dates = pd.date_range(last["ds"], periods=years + 1, freq="YS")[1:]
        rows.append(pd.DataFrame({"unique_id": uid, "ds": dates, "y": last["y"] * 1.1 ** np.arange(1, years + 1)}))
    return pd.concat(rows, ignore_index=True).sort_values(["unique_id", "ds"], ignore_index=True)


def test_update_takes_new_observations_under_the_saved_parameters(frame, tmp_path):
    """ETS and ARIMA re-run their filters over the longer history with the parameters they were fitted with: the
    forecast is statsmodels' own for those parameters on the whole series, not that of a new fit."""
    from statsmodels.tsa.arima.model import ARIMA

    from forecast.models.fast_ets import fit_ets

    save_models(predict(frame, 3, models=("ets", "arima"), n_paths=200, seed=1, keep_models=True), tmp_path / "m")
    saved = load_models(tmp_path / "m")
    longer = extended(frame)
    updated = saved.update(longer)
    for entry in updated.manifest["entries"]:
        before, after = saved.fitted(entry).model, updated.fitted(entry).model
        assert entry["used"] == entry["asked"]  # no fallback: the model itself was updated
        y = longer.loc[longer["unique_id"] == entry["unique_id"], "y"].to_numpy()
        if entry["asked"] == "ets":
            fit = before.fit_
            np.testing.assert_array_equal(after.fit_.theta, fit.theta)
            reference = smoothed(fit, y)
            assert not np.allclose(fit_ets(y).theta, fit.theta)  # a new fit would have moved them
            forecasts = after.fit_.point(3), before.fit_.point(3)
        else:
            np.testing.assert_array_equal(after.result_.params, before.result_.params)
            model = ARIMA(y, order=before.order_, seasonal_order=before.seasonal_order_, trend=before.trend_)
            reference = model.filter(before.result_.params)
            forecasts = after.result_.forecast(3), before.result_.forecast(3)
        np.testing.assert_allclose(forecasts[0], reference.forecast(3), rtol=1e-9)
        assert not np.allclose(*forecasts)
    forecast_after = updated.predict(3, n_paths=200, seed=1)
    assert forecast_after.table()["ds"].min() == pd.Timestamp("2026-01-01")  # from the new last date on
    save_models(forecast_after, tmp_path / "m2")
    again = load_models(tmp_path / "m2")
    again.check_data(longer)  # the updated models were saved with the history they now hold
    pd.testing.assert_frame_equal(again.predict(3, n_paths=200, seed=1).table(), forecast_after.table())
    assert updated.update(longer).predict(3, n_paths=200, seed=1).table().equals(forecast_after.table())


def test_update_refuses_models_that_cannot_and_histories_that_were_rewritten(frame, tmp_path):
    save_models(predict(frame, 2, models=("theta",), n_paths=50, keep_models=True), tmp_path / "theta")
    with pytest.raises(InputError, match="series 'a': theta cannot take new observations without being fitted"):
        load_models(tmp_path / "theta").update(extended(frame))
    save_models(predict(frame, 2, models=("arima",), n_paths=50, keep_models=True), tmp_path / "arima")
    rewritten = extended(frame)
    rewritten.loc[0, "y"] += 5
    with pytest.raises(InputError, match="does not begin with the 12 values it was fitted on"):
        load_models(tmp_path / "arima").update(rewritten)


def test_cli_update_forecasts_from_the_new_last_date(frame, tmp_path):
    data, longer = tmp_path / "in.csv", tmp_path / "longer.csv"
    frame.to_csv(data, index=False)
    extended(frame).to_csv(longer, index=False)
    home, saved = tmp_path / "home", tmp_path / "saved"
    assert forecast(home, "predict", data, "-h", "2", "-m", "arima", "--save", saved).exit_code == 0
    stale = forecast(home, "predict", longer, "-h", "2", "--load", saved)
    assert stale.exit_code == 2 and "take the new values in with --update" in stale.stderr
    fresh = forecast(home, "predict", longer, "-h", "2", "--load", saved, "--update", "--format", "json")
    assert fresh.exit_code == 0, fresh.stderr
    assert {row["ds"][:4] for row in json.loads(fresh.stdout)} == {"2026", "2027"}

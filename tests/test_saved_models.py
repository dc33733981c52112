"""Saved models: fit once, forecast later with the same paths; refused when the data or the model code changed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runs import forecast

from forecast.errors import InputError
from forecast.predict import predict
from forecast.saved_models import load_models, save_models


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
    manifest.write_text(json.dumps({**content, "code_hash": "0" * 16}))
    with pytest.raises(InputError, match="saved by other model code"):
        load_models(tmp_path / "m")


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

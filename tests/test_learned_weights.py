"""``auto``'s learned member weights: the features, the shipped trees' numpy evaluation against scikit-learn's own,
the weighted combination of the members' forecasts and paths, and the switch back to the median."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor

from forecast.models import get_model
from forecast.models.features import NAMES, features
from forecast.models.learned_weights import PATH, load, predict, softmax_weights, weighted_median

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

RNG = np.random.default_rng(7)
TREND = 100 + 3 * np.arange(30) + RNG.normal(0, 4, 30)


@pytest.mark.parametrize("m, n", [(1, 3), (1, 30), (4, 40), (12, 60), (12, 13)])
def test_features_are_finite_and_free_of_the_series_level(m, n):
    y = 50 + np.cumsum(RNG.normal(1, 3, n)) + 10 * np.sin(np.arange(n) * 2 * np.pi / m)
    x = features(y, m, 6)
    assert x.shape == (len(NAMES),) and np.all(np.isfinite(x))
    np.testing.assert_allclose(features(1000 * y, m, 6), x, atol=1e-9)
    assert np.all(np.isfinite(features(np.full(n, 5.0), m, 6)))  # a constant series has no scale to divide by


def test_features_see_a_trend_and_a_season():
    t = np.arange(48)
    seasonal = 100 + 10 * np.sin(t * 2 * np.pi / 12) + RNG.normal(0, 1, 48)
    x_trend, x_season = features(TREND, 1, 6), features(seasonal, 12, 18)
    assert x_trend[NAMES.index("trend_strength")] > 2 and x_trend[NAMES.index("linearity")] > 0.9
    assert x_season[NAMES.index("seasonal_strength")] > 0.8 and x_trend[NAMES.index("seasonal_strength")] == 0


def test_exported_trees_predict_what_scikit_learn_predicts(tmp_path):
    from auto_weights import export

    x = RNG.normal(size=(400, len(NAMES) + 6))
    t = np.sin(x[:, 0]) + (x[:, 3] > 0.5) * x[:, len(NAMES) + 2]
    model = GradientBoostingRegressor(n_estimators=30, max_depth=3, min_samples_leaf=40, random_state=0).fit(x, t)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(export(model, 0.1, "median", "test")))
    np.testing.assert_allclose(predict(load(path), x), model.predict(x), rtol=1e-12, atol=1e-12)


def test_weighted_median_is_the_median_under_equal_weights_and_follows_the_weight():
    values = RNG.normal(size=(4, 5))
    np.testing.assert_allclose(weighted_median(values, np.full(4, 0.25)), np.median(values, axis=0))
    np.testing.assert_allclose(weighted_median(values[:3], np.full(3, 1 / 3)), np.median(values[:3], axis=0))
    np.testing.assert_allclose(weighted_median(values, np.array([0.0, 1.0, 0.0, 0.0])), values[1])
    near = [np.abs(weighted_median(values, np.array([w, 1, 1, 1]) / (w + 3)) - values[0]) for w in (1, 3, 9)]
    assert np.all(near[2] <= near[1]) and np.all(near[1] <= near[0])  # more weight, closer to that member
    w = softmax_weights(np.array([0.0, 1.0, 2.0]), 0.5)
    assert w.sum() == pytest.approx(1) and w[0] > w[1] > w[2]


def test_shipped_model_loads_and_weighs_every_member():
    assert PATH.exists() and load()["features"] == list(NAMES)
    model = get_model("auto", weights="learned").fit(TREND)
    w = model.member_weights(6)
    assert w.shape == (3,) and w.sum() == pytest.approx(1) and np.all(w > 0)


def test_learned_weights_centre_the_paths_and_share_the_mixture():
    from forecast.models.auto import combine
    from forecast.models.learned_weights import combine_points

    with_zero = np.concatenate([[0.0], TREND])  # absolute spread: the paths are the members' mixture itself
    model = get_model("auto", weights="learned").fit(with_zero)
    w = model.member_weights(4)
    paths = model.sample_paths(4, 1000, seed=1)
    points = np.array([fit.point(4) for fit in model.fits_])
    np.testing.assert_allclose(paths.mean(axis=0), combine_points(points, w, load()["combination"]))
    z = np.random.default_rng(0).standard_normal((1000, 4))
    mixed = combine(model.fits_, 4, z, "mixture", w)
    shares = [np.mean(np.all(mixed == fit.paths(4, z), axis=1)) for fit in model.fits_]
    np.testing.assert_allclose(shares, w, atol=0.002)


def test_median_weights_are_todays_auto():
    y = np.concatenate([[0.0], TREND])
    plain = get_model("auto").fit(y).sample_paths(6, 200, seed=3)
    np.testing.assert_array_equal(get_model("auto", weights="median").fit(y).sample_paths(6, 200, seed=3), plain)
    with pytest.raises(ValueError, match="unknown weights"):
        get_model("auto", weights="best")

"""One contract, every registered model: shapes, finiteness, seeds, widening intervals, counts ≥ 0, min length."""

import numpy as np
import pytest

from forecast.models import available_models, get_model, model_class
from forecast.models.base import Capabilities, Model
from forecast.fitting import forecast_array

MODELS = available_models()
N_PATHS, H = 200, 6
RNG = np.random.default_rng(42)
TRENDING = 100 + 8 * np.arange(16) + RNG.normal(0, 4, 16)
MONTHLY = 200 + 2 * np.arange(40) + 20 * np.sin(np.arange(40) * 2 * np.pi / 12) + RNG.normal(0, 3, 40)


@pytest.fixture(scope="module", params=MODELS)
def fitted(request):
    """Each model fitted once on the trending annual series."""
    return request.param, get_model(request.param).fit(TRENDING, 1)


def test_registry_lists_every_family():
    expected = {"naive", "snaive", "drift", "mean", "ets", "arima", "theta", "prophet", "prophet_logistic", "lags",
                "logistic", "gompertz", "ensemble", "auto"}
    assert expected <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_capabilities_are_declared_on_the_class(name):
    cls = model_class(name)
    assert issubclass(cls, Model)
    assert isinstance(cls.capabilities, Capabilities) and cls.capabilities.min_length >= 1
    assert any("capabilities" in vars(klass) for klass in cls.__mro__ if klass is not Model)


def test_shape_and_finite(fitted):
    name, model = fitted
    paths = model.sample_paths(H, N_PATHS, seed=1)
    assert paths.shape == (N_PATHS, H), name
    assert np.all(np.isfinite(paths)), name


def test_deterministic_under_seed_and_varies_across_seeds(fitted):
    name, model = fitted
    first, again = model.sample_paths(H, N_PATHS, seed=3), model.sample_paths(H, N_PATHS, seed=3)
    np.testing.assert_array_equal(first, again)
    assert first.std(axis=0).max() > 0, f"{name}: no uncertainty on a noisy series"
    assert not np.array_equal(first, model.sample_paths(H, N_PATHS, seed=4)), name


def test_same_fit_twice_gives_same_paths(fitted):
    name, _ = fitted
    one = get_model(name).fit(TRENDING, 1).sample_paths(H, N_PATHS, seed=5)
    two = get_model(name).fit(TRENDING, 1).sample_paths(H, N_PATHS, seed=5)
    np.testing.assert_array_equal(one, two)


def test_intervals_widen_with_horizon_on_a_trending_series(fitted):
    name, model = fitted
    paths = model.sample_paths(H, 2000, seed=7)
    width = np.quantile(paths, 0.9, axis=0) - np.quantile(paths, 0.1, axis=0)
    assert width[-1] >= 0.9 * width[0], f"{name}: 80% width {width[0]:.2f} at h=1 but {width[-1]:.2f} at h={H}"


@pytest.mark.parametrize("name", MODELS)
def test_fits_at_its_minimum_length_with_an_interval(name):
    n = model_class(name).capabilities.min_length
    y = TRENDING[:n]
    paths = get_model(name).fit(y, 1).sample_paths(3, 50, seed=0)
    assert paths.shape == (50, 3) and np.all(np.isfinite(paths))
    assert paths.std(axis=0).min() > 0, f"{name}: a zero-width interval from {n} noisy points"
    with pytest.raises(ValueError, match="needs at least"):
        get_model(name).fit(TRENDING[: n - 1], 1)


@pytest.mark.parametrize("name", MODELS)
def test_count_forecasts_are_non_negative(name):
    falling = np.array([60, 52, 41, 35, 27, 20, 14, 9, 6, 3, 2, 1], dtype=float)
    paths, used, _ = forecast_array(falling, 8, name, n_paths=300, seed=0)
    assert paths.paths.min() >= 0, f"{name} (used {used})"


@pytest.mark.parametrize("name", [m for m in MODELS if model_class(m).capabilities.seasonal])
def test_seasonal_models_take_a_monthly_series(name):
    paths = get_model(name).fit(MONTHLY, 12).sample_paths(12, 100, seed=0)
    assert paths.shape == (100, 12) and np.all(np.isfinite(paths))
    assert abs(np.median(paths[:, 0]) - MONTHLY[-1]) < 5 * MONTHLY.std(), name

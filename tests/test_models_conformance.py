"""One contract, every registered model: hyper-parameters as scikit-learn's, shapes, finiteness, seeds, widening
intervals, counts ≥ 0, and every declared capability true of the model (minimum length, seasonality, gaps,
non-negative input, simplicity)."""

import numpy as np
import pytest

from forecast.fitting import forecast_array
from forecast.models import available_models, get_model, model_class
from forecast.models.base import Capabilities, Model

MODELS = available_models()
SLOW_MODELS = {"arima", "ensemble", "prophet", "prophet_logistic"}  # statsmodels and Stan fits: seconds
MODEL_PARAMS = [pytest.param(m, marks=pytest.mark.slow) if m in SLOW_MODELS else m for m in MODELS]
N_PATHS, H = 200, 6
RNG = np.random.default_rng(42)
TRENDING = 100 + 8 * np.arange(16) + RNG.normal(0, 4, 16)
MONTHLY = 200 + 2 * np.arange(40) + 20 * np.sin(np.arange(40) * 2 * np.pi / 12) + RNG.normal(0, 3, 40)
STRONGLY_SEASONAL = 200 + 2 * np.arange(48) + 60 * np.sin(np.arange(48) * 2 * np.pi / 12) + RNG.normal(0, 3, 48)


@pytest.fixture(scope="module", params=MODEL_PARAMS)
def fitted(request):
    """Each model fitted once on the trending annual series."""
    return request.param, get_model(request.param).fit(TRENDING, 1)


def test_registry_lists_every_family():
    expected = {
        "naive",
        "snaive",
        "drift",
        "mean",
        "ets",
        "arima",
        "theta",
        "prophet",
        "prophet_logistic",
        "lags",
        "logistic",
        "gompertz",
        "ensemble",
        "auto",
    }
    assert expected <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_hyper_parameters_follow_the_scikit_learn_contract(name):
    from sklearn.base import clone

    model = get_model(name)
    assert model.get_params() == type(model).param_defaults()
    copy = clone(model)
    assert type(copy) is type(model) and copy is not model and copy.get_params() == model.get_params()


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_capabilities_are_declared_on_the_class(name):
    cls = model_class(name)
    assert issubclass(cls, Model)
    assert isinstance(cls.capabilities, Capabilities) and cls().min_length() >= 1
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


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_fits_at_its_minimum_length_with_an_interval(name):
    n = get_model(name).min_length()
    y = TRENDING[:n]
    paths = get_model(name).fit(y, 1).sample_paths(3, 50, seed=0)
    assert paths.shape == (50, 3) and np.all(np.isfinite(paths))
    assert paths.std(axis=0).min() > 0, f"{name}: a zero-width interval from {n} noisy points"
    with pytest.raises(ValueError, match="needs at least"):
        get_model(name).fit(TRENDING[: n - 1], 1)


@pytest.mark.parametrize(
    "name, params, expected",
    [("lags", {"n_lags": 6}, 11), ("lags", {"n_lags": 1}, 6), ("ensemble", {"members": ("naive", "arima")}, 2)],
)
def test_minimum_length_follows_the_parameters(name, params, expected):
    model = get_model(name, **params)
    assert model.min_length() == expected
    model.fit(TRENDING[:expected], 1)
    with pytest.raises(ValueError, match=f"needs at least {expected} points"):
        get_model(name, **params).fit(TRENDING[: expected - 1], 1)


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_the_season_length_matters_exactly_to_seasonal_models(name):
    yearly = get_model(name).fit(STRONGLY_SEASONAL, 1).sample_paths(12, 100, seed=0)
    monthly = get_model(name).fit(STRONGLY_SEASONAL, 12).sample_paths(12, 100, seed=0)
    assert np.array_equal(yearly, monthly) != model_class(name).capabilities.seasonal, name


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_gaps_are_taken_exactly_by_models_that_declare_them(name):
    gappy = TRENDING.copy()
    gappy[[4, 9]] = np.nan
    if model_class(name).capabilities.handles_missing:
        paths = get_model(name).fit(gappy, 1).sample_paths(3, 50, seed=0)
        assert np.all(np.isfinite(paths)) and paths.std(axis=0).min() > 0
        paths, used, reason = forecast_array(gappy, 3, name, n_paths=50)
        assert used == name and reason is None  # nothing filled for it
    else:
        with pytest.raises(ValueError, match="missing values"):
            get_model(name).fit(gappy, 1)


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_negative_values_are_refused_exactly_by_models_that_need_counts(name):
    shifted = TRENDING - 150  # from about -50 to +70
    if model_class(name).capabilities.nonnegative:
        with pytest.raises(ValueError, match="needs non-negative values"):
            get_model(name).fit(shifted, 1)
        _, used, reason = forecast_array(shifted, 3, name, n_paths=50)
        assert used != name and f"{name}: needs non-negative values" in reason
    else:
        assert np.all(np.isfinite(get_model(name).fit(shifted, 1).sample_paths(3, 50, seed=0)))


def test_simplicity_ranks_are_distinct_and_baselines_come_first():
    ranks = {name: model_class(name).capabilities.simplicity for name in MODELS}
    assert len(set(ranks.values())) == len(ranks)
    assert sorted(ranks, key=ranks.get)[:4] == ["naive", "snaive", "mean", "drift"]


@pytest.mark.parametrize("name", MODEL_PARAMS)
def test_count_forecasts_are_non_negative(name):
    falling = np.array([60, 52, 41, 35, 27, 20, 14, 9, 6, 3, 2, 1], dtype=float)
    paths, used, _ = forecast_array(falling, 8, name, n_paths=300, seed=0)
    assert paths.paths.min() >= 0, f"{name} (used {used})"


@pytest.mark.parametrize("name", [p for p, m in zip(MODEL_PARAMS, MODELS) if model_class(m).capabilities.seasonal])
def test_seasonal_models_take_a_monthly_series(name):
    paths = get_model(name).fit(MONTHLY, 12).sample_paths(12, 100, seed=0)
    assert paths.shape == (100, 12) and np.all(np.isfinite(paths))
    assert abs(np.median(paths[:, 0]) - MONTHLY[-1]) < 5 * MONTHLY.std(), name

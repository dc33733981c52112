"""Known answers: baselines by formula, ETS and Theta against statsforecast and statsmodels, ARIMA against
statsmodels, the fast smoothing core against its recursions, and awkward series through ``predict`` (forecast for
each, fallbacks recorded, never NaN)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import AutoETS
from statsforecast.models import Theta as StandardTheta
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from forecast.models import available_models, get_model
from forecast.models.base import innovations
from forecast.models.fast_ets import Form, fit_ets
from forecast.models.smoothing import fit_theta, seasonal_indices
from forecast.predict import predict

Y = np.array([112.0, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135])


def test_drift_is_the_line_through_first_and_last_point():
    y = np.array([2.0, 4.0, 6.0, 8.0])  # exactly linear: no noise, so every path is the formula
    paths = get_model("drift").fit(y).sample_paths(3, 10, seed=0)
    np.testing.assert_allclose(paths, np.tile([10.0, 12.0, 14.0], (10, 1)))


def test_naive_interval_is_the_student_t_predictive_interval():
    # One step ahead of a random walk whose scale was estimated from n-1 changes: last ± s · t(n-2) quantile
    # (scipy), not a t rescaled to variance s², which is narrower than the Gaussian interval.
    from scipy import stats

    y = np.array([10.0, 13.0, 11.0, 15.0, 14.0, 18.0, 16.0])
    s = np.sqrt(np.sum(np.diff(y) ** 2) / (len(y) - 1))
    paths = get_model("naive").fit(y).sample_paths(1, 200_000, seed=0)[:, 0]
    expected = y[-1] + s * stats.t.ppf([0.1, 0.9], df=len(y) - 1)
    np.testing.assert_allclose(np.quantile(paths, [0.1, 0.9]), expected, rtol=0.01)


def test_naive_and_mean_centre_on_their_formulas():
    y = np.array([3.0, 5.0, 4.0, 6.0, 5.0])
    naive = get_model("naive").fit(y).sample_paths(2, 20000, seed=0).mean(axis=0)
    mean = get_model("mean").fit(y).sample_paths(2, 20000, seed=0).mean(axis=0)
    np.testing.assert_allclose(naive, [5.0, 5.0], atol=0.05)
    np.testing.assert_allclose(mean, [4.6, 4.6], atol=0.05)


def test_drift_and_auto_drift_are_one_fit_with_an_independent_slope_draw_or_the_first_innovation():
    from forecast.models.auto import fit_members

    model = get_model("drift").fit(Y)
    member = fit_members(Y, 1, ("drift",))[0]
    assert model.fit_ == member
    rng = np.random.default_rng(0)
    z, slope_z = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    ramp = member.sigma / np.sqrt(len(Y) - 1) * np.arange(1, 4)
    np.testing.assert_allclose(member.paths(3, z, slope_z) - member.paths(3, z), (slope_z - z[:, :1]) * ramp)


def test_ets_matches_statsmodels_for_the_form_it_picks_by_aicc():
    model = get_model("ets").fit(Y)
    assert model.fit_.form == fit_ets(Y).form  # the engine's AICc choice, as auto's ets_aicc member makes it
    f = model.fit_.form
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ETSModel(
            Y, error=f.error, trend=None if f.trend == "none" else "add", damped_trend=f.trend == "damped"
        ).fit(disp=False, maxiter=5000)
    np.testing.assert_allclose(model.fit_.point(4), reference.forecast(4), rtol=1e-4)
    mean = model.sample_paths(4, 20000, seed=0).mean(axis=0)
    np.testing.assert_allclose(mean, model.fit_.point(4), rtol=0.01)


def test_theta_point_and_path_mean_equal_statsforecast_standard_theta():
    expected = StandardTheta(season_length=1).forecast(Y, 5)["mean"]
    model = get_model("theta").fit(Y)
    np.testing.assert_allclose(model.fit_.point(5), expected, rtol=1e-6)
    np.testing.assert_allclose(model.sample_paths(5, 40000, seed=0).mean(axis=0), expected, rtol=0.005)
    months = np.arange(60)
    seasonal = (200 + 2 * months) * (1 + 0.2 * np.sin(months * 2 * np.pi / 12)) + np.random.default_rng(0).normal(
        0, 5, 60
    )
    reference = StandardTheta(season_length=12).forecast(seasonal, 12)["mean"]
    np.testing.assert_allclose(get_model("theta").fit(seasonal, 12).fit_.point(12), reference, rtol=0.01)


def test_theta_paths_accumulate_errors_with_alpha():
    """Variance of the h-step value is σ²(1 + (h-1)α²) in the SES-with-drift state-space form, times ν/(ν-2) for
    Student-t(ν) errors on a scale estimated from ν = n - 3 residual degrees of freedom."""
    model = get_model("theta").fit(Y)
    alpha, sigma = model.fit_.alpha, model.fit_.sigma
    var = model.sample_paths(4, 60000, seed=1).var(axis=0)
    nu = model.dof_
    expected = sigma**2 * nu / (nu - 2) * (1 + np.arange(4) * alpha**2)
    np.testing.assert_allclose(var, expected, rtol=0.05)


@pytest.mark.slow
def test_arima_selects_an_order_and_centres_on_its_forecast():
    model = get_model("arima").fit(Y)
    assert len(model.order_) == 3
    np.testing.assert_allclose(model.sample_paths(3, 20000, seed=0).mean(axis=0), model.result_.forecast(3), rtol=0.01)


def test_fast_ses_is_close_to_statsmodels():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ETSModel(Y, error="add", trend=None).fit(disp=False).forecast(3)
    grid = fit_ets(Y, forms=[Form("add", "none", "none")], method="grid")
    assert np.max(np.abs(grid.point(3) - reference)) < 0.05 * Y.std()


def test_theta_with_static_line_and_weight_half_is_standard_theta():
    """With θ = 2 (weight ½) the optimised model's forecast has the standard Theta slope, b0 / 2 per step."""
    fit = fit_theta(Y, dynamic=False)
    slope = np.polyfit(np.arange(len(Y)), Y, 1)[0]
    assert np.diff(fit.point(3)) == pytest.approx(np.full(2, fit.weight * slope))


def test_seasonal_indices_find_a_clear_season_and_skip_noise():
    months = np.arange(48)
    seasonal = 100 * (1 + 0.2 * np.sin(months * 2 * np.pi / 12))
    idx = seasonal_indices(seasonal, 12)
    assert idx is not None and idx.mean() == pytest.approx(1.0) and idx.argmax() in (2, 3, 4)
    assert seasonal_indices(100 + np.random.default_rng(0).normal(0, 1, 48), 12) is None


def _long(series: dict, freq: str) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"unique_id": k, "ds": pd.date_range("2015-01-01", periods=len(v), freq=freq), "y": v})
            for k, v in series.items()
        ]
    )


AWKWARD_ANNUAL = {
    "four_points": [10.0, 14.0, 19.0, 25.0],
    "constant": [7.0] * 8,
    "zeros": [0.0, 0.0, 3.0, 0.0, 5.0, 0.0, 8.0, 0.0],
    "gap": [5.0, 8.0, np.nan, 13.0, 17.0, 20.0, np.nan, 28.0],
}


@pytest.mark.slow
def test_awkward_annual_series_get_finite_forecasts_from_every_model():
    models = available_models()
    result = predict(_long(AWKWARD_ANNUAL, "YS"), 3, models=models, n_paths=100)
    table = result.table()
    assert len(table) == 3 * len(AWKWARD_ANNUAL)
    assert not table.isna().any().any()
    fallbacks = result.fallbacks()
    four = fallbacks[fallbacks.unique_id == "four_points"]
    assert {"lags", "logistic", "gompertz", "arima"} <= set(four.model)  # min lengths above 4: each says why
    assert four[four.model.isin(["lags", "logistic", "gompertz", "arima"])]["reason"].str.contains("needs").all()
    assert fallbacks[fallbacks.unique_id == "gap"]["reason"].str.contains("missing").any()
    zeros = table[table.unique_id == "zeros"].drop(columns=["unique_id", "ds"])
    assert (zeros.to_numpy() >= 0).all()


@pytest.mark.slow
def test_monthly_series_shorter_than_two_seasons_gets_forecasts():
    short = {"short_monthly": list(100 + np.arange(18) + 5 * np.sin(np.arange(18)))}
    result = predict(_long(short, "MS"), 12, models=["auto", "ets", "theta", "arima", "snaive"], n_paths=100)
    assert not result.table().isna().any().any() and len(result.table()) == 12


def test_auto_centres_between_its_members_and_reseasonalises():
    model = get_model("auto").fit(Y)
    assert model.members_ == ("theta", "ets_trend", "drift")
    points = np.array([fit.point(4) for fit in model.fits_])
    # the forecast (path mean) is the median of the members' point forecasts
    np.testing.assert_allclose(model.sample_paths(4, 500, seed=0).mean(axis=0), np.median(points, axis=0))
    months = np.arange(60)
    seasonal = (100 + months) * (1 + 0.3 * np.sin(months * 2 * np.pi / 12))
    monthly = get_model("auto").fit(seasonal, 12)
    assert monthly.members_ == ("auto_theta", "damped", "drift", "ets_aicc")
    assert monthly.fits_[-1].form.season == "mul"  # AICc finds the multiplicative season the others are adjusted by
    paths = monthly.sample_paths(12, 500, seed=0)
    shape = np.median(paths, axis=0) / np.median(paths, axis=0).mean()
    expected = 1 + 0.3 * np.sin((60 + np.arange(12)) * 2 * np.pi / 12)
    np.testing.assert_allclose(shape, expected / expected.mean(), atol=0.05)


def mixture(fits, z):
    member = np.array([fit.paths(4, z) for fit in fits])
    return member[np.arange(len(z)) % len(fits), np.arange(len(z))]  # path i from member i mod k, shared z


def test_auto_annual_paths_are_a_mixture_of_members_centred_on_their_median_forecast():
    with_zero = np.concatenate([[0.0], Y])  # not strictly positive: absolute spread
    model = get_model("auto").fit(with_zero)
    assert len(model.fits_) == 3 and model.log_fits_ is None
    z = innovations(np.random.default_rng(3), 9, 4, 1.0, model.dof_, unit_variance=True)
    mixed = mixture(model.fits_, z)
    centre = np.median([fit.point(4) for fit in model.fits_], axis=0)
    np.testing.assert_allclose(model.sample_paths(4, 9, seed=3), mixed - mixed.mean(axis=0) + centre)


def test_auto_width_scales_the_paths_deviations_around_an_unchanged_forecast():
    from forecast.models.auto import WIDTHS

    quarters = np.arange(40)
    y = (200 + 2 * quarters) * (1 + 0.2 * np.cos(quarters * np.pi / 2)) + 5 * np.sin(quarters * 1.3)
    plain = get_model("auto", width=1.0).fit(y, 4).sample_paths(8, 400, seed=2)
    wider = get_model("auto", width=1.5).fit(y, 4).sample_paths(8, 400, seed=2)
    default = get_model("auto").fit(y, 4).sample_paths(8, 400, seed=2)
    centre = plain.mean(axis=0)
    np.testing.assert_allclose(wider, centre + 1.5 * (plain - centre))  # the same paths, 1.5 times as far out
    np.testing.assert_allclose(default, centre + WIDTHS[4] * (plain - centre))  # quarterly: the validated factor
    annual = get_model("auto").fit(Y)
    assert annual.width_ == 1.0  # no factor was chosen for annual data
    with pytest.raises(ValueError, match="width must be positive"):
        get_model("auto", width=0)


def test_auto_dof_caps_the_innovations_degrees_of_freedom_for_heavier_tails():
    from forecast.models.auto import path_dof

    assert path_dof(20) == 17.0  # n - 3 residual degrees of freedom, as the baselines
    assert path_dof(20, dof=4) == 4.0  # capped
    assert path_dof(5, dof=4) == 2.0  # a short series' own, lower dof stays
    years = np.arange(40.0)
    y = 1000 + 15 * years + 40 * np.sin(years * 1.7)
    normal = get_model("auto").fit(y).sample_paths(1, 20_000, seed=3)[:, 0]
    heavy = get_model("auto", dof=4).fit(y).sample_paths(1, 20_000, seed=3)[:, 0]

    def tail_ratio(x):  # 95% interval over 80% interval: 1.96 / 1.28 = 1.53 for a Gaussian, larger for heavier tails
        q = np.quantile(x, [0.025, 0.1, 0.9, 0.975])
        return (q[3] - q[0]) / (q[2] - q[1])

    assert tail_ratio(normal) == pytest.approx(1.96 / 1.2816, rel=0.05)
    assert tail_ratio(heavy) > 1.1 * tail_ratio(normal)
    assert heavy.mean() == pytest.approx(normal.mean(), rel=1e-3)  # the forecast does not move
    with pytest.raises(ValueError, match="dof must be above 2"):
        get_model("auto", dof=2)


def test_recent_scale_by_hand():
    from forecast.models.auto import recent_scale

    # Log changes 0, 0, 2: de-meaned -2/3, -2/3, 4/3; plain mean square 24/27; weights 1/4, 1/2, 1 give
    # (1/9 + 2/9 + 16/9) / 1.75 — the latest, largest change counts most.
    log_y = np.cumsum([0.0, 0.0, 0.0, 2.0])
    assert recent_scale(log_y, decay=0.5) == pytest.approx(np.sqrt((19 / 9 / 1.75) / (24 / 27)))
    assert recent_scale(log_y, decay=1.0) == pytest.approx(1.0)
    assert recent_scale(np.log([5.0, 5.0, 5.0])) == 1.0  # no spread at all: nothing to rescale


def test_auto_positive_annual_spread_is_relative_and_point_unchanged():
    model = get_model("auto").fit(Y)
    assert model.log_fits_ is not None
    z = innovations(np.random.default_rng(3), 9, 4, 1.0, model.dof_, unit_variance=True)
    log_mixed = mixture(model.log_fits_, z)  # the same members fitted to log(y)
    centre = np.median([fit.point(4) for fit in model.fits_], axis=0)
    ratio_paths = centre * np.exp(np.clip(model.recent_scale_ * (log_mixed - np.median(log_mixed, axis=0)), -2, 2))
    expected = ratio_paths - ratio_paths.mean(axis=0) + centre
    np.testing.assert_allclose(model.sample_paths(4, 9, seed=3), expected)
    big = get_model("auto").fit(Y * 10).sample_paths(4, 2000, seed=1)
    small = get_model("auto").fit(Y).sample_paths(4, 2000, seed=1)
    # scale-equivariant (up to optimiser tolerance)
    np.testing.assert_allclose(big.std(axis=0), 10 * small.std(axis=0), rtol=0.02)
    assert get_model("auto").fit(GROWING_EARLY).log_fits_ is None  # explosive growth keeps the absolute spread


GROWING_EARLY = np.array([17.0, 42, 80, 308, 815, 1702, 3673, 6363])


GROWING = np.array([17.0, 42, 80, 308, 815, 1702, 3673, 6363, 8267, 12406, 15183, 15857, 17518, 19392])


def test_ets_picks_autoets_form_and_forecast_on_a_fast_growing_series():
    # statsmodels once fitted M,N,N here with a negative initial level; the engine's likelihood is undefined for a
    # multiplicative fit with a non-positive fitted value, so it reaches AutoETS's choice
    model = get_model("ets").fit(GROWING)
    reference = AutoETS(season_length=1).fit(GROWING)
    assert str(model.fit_.form) == reference.model_["method"]
    np.testing.assert_allclose(model.fit_.point(3), reference.predict(3)["mean"], rtol=1e-4)


@pytest.mark.slow
def test_arima_continues_a_short_linear_trend_with_roots_off_the_unit_circle():
    # 5 points: too short for KPSS to ask for a difference, so the linear trend term carries the growth
    y = np.array([100.0, 128, 163, 188, 222])
    model = get_model("arima").fit(y)
    assert model.order_[1] == 0 and model.trend_ == "ct"
    slope, intercept = np.polyfit(np.arange(5), y, 1)
    np.testing.assert_allclose(
        model.sample_paths(2, 20000, seed=0).mean(axis=0), intercept + slope * np.arange(5, 7), rtol=0.02
    )
    roots = np.concatenate([model.result_.arroots, model.result_.maroots])
    assert np.all(np.abs(roots) > 1.01)


def test_auto_keeps_a_season_an_acf_test_can_miss():
    # issue 12's report: 48 months, a swing of ±60 around 400 with noise 15, came back nearly flat when the ACF
    # test missed the season (4 of these 40 draws). AICc on the ETS member's fits keeps it in every draw.
    months = np.arange(60)
    season = 60 * np.sin(2 * np.pi * months / 12)
    for seed in range(40):
        y = 400 + season[:48] + np.random.default_rng(seed).normal(0, 15, 48)
        forecast = get_model("auto").fit(y, 12).sample_paths(12, 200, seed=0).mean(axis=0)
        assert np.corrcoef(forecast, season[48:])[0, 1] > 0.9, seed
        assert np.ptp(forecast) > 0.6 * np.ptp(season), seed

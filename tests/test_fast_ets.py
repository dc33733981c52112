"""Known answers for the numpy ETS engine (:mod:`forecast.models.fast_ets`): its recursion and likelihood against
statsmodels' ETSModel (additive or no season) and statsforecast's port of R's ``forecast::ets`` (multiplicative
season: statsmodels updates a multiplicative season in Holt–Winters form, not the error-correction form of
Hyndman et al. 2008 that AutoETS and this engine use), its maximum against statsmodels' optimiser, its least-squares
states against a direct solve, and its AICc choice on simulated series."""

import warnings

import numpy as np
import pytest
from ets_reference import smoothed
from statsforecast.ets import pegelsresid_C
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from forecast.models.fast_ets import (
    ERRORS,
    TRENDS,
    EtsFit,
    Form,
    _profiled,
    aicc,
    candidate_forms,
    fit_ets,
    neg2_loglik,
    refilter,
    run,
)

M = 4
T = np.arange(40)
Y = (100 + 2 * T) * (1 + 0.2 * np.sin(2 * np.pi * T / M)) + np.random.default_rng(0).normal(0, 3, 40)
SEASON = {"add": np.array([10.0, -5.0, -8.0, 3.0]), "mul": np.array([1.1, 0.95, 0.9, 1.05])}  # sum 0 / mean 1
ALPHA, BETA, GAMMA, PHI, L0, B0 = 0.3, 0.06, 0.21, 0.9, 100.0, 2.0


def _theta(form: Form) -> np.ndarray:
    """θ = (α, β/α, γ/(1-α), φ, ℓ0, b0, s_0..s_{m-2}) for the fixed parameters above."""
    trend, seasonal = form.trend != "none", form.season != "none"
    season = SEASON[form.season][:-1] if seasonal else np.zeros(M - 1)
    return np.r_[
        ALPHA,
        BETA / ALPHA if trend else 0.0,
        GAMMA / (1 - ALPHA) if seasonal else 0.0,
        PHI if form.trend == "damped" else 1.0,
        L0,
        B0 if trend else 0.0,
        season,
    ]


def _ours(form: Form) -> tuple[np.ndarray, float]:
    fitted, *_ = run(Y, _theta(form)[:, None], M, np.array([form.season == "mul"]))
    return fitted[:, 0], float(neg2_loglik(Y, fitted, np.array([form.error == "mul"]))[0])


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("trend", TRENDS)
@pytest.mark.parametrize("season", ["none", "add"])
def test_recursion_and_likelihood_equal_statsmodels(error, trend, season):
    form = Form(error, trend, season)
    model = ETSModel(
        Y,
        error=error,
        trend=None if trend == "none" else "add",
        damped_trend=trend == "damped",
        seasonal=None if season == "none" else "add",
        seasonal_periods=M if season != "none" else None,
    )
    values = {
        "smoothing_level": ALPHA,
        "smoothing_trend": BETA,
        "smoothing_seasonal": GAMMA,
        "damping_trend": PHI,
        "initial_level": L0,
        "initial_trend": B0,
    }
    # statsmodels lists the initial seasons newest first: s[-1] (used at t = m-1) … s[-m] (used at t = 0)
    values.update({f"initial_seasonal.{k}": SEASON["add"][::-1][k] for k in range(M)})
    params = np.array([values[name] for name in model.param_names])
    fitted, neg2 = _ours(form)
    np.testing.assert_allclose(fitted, model.smooth(params).fittedvalues, rtol=1e-12)
    assert neg2 == pytest.approx(-2 * model.loglike(params), rel=1e-12)


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("trend", TRENDS)
def test_multiplicative_season_equals_the_error_correction_form_of_autoets(error, trend):
    form = Form(error, trend, "mul")
    code = {"none": "N", "add": "A", "damped": "A", "mul": "M"}
    # statsforecast's initial state: level, trend, then seasons newest first
    init = np.r_[L0, [B0] if trend != "none" else [], SEASON["mul"][::-1]]
    _, e, _, lik = pegelsresid_C(
        Y, M, init, code[error], code[trend], "M", trend == "damped", ALPHA, BETA, GAMMA, PHI, 3
    )
    expected = Y - e if error == "add" else Y / (1 + e)
    fitted, neg2 = _ours(form)
    np.testing.assert_allclose(fitted, expected, rtol=1e-12)
    # R's likelihood leaves out the constant n (log(2π/n) + 1)
    assert neg2 == pytest.approx(lik + len(Y) * (np.log(2 * np.pi / len(Y)) + 1), rel=1e-12)


MONTHS = np.arange(48)
NOISE = np.random.default_rng(1).normal(0, 4, 48)
MONTHLY = (200 + 1.5 * MONTHS) * (1 + 0.15 * np.sin(2 * np.pi * MONTHS / 12)) + NOISE


@pytest.mark.parametrize(
    "form",
    [Form("add", "add", "add"), Form("mul", "none", "add"), Form("mul", "damped", "add"), Form("mul", "add", "none")],
)
def test_fit_reaches_the_statsmodels_maximum_likelihood(form):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ETSModel(
            MONTHLY,
            error=form.error,
            trend=None if form.trend == "none" else "add",
            damped_trend=form.trend == "damped",
            seasonal=None if form.season == "none" else "add",
            seasonal_periods=12 if form.season != "none" else None,
        ).fit(disp=False, maxiter=5000)
    fit = fit_ets(MONTHLY, 12, forms=[form])
    k = form.active(12).sum() + 1
    neg2 = fit.aicc - 2 * k - 2 * k * (k + 1) / (len(MONTHLY) - k - 1)
    assert neg2 <= -2 * reference.llf + 0.1


def test_grid_states_are_the_least_squares_solution():
    theta = np.zeros((6, 1))
    theta[:4, 0] = [0.4, 0.25, 0.0, 0.9]  # α, β/α, -, φ
    found, sse = _profiled(Y, theta, trend=True)

    # errors are linear in (ℓ0, b0): build the design from unit states and solve it directly
    def errors(level, slope, series):
        state = theta.copy()
        state[4:6, 0] = level, slope
        return series - run(series, state, 1, np.array([False]))[0][:, 0]

    base = errors(0.0, 0.0, Y)
    design = np.column_stack([errors(1.0, 0.0, np.zeros_like(Y)), errors(0.0, 1.0, np.zeros_like(Y))])
    solution, *_ = np.linalg.lstsq(design, -base, rcond=None)
    np.testing.assert_allclose(found[4:6, 0], solution, rtol=1e-8)
    assert sse[0] == pytest.approx(np.sum(errors(*solution, Y) ** 2))


def test_aicc_by_hand():
    assert aicc(np.array([100.0]), 3, 20)[0] == pytest.approx(100 + 6 + 2 * 3 * 4 / 16)
    assert aicc(np.array([100.0]), 19, 20)[0] == np.inf  # no degrees of freedom left


def _simulate(form: Form, n: int, m: int, sigma: float, seed: int) -> np.ndarray:
    """A path of ETS ``form`` from the same recursion, driven by Gaussian errors."""
    season = {
        "mul": 1 + 0.3 * np.sin(2 * np.pi * np.arange(m) / m),
        "add": 30 * np.sin(2 * np.pi * np.arange(m) / m),
        "none": np.zeros(1),
    }[form.season]
    trend = 0.5 if form.trend != "none" else 0.0
    process = EtsFit(
        form,
        0.2,
        0.02,
        0.05,
        1.0,
        100.0,
        trend,
        season,
        sigma,
        aicc=0.0,
        seasons=np.zeros(1),
        theta=np.r_[0.2, 0.02 / 0.2, 0.05 / 0.8, 1.0, 100.0, trend, season[:-1]],  # the same start, as θ
        scale=1.0,
    )
    return process.paths(n, np.random.default_rng(seed).normal(size=(1, n)))[0]


def test_aicc_finds_a_multiplicative_season_and_no_season_in_noise():
    seasonal = _simulate(Form("mul", "add", "mul"), 96, 12, 0.03, seed=2)
    fit = fit_ets(seasonal, 12)
    assert fit.form.season == "mul"
    noise = 100 + np.random.default_rng(3).normal(0, 5, 96)
    assert fit_ets(noise, 12).form.season == "none"


def test_forms_respect_the_data():
    assert all(f.error == "add" and f.season != "mul" for f in candidate_forms(Y - 200, 4))  # negative values
    assert all(f.season == "none" for f in candidate_forms(Y[:7], 4))  # fewer than two seasons
    assert Form("add", "none", "mul") not in candidate_forms(Y, 4)  # AutoETS's restriction


def test_paths_centre_on_the_point_forecast_with_the_one_step_spread():
    fit = fit_ets(MONTHLY, 12, forms=[Form("add", "damped", "add")])
    z = np.random.default_rng(0).normal(size=(40000, 6))
    paths = fit.paths(6, z)
    np.testing.assert_allclose(paths.mean(axis=0), fit.point(6), atol=4 * fit.sigma / np.sqrt(40000) * 3)
    assert paths[:, 0].std() == pytest.approx(fit.sigma, rel=0.02)
    assert np.all(np.diff(paths.var(axis=0)) > 0)  # errors accumulate through the states


def test_refilter_runs_the_fitted_parameters_over_a_longer_history_as_statsmodels_smooth():
    fit = fit_ets(Y[:32], M, forms=[Form("add", "add", "add")])
    again = refilter(fit, Y)
    np.testing.assert_array_equal(again.theta, fit.theta)  # nothing estimated again
    np.testing.assert_allclose(refilter(fit, Y[:32]).point(4), fit.point(4), rtol=1e-12)
    reference = smoothed(fit, Y, M)
    np.testing.assert_allclose(again.point(4), reference.forecast(4), rtol=1e-9)

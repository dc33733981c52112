"""``auto``, the default: a combination of fast numpy members — exponential smoothing
(:mod:`forecast.models.fast_ets`), Theta (:mod:`forecast.models.smoothing`) and random walk with drift
(:mod:`forecast.models.baselines`), the fits behind the registered ``ets``, ``theta`` and ``drift`` — fast enough
for hundreds of series where a statsmodels fit per member would not be.

Every member is driven by the *same* innovations. The forecast (path mean) is the median of the members' point
forecasts, and the paths, a mixture (path i from member i mod k), are shifted onto it, so the members'
disagreement widens the intervals. Annual data: Theta, ETS (no, additive or damped trend) and drift
(:data:`ANNUAL_MEMBERS`); strictly positive, moderately growing series take their spread from the same members
fitted to log(y) (errors that grow with the level), weighted towards recent years (:func:`recent_scale`).
Seasonal data: optimised Theta, damped-trend ETS, drift and ETS of every form chosen by AICc
(:data:`SEASONAL_MEMBERS`); whether the series is seasonal is decided by that AICc choice: when it chose a
seasonal form, the other members see the series with its seasonal states taken out, and forecasts get them back.
The paths' spread around the forecast is scaled where validation chose a factor for the season length
(:data:`WIDTHS`; ``width`` overrides it); ``dof`` caps the innovations' degrees of freedom for heavier tails.
``weights="learned"`` replaces the median by weights learned from the series' features (FFORMA-like,
:mod:`forecast.models.learned_weights`): the point is the members' weighted median and each member's share of the
mixed paths is its weight; it is measured, not the default (it does not hold on a collection it was not trained
on). How each choice was made, with its validation figures: ``benchmarks/README.md``. ``auto`` takes no regressors
(events, user columns); the forecast's notes say it ignored them (:mod:`forecast.fitting`).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from forecast.models.base import Capabilities, Fit, Model, innovations
from forecast.models.baselines import fit_drift
from forecast.models.fast_ets import candidate_forms, fit_ets
from forecast.models.learned_weights import combine_points, load, member_weights, weighted_median
from forecast.models.registry import register
from forecast.models.smoothing import ClassicalSeason, Reseasonalised, fit_auto_theta, fit_theta, seasonal_indices


def _season(y: np.ndarray, season_length: int, seasonality: str, memo: dict):
    """What takes the season out for the members that do not model it: the ``ets_aicc`` member's own states
    when AICc chose a seasonal form ('ets'), or classical indices when an ACF test finds a season ('acf');
    None when there is no season to take out."""
    if season_length == 1:
        return None
    if seasonality == "ets":
        if "ets_aicc" not in memo:
            memo["ets_aicc"] = MEMBERS["ets_aicc"][1](y, season_length)
        fit = memo["ets_aicc"]
        return fit if fit.form.season != "none" else None
    indices = seasonal_indices(y, season_length)
    return ClassicalSeason(indices, len(y)) if indices is not None else None


def _ets(y: np.ndarray, m: int, method: str = "lm", **choices):
    return fit_ets(y, m, forms=candidate_forms(y, m, **choices), method=method)


# name → (minimum length, fit(y, season_length), whether it models the season itself); the others are fitted to the
# seasonally adjusted series when there is a season (:func:`_season`), and put back on the original scale
MEMBERS = {
    "theta": (3, lambda y, m: fit_theta(y), False),
    "auto_theta": (3, lambda y, m: fit_auto_theta(y), False),
    "ets": (3, partial(_ets, method="grid", errors=("add",), trends=("none", "damped"), seasons=("none",)), False),
    "damped": (5, partial(_ets, method="grid", errors=("add",), trends=("damped",), seasons=("none",)), False),
    "ets_trend": (3, partial(_ets, method="grid", errors=("add",), seasons=("none",)), False),
    "drift": (3, lambda y, m: fit_drift(y), False),
    "ets_aicc": (3, _ets, True),
}
ANNUAL_MEMBERS = ("theta", "ets_trend", "drift")
SEASONAL_MEMBERS = ("auto_theta", "damped", "drift", "ets_aicc")
MAX_LOG_RATIO = 2.0  # relative paths stay within e^±2 of the forecast: heavy log tails must not blow up the mean
MAX_TYPICAL_GROWTH = 0.25  # median |Δ log y| above this (early, explosive growth) keeps the absolute spread
SPREADS = ("moderate", "relative", "absolute")  # when the annual spread is relative (see the module docstring)
SEASONALITIES = ("ets", "acf")  # what takes the season out for the members that do not model it (:func:`_season`)
COMBINATIONS = ("mixture", "median")  # how members' paths combine (:func:`combine`)
WEIGHTS = ("median", "learned")  # the members' median, or weights learned from the series' features
RECENT_WEIGHT = 0.85  # per-year decay of the weights of past log changes in the relative spread (half-life ~4 years)
# Paths' spread around the forecast scaled, by season length, where validation chose a factor (benchmarks/README.md)
WIDTHS = {4: 1.2}


def path_width(season_length: int, width: float | None = None) -> float:
    """The factor on the paths' deviations from the forecast: ``width`` if given, else the validated one for the
    season length (:data:`WIDTHS`; 1 where none was chosen)."""
    return WIDTHS.get(season_length, 1.0) if width is None else float(width)


def path_dof(n: int, dof: float | None = None) -> float:
    """Degrees of freedom of the paths' Student-t innovations for a series of ``n`` points: n - 3, so that few
    points behind the error scale give heavier tails (as in the baselines), at most ``dof`` if given."""
    return float(min(max(n - 3, 1), np.inf if dof is None else dof))


def recent_scale(log_y: np.ndarray, decay: float = RECENT_WEIGHT) -> float:
    """How the recent spread of the log changes compares with their whole-history spread: the
    ``decay``-weighted RMS of the de-meaned changes over the plain RMS (1 when there is nothing to compare)."""
    changes = np.diff(log_y)
    r = changes - changes.mean()
    plain = float(np.mean(r**2))
    if len(r) < 2 or plain <= 0:
        return 1.0
    weights = decay ** np.arange(len(r))[::-1]
    return float(np.sqrt(np.sum(weights * r**2) / np.sum(weights) / plain))


def fit_members(
    y: np.ndarray, season_length: int, names: tuple[str, ...], seasonality: str = "ets", memo: dict | None = None
) -> list[Fit]:
    """Fit each named member whose minimum length ``y`` meets; members that do not model the season themselves
    see the seasonally adjusted series (:func:`_season`). ``memo`` (name → fit, for this ``y``) lets a
    validation run share fits between rules."""
    unknown = set(names) - set(MEMBERS)
    if unknown:
        raise ValueError(f"auto: unknown member(s) {sorted(unknown)}; choose from {sorted(MEMBERS)}")
    memo = {} if memo is None else memo
    fits = []
    for name in names:
        need, fit, seasonal = MEMBERS[name]
        if len(y) < need:
            continue
        key = name if seasonal else (name, seasonality)
        if key not in memo:
            season = None if seasonal else _season(y, season_length, seasonality, memo)
            if seasonal:
                memo[key] = fit(y, season_length)
            elif season is None:
                memo[key] = fit(y, 1)
            else:
                memo[key] = Reseasonalised(fit(season.adjust(y), 1), season)
        fits.append(memo[key])
    if not fits:
        raise ValueError(f"auto: no member fits a series of {len(y)} points")
    return fits


def fitted_names(n: int, names: tuple[str, ...]) -> tuple[str, ...]:
    """The members of ``names`` that :func:`fit_members` fits on a series of ``n`` points, in its order."""
    return tuple(name for name in names if n >= MEMBERS[name][0])


def log_members(
    y: np.ndarray,
    season_length: int,
    names: tuple[str, ...],
    spread: str,
    recent_weight: float,
    memo: dict | None = None,
) -> tuple[list[Fit] | None, float]:
    """For a relative spread (annual, strictly positive and, under 'moderate', not explosively growing): the
    members fitted to log(y) and the recent-to-whole-history scale of the log changes; else (None, 1)."""
    relative = season_length == 1 and bool(np.all(y > 0)) and spread != "absolute"
    if relative and spread == "moderate":
        relative = float(np.median(np.abs(np.diff(np.log(y))))) < MAX_TYPICAL_GROWTH
    if not relative:
        return None, 1.0
    return fit_members(np.log(y), 1, names, memo=memo), recent_scale(np.log(y), recent_weight)


def path_limit(y: np.ndarray) -> float:
    """No path goes beyond e^MAX_LOG_RATIO times the largest value seen (either sign): a member with a huge
    relative error (multiplicative ETS on an erratic series) would otherwise compound it without bound."""
    return float(np.exp(MAX_LOG_RATIO) * np.max(np.abs(y)))


def forecast_paths(
    fits: list[Fit],
    log_fits: list[Fit] | None,
    log_scale: float,
    h: int,
    z: np.ndarray,
    combination: str,
    limit: float = np.inf,
    width: float = 1.0,
    weights: np.ndarray | None = None,
    how: str = "median",
) -> np.ndarray:
    """Paths centred on the median of the members' point forecasts, spread as ``combination`` combines the
    members' paths (or, with ``log_fits``, their log-scale paths as ratios around the point, times ``log_scale``),
    within ±``limit``, their deviations from the point times ``width``. With ``weights`` (one per fit), the point is
    their weighted ``how`` ('median' or 'mean') and a mixture draws each member's share of the paths by weight."""
    points = np.array([fit.point(h) for fit in fits])
    point = np.median(points, axis=0) if weights is None else combine_points(points, weights, how)
    if log_fits is not None:
        log_paths = combine(log_fits, h, z, combination, weights)
        deviation = log_scale * (log_paths - np.median(log_paths, axis=0))
        paths = point * np.exp(np.clip(deviation, -MAX_LOG_RATIO, MAX_LOG_RATIO))
    else:
        paths = combine(fits, h, z, combination, weights)
    paths = np.clip(paths, -limit, limit)
    return point + width * (paths - paths.mean(axis=0))


def combine(fits: list[Fit], h: int, z: np.ndarray, combination: str, weights: np.ndarray | None = None) -> np.ndarray:
    """Members' paths under the shared innovations ``z``: a mixture (path i from member i mod k; with ``weights``,
    member k's share of the paths is its weight) or the per-path (weighted) median."""
    member = np.array([fit.paths(h, z) for fit in fits])
    if combination == "mixture":
        if weights is None:
            which = np.arange(len(z)) % len(member)
        else:
            which = np.minimum(np.searchsorted(np.cumsum(weights), (np.arange(len(z)) + 0.5) / len(z)), len(member) - 1)
        return member[which, np.arange(len(z))]
    if weights is None:
        return np.median(member, axis=0)
    return np.array([weighted_median(member[:, i], weights) for i in range(len(z))])


@register("auto")
class Auto(Model):
    """Median of fast Theta, ETS and drift members under shared innovations, their paths mixed.

    Members by frequency (see the module docstring); members whose minimum length a short series does not meet
    drop out."""

    capabilities = Capabilities(min_length=3, seasonal=True, simplicity=130)

    def __init__(
        self,
        members: tuple[str, ...] | None = None,
        spread: str = "moderate",
        recent_weight: float = RECENT_WEIGHT,
        combination: str = "mixture",
        seasonality: str = "ets",
        width: float | None = None,
        dof: float | None = None,
        weights: str = "median",
    ):
        if spread not in SPREADS:
            raise ValueError(f"auto: unknown spread {spread!r}; choose from {', '.join(SPREADS)}")
        if combination not in COMBINATIONS:
            raise ValueError(f"auto: unknown combination {combination!r}; choose from {', '.join(COMBINATIONS)}")
        self.members, self.spread, self.recent_weight = members, spread, recent_weight
        if seasonality not in SEASONALITIES:
            raise ValueError(f"auto: unknown seasonality {seasonality!r}; choose from {', '.join(SEASONALITIES)}")
        self.combination, self.seasonality = combination, seasonality
        if width is not None and not width > 0:
            raise ValueError(f"auto: width must be positive, got {width}")
        if dof is not None and not dof > 2:
            raise ValueError(f"auto: dof must be above 2 (a finite variance), got {dof}")
        self.width, self.dof = width, dof
        if weights not in WEIGHTS:
            raise ValueError(f"auto: unknown weights {weights!r}; choose from {', '.join(WEIGHTS)}")
        self.weights = weights

    def _fit(self, y, season_length):
        self.members_ = self.members or (ANNUAL_MEMBERS if season_length == 1 else SEASONAL_MEMBERS)
        self.fits_ = fit_members(y, season_length, self.members_, self.seasonality)
        self.log_fits_, self.recent_scale_ = log_members(
            y, season_length, self.members_, self.spread, self.recent_weight
        )
        self.limit_ = path_limit(y)
        self.width_ = path_width(season_length, self.width)
        self.dof_ = path_dof(len(y), self.dof)
        self.fitted_names_ = fitted_names(len(y), self.members_)

    def member_weights(self, h: int) -> np.ndarray | None:
        """The learned weights of the fitted members for horizon ``h`` (None under the median)."""
        if self.weights == "median":
            return None
        return member_weights(self.y_, self.season_length_, h, self.fitted_names_)

    def sample_paths(self, h, n_paths, seed=None):
        z = innovations(np.random.default_rng(seed), n_paths, h, 1.0, self.dof_, unit_variance=True)
        weights = self.member_weights(h)
        how = load()["combination"] if weights is not None else "median"
        return forecast_paths(
            self.fits_,
            self.log_fits_,
            self.recent_scale_,
            h,
            z,
            self.combination,
            self.limit_,
            self.width_,
            weights,
            how,
        )

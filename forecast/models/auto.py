"""``auto``, the default: the median of three fast members — Theta, exponential smoothing and random walk with
drift — fitted in numpy (:mod:`forecast.models.smoothing`, a few ms per series where statsmodels takes 50–100 ms).

Members, chosen by ``benchmarks/models_accuracy.py`` (MASE; statsforecast's AutoTheta / AutoETS in the same run):

- annual: dynamic optimised Theta, ETS with AICc choosing no or damped trend, drift. M3 yearly (645 series,
  h=6): auto 2.56 against AutoTheta 2.60 and AutoETS 2.70; no member wins everywhere, and the median
  discards whichever one runs off.
- sub-annual (after a multiplicative seasonal adjustment, when an ACF test finds seasonality): Theta picking
  dynamic or static by in-sample fit (AutoTheta's rule), damped-trend ETS, drift. On M3 monthly (1,428 series,
  h=18) the annual trio scored 0.864 against AutoTheta's 0.861; each swap was measured on its own (Theta rule
  0.864 → 0.861, then damped ETS 0.861 → 0.859), and on yearly data the same swaps cost 1%, so they apply to
  seasonal data only.

The forecast (path mean) is the median of the members' point forecasts. Every member is driven by the *same*
innovations, and the paths are then shifted onto that median (the mean of per-path medians leans towards the
member with the widest spread: 0.5% MASE on M3 monthly). How the members' paths combine into the spread was
measured on 80%/95% interval coverage:

- annual: a mixture (path i from member i mod 3), so the members' disagreement — model uncertainty — widens
  the intervals. M3 yearly coverage 0.65/0.80 with per-path medians, 0.72/0.87 as a mixture; simulated 12-point
  series (``forecast.targets.calibration``), 80% coverage: random walk with drift 0.71 → 0.75, damped trend
  0.77 → 0.81, Poisson growth 0.58 → 0.63.
- seasonal: the per-path median (one member's spread). M3 monthly coverage 0.77/0.90 with medians against
  0.86/0.97 as a mixture, which would over-cover.

Relative spread (annual, strictly positive series growing less than ~25% a year on median): growing counts
have errors that grow with the level, so a spread estimated on the whole history in absolute terms is too
narrow at the end. The paths' spread is then taken from the same members fitted to log(y) (as ratios around
their median, capped at e^±2 so an exponentiated Student-t tail cannot drag the mean) and laid on the level
forecast, whose point is unchanged. Explosive early growth (the bundled series' first years: 17 → 42 → 80 →
308 trains) keeps the absolute spread — relative errors from those years would make intervals useless.
Measured (harness in the issue note; 80% coverage): M3 yearly 0.72 → 0.83 (95%: 0.87 → 0.95), MASE 2.564 →
2.567; bundled rolling windows unchanged (MASE 1.175, coverage 0.83; with the relative spread everywhere they
went to 1.84 and 1.00); simulated 12-point series: Poisson growth 0.63 → 0.79, random walk with drift 0.74 →
0.83, damped trend 0.80 → 0.85.

The log-scale spread is weighted towards recent years (:func:`recent_scale`, weights decaying by 0.85 a year):
where errors are constant in size, log-scale errors shrink as the level grows, and the whole-history average
overstated the spread at the end (a random walk with drift was covered 0.87 of the time by 80% intervals).
``python benchmarks/auto_spread.py`` (rows "moderate, equal weights" → "moderate (default)"; 600 simulated
series per process): random walk 0.850 → 0.818, damped trend 0.880 → 0.862, Poisson growth 0.798 → 0.793; M3
yearly 80% coverage 0.825 → 0.811 (95%: 0.943 → 0.939), MASE 2.567 both; bundled windows unchanged.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from forecast.models.base import Capabilities, Model, innovations
from forecast.models.registry import register
from forecast.models.smoothing import ETS_MIN_LENGTH, fit_auto_ets, fit_auto_theta, fit_ets, fit_theta, seasonal_indices


class _Drift:
    """Random walk with drift in the same ``point``/``paths`` shape as the smoothing members."""

    def __init__(self, y: np.ndarray):
        diffs = np.diff(y)
        self.last, self.slope = float(y[-1]), float(diffs.mean())
        self.sigma = float(np.sqrt(np.sum((diffs - self.slope) ** 2) / max(len(diffs) - 1, 1)))
        self.n_diffs = len(diffs)

    def point(self, h: int) -> np.ndarray:
        return self.last + self.slope * np.arange(1, h + 1)

    def paths(self, h: int, z: np.ndarray) -> np.ndarray:
        # The slope's own uncertainty rides on the first innovation so sums over steps keep it.
        slope_error = self.sigma / np.sqrt(self.n_diffs) * z[:, :1]
        return self.point(h) + slope_error * np.arange(1, h + 1) + np.cumsum(self.sigma * z, axis=1)


# name → (minimum length, fit function returning an object with ``point(h)`` and ``paths(h, z)``)
MEMBERS = {
    "theta": (3, fit_theta),
    "auto_theta": (3, fit_auto_theta),
    "ets": (3, fit_auto_ets),
    "damped": (ETS_MIN_LENGTH["damped"], partial(fit_ets, trend="damped")),
    "drift": (3, _Drift),
}
ANNUAL_MEMBERS = ("theta", "ets", "drift")
MAX_LOG_RATIO = 2.0  # relative paths stay within e^±2 of the forecast: heavy log tails must not blow up the mean
MAX_TYPICAL_GROWTH = 0.25  # median |Δ log y| above this (early, explosive growth) keeps the absolute spread
SEASONAL_MEMBERS = ("auto_theta", "damped", "drift")
SPREADS = ("moderate", "relative", "absolute")  # when the spread is relative (see the module docstring)
RECENT_WEIGHT = 0.85  # per-year decay of the weights of past log changes in the relative spread (half-life ~4 years)


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


@register("auto")
class Auto(Model):
    """Median of Theta, ETS and drift under shared innovations (members by frequency, see the module docstring);
    members whose minimum length a short series does not meet drop out."""

    capabilities = Capabilities(min_length=3, seasonal=True, simplicity=130)

    def __init__(
        self, members: tuple[str, ...] | None = None, spread: str = "moderate", recent_weight: float = RECENT_WEIGHT
    ):
        if spread not in SPREADS:
            raise ValueError(f"auto: unknown spread {spread!r}; choose from {', '.join(SPREADS)}")
        self.members, self.spread, self.recent_weight = members, spread, recent_weight

    def _fit(self, y, season_length):
        self.seasonal_ = seasonal_indices(y, season_length) if season_length > 1 else None
        adjusted = y / np.resize(self.seasonal_, len(y)) if self.seasonal_ is not None else y
        self.members_ = self.members or (SEASONAL_MEMBERS if season_length > 1 else ANNUAL_MEMBERS)
        unknown = set(self.members_) - set(MEMBERS)
        if unknown:
            raise ValueError(f"auto: unknown member(s) {sorted(unknown)}; choose from {sorted(MEMBERS)}")
        usable = [m for m in self.members_ if len(y) >= MEMBERS[m][0]]
        if not usable:
            raise ValueError(f"auto: no member fits a series of {len(y)} points")
        self.fits_ = [MEMBERS[m][1](adjusted) for m in usable]
        # Annual and strictly positive: the spread comes from the same members fitted to log(y), so errors scale
        # with the level (see "relative spread" in the module docstring).
        relative = season_length == 1 and bool(np.all(y > 0)) and self.spread != "absolute"
        if relative and self.spread == "moderate":
            relative = float(np.median(np.abs(np.diff(np.log(y))))) < MAX_TYPICAL_GROWTH
        self.log_fits_ = [MEMBERS[m][1](np.log(y)) for m in usable] if relative else None
        self.recent_scale_ = recent_scale(np.log(y), self.recent_weight) if relative else 1.0
        self.n_ = len(y)
        # Student-t tails when few points back the error scale (same rule as the baselines).
        self.dof_ = float(max(len(y) - 3, 1))

    def sample_paths(self, h, n_paths, seed=None):
        z = innovations(np.random.default_rng(seed), n_paths, h, 1.0, self.dof_, unit_variance=True)
        point = np.median([fit.point(h) for fit in self.fits_], axis=0)
        if self.log_fits_ is not None:
            log_paths = self._combine(self.log_fits_, h, z)
            deviation = self.recent_scale_ * (log_paths - np.median(log_paths, axis=0))
            deviation = np.clip(deviation, -MAX_LOG_RATIO, MAX_LOG_RATIO)
            paths = point * np.exp(deviation)
        else:
            paths = self._combine(self.fits_, h, z)
        paths += point - paths.mean(axis=0)
        if self.seasonal_ is not None:
            m = len(self.seasonal_)
            paths = paths * self.seasonal_[(self.n_ + np.arange(h)) % m]
        return paths

    def _combine(self, fits, h, z) -> np.ndarray:
        """Members' paths under the shared innovations ``z``: a mixture on annual data, else per-path medians."""
        member = np.array([fit.paths(h, z) for fit in fits])
        if self.season_length_ == 1:
            return member[np.arange(len(z)) % len(member), np.arange(len(z))]  # path i from member i mod k
        return np.median(member, axis=0)

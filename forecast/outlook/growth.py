"""Paths for series too short for a model to measure its own uncertainty (fewer than :data:`MIN_HISTORY`
consecutive years): the last value grown by the growth the whole network has shown *at that size*, adjusted by
what the entity's own growth has shown.

Young hubs grow fast from small bases and slow down as they grow; some hubs grow persistently faster or slower
than their size suggests. Resampling every pooled rate regardless of size gave a 1,000-train hub the growth of
20-train start-ups and 80% intervals spanning a factor of ten. Instead a random-intercept model (statsmodels
``MixedLM``) over every year-on-year growth of every entity (counting basis ``reported``; consecutive years the
reconciled series pin down, which includes years implied by a growth rate stated with a full-year total):

    log growth[e, t] = a + b · log(level[e, t-1]) + u[e] + noise,   u[e] ~ N(0, tau²),  noise ~ N(0, sigma²)

Per path: (a, b) drawn from their sampling distribution, the entity's own effect ``u`` from its posterior
(best linear unbiased prediction and conditional variance; N(0, tau²) for an entity without a growth rate of its
own) and fixed along the path, fresh noise each step; the level is updated step by step so growth slows as a path
grows. ``b`` is capped at 0: a larger hub is never assumed to grow faster. When the mixed model cannot be fitted
(fewer than three entities, no convergence) the entity effects are left out (ordinary least squares); with fewer
than :data:`MIN_SIZE_RATES` rates the size effect is left out too (growth = the pooled mean). The noise is
Student-t with the residual degrees of freedom, so a handful of rates gives honest, wide tails (clipped at
:data:`MAX_NOISE` scale units a year, since an exponentiated Student-t has no mean), and its scale shrinks with
size as the residuals do.

Paths follow only :data:`DRIFT` of the expected growth (fixed effects and the entity's own effect; the spreads are
kept): rates measured while the network boomed overstate what followed. Histories shorter than :data:`MIN_HISTORY`
years use this model; both numbers were chosen by the retrospective nowcast on 2012-2020 and checked on 2021-2024
(``benchmarks/README.md``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from forecast.data.schema import DEFAULT_BASIS
from forecast.data.vintage import Vintage
from forecast.models.base import innovations

MIN_HISTORY = 6
MIN_POOLED_RATES = 3  # a mean and a spread with one degree of freedom to spare
MIN_SIZE_RATES = 6  # growth on size: two fitted parameters leave four residuals
MIN_ENTITIES = 3  # a between-entity variance needs at least three entities
MAX_NOISE = 3.0  # a year's noise is clipped at 3 scale units: Student-t tails on the log scale have no mean
DRIFT = 0.25  # share of the pooled expected growth a path follows (chosen on 2012-2020, see benchmarks/README.md)
BOOM = 1.0  # a year more than twice (or under half) the one before starts a new regime (chosen on the replay)


CALM_YEARS = 2  # a boom is over once this many year-on-year changes after it stay within BOOM


def jumps(log_growth: np.ndarray) -> np.ndarray:
    """Which year-on-year log rates change by more than :data:`BOOM`: a new regime (a start-up, a new counting)."""
    return np.abs(np.asarray(log_growth, dtype=float)) > np.log1p(BOOM)


def settled_start(log_growth: np.ndarray) -> int:
    """Where a series' settled growth begins in its consecutive year-on-year log rates: after the last change of
    more than :data:`BOOM` (a new regime: a start-up, a new counting) that at least :data:`CALM_YEARS` calmer
    rates follow; 0 when there is none, or when the boom is what the latest years still show."""
    jumps_at = np.flatnonzero(jumps(log_growth))
    if not len(jumps_at) or len(log_growth) - 1 - jumps_at[-1] < CALM_YEARS:
        return 0
    return int(jumps_at[-1]) + 1


@dataclass(frozen=True)
class GrowthModel:
    """Growth on size as seen by one entity: fixed effects and their covariance, the entity's own effect (mean,
    sd) and the per-step noise sd at the pool's typical log level ``noise_ref``, scaled by ``exp(noise_slope ·
    (log level - noise_ref))`` elsewhere."""

    coef: np.ndarray
    cov: np.ndarray
    effect_mean: float
    effect_sd: float
    noise_sd: float
    method: str
    dof: float = np.inf
    noise_slope: float = 0.0
    noise_ref: float = 0.0
    noise_range: tuple[float, float] = (-np.inf, np.inf)

    def noise_at(self, log_level) -> np.ndarray:
        """The year-to-year noise sd at ``log_level`` (held within the pool's range of levels)."""
        x = np.clip(np.asarray(log_level, dtype=float), *self.noise_range)
        return self.noise_sd * np.exp(self.noise_slope * (x - self.noise_ref))


@dataclass(frozen=True)
class GrowthPool:
    """Year-on-year log growth rates of one metric across entities, with the log level each grew from."""

    entity: np.ndarray
    log_level: np.ndarray
    growth: np.ndarray

    def __len__(self) -> int:
        return len(self.growth)

    @property
    def fingerprint(self) -> tuple:
        """Equal for pools of the same rates (fits are shared between dates that know the same growth)."""
        return (tuple(self.entity), self.log_level.tobytes(), self.growth.tobytes())

    def fit(self, entity: str) -> GrowthModel:
        """The random-intercept model of the module docstring as seen by ``entity`` (least squares without
        entity effects when it cannot be fitted)."""
        if len(self) < MIN_SIZE_RATES:
            return self._least_squares(size=False)
        mixed = self._mixed(entity) if len(set(self.entity)) >= MIN_ENTITIES else None
        model = mixed or self._least_squares()
        residuals = self.growth - model.coef[0] - model.coef[1] * self.log_level
        if mixed is not None:
            residuals = residuals - self._mixed_fit.random_effects_array
        slope, ref, sd = _noise_by_size(self.log_level, residuals)
        span = (float(self.log_level.min()), float(self.log_level.max()))
        return replace(model, noise_slope=slope, noise_ref=ref, noise_sd=sd, noise_range=span)

    def _mixed(self, entity: str) -> GrowthModel | None:
        fit = self._mixed_fit
        if fit is None:
            return None
        tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
        coef, cov = fit.fe_params.to_numpy(), fit.cov_params().iloc[:2, :2].to_numpy()
        mine = (self.entity == entity) & ~jumps(self.growth)  # its own growth, not its start-up jumps
        own = int(mine.sum())
        if own and tau2 > 0:  # the random intercept's posterior (BLUP) from the entity's settled rates
            residual = self.growth[mine] - coef[0] - coef[1] * self.log_level[mine]
            mean = float(tau2 / (tau2 + sigma2 / own) * residual.mean())
            sd = float(np.sqrt(1.0 / (1.0 / tau2 + own / sigma2)))
        else:
            mean, sd = 0.0, float(np.sqrt(tau2))
        return GrowthModel(coef, cov, mean, sd, float(np.sqrt(sigma2)), "mixed", float(len(self) - 2))

    @cached_property
    def _mixed_fit(self):
        """The MixedLM fit (one per pool, whatever entity asks), or None when it is unusable."""
        frame = pd.DataFrame({"entity": self.entity, "x": self.log_level, "g": self.growth})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # boundary and convergence chatter: the result is checked below
            try:
                fit = smf.mixedlm("g ~ x", frame, groups=frame["entity"]).fit(reml=True)
            except (np.linalg.LinAlgError, ValueError):
                return None
        tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
        cov = fit.cov_params().iloc[:2, :2].to_numpy()
        usable = fit.converged and np.isfinite(tau2) and tau2 >= 0 and sigma2 > 0 and np.all(np.isfinite(cov))
        if not usable or np.linalg.eigvalsh(cov).min() < 0:  # e.g. tau² on the boundary: no entity effects
            return None
        fit.random_effects_array = np.array([float(fit.random_effects[e].iloc[0]) for e in self.entity])
        return fit

    def _least_squares(self, size: bool = True) -> GrowthModel:
        """Growth on log size (``size``) or the pooled mean alone, by least squares."""
        X = np.column_stack([np.ones(len(self)), self.log_level]) if size else np.ones((len(self), 1))
        fitted, *_ = np.linalg.lstsq(X, self.growth, rcond=None)
        resid = self.growth - X @ fitted
        dof = max(len(self) - X.shape[1], 1)
        sigma2 = float(resid @ resid) / dof
        coef, cov = np.zeros(2), np.zeros((2, 2))
        coef[: X.shape[1]], cov[: X.shape[1], : X.shape[1]] = fitted, sigma2 * np.linalg.pinv(X.T @ X)
        return GrowthModel(coef, cov, 0.0, 0.0, float(np.sqrt(sigma2)), "ols" if size else "mean", float(dof))


def pooled_growth(vintage: Vintage, metric: str) -> GrowthPool:
    """Every year-on-year log growth of ``metric`` on the ``reported`` basis that ``vintage`` knows: consecutive
    years the facts pin down, each series reconciled by the data layer (so a year implied by a stated rate, such
    as Wuhan 2014 from "164 trains in 2015, up 500%", counts, and a conflicting figure set aside does not)."""
    entity, level, growth = [], [], []
    for key in vintage.keys(metrics=(metric,), basis=DEFAULT_BASIS):
        pinned = vintage.series(*key).pinned
        pinned = pinned[pinned > 0]
        years = pinned.index.to_numpy()
        follows = np.flatnonzero(np.diff(years) == 1)
        logs = np.log(pinned.to_numpy(dtype=float))
        steps = logs[follows + 1] - logs[follows]
        entity += [key[0]] * len(follows)
        level += list(logs[follows])
        growth += list(steps)
    return GrowthPool(np.array(entity, dtype=object), np.array(level, dtype=float), np.array(growth, dtype=float))


def _noise_by_size(log_level: np.ndarray, residuals: np.ndarray) -> tuple[float, float, float]:
    """How the growth noise shrinks with size: the slope of log |residual| on log level (least squares on
    log r² + 1.27, the mean of log χ²₁; capped to [-1, 0]: larger series never get noisier), the reference level
    (the pool's mean) and the sd there, scaled so the pool's average variance is the residuals' own."""
    x = log_level - log_level.mean()
    y = np.log(np.maximum(residuals**2, 1e-12)) + 1.27
    slope = float(np.clip(0.5 * (x @ (y - y.mean())) / max(x @ x, 1e-12), -1.0, 0.0))
    shape = np.exp(2 * slope * x)
    sd = float(np.sqrt(np.mean(residuals**2) / np.mean(shape)))
    return slope, float(log_level.mean()), sd


def growth_paths(model: GrowthModel, last, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """``last`` (one level, or one per path) grown ``horizon`` steps by ``model`` (see the module docstring),
    shape ``(n_paths, horizon)``."""
    params = DRIFT * rng.multivariate_normal(model.coef, model.cov, size=n_paths, method="eigh")
    params[:, 1] = np.minimum(params[:, 1], 0.0)
    effect = DRIFT * model.effect_mean + model.effect_sd * rng.standard_normal(n_paths)
    log_level = np.log(np.maximum(np.broadcast_to(np.asarray(last, dtype=float), (n_paths,)), 1e-9))
    out = np.empty((n_paths, horizon))
    for step in range(horizon):
        draws = np.clip(innovations(rng, n_paths, 1, 1.0, model.dof)[:, 0], -MAX_NOISE, MAX_NOISE)
        noise = model.noise_at(log_level) * draws
        log_level = log_level + params[:, 0] + params[:, 1] * log_level + effect + noise
        out[:, step] = np.exp(log_level)
    return out

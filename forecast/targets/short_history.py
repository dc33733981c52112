"""Paths for series too short for a model to measure its own uncertainty (fewer than :data:`MIN_HISTORY`
consecutive years): the last value grown by the growth the whole network has shown *at that size*, adjusted by
what the entity's own growth has shown.

Young hubs grow fast from small bases and slow down as they grow; some hubs grow persistently faster or slower
than their size suggests. Resampling every pooled rate regardless of size gave a 1,000-train hub the growth of
20-train start-ups and 80% intervals spanning a factor of ten. Instead a random-intercept model (statsmodels
``MixedLM``) over every year-on-year growth of every entity (counting basis ``reported``; consecutive full years,
and growth rates stated with a full-year total):

    log growth[e, t] = a + b · log(level[e, t-1]) + u[e] + noise,   u[e] ~ N(0, tau²),  noise ~ N(0, sigma²)

Per path: (a, b) drawn from their sampling distribution, the entity's own effect ``u`` from its posterior
(best linear unbiased prediction and conditional variance; N(0, tau²) for an entity without a growth rate of its
own) and fixed along the path, fresh noise each step; the level is updated step by step so growth slows as a path
grows. ``b`` is capped at 0: a larger hub is never assumed to grow faster. When the mixed model cannot be fitted
(fewer than three entities, no convergence) the entity effects are left out (ordinary least squares); with fewer
than :data:`MIN_SIZE_RATES` rates the size effect is left out too (growth = the pooled mean). The noise is
Student-t with the residual degrees of freedom, so a handful of rates gives honest, wide tails.

Why six years: on the bundled data, histories shorter than that are better served this way than by any model
fitted to the series alone (``python benchmarks/targets_calibration.py``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from forecast.data.schema import DEFAULT_BASIS
from forecast.models.base import innovations
from forecast.targets import facts as F

MIN_HISTORY = 6
MIN_POOLED_RATES = 3  # a mean and a spread with one degree of freedom to spare
MIN_SIZE_RATES = 6  # growth on size: two fitted parameters leave four residuals
MIN_ENTITIES = 3  # a between-entity variance needs at least three entities


@dataclass(frozen=True)
class GrowthModel:
    """Growth on size as seen by one entity: fixed effects and their covariance, the entity's own effect (mean,
    sd) and the per-step noise sd."""

    coef: np.ndarray
    cov: np.ndarray
    effect_mean: float
    effect_sd: float
    noise_sd: float
    method: str
    dof: float = np.inf


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
        return mixed or self._least_squares()

    def _mixed(self, entity: str) -> GrowthModel | None:
        fit = self._mixed_fit
        if fit is None:
            return None
        tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
        coef, cov = fit.fe_params.to_numpy(), fit.cov_params().iloc[:2, :2].to_numpy()
        own = int(np.sum(self.entity == entity))
        if own and tau2 > 0:
            mean, sd = float(fit.random_effects[entity].iloc[0]), float(np.sqrt(1.0 / (1.0 / tau2 + own / sigma2)))
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


def pooled_growth(known: pd.DataFrame, metric: str) -> GrowthPool:
    """Every year-on-year log growth rate of ``metric`` on the ``reported`` basis in ``known``: consecutive full
    years of one entity, and growth stated with a full-year total where the year before is not known itself
    ("164 trains in 2015, up 500%")."""
    rows = known[(known["metric"] == metric) & (known["basis"] == DEFAULT_BASIS)]
    table = F.annual_table(rows)
    table = table[table["value"] > 0].sort_values(["entity", "year"])
    same = table["entity"].eq(table["entity"].shift()) & table["year"].eq(table["year"].shift() + 1)
    log_value = np.log(table["value"])
    pairs = pd.DataFrame({"entity": table["entity"], "year": table["year"], "x": log_value.shift(),
                          "g": log_value.diff()})[same]  # fmt: skip
    stated = _stated_growth(rows)
    stated = stated[~stated.set_index(["entity", "year"]).index.isin(pairs.set_index(["entity", "year"]).index)]
    rates = pd.concat([pairs, stated], ignore_index=True).sort_values(["entity", "year"])
    return GrowthPool(rates["entity"].to_numpy(), rates["x"].to_numpy(dtype=float), rates["g"].to_numpy(dtype=float))


def _stated_growth(rows: pd.DataFrame) -> pd.DataFrame:
    """(entity, year, log previous level, log growth) from full-year totals stated with a growth rate."""
    start = rows["period_start"]
    whole = (start.dt.month == 1) & (start.dt.day == 1) & (rows["period_end"] == start + pd.offsets.YearEnd(0))
    stated = rows[whole & (rows["kind"] == "total") & (rows["value"] > 0) & (rows["yoy_pct"] > -100)]
    stated = stated.assign(year=stated["period_start"].dt.year).drop_duplicates(["entity", "year"])
    growth = np.log1p(stated["yoy_pct"] / 100.0)
    return pd.DataFrame({"entity": stated["entity"], "year": stated["year"],
                         "x": np.log(stated["value"]) - growth, "g": growth})  # fmt: skip


def growth_paths(model: GrowthModel, last: float, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """``last`` grown ``horizon`` steps by ``model`` (see the module docstring), shape ``(n_paths, horizon)``."""
    params = rng.multivariate_normal(model.coef, model.cov, size=n_paths, method="eigh")
    params[:, 1] = np.minimum(params[:, 1], 0.0)
    effect = model.effect_mean + model.effect_sd * rng.standard_normal(n_paths)
    log_level = np.full(n_paths, np.log(max(last, 1e-9)))
    out = np.empty((n_paths, horizon))
    for step in range(horizon):
        noise = model.noise_sd * innovations(rng, n_paths, 1, 1.0, model.dof)[:, 0]
        log_level = log_level + params[:, 0] + params[:, 1] * log_level + effect + noise
        out[:, step] = np.exp(log_level)
    return out

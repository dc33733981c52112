"""Fast numpy ETS: the error/trend/season forms of Hyndman et al. (2008), fitted by maximum likelihood and chosen
by AICc, as statsforecast's AutoETS and R's ``forecast::ets`` do.

Written in absolute errors ``ε = y - ŷ``, every form is one recursion (additive or multiplicative season, no,
additive or damped trend); the error type only changes the likelihood. So all forms and many parameter sets run
side by side as arrays, one Python loop over time driving hundreds of candidate models:

1. a coarse grid of smoothing parameters, from heuristic initial states (a classical decomposition and a line
   through the first seasons, AutoETS's start), ranks the candidates of each form;
2. the best of each form is refined by Levenberg–Marquardt on all its parameters (smoothing and initial states,
   in AutoETS's "usual" region: 0 < β < α, 0 < γ < 1 − α, 0.8 ≤ φ ≤ 0.98), its forward-difference Jacobian
   computed in the same batched run;
3. AICc picks the form. The fit turns standard innovations into sample paths through its own state equations.

The forms, their recursion and likelihood are :mod:`forecast.models.ets_forms`; this module fits them, for the
registered ``ets`` (:mod:`forecast.models.ets`) and ``auto``'s ETS members alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np

from forecast.models.ets_forms import (
    ERRORS,
    N_SMOOTHING,
    SEASONS,
    TRENDS,
    Form,
    aicc,
    candidate_forms,
    neg2_from_sse,
    neg2_loglik,
    residuals,
    run,
    unpack,
)
from forecast.models.smoothing import classical_indices

__all__ = [
    "ERRORS",
    "SEASONS",
    "TRENDS",
    "EtsFit",
    "Form",
    "aicc",
    "candidate_forms",
    "fit_ets",
    "neg2_loglik",
    "refilter",
    "run",
]

PHI_BOUNDS = (0.8, 0.98)
SMOOTHING_BOUNDS = (1e-4, 0.9999)
FIRST_ITERATIONS, LM_ITERATIONS = 3, 8  # Levenberg–Marquardt steps before and after pruning
LM_TOLERANCE = 1e-6  # relative improvement of the sum of squares below which the refinement stops
PRUNE_AICC = 10.0  # forms this far behind the best after the first steps are not refined further
_GRID = {  # coarse starting grid: α, β/α, γ/(1-α), φ
    "alpha": (0.05, 0.2, 0.5, 0.8, 0.98),
    "beta": (0.02, 0.2, 0.6),
    "gamma": (0.02, 0.15, 0.4),
    "phi": (0.85, 0.95),
}


def _bounds(m: int) -> tuple[np.ndarray, np.ndarray]:
    size = N_SMOOTHING + 2 + max(m - 1, 0)
    lower, upper = np.full(size, -np.inf), np.full(size, np.inf)
    lower[:3], upper[:3] = SMOOTHING_BOUNDS
    lower[3], upper[3] = PHI_BOUNDS
    return lower, upper


def _start(y: np.ndarray, m: int, form: Form) -> np.ndarray:
    """Heuristic initial states (as AutoETS): seasonal indices of a classical decomposition, then a line
    (or a mean, without trend) through the first max(10, 2m) seasonally adjusted points."""
    theta = np.zeros(N_SMOOTHING + 2 + max(m - 1, 0))
    theta[3] = 1.0
    adjusted = y
    if form.season != "none":
        multiplicative = form.season == "mul"
        idx = classical_indices(y, m, multiplicative)
        phase = idx[np.arange(len(y)) % m]
        adjusted = y / phase if multiplicative else y - phase
        theta[6:] = idx[:-1]
    first = adjusted[: min(max(10, 2 * m), len(y))]
    if form.trend == "none":
        theta[4] = first.mean()
    else:
        slope, intercept = np.polyfit(np.arange(1, len(first) + 1), first, 1)
        theta[4], theta[5] = intercept, slope
    return theta


def _grid_points(form: Form) -> np.ndarray:
    """Smoothing-parameter starting points (4, G) for ``form``."""
    axes = [
        _GRID["alpha"],
        _GRID["beta"] if form.trend != "none" else (0.0,),
        _GRID["gamma"] if form.season != "none" else (0.0,),
        _GRID["phi"] if form.trend == "damped" else (1.0,),
    ]
    return np.array(list(product(*axes))).T


def _profiled(y: np.ndarray, theta: np.ndarray, trend: bool) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares initial level and trend for every column of θ (smoothing parameters set, no season,
    additive error): the errors are linear in (ℓ0, b0), so three systems run side by side — the series from zero
    states, and no input from a unit level and from a unit trend — and SSE over (ℓ0, b0) is a 2×2 solve.
    Without ``trend``, b0 stays 0. Returns θ with those states and the SSEs."""
    G = theta.shape[1]
    batch = np.tile(theta, 3)
    batch[4:6] = 0.0
    batch[4, G : 2 * G] = batch[5, 2 * G :] = 1.0
    inputs = np.zeros((len(y), 3 * G))
    inputs[:, :G] = y[:, None]
    fitted, *_ = run(inputs, batch, 1, np.zeros(3 * G, dtype=bool))
    errors = inputs - fitted
    ey, eu, ev = errors[:, :G], errors[:, G : 2 * G], errors[:, 2 * G :]
    uu, uv, vv = (eu * eu).sum(0), (eu * ev).sum(0), (ev * ev).sum(0)
    uy, vy, yy = (eu * ey).sum(0), (ev * ey).sum(0), (ey * ey).sum(0)
    det = uu * vv - uv**2
    safe = (np.abs(det) > 1e-10 * np.maximum(uu * vv, 1e-300)) & trend
    l0 = np.where(safe, -(vv * uy - uv * vy) / np.where(safe, det, 1.0), -uy / np.maximum(uu, 1e-300))
    b0 = np.where(safe, -(uu * vy - uv * uy) / np.where(safe, det, 1.0), 0.0)
    sse = yy + 2 * (l0 * uy + b0 * vy) + l0**2 * uu + 2 * l0 * b0 * uv + b0**2 * vv
    out = theta.copy()
    out[4], out[5] = l0, b0
    return out, np.maximum(sse, 0.0)


@lru_cache(maxsize=3)
def _fine_grid(trend: str) -> np.ndarray:
    """The smoothing-parameter grid (θ rows, G) searched with least-squares states: 50 values of α without trend;
    α × β/α × φ (13 × 7 × 5) with a damped trend."""
    if trend == "none":
        grid = np.array([[a, 0.0, 0.0, 1.0] for a in np.linspace(0.01, 0.99, 50)]).T
    else:
        alphas = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99]
        betas = [0.01, 0.05, 0.1, 0.2, 0.35, 0.6, 1.0]
        phis = [0.8, 0.86, 0.92, 0.96, 0.98] if trend == "damped" else [1.0]
        grid = np.array(list(product(alphas, betas, [0.0], phis))).T
    return np.vstack([grid, np.zeros((2, grid.shape[1]))])


def _lm(y, m, forms, theta, iterations=LM_ITERATIONS):
    """Levenberg–Marquardt on every form at once: θ (P, F) → refined θ and −2 log-likelihoods."""
    P, F = theta.shape
    mask = np.array([f.active(m) for f in forms]).T  # (P, F)
    mult = np.array([f.season == "mul" for f in forms])
    mul_error = np.array([f.error == "mul" for f in forms])
    lower, upper = _bounds(m)
    damping = np.full(F, 1e-2)
    best_cost, best_theta = np.full(F, np.inf), theta.copy()
    normal = rhs = None
    settled = np.zeros(F, dtype=bool)  # the last accepted step improved by less than LM_TOLERANCE
    for _ in range(iterations + 1):
        step = 1e-6 * np.maximum(1.0, np.abs(theta))
        step = np.where(theta + step > upper[:, None], -step, step) * mask
        batch = np.concatenate([theta[:, None, :], theta[:, None, :] + np.eye(P)[:, :, None] * step[None]], axis=1)
        fitted, *_ = run(y, batch.reshape(P, -1), m, np.tile(mult, P + 1))
        r = residuals(y, fitted, np.tile(mul_error, P + 1)).reshape(len(y), P + 1, F)
        cost = np.sum(r[:, 0] ** 2, axis=0)
        cost = np.where(np.isfinite(cost), cost, np.inf)
        better = cost < best_cost
        settled |= (better & (cost > best_cost * (1 - LM_TOLERANCE))) | (damping > 1e8)
        damping = np.where(better, damping / 3, damping * 10)
        best_cost = np.where(better, cost, best_cost)
        best_theta[:, better] = theta[:, better]
        if settled.all():
            break
        jac = np.where(mask[None], (r[:, 1:] - r[:, :1]) / np.where(step == 0, 1.0, step)[None], 0.0)
        jac = np.nan_to_num(jac, nan=0.0, posinf=0.0, neginf=0.0)
        jac = jac.transpose(2, 0, 1)  # (F, n, P)
        new_normal = np.matmul(jac.transpose(0, 2, 1), jac)
        new_rhs = np.matmul(jac.transpose(0, 2, 1), np.nan_to_num(r[:, 0]).T[:, :, None])[:, :, 0]
        if normal is None:
            normal, rhs = new_normal, new_rhs
        normal[better], rhs[better] = new_normal[better], new_rhs[better]
        # parameters on a bound that the gradient pushes outwards stay there (projected Gauss–Newton)
        free = mask & ~((best_theta <= lower[:, None]) & (rhs.T > 0)) & ~((best_theta >= upper[:, None]) & (rhs.T < 0))
        restricted = normal * (free.T[:, :, None] & free.T[:, None, :])
        diagonal = np.einsum("fpp->fp", restricted)
        lhs = restricted + (damping[:, None] * diagonal + 1e-12 + ~free.T)[:, :, None] * np.eye(P)[None]
        delta = -np.linalg.solve(lhs, (rhs * free.T)[:, :, None])[:, :, 0].T
        theta = np.where(free, np.clip(best_theta + delta, lower[:, None], upper[:, None]), best_theta)
    return best_theta, neg2_from_sse(best_cost, len(y))


@dataclass(frozen=True)
class EtsFit:
    """A fitted ETS form: parameters, final states (season rows from the next step on), error scale, AICc."""

    form: Form
    alpha: float
    beta: float
    gamma: float
    phi: float
    level: float
    trend: float
    season: np.ndarray
    sigma: float
    aicc: float
    seasons: np.ndarray  # the season state behind each fitted value (for seasonal adjustment by this fit)
    theta: np.ndarray  # smoothing parameters and initial states as fitted, on the series over ``scale``
    scale: float

    def adjust(self, y: np.ndarray) -> np.ndarray:
        """``y`` with this fit's seasonal states taken out."""
        return y / self.seasons if self.form.season == "mul" else y - self.seasons

    def reseasonalise(self, values: np.ndarray) -> np.ndarray:
        """Put this fit's future seasonal states back on forecasts (…, h) of an adjusted series."""
        h = values.shape[-1]
        ahead = self.season[np.arange(h) % len(self.season)]
        return values * ahead if self.form.season == "mul" else values + ahead

    def _forward(self, h: int, z: np.ndarray | None) -> np.ndarray:
        """Run the state equations ``h`` steps on from the end of the sample with standard innovations ``z``
        (n_paths × h; errors σz, relative to ŷ for a multiplicative error), or with no errors when None."""
        count = 1 if z is None else len(z)
        level, trend = np.full(count, self.level), np.full(count, self.trend)
        season = np.repeat(self.season[:, None], count, axis=1)
        mul_season, m = self.form.season == "mul", len(self.season)
        out = np.empty((count, h))
        for j in range(h):
            s = season[j % m]
            base = level + self.phi * trend
            f = base * s if mul_season else base + s
            e = 0.0 if z is None else self.sigma * z[:, j] * (f if self.form.error == "mul" else 1.0)
            scaled = e / s if mul_season else e
            level, trend = base + self.alpha * scaled, self.phi * trend + self.beta * scaled
            season[j % m] = s + self.gamma * (e / base if mul_season else e)
            out[:, j] = f + e
        return out

    def point(self, h: int) -> np.ndarray:
        """The usual point forecast (the mean of additive-error forms)."""
        return self._forward(h, None)[0]

    def paths(self, h: int, z: np.ndarray) -> np.ndarray:
        return self._forward(h, z)


def fit_ets(y: np.ndarray, season_length: int = 1, forms: list[Form] | None = None, method: str = "lm") -> EtsFit:
    """The lowest-AICc form of ``forms`` (default :func:`candidate_forms`) fitted to ``y``: by maximum likelihood
    (``method`` 'lm', every form), or ('grid', additive-error forms without season) by least squares over a
    fine smoothing-parameter grid with exactly solved initial states — a few ms for the annual members."""
    y = np.asarray(y, dtype=float)
    m = season_length if season_length > 1 else 1
    forms = forms if forms is not None else candidate_forms(y, m)
    if not forms:
        raise ValueError("ets: no form fits this series")
    scale = float(np.mean(np.abs(y))) or 1.0
    s = y / scale
    k = np.array([f.active(m).sum() + 1 for f in forms])
    if method == "grid":
        if any(f.error != "add" or f.season != "none" for f in forms):
            raise ValueError("ets: the grid method fits additive-error forms without season only")
        m = 1
        theta, sse = [], []
        for form in forms:
            found, errors = _profiled(s, _fine_grid(form.trend), form.trend != "none")
            best = int(np.argmin(errors))
            theta.append(found[:, best])
            sse.append(errors[best])
        theta, neg2 = np.array(theta).T, neg2_from_sse(np.array(sse), len(y))
    else:
        theta, neg2 = _search(s, m, forms, k)
    neg2 = neg2 + 2 * len(y) * np.log(scale)  # the likelihood of y, not of y / scale
    scores = aicc(neg2, k, len(y))
    if not np.isfinite(scores).any():  # too short for AICc: AIC
        scores = neg2 + 2 * k
    i = int(np.argmin(scores))
    if not np.isfinite(scores[i]):
        raise ValueError("ets: no form could be fitted")
    return _finish(s, scale, m, forms[i], theta[:, i], scores[i], k[i])


def _search(s: np.ndarray, m: int, forms: list[Form], k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood for every form: a coarse grid from heuristic states, a few Levenberg–Marquardt steps
    for all forms, more for those within :data:`PRUNE_AICC` of the best. Returns θ (P, F) and −2 log L of s."""
    # the grid runs once per recursion (trend, season); both error types are scored on the same run
    recursions = sorted({(f.trend, f.season) for f in forms})
    starts, owners = [], []
    for i, (trend, season) in enumerate(recursions):
        form = Form("add", trend, season)
        points = _grid_points(form)
        theta = np.repeat(_start(s, m, form)[:, None], points.shape[1], axis=1)
        theta[:N_SMOOTHING] = points
        starts.append(theta)
        owners += [i] * points.shape[1]
    theta = np.concatenate(starts, axis=1)
    owners = np.array(owners)
    fitted, *_ = run(s, theta, m, np.array([recursions[i][1] == "mul" for i in owners]))
    neg2 = {error: neg2_loglik(s, fitted, np.full(len(owners), error == "mul")) for error in ERRORS}
    best = []
    for form in forms:
        columns = np.flatnonzero(owners == recursions.index((form.trend, form.season)))
        best.append(columns[np.argmin(neg2[form.error][columns])])
    theta, neg2 = _lm(s, m, forms, theta[:, best], FIRST_ITERATIONS)
    scores = aicc(neg2, k, len(s))
    kept = np.flatnonzero(scores <= scores.min() + PRUNE_AICC)
    theta[:, kept], neg2[kept] = _lm(s, m, [forms[i] for i in kept], theta[:, kept], LM_ITERATIONS)
    return theta, neg2


def _finish(s, scale, m, form, theta, score, k) -> EtsFit:
    """Undo the scaling and roll the states to the end of the sample."""
    mult = np.array([form.season == "mul"])
    used = np.empty((len(s), 1))
    fitted, level, trend, season = run(s, theta[:, None], m, mult, used)
    alpha, beta, gamma, phi, *_ = (float(v[0]) if np.ndim(v) else float(v) for v in unpack(theta[:, None], m, mult)[:4])
    e = s - fitted[:, 0]
    raw = e / fitted[:, 0] if form.error == "mul" else e * scale
    sigma = float(np.sqrt(np.sum(raw**2) / max(len(s) - k + 1, 1)))  # k counts the variance too
    unit = 1.0 if form.season == "mul" else scale
    return EtsFit(
        form,
        alpha,
        beta,
        gamma,
        phi,
        float(level[0]) * scale,
        float(trend[0]) * scale,
        season[:, 0] * unit,
        sigma,
        float(score),
        used[:, 0] * unit,
        theta.copy(),
        scale,
    )


def refilter(fit: EtsFit, y: np.ndarray) -> EtsFit:
    """``fit``'s form, smoothing parameters and initial states run over ``y`` (the history it was fitted on, then
    new points): states rolled to the new end and σ from the new one-step errors, nothing estimated again."""
    m = len(fit.season)
    k = fit.form.active(m).sum() + 1
    return _finish(np.asarray(y, dtype=float) / fit.scale, fit.scale, m, fit.form, fit.theta, fit.aicc, k)

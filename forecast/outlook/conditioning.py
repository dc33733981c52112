"""Condition sample paths of monthly flows on what the facts say about sums of them.

Every fact about the outlook's months is a :class:`Band`: ``lo ≤ a·x ≤ hi`` for a vector of month weights ``a``
(a month, a quarter, a year-to-date, a year, the part of a milestone since launch that falls in the outlook, a
growth rate over last year). The paths are a prior sample; conditioning moves each path the way a Gaussian
posterior would (Matheron's rule, the ensemble Kalman update), with the ensemble's own covariance:

- a *narrow* band (no wider than the prior spread of ``a·x``, or than :data:`PRECISE` of itself) is an
  observation of ``a·x`` with the band's
  width as uniform observation noise (variance width²/12, plus the unevenness of partly covered months, and at
  least :data:`MIN_NOISE` of its value: sources round, revise and disagree, and a dozen exact sums over eleven
  months would otherwise over-determine them and amplify any misprint);
  narrow bands are assimilated jointly: ``x ← x + (y + ε - A x) K``, ``K = C_xg (C_gg + R)⁻¹``;
- a *wide* or open band ("more than 16,000 in eleven months") is a bound: each path's ``a·x`` is mapped through
  the normal CDF onto the normal distribution truncated to the band (ranks kept: a path far inside barely moves)
  and the path moves along the regression of ``x`` on ``a·x``. This is exact for a Gaussian prior. A milestone
  since launch that the narrow facts leave almost no room for (less than :data:`CONTRADICTED`) is set aside and
  named: a small error in a decade of totals becomes a large one in this year's part of the sum.

Growth makes priors multiplicative (a young hub's next year may be half or three times this one), where a linear
update in levels is a poor approximation. When a fact's sum varies across the prior paths by more than
:data:`LOG_SCALE_SPREAD`, the update runs twice: first on the log of the monthly flows, where such priors are
near-Gaussian and a sum's log is a smooth function of them (the ensemble smoother with multiple data
assimilation, ES-MDA: three passes with the noise inflated threefold, for the non-linearity of log-sums), then in
levels, which makes the narrow bands hold exactly. A tight prior (a long series' next year) is near-Gaussian in
levels already, where the level update alone is exact and the log pass would distort it. Finally every path is
projected into every band it still misses and months are floored at zero, so no path of a year lies below what is
already observed for it.

Only the months of the years the facts touch are conditioned this way (:func:`condition_years`). A later year
moves with the last of them path by path: its prior total scaled by how much conditioning moved that year's,
so each path keeps the growth its model gave it from there (letting 2,000 paths estimate the covariance of a
March with a month five years on would move later years by sampling noise). Sums of months are never touched
afterwards: monthly paths add up to the annual ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from forecast.data.constraints import PARTIAL_MONTH_SLACK

NARROW = 1.0  # a band at most this many prior standard deviations wide is an observation, wider ones are bounds
PRECISE = 0.05  # ... and so is one at most 5% wide, however far the prior is from it
BOUND_PASSES = 2
PROJECTION_PASSES = 20
MDA_PASSES = 3  # ES-MDA passes on the log scale, each with the observation noise inflated by this factor
MIN_NOISE = 0.005  # every observation is taken as uncertain by at least 0.5% of it (see below)
DIVERGED = 1e3  # a log-scale update that sends a month beyond 1,000 times the prior's largest is discarded
CONTRADICTED = 1e-3  # a bound the other facts leave less room than this is set aside (and named)
LOG_SCALE_SPREAD = 0.2  # the log-scale pass runs when a fact's sum varies across the prior paths by more than 20%
TINY_MASS = 1e-9


@dataclass(frozen=True)
class Band:
    """What the facts allow for ``a·x`` over the outlook's months, and which facts say so. A growth rate between
    two outlook periods is ``a = coef - r·base`` around zero, give or take ``ratio_tol`` times ``ratio_of·x`` (the
    base period's total), a width the paths themselves set (:meth:`resolved`)."""

    a: np.ndarray
    lo: float
    hi: float
    ids: tuple[str, ...]
    label: str
    ratio_of: np.ndarray | None = None
    ratio_tol: float = 0.0
    since_launch: bool = False  # part of a sum reaching back before the outlook (a milestone since launch)

    def resolved(self, x: np.ndarray) -> "Band":
        """The band with a ratio's width made concrete at the paths' typical base total."""
        if self.ratio_of is None:
            return self
        width = self.ratio_tol * float(np.mean(x @ self.ratio_of))
        return Band(self.a, self.lo - width, self.hi + width, self.ids, self.label, since_launch=self.since_launch)

    @property
    def partial(self) -> np.ndarray:
        """Weights of the months the band covers only in part (their day share is uncertain)."""
        return np.where((self.a > 0) & (self.a < 1), self.a, 0.0)


@dataclass(frozen=True)
class Conditioned:
    """Paths after conditioning, how far the prior was from the facts (standard deviations per band) and the
    bounds set aside because the other facts left them (almost) no room."""

    paths: np.ndarray
    surprise: dict[str, float]
    set_aside: tuple[str, ...] = ()


def condition_years(annual: np.ndarray, shares: np.ndarray, bands: list[Band], rng: np.random.Generator) -> Conditioned:
    """Monthly paths (n_paths × 12·years) from prior ``annual`` paths (n_paths × years) spread by ``shares``,
    conditioned on ``bands`` over those months (see the module docstring)."""
    n_paths, n_years = annual.shape
    monthly = np.repeat(annual, 12, axis=1) * shares
    weights = np.array([b.a for b in bands]).reshape(len(bands), n_years, 12) if bands else np.zeros((0, n_years, 12))
    touched = np.flatnonzero(np.any(weights != 0, axis=(0, 2)))
    if len(touched) == 0:
        return Conditioned(monthly, {})
    block = (touched[:, None] * 12 + np.arange(12)).ravel()
    inner = condition(
        monthly[:, block],
        [
            Band(
                b.a[block],
                b.lo,
                b.hi,
                b.ids,
                b.label,
                None if b.ratio_of is None else b.ratio_of[block],
                b.ratio_tol,
                b.since_launch,
            )
            for b in bands
        ],
        rng,
    )
    monthly[:, block] = inner.paths
    after = monthly[:, block].reshape(n_paths, len(touched), 12).sum(axis=2)
    ratio = after / np.maximum(annual[:, touched], 1e-9)
    for year in np.setdiff1d(np.arange(n_years), touched):
        earlier = touched[touched < year]
        anchor = int(np.flatnonzero(touched == (earlier[-1] if len(earlier) else touched[0]))[0])
        monthly[:, 12 * year : 12 * year + 12] *= ratio[:, [anchor]]
    return Conditioned(monthly, inner.surprise, inner.set_aside)


def condition(paths: np.ndarray, bands: list[Band], rng: np.random.Generator) -> Conditioned:
    """``paths`` (n_paths × months) conditioned on ``bands`` (see the module docstring)."""
    x = np.array(paths, dtype=float)
    bands = merge([b.resolved(x) for b in bands])
    if not bands:
        return Conditioned(np.maximum(x, 0.0), {})
    surprise = {}
    narrow, wide = [], []
    for band in bands:
        g = x @ band.a
        sd = float(g.std())
        middle = (
            (band.lo + band.hi) / 2 if np.isfinite(band.hi - band.lo) else min(max(float(g.mean()), band.lo), band.hi)
        )
        surprise[band.label] = (middle - float(g.mean())) / sd if sd > 0 else 0.0
        width = band.hi - band.lo
        precise = np.isfinite(width) and (width <= NARROW * sd or width <= PRECISE * abs(band.hi + band.lo) / 2)
        (narrow if precise else wide).append(band)
    positive = [b for b in narrow if _positive(b)]
    if any(_spread(x @ b.a) > LOG_SCALE_SPREAD for b in positive):
        x = _on_log_scale(x, positive, rng)
    if narrow:
        x = _observe(x, narrow, rng)
    contradicted = {b.label for b in wide if b.since_launch and _room(x, b) < CONTRADICTED}
    wide = [b for b in wide if b.label not in contradicted]
    for _ in range(BOUND_PASSES):
        for band in wide:
            x = _bound(x, band)
    kept = narrow + wide
    for _ in range(PROJECTION_PASSES):  # alternating projections: each pass moves the paths into every band
        x = np.maximum(x, 0.0)
        for band in kept:
            x = _project(x, band)
        if all(_holds(x, band) for band in kept) and x.min() >= 0:
            break
    return Conditioned(np.maximum(x, 0.0), surprise, tuple(sorted(contradicted)))


def _holds(x: np.ndarray, band: Band) -> bool:
    g = x @ band.a
    slack = 1e-9 * max(
        abs(band.lo) if np.isfinite(band.lo) else 0.0, abs(band.hi) if np.isfinite(band.hi) else 0.0, 1.0
    )
    return bool(np.all((g >= band.lo - slack) & (g <= band.hi + slack)))


def _spread(g: np.ndarray) -> float:
    """The relative spread of a positive sum across the paths (its coefficient of variation)."""
    mean = float(np.mean(g))
    return float(np.std(g)) / mean if mean > 0 else np.inf


def _room(x: np.ndarray, band: Band) -> float:
    """How much room the paths leave for a bound: the share inside it, or the mass a normal fitted to the sum
    (its log, for a sum bounded below) puts there, whichever is larger."""
    g = x @ band.a
    inside = float(np.mean((g >= band.lo) & (g <= band.hi)))
    if _positive(band):
        g, lo, hi = np.log(np.maximum(g, 1e-300)), np.log(band.lo), np.log(band.hi) if np.isfinite(band.hi) else np.inf
    else:
        lo, hi = band.lo, band.hi
    m, s = float(g.mean()), float(g.std())
    mass = float(ndtr((hi - m) / s) - ndtr((lo - m) / s)) if s > 0 else float(lo <= m <= hi)
    return max(inside, mass)


def merge(bands: list[Band]) -> list[Band]:
    """Bands on the same sum (a stated level and the level its growth rate implies) as one: their intersection,
    or, when they disagree (the data layer's partly covered months allow what exact sums do not), the narrower."""
    merged: dict[bytes, Band] = {}
    for band in bands:
        key = np.round(band.a, 9).tobytes()
        if key not in merged:
            merged[key] = band
            continue
        kept = merged[key]
        lo, hi = max(kept.lo, band.lo), min(kept.hi, band.hi)
        ids = tuple(dict.fromkeys(kept.ids + band.ids))
        if lo <= hi:
            merged[key] = Band(kept.a, lo, hi, ids, kept.label, since_launch=kept.since_launch and band.since_launch)
        elif band.hi - band.lo < kept.hi - kept.lo:
            merged[key] = Band(band.a, band.lo, band.hi, ids, band.label, since_launch=band.since_launch)
    return list(merged.values())


def _positive(band: Band) -> bool:
    """Whether the band bounds a sum of months (non-negative weights) from below by a positive amount."""
    return bool(np.all(band.a >= 0) and band.lo > 0)


def _on_log_scale(x: np.ndarray, narrow: list[Band], rng: np.random.Generator) -> np.ndarray:
    """ES-MDA on the log monthly flows for the narrow bands' log sums (see the module docstring)."""
    if not narrow:
        return x
    u = np.log(np.maximum(x, 1e-9 * max(float(x.max()), 1.0)))
    A = np.array([b.a for b in narrow]).reshape(len(narrow), x.shape[1])
    lo, hi = np.array([b.lo for b in narrow]), np.array([b.hi for b in narrow])
    mean_x = x.mean(axis=0)
    partial = np.array([b.partial @ mean_x / max(b.a @ mean_x, 1e-9) for b in narrow])
    # variance of log(uniform draw in the band), the unevenness of partly covered months, and the noise floor
    noise = ((hi - lo) / (hi + lo)) ** 2 / 3 + (PARTIAL_MONTH_SLACK * partial) ** 2 / 3 + MIN_NOISE**2
    for _ in range(MDA_PASSES):
        g = np.log(np.maximum(np.exp(u) @ A.T, 1e-300))
        draws = np.log(rng.uniform(lo, hi, (len(u), len(narrow)))) + rng.standard_normal(g.shape) * np.sqrt(
            (MDA_PASSES - 1) * noise
        )
        uc, gc = u - u.mean(axis=0), g - g.mean(axis=0)
        c_gg = gc.T @ gc / (len(u) - 1) + np.diag(MDA_PASSES * noise)
        gain = np.linalg.lstsq(c_gg, (uc.T @ gc / (len(u) - 1)).T, rcond=None)[0]
        u = u + (draws - g) @ gain
    out = np.exp(np.minimum(u, 700.0))
    if not np.all(np.isfinite(out)) or out.max() > DIVERGED * max(float(x.max()), 1.0):
        return x  # facts at odds with each other beyond what the update can bear: the level update alone
    return out


def _observe(x: np.ndarray, bands: list[Band], rng: np.random.Generator) -> np.ndarray:
    """Joint Matheron update on narrow bands, each drawn uniformly within its band."""
    A = np.array([b.a for b in bands])  # k × months
    g = x @ A.T
    mean_x = x.mean(axis=0)
    noise = np.array(
        [
            (b.hi - b.lo) ** 2 / 12
            + np.sum((PARTIAL_MONTH_SLACK * b.partial * mean_x) ** 2) / 3
            + (MIN_NOISE * float(np.mean(np.abs(x @ b.a)))) ** 2
            for b in bands
        ]
    )
    xc, gc = x - mean_x, g - g.mean(axis=0)
    n = len(x) - 1
    c_gg = gc.T @ gc / n + np.diag(noise)
    c_xg = xc.T @ gc / n
    draws = np.column_stack([rng.uniform(b.lo, b.hi, len(x)) for b in bands])
    gain = np.linalg.lstsq(c_gg, c_xg.T, rcond=None)[0]  # k × months
    return x + (draws - g) @ gain


def _bound(x: np.ndarray, band: Band) -> np.ndarray:
    """Gaussian conditioning of the paths on ``lo ≤ a·x ≤ hi`` (see the module docstring): on the log scale for
    a sum bounded below, where growth makes the prior near-normal, else in levels."""
    if not _positive(band):
        return _move(x, x @ band.a, band.lo, band.hi, _proportional(x, band.a))
    u = np.log(np.maximum(x, 1e-9 * max(float(x.max()), 1.0)))
    g = np.log(np.maximum(x @ band.a, 1e-300))
    shift = (band.a > 0).astype(float)  # a common log shift of the months moves the log sum by as much
    u = _move(u, g, np.log(band.lo), np.log(band.hi) if np.isfinite(band.hi) else np.inf, shift)
    out = np.exp(np.minimum(u, 700.0))
    return out if np.all(np.isfinite(out)) and out.max() <= DIVERGED * max(float(x.max()), 1.0) else x


def _move(x: np.ndarray, g: np.ndarray, lo: float, hi: float, fallback: np.ndarray) -> np.ndarray:
    """Map each path's ``g`` onto the normal distribution (fitted to ``g``) truncated to [lo, hi], ranks kept,
    and move the paths along the regression of ``x`` on ``g``."""
    if np.all((g >= lo) & (g <= hi)):
        return x
    m, s = float(g.mean()), float(g.std())
    low = ndtr((lo - m) / s) if s > 0 else 0.0
    high = (ndtr((hi - m) / s) if np.isfinite(hi) else 1.0) if s > 0 else 0.0
    if high - low < TINY_MASS:  # no prior weight in the band: every path goes to its nearest edge
        target = np.clip(g, lo, hi)
    else:
        target = m + s * ndtri(np.clip(low + ndtr((g - m) / s) * (high - low), TINY_MASS, 1 - TINY_MASS))
        target = np.clip(target, lo, hi)
    return x + np.outer(target - g, _direction(x, g, fallback))


def _project(x: np.ndarray, band: Band) -> np.ndarray:
    """Move the paths that miss the band onto its nearest edge, spreading the correction over the band's months
    in proportion to their size (a benchmarking step: it cannot amplify, whatever the other bands pinned)."""
    g = x @ band.a
    target = np.clip(g, band.lo, band.hi)
    if np.all(target == g):
        return x
    return x + np.outer(target - g, _proportional(x, band.a))


def _proportional(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The direction that moves the months ``a`` covers in proportion to their typical size (``a·d = 1``)."""
    weight = a * np.maximum(np.abs(x).mean(axis=0), 1e-9)
    return weight / float(a @ weight) if float(a @ weight) != 0 else a / float(a @ a)


def _direction(x: np.ndarray, g: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """cov(x, g) / var(g): how the months move per unit of ``g``; where other facts already pin ``g`` down (its
    spread is sampling noise, and dividing by it would amplify that noise), ``fallback`` instead."""
    gc = g - g.mean()
    var = float(gc @ gc) / len(g)
    if var <= (1e-3 * max(abs(float(g.mean())), 1.0)) ** 2:
        return fallback
    return (x - x.mean(axis=0)).T @ gc / len(g) / var

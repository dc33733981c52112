"""Forecast distributions as sample paths: the mean, quantiles, intervals and exceedance probabilities users read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SamplePaths:
    """Joint future trajectories of one series, shape ``(n_paths, h)``."""

    paths: np.ndarray

    @property
    def horizon(self) -> int:
        return self.paths.shape[1]

    def mean(self) -> np.ndarray:
        return self.paths.mean(axis=0)

    def median(self) -> np.ndarray:
        return np.median(self.paths, axis=0)

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Per-step quantile(s) ``q`` in [0, 1]."""
        return np.quantile(self.paths, q, axis=0)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Central prediction interval at ``level`` percent (e.g. 80 → 10th and 90th percentiles)."""
        return self.intervals([level])[float(level)]

    def intervals(self, levels) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """:meth:`interval` at each of ``levels``, from one pass over the paths."""
        tails = [(100.0 - float(lv)) / 200.0 for lv in levels]
        bounds = self.quantile([q for tail in tails for q in (tail, 1.0 - tail)])
        return {float(lv): (bounds[2 * k], bounds[2 * k + 1]) for k, lv in enumerate(levels)}

    def total(self, steps: slice | np.ndarray | None = None, offset: float = 0.0) -> np.ndarray:
        """Per-path sum over ``steps`` plus an observed ``offset``: the distribution of a period total."""
        chosen = self.paths if steps is None else self.paths[:, steps]
        return chosen.sum(axis=1) + offset

    def prob_exceeds(self, threshold: float, step: int | None = None, strict: bool = True) -> float:
        """P(value > threshold) at ``step`` (0-based), or of the sum over all steps when ``step`` is None."""
        values = self.total() if step is None else self.paths[:, step]
        return float(np.mean(values > threshold if strict else values >= threshold))

    def clip_at_zero(self) -> "SamplePaths":
        """Counts cannot be negative: floor every path at zero."""
        return SamplePaths(np.maximum(self.paths, 0.0))

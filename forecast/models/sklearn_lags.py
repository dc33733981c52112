"""``lags``: a scikit-learn regressor on lagged first differences, recursive or direct, with intervals from
cross-fitted (K-fold, jackknife+-style) residuals bootstrapped into the paths.

Differences rather than levels because our series grow: a tree or linear model on levels cannot extrapolate a
trend. Residuals come from models that did not see the point they predict, so the intervals are not the
optimistic in-sample ones.

Regressors (events, user columns) are features too, as changes like the series: beside each row's lags, each
regressor's change over the step(s) the row predicts (scaled by its own spread of changes), so a step event is
a jump in the level. Direct forecasts past the trained steps extend by the one-step drift with no further
regressor change.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import Ridge

from forecast.models.base import Capabilities, Model
from forecast.models.registry import register

REGRESSORS = {
    "ridge": lambda: Ridge(alpha=1.0),
    "gbr": lambda: GradientBoostingRegressor(n_estimators=100, max_depth=2, learning_rate=0.1, random_state=0),
    "rf": lambda: RandomForestRegressor(n_estimators=100, min_samples_leaf=2, random_state=0),
}
N_FOLDS = 5


def lag_matrix(x: np.ndarray, n_lags: int, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``n_lags`` consecutive values and the sum of the ``step`` values that follow each row."""
    rows = len(x) - n_lags - step + 1
    features = np.array([x[i : i + n_lags] for i in range(rows)])
    targets = np.array([x[i + n_lags : i + n_lags + step].sum() for i in range(rows)])
    return features, targets


def regressor_changes(dX: np.ndarray, n_lags: int, step: int = 1) -> np.ndarray:
    """Per row of :func:`lag_matrix`, the regressors' summed change over the ``step`` values it predicts."""
    total = np.vstack([np.zeros((1, dX.shape[1])), np.cumsum(dX, axis=0)])
    rows = len(dX) - n_lags - step + 1
    return total[n_lags + step : n_lags + step + rows] - total[n_lags : n_lags + rows]


def cross_fitted_residuals(regressor, features: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Residual of each row from a model fitted on the other folds (contiguous blocks, K ≤ rows)."""
    folds = np.array_split(np.arange(len(targets)), min(N_FOLDS, len(targets)))
    residuals = np.empty(len(targets))
    for fold in folds:
        train = np.setdiff1d(np.arange(len(targets)), fold)
        model = clone(regressor).fit(features[train], targets[train])
        residuals[fold] = targets[fold] - model.predict(features[fold])
    return residuals


@register("lags")
class Lags(Model):
    """Regression of the next change(s) on the last ``n_lags`` changes; paths by bootstrapped residuals."""

    capabilities = Capabilities(exogenous=True, simplicity=80)

    def __init__(self, regressor: str = "ridge", n_lags: int = 3, strategy: str = "recursive", max_horizon: int = 24):
        if regressor not in REGRESSORS:
            raise ValueError(f"lags: unknown regressor {regressor!r}; choose from {', '.join(sorted(REGRESSORS))}")
        if strategy not in ("recursive", "direct"):
            raise ValueError(f"lags: strategy must be 'recursive' or 'direct', got {strategy!r}")
        self.regressor = regressor
        self.n_lags = n_lags
        self.strategy = strategy
        self.max_horizon = max_horizon

    def min_length(self) -> int:
        """``n_lags`` + 5: ``n_lags`` changes for the first row and enough rows to cross-fit its residuals."""
        return self.n_lags + 5

    def _fit(self, y, season_length):
        diffs = np.diff(y)
        self.scale_ = float(np.std(diffs)) or 1.0
        self.x_ = diffs / self.scale_
        self.last_ = float(y[-1])
        if self.X_ is not None:
            changes = np.diff(self.X_, axis=0)
            spread = np.std(changes, axis=0)
            self.x_scale_ = np.where(spread > 0, spread, 1.0)
            self.dX_ = changes / self.x_scale_
        self.models_, self.residuals_ = [], []
        steps = 1 if self.strategy == "recursive" else min(self.max_horizon, len(self.x_) - self.n_lags - 2)
        for step in range(1, steps + 1):
            features, targets = lag_matrix(self.x_, self.n_lags, step)
            if self.X_ is not None:
                features = np.column_stack([features, regressor_changes(self.dX_, self.n_lags, step)])
            base = REGRESSORS[self.regressor]()
            self.residuals_.append(cross_fitted_residuals(base, features, targets))
            self.models_.append(clone(base).fit(features, targets))

    def sample_paths(self, h, n_paths, seed=None, X=None):
        rng = np.random.default_rng(seed)
        recent = np.tile(self.x_[-self.n_lags :], (n_paths, 1))
        future = self.future_regressors(X, h)
        # the regressors' change from the last fitted row to each future one (empty without regressors)
        moved = np.zeros((h, 0)) if future is None else (future - self.X_[-1]) / self.x_scale_
        if self.strategy == "recursive":
            residuals = self.residuals_[0]
            steps = np.diff(np.vstack([np.zeros((1, moved.shape[1])), moved]), axis=0)
            changes = np.empty((n_paths, h))
            for j in range(h):
                features = np.column_stack([recent, np.tile(steps[j], (n_paths, 1))])
                changes[:, j] = self.models_[0].predict(features) + rng.choice(residuals, n_paths)
                recent = np.column_stack([recent[:, 1:], changes[:, j]])
            return self.last_ + np.cumsum(changes, axis=1) * self.scale_
        # direct: one model per step predicts the cumulative change; one residual origin per path keeps steps joint
        origin = rng.integers(0, 1 << 30, n_paths)
        out = np.empty((n_paths, h))
        still = np.column_stack([recent[:1], np.zeros((1, moved.shape[1]))])
        for j in range(h):
            k = min(j, len(self.models_) - 1)
            extra = (j - k) * self.models_[0].predict(still)[0]  # beyond trained steps: extend by one-step drift
            residuals = self.residuals_[k]
            row = np.column_stack([recent[:1], moved[k : k + 1]])
            out[:, j] = self.models_[k].predict(row)[0] + extra + residuals[origin % len(residuals)]
        return self.last_ + out * self.scale_

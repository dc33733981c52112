"""Reconcile sample paths so they add up: the MinT projection with a shrunk covariance, bounded from below.

Each row of ``paths`` (one sample path: a value per node) is moved to the nearest point, in the metric of the
forecast error covariance ``W``, that satisfies the sums ``C y = 0`` (:meth:`Structure.constraints`)::

    ỹ = ŷ − W C'(C W C')⁻¹ C ŷ

the constraint form of MinT, ``ỹ = S (S'W⁻¹S)⁻¹ S'W⁻¹ ŷ`` (Wickramasuriya, Athanasopoulos & Hyndman 2019) for any
``S`` spanning the null space of ``C``. It is used because the catalogue is not a tree: a parent can have several
partitions (the nation by border path and by origin) and a part several parents (Manzhouli), which the
constraint form takes as they are. ``W`` (:func:`shrunk_covariance`) is the covariance of the base paths at that
horizon, shrunk towards its diagonal (Ledoit–Wolf on the standardised paths, from scikit-learn; the
Schäfer–Strimmer target) so a few dozen nodes and a few thousand paths give a well-conditioned matrix. ``ols``
uses ``W = I``; ``bottom_up`` makes every node that is a parent nowhere infinitely more variable than the rest, so
only parents move (exactly ``S · bottom`` on a tree).

Bounds: a node can be fixed (a year the facts pin down) and every node has a floor (zero, or what the facts say
has already run this year). Paths that the projection takes below a floor are solved again with those nodes
held at their floors, the others moved to the conditional optimum given them and projected again (clip and
re-project); a held node whose multiplier says the optimum would lift it is let go again (an active-set method),
so each path ends at the nearest coherent point above its floors — the bounded MinT — and the sums hold exactly.

hierarchicalforecast implements MinT too (1.5.3 evaluated: its ``MinTrace`` gives the same unbounded projection
for the same ``W``), but for point forecasts on the bottom-up ``S`` of a tree, without floors per path or fixed
nodes, and its non-negative variant did not reach the nearest non-negative point in our checks (the test checks
ours against scipy's bounded least squares instead); the projection is a few lines of numpy, so it is written
here and the toolkit keeps no extra dependency.
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import ledoit_wolf

METHODS = ("mint", "ols", "bottom_up")
BOTTOM_UP_RATIO = 1e-9  # a bottom node's variance relative to a parent's under bottom_up
TOL = 1e-7  # relative slack when checking floors
RELATIVE_ITERATIONS = 30  # Gauss–Newton steps of the log-scale projection (reconcile_relative_paths)
MAX_LOG_STEP = 2.0  # a step moves a value by at most e^±2 (large gaps close over several steps)
CONVERGED = 1e-6  # relative gap below which the log-scale steps stop and the exact linear step ends them


def shrunk_covariance(paths: np.ndarray) -> np.ndarray:
    """The covariance of the columns of ``paths`` (paths × nodes), its correlations shrunk towards zero by the
    Ledoit–Wolf intensity; a constant column gets a tiny variance."""
    scale = paths.std(axis=0)
    scale = np.where(scale > 0, scale, np.maximum(np.abs(paths).mean(axis=0), 1.0) * 1e-6)
    z = (paths - paths.mean(axis=0)) / scale
    shrunk, _ = ledoit_wolf(z, assume_centered=True)
    return shrunk * np.outer(scale, scale)


def weights(method: str, paths: np.ndarray, constraints: np.ndarray) -> np.ndarray:
    """``W`` for ``method``: the shrunk covariance of the base paths (mint), ``I`` (ols), or a diagonal that
    keeps the nodes no sum has as parent still (bottom_up)."""
    k = paths.shape[1]
    if method == "mint":
        return shrunk_covariance(paths)
    if method == "ols":
        return np.eye(k)
    if method == "bottom_up":
        parent = (constraints > 0).any(axis=0)
        return np.diag(np.where(parent, 1.0, BOTTOM_UP_RATIO))
    raise ValueError(f"unknown reconciliation method {method!r}; known: {', '.join(METHODS)}")


def project(paths: np.ndarray, constraints: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Every row of ``paths`` moved to satisfy ``constraints @ y = 0`` in the metric of ``w`` (no bounds)."""
    if not len(constraints):
        return paths.copy()
    cw = constraints @ w
    gain = _solve_linear(cw @ constraints.T, cw)  # (C W C')⁻¹ C W
    return paths - (paths @ constraints.T) @ gain


def reconcile_paths(
    paths: np.ndarray,
    constraints: np.ndarray,
    w: np.ndarray,
    floor: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """``paths`` (paths × nodes) made to add up (``constraints @ y = 0`` for every row), nearest in ``w``'s
    metric, no value below ``floor`` (paths × nodes, default 0) and the ``fixed`` nodes (boolean per node) kept
    at their values."""
    n, k = paths.shape
    floor = np.zeros((n, k)) if floor is None else np.broadcast_to(floor, (n, k))
    pinned = np.zeros(k, dtype=bool) if fixed is None else np.asarray(fixed, bool)
    held = np.broadcast_to(pinned, (n, k)).copy()
    target = np.where(held, paths, -np.inf)  # values of held nodes
    slack = TOL * np.maximum(np.abs(floor), 1.0)
    precision = _solve_linear(w, np.eye(k))
    out, duals = paths.copy(), np.zeros((n, len(constraints)))
    rows = np.arange(n)  # the rows whose held set changed: only they are solved again
    for _ in range(4 * k + 4):
        keys = np.packbits(held[rows], axis=1)  # one key per path's held set, cheaper to sort than its row
        _, first, inverse = np.unique(keys.view(np.dtype((np.void, keys.shape[1]))).ravel(), True, True)
        order = np.argsort(inverse, kind="stable")
        for p, mine in enumerate(np.split(rows[order], np.cumsum(np.bincount(inverse))[:-1])):
            out[mine], duals[mine] = _solve(paths[mine], target[mine], held[rows[first[p]]], constraints, w)
        below = (out[rows] < floor[rows] - slack[rows]) & ~held[rows]
        # a node held at its floor that the optimum would lift (negative multiplier) is let go again
        pull = (out[rows] - paths[rows]) @ precision + duals[rows] @ constraints
        scale = np.abs(pull).max(axis=1, keepdims=True) + 1e-300
        lift = np.where(held[rows] & ~pinned & ~below.any(axis=1, keepdims=True), pull / scale, 0.0)
        release = (lift == lift.min(axis=1, keepdims=True)) & (lift < -TOL)
        changed = below.any(axis=1) | release.any(axis=1)
        if not changed.any():
            break
        rows, below, release = rows[changed], below[changed], release[changed]
        held[rows] = (held[rows] | below) & ~release
        target[rows] = np.where(below, floor[rows], target[rows])
    return np.where(held, out, np.maximum(out, floor))  # rounding (within TOL) below a floor


def _solve(paths, target, held, constraints, w):
    """Rows whose ``held`` nodes sit at ``target``: the free nodes at their conditional optimum given the held
    ones, then projected onto the sums (in the conditional covariance); and the sums' multipliers."""
    free = ~held
    out = np.where(held, target, paths)
    duals = np.zeros((len(paths), len(constraints)))
    if not free.any():
        return out, duals
    if held.any():
        w_f = w[free]
        w_fx, w_xx = w_f[:, held], w[held][:, held]
        shift = _solve_linear(w_xx, w_fx.T)  # held × free
        start = paths[:, free] + (target[:, held] - paths[:, held]) @ shift
        cond = w_f[:, free] - w_fx @ shift
    else:
        start, cond = paths[:, free], w
    c_free, c_held = constraints[:, free], constraints[:, held]
    if len(constraints):
        cw = c_free @ cond
        inner = cw @ c_free.T
        duals = _solve_linear(inner, (start @ c_free.T + target[:, held] @ c_held.T).T).T
        start = start - duals @ cw
    out[:, free] = start
    return out, duals


def _solve_linear(a, b):
    """``a⁻¹ b``; the least-squares answer when ``a`` is singular (a sum whose every node is held)."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(a) @ b


def reconcile_relative_paths(
    paths: np.ndarray,
    constraints: np.ndarray,
    floor: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    iterations: int = RELATIVE_ITERATIONS,
) -> np.ndarray:
    """``paths`` made to add up by moving what each node has above its ``floor`` (all of it for a floor of zero;
    what is still to run of a year in progress) in proportion to itself: MinT on the log scale of those amounts,
    with a diagonal covariance of their relative spreads ``cv_i`` (over the paths), solved by Gauss–Newton — each
    step the linear projection at the current point under ``W = diag((z_i · cv_i)²)``, taken multiplicatively, so
    an amount shrinks by a share of itself and never reaches its floor; a last linear step makes the sums exact.
    ``fixed`` nodes keep their values. For parts whose paths spread far wider than their parent's, which a linear
    shift would take to zero (or to nothing more this year)."""
    n, k = paths.shape
    floor = np.zeros((n, k)) if floor is None else np.broadcast_to(floor, (n, k))
    pinned = np.broadcast_to(np.zeros(k, dtype=bool) if fixed is None else np.asarray(fixed, bool), (n, k))
    if not len(constraints):
        return paths.copy()
    above = paths - floor
    mean = np.abs(above).mean(axis=0)
    tiny = 1e-9 * np.maximum(np.abs(paths).mean(axis=0), 1.0)
    cv = np.where(mean > 0, above.std(axis=0) / np.where(mean > 0, mean, 1.0), 1.0)
    z = np.maximum(above, tiny)
    scale = np.maximum(np.abs(paths) @ np.abs(constraints).T, 1.0)

    def linear_move(z):  # the projection's move at z, and whether the sums already nearly hold
        var = np.where(pinned, 0.0, (z * cv) ** 2)
        gap = np.where(pinned, paths, floor + z) @ constraints.T
        inner = np.einsum("mi,ni,li->nml", constraints, var, constraints)
        return -var * (_batched_solve(inner, gap) @ constraints), np.max(np.abs(gap) / scale) < CONVERGED

    for _ in range(iterations):
        move, converged = linear_move(z)
        if converged:
            break
        z = z * np.exp(np.clip(move / z, -MAX_LOG_STEP, MAX_LOG_STEP))
    else:
        move, _ = linear_move(z)
    return np.where(pinned, paths, floor + z + move)  # the last, linear step makes the sums exact


def _batched_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a[p]⁻¹ b[p]`` for every path ``p`` (least squares where some ``a[p]`` is singular: a sum fully held)."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("nml,nl->nm", np.linalg.pinv(a), b)

"""Learned member weights for ``auto`` (FFORMA-like): a gradient-boosted regression, on a series' features
(:mod:`forecast.models.features`) and a member's name, of the log of that member's loss relative to the members'
median forecast; the weights are a softmax of minus the predicted losses over a temperature.

The model ships as plain arrays in ``auto_weights.json`` (no pickle): each tree padded to a complete binary tree
of one depth (a leaf above that depth repeats itself below, split on feature 0 at +inf), so evaluating every tree
at once is a handful of numpy steps per level (:func:`predict`). ``benchmarks/auto_weights.py`` trains it from the
members' errors on the training parts' validation windows and writes this file; how it was chosen and validated:
``benchmarks/README.md``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from forecast.models.features import NAMES, features

PATH = Path(__file__).with_name("auto_weights.json")


@cache
def load(path: Path = PATH) -> dict:
    """The shipped model: ``features``, ``members``, ``depth``, ``base``, ``rate``, ``feature`` and ``threshold``
    (trees × internal nodes), ``value`` (trees × leaves), ``temperature``, ``combination``."""
    model = json.loads(Path(path).read_text())
    if tuple(model["features"]) != NAMES:
        raise ValueError(f"{path}: trained on features {model['features']}, this code computes {list(NAMES)}")
    for key in ("feature", "threshold", "value"):
        model[key] = np.asarray(model[key], dtype=int if key == "feature" else float)
    return model


def design(x: np.ndarray, members: list[str], names: list[str]) -> np.ndarray:
    """One row per member: the series' features ``x`` followed by the member's one-hot among ``names``."""
    onehot = np.array([[name == member for name in names] for member in members], dtype=float)
    return np.hstack([np.tile(x, (len(members), 1)), onehot])


def predict(model: dict, rows: np.ndarray) -> np.ndarray:
    """The ensemble's prediction for each row of ``rows``: base + rate × the sum of every tree's leaf."""
    index = np.zeros((len(rows), model["feature"].shape[0]), dtype=int)
    trees = np.arange(model["feature"].shape[0])
    for _ in range(model["depth"]):
        feature, threshold = model["feature"][trees, index], model["threshold"][trees, index]
        right = np.take_along_axis(rows, feature, axis=1) > threshold
        index = 2 * index + 1 + right
    leaf = index - (2 ** model["depth"] - 1)
    return model["base"] + model["rate"] * model["value"][trees, leaf].sum(axis=1)


def softmax_weights(losses: np.ndarray, temperature: float) -> np.ndarray:
    """exp(−loss / temperature), normalised: lower predicted loss, more weight."""
    z = -(losses - losses.min()) / temperature
    w = np.exp(z)
    return w / w.sum()


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per column of ``values`` (members × h): the weighted median, read off the weighted CDF through each sorted
    value's mid-weight (cumulative weight minus half its own), linearly between them. Equal weights give the
    ordinary median (the mean of the two middle values for an even count), and it moves smoothly with the weights,
    so weights near equal keep today's ``auto``."""
    order = np.argsort(values, axis=0)
    v = np.take_along_axis(values, order, axis=0)
    w = weights[order]
    mid = np.cumsum(w, axis=0) - w / 2
    return np.array([np.interp(0.5, mid[:, j], v[:, j]) for j in range(values.shape[1])])


def combine_points(values: np.ndarray, weights: np.ndarray, how: str) -> np.ndarray:
    """The members' point forecasts (members × h) combined by ``weights``: weighted 'mean' or 'median'."""
    return weights @ values if how == "mean" else weighted_median(values, weights)


def member_weights(y: np.ndarray, season_length: int, h: int, members: tuple[str, ...], model: dict | None = None):
    """The learned weights of ``members`` for series ``y``; equal weights for members the model does not know."""
    model = load() if model is None else model
    known = [name in model["members"] for name in members]
    if not all(known):
        return np.full(len(members), 1 / len(members))
    rows = design(features(y, season_length, h), list(members), model["members"])
    return softmax_weights(predict(model, rows), model["temperature"])

"""Rolling-origin windows for one series: where each training set ends (the cutoff) and what it is tested on.

Windows are placed per series from its end backwards, so the last window's test points are the series' last
``h`` observations and every series is evaluated on its own most recent data, whatever year it ends in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.errors import InputError

WINDOW_KINDS = ("expanding", "sliding")


@dataclass(frozen=True)
class WindowSpec:
    """How to cut a series into training and test windows (positions, not dates).

    ``step`` defaults to 1 (one new observation between cutoffs, which short annual series need);
    ``min_train`` is the shortest training set a window may have (at least 2: below that no model can
    estimate its error scale, so no forecast could have an interval); ``size`` is the training length of a
    sliding window (defaults to ``min_train``).
    """

    h: int
    n_windows: int = 3
    step: int = 1
    min_train: int = 3
    window: str = "expanding"
    size: int | None = None

    def __post_init__(self):
        for name in ("h", "n_windows", "step"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.min_train < 2:
            raise InputError(
                f"min_train must be at least 2 (the fewest points with an error scale), got {self.min_train}"
            )
        if self.window not in WINDOW_KINDS:
            raise InputError(f"window must be one of {', '.join(WINDOW_KINDS)}, got {self.window!r}")
        if self.size is not None and self.size < self.min_train:
            raise InputError(f"sliding window size {self.size} is shorter than min_train {self.min_train}")


@dataclass(frozen=True)
class Window:
    """One rolling-origin window: train on ``[start, cutoff]``, test on ``(cutoff, cutoff + h]`` (positions)."""

    index: int
    start: int
    cutoff: int

    def train(self) -> slice:
        return slice(self.start, self.cutoff + 1)

    def test(self, h: int) -> slice:
        return slice(self.cutoff + 1, self.cutoff + 1 + h)


def windows(n: int, spec: WindowSpec, observed: np.ndarray | None = None) -> list[Window]:
    """The windows of a series of ``n`` points, oldest first; windows with too little training data are left out.

    With ``observed`` (a boolean mask of non-missing values) a training set counts only its observed points.
    The last window's cutoff is ``n - h - 1`` so its test set is the last ``h`` points; earlier cutoffs go back
    ``step`` points at a time.
    """
    size = spec.size or spec.min_train
    out: list[Window] = []
    for k in range(spec.n_windows):
        cutoff = n - spec.h - 1 - (spec.n_windows - 1 - k) * spec.step
        start = max(0, cutoff + 1 - size) if spec.window == "sliding" else 0
        length = cutoff + 1 - start if observed is None else int(np.count_nonzero(observed[start : cutoff + 1]))
        if cutoff < 0 or length < spec.min_train:
            continue
        out.append(Window(len(out), start, cutoff))
    return out

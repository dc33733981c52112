"""Rolling-origin windows: positions by hand, and the property that no model ever sees a point after its cutoff."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.backtest import WindowSpec, backtest, windows
from forecast.errors import InputError
from forecast.models.base import Capabilities, Model
from forecast.models.registry import registered

FITTED: list[np.ndarray] = []


class Recorder(Model):
    """Remembers every series it is fitted on and forecasts its last value (a flat, noiseless forecast)."""

    capabilities = Capabilities(min_length=1)

    def _fit(self, y, season_length):
        FITTED.append(y.copy())
        self.last_ = y[-1]

    def sample_paths(self, h, n_paths, seed=None):
        # a symmetric spread around the value (mean unchanged): a forecast with no spread would be refused
        return self.last_ + np.linspace(-1.0, 1.0, n_paths)[:, None] * np.ones(h)


@pytest.fixture(scope="module", autouse=True)
def recorders_registered():
    """The recorders exist only while this module runs, so they never join other tests' list of models."""
    with registered("recorder", Recorder):
        yield


def test_cutoffs_count_back_from_the_end():
    spec = WindowSpec(h=2, n_windows=3, step=1)
    assert [w.cutoff for w in windows(10, spec)] == [5, 6, 7]
    assert [w.cutoff for w in windows(10, WindowSpec(h=2, n_windows=3, step=2))] == [3, 5, 7]
    last = windows(10, spec)[-1]
    assert list(range(10))[last.test(2)] == [8, 9]


def test_short_training_windows_are_left_out_and_sliding_windows_have_their_size():
    spec = WindowSpec(h=2, n_windows=3, step=2, min_train=5, window="sliding", size=5)
    wins = windows(10, spec)
    assert [(w.start, w.cutoff) for w in wins] == [(1, 5), (3, 7)]
    assert windows(4, WindowSpec(h=2, n_windows=2, min_train=3)) == []


def test_only_observed_points_count_towards_min_train():
    observed = np.array([True, False, False, True, True, True, True, True])
    assert [w.cutoff for w in windows(8, WindowSpec(h=1, n_windows=5, min_train=3), observed)] == [4, 5, 6]


@pytest.mark.parametrize(
    "bad", [{"h": 0}, {"n_windows": 0}, {"window": "rolling"}, {"min_train": 4, "size": 2}, {"min_train": 1}]
)
def test_bad_specs_are_input_errors(bad):
    with pytest.raises(InputError):
        WindowSpec(**{"h": 1, **bad})


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 25),
    h=st.integers(1, 4),
    n_windows=st.integers(1, 5),
    step=st.integers(1, 3),
    min_train=st.integers(2, 6),
    sliding=st.booleans(),
    holes=st.sets(st.integers(1, 24), max_size=4),
)
def test_no_training_point_lies_after_its_cutoff(n, h, n_windows, step, min_train, sliding, holes):
    # the value of each point is its year, so what a model was fitted on says which dates it saw
    years = np.arange(2000, 2000 + n)
    df = pd.DataFrame({"unique_id": "s", "ds": pd.to_datetime([f"{y}-01-01" for y in years]), "y": years * 1.0})
    df = df.drop(index=[i for i in holes if 0 < i < n - 1])
    FITTED.clear()
    model = "recorder"
    result = backtest(
        df,
        [model],
        h=h,
        n_windows=n_windows,
        step=step,
        min_train=min_train,
        window="sliding" if sliding else "expanding",
        n_paths=3,
        freq="annual",
        progress=False,
    )
    out = result.forecasts
    if out.empty:
        assert len(result.skipped) == 1 and not FITTED
        return
    # every forecast was made from data up to its cutoff and targets dates after it
    assert (out[model] <= out["cutoff"].dt.year).all()
    assert (out["ds"] > out["cutoff"]).all()
    assert (out["ds"].dt.year - out["cutoff"].dt.year == out["step"]).all()
    latest_cutoff = out["cutoff"].max().year
    assert FITTED and all(fit.max() <= latest_cutoff for fit in FITTED)
    assert len(FITTED) == out["cutoff"].nunique()

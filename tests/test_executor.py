"""The executor: the same ordered results on every engine, thread limits inside workers and around serial work
(restored afterwards), and none set by importing the package."""

import os
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from forecast import executor
from forecast.errors import InputError


def square(x):
    return x * x


def blas_threads_here(_task):
    """Threads of every BLAS/OpenMP pool loaded in the process that runs the task."""
    import numpy  # noqa: F401  (its BLAS loaded, so threadpool_info lists it)

    return sorted({pool["num_threads"] for pool in threadpool_info()})


def test_serial_and_processes_give_the_same_ordered_results():
    tasks = list(range(37))
    expected = [x * x for x in tasks]
    assert executor.run(square, tasks, progress=False) == expected
    assert executor.run(square, tasks, engine="processes", jobs=2, progress=False) == expected


@pytest.mark.dask
@pytest.mark.slow
def test_dask_gives_the_same_ordered_results():
    tasks = list(range(23))
    assert executor.run(square, tasks, engine="dask", jobs=2, progress=False) == [x * x for x in tasks]


def test_worker_processes_run_single_threaded_unless_told(monkeypatch):
    assert executor.run(blas_threads_here, [0, 1, 2], engine="processes", jobs=2, progress=False) == [[1]] * 3
    monkeypatch.setenv("FORECAST_BLAS_THREADS", "2")
    assert executor.run(blas_threads_here, [0, 1], engine="processes", jobs=2, progress=False) == [[2]] * 2


def test_serial_work_is_limited_and_the_callers_limits_come_back():
    with threadpool_limits(2):
        before = blas_threads_here(None)
        assert executor.run(blas_threads_here, [0], progress=False) == [[1]]
        assert blas_threads_here(None) == before
        with executor.limited_threads():
            assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
            with executor.limited_threads():  # nested: already limited, nothing re-applied
                assert blas_threads_here(None) == [1]
        assert blas_threads_here(None) == before


@pytest.mark.slow
def test_importing_forecast_leaves_thread_settings_alone():
    env = {k: v for k, v in os.environ.items() if k not in executor.THREAD_VARIABLES}
    code = "import os, forecast, forecast.predict; print([os.environ.get(v) for v in %r])" % (
        executor.THREAD_VARIABLES,
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[None, None, None]"


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_thread_count_is_an_input_error(monkeypatch, value):
    monkeypatch.setenv("FORECAST_BLAS_THREADS", value)
    with pytest.raises(InputError, match="FORECAST_BLAS_THREADS"):
        executor.run(square, [1], progress=False)


def test_an_unknown_engine_is_an_input_error():
    with pytest.raises(InputError, match="engine must be one of serial, processes, dask"):
        executor.run(square, [1], engine="spark")


@pytest.mark.dask
@pytest.mark.slow
def test_predict_on_dask_gives_the_serial_numbers():
    import numpy as np
    import pandas as pd

    from forecast.predict import predict

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        [
            {"unique_id": f"s{k}", "ds": ds, "y": 100 + 10 * t + 5 * rng.standard_normal()}
            for k in range(6)
            for t, ds in enumerate(pd.date_range("2010-01-01", periods=10, freq="YS"))
        ]
    )
    serial = predict(frame, 3, models=("theta", "drift"), n_paths=200, seed=5).table()
    on_dask = predict(frame, 3, models=("theta", "drift"), n_paths=200, seed=5, engine="dask", jobs=2).table()
    pd.testing.assert_frame_equal(on_dask, serial)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["processes", pytest.param("dask", marks=pytest.mark.dask)])
def test_outlooks_built_on_workers_are_the_serial_ones(engine):
    """Every outlook of hand-made ports (Xinjiang's, reconciled with their sum; Manzhouli's, stale) built on two
    workers has the serial paths."""
    import numpy as np
    import pandas as pd
    from hand_facts import facts, years

    from forecast.outlook import Outlooks

    alashankou = {y: 2400 + 310 * (y - 2015) + 37 * (y % 3) for y in range(2015, 2025)}
    khorgos = {y: 1900 + 280 * (y - 2015) + 23 * (y % 4) for y in range(2015, 2025)}
    group = {y: alashankou[y] + khorgos[y] + 50 for y in alashankou}
    made = pd.concat(
        [
            facts(*years(alashankou, "A"), entity="alashankou"),
            facts(*years(khorgos, "K"), entity="khorgos"),
            facts(*years(group, "X"), entity="xinjiang-ports"),
            facts(*years({2015: 812, 2016: 1023}, "M"), entity="manzhouli"),
        ],
        ignore_index=True,
    )
    serial, skipped = Outlooks(made, n_paths=100).every(metrics=("trains",))
    parallel, skipped_there = Outlooks(made, n_paths=100).every(metrics=("trains",), engine=engine, jobs=2)
    assert [o.uid for o in serial] == [f"{e}/trains/reported" for e in ("alashankou", "khorgos", "xinjiang-ports")]
    assert [o.uid for o in parallel] == [o.uid for o in serial]
    assert list(skipped["unique_id"]) == ["manzhouli/trains/reported"] and skipped_there.equals(skipped)
    assert all(o.reconciled is not None and o.reconciled.method == "mint" for o in serial)
    for here, there in zip(serial, parallel):
        np.testing.assert_array_equal(there.annual, here.annual)

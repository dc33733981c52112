"""forecast: China-Europe Railway Express traffic forecasting from sourced public statistics."""

import os

# Our fits are many small matrices: multi-threaded BLAS/OpenMP makes them 30-40x slower on 2 cores (thread
# start-up dominates: a Theta fit takes 1.3 s instead of 0.03 s), so they run single-threaded unless
# FORECAST_BLAS_THREADS says otherwise. Parallelism comes from series-level processes (--jobs, the backtest
# engines). The variables cover libraries loaded later; threadpoolctl the ones a notebook loaded already.
_THREADS = os.environ.get("FORECAST_BLAS_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _THREADS)

import numpy  # noqa: E402,F401  (load numpy's and scipy's BLAS so the limit below reaches both)
import scipy.linalg  # noqa: E402,F401
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(int(_THREADS))

__version__ = "0.1.0"

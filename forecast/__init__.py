"""forecast: China-Europe Railway Express traffic forecasting from sourced public statistics."""

import os

# Our fits are many small matrices: multi-threaded BLAS/OpenMP makes them far slower on few cores (thread
# start-up dominates), so the BLAS libraries loaded after this run single-threaded unless FORECAST_BLAS_THREADS
# says otherwise; parallelism comes from series-level processes (--jobs, the backtest engines).
_THREADS = os.environ.get("FORECAST_BLAS_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _THREADS)

__version__ = "0.1.0"

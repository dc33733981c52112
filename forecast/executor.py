"""Where work runs: serially, on local processes or on a Dask cluster — the one executor of predict, the backtest
and the outlook, so all three share chunking, ordering, progress and thread limits.

Our fits are many small matrices, for which multi-threaded BLAS/OpenMP only adds thread start-up, so fits run
with :func:`blas_threads` threads (``FORECAST_BLAS_THREADS``, default 1): set once in each worker process, and
around serial work and every model fit (:func:`limited_threads`) in the caller's process, whose own limits come
back afterwards (a notebook keeps its settings). Parallelism comes from series-level workers instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator, Sequence

from forecast.defaults import ENGINES
from forecast.errors import InputError

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PROGRESS_MIN_TASKS = 20
BATCHES_PER_WORKER = 8  # several batches per worker: the load balances and the progress bar moves
IN_FLIGHT_PER_WORKER = 3  # batches submitted ahead per worker: results stream back, memory stays bounded
MAX_BATCH = 250

_limited_depth = 0  # nesting of limited_threads() in this process: only the outermost applies the limits
_process_limited = False  # a worker process limits its thread pools once, at its first batch


def blas_threads() -> int:
    """Threads for BLAS/OpenMP pools during fits: ``FORECAST_BLAS_THREADS``, default 1."""
    value = os.environ.get("FORECAST_BLAS_THREADS", "1")
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise InputError(f"FORECAST_BLAS_THREADS must be a whole number of at least 1, got {value!r}")
    return threads


def chosen_engine(engine: str | None, jobs: int) -> str:
    """The engine a run asks for, else local processes for more than one job, else serial; fewer than one job
    or an unknown engine is an :class:`InputError`."""
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    engine = engine or ("processes" if jobs > 1 else "serial")
    check_engine(engine)
    return engine


def check_engine(engine: str) -> None:
    """Refuse an engine other than :data:`ENGINES`."""
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


@contextlib.contextmanager
def limited_threads() -> Iterator[None]:
    """Run the block with :func:`blas_threads` BLAS/OpenMP threads, restoring the previous limits and thread
    variables afterwards (libraries first loaded inside the block read the variables and keep that default).
    Cheap enough to wrap every fit: nested blocks do nothing, and the loaded libraries are looked up again only
    after new modules were imported."""
    global _limited_depth
    if _limited_depth:
        _limited_depth += 1
        try:
            yield
        finally:
            _limited_depth -= 1
        return
    threads = str(blas_threads())
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(THREAD_VARIABLES, threads))
    _limited_depth = 1
    try:
        with _thread_pools().limit(limits=int(threads)):
            yield
    finally:
        _limited_depth = 0
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_pools = None  # (number of imported modules when looked up, threadpoolctl controller of the loaded libraries)


def _thread_pools():
    """A controller of the BLAS/OpenMP libraries loaded now, looked up again when modules were imported since."""
    global _pools
    if _pools is None or _pools[0] != len(sys.modules):
        import numpy  # noqa: F401  (numpy's and scipy's BLAS must be loaded for the limit to reach them)
        import scipy.linalg  # noqa: F401
        from threadpoolctl import ThreadpoolController

        controller = ThreadpoolController()
        _pools = (len(sys.modules), controller)
    return _pools[1]


def _limit_this_process() -> None:
    """In a worker process (ours for good): thread variables for libraries loaded later, limits for loaded ones."""
    global _process_limited
    if not _process_limited:
        threads = blas_threads()
        os.environ.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
        _thread_pools().limit(limits=threads)
        _process_limited = True


PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent(parent: int) -> None:
    """In a worker process: die when ``parent`` does, however it ends (SIGTERM, SIGHUP, SIGKILL), instead of
    staying alive idle with its memory. Linux delivers SIGKILL on the parent's death (``PR_SET_PDEATHSIG``); a
    parent already gone before that was set is caught by its pid. Elsewhere the pool's own shutdown applies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _run_batch(worker: Callable, batch: Sequence) -> list:
    """Worker side: limit threads once for this process, then apply ``worker`` to each task of the batch."""
    _limit_this_process()
    return [worker(task) for task in batch]


def run(
    worker: Callable,
    tasks: Sequence,
    *,
    engine: str = "serial",
    jobs: int = 2,
    scheduler: str | None = None,
    progress: bool | None = None,
    desc: str = "tasks",
    unit: str = "it",
    size: Callable = lambda task: 1,
) -> list:
    """``[worker(task) for task in tasks]``, in order, on ``engine``: ``serial``, ``processes`` (``jobs`` local
    processes) or ``dask`` (the scheduler at ``scheduler``, else a loopback LocalCluster of ``jobs`` workers
    started and closed for this call). ``worker`` must be a top-level function and tasks picklable for the
    parallel engines. The progress bar (shown from :data:`PROGRESS_MIN_TASKS` tasks unless ``progress`` says)
    counts ``size(task)`` units per task."""
    from tqdm.auto import tqdm

    check_engine(engine)
    show = progress if progress is not None else len(tasks) >= PROGRESS_MIN_TASKS
    bar = tqdm(total=sum(size(t) for t in tasks), desc=desc, unit=unit, disable=not show, leave=False, file=sys.stderr)
    try:
        if engine == "serial" or len(tasks) <= 1:
            results = []
            with limited_threads():
                for task in tasks:
                    results.append(worker(task))
                    bar.update(size(task))
            return results
        batches = _batches(tasks, jobs)

        def done(i):
            bar.update(sum(size(t) for t in batches[i]))

        if engine == "processes":
            parts = _on_processes(worker, batches, jobs, done)
        else:
            parts = _on_dask(worker, batches, scheduler, jobs, done)
        return [result for part in parts for result in part]
    finally:
        bar.close()


def _batches(tasks: Sequence, workers: int) -> list[list]:
    size = max(1, min(MAX_BATCH, -(-len(tasks) // (max(1, workers) * BATCHES_PER_WORKER))))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def _on_processes(worker, batches, jobs: int, done) -> list[list]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=jobs, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        return _bounded(
            lambda batch: pool.submit(_run_batch, worker, batch),
            batches,
            jobs,
            done,
            lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0],
        )


def _on_dask(worker, batches, scheduler: str | None, n_workers: int, done) -> list[list]:
    """Batches on a Dask cluster: the one at ``scheduler``, else a loopback LocalCluster for this call only (its
    HTTP endpoint on a free loopback port, so it never clashes with a dashboard already on 8787)."""
    from distributed import Client, LocalCluster
    from distributed import wait as dask_wait

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        )
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        return _bounded(
            lambda batch: client.submit(_run_batch, worker, batch, pure=False),
            batches,
            workers,
            done,
            lambda pending: dask_wait(list(pending), return_when="FIRST_COMPLETED").done,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _bounded(submit, batches, workers: int, done, first_done) -> list[list]:
    """Keep at most ``IN_FLIGHT_PER_WORKER × workers`` batches submitted; collect results as they finish."""
    todo = iter(enumerate(batches))
    pending: dict = {}
    results: list = [None] * len(batches)

    def top_up():
        for i, batch in todo:
            pending[submit(batch)] = i
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                return

    top_up()
    while pending:
        for future in first_done(set(pending)):
            i = pending.pop(future)
            results[i] = future.result()
            done(i)
        top_up()
    return results

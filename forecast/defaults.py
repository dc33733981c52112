"""Names and defaults a user chooses from, in one module that loads nothing heavy, so the command line's
``--help`` can show them without importing the models, pandas or the data layer."""

SELECTED = "selected"
"""Pseudo-model name: each series' own model from a backtest selection."""

DEFAULT_YEARS = 6
"""Years of outlook: the year in progress and five more."""

DEFAULT_PATHS = 2000
"""Sample paths per outlook and target check, and ``--samples`` of ``forecast predict``, ``target`` and ``news``."""

LIBRARY_PATHS = 1000
"""Sample paths of the Python calls (``predict()``, ``fit_with_fallback()``, a saved model's ``predict()``, the
target calibration studies) when the caller names none: fewer than the commands', kept so no caller's numbers move."""

BACKTEST_PATHS = 1000
"""``forecast backtest --paths`` and ``backtest()``: cheaper than an outlook's, as every model runs at every window."""

RUN_BACKTEST_PATHS = 200
"""The backtest inside ``forecast run`` (its leaderboard only); not a ``RunSettings`` field, as a new field would
change every stored run's settings and so every run id and the news of the next run."""

MIN_PATHS = 10
"""Fewest sample paths ``forecast predict`` and an outlook take (their intervals and odds need a few)."""

LIBRARY_MIN_PATHS = 1
"""Fewest sample paths ``predict()``, ``backtest()`` and ``forecast backtest --paths`` take
(:func:`forecast.limits.check_samples`): looser than :data:`MIN_PATHS`, kept so nothing that runs today is refused."""

LEVELS = (80, 95)
"""Interval levels (%) a forecast table shows unless ``--level`` says otherwise."""

TARGET_LEVEL = 80
"""Level (%) of the outcome interval a target check reports."""

RANKING_METRICS = ("mase", "rmsse", "smape", "mape", "mae", "rmse", "msis", "pinball", "crps", "scaled_crps")
"""Backtest metrics a leaderboard or a selection can rank by; lower is better for each."""

HIERARCHY = "mint"
"""How outlooks are reconciled with the catalogue's sums (:mod:`forecast.hierarchy`) unless told otherwise."""

ENGINES = ("serial", "processes", "dask")
"""Where a backtest runs: in this process, in local processes, or on a Dask cluster."""

BACKTEST_ENGINE = "serial"
"""Where ``forecast backtest`` runs unless ``--engine`` says otherwise; ``--jobs`` alone does not start processes
there, unlike ``predict`` and ``run`` (:func:`forecast.executor.chosen_engine`)."""

BACKTEST_JOBS = 2
"""Local processes of a backtest on the ``processes`` engine given neither ``--jobs`` nor ``--workers``."""

"""Names and defaults a user chooses from, in one module that loads nothing heavy, so the command line's
``--help`` can show them without importing the models, pandas or the data layer."""

SELECTED = "selected"
"""Pseudo-model name: each series' own model from a backtest selection."""

DEFAULT_YEARS = 6
"""Years of outlook: the year in progress and five more."""

DEFAULT_PATHS = 2000
"""Sample paths per outlook (and per target check)."""

TARGET_LEVEL = 80
"""Level (%) of the outcome interval a target check reports."""

RANKING_METRICS = ("mase", "rmsse", "smape", "mape", "mae", "rmse", "msis", "pinball", "crps", "scaled_crps")
"""Backtest metrics a leaderboard or a selection can rank by; lower is better for each."""

HIERARCHY = "mint"
"""How outlooks are reconciled with the catalogue's sums (:mod:`forecast.hierarchy`) unless told otherwise."""

ENGINES = ("serial", "processes", "dask")
"""Where a backtest runs: in this process, in local processes, or on a Dask cluster."""

"""Rolling-origin backtests: windows, engines (serial, processes, Dask), metrics, leaderboard, model selection."""

from forecast.backtest.engine import BacktestResult, backtest
from forecast.backtest.leaderboard import Leaderboard, leaderboard
from forecast.backtest.selection import load_selection, save_selection, select_models
from forecast.backtest.windows import Window, WindowSpec, windows

__all__ = [
    "BacktestResult",
    "Leaderboard",
    "Window",
    "WindowSpec",
    "backtest",
    "leaderboard",
    "load_selection",
    "save_selection",
    "select_models",
    "windows",
]

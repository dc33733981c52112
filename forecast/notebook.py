"""Notebook set-up in one call, as every notebook in ``experiments/`` starts: no progress-bar notice about
ipywidgets, off-screen drawing when the notebook runs as a plain script (tests, CI), wide pandas tables."""

from __future__ import annotations

import sys
import warnings


def setup(max_columns: int = 20, max_colwidth: int = 60, width: int = 160) -> None:
    """Call before importing ``matplotlib.pyplot``: the drawing backend is chosen here."""
    import matplotlib
    import pandas as pd

    warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notice when ipywidgets is absent
    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    pd.set_option("display.width", width)
    pd.set_option("display.max_columns", max_columns)
    pd.set_option("display.max_colwidth", max_colwidth)

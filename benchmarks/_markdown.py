"""One way the benchmark scripts print a frame as a Markdown table (pandas' ``to_markdown`` needs ``tabulate``,
which the project does not depend on)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd


def markdown(frame: pd.DataFrame, cell: Callable[[str, object], str] | None = None) -> str:
    """``frame`` as Markdown rows; ``cell(column, value)`` formats a value (default: floats to three decimals,
    missing values empty, the rest as text)."""

    def default(column: str, value) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.3f}"
        return str(value)

    show = cell or default
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += [
        "| " + " | ".join(show(c, v) for c, v in zip(frame.columns, row)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)

# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The national outlook for 2025, as the facts arrived
#
# One outlook per series answers "how will this year end, given everything published so far". Here we rebuild
# the national trains outlook for 2025 as it stood on several dates — before any 2025 figure, after the first
# quarter's total, after the 110,000th train — and see which facts moved it and by how much. Every number a
# command prints about the series (`forecast predict --entity`, `forecast target`, the report's chart) is read
# from these same paths.

# %%
from forecast.notebook import setup

setup()
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from forecast.outlook import Outlooks
from forecast.targets import check_target

outlooks = Outlooks(n_paths=1000, seed=0)
dates = ["2025-01-01", "2025-04-30", "2025-06-30", None]  # None: the date the facts run to

# %% [markdown]
# For each date: what had run by then, the outlook's median and 80% interval for 2025, and the annual model's
# mean before that year's facts (the prior). The first quarter came in 6.4% below 2024's: the outlook follows it.

# %%
rows = []
for date in dates:
    view = outlooks.get("national", "trains", as_of=date)
    paths = view.year_paths(2025)
    seen = view.observed.get(2025)
    rows.append(
        {
            "as of": view.as_of.date(),
            "run so far": seen.short() if seen else "nothing yet",
            "prior mean": view.prior_mean[list(view.years).index(2025)],
            "median": np.median(paths),
            "lo-80": np.quantile(paths, 0.1),
            "hi-80": np.quantile(paths, 0.9),
            "facts used": ", ".join(view.sources) or "-",
        }
    )
pd.DataFrame(rows).round(0)

# %% [markdown]
# The months add up to the year, path by path, and the first quarter is pinned to the stated 4,250 (to the
# nearest ten, as the figure is written).

# %%
latest = outlooks.get("national", "trains")
months = latest.monthly[:, :12]
print("largest gap between months and year:", float(np.abs(months.sum(axis=1) - latest.year_paths(2025)).max()))
print("Q1 across paths:", np.round(np.quantile(months[:, :3].sum(axis=1), [0, 0.5, 1]), 1))

# %% [markdown]
# A target's probability is a share of the same paths: the planner's question "more than 20,000 trains in 2025?"

# %%
check = check_target("national", year=2025, at_least=20000, outlooks=outlooks)
print(
    f"P(at least 20,000) = {check.probability:.1%}; share of the outlook's paths: "
    f"{np.mean(latest.year_paths(2025) >= 20000):.1%}"
)

# %% [markdown]
# How the 2025 distribution narrowed as the facts came in.

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for date, row in zip(dates, rows):
    view = outlooks.get("national", "trains", as_of=date)
    ax.hist(view.year_paths(2025), bins=50, histtype="step", linewidth=1.5, label=f"as of {row['as of']}")
ax.axvline(19392, color="black", linestyle=":", label="2024: 19,392")
ax.set_xlabel("national trains in 2025")
ax.set_ylabel("paths")
ax.set_title("The 2025 outlook as the facts arrived")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

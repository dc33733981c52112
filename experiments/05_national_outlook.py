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
# # The national outlook for the year in progress, as the facts arrived
#
# One outlook per series answers "how will this year end, given everything published so far". Here we rebuild
# the national trains outlook for the year the data runs into as it stood on several dates — before any figure
# about the year, then on each date a national figure about it came out, then on the date the facts run to — and
# see which facts moved it and by how much. Every number a command prints about the series (`forecast predict
# --entity`, `forecast target`, the report's chart) is read from these same paths.

# %%
from forecast.notebook import setup

setup()
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from forecast.data.vintage import known_from
from forecast.outlook import Outlooks
from forecast.targets import check_target

outlooks = Outlooks(n_paths=1000, seed=0)
year = outlooks.facts.as_of.year  # the year in progress on the date the facts run to
facts = outlooks.facts.facts
about = facts[
    (facts["entity"] == "national")
    & (facts["metric"] == "trains")
    & (facts["kind"] == "total")
    & (pd.to_datetime(facts["period_end"]).dt.year == year)
]
arrivals = sorted({day for day in known_from(about).dt.normalize() if day < outlooks.facts.as_of})
dates = [pd.Timestamp(year, 1, 1), *arrivals[-3:], None]  # None: the date the facts run to
print(f"year in progress: {year}; the facts run to {outlooks.facts.as_of.date()}")

# %% [markdown]
# For each date: what had run by then, the outlook's median and 80% interval for the year, and the annual model's
# mean before that year's facts (the prior): the outlook follows what the months so far say.

# %%
rows = []
for date in dates:
    view = outlooks.get("national", "trains", as_of=date)
    paths = view.year_paths(year)
    seen = view.observed.get(year)
    rows.append(
        {
            "as of": view.as_of.date(),
            "run so far": seen.short() if seen else "nothing yet",
            "prior mean": view.prior_mean[list(view.years).index(year)],
            "median": np.median(paths),
            "lo-80": np.quantile(paths, 0.1),
            "hi-80": np.quantile(paths, 0.9),
            "facts used": ", ".join(view.sources) or "-",
        }
    )
pd.DataFrame(rows).round(0)

# %% [markdown]
# The months add up to the year, path by path, and the months the facts speak of are held to what was stated
# (within the rounding of the figures as written).

# %%
latest = outlooks.get("national", "trains")
start = list(latest.years).index(year) * 12
months = latest.monthly[:, start : start + 12]
print("largest gap between months and year:", float(np.abs(months.sum(axis=1) - latest.year_paths(year)).max()))
seen = latest.observed.get(year)
if seen is not None:
    ran = months[:, : seen.through.month].sum(axis=1)
    print(f"{seen.short()}; January to {seen.through:%B} across paths:", np.round(np.quantile(ran, [0, 0.5, 1]), 1))

# %% [markdown]
# A target's probability is a share of the same paths: the planner's question "at least as many trains as last
# year?"

# %%
last = latest.series.annual.get(year - 1)
goal = float(last) if last is not None and np.isfinite(last) else float(np.median(latest.year_paths(year)))
check = check_target("national", year=year, at_least=goal, outlooks=outlooks)
print(
    f"P(at least {goal:,.0f}) = {check.probability:.1%}; share of the outlook's paths: "
    f"{np.mean(latest.year_paths(year) >= goal):.1%}"
)

# %% [markdown]
# How the distribution of the year narrowed as the facts came in.

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for date, row in zip(dates, rows):
    view = outlooks.get("national", "trains", as_of=date)
    ax.hist(view.year_paths(year), bins=50, histtype="step", linewidth=1.5, label=f"as of {row['as of']}")
ax.axvline(goal, color="black", linestyle=":", label=f"{year - 1}: {goal:,.0f}")
ax.set_xlabel(f"national trains in {year}")
ax.set_ylabel("paths")
ax.set_title(f"The {year} outlook as the facts arrived")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

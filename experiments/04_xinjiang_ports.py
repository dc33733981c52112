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
# # Xinjiang's two ports: Alashankou and Khorgos
#
# Most westbound China-Europe trains leave China through Xinjiang, at Alashankou (Alataw Pass) or Khorgos
# (Horgos). The data has each port and their group (`xinjiang-ports`), each on several counting bases. This
# notebook puts the series side by side, lists their conflicts, checks whether the two ports add up to the group,
# and asks how 2025 ends given "more than 16,000 trains in January-November".

# %%
from forecast.notebook import setup

setup(max_colwidth=70)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from forecast.data import entity_catalogue, load_observations, reconciled
from forecast.targets import check_target

ENTITIES = ["alashankou", "khorgos", "xinjiang-ports"]

# %%
catalogue = entity_catalogue()
catalogue[catalogue["slug"].isin(ENTITIES)]

# %% [markdown]
# ## Series side by side — mind the basis
#
# Each entity has trains on several bases: `reported` (in + out, as the railway reports it), `customs` (trains
# under customs supervision, often a year-to-date milestone), `outbound`/`inbound` (one direction only). Only
# series on the same basis can be compared or added. The table shows each year's value, or the interval
# `[lo, hi]` when the year is only partly known (`hi = inf`: no upper bound).

# %%
rec = reconciled()
annual = rec.series[
    rec.series["entity"].isin(ENTITIES) & (rec.series["metric"] == "trains") & (rec.series["freq"] == "annual")
].copy()
annual["year"] = annual["ds"].dt.year


def cell(row) -> str:
    if np.isfinite(row.y):
        return f"{row.y:,.0f}"
    return f"[{row.y_lo:,.0f}, {'inf' if np.isinf(row.y_hi) else f'{row.y_hi:,.0f}'}]"


annual["value"] = [cell(r) for r in annual.itertuples()]
annual.pivot(index="year", columns="unique_id", values="value").fillna("")

# %% [markdown]
# ## Conflicts
#
# Facts about these entities (any metric) that were set aside, by how much, and against which kept facts.

# %%
rec.conflicts.loc[
    rec.conflicts["entity"].isin(ENTITIES), ["unique_id", "fact_ids", "statement", "violation", "relative", "against"]
]

# %% [markdown]
# The Alashankou and Khorgos "January 1 – May 1, 2022" figures miss by less than 0.2 %: a one-day difference in
# the cut-off is enough. The Khorgos outbound figure of 2020 misses by 8 % against another outbound figure.
#
# ## Do the two ports add up to the group?
#
# Reconciliation works per entity, so the sum is not imposed; it is a check on the data. On the `reported`
# basis, where all three years have a value:

# %%
reported = annual[annual["basis"] == "reported"]
wide = {name: reported[reported["entity"] == name].set_index("year") for name in ENTITIES}
years = sorted(set(reported["year"]))
check = pd.DataFrame(
    {
        "alashankou": wide["alashankou"]["y"].reindex(years),
        "khorgos": wide["khorgos"]["y"].reindex(years),
        "xinjiang-ports": wide["xinjiang-ports"]["y"].reindex(years),
    },
    index=pd.Index(years, name="year"),
)
check["sum of ports"] = check["alashankou"] + check["khorgos"]
check["difference %"] = 100 * (check["sum of ports"] / check["xinjiang-ports"] - 1)
check.round(1)

# %% [markdown]
# 2020 is the one year all three are pinned down, and there the ports add up exactly (5,027 + 4,652 = 9,679).
# For the other years the intervals tell us more: the sum of the ports' intervals should overlap the group's
# interval, and the group minus Khorgos says what Alashankou's open years must have been.

# %%
lo = {name: wide[name]["y_lo"].reindex(years) for name in ENTITIES}
hi = {name: wide[name]["y_hi"].reindex(years) for name in ENTITIES}
bounds = pd.DataFrame(
    {
        "ports lo": lo["alashankou"] + lo["khorgos"],
        "ports hi": hi["alashankou"] + hi["khorgos"],
        "group lo": lo["xinjiang-ports"],
        "group hi": hi["xinjiang-ports"],
    },
    index=pd.Index(years, name="year"),
)
bounds["consistent"] = (bounds["ports lo"] <= bounds["group hi"]) & (bounds["group lo"] <= bounds["ports hi"])
bounds["alashankou implied"] = check["xinjiang-ports"] - check["khorgos"]
bounds["alashankou interval"] = [f"[{a:,.0f}, {b:,.0f}]" for a, b in zip(lo["alashankou"], hi["alashankou"])]
bounds.dropna(subset=["group lo"]).round(0)

# %% [markdown]
# Where a row is consistent, nothing in the two ports' facts contradicts the group's; the implied Alashankou
# totals (group minus Khorgos) fall inside the intervals that Alashankou's own year-to-date figures allow.

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for i, name in enumerate(ENTITIES):
    part = wide[name]
    known = part[part["y"].notna()]
    ax.plot(known.index, known["y"], marker="o", color=f"C{i}", label=name)
    finite = part[np.isfinite(part["y_hi"])]
    ax.fill_between(finite.index, finite["y_lo"], finite["y_hi"], color=f"C{i}", alpha=0.15)
ax.plot(check.index, check["sum of ports"], linestyle="--", color="grey", marker="x", label="alashankou + khorgos")
ax.set_title("Trains through Xinjiang's ports (reported basis); bands: what the facts allow")
ax.set_ylabel("trains")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## How does 2025 end?
#
# The latest fact: "more than 16,000 trains in January-November 2025, +7.6 %".

# %%
obs = load_observations()
obs.loc[
    (obs["entity"] == "xinjiang-ports") & (obs["period_start"] >= "2025-01-01"),
    ["id", "basis", "period_start", "period_end", "value", "qualifier", "yoy_pct", "note"],
]

# %% [markdown]
# `check_target` conditions on that year-to-date figure and simulates December from the seasonal profile. A
# target of 16,000 for the year is already met by the year-to-date figure, so its probability is 1 and the run
# rate still needed is zero. A tougher threshold, 17,500, needs December to keep up November's pace; and
# "growth over 2024" (16,400) is checked against the 2024 figure. We pass `basis="reported"` explicitly: without
# it the check would pool facts of every basis of the entity.

# %%
rows = []
for goal in (dict(at_least=16000), dict(at_least=17500), dict(growth_pct=0)):
    result = check_target("xinjiang-ports", year=2025, basis="reported", n_paths=500, seed=0, **goal)
    rows.append(result.row())
targets = pd.DataFrame(rows)
targets[
    [
        "target",
        "probability",
        "expected",
        "lo_80",
        "hi_80",
        "observed",
        "observed_through",
        "needed_per_day",
        "observed_per_day",
        "method",
    ]
].round(2)

# %% [markdown]
# `observed_per_day` is the pace so far (16,000 over 334 days); `needed_per_day` the pace December must run at.
# The expected 2025 total, about 17,700, is about 8 % above 2024 — in line with the +7.6 % stated for
# January-November.

# %% [markdown]
# The same question through the outlook the targets read: its monthly paths for 2025 are conditioned on the
# January-November bound, so every path's first eleven months add up to at least 16,000 and only December is
# left open. The chart shows the months (median and 80% band) and the year's total.

# %%
from forecast.outlook import outlook

ports = outlook("xinjiang-ports", "trains", n_paths=500)
months = ports.months[:12].to_timestamp()
year = ports.monthly[:, :12]
lo, mid, hi = np.quantile(year, [0.1, 0.5, 0.9], axis=0)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
left.fill_between(months, lo, hi, alpha=0.3, label="80% of paths")
left.plot(months, mid, marker="o", label="median")
left.set_title("Xinjiang ports, trains a month, 2025")
left.legend()
right.hist(year[:, :11].sum(axis=1), bins=30, alpha=0.6, label="January-November")
right.hist(ports.year_paths(2025), bins=30, alpha=0.6, label="the whole year")
right.axvline(16000, color="black", linestyle="--", label="more than 16,000 (S0004)")
right.set_title("2025 totals across the outlook's paths")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()

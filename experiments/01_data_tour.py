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
# # A tour of the data and its conflicts
#
# China-Europe Railway Express statistics arrive as scattered public *facts*: full years, single months,
# year-to-date totals, hedged wording ("more than 900"), targets, and different counting bases for the same hub.
# `forecast.data` validates them and reconciles them into consistent annual and monthly series, each value with an
# interval and the facts it rests on; facts that cannot all hold together are *set aside* and listed as conflicts.
#
# This notebook walks through that: the raw facts, the reconciled series, the conflicts, counting bases, and how
# the conflict rule changes the result. The first `reconciled()` call takes about 20 s; later calls read a cache
# in `$FORECAST_HOME/cache`.

# %%
from forecast.notebook import setup

setup()
import matplotlib.pyplot as plt
import numpy as np

from forecast.data import entity_catalogue, load_observations, reconciled
from forecast.data.summary import entity_summary

# %% [markdown]
# ## The raw facts
#
# Each row is one sourced statement: an entity (hub, port, corridor, the nation), a metric (trains, TEU, ...),
# a period, a kind (`total`, `cumulative`, `target`, ...), a value with its wording (`qualifier`), an optional
# year-on-year growth, and the source it came from.

# %%
obs = load_observations()
print(f"{len(obs)} facts about {obs['entity'].nunique()} entities")
print(obs["kind"].value_counts().to_string())
obs[["id", "entity", "metric", "basis", "period_start", "period_end", "kind", "value", "qualifier", "yoy_pct"]].head(8)

# %% [markdown]
# The entity catalogue names every slug and its parents (a port belongs to a port group, a route to a hub).

# %%
catalogue = entity_catalogue()
print(catalogue["kind"].value_counts().to_string())
catalogue[catalogue["slug"].isin(["national", "xian", "alashankou", "khorgos", "xinjiang-ports"])]

# %% [markdown]
# ## Reconciled series
#
# `rec.series` is one long frame, one row per series × period. A series is `entity/metric/basis` (its
# `unique_id`). `y` is the point value, `[y_lo, y_hi]` what the facts allow; `y_hi = inf` means nothing bounds
# it from above (only a year-to-date figure is known). A year the facts leave open has `y` empty and the flag
# `partial` — it is neither dropped nor invented. `sources` are the fact ids that pin the value down.

# %%
rec = reconciled()
print(f"{rec.series['unique_id'].nunique()} series, {len(rec.series)} rows, {len(rec.conflicts)} conflicts")
national = rec.series[(rec.series["unique_id"] == "national/trains/reported") & (rec.series["freq"] == "annual")]
national[["ds", "y", "y_lo", "y_hi", "sources", "flags"]]

# %% [markdown]
# The flags say how each value was obtained: `implied` (from a growth rate stated the next year), `derived`
# (the midpoint of a narrow interval), `conflict` (some fact about this period was set aside), `partial` and
# `open` (the current year, known only up to a year-to-date figure). Partial years across all series:

# %%
partial = rec.series[rec.series["flags"].str.contains("partial")]
print(f"{len(partial)} partial rows; e.g.")
partial[["unique_id", "ds", "y", "y_lo", "y_hi", "flags"]].head(6)

# %% [markdown]
# `entity_summary` gives one line per entity: metrics, counting bases, the years with an annual value, and
# how many facts and conflicts it has.

# %%
summary = entity_summary(rec)
summary.sort_values("facts", ascending=False).head(12)

# %% [markdown]
# ## Conflicts
#
# Every fact is a band on a sum of monthly totals. When the bands cannot all hold, the facts that must give way
# (by the rule, see below) are set aside — never averaged — and listed with how much they miss by (`violation`,
# in the metric's units; `relative` to the fact's size) and the kept facts they clash with (`against`).

# %%
conflicts = rec.conflicts.sort_values("relative", ascending=False)
conflicts[["unique_id", "fact_ids", "statement", "violation", "relative", "against", "resolution"]].head(10)

# %% [markdown]
# Most conflicts are tiny (a rounding or a one-day difference in a cumulative count); a few are large and
# usually mean two sources counted different things.

# %%
print((rec.conflicts["relative"] < 0.01).sum(), "of", len(rec.conflicts), "conflicts miss by less than 1 %")

# %% [markdown]
# The reconciled monthly system answers questions about *any* period. Alashankou's first four months of 2022
# are bounded tightly, although no fact states that period exactly; a "Jan 1 – May 1: 1,883" statement was
# set aside because it is slightly lower than what the other facts require.

# %%
lo, hi = rec.period_bounds("alashankou/trains/reported", "2022-01-01", "2022-04-30")
print(f"Alashankou trains, Jan-Apr 2022: between {lo:,.0f} and {hi:,.0f}")
rec.conflicts.loc[
    rec.conflicts["unique_id"] == "alashankou/trains/reported", ["fact_ids", "statement", "violation", "against"]
]

# %% [markdown]
# ## Counting bases
#
# The same hub can be counted differently: Xi'an's own figures count round trips as reported locally, while the
# national ranking (China Railway Container) counts fewer trains. They are kept as separate series (`basis`),
# never mixed.

# %%
xian_2024 = rec.series[
    (rec.series["entity"] == "xian")
    & (rec.series["metric"] == "trains")
    & (rec.series["freq"] == "annual")
    & (rec.series["ds"].dt.year == 2024)
]
xian_2024[["unique_id", "ds", "y", "y_lo", "y_hi", "sources", "flags"]]

# %% [markdown]
# Xi'an's 2024 local figure (4,985, +25.1 %) also carries a growth rate that does not fit the 2023 figure of
# 5,351: the growth part is set aside (it was probably stated against a differently counted 2023), the level is
# kept, hence the `conflict` flag.

# %%
obs.loc[
    obs["id"].isin(["H0369", "H0372", "H0373"]),
    ["id", "basis", "period_start", "period_end", "value", "yoy_pct", "note"],
]

# %% [markdown]
# ## The national series with its interval
#
# The line is the point value, the band `[y_lo, y_hi]` (narrow where an exact figure exists, wider where the
# value is implied or derived). The current year, only partly known, is drawn as its lower bound.

# %%
known = national[national["y"].notna()]
open_years = national[national["y"].isna()]
fig, ax = plt.subplots(figsize=(8, 4))
ax.fill_between(known["ds"], known["y_lo"], known["y_hi"], alpha=0.3, label="interval [y_lo, y_hi]")
ax.plot(known["ds"], known["y"], marker="o", label="reconciled y")
ax.scatter(open_years["ds"], open_years["y_lo"], marker="^", color="C3", label="partial year: at least")
ax.set_title("China-Europe Railway Express: trains per year (national, reported)")
ax.set_ylabel("trains")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The conflict rule
#
# The default rule `corroborated` weighs each fact by the number of independent sources stating it, then its
# wording (exact > about > hedged), then how recent it is; `latest` lets the most recent publication win instead. The
# two rules set aside different
# facts (this second reconciliation takes another ~20 s the first time).

# %%
latest = reconciled(rule="latest")
aside = {"corroborated": set(rec.conflicts["fact_ids"]), "latest": set(latest.conflicts["fact_ids"])}
print(f"conflicts: corroborated {len(rec.conflicts)}, latest {len(latest.conflicts)}")
print("set aside only under 'latest':", sorted(aside["latest"] - aside["corroborated"]))
print("set aside only under 'corroborated':", sorted(aside["corroborated"] - aside["latest"]))

# %% [markdown]
# Chongqing is an example: under `corroborated` the single hedged "more than 1,000 in 2018, +50 %" gives way to
# the facts of two other sources; under `latest` the exact 2017 and 2018 figures, published earlier, give way
# instead. Where the rules disagree, the series values can differ too. Annual values that change between the
# rules:

# %%
key = ["unique_id", "freq", "ds"]
both = rec.series.merge(latest.series, on=key, suffixes=("_corroborated", "_latest"))
changed = both[
    (both["freq"] == "annual") & ~np.isclose(both["y_corroborated"], both["y_latest"], rtol=1e-6, equal_nan=True)
]
changed[["unique_id", "ds", "y_corroborated", "y_latest"]]

# %% [markdown]
# The same comparison as a chart: each dot is one year of a series whose value depends on the rule.

# %%
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(changed["y_corroborated"], changed["y_latest"], s=18)
top = float(np.nanmax(changed[["y_corroborated", "y_latest"]].to_numpy())) * 1.05 if len(changed) else 1.0
ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1)
ax.set_xlabel("annual value, rule corroborated")
ax.set_ylabel("annual value, rule latest")
ax.set_title("Where the conflict rules disagree")
fig.tight_layout()
plt.show()

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
# # Shandong's 2024 targets: how likely were they?
#
# In February 2024 Shandong announced its plans for the year: more than **900 Central Asia trains**, more than
# **1,380 Russia/Europe trains**, and **20 % more special trains**. `forecast.targets` turns each into a
# probability: it simulates the year's total from the series known on the announcement date (sample paths),
# conditions on any year-to-date figure, and reports the share of paths that meet the target, an 80 % interval
# of the outcome, the run-rate still needed, and the outcome if it became known.

# %%
from forecast.notebook import setup

setup(max_columns=30, max_colwidth=80)
import matplotlib.pyplot as plt
import numpy as np

from forecast.data import load_observations
from forecast.targets import check_all_targets, check_target, targets_from_facts

N_PATHS = 500

# %% [markdown]
# ## The bundled targets
#
# Targets are facts of kind `target`; the same goal stated by several sources becomes one target listing every
# source. Shandong has older goals too (2019-2021) besides the three 2024 ones.

# %%
obs = load_observations()
targets = [t for t in targets_from_facts(obs) if t.entity.startswith("shandong")]
for t in targets:
    print(f"{t.label:60s} sources {', '.join(t.sources):12s} announced {t.published.date() if t.published else '?'}")

# %% [markdown]
# ## What the toolkit would have said when each target was announced
#
# `check_all_targets` judges each target with only the data public on its announcement date (`as_of`), and puts
# what actually happened beside it (`outcome`, `met`) where a full-year figure exists.

# %%
checks = check_all_targets(targets=targets, n_paths=N_PATHS, seed=0)
checks[
    [
        "target",
        "as_of",
        "probability",
        "expected",
        "lo_80",
        "hi_80",
        "needed_per_day",
        "observed_per_day",
        "used",
        "method",
        "outcome",
        "met",
    ]
].round(3)

# %% [markdown]
# How to read a row: `probability` is the share of simulated outcomes meeting the target; `[lo_80, hi_80]` the
# central 80 % of outcomes; `needed_per_day` the trains per remaining day the target requires (against
# `observed_per_day` so far, when a year-to-date figure is known); `used` the model that produced the paths and
# `method` how the year's total was assembled.
#
# ## The three 2024 targets, one by one
#
# `check_target` checks one target: entity, year and one of `at_least`, `more_than`, `at_most`, `growth_pct`;
# `as_of` limits the data to what was public that day.

# %%
announced = "2024-02-23"
central_asia = check_target(
    "shandong-central-asia", year=2024, more_than=900, basis="reported", as_of=announced, n_paths=N_PATHS
)
russia_europe = check_target(
    "shandong-russia-europe", year=2024, more_than=1380, basis="reported", as_of=announced, n_paths=N_PATHS
)
special = check_target(
    "shandong-special-trains", year=2024, growth_pct=20, basis="reported", as_of=announced, n_paths=N_PATHS
)
for check in (central_asia, russia_europe, special):
    lo, hi = check.interval(80)
    rate = check.run_rate
    print(check.target.label)
    print(f"  assessed: {check.assessed}  P(met) = {check.probability:.2f}  80% interval [{lo:,.0f}, {hi:,.0f}]")
    if rate is not None and check.assessed:
        print(f"  needs {rate.needed_per_day:.1f} trains/day ({rate.needed_per_month:.0f}/month) over the year")
    print(f"  outcome: {check.outcome}  met: {check.met}")
    for note in check.notes:
        print(f"  note: {note}")

# %% [markdown]
# **Why the route targets are not answered.** Neither route series has a single full-year figure: only
# January-September 2018 and January-April 2022 are known, and nothing about 2024 had been published when the
# targets were announced. Annualised with a typical seasonal share and grown for two years by the growth the
# network's series have shown at that size, 2022 leaves 2024 anywhere in an 80% range whose top is over three
# times its bottom (the notes give it): the toolkit says so instead of publishing a probability that would only
# restate that range (`assessed: False`, `P(met) = nan`).
#
# **How the special-trains target is answered.** There is no total of `shandong-special-trains` at all in the
# data. A growth target needs no level, so the toolkit answers it from the parent's (Shandong's) growth,
# widened by how much a part's growth differs from its whole (the between-entity spread of the same growth
# model); the method and note say so. An absolute target for special trains would stay unassessed (no level,
# so no probability) rather than get a made-up one.

# %%
[t for t in obs.loc[obs["entity"] == "shandong-special-trains", "kind"]]

# %% [markdown]
# ## A sanity check against the province total
#
# The two route targets add up to 2,280 trains. Shandong's own total has a longer history, and its 2024 outcome
# is known (2,727). What was P(total ≥ 2,280) in February 2024, and what happened?

# %%
total = check_target("shandong", year=2024, at_least=900 + 1380, basis="reported", as_of=announced, n_paths=N_PATHS)
lo, hi = total.interval(80)
print(f"P(Shandong total >= 2,280) = {total.probability:.2f}, 80% interval [{lo:,.0f}, {hi:,.0f}]")
print(f"outcome {total.outcome:,.0f}, met: {total.met}")
if central_asia.assessed and russia_europe.assessed:
    print("expected Central Asia + Russia/Europe:", f"{central_asia.expected + russia_europe.expected:,.0f}")

# %% [markdown]
# When route outlooks can be published, they are made independently of the province total, so their sum can
# exceed it: read them beside the province-level check, which has a real history and is the one to trust here.
#
# ## Outcome distributions
#
# The simulated 2024 totals (one value per path) with the target line, for the targets that were answered. Route
# outcomes, when answered, span far more than the province's, so their axes are logarithmic.

# %%
shown = [check for check in (central_asia, russia_europe, total) if check.assessed]
fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.5), squeeze=False)
for ax, check in zip(axes[0], shown):
    log = check is not total
    bins = np.geomspace(check.values.min(), check.values.max(), 40) if log else 40
    ax.hist(check.values, bins=bins, color="C0", alpha=0.7)
    if log:
        ax.set_xscale("log")
    ax.axvline(check.target.threshold, color="C3", label=f"target {check.target.threshold:,.0f}")
    if check.outcome is not None:
        ax.axvline(check.outcome, color="black", linestyle="--", label=f"outcome {check.outcome:,.0f}")
    ax.set_title(f"{check.target.entity}\nP(met) = {check.probability:.2f}", fontsize=10)
    ax.set_xlabel("trains in 2024")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

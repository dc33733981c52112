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
# # Which model to trust: a rolling-origin backtest
#
# We take the annual series with enough history, forecast each from several past cutoffs with a handful of
# models, score the forecasts against what happened, and rank the models overall and per series. Then we pick a
# model per series and forecast five years ahead, with a fan chart for the series with the longest history.
#
# Annual series are short (the national one starts in 2011), so a backtest here is a small sample: read the
# leaderboard as "which models are not obviously wrong", not as a precise ranking.

# %%
from forecast.notebook import setup

setup()
import matplotlib.pyplot as plt
import pandas as pd

from forecast.backtest import backtest, leaderboard, select_models
from forecast.data import reconciled
from forecast.data.panels import complete_periods, latest_runs
from forecast.predict import predict

# %% [markdown]
# ## The series
#
# `rec.panel("annual")` gives the years with a value (partial years are left out). As `forecast run` does, we
# keep complete years only, cut each series to its latest run of consecutive years (a model is fitted on that;
# bridging a gap would invent values with no noise) and keep the series with at least six points in it: with a
# horizon of 2 and 3 cutoffs, fewer would leave almost nothing to train on.

# %%
rec = reconciled()
panel = latest_runs(complete_periods(rec.panel("annual")), min_points=6)
panel.groupby("unique_id")["ds"].agg(first="min", last="max", points="size")

# %% [markdown]
# ## Backtest
#
# Three cutoffs (expanding window), two years ahead each, five models: `naive` (last value), `drift` (random
# walk with drift), `ets` and `theta` (statsmodels), and `auto` (the default: the median of fast Theta, damped ETS,
# drift and AICc-chosen ETS forecasts, their paths mixed so the members' disagreement widens the intervals). Each
# forecast is 300 sample paths; seeds are fixed, so the numbers are reproducible.

# %%
result = backtest(
    panel[["unique_id", "ds", "y"]], models=("naive", "drift", "ets", "theta", "auto"), h=2, n_windows=3, n_paths=300
)
result.forecasts.head()

# %% [markdown]
# ## Leaderboard
#
# `leaderboard(result)` returns a `Leaderboard` with four tables. `overall` averages scale-free metrics per
# series, so a big series does not drown small ones: MASE (error relative to the naive one-step error in the
# training history), sMAPE, MSIS (interval score), scaled CRPS (the whole distribution), the coverage of the
# 80 % and 95 % intervals, `skill` against `naive`, and `fell_back` (on how many series the model could not
# fit in some window and another model stood in).

# %%
board = leaderboard(result)
print("ranked by", board.metric)
board.overall

# %% [markdown]
# `per_horizon`: how accuracy decays from one to two years ahead.

# %%
board.per_horizon.pivot(index="model", columns="step", values="mase")

# %% [markdown]
# `per_series`: every series × model with its rank there and a note when the input was repaired (an interior
# gap filled) or the model fell back.

# %%
board.per_series[["unique_id", "model", "mase", "smape", "coverage-80", "rank", "fallback"]]

# %% [markdown]
# `failures`: where a model was replaced (`replaced=True`) or its input repaired, and why. Short series are
# where this happens: `ets` needs at least four points.

# %%
board.failures

# %% [markdown]
# ## One model per series
#
# `select_models` takes the best model of each series by MASE; ties go to the simpler model, and a model that
# fell back on a series is not eligible there.

# %%
selection = select_models(result)
selection

# %% [markdown]
# MASE judges the point forecast only. The leaderboard also says whether the intervals can be trusted: an 80 %
# interval should contain about 80 % of the actuals (`coverage-80`). With a handful of series and three cutoffs
# that is a few dozen checks per model at most, so read it as a warning light rather than a verdict: a model
# whose coverage is far from 80 % has intervals too narrow (below) or too wide (above). Selecting by scaled CRPS,
# which scores the whole distribution rather than the point, is the alternative; compare the two choices:

# %%
by_crps = select_models(result, metric="scaled_crps")
compare = selection.merge(by_crps, on="unique_id", suffixes=("_by_mase", "_by_crps"))
coverage = board.per_series.set_index(["unique_id", "model"])["coverage-80"]
compare["coverage-80 of MASE choice"] = [
    coverage[(uid, model)] for uid, model in zip(compare["unique_id"], compare["model_by_mase"])
]
print(
    f"same model by MASE and by CRPS on {(compare['model_by_mase'] == compare['model_by_crps']).sum()} "
    f"of {len(compare)} series"
)
compare[["unique_id", "model_by_mase", "score_by_mase", "model_by_crps", "score_by_crps", "coverage-80 of MASE choice"]]

# %% [markdown]
# Where the two metrics disagree, the point forecast and the spread point to different models: with three
# cutoffs the evidence is thin either way. Keep the chosen model's coverage in mind reading the fan chart
# below: a coverage well under 0.8 means its band is probably too narrow.

# %% [markdown]
# ## Forecast five years ahead
#
# `predict` forecasts every series with the given models. We forecast with `auto` and with each series'
# selected model, and look at the forecast of the series with the longest history from its selected model.

# %%
models = tuple(dict.fromkeys(["auto", *selection["model"]]))
prediction = predict(panel[["unique_id", "ds", "y"]], h=5, models=models, n_paths=500, seed=0)
table = prediction.table()
table[["unique_id", "ds", "auto", "auto-lo-80", "auto-hi-80"]]

# %% [markdown]
# Series whose input was repaired before forecasting (gaps filled by interpolation) are reported, not hidden:

# %%
prediction.fallbacks()

# %% [markdown]
# ## Fan chart for the longest series
#
# History (reconciled values) and the forecast distribution of the selected model: the darker the band, the
# more central (50 %, 80 %, 95 % intervals from the sample paths), with the median as a line.

# %%
uid = panel.groupby("unique_id").size().idxmax()
chosen = selection.set_index("unique_id").at[uid, "model"]
paths = prediction.paths(uid, chosen)
future = table.loc[table["unique_id"] == uid, "ds"]
history = panel[panel["unique_id"] == uid]
lo, hi = paths.interval(80)
pd.DataFrame({"ds": future.dt.year.to_numpy(), "median": paths.median(), "lo-80": lo, "hi-80": hi}).round(0)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(history["ds"], history["y"], marker="o", color="black", label="history")
for level, alpha in ((95, 0.15), (80, 0.25), (50, 0.4)):
    lo, hi = paths.interval(level)
    ax.fill_between(future, lo, hi, color="C0", alpha=alpha, label=f"{level} % interval")
ax.plot(future, paths.median(), color="C0", marker="o", label=f"median ({chosen})")
ax.set_title(f"{uid}: per year, 5-year forecast")
ax.set_ylabel(uid.split("/")[1])
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

"""Frequency inference and calendar arithmetic on the timestamps users give."""

import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.frequency import FREQUENCIES, future_dates, infer_frequency, regular_index
from forecast.longframe import on_grid


@pytest.mark.parametrize(
    "alias, expected",
    [("YS", "annual"), ("QS", "quarterly"), ("MS", "monthly"), ("W", "weekly"), ("D", "daily"), ("ME", "monthly")],
)
def test_infer_frequency(alias, expected):
    assert infer_frequency(pd.Series(pd.date_range("2001-01-01", periods=8, freq=alias))).name == expected


def test_infer_frequency_tolerates_a_gap():
    ds = pd.to_datetime(["2015-01-01", "2016-01-01", "2019-01-01", "2020-01-01"])
    assert infer_frequency(ds).name == "annual"


def test_infer_frequency_needs_two_dates():
    with pytest.raises(InputError):
        infer_frequency(pd.Series(pd.to_datetime(["2020-01-01"])))


def test_future_dates_keep_month_ends():
    got = future_dates(pd.Timestamp("2020-01-31"), 3, FREQUENCIES["monthly"])
    assert [d.strftime("%Y-%m-%d") for d in got] == ["2020-02-29", "2020-03-31", "2020-04-30"]


def test_regular_index_exposes_gaps():
    idx = regular_index(pd.Series(pd.to_datetime(["2018-01-01", "2021-01-01"])), FREQUENCIES["annual"])
    assert list(idx.year) == [2018, 2019, 2020, 2021]


def test_each_series_frequency_is_its_own_median_spacing():
    """The frame's frequency is inferred series by series (all at once): a gap in one series does not change it,
    a series too sparse for any frequency is named with its first row, and two frequencies are refused."""
    annual = pd.DataFrame(
        {"unique_id": "a", "ds": pd.to_datetime(["2015-01-01", "2016-01-01", "2019-01-01", "2020-01-01"]), "y": 1.0}
    )
    assert on_grid(annual)[1].name == "annual"
    sparse = pd.DataFrame({"unique_id": "s", "ds": pd.to_datetime(["2000-01-01", "2010-01-01"]), "y": 1.0})
    with pytest.raises(InputError, match=r"in.csv:6: ds: series 's': dates are 3653 days apart"):
        on_grid(pd.concat([annual, sparse], ignore_index=True), source="in.csv")
    monthly = pd.DataFrame({"unique_id": "m", "ds": pd.date_range("2020-01-01", periods=3, freq="MS"), "y": 1.0})
    with pytest.raises(InputError, match="series 'm' is monthly but series 'a' is annual"):
        on_grid(pd.concat([annual, monthly], ignore_index=True))

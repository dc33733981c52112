"""Frequency inference and calendar arithmetic on the timestamps users give."""

import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.frequency import FREQUENCIES, future_dates, infer_frequency, regular_index


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

"""Tests of the sales panel: frequency inference, observed cells, covariates and the assumed future."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.forecast.panel import Frequency, join, panel_from_arrays, panel_from_sales, panel_to_arrays

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("freq", "expected", "alias"),
    [("D", Frequency.DAILY, "D"), ("W-SUN", Frequency.WEEKLY, "W-SUN"), ("MS", Frequency.MONTHLY, "MS")],
)
def test_frequency_is_inferred_from_the_dates(freq: str, expected: Frequency, alias: str) -> None:
    dates = pd.date_range("2023-01-01", periods=40, freq=freq)
    frame = pd.DataFrame({"product_id": "a", "date": dates, "quantity": 1.0})

    panel = panel_from_sales(frame)

    assert (panel.frequency, panel.alias, panel.n_dates) == (expected, alias, 40)


def test_irregular_dates_are_refused() -> None:
    dates = pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-07", "2024-01-10"])
    frame = pd.DataFrame({"product_id": "a", "date": dates, "quantity": 1.0})

    with pytest.raises(DataValidationError, match="3 days apart"):
        panel_from_sales(frame)


def test_closed_days_and_gaps_are_kept_as_unobserved_cells(sales: pd.DataFrame) -> None:
    gap = sales[~((sales["product_id"] == "p0") & sales["date"].between("2024-03-01", "2024-03-10"))]

    panel = panel_from_sales(gap)
    counts = panel.counts()

    sundays = int((panel.dates.dayofweek == 6).sum())
    assert counts["missing_points"] == 10
    assert counts["closed_points"] == 6 * sundays - 2  # two of p0's missing days were Sundays
    assert counts["observed_points"] == 6 * 200 - counts["closed_points"] - 10
    assert not panel.observed[:, panel.dates.dayofweek == 6].any()


def test_missing_required_column_and_negative_quantity_are_refused(sales: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match="quantity"):
        panel_from_sales(sales.drop(columns=["quantity"]))
    with pytest.raises(DataValidationError, match="negative"):
        panel_from_sales(sales.assign(quantity=-1.0))


def test_holidays_come_from_attribute_keys_naming_them(make_sales: Callable[..., pd.DataFrame]) -> None:
    frame = make_sales(n_series=1, n_days=30)
    frame["attributes"] = [{"StateHoliday": "a" if day == 5 else "0", "Customers": "100"} for day in range(30)]

    panel = panel_from_sales(frame)

    assert list(panel.holidays) == ["StateHoliday"]
    assert panel.holidays["StateHoliday"][0].tolist() == [1 if day == 5 else 0 for day in range(30)]


def test_extension_repeats_closures_and_last_years_holidays(make_sales: Callable[..., pd.DataFrame]) -> None:
    frame = make_sales(n_series=2, n_days=400, start="2023-01-01")
    frame["attributes"] = [{"holiday": "new_year" if d.month == 1 and d.day == 1 else None} for d in frame["date"]]
    panel = panel_from_sales(frame[frame["date"] < "2023-12-25"])

    extended = panel.extended(14)
    future = extended.window(panel.n_dates, extended.n_dates)

    assert (future.open[:, future.dates.dayofweek == 6] == False).all()  # noqa: E712
    assert future.open[:, future.dates.dayofweek != 6].all()
    assert future.holidays["holiday"][:, future.dates == "2024-01-01"].all()
    assert np.isnan(future.y).all() and not future.present.any()
    assert (future.price == panel.price[:, -1:]).all() and not future.promotion.any()


def test_join_and_array_round_trip_restore_the_panel(sales: pd.DataFrame) -> None:
    panel = panel_from_sales(sales)

    joined = join(panel.window(0, 120), panel.window(120, 200))
    restored = panel_from_arrays(*panel_to_arrays(joined))

    np.testing.assert_array_equal(restored.y, panel.y)
    np.testing.assert_array_equal(restored.open, panel.open)
    np.testing.assert_array_equal(restored.promotion, panel.promotion)
    assert restored.dates.equals(panel.dates) and restored.keys.equals(panel.keys)

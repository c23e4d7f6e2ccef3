"""Small synthetic sales with a known structure, shared by the forecasting tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

WEEKLY = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 1.0])  # Monday .. Sunday


def _make_sales(
    *, n_series: int = 6, n_days: int = 200, promotion_lift: float = 1.0, closed_sundays: bool = True,
    noise: float = 0.05, seed: int = 0, start: str = "2024-01-01",
) -> pd.DataFrame:
    """Daily sales: level x weekday pattern x (1 + lift on promotion days) x lognormal noise.

    Sundays are closed (quantity 0, open False) when `closed_sundays`; promotions run on
    random 3-day blocks about 15% of days; prices are constant per series.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n_days, freq="D")
    rows = []
    for index in range(n_series):
        level = 20.0 * (index + 1)
        promotion = np.zeros(n_days, dtype=bool)
        for begin in rng.choice(n_days - 3, size=max(1, n_days // 20), replace=False):
            promotion[begin:begin + 3] = True
        mean = level * WEEKLY[dates.dayofweek] * (1 + promotion_lift * promotion)
        quantity = np.round(mean * rng.lognormal(0.0, noise, n_days))
        is_open = ~(closed_sundays & (dates.dayofweek == 6))
        rows.append(pd.DataFrame({
            "product_id": f"p{index}", "store_id": "s1", "date": dates, "quantity": np.where(is_open, quantity, 0.0),
            "price": 10.0 + index, "on_promotion": promotion, "open": is_open,
        }))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture
def make_sales() -> Callable[..., pd.DataFrame]:
    """The synthetic sales generator (keyword arguments as `_make_sales`)."""
    return _make_sales


@pytest.fixture
def sales() -> pd.DataFrame:
    """Six promoted series of 200 days with closed Sundays."""
    return _make_sales()

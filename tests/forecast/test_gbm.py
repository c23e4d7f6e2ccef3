"""Tests of the global LightGBM forecaster: covariates matter, and no feature looks closer than the horizon."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from llm4retail.forecast.features import lag_plan
from llm4retail.forecast.gbm import LightGBMForecaster
from llm4retail.forecast.panel import Frequency, panel_from_sales

pytestmark = pytest.mark.unit


def test_promotions_double_the_forecast_as_they_doubled_demand(make_sales: Callable[..., pd.DataFrame]) -> None:
    panel = panel_from_sales(make_sales(n_series=8, n_days=300, promotion_lift=1.0, noise=0.02, seed=1))
    history, future = panel.window(0, 272), panel.window(272, 300)
    promoted = future.promotion.copy()
    future.promotion = np.zeros_like(promoted)
    model = LightGBMForecaster(28).fit(history)
    plain = model.predict(future)
    future.promotion = np.ones_like(promoted)

    lifted = model.predict(future)

    open_days = future.open
    ratio = lifted[open_days].sum() / plain[open_days].sum()
    assert 1.7 < ratio < 2.3
    importance = model.feature_importance()
    assert importance["promotion"] == max(importance.values())


def test_forecasts_do_not_depend_on_the_last_horizon_minus_one_steps(make_sales: Callable[..., pd.DataFrame]) -> None:
    panel = panel_from_sales(make_sales(n_series=4, n_days=200, seed=2))
    horizon = 14
    history, future = panel.window(0, 186), panel.window(186, 200)
    model = LightGBMForecaster(horizon, n_estimators=50).fit(history)
    before = model.predict(future)
    model.tail_.y[:, -(horizon - 1):] *= 5.0  # the cells a lag >= horizon cannot see for the first step

    after = model.predict(future)

    np.testing.assert_allclose(after[:, 0], before[:, 0])
    assert not np.allclose(after[:, -1], before[:, -1])


def test_lag_plan_looks_back_at_least_the_horizon() -> None:
    for frequency, horizon in [(Frequency.DAILY, 42), (Frequency.WEEKLY, 6), (Frequency.MONTHLY, 3)]:
        recent, seasonal, _ = lag_plan(frequency, horizon)
        assert min(recent + seasonal) == horizon
        assert all(lag % frequency.season == 0 for lag in seasonal[:-1])

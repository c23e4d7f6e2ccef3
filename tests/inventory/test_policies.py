"""Tests of safety stock, the ordering policies and the advice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import panel_from_sales
from llm4retail.inventory.advice import advise
from llm4retail.inventory.base import InventorySettings, ReviewState
from llm4retail.inventory.policies import ForecastPolicy, NaivePolicy, safety_stock

pytestmark = pytest.mark.unit


def test_safety_stock_of_independent_normal_errors_is_z_sigma_root_window() -> None:
    errors = np.random.default_rng(0).normal(0.0, 2.0, size=(200, 56))

    stock = safety_stock(errors, window=4, block=28, service_level=0.95)

    assert stock.mean() == pytest.approx(1.645 * 2.0 * 2.0, rel=0.08)


def test_safety_stock_grows_with_forecast_bias_and_refuses_long_windows() -> None:
    rng = np.random.default_rng(1)
    unbiased = safety_stock(rng.normal(0, 1, (50, 28)), window=7, block=28, service_level=0.9)
    biased = safety_stock(rng.normal(1, 1, (50, 28)), window=7, block=28, service_level=0.9)

    assert biased.mean() > unbiased.mean() + 5  # under-forecasting by 1 a day needs ~7 more units a week
    with pytest.raises(DataValidationError, match="at least lead time"):
        safety_stock(np.zeros((2, 7)), window=10, block=7, service_level=0.9)


def test_policies_order_up_to_the_forecast_plus_safety_or_replace_sales() -> None:
    settings = InventorySettings(lead_time=2, review_period=3)
    advised = ForecastPolicy(np.full((1, 20), 4.0), np.array([5.0]), settings)
    naive = NaivePolicy(settings, opening_rate=np.array([2.0]))
    covered = NaivePolicy(settings, opening_rate=np.array([2.0]), cover_days=10)
    state = ReviewState(day=3, inventory_position=np.array([12.0]), sold_last_period=np.array([9.0]))

    assert advised.order(state)[0] == pytest.approx(4.0 * 5 + 5.0 - 12.0)
    assert naive.order(state)[0] == 9.0
    assert covered.order(state)[0] == pytest.approx(10 * 3.0 - 12.0)
    assert naive.order(ReviewState(0, np.array([0.0]), np.array([0.0])))[0] == 6.0


def test_settings_are_validated_and_default_to_the_critical_ratio() -> None:
    with pytest.raises(ConfigError, match="lead_time"):
        InventorySettings(lead_time=0)
    with pytest.raises(ConfigError, match="service_level"):
        InventorySettings(service_level=1.2)
    costs = InventorySettings(service_level=None, holding_cost=0.02, stockout_cost=1.0, review_period=5)

    assert costs.target_service_level == pytest.approx(1.0 / 1.1)


def test_advice_gives_a_concrete_order_for_known_stock() -> None:
    dates = pd.date_range("2024-01-01", periods=120, freq="D")
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"product_id": np.repeat(["a", "b"], 120), "date": np.tile(dates, 2),
                          "quantity": rng.poisson(np.repeat([10.0, 30.0], 120)).astype(float)})
    auto = AutoForecaster(14, models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.TSB]).fit(panel_from_sales(frame))
    settings = InventorySettings(lead_time=3, review_period=7)

    items = advise(auto, settings, on_hand={1: 50.0})

    first, second = items
    assert first.on_hand is None and first.order_quantity == pytest.approx(np.ceil(first.daily_demand * 7), abs=1)
    assert second.order_quantity == np.ceil(second.order_up_to - 50.0)
    for item in items:
        assert 0 < item.reorder_point < item.order_up_to and item.safety_stock > 0
    assert second.daily_demand == pytest.approx(30, rel=0.2)
    with pytest.raises(DataValidationError, match="refit with horizon"):
        advise(auto, InventorySettings(lead_time=10, review_period=7))


def test_stockout_risk_falls_as_stock_grows_and_is_unknown_without_stock() -> None:
    from llm4retail.inventory.policies import stockout_risk

    rng = np.random.default_rng(0)
    residuals = rng.normal(0.0, 3.0, size=(2, 56))  # four 14-day validation blocks, errors of sd 3 a day
    demand = np.array([30.0, 30.0])  # over a 3-day lead time
    levels = [0.0, 25.0, 30.0, 35.0, 60.0]
    risks = [stockout_risk(residuals, window=3, block=14, demand=demand, on_hand=np.array([level, np.nan]))
             for level in levels]  # fmt: skip
    first = [float(risk[0]) for risk in risks]
    assert first == sorted(first, reverse=True) and first[0] == 1.0 and first[-1] == 0.0
    assert 0.3 < first[2] < 0.7  # stock equal to the forecast: about even odds
    assert all(np.isnan(risk[1]) for risk in risks)

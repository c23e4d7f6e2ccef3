"""Tests of the inventory replay: by hand, and the advised policy on the demo store's sales."""

from __future__ import annotations

import numpy as np
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import panel_from_sales
from llm4retail.inventory.base import InventoryPolicy, InventorySettings, ReviewState
from llm4retail.inventory.simulate import replay, simulate_inventory


class _Fixed(InventoryPolicy):
    name = "fixed"

    def __init__(self, quantity: float) -> None:
        self.quantity = quantity
        self.positions: list[float] = []

    def order(self, state: ReviewState) -> np.ndarray:
        self.positions.append(float(state.inventory_position[0]))
        return np.array([self.quantity])


@pytest.mark.unit
def test_replay_by_hand_with_lead_time_and_lost_sales() -> None:
    settings = InventorySettings(lead_time=2, review_period=3)
    policy = _Fixed(6.0)
    demand = np.array([[4.0, 4.0, 4.0, 4.0, 0.0, 4.0]])

    outcome = replay(policy, demand, settings=settings, initial_on_hand=np.array([5.0]))

    # day 0: order 6 (arrives day 2), sell 4 -> 1; day 1: sell 1, lose 3 -> 0; day 2: +6, sell 4 -> 2;
    # day 3: review (position 2), order 6 (day 5), sell 2, lose 2 -> 0; day 4: closed -> 0; day 5: +6, sell 4 -> 2.
    assert policy.positions == [5.0, 2.0]
    assert outcome.lost_units == 5.0 and outcome.stockout_days == 2
    assert outcome.fill_rate == pytest.approx(15 / 20)
    assert outcome.average_inventory == pytest.approx((1 + 0 + 2 + 0 + 0 + 2) / 6)
    assert outcome.cycle_service_level == 0.0


@pytest.mark.integration
def test_advised_policy_meets_the_service_level_with_less_stock_on_the_demo_store() -> None:
    sales = generate_demo_store(seed=42).tables[Table.SALES]
    settings = InventorySettings(lead_time=3, review_period=7, service_level=0.95)

    report = simulate_inventory(panel_from_sales(sales), settings, days=42,
                                models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.LIGHTGBM])

    advised, naive, matched = (report["policies"][name] for name in ("advised", "naive", "naive_matched"))
    assert advised["fill_rate"] >= 0.95 and report["target_met"]
    assert advised["average_inventory"] < naive["average_inventory"]
    assert advised["average_inventory"] < matched["average_inventory"]
    assert matched["fill_rate"] >= advised["fill_rate"]
    assert advised["total_cost"] < naive["total_cost"]

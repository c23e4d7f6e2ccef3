"""The price that maximises expected profit within business constraints, with its uncertainty.

Demand at price p is `base_demand * (p / current_price) ** elasticity`. The
elasticity is uncertain (its posterior from `ShrunkElasticityModel`), so profit
and revenue changes are averaged over draws of it; the recommended price
maximises the *expected* profit over the candidate prices allowed by the
constraints (minimum margin, maximum change per step, price ending). Each
advice carries the 90% interval of its profit and revenue change and the
probability that profit rises.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.pricing.base import ElasticityEstimator

N_DRAWS = 2000
GRID_STEPS = 81


class PriceEnding(str, Enum):
    """How candidate prices end."""

    ANY = "any"  # cents
    NINETY_NINE = ".99"
    NINE = ".9"  # x.90
    WHOLE = ".00"

    def apply(self, prices: np.ndarray) -> np.ndarray:
        """Snap prices to this ending (to the nearest allowed value)."""
        if self is PriceEnding.ANY:
            return np.round(prices, 2)
        if self is PriceEnding.WHOLE:
            return np.round(prices)
        tail = 0.99 if self is PriceEnding.NINETY_NINE else 0.9
        return np.round(prices - tail) + tail


@dataclass(frozen=True)
class PriceConstraints:
    """Business rules for a price change.

    Attributes:
        min_margin: the least (price - cost) / price allowed.
        max_change: the largest relative change from the current price in one step.
        ending: the price ending.
        horizon_days: days over which revenue and profit changes are reported.
    """

    min_margin: float = 0.1
    max_change: float = 0.1
    ending: PriceEnding = PriceEnding.ANY
    horizon_days: int = 28

    def __post_init__(self) -> None:
        if not 0 <= self.min_margin < 1:
            raise ConfigError(f"min_margin must be in [0, 1), got {self.min_margin}")
        if not 0 < self.max_change < 1:
            raise ConfigError(f"max_change must be in (0, 1), got {self.max_change}")
        if self.horizon_days < 1:
            raise ConfigError(f"horizon_days must be at least 1, got {self.horizon_days}")


def recommend_price(
    model: ElasticityEstimator, index: int, *, unit_cost: float, constraints: PriceConstraints, seed: int = 0,
    current_price: float | None = None,
) -> dict[str, Any]:
    """Profit-maximising price of one series with the expected change and its uncertainty.

    Args:
        model: fitted elasticities.
        index: the series.
        unit_cost: cost of one unit.
        constraints: margin, step and ending rules.
        seed: seed of the elasticity draws.
        current_price: the price to start from, e.g. the catalog price; None: the latest regular sales price
            the model saw. Demand at it is read off the same elasticity curve (`base_demand` is at the sales price).

    Returns:
        JSON-ready advice: current and recommended price, elasticity with interval, expected daily demand,
        expected revenue and profit change over `horizon_days` with 90% intervals, probability of a profit gain,
        and the binding constraint if any.

    Raises:
        DataValidationError: If the cost or the current price is not positive, or no candidate price meets the margin.
    """
    table = model.table
    if unit_cost <= 0 or not np.isfinite(unit_cost):
        raise DataValidationError(f"unit_cost must be a positive number, got {unit_cost}")
    if current_price is not None and not (np.isfinite(current_price) and current_price > 0):
        raise DataValidationError(f"current_price must be a positive number, got {current_price}")
    reference = float(table.current_price[index])  # the price base_demand was measured at
    current = reference if current_price is None else float(current_price)
    candidates = _candidates(current, unit_cost, constraints)
    if candidates.size == 0:
        floor = unit_cost / (1 - constraints.min_margin)
        raise DataValidationError(
            f"no price within {constraints.max_change:.0%} of {current:.2f} keeps a {constraints.min_margin:.0%} margin "
            f"over cost {unit_cost:.2f} (needs at least {floor:.2f}); raise max_change or lower min_margin"
        )
    draws = np.random.default_rng(seed).normal(table.elasticity[index], table.elasticity_sd[index], N_DRAWS)
    base = float(table.base_demand[index])
    days = constraints.horizon_days
    demand = base * (candidates[:, None] / reference) ** draws[None, :]
    demand_now = base * (current / reference) ** draws[None, :]  # = base when starting from the sales price
    profit_change = days * ((candidates[:, None] - unit_cost) * demand - (current - unit_cost) * demand_now)
    revenue_change = days * (candidates[:, None] * demand - current * demand_now)
    expected = profit_change.mean(axis=1)
    best = int(np.argmax(expected))
    price = float(candidates[best])
    lower, upper = np.quantile(profit_change, [0.05, 0.95], axis=1)
    return {
        **table.row(index),
        "current_price": current,
        "price_source": "sales" if current_price is None else "catalog",
        "sales_price": reference,
        "unit_cost": unit_cost,
        "recommended_price": price,
        "change": price / current - 1,
        "expected_daily_demand": float(demand[best].mean()),
        "current_daily_demand": float(demand_now.mean()),
        "expected_profit_change": float(profit_change[best].mean()),
        "profit_change_lower_90": float(np.quantile(profit_change[best], 0.05)),
        "profit_change_upper_90": float(np.quantile(profit_change[best], 0.95)),
        "probability_profit_up": float((profit_change[best] > 0).mean()),
        "expected_revenue_change": float(revenue_change[best].mean()),
        "revenue_change_lower_90": float(np.quantile(revenue_change[best], 0.05)),
        "revenue_change_upper_90": float(np.quantile(revenue_change[best], 0.95)),
        "horizon_days": days,
        "binding": _binding(price, current, unit_cost, constraints, candidates),
        # expected profit change over the horizon at every allowed price, with its 90% interval (the chart of
        # profit against price); the recommended price is its highest mean
        "profit_curve": [
            {"price": float(candidate), "profit_change": float(mean), "lower_90": float(low), "upper_90": float(high)}
            for candidate, mean, low, high in zip(candidates, expected, lower, upper, strict=True)
        ],
    }


def _candidates(current: float, unit_cost: float, constraints: PriceConstraints) -> np.ndarray:
    """Allowed prices: within the step limit, with the ending, meeting the margin; the current price included."""
    low, high = current * (1 - constraints.max_change), current * (1 + constraints.max_change)
    grid = constraints.ending.apply(np.linspace(low, high, GRID_STEPS))
    grid = np.unique(np.append(grid[(grid >= low - 1e-9) & (grid <= high + 1e-9) & (grid > 0)], current))
    margin_ok = (grid - unit_cost) / grid >= constraints.min_margin - 1e-12
    return grid[margin_ok]


def _binding(price: float, current: float, unit_cost: float, constraints: PriceConstraints, grid: np.ndarray) -> str | None:
    """Which rule stopped the price going further, if any."""
    if price >= grid.max() - 1e-9 and price > current:
        return "max_change"
    if price <= grid.min() + 1e-9 and price < current:
        floor = unit_cost / (1 - constraints.min_margin)
        return "min_margin" if price <= floor * (1 + constraints.max_change / GRID_STEPS) + 0.01 else "max_change"
    return None

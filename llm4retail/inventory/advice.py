"""Inventory advice per series: safety stock, reorder point, order-up-to level and order quantity.

From a fitted `AutoForecaster`: the forecast demand over the lead time and over
lead time + review period, and safety stocks from the distribution of its
validation errors summed over those spans (`safety_stock`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llm4retail.errors import DataValidationError
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.inventory.base import InventorySettings
from llm4retail.inventory.policies import safety_stock, stockout_risk


@dataclass
class Advice:
    """What to do for one series.

    Attributes:
        product_id: the product.
        store_id: the store.
        daily_demand: mean forecast units per day over the protection period.
        lead_time_demand: forecast units over the lead time.
        protection_demand: forecast units over lead time + review period.
        safety_stock: extra units for the service level over lead time + review period.
        reorder_point: order when the inventory position falls to this (continuous review):
            lead-time demand plus its own safety stock.
        order_up_to: at each review, order up to this inventory position.
        order_quantity: what to order now: order_up_to minus `on_hand` when it is given, else the
            expected demand of one review period (what a review orders on average).
        on_hand: the stock that was given, if any.
        service_level: the cycle service level the safety stock aims at.
        next_order_date: the first forecast date (orders are placed at reviews starting then).
        stockout_risk: with `on_hand`, the probability that demand runs out of it before an order placed now
            arrives (over the lead time); None without stock.
        days_of_cover: with `on_hand`, how many days of forecast demand it lasts (None without stock).
    """

    product_id: str
    store_id: str
    daily_demand: float
    lead_time_demand: float
    protection_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    order_quantity: float
    on_hand: float | None
    service_level: float
    next_order_date: str
    stockout_risk: float | None = None
    days_of_cover: float | None = None


def advise(
    auto: AutoForecaster, settings: InventorySettings, *, on_hand: dict[int, float] | None = None
) -> list[Advice]:
    """Advice for every series of the fitted forecaster.

    Args:
        auto: a fitted forecaster whose horizon covers lead time + review period.
        settings: lead time, review period, service level, costs.
        on_hand: current stock by series index, where known.

    Returns:
        One `Advice` per series, in panel order.

    Raises:
        DataValidationError: If the forecaster's horizon is shorter than lead time + review period.
    """
    if auto.residuals_ is None or auto.history_ is None:
        raise DataValidationError("the forecaster is not fitted: fit it on the sales first")
    span = settings.protection_days
    if auto.horizon < span:
        raise DataValidationError(
            f"lead time + review period is {span} days but the forecaster covers {auto.horizon}; refit with horizon >= {span}"
        )
    result = auto.forecast(span)
    level = settings.target_service_level
    protection_safety = safety_stock(auto.residuals_, window=span, block=auto.horizon, service_level=level)
    lead_safety = safety_stock(auto.residuals_, window=settings.lead_time, block=auto.horizon, service_level=level)
    lead_demand = result.point[:, : settings.lead_time].sum(axis=1)
    protection_demand = result.point.sum(axis=1)
    order_up_to = protection_demand + protection_safety
    advice = []
    stock = on_hand or {}
    known = np.array([stock.get(index, np.nan) for index in range(result.point.shape[0])], dtype=float)
    risk = stockout_risk(auto.residuals_, window=settings.lead_time, block=auto.horizon, demand=lead_demand,
                         on_hand=known)  # fmt: skip
    daily = protection_demand / span
    for index in range(result.point.shape[0]):
        key = result.keys.iloc[index]
        given = stock.get(index)
        cycle_demand = protection_demand[index] * settings.review_period / span
        quantity = max(order_up_to[index] - given, 0.0) if given is not None else cycle_demand
        advice.append(Advice(
            product_id=str(key["product_id"]), store_id=str(key["store_id"]),
            daily_demand=_round(protection_demand[index] / span), lead_time_demand=_round(lead_demand[index]),
            protection_demand=_round(protection_demand[index]), safety_stock=_round(protection_safety[index]),
            reorder_point=_round(lead_demand[index] + lead_safety[index]), order_up_to=_round(order_up_to[index]),
            order_quantity=float(np.ceil(quantity)), on_hand=given, service_level=level,
            next_order_date=result.dates[0].date().isoformat(),
            stockout_risk=None if given is None else round(float(risk[index]), 4),
            days_of_cover=None if given is None else (_round(given / daily[index]) if daily[index] > 0 else None),
        ))
    return advice


def _round(value: float) -> float:
    return round(float(value), 2)

"""Replay a held-out period day by day under an ordering policy (`llm4retail inventory simulate`).

The demand of each day is what actually sold (closed days: none). Orders are
placed at reviews and arrive after the lead time; demand beyond the stock on hand
is lost. The forecast-driven policy is compared with the naive rule "order what
sold last period" started from the same stock, and with a naive days-of-cover rule
whose cover is tuned *in hindsight* to reach the advised policy's fill rate, so
the comparison is at equal service.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from llm4retail.errors import DataValidationError
from llm4retail.eval.report import Timer
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import Panel, join
from llm4retail.inventory.base import InventoryPolicy, InventorySettings, ReviewState
from llm4retail.inventory.policies import ForecastPolicy, NaivePolicy, safety_stock

logger = logging.getLogger(__name__)

COVER_STEP_DAYS = 0.25


@dataclass
class PolicyOutcome:
    """What a policy achieved over the replay (pooled over series)."""

    policy: str
    fill_rate: float
    cycle_service_level: float
    stockout_days: int
    stockout_day_share: float
    average_inventory: float
    lost_units: float
    holding_cost: float
    stockout_cost: float
    total_cost: float
    cover_days: float | None = None


def replay(
    policy: InventoryPolicy, demand: np.ndarray, *, settings: InventorySettings, initial_on_hand: np.ndarray
) -> PolicyOutcome:
    """Run the policy over `demand` (n_series, days) with lost sales.

    Returns:
        Fill rate (units served / demand), cycle service level (share of review cycles
        without lost demand), series-days with lost demand, mean on-hand stock per
        series and day (end of day), and costs.
    """
    n_series, days = demand.shape
    on_hand = initial_on_hand.astype(float).copy()
    arriving = np.zeros((n_series, days + settings.lead_time + 1))
    sold = np.zeros((n_series, days))
    lost = np.zeros((n_series, days))
    stock = np.zeros((n_series, days))
    for day in range(days):
        on_hand += arriving[:, day]
        if day % settings.review_period == 0:
            start = max(0, day - settings.review_period)
            state = ReviewState(day, on_hand + arriving[:, day + 1:].sum(axis=1), sold[:, start:day].sum(axis=1))
            arriving[:, day + settings.lead_time] += policy.order(state)
        sold[:, day] = np.minimum(on_hand, demand[:, day])
        lost[:, day] = demand[:, day] - sold[:, day]
        on_hand -= sold[:, day]
        stock[:, day] = on_hand
    short = lost > 1e-9
    cycles = [short[:, start:start + settings.review_period].any(axis=1) for start in range(0, days, settings.review_period)]
    holding = settings.holding_cost * float(stock.sum())
    stockout = settings.stockout_cost * float(lost.sum())
    return PolicyOutcome(
        policy=policy.name,
        fill_rate=float(sold.sum() / demand.sum()) if demand.sum() > 0 else float("nan"),
        cycle_service_level=float(1.0 - np.mean(cycles)),
        stockout_days=int(short.sum()),
        stockout_day_share=float(short.mean()),
        average_inventory=float(stock.mean()),
        lost_units=float(lost.sum()),
        holding_cost=holding,
        stockout_cost=stockout,
        total_cost=holding + stockout,
        cover_days=getattr(policy, "cover_days", None),
    )


def simulate_inventory(
    panel: Panel,
    settings: InventorySettings,
    *,
    days: int = 42,
    models: list[ForecastModel] | None = None,
    time_budget_seconds: float = 120.0,
) -> dict[str, Any]:
    """Forecast from the start of the last `days` dates, then replay them under each policy.

    Args:
        panel: daily sales (the last `days` dates are replayed; the forecaster sees only what comes before).
        settings: lead time, review period, service level, costs.
        days: length of the replay.
        models: forecast candidates (default all, within the time budget).
        time_budget_seconds: the forecaster's time budget per local model.

    Returns:
        JSON-ready report: settings, the chosen forecast model, and the outcome of the
        advised, naive and naive-matched policies, plus whether the advised policy met its target
        with less stock than both naive ones.

    Raises:
        DataValidationError: If the panel is not daily or too short.
    """
    if panel.frequency.value != "daily":
        raise DataValidationError(f"the inventory replay needs daily sales, got {panel.frequency.value}")
    horizon = days + settings.protection_days
    origin = panel.n_dates - days
    with Timer() as timer:
        history = panel.window(0, origin)
        auto = AutoForecaster(horizon, models=models, time_budget_seconds=time_budget_seconds).fit(history)
        held_out = join(panel.window(origin, panel.n_dates), panel.extended(settings.protection_days).window(
            panel.n_dates, panel.n_dates + settings.protection_days))
        forecast = auto.model_.predict(held_out)
        level = settings.target_service_level
        safety = safety_stock(auto.residuals_, window=settings.protection_days, block=horizon, service_level=level)
        advised = ForecastPolicy(forecast, safety, settings)
        demand = np.where(panel.window(origin, panel.n_dates).observed, np.nan_to_num(panel.y[:, origin:]), 0.0)
        initial = advised.order_up_to(0)
        opening_rate = _recent_rate(history, days=settings.review_period * 4)
        outcomes = [
            replay(advised, demand, settings=settings, initial_on_hand=initial),
            replay(NaivePolicy(settings, opening_rate=opening_rate), demand, settings=settings, initial_on_hand=initial),
        ]
        matched = _matched_naive(demand, settings, opening_rate, initial, target=outcomes[0].fill_rate)
        outcomes.append(matched)
    advised_outcome, naive_outcome = outcomes[0], outcomes[1]
    return {
        "capability": "inventory",
        "n": panel.n_series,
        "seconds": timer.seconds,
        "days": days,
        "settings": {**asdict(settings), "target_service_level": level},
        "forecast_model": auto.chosen_.value if auto.chosen_ else None,
        "policies": {outcome.policy: asdict(outcome) for outcome in outcomes},
        "target_met": bool(advised_outcome.fill_rate >= level),
        "less_inventory_than_naive": bool(advised_outcome.average_inventory < naive_outcome.average_inventory),
        "less_inventory_than_naive_matched": bool(advised_outcome.average_inventory < matched.average_inventory),
    }


def _recent_rate(history: Panel, *, days: int) -> np.ndarray:
    """Mean daily units over the last `days` days (closed days count as zero sales)."""
    recent = history.window(max(0, history.n_dates - days), history.n_dates)
    return np.where(recent.observed, np.nan_to_num(recent.y), 0.0).mean(axis=1)


def _matched_naive(
    demand: np.ndarray, settings: InventorySettings, opening_rate: np.ndarray, initial: np.ndarray, *, target: float
) -> PolicyOutcome:
    """The naive days-of-cover rule with the least cover whose replay reaches `target` fill rate (hindsight)."""
    cover = COVER_STEP_DAYS
    limit = 20.0 * settings.protection_days
    outcome = None
    while cover <= limit:
        policy = NaivePolicy(settings, opening_rate=opening_rate, cover_days=cover)
        outcome = replay(policy, demand, settings=settings, initial_on_hand=initial)
        if outcome.fill_rate >= target:
            break
        cover += COVER_STEP_DAYS
    assert outcome is not None
    outcome.policy = "naive_matched"
    return outcome

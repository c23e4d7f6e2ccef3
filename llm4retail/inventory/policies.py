"""Ordering policies: the forecast-driven order-up-to policy and the naive rules it is compared with."""

from __future__ import annotations

import numpy as np

from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.inventory.base import InventoryPolicy, InventorySettings, ReviewState


def safety_stock(residuals: np.ndarray, *, window: int, block: int, service_level: float) -> np.ndarray:
    """Safety stock per series from the forecast errors of validation windows.

    Errors (actual - forecast; unobserved cells count as 0, as closed days sell
    nothing and are forecast 0) are summed over every run of `window` consecutive
    days inside each validation block of `block` days. Each series' sums are
    divided by its daily error spread, pooled over series, and the
    `service_level` quantile of the pooled sums, times the series' spread, is the
    safety stock: the extra units that cover demand over `window` days with that
    probability, including any bias of the forecast.

    Args:
        residuals: (n_series, n_blocks * block) validation errors, NaN where not observed.
        window: days the stock must cover (lead time + review period for the order-up-to level).
        block: length of each validation window.
        service_level: the covered probability.

    Returns:
        Non-negative safety stock per series.

    Raises:
        DataValidationError: If the validation windows are shorter than `window`.
    """
    pooled, spread = _pooled_errors(residuals, window=window, block=block)
    return np.maximum(np.quantile(pooled, service_level), 0.0) * spread


def stockout_risk(
    residuals: np.ndarray, *, window: int, block: int, demand: np.ndarray, on_hand: np.ndarray
) -> np.ndarray:
    """Probability per series that demand over the next `window` days exceeds `on_hand` (no order arriving
    before then): the share of the pooled, spread-scaled forecast-error sums (as in `safety_stock`) above
    `(on_hand - demand) / spread`. NaN where `on_hand` is NaN (stock unknown).

    Args:
        residuals: (n_series, n_blocks * block) validation errors, NaN where not observed.
        window: days the stock must last (the lead time: an order placed now arrives after it).
        block: length of each validation window.
        demand: forecast units over those days, per series.
        on_hand: units in stock now, per series (NaN where unknown).
    """
    pooled, spread = _pooled_errors(residuals, window=window, block=block)
    ordered = np.sort(pooled)
    margin = (np.asarray(on_hand, dtype=float) - np.asarray(demand, dtype=float)) / spread
    known = np.isfinite(margin)
    risk = np.full(margin.shape, np.nan)
    risk[known] = 1.0 - np.searchsorted(ordered, margin[known], side="right") / len(ordered)
    return risk


def _pooled_errors(residuals: np.ndarray, *, window: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Every `window`-day sum of forecast errors inside each validation block, divided by its series' daily error
    spread and pooled over series; and the spreads."""
    if window > block:
        raise DataValidationError(
            f"the forecast was validated on windows of {block} days but the stock must cover {window}; "
            "forecast with a horizon of at least lead time + review period"
        )
    errors = np.nan_to_num(residuals, nan=0.0)
    sums = []
    for start in range(0, errors.shape[1] - block + 1, block):
        cumulative = np.cumsum(np.pad(errors[:, start:start + block], ((0, 0), (1, 0))), axis=1)
        sums.append(cumulative[:, window:] - cumulative[:, :-window])
    spread = np.nanstd(residuals, axis=1)
    finite = np.isfinite(spread) & (spread > 0)
    spread = np.where(finite, spread, np.median(spread[finite]) if finite.any() else 1.0)
    return (np.hstack(sums) / spread[:, None]).ravel(), spread


class ForecastPolicy(InventoryPolicy):
    """Order up to the forecast demand over lead time + review period plus the safety stock.

    Args:
        forecast: daily point forecasts (n_series, days) from the replay's first day on, at least
            `days + lead_time + review_period` long.
        safety: safety stock per series (see `safety_stock`).
        settings: lead time and review period.
    """

    name = "advised"

    def __init__(self, forecast: np.ndarray, safety: np.ndarray, settings: InventorySettings) -> None:
        self.forecast = forecast
        self.safety = safety
        self.settings = settings

    def order_up_to(self, day: int) -> np.ndarray:
        """Target inventory position at a review on `day`."""
        stop = day + self.settings.protection_days
        if stop > self.forecast.shape[1]:
            raise DataValidationError(f"the forecast covers {self.forecast.shape[1]} days, a review on day {day} needs {stop}")
        return self.forecast[:, day:stop].sum(axis=1) + self.safety

    def order(self, state: ReviewState) -> np.ndarray:
        return np.maximum(self.order_up_to(state.day) - state.inventory_position, 0.0)


class NaivePolicy(InventoryPolicy):
    """Order what sold in the last review period, or up to a number of days of cover at the recent sales rate.

    Args:
        settings: review period.
        opening_rate: daily sales rate per series before the replay (orders of the first review).
        cover_days: None = replace last period's sales; a number = order up to this many days of recent sales.
    """

    name = "naive"

    def __init__(self, settings: InventorySettings, *, opening_rate: np.ndarray, cover_days: float | None = None) -> None:
        if cover_days is not None and cover_days <= 0:
            raise ConfigError(f"cover_days must be positive, got {cover_days}")
        self.settings = settings
        self.opening_rate = opening_rate
        self.cover_days = cover_days

    def order(self, state: ReviewState) -> np.ndarray:
        period = self.settings.review_period
        rate = self.opening_rate if state.day == 0 else state.sold_last_period / period
        if self.cover_days is None:
            return rate * period
        return np.maximum(self.cover_days * rate - state.inventory_position, 0.0)

"""Features of the global gradient-boosted model, built column by column from panel arrays.

All quantities are divided by each series' level (its mean over the last year of
observed cells), so one model serves large and small series. Lag and rolling
features look back at least `horizon` steps, so every step of the horizon has
them at the forecast origin (direct multi-step forecasting, no recursion).
Covariates (open days, promotions, prices, holidays) are known for the horizon.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from llm4retail.forecast.panel import Frequency, Panel

MIN_SEASONS_FOR_PROFILE = 8  # below this a seasonal profile would mostly echo the target itself
EVENT_DISTANCE_CAP = 14  # steps to/from the next closure or holiday are capped here


@dataclass
class SeriesStats:
    """Per-series constants learnt on the fitting window."""

    level: np.ndarray  # (n_series,)
    profile: np.ndarray | None  # (n_series, season) mean normalised value per seasonal position, or None
    reference_price: np.ndarray | None  # (n_series,) median price

    @classmethod
    def learn(cls, history: Panel) -> SeriesStats:
        """Levels, seasonal profiles and reference prices of `history`."""
        observed = history.observed
        recent = slice(max(0, history.n_dates - history.frequency.year), history.n_dates)
        level = _masked_mean(history.y[:, recent], observed[:, recent])
        level = np.where(np.isfinite(level) & (level > 0), level, _masked_mean(history.y, observed))
        level = np.where(np.isfinite(level) & (level > 0), level, 1.0)
        profile = None
        season = history.season
        if season < history.frequency.year and history.n_dates >= MIN_SEASONS_FOR_PROFILE * season:
            normalised = history.y / level[:, None]
            positions = _positions(history)
            profile = np.ones((history.n_series, season))
            for position in range(season):
                columns = positions == position
                mean = _masked_mean(normalised[:, columns], observed[:, columns])
                profile[:, position] = np.where(np.isfinite(mean), mean, 1.0)
        reference_price = None
        if history.price is not None:
            reference_price = np.nanmedian(np.where(history.present, history.price, np.nan), axis=1)
            reference_price = np.where(np.isfinite(reference_price) & (reference_price > 0), reference_price, 1.0)
        return cls(level=level, profile=profile, reference_price=reference_price)


def lag_plan(frequency: Frequency, horizon: int) -> tuple[list[int], list[int], list[int]]:
    """Lags of recent values, seasonal lags and rolling windows (all ending `horizon` steps back).

    Returns:
        (recent lags, seasonal and yearly lags, rolling window lengths) in steps.
    """
    season, year = frequency.season, frequency.year
    recent = [horizon + offset for offset in range(min(season, 7) if season < year else 4)]
    seasonal: list[int] = []
    if season < year:
        first = -(-horizon // season) * season
        seasonal = [first + k * season for k in range(4)]
    seasonal.append(-(-horizon // year) * year)
    windows = {Frequency.DAILY: [7, 28, 91], Frequency.WEEKLY: [4, 13, 26], Frequency.MONTHLY: [3, 6, 12]}[frequency]
    return recent, sorted(set(seasonal) - set(recent)), windows


def feature_columns(
    panel: Panel, stats: SeriesStats, *, horizon: int
) -> Iterator[tuple[str, np.ndarray]]:
    """Each feature as a full (n_series, n_dates) or (n_dates,) array, one at a time (bounded memory).

    Args:
        panel: history and horizon joined (quantities NaN in the horizon).
        stats: per-series constants from the fitting window.
        horizon: the minimum look-back of lag features.
    """
    observed = panel.observed
    z = np.where(observed, panel.y / stats.level[:, None], np.nan).astype(np.float32)
    recent, seasonal, windows = lag_plan(panel.frequency, horizon)
    for lag in recent + seasonal:
        yield f"lag_{lag}", _shift(z, lag)
    if len(seasonal) > 1:
        stacked = np.stack([_shift(z, lag) for lag in seasonal[:-1]])
        yield "seasonal_lag_mean", _nanmean0(stacked)
    means = {}
    for window in windows:
        means[window] = _rolling_mean(z, window=window, end_lag=horizon)
        yield f"mean_{window}", means[window]
    yield "momentum", (means[windows[0]] / np.where(means[windows[-1]] > 0, means[windows[-1]], np.nan)).astype(
        np.float32
    )
    yield "log_level", np.broadcast_to(np.log1p(stats.level)[:, None], z.shape).astype(np.float32)
    if stats.profile is not None:
        yield "seasonal_profile", stats.profile[:, _positions(panel)].astype(np.float32)
    yield from _calendar(panel)
    yield from _covariates(panel, stats)


def _calendar(panel: Panel) -> Iterator[tuple[str, np.ndarray]]:
    dates = panel.dates
    if panel.frequency is Frequency.DAILY:
        yield "day_of_week", dates.dayofweek.to_numpy(np.float32)
        yield "day_of_month", dates.day.to_numpy(np.float32)
        yield "day_of_year", dates.dayofyear.to_numpy(np.float32)
    if panel.frequency is not Frequency.MONTHLY:
        yield "week_of_year", dates.isocalendar().week.to_numpy(np.float32)
    yield "month", dates.month.to_numpy(np.float32)


def _covariates(panel: Panel, stats: SeriesStats) -> Iterator[tuple[str, np.ndarray]]:
    closed = (~panel.open).astype(np.float32)
    if closed.any():
        yield "closed_before", _shift(closed, 1)
        yield "closed_after", _shift(closed, -1)
        yield "steps_to_closure", _steps_to_event(closed, forward=True)
        yield "steps_since_closure", _steps_to_event(closed, forward=False)
    if panel.promotion is not None:
        promotion = panel.promotion.astype(np.float32)
        yield "promotion", promotion
        yield "promotion_before", _shift(promotion, 1)
        yield "promotion_after", _shift(promotion, -1)
        yield "promotion_run", _run_length(promotion)
    if panel.price is not None and stats.reference_price is not None:
        relative = (panel.price / stats.reference_price[:, None]).astype(np.float32)
        yield "relative_price", relative
        yield "price_change", (relative / np.where(_shift(relative, 7) > 0, _shift(relative, 7), np.nan)).astype(
            np.float32
        )
    for number, (key, codes) in enumerate(sorted(panel.holidays.items())):
        name = f"holiday{number}_" + re.sub(r"[^0-9A-Za-z_]", "_", key)  # LightGBM refuses JSON characters in names
        holiday = codes.astype(np.float32)
        yield name, holiday
        yield f"{name}_before", _shift(holiday, 1)
        yield f"{name}_after", _shift(holiday, -1)
        flag = (codes > 0).astype(np.float32)
        yield f"{name}_steps_to", _steps_to_event(flag, forward=True)
        yield f"{name}_steps_since", _steps_to_event(flag, forward=False)


def _positions(panel: Panel) -> np.ndarray:
    """Seasonal position of every date (weekday for daily data)."""
    if panel.frequency is Frequency.DAILY:
        return panel.dates.dayofweek.to_numpy()
    if panel.frequency is Frequency.MONTHLY:
        return panel.dates.month.to_numpy() - 1
    return np.minimum(panel.dates.isocalendar().week.to_numpy().astype(int) - 1, panel.season - 1)


def _shift(values: np.ndarray, lag: int) -> np.ndarray:
    """values[t - lag] (negative lag looks ahead), NaN outside."""
    out = np.full(values.shape, np.nan, dtype=np.float32)
    if lag > 0 and lag < values.shape[-1]:
        out[..., lag:] = values[..., :-lag]
    elif lag < 0 and -lag < values.shape[-1]:
        out[..., :lag] = values[..., -lag:]
    elif lag == 0:
        out[...] = values
    return out


def _rolling_mean(z: np.ndarray, *, window: int, end_lag: int) -> np.ndarray:
    """Mean of the observed values in [t - end_lag - window + 1, t - end_lag]."""
    filled = np.nan_to_num(z, nan=0.0).astype(np.float64)
    counts = (~np.isnan(z)).astype(np.float64)
    total = np.concatenate([np.zeros((z.shape[0], 1)), np.cumsum(filled, axis=1)], axis=1)
    number = np.concatenate([np.zeros((z.shape[0], 1)), np.cumsum(counts, axis=1)], axis=1)
    n_dates = z.shape[1]
    stop = np.arange(n_dates) - end_lag + 1
    start = stop - window
    valid = stop > 0
    stop_c, start_c = stop.clip(0, n_dates), start.clip(0, n_dates)
    sums = total[:, stop_c] - total[:, start_c]
    seen = number[:, stop_c] - number[:, start_c]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid[None, :] & (seen > 0), sums / seen, np.nan)
    return mean.astype(np.float32)


def _steps_to_event(flag: np.ndarray, *, forward: bool) -> np.ndarray:
    """Steps to the next (or since the last) flagged cell, capped at EVENT_DISTANCE_CAP."""
    out = np.full(flag.shape, EVENT_DISTANCE_CAP, dtype=np.float32)
    for distance in range(EVENT_DISTANCE_CAP - 1, -1, -1):
        hit = _shift(flag, -distance if forward else distance) > 0
        out[hit] = distance
    return out


def _run_length(flag: np.ndarray) -> np.ndarray:
    """How many consecutive flagged steps end at t (0 where not flagged)."""
    out = np.zeros(flag.shape, dtype=np.float32)
    for step in range(flag.shape[1]):
        previous = out[:, step - 1] if step else 0.0
        out[:, step] = np.where(flag[:, step] > 0, previous + 1, 0.0)
    return out


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    counts = mask.sum(axis=1)
    totals = np.where(mask, np.nan_to_num(values), 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / counts, np.nan)


def _nanmean0(stacked: np.ndarray) -> np.ndarray:
    counts = (~np.isnan(stacked)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, np.nansum(stacked, axis=0) / counts, np.nan).astype(np.float32)

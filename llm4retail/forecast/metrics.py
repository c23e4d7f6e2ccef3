"""Forecast scores on observed cells only: closed days and dates without a row are never scored.

The per-point definitions are those of `llm4retail.eval.forecasting`; this module
applies them to panels with an observed mask. The MASE scale of a series is the
in-sample mean absolute error of the seasonal naive forecast over pairs of
observed cells one season apart (closed days never enter the scale either).
"""

from __future__ import annotations

import logging

import numpy as np

from llm4retail.eval.forecasting import interval_coverage, smape, wape
from llm4retail.forecast.panel import Panel

logger = logging.getLogger(__name__)


def seasonal_scale(history: Panel, *, season: int | None = None) -> np.ndarray:
    """Per-series mean absolute seasonal difference over observed pairs.

    Args:
        history: the fitting window.
        season: the lag; default the panel's season, or 1 when the history is shorter than two seasons.

    Returns:
        Array (n_series,), NaN where a series has no observed pair or a zero scale.
    """
    lag = season or (history.season if history.n_dates > 2 * history.season else 1)
    observed = history.observed
    if history.n_dates <= lag:
        return np.full(history.n_series, np.nan)
    pairs = observed[:, lag:] & observed[:, :-lag]
    difference = np.abs(np.nan_to_num(history.y[:, lag:]) - np.nan_to_num(history.y[:, :-lag]))
    counts = pairs.sum(axis=1)
    totals = np.where(pairs, difference, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = totals / counts
    return np.where((counts > 0) & (scale > 0), scale, np.nan)


def mase_per_series(y_true: np.ndarray, y_pred: np.ndarray, observed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per-series MASE over observed cells; NaN for series without a scale or an observed cell."""
    counts = observed.sum(axis=1)
    errors = np.where(observed, np.abs(np.nan_to_num(y_true) - y_pred), 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, errors / counts / scale, np.nan)


def point_scores(
    y_true: np.ndarray, y_pred: np.ndarray, observed: np.ndarray, *, history: Panel
) -> dict[str, float]:
    """MASE, sMAPE and WAPE of point forecasts over the observed cells.

    Args:
        y_true: actuals (n_series, horizon); NaN allowed where not observed.
        y_pred: forecasts, same shape.
        observed: cells to score.
        history: the fitting window, for the MASE scale.

    Returns:
        `mase` (mean over series with a scale), `smape` and `wape` (pooled), and `scored_points`.
    """
    per_series = mase_per_series(y_true, y_pred, observed, seasonal_scale(history))
    truth, predicted = y_true[observed], y_pred[observed]
    if truth.size == 0:
        logger.warning("no observed cell in the scored window: every date was closed or missing")
        return {"mase": float("nan"), "smape": float("nan"), "wape": float("nan"), "scored_points": 0.0}
    return {
        "mase": float(np.nanmean(per_series)) if np.isfinite(per_series).any() else float("nan"),
        "smape": smape(truth, predicted),
        "wape": wape(truth, predicted),
        "scored_points": float(truth.size),
    }


def coverage(y_true: np.ndarray, lower: np.ndarray, upper: np.ndarray, observed: np.ndarray) -> float:
    """Share of observed actuals inside their interval (NaN when nothing is observed)."""
    if not observed.any():
        return float("nan")
    return interval_coverage(y_true[observed], lower[observed], upper[observed])

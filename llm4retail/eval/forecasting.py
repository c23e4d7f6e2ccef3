"""Point and interval forecast metrics.

Every function takes one series as 1-D arrays or several equally long series as
2-D arrays (one row per series). Zero denominators never raise and never yield
infinity: the affected terms or series are skipped, and when nothing is left the
result is NaN (with a logged warning).
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)


def mase(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, y_train: npt.ArrayLike, *, season: int = 1) -> float:
    """Computes the mean absolute scaled error (Hyndman and Koehler, 2006).

    Each series' mean absolute forecast error is divided by the in-sample mean
    absolute error of the seasonal naive forecast `y[t - season]` on `y_train`;
    a value of 1.0 means as good as that naive forecast. With several series the
    result is the mean of the per-series values. A series whose naive in-sample
    error is zero (e.g. constant history) has no scale and is skipped; if all are
    skipped the result is NaN.

    Args:
        y_true: Actual values over the horizon, shape (horizon,) or (n_series, horizon).
        y_pred: Forecasts, the same shape as `y_true`.
        y_train: The history used for fitting, shape (n_train,) or (n_series, n_train).
        season: The seasonal period of the naive forecast (1 = previous value, 7 = same weekday).

    Returns:
        The MASE, or NaN when no series has a non-zero scale.

    Raises:
        DataValidationError: If shapes disagree, a value is not finite, or `y_train`
            has no more than `season` values.
    """
    truth, predicted = _matched(y_true, y_pred)
    history = _as_rows(y_train, name="y_train")
    if history.shape[0] != truth.shape[0]:
        raise DataValidationError(f"y_train has {history.shape[0]} series but y_true has {truth.shape[0]}")
    if isinstance(season, bool) or not isinstance(season, int) or season < 1:
        raise DataValidationError(f"season must be a positive integer, got {season!r}")
    if history.shape[1] <= season:
        raise DataValidationError(
            f"y_train needs more than season={season} values to compute the naive scale, got {history.shape[1]}"
        )
    scale = np.abs(history[:, season:] - history[:, :-season]).mean(axis=1)
    error = np.abs(truth - predicted).mean(axis=1)
    usable = scale > 0
    if not usable.all():
        logger.warning("mase: %d of %d series have a zero naive scale and are skipped", (~usable).sum(), usable.size)
    if not usable.any():
        return float("nan")
    return float((error[usable] / scale[usable]).mean())


def smape(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Computes the symmetric mean absolute percentage error as a fraction in [0, 2].

    Each term is `2 |y - f| / (|y| + |f|)`. Terms where actual and forecast are
    both zero have no denominator and are skipped; if every term is skipped the
    result is NaN.

    Args:
        y_true: Actual values, shape (horizon,) or (n_series, horizon).
        y_pred: Forecasts, the same shape as `y_true`.

    Returns:
        The mean of the defined terms over all series and steps, or NaN.

    Raises:
        DataValidationError: If the shapes disagree, the inputs are empty or a value is not finite.
    """
    truth, predicted = _matched(y_true, y_pred)
    denominator = np.abs(truth) + np.abs(predicted)
    defined = denominator > 0
    if not defined.any():
        logger.warning("smape: actuals and forecasts are all zero; the result is undefined")
        return float("nan")
    return float((2.0 * np.abs(truth - predicted)[defined] / denominator[defined]).mean())


def wape(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Computes the weighted absolute percentage error `sum |y - f| / sum |y|` as a fraction.

    Pooled over all series and steps, so large series weigh more; it stays
    defined for intermittent series with many zero days. When every actual is
    zero the denominator is zero and the result is NaN.

    Args:
        y_true: Actual values, shape (horizon,) or (n_series, horizon).
        y_pred: Forecasts, the same shape as `y_true`.

    Returns:
        The WAPE, or NaN when all actuals are zero.

    Raises:
        DataValidationError: If the shapes disagree, the inputs are empty or a value is not finite.
    """
    truth, predicted = _matched(y_true, y_pred)
    total = np.abs(truth).sum()
    if total == 0:
        logger.warning("wape: all actuals are zero; the result is undefined")
        return float("nan")
    return float(np.abs(truth - predicted).sum() / total)


def interval_coverage(y_true: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> float:
    """Computes the share of actuals inside their prediction interval, bounds included.

    Compare it with the nominal level: an 80% interval should cover about 0.8.

    Args:
        y_true: Actual values, shape (horizon,) or (n_series, horizon).
        lower: Lower interval bounds, the same shape as `y_true`.
        upper: Upper interval bounds, the same shape as `y_true`.

    Returns:
        The covered fraction in [0, 1].

    Raises:
        DataValidationError: If the shapes disagree, a value is not finite or a lower bound exceeds its upper bound.
    """
    truth, low = _matched(y_true, lower)
    _, high = _matched(y_true, upper)
    if (low > high).any():
        raise DataValidationError(f"lower exceeds upper at {(low > high).sum()} points; pass the bounds in order")
    return float(((truth >= low) & (truth <= high)).mean())


def _as_rows(values: npt.ArrayLike, *, name: str) -> np.ndarray:
    """Returns finite float values as a 2-D array with one series per row."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise DataValidationError(f"{name} must be numeric") from error
    if array.ndim not in (1, 2) or array.size == 0:
        raise DataValidationError(f"{name} must be a non-empty 1-D or 2-D array, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise DataValidationError(f"{name} contains NaN or infinite values; fill or drop them before evaluating")
    return array.reshape(1, -1) if array.ndim == 1 else array


def _matched(y_true: npt.ArrayLike, other: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Returns `y_true` and a second array of the same shape, both as rows of series."""
    truth = _as_rows(y_true, name="y_true")
    values = _as_rows(other, name="forecast")
    if truth.shape != values.shape:
        raise DataValidationError(f"y_true has shape {truth.shape} but the forecast values have shape {values.shape}")
    return truth, values

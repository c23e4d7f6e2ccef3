"""Split-conformal prediction intervals from validation residuals, the same for every model.

Residuals of a validation window (forecast made at an origin inside the training
data, compared with what followed) are divided by each series' MASE scale and
pooled over series and steps. An interval at level L spans the (1 - L)/2 and
(1 + L)/2 quantiles of these signed scaled residuals, times the series' scale,
around the point forecast: asymmetric, as demand errors are. With n residuals the
quantile levels get the usual finite-sample correction (n + 1)/n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llm4retail.errors import DataValidationError

DEFAULT_LEVELS = (80, 90, 95)


@dataclass
class ConformalIntervals:
    """Scaled residual quantiles per level.

    Attributes:
        lower: level -> quantile of scaled residuals for the lower bound (usually negative).
        upper: level -> quantile for the upper bound.
        n_residuals: how many residuals calibrated them.
    """

    lower: dict[int, float]
    upper: dict[int, float]
    n_residuals: int

    @classmethod
    def calibrate(
        cls, residuals: np.ndarray, scale: np.ndarray, *, levels: tuple[int, ...] = DEFAULT_LEVELS
    ) -> ConformalIntervals:
        """Calibrate on residuals (actual - forecast) of observed validation cells.

        Args:
            residuals: (n_series, steps), NaN where not observed.
            scale: (n_series,) positive per-series scale.
            levels: interval levels in percent.

        Raises:
            DataValidationError: If no residual is finite or a level is not in (0, 100).
        """
        if any(not 0 < level < 100 for level in levels):
            raise DataValidationError(f"interval levels must be between 0 and 100 (percent), got {levels}")
        scaled = (residuals / scale[:, None])[np.isfinite(residuals)]
        scaled = scaled[np.isfinite(scaled)]
        if scaled.size == 0:
            raise DataValidationError("no observed validation cell to calibrate prediction intervals on")
        n = scaled.size
        lower, upper = {}, {}
        for level in levels:
            tail = (1 - level / 100) / 2
            corrected = min(1.0, (1 - tail) * (n + 1) / n)
            lower[level] = float(np.quantile(scaled, 1.0 - corrected))
            upper[level] = float(np.quantile(scaled, corrected))
        return cls(lower=lower, upper=upper, n_residuals=int(n))

    def interval(
        self, point: np.ndarray, scale: np.ndarray, *, level: int, open_days: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds around point forecasts (n_series, steps); zero on closed days.

        Raises:
            DataValidationError: If the level was not calibrated.
        """
        if level not in self.lower:
            raise DataValidationError(f"level {level} was not calibrated; available: {sorted(self.lower)}")
        lower = np.clip(point + self.lower[level] * scale[:, None], 0.0, None)
        upper = np.clip(point + self.upper[level] * scale[:, None], 0.0, None)
        lower, upper = np.minimum(lower, point), np.maximum(upper, point)
        if open_days is not None:
            lower, upper = np.where(open_days, lower, 0.0), np.where(open_days, upper, 0.0)
        return lower, upper


def fallback_scale(scale: np.ndarray, y: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The MASE scale where defined, else the series' mean absolute observed value, else the median scale, else 1."""
    counts = observed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(observed, np.abs(np.nan_to_num(y)), 0.0).sum(axis=1) / counts
    result = np.where(np.isfinite(scale), scale, mean)
    finite = np.isfinite(result) & (result > 0)
    median = float(np.median(result[finite])) if finite.any() else 1.0
    return np.where(finite, result, median)

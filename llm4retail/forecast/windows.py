"""Forecasts from rolling origins, the affordability check and the validation choice of a model.

Shared by `AutoForecaster` (choose on the last windows of the data it is given)
and the rolling-origin backtest (choose, for each test fold, on the windows
before it), so both pick models the same way and never look past the origin.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from llm4retail.errors import DataValidationError
from llm4retail.forecast.base import GLOBAL_MODELS, ForecastModel, make_forecaster
from llm4retail.forecast.conformal import fallback_scale
from llm4retail.forecast.metrics import mase_per_series, seasonal_scale
from llm4retail.forecast.panel import Panel
from llm4retail.models.parallel import parallel_map

logger = logging.getLogger(__name__)

CHEAP_MODELS = {ForecastModel.SEASONAL_NAIVE, ForecastModel.CROSTON, ForecastModel.TSB}
# Fit seconds per series and step of history of the costly local models on the reference machine (2 cores),
# from `python bench/forecast.py` (`fit_seconds_per_series_step`: 60 demo series of 730 days, AutoARIMA on 10, the first fit's
# compilation included, as a first fit in a server pays it); fixed numbers, so that
# which candidates a budget admits never depends on how busy the machine is.
REFERENCE_SECONDS_PER_STEP = {
    ForecastModel.ETS: 4.4e-4,
    ForecastModel.THETA: 2.2e-4,
    ForecastModel.ARIMA: 5.1e-3,
}


@dataclass
class WindowForecast:
    """One model's forecast of the `horizon` steps after `origin`, fitted on everything before it."""

    model: ForecastModel
    origin: int
    point: np.ndarray
    fit_seconds: float
    predict_seconds: float

    def residuals(self, panel: Panel) -> np.ndarray:
        """Actual minus forecast on observed cells of the window, NaN elsewhere."""
        window = panel.window(self.origin, self.origin + self.point.shape[1])
        return np.where(window.observed, window.y - self.point, np.nan)

    def scale(self, panel: Panel) -> np.ndarray:
        """Per-series MASE scale of the history before the origin (never NaN; see `fallback_scale`)."""
        history = panel.window(0, self.origin)
        return fallback_scale(seasonal_scale(history), history.y, history.observed)

    def mase(self, panel: Panel) -> np.ndarray:
        """Per-series MASE of this window (NaN for series without scale or observed cell)."""
        window = panel.window(self.origin, self.origin + self.point.shape[1])
        return mase_per_series(window.y, self.point, window.observed, seasonal_scale(panel.window(0, self.origin)))


@dataclass
class Affordability:
    """Models kept after the cost projection, and why others were skipped."""

    kept: list[ForecastModel]
    skipped: dict[str, str] = field(default_factory=dict)


def forecast_window(
    model: ForecastModel, panel: Panel, *, origin: int, horizon: int, threads: int = 1, seed: int = 0
) -> WindowForecast:
    """Fit `model` on steps before `origin` and forecast the next `horizon` steps.

    Raises:
        DataValidationError: If the origin leaves no history or the window runs past the panel.
    """
    if origin <= 0 or origin + horizon > panel.n_dates:
        raise DataValidationError(f"origin {origin} with horizon {horizon} does not fit a panel of {panel.n_dates} steps")
    forecaster = make_forecaster(model, horizon=horizon, threads=threads, seed=seed)
    started = time.perf_counter()
    forecaster.fit(panel.window(0, origin))
    fitted = time.perf_counter()
    point = forecaster.predict(panel.window(origin, origin + horizon))
    done = time.perf_counter()
    return WindowForecast(model, origin, point, fitted - started, done - fitted)


def forecast_windows(
    models: list[ForecastModel], panel: Panel, *, origins: list[int], horizon: int, threads: int = 1, seed: int = 0,
    ray: str | None = None,
) -> dict[ForecastModel, list[WindowForecast]]:
    """`forecast_window` of every model at every origin: the candidates' backtest windows, computed one after
    the other here or as parallel Ray tasks (`ray`: `local`, `auto` or an address; the same forecasts)."""
    pairs = [(model, origin) for model in models for origin in origins]
    done = parallel_map(_window_task, pairs, shared=(panel, horizon, threads, seed), ray=ray, label="backtest window")
    windows: dict[ForecastModel, list[WindowForecast]] = {model: [] for model in models}
    for (model, _origin), window in zip(pairs, done, strict=True):
        windows[model].append(window)
    return windows


def _window_task(pair: tuple[ForecastModel, int], shared: tuple[Panel, int, int, int]) -> WindowForecast:
    panel, horizon, threads, seed = shared
    model, origin = pair
    return forecast_window(model, panel, origin=origin, horizon=horizon, threads=threads, seed=seed)


def affordable_models(
    models: list[ForecastModel], history: Panel, *, n_fits: int, budget_seconds: float
) -> Affordability:
    """Drop local models whose projected time for `n_fits` fits of every series exceeds the budget.

    The projection is work, not a clock: each costly local model's fit time per series and history step on
    the reference 2-core machine (`REFERENCE_SECONDS_PER_STEP`, measured by `python bench/forecast.py`)
    times the steps of every series and the fits. The same data gives the same choice of candidates on an
    idle or a busy machine. The global model's cost is bounded by its row cap; the cheap models are not capped.
    """
    result = Affordability(kept=[])
    observed = history.observed
    lengths = history.n_dates - np.where(observed.any(axis=1), observed.argmax(axis=1), history.n_dates)
    steps = float(lengths.sum())
    for model in models:
        if model in GLOBAL_MODELS or model in CHEAP_MODELS:
            result.kept.append(model)
            continue
        projected = REFERENCE_SECONDS_PER_STEP[model] * steps * n_fits
        if projected > budget_seconds:
            result.skipped[model.value] = (
                f"projected {projected:.0f} s (reference machine) for {n_fits} fits of {history.n_series} series "
                f"exceeds the budget of {budget_seconds:.0f} s"
            )
            logger.info("forecast: skipping %s (%s)", model.value, result.skipped[model.value])
        else:
            result.kept.append(model)
    return result


def choose(scores: dict[ForecastModel, float]) -> ForecastModel:
    """The model with the lowest validation MASE (the first listed on ties; NaN never wins).

    Raises:
        DataValidationError: If no model has a finite score.
    """
    finite = {model: score for model, score in scores.items() if np.isfinite(score)}
    if not finite:
        raise DataValidationError("no model produced a finite validation MASE; the series may be constant or empty")
    return min(finite, key=lambda model: finite[model])


def validation_mase(windows: list[WindowForecast], panel: Panel) -> float:
    """Mean per-series MASE over the validation windows."""
    values = np.concatenate([window.mase(panel) for window in windows])
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def origins_before(panel: Panel, *, horizon: int, n_windows: int) -> list[int]:
    """The last `n_windows` forecast origins, `horizon` apart, ending at the panel's end.

    Raises:
        DataValidationError: If the panel is too short to leave two seasons of history before them.
    """
    origins = [panel.n_dates - k * horizon for k in range(n_windows, 0, -1)]
    minimum = 2 * panel.season + 1 if panel.n_dates > 4 * panel.season else 3
    if origins[0] < minimum:
        raise DataValidationError(
            f"{panel.n_dates} {panel.frequency.value} steps cannot hold {n_windows} windows of {horizon} steps "
            f"after {minimum} steps of history; use a shorter horizon or fewer folds"
        )
    return origins

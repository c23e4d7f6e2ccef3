"""The shared adapter for local statistical models from statsforecast (one model per subclass module).

statsforecast models need gap-free series, so unobserved cells (closed days,
dates without a row) inside a series are filled before fitting: with the value
one season earlier, else one season later, else the series mean. Filled cells
only shape the fit; forecasts for closed days are zeroed and never scored. Each
series starts at its first observed cell. The calendar is passed as integer
steps, so any frequency works the same way.
"""

from __future__ import annotations

import logging
import warnings
from abc import abstractmethod
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState
from llm4retail.forecast.base import Forecaster
from llm4retail.forecast.panel import Panel

logger = logging.getLogger(__name__)

MIN_POINTS = 3  # a series shorter than this is padded with its mean so that every model can run


def filled_history(history: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Gap-free values for local models.

    Args:
        history: the fitting window.

    Returns:
        Values (n_series, n_dates) with NaN only before each series' start, and the start indices.
    """
    observed = history.observed
    values = np.where(observed, history.y, np.nan)
    season = history.season if history.n_dates > history.season else 1
    for step in range(season, history.n_dates):
        gap = np.isnan(values[:, step])
        values[gap, step] = values[gap, step - season]
    for step in range(history.n_dates - season - 1, -1, -1):
        gap = np.isnan(values[:, step])
        values[gap, step] = values[gap, step + season]
    has_any = observed.any(axis=1)
    starts = np.where(has_any, observed.argmax(axis=1), history.n_dates - 1)
    means = np.array([np.nanmean(row) if np.isfinite(row).any() else 0.0 for row in values])
    before_start = np.arange(history.n_dates)[None, :] < starts[:, None]
    values = np.where(np.isnan(values), means[:, None], values)
    values[before_start] = np.nan
    return values, starts


def long_frame(values: np.ndarray, starts: np.ndarray) -> pd.DataFrame:
    """The statsforecast input: `unique_id` (zero-padded row index), integer `ds`, `y`."""
    n_series, n_dates = values.shape
    starts = np.minimum(starts, n_dates - MIN_POINTS).clip(min=0)
    lengths = n_dates - starts
    rows = np.repeat(np.arange(n_series), lengths)
    steps = np.concatenate([np.arange(start, n_dates) for start in starts])
    y = values[rows, steps]
    means = np.nan_to_num(np.nanmean(np.where(np.isnan(values), np.nan, values), axis=1), nan=0.0)
    y = np.where(np.isnan(y), means[rows], y)
    width = len(str(n_series))
    ids = np.char.zfill(rows.astype(str), width)
    return pd.DataFrame({"unique_id": ids, "ds": steps, "y": y})


class StatsForecastModel(Forecaster):
    """A local model of statsforecast fitted per series (subclasses name the model).

    The fitted state is the filled history; `load` refits on it (deterministic),
    because statsforecast has no pickle-free format for fitted models.
    """

    def __init__(self) -> None:
        super().__init__()
        self.values_: np.ndarray | None = None
        self.starts_: np.ndarray | None = None
        self._fitted: Any = None

    @abstractmethod
    def _library_model(self, season: int) -> Any:
        """The statsforecast model instance for this seasonal period."""

    def _fit(self, history: Panel) -> None:
        self.values_, self.starts_ = filled_history(history)
        self._fit_values()

    def _fit_values(self) -> None:
        from statsforecast import StatsForecast
        from statsforecast.models import SeasonalNaive

        assert self.values_ is not None and self.starts_ is not None and self.season_ is not None
        season = self.season_ if self.values_.shape[1] > 2 * self.season_ else 1
        engine = StatsForecast(
            models=[self._library_model(season)], freq=1, n_jobs=1, fallback_model=SeasonalNaive(season_length=season)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "stepwise search stopped early" and the like
            self._fitted = engine.fit(long_frame(self.values_, self.starts_))

    def _predict(self, future: Panel) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            frame = self._fitted.predict(h=future.n_dates)
        column = [name for name in frame.columns if name not in ("unique_id", "ds")][0]
        return frame[column].to_numpy(float).reshape(future.n_series, future.n_dates)

    def _state(self) -> ModelState:
        state = super()._state()
        assert self.values_ is not None and self.starts_ is not None
        state.arrays.update(values=self.values_, starts=self.starts_)
        return state

    def _restore(self, state: ModelState) -> None:
        super()._restore(state)
        self.values_, self.starts_ = state.arrays["values"], state.arrays["starts"]
        self._fit_values()

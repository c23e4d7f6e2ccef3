"""The interface every forecaster implements, the model names, and how to build one by name.

A forecaster is fitted on a `Panel` of history and predicts the next steps of
every series given a `Panel` of the horizon (its covariates: open days,
promotions, prices, holidays; its quantities are not read). Point forecasts are
non-negative and zero on known closed days. Intervals come from conformal
calibration on a validation window (`llm4retail.forecast.conformal`), the same for
every model.

Every forecaster is an `Artifact` registered as `forecast.<ForecastModel value>`, so
`Forecaster.load(folder)` rebuilds whichever model a folder holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from typing import ClassVar, Self

import numpy as np

from llm4retail.artifacts import Artifact, ModelState, registered_models
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.forecast.panel import Panel

TRAIN_COMMAND = "llm4retail forecast train"


class ForecastModel(str, Enum):
    """The forecasting models, by the name reports and commands use (and they are registered under)."""

    SEASONAL_NAIVE = "seasonal_naive"
    ETS = "auto_ets"
    THETA = "auto_theta"
    ARIMA = "auto_arima"
    CROSTON = "croston"
    TSB = "tsb"
    LIGHTGBM = "lightgbm"


GLOBAL_MODELS = frozenset({ForecastModel.LIGHTGBM})  # one model over all series; the others are local (per series)


class ForecastArtifact(Artifact):
    """Everything the forecast capability saves: single forecasters and the automatic forecaster."""

    capability = "forecast"
    train_command = TRAIN_COMMAND


class Forecaster(ForecastArtifact, ABC):
    """Fit on history, forecast every series over a horizon.

    Subclasses set `model`, implement `_fit` and `_predict`, and extend `_state` and `_restore`
    (calling `super()`, which saves the series count and season every forecaster has);
    the public methods validate inputs and apply closures.

    Example:
        >>> model = SeasonalNaiveForecaster().fit(panel.window(0, 900))
        >>> model.predict(panel.window(900, 942)).shape
        (20, 42)
    """

    model: ClassVar[ForecastModel]

    def __init__(self) -> None:
        self.n_series_: int | None = None
        self.season_: int | None = None

    def fit(self, history: Panel) -> Self:
        """Learn from the observed cells of `history`.

        Raises:
            DataValidationError: If the history is empty or has no observed cell.
        """
        if history.n_dates == 0 or not history.observed.any():
            raise DataValidationError(f"{self.model.value}: the history has no observed (open, present) cell to fit on")
        self.n_series_ = history.n_series
        self.season_ = history.season
        self._fit(history)
        return self

    def predict(self, future: Panel) -> np.ndarray:
        """Point forecasts for the dates of `future`, one row per fitted series.

        Args:
            future: the horizon: same series as the history, its covariates known or assumed.

        Returns:
            Array (n_series, n_dates of `future`), non-negative, zero on closed days.

        Raises:
            NotFittedError: If `fit` was not called.
            DataValidationError: If `future` has other series than the history.
        """
        if self.n_series_ is None:
            raise NotFittedError(f"{self.model.value} is not fitted: call fit(history) before predict(future)")
        if future.n_series != self.n_series_:
            raise DataValidationError(f"fitted on {self.n_series_} series but asked for {future.n_series}")
        if future.n_dates == 0:
            raise DataValidationError("the horizon is empty: pass a future panel with at least one date")
        forecast = np.nan_to_num(self._predict(future), nan=0.0)
        return np.where(future.open, np.clip(forecast, 0.0, None), 0.0)

    def evaluate(self, test: Panel, *, history: Panel) -> dict[str, float]:
        """Scores the forecasts of `test` on its observed cells (closed days are not scored).

        Args:
            test: the held-out window right after the fitted history.
            history: the fitted history (for the MASE scale).

        Returns:
            `mase`, `smape`, `wape` of the point forecasts.
        """
        from llm4retail.forecast.metrics import point_scores

        return point_scores(test.y, self.predict(test), test.observed, history=history)

    def _state(self) -> ModelState:
        """What every forecaster saves: the series count and season (subclasses add their fitted state).

        Raises:
            NotFittedError: If `fit` was not called.
        """
        if self.n_series_ is None:
            raise NotFittedError(f"{self.model.value} is not fitted: nothing to save")
        return ModelState(facts={"n_series": self.n_series_, "season": self.season_})

    def _restore(self, state: ModelState) -> None:
        self.n_series_ = int(state.facts["n_series"])
        self.season_ = int(state.facts["season"])

    @abstractmethod
    def _fit(self, history: Panel) -> None:
        """Model-specific fitting."""

    @abstractmethod
    def _predict(self, future: Panel) -> np.ndarray:
        """Model-specific point forecasts (closures are applied by `predict`)."""


def make_forecaster(model: ForecastModel, *, horizon: int, threads: int = 1, seed: int = 0) -> Forecaster:
    """A fresh, unfitted forecaster, its class found in the model registry.

    The model modules register themselves when `llm4retail.forecast` is imported (its `__init__`
    imports each of them), which happens before any of its submodules is used.

    Args:
        model: which model.
        horizon: the longest horizon it must forecast (the global model needs it at fit time).
        threads: threads of the global model (local models run on one core).
        seed: seed of the global model.
    """
    model_class = registered_models()[f"{ForecastArtifact.capability}.{model.value}"]
    if model in GLOBAL_MODELS:
        return model_class(horizon, threads=threads, seed=seed)  # type: ignore[call-arg]
    return model_class()  # type: ignore[return-value]

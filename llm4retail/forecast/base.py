"""The interface every forecaster implements, and the model names.

A forecaster is fitted on a `Panel` of history and predicts the next steps of
every series given a `Panel` of the horizon (its covariates: open days,
promotions, prices, holidays; its quantities are not read). Point forecasts are
non-negative and zero on known closed days. Intervals come from conformal
calibration on a validation window (`llm4retail.forecast.conformal`), the same for
every model.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from llm4retail import __version__
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.forecast.panel import Panel

META_FILE = "meta.json"
ARRAYS_FILE = "arrays.npz"


class ForecastModel(str, Enum):
    """The forecasting models, by the name reports and commands use."""

    SEASONAL_NAIVE = "seasonal_naive"
    ETS = "auto_ets"
    THETA = "auto_theta"
    ARIMA = "auto_arima"
    CROSTON = "croston"
    TSB = "tsb"
    LIGHTGBM = "lightgbm"


class Forecaster(ABC):
    """Fit on history, forecast every series over a horizon.

    Subclasses set `model`, implement `_fit`, `_predict`, `_state` and `_restore`;
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

    def save(self, directory: Path) -> Path:
        """Writes `arrays.npz` and `meta.json` into `directory` (no pickle).

        Raises:
            NotFittedError: If `fit` was not called.
        """
        if self.n_series_ is None:
            raise NotFittedError(f"{self.model.value} is not fitted: nothing to save")
        directory.mkdir(parents=True, exist_ok=True)
        arrays, params = self._state()
        np.savez_compressed(directory / ARRAYS_FILE, **arrays)
        meta = {"model": self.model.value, "version": __version__, "n_series": self.n_series_,
                "season": self.season_, "params": params}
        (directory / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads a model written by `save`.

        Raises:
            DataValidationError: If the directory holds another model or no saved model.
        """
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise DataValidationError(f"{directory} holds no saved forecaster ({META_FILE} is missing)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("model") != cls.model.value:
            raise DataValidationError(f"{directory} holds a {meta.get('model')!r} model, not {cls.model.value!r}")
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        model = cls(**meta["params"].get("init", {}))
        model.n_series_ = int(meta["n_series"])
        model.season_ = int(meta["season"])
        model._restore(arrays, meta["params"], directory)
        return model

    @abstractmethod
    def _fit(self, history: Panel) -> None:
        """Model-specific fitting."""

    @abstractmethod
    def _predict(self, future: Panel) -> np.ndarray:
        """Model-specific point forecasts (closures are applied by `predict`)."""

    @abstractmethod
    def _state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and JSON parameters (with `init`: the constructor arguments) to save."""

    @abstractmethod
    def _restore(self, arrays: dict[str, np.ndarray], params: dict[str, Any], directory: Path) -> None:
        """Rebuild the fitted state from `_state`'s output."""

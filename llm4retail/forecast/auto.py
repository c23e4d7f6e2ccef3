"""The automatic forecaster: choose a model by backtest on the given history, refit it, forecast with intervals.

Example:
    >>> panel = panel_from_sales(sales)
    >>> auto = AutoForecaster(horizon=28).fit(panel)
    >>> result = auto.forecast()              # the next 28 steps of every series
    >>> result.series(0)["forecast"][0]       # {'date': ..., 'mean': ..., 'lower_90': ..., 'upper_90': ...}
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import ConfigError, DataValidationError, NotFittedError
from llm4retail.forecast.base import ForecastArtifact, Forecaster, ForecastModel, make_forecaster
from llm4retail.forecast.conformal import DEFAULT_LEVELS, ConformalIntervals, fallback_scale
from llm4retail.forecast.metrics import seasonal_scale
from llm4retail.forecast.panel import Panel, panel_from_arrays, panel_to_arrays
from llm4retail.forecast.windows import (
    affordable_models,
    choose,
    forecast_windows,
    origins_before,
    validation_mase,
)

logger = logging.getLogger(__name__)

DEFAULT_BUDGET_SECONDS = 300.0


@dataclass
class ForecastResult:
    """Point forecasts and conformal intervals of every series.

    Attributes:
        keys: product_id and store_id per series.
        dates: the forecast dates.
        point: (n_series, steps).
        lower: level -> lower bounds, same shape.
        upper: level -> upper bounds.
        open: (n_series, steps) the assumed or known open days (closed days forecast 0).
        model: the model that made it.
    """

    keys: pd.DataFrame
    dates: pd.DatetimeIndex
    point: np.ndarray
    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]
    open: np.ndarray
    model: str

    def series(self, index: int) -> dict[str, Any]:
        """One series as a plot-ready list of dated points."""
        points = []
        for step, date in enumerate(self.dates):
            item: dict[str, Any] = {"date": date.date().isoformat(), "mean": float(self.point[index, step])}
            for level in sorted(self.lower):
                item[f"lower_{level}"] = float(self.lower[level][index, step])
                item[f"upper_{level}"] = float(self.upper[level][index, step])
            item["open"] = bool(self.open[index, step])
            points.append(item)
        key = self.keys.iloc[index]
        return {"product_id": str(key["product_id"]), "store_id": str(key["store_id"]), "model": self.model,
                "forecast": points}


@register_model("auto")
class AutoForecaster(ForecastArtifact):
    """Chooses among forecasters by rolling-origin validation on the history it is fitted on.

    Args:
        horizon: steps to forecast (and the length of each validation window).
        models: candidates (default: every model; costly local ones only where the probe says they fit the budget).
        validation_windows: how many windows of `horizon` steps at the end of the history validate the choice.
        time_budget_seconds: the most projected seconds a local model may take over all its fits.
        levels: interval levels in percent.
        threads: threads of the global model.
        seed: seed of the global model.

    Raises:
        ConfigError: If an argument is out of range.
    """

    def __init__(
        self,
        horizon: int,
        *,
        models: Sequence[ForecastModel] | None = None,
        validation_windows: int = 1,
        time_budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        levels: tuple[int, ...] = DEFAULT_LEVELS,
        threads: int = 1,
        seed: int = 0,
    ) -> None:
        if horizon < 1 or validation_windows < 1 or time_budget_seconds <= 0:
            raise ConfigError(
                f"horizon and validation_windows must be >= 1 and the budget positive; got horizon={horizon}, "
                f"validation_windows={validation_windows}, time_budget_seconds={time_budget_seconds}"
            )
        self.horizon = horizon
        self.models = [ForecastModel(model) for model in models] if models else list(ForecastModel)
        self.validation_windows = validation_windows
        self.time_budget_seconds = time_budget_seconds
        self.levels = tuple(levels)
        self.threads = threads
        self.seed = seed
        self.history_: Panel | None = None
        self.model_: Forecaster | None = None
        self.chosen_: ForecastModel | None = None
        self.validation_: dict[str, float] = {}
        self.skipped_: dict[str, str] = {}
        self.intervals_: ConformalIntervals | None = None
        self.residuals_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, panel: Panel, *, ray: str | None = None) -> Self:
        """Validate every affordable model on the last windows, keep the best, refit it on everything.

        Args:
            panel: the sales.
            ray: compute the candidates' validation windows as parallel Ray tasks (`local`, `auto` or an
                address); None: one after the other here. The choice and the model are the same.

        Raises:
            DataValidationError: If the panel is too short for the validation windows.
        """
        origins = origins_before(panel, horizon=self.horizon, n_windows=self.validation_windows)
        affordable = affordable_models(
            self.models, panel.window(0, origins[0]), n_fits=self.validation_windows + 1,
            budget_seconds=self.time_budget_seconds,
        )
        windows = forecast_windows(affordable.kept, panel, origins=origins, horizon=self.horizon, threads=self.threads,
                                   seed=self.seed, ray=ray)  # fmt: skip
        scores = {model: validation_mase(items, panel) for model, items in windows.items()}
        self.chosen_ = choose(scores)
        self.validation_ = {model.value: score for model, score in scores.items()}
        self.skipped_ = affordable.skipped
        chosen_windows = windows[self.chosen_]
        blocks = [window.residuals(panel) for window in chosen_windows]
        self.residuals_ = np.hstack(blocks)
        normalised = np.hstack([block / window.scale(panel)[:, None] for block, window in zip(blocks, chosen_windows)])
        self.intervals_ = ConformalIntervals.calibrate(normalised, np.ones(panel.n_series), levels=self.levels)
        self.model_ = make_forecaster(self.chosen_, horizon=self.horizon, threads=self.threads, seed=self.seed)
        self.model_.fit(panel)
        self.history_ = panel
        self.scale_ = fallback_scale(seasonal_scale(panel), panel.y, panel.observed)
        logger.info("forecast: chose %s by validation MASE %s", self.chosen_.value, self.validation_)
        return self

    def predict(self, future: Panel) -> ForecastResult:
        """Forecasts with intervals for the dates of `future` (known or assumed covariates).

        Raises:
            NotFittedError: If `fit` was not called.
        """
        if self.model_ is None or self.intervals_ is None or self.scale_ is None:
            raise NotFittedError("AutoForecaster is not fitted: call fit(panel) first")
        point = self.model_.predict(future)
        lower, upper = {}, {}
        for level in self.levels:
            lower[level], upper[level] = self.intervals_.interval(point, self.scale_, level=level, open_days=future.open)
        return ForecastResult(future.keys, future.dates, point, lower, upper, future.open.copy(), self.model_.model.value)

    def forecast(self, horizon: int | None = None) -> ForecastResult:
        """The next `horizon` steps after the history, with assumed covariates (see `Panel.extended`).

        Raises:
            DataValidationError: If `horizon` exceeds the fitted horizon.
        """
        if self.history_ is None:
            raise NotFittedError("AutoForecaster is not fitted: call fit(panel) first")
        steps = horizon or self.horizon
        if steps > self.horizon:
            raise DataValidationError(f"fitted for {self.horizon} steps, asked for {steps}; refit with a longer horizon")
        extended = self.history_.extended(steps)
        return self.predict(extended.window(self.history_.n_dates, extended.n_dates))

    def evaluate(self, test: Panel) -> dict[str, float]:
        """Scores of the chosen model on the window right after the fitted history (observed cells only).

        Returns:
            `mase`, `smape`, `wape`, `coverage_90` and `scored_points`.

        Raises:
            NotFittedError: If `fit` was not called.
        """
        from llm4retail.forecast.metrics import coverage, point_scores

        if self.history_ is None:
            raise NotFittedError("AutoForecaster is not fitted: call fit(panel) first")
        result = self.predict(test)
        scores = point_scores(test.y, result.point, test.observed, history=self.history_)
        if 90 in result.lower:
            scores["coverage_90"] = coverage(test.y, result.lower[90], result.upper[90], test.observed)
        return scores

    def get_params(self) -> dict[str, Any]:
        return {"horizon": self.horizon, "models": [model.value for model in self.models],
                "validation_windows": self.validation_windows, "time_budget_seconds": self.time_budget_seconds,
                "levels": list(self.levels), "threads": self.threads, "seed": self.seed}

    def _state(self) -> ModelState:
        """The chosen model (a part), the fitted history, the calibration and the choice (no pickle)."""
        if self.model_ is None or self.intervals_ is None or self.history_ is None or self.chosen_ is None:
            raise NotFittedError("AutoForecaster is not fitted: nothing to save")
        arrays, fields = panel_to_arrays(self.history_)
        facts = {
            "chosen": self.chosen_.value, "validation_mase": self.validation_, "skipped": self.skipped_,
            "panel": fields, "intervals": {"lower": self.intervals_.lower, "upper": self.intervals_.upper,
                                           "n_residuals": self.intervals_.n_residuals},
        }
        return ModelState(arrays={"residuals": self.residuals_, "scale": self.scale_, **arrays}, facts=facts,
                          parts={"model": self.model_})

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        auto = cls(**{**params, "levels": tuple(params["levels"])})
        auto.chosen_ = ForecastModel(state.facts["chosen"])
        auto.model_ = state.parts["model"]  # type: ignore[assignment]
        auto.validation_, auto.skipped_ = state.facts["validation_mase"], state.facts["skipped"]
        intervals = state.facts["intervals"]
        auto.intervals_ = ConformalIntervals(
            lower={int(k): v for k, v in intervals["lower"].items()},
            upper={int(k): v for k, v in intervals["upper"].items()},
            n_residuals=intervals["n_residuals"],
        )
        auto.residuals_, auto.scale_ = state.arrays["residuals"], state.arrays["scale"]
        auto.history_ = panel_from_arrays(state.arrays, state.facts["panel"])
        return auto

"""A global LightGBM model over all series: lags, rolling means, calendar, holidays, prices, promotions, open days.

One model learns from every series at once (the approach that won the M5 and
Rossmann competitions). Targets are normalised by each series' level and the
model forecasts every step of the horizon directly from features that look back
at least `horizon` steps (see `llm4retail.forecast.features`). Only observed
cells are training rows, so closed days never teach the model a zero.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.forecast.base import Forecaster, ForecastModel
from llm4retail.forecast.features import SeriesStats, feature_columns, lag_plan
from llm4retail.forecast.panel import Panel, join, panel_from_arrays, panel_to_arrays

logger = logging.getLogger(__name__)

@register_model(ForecastModel.LIGHTGBM.value)
class LightGBMForecaster(Forecaster):
    """Global gradient-boosted trees for every step up to `horizon`.

    Args:
        horizon: the longest horizon it will forecast (lags start this far back).
        n_estimators: boosting rounds.
        learning_rate: shrinkage per round.
        num_leaves: leaves per tree.
        max_train_rows: training rows are sampled down to this many (bounds time and memory).
        threads: LightGBM threads (1 by default: OpenMP threads spin and slow down badly on a shared machine).
        seed: seed of row sampling and bagging.

    Example:
        >>> model = LightGBMForecaster(horizon=42).fit(history)
        >>> model.predict(future).shape  # doctest: +SKIP
        (20, 42)
    """

    model = ForecastModel.LIGHTGBM

    def __init__(
        self,
        horizon: int = 28,
        *,
        n_estimators: int = 400,
        learning_rate: float = 0.05,
        num_leaves: int = 63,
        max_train_rows: int = 1_000_000,
        threads: int = 1,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if horizon < 1 or n_estimators < 1 or num_leaves < 2 or max_train_rows < 100 or threads < 1:
            raise ConfigError(
                "LightGBMForecaster needs horizon >= 1, n_estimators >= 1, num_leaves >= 2, max_train_rows >= 100 "
                f"and threads >= 1; got {horizon}, {n_estimators}, {num_leaves}, {max_train_rows}, {threads}"
            )
        if not 0 < learning_rate <= 1:
            raise ConfigError(f"learning_rate must be in (0, 1], got {learning_rate}")
        self.horizon = horizon
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_train_rows = max_train_rows
        self.threads = threads
        self.seed = seed
        self.stats_: SeriesStats | None = None
        self.tail_: Panel | None = None
        self.booster_: Any = None
        self.feature_names_: list[str] = []

    def _params(self) -> dict[str, Any]:
        return {
            "objective": "regression", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_data_in_leaf": 40, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
            "lambda_l2": 1.0, "num_threads": self.threads, "seed": self.seed, "verbosity": -1,
            "deterministic": True, "force_row_wise": True,
        }

    def _memory(self, history: Panel) -> int:
        recent, seasonal, windows = lag_plan(history.frequency, self.horizon)
        return max(recent + seasonal) + max(windows) + self.horizon + history.season + 1

    def _fit(self, history: Panel) -> None:
        import lightgbm

        self.stats_ = SeriesStats.learn(history)
        observed = history.observed
        first = np.where(observed.any(axis=1), observed.argmax(axis=1), history.n_dates)
        usable = observed & (np.arange(history.n_dates)[None, :] >= first[:, None] + self.horizon)
        rows, columns = np.nonzero(usable)
        if rows.size == 0:
            rows, columns = np.nonzero(observed)
        if rows.size > self.max_train_rows:
            keep = np.sort(np.random.default_rng(self.seed).choice(rows.size, self.max_train_rows, replace=False))
            rows, columns = rows[keep], columns[keep]
        features, self.feature_names_ = self._design(history, rows, columns)
        target = (history.y[rows, columns] / self.stats_.level[rows]).astype(np.float32)
        dataset = lightgbm.Dataset(features, label=target, feature_name=self.feature_names_, free_raw_data=True)
        self.booster_ = lightgbm.train(self._params(), dataset, num_boost_round=self.n_estimators)
        self.tail_ = history.window(max(0, history.n_dates - self._memory(history)), history.n_dates)
        logger.info("lightgbm: %d rows x %d features, %d rounds", rows.size, features.shape[1], self.n_estimators)

    def _design(self, panel: Panel, rows: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, list[str]]:
        assert self.stats_ is not None
        names: list[str] = []
        design = np.empty((rows.size, 0), dtype=np.float32)
        parts = []
        for name, values in feature_columns(panel, self.stats_, horizon=self.horizon):
            names.append(name)
            parts.append(values[rows, columns] if values.ndim == 2 else values[columns])
        design = np.column_stack(parts).astype(np.float32) if parts else design
        return design, names

    def _predict(self, future: Panel) -> np.ndarray:
        assert self.tail_ is not None and self.stats_ is not None
        if future.n_dates > self.horizon:
            raise DataValidationError(
                f"lightgbm was fitted for horizons up to {self.horizon} steps, asked for {future.n_dates}; "
                "refit with a longer horizon"
            )
        joined = join(self.tail_, future)
        columns = np.tile(np.arange(self.tail_.n_dates, joined.n_dates), future.n_series)
        rows = np.repeat(np.arange(future.n_series), future.n_dates)
        features, names = self._design(joined, rows, columns)
        if names != self.feature_names_:
            raise DataValidationError(f"the horizon's covariates give features {names}, fitted on {self.feature_names_}")
        normalised = self.booster_.predict(features, num_threads=self.threads)
        return normalised.reshape(future.n_series, future.n_dates) * self.stats_.level[:, None]

    def feature_importance(self) -> dict[str, float]:
        """Share of total gain per feature."""
        gain = self.booster_.feature_importance(importance_type="gain")
        total = gain.sum() or 1.0
        return {name: float(value / total) for name, value in zip(self.feature_names_, gain)}

    def get_params(self) -> dict[str, Any]:
        return {"horizon": self.horizon, "n_estimators": self.n_estimators, "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves, "max_train_rows": self.max_train_rows, "threads": self.threads,
                "seed": self.seed}

    def _state(self) -> ModelState:
        """The recent history the lags read, the series statistics and LightGBM's own text dump of the trees."""
        state = super()._state()
        assert self.tail_ is not None and self.stats_ is not None
        arrays, fields = panel_to_arrays(self.tail_)
        arrays["level"] = self.stats_.level
        if self.stats_.profile is not None:
            arrays["profile"] = self.stats_.profile
        if self.stats_.reference_price is not None:
            arrays["reference_price"] = self.stats_.reference_price
        state.arrays.update(arrays)
        state.facts.update(panel=fields, features=self.feature_names_)
        state.texts["booster"] = self.booster_.model_to_string()
        return state

    def _restore(self, state: ModelState) -> None:
        import lightgbm

        super()._restore(state)
        arrays = state.arrays
        self.tail_ = panel_from_arrays(arrays, state.facts["panel"])
        self.stats_ = SeriesStats(
            level=arrays["level"], profile=arrays.get("profile"), reference_price=arrays.get("reference_price")
        )
        self.feature_names_ = list(state.facts["features"])
        self.booster_ = lightgbm.Booster(model_str=state.texts["booster"])

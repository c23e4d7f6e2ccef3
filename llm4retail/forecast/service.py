"""Forecasts of the store's sales for the API and the CLI: trained explicitly, served from the model store.

`train()` fits an `AutoForecaster` on every sales row of the store and saves it as a new
version under `<models_dir>/forecast/` (`llm4retail forecast train`; `serve` runs it at
start-up when nothing is saved). Serving loads the latest version once and never fits:
a forecast needs minutes of model selection, far too long for a request. The saved model
carries the history it was fitted on, so serving does not read the sales either; new sales
are seen after the next `train()`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import TRAIN_COMMAND, ForecastModel
from llm4retail.forecast.panel import panel_from_sales

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)

DEFAULT_HORIZON = 28
SERVICE_BUDGET_SECONDS = 60.0  # interactive use: slow local models are skipped sooner than in `eval forecast`
SALES_COLUMNS = ["product_id", "store_id", "date", "quantity", "price", "on_promotion", "open", "attributes"]


def read_sales(store: Store) -> pd.DataFrame:
    """Every sales row of the store (the columns the panel reads).

    Raises:
        DataValidationError: If the store has no sales.
    """
    sales = store.read_frame(Table.SALES, columns=SALES_COLUMNS)
    if sales.empty:
        raise DataValidationError("the store has no sales rows; import a sales file or run `llm4retail demo init`")
    return sales


def sales_fingerprint(sales: pd.DataFrame, *extra: Any) -> str:
    """`data_fingerprint` of the sales rows (as strings: the attributes column holds dicts) and `extra`."""
    return data_fingerprint(sales.astype(str), *extra)


def series_index(keys: pd.DataFrame, product_id: str, store_id: str | None = None) -> int:
    """Row of one series among `keys` (product_id, store_id per series).

    Raises:
        NotFoundError: If the product has no series.
        DataValidationError: If it sells in several stores and none was named, or not in that store.
    """
    products = keys["product_id"].astype(str)
    if not (products == str(product_id)).any():
        raise NotFoundError(table="sales", key=str(product_id))
    match = products == str(product_id)
    if store_id is not None:
        match &= keys["store_id"].astype(str) == str(store_id)
    rows = np.flatnonzero(match.to_numpy())
    if rows.size == 0:
        raise DataValidationError(f"no sales series for product {product_id!r} (store {store_id!r})")
    if rows.size > 1:
        stores = keys.loc[rows, "store_id"].astype(str).tolist()[:5]
        raise DataValidationError(f"product {product_id!r} sells in several stores {stores}; pass store_id")
    return int(rows[0])


class ForecastService(CapabilityService):
    """Forecasts of every sales series of a store.

    Example:
        >>> service = Services(settings).forecast
        >>> service.train(horizon=28)                                  # `llm4retail forecast train`
        >>> service.product_forecast("p00005")["forecast"][0]  # doctest: +SKIP
    """

    capability = "forecast"
    train_command = TRAIN_COMMAND

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._auto: AutoForecaster | None = None

    def train(
        self,
        *,
        horizon: int = DEFAULT_HORIZON,
        models: Sequence[ForecastModel] | None = None,
        time_budget_seconds: float = SERVICE_BUDGET_SECONDS,
        ray: str | None = None,
    ) -> dict[str, Any]:
        """Chooses a model by backtest on the store's sales, refits it, saves a version and serves it.

        Args:
            horizon: steps the forecaster is fitted for (the most a request may ask).
            models: candidate models (default all, within the time budget).
            time_budget_seconds: per local model, over all its validation and final fits.
            ray: compute the candidates' validation windows as parallel Ray tasks (`local`, `auto` or an address).

        Returns:
            The training report: `version`, `chosen`, `validation_mase` per model, `skipped`, sizes.

        Raises:
            DataValidationError: If the store has no sales or too few dates for the horizon.
        """
        sales = read_sales(self.store)
        panel = panel_from_sales(sales)
        auto = AutoForecaster(horizon, models=models, time_budget_seconds=time_budget_seconds).fit(panel, ray=ray)
        assert auto.chosen_ is not None
        report = {
            "capability": self.capability, "horizon": horizon, "chosen": auto.chosen_.value,
            "validation_mase": auto.validation_, "skipped": auto.skipped_, "n_series": panel.n_series,
            "n_dates": panel.n_dates, "frequency": panel.frequency.value,
        }
        version = self.models.save(auto, report=report, data_hash=sales_fingerprint(sales),
                                   metrics={"validation_mase": auto.validation_[auto.chosen_.value]})
        with self.lock:
            self._auto = auto
        logger.info("forecast: trained version %s (%s)", version, auto.chosen_.value)
        return {**report, "version": version}

    def warm_up(self) -> None:
        """Loads the LATEST forecaster now rather than on the first request (never trains)."""
        self.forecaster()

    def forecaster(self) -> AutoForecaster:
        """The fitted forecaster of the latest trained version (loaded on first use, never fitted here).

        Raises:
            NotTrainedError: Nothing is trained yet (the message names `llm4retail forecast train`).
        """
        with self.lock:
            if self._auto is None:
                self._auto = self.models.load(expected=AutoForecaster)
            return self._auto

    @property
    def horizon(self) -> int:
        """The longest horizon the served forecaster covers."""
        return self.forecaster().horizon

    def index_of(self, product_id: str, store_id: str | None = None) -> int:
        """Row of a series in the served forecaster's panel.

        Raises:
            NotFoundError: If the product has no sales.
            DataValidationError: If it sells in several stores and none was named.
        """
        history = self.forecaster().history_
        assert history is not None
        return series_index(history.keys, product_id, store_id)

    def product_forecast(
        self, product_id: str, *, store_id: str | None = None, horizon: int | None = None, history_steps: int = 90
    ) -> dict[str, Any]:
        """Plot-ready history and forecast of one series.

        Args:
            product_id: the product.
            store_id: the store, when the product sells in several.
            horizon: steps to forecast (at most the trained horizon).
            history_steps: recent history steps to include.

        Returns:
            `product_id`, `store_id`, `model`, `frequency`, `history` (date, quantity or None when not
            observed, open) and `forecast` (date, mean, lower/upper per level, open).

        Raises:
            NotTrainedError: Nothing is trained yet.
            NotFoundError: If the product has no sales.
            DataValidationError: If the horizon is out of range.
        """
        auto = self.forecaster()
        steps = horizon or auto.horizon
        if not 1 <= steps <= auto.horizon:
            raise DataValidationError(
                f"horizon must be between 1 and {auto.horizon} (the trained horizon), got {steps}; "
                f"retrain with `{TRAIN_COMMAND} --horizon {steps}` for longer forecasts"
            )
        index = self.index_of(product_id, store_id)
        panel = auto.history_
        assert panel is not None
        series = auto.forecast(steps).series(index)
        start = max(0, panel.n_dates - history_steps)
        observed = panel.observed[index]
        series["history"] = [
            {"date": panel.dates[step].date().isoformat(),
             "quantity": float(panel.y[index, step]) if observed[step] else None,
             "open": bool(panel.open[index, step])}
            for step in range(start, panel.n_dates)
        ]
        series["frequency"] = panel.frequency.value
        series["validation_mase"] = auto.validation_
        return series

"""Forecasts of the store's sales for the API and the CLI, fitted once per state of the sales table.

The fitted `AutoForecaster` is kept in memory and saved under
`<data_dir>/forecast/<fingerprint>/`, so a restart or the next CLI call reuses it
until the sales change (the fingerprint hashes every sales row).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import Panel, panel_from_sales

logger = logging.getLogger(__name__)

DEFAULT_HORIZON = 28
SERVICE_BUDGET_SECONDS = 60.0  # interactive use: slow local models are skipped sooner than in `eval forecast`
SALES_COLUMNS = ["product_id", "store_id", "date", "quantity", "price", "on_promotion", "open", "attributes"]


class ForecastService:
    """Forecasts of every sales series of a store.

    Args:
        store: where the sales are.
        data_dir: where fitted forecasters are saved (None: memory only).
        horizon: steps the forecaster is fitted for (the most a request may ask).
        models: candidate models (default all, within the time budget).
        time_budget_seconds: per local model, over all its validation and final fits.

    Example:
        >>> service = ForecastService(store, data_dir=settings.data_dir)
        >>> service.product_forecast("p00005")["forecast"][0]  # doctest: +SKIP
    """

    def __init__(
        self,
        store: Store,
        *,
        data_dir: Path | None = None,
        horizon: int = DEFAULT_HORIZON,
        models: Sequence[ForecastModel] | None = None,
        time_budget_seconds: float = SERVICE_BUDGET_SECONDS,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.horizon = horizon
        self.models = list(models) if models else None
        self.time_budget_seconds = time_budget_seconds
        self._lock = threading.RLock()
        self._panel: tuple[str, Panel] | None = None
        self._version_seen: tuple[Any, ...] | None = None
        self._auto: tuple[str, AutoForecaster] | None = None

    def panel(self) -> tuple[str, Panel]:
        """The sales as a panel, with the fingerprint of the rows it was built from.

        Raises:
            DataValidationError: If the store has no sales.
        """
        with self._lock:
            version = self._version()
            if self._panel is not None and self._version_seen == version:
                return self._panel
            sales = self.store.read_frame(Table.SALES, columns=SALES_COLUMNS)
            if sales.empty:
                raise DataValidationError("the store has no sales rows; import a sales file or run `llm4retail demo init`")
            fingerprint = _fingerprint(sales)
            if self._panel is None or self._panel[0] != fingerprint:
                self._panel = (fingerprint, panel_from_sales(sales))
            self._version_seen = version
            return self._panel

    def _version(self) -> tuple[Any, ...]:
        """Row count, quantity total and date range of the sales: a cheap check before re-reading them."""
        table = self.store.tables[Table.SALES]
        query = sa.select(sa.func.count(), sa.func.sum(table.c.quantity), sa.func.min(table.c.date),
                          sa.func.max(table.c.date), sa.func.sum(table.c.price))
        with self.store.transaction() as connection:
            return tuple(connection.execute(query).one())

    def forecaster(self) -> AutoForecaster:
        """The fitted forecaster for the current sales (loaded or fitted on first use)."""
        with self._lock:
            fingerprint, panel = self.panel()
            if self._auto is not None and self._auto[0] == fingerprint:
                return self._auto[1]
            candidates = "all" if self.models is None else "+".join(sorted(model.value for model in self.models))
            name = f"{fingerprint}-h{self.horizon}-{hashlib.sha256(candidates.encode()).hexdigest()[:8]}"
            directory = None if self.data_dir is None else self.data_dir / "forecast" / name
            if directory is not None and (directory / "auto.json").is_file():
                auto = AutoForecaster.load(directory)
            else:
                auto = AutoForecaster(self.horizon, models=self.models, time_budget_seconds=self.time_budget_seconds)
                auto.fit(panel)
                if directory is not None:
                    auto.save(directory)
            self._auto = (fingerprint, auto)
            return auto

    def index_of(self, product_id: str, store_id: str | None = None) -> int:
        """Row of a series in the panel.

        Raises:
            NotFoundError: If the product has no sales.
            DataValidationError: If it sells in several stores and none was named.
        """
        _, panel = self.panel()
        if not (panel.keys["product_id"].astype(str) == str(product_id)).any():
            raise NotFoundError(table="sales", key=str(product_id))
        return panel.index_of(product_id, store_id)

    def product_forecast(
        self, product_id: str, *, store_id: str | None = None, horizon: int | None = None, history_steps: int = 90
    ) -> dict[str, Any]:
        """Plot-ready history and forecast of one series.

        Args:
            product_id: the product.
            store_id: the store, when the product sells in several.
            horizon: steps to forecast (at most the service horizon).
            history_steps: recent history steps to include.

        Returns:
            `product_id`, `store_id`, `model`, `frequency`, `history` (date, quantity or None when not
            observed, open) and `forecast` (date, mean, lower/upper per level, open).

        Raises:
            NotFoundError: If the product has no sales.
            DataValidationError: If the horizon is out of range.
        """
        steps = horizon or self.horizon
        if not 1 <= steps <= self.horizon:
            raise DataValidationError(f"horizon must be between 1 and {self.horizon}, got {steps}")
        index = self.index_of(product_id, store_id)
        auto = self.forecaster()
        panel = auto.history_
        assert panel is not None
        result = auto.forecast(steps)
        series = result.series(index)
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


def _fingerprint(sales: pd.DataFrame) -> str:
    """A short hash of every sales row (order-independent)."""
    hashed = pd.util.hash_pandas_object(sales.astype(str), index=False).to_numpy()
    digest = hashlib.sha256(np.sort(hashed).tobytes()).hexdigest()
    return digest[:16]

"""Customer value over a store: profiles, segments and campaign audiences from its orders and events.

`train()` (`llm4retail segments train`) fits the customer models (BG/NBD + Gamma-Gamma
lifetime value, purchase prediction) and saves them as a version in the model store. Serving
loads the `LATEST` version once and applies it to the store's current data as of its latest
activity day; it never fits: before `train()` it raises `NotTrainedError`. RFM scores and
segments have no fitted parameter and are computed with the table (cheap quintile ranks).
The table is cached until `refresh`.

Example:
    >>> service = Services(get_settings(data_dir="store")).marketing
    >>> service.train()["version"]
    'v0001'
    >>> service.profile("c00001")["segment"]
    >>> service.audience([Segment.AT_RISK]).to_csv("at_risk.csv", index=False)
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError
from llm4retail.eval import EvalReport
from llm4retail.marketing.clv import evaluate_clv
from llm4retail.marketing.evaluate import evaluate_purchase
from llm4retail.marketing.model import PURCHASE_HORIZON_DAYS, CustomerModels
from llm4retail.marketing.purchase import ActivityData, events_with_categories
from llm4retail.marketing.rfm import Segment
from llm4retail.marketing.transactions import purchase_days

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)
AUDIENCE_COLUMNS = ("customer_id", "segment", "rfm", "recency_days", "frequency", "monetary", "clv",
                    "expected_purchases", "churn_probability", "purchase_probability")


def activity_data(orders: pd.DataFrame, *, events: pd.DataFrame | None = None,
                  products: pd.DataFrame | None = None) -> ActivityData:
    """What the customer models read: kept purchase days, and events with their products' top categories.

    Raises:
        DataValidationError: no kept order.
    """
    event_frame = None if events is None or events.empty else events_with_categories(events, products)
    return ActivityData(purchase_days(orders), event_frame)


def customer_table(orders: pd.DataFrame, *, models: CustomerModels, events: pd.DataFrame | None = None,
                   products: pd.DataFrame | None = None, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer: RFM scores and segment, CLV, churn and purchase probability (see `CustomerModels.table`).

    Customers listed in `customers` or `events` without a kept order are `prospects`.

    Raises:
        DataValidationError: no kept order.
    """
    known = None if customers is None or customers.empty else customers["customer_id"]
    return models.table(activity_data(orders, events=events, products=products), customers=known)


def segment_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Size, share and expected value of every segment, largest expected value first."""
    grouped = table.groupby("segment")
    total = max(len(table), 1)
    rows = [
        {
            "segment": str(name),
            "customers": len(group),
            "share": len(group) / total,
            "expected_value": float(group["clv"].sum()),
            "mean_clv": float(group["clv"].mean()),
            "mean_churn_probability": _mean(group["churn_probability"]),
            "mean_purchase_probability": _mean(group["purchase_probability"]),
            "expected_purchases": float(group["expected_purchases"].sum()),
        }
        for name, group in grouped
    ]
    return sorted(rows, key=lambda row: -row["expected_value"])


def audience(table: pd.DataFrame, segments: list[Segment] | None = None, *, min_clv: float | None = None,
             min_purchase_probability: float | None = None) -> pd.DataFrame:
    """The customers of a campaign: chosen segments and thresholds, highest CLV first (CSV-ready)."""
    chosen = table
    if segments:
        chosen = chosen[chosen["segment"].isin([segment.value for segment in segments])]
    if min_clv is not None:
        chosen = chosen[chosen["clv"] >= min_clv]
    if min_purchase_probability is not None:
        chosen = chosen[chosen["purchase_probability"].fillna(0.0) >= min_purchase_probability]
    out = chosen.reset_index().reindex(columns=list(AUDIENCE_COLUMNS))
    return out.sort_values("clv", ascending=False, kind="stable").reset_index(drop=True)


def _mean(values: pd.Series) -> float | None:
    mean = values.mean()
    return None if mean is None or (isinstance(mean, float) and math.isnan(mean)) else float(mean)


class MarketingService(CapabilityService):
    """Profiles, segments and audiences of one store, from its saved customer models.

    Args:
        settings: the one `Settings` (the model store lives under `settings.models_dir`).
        store: the store whose orders, events, products and customers are read.
        services: the container (unused; the shared constructor).
    """

    capability = "marketing"
    train_command = "llm4retail segments train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._models: CustomerModels | None = None
        self._table: pd.DataFrame | None = None

    def _activity(self) -> tuple[ActivityData, pd.DataFrame]:
        orders = self.store.read_frame(Table.ORDERS)
        if orders.empty:
            raise DataValidationError("the store has no orders; import orders to compute customer value")
        data = activity_data(orders, events=self.store.read_frame(Table.EVENTS),
                             products=self.store.read_frame(Table.PRODUCTS))
        return data, self.store.read_frame(Table.CUSTOMERS, columns=["customer_id"])

    def train(self, *, horizon_days: int = PURCHASE_HORIZON_DAYS) -> dict[str, Any]:
        """Fits the customer models on the store as of its latest activity, saves a version, serves it.

        Args:
            horizon_days: N of the purchase probability.

        Returns:
            The report (`CustomerModels.summary()` plus the saved `version`).

        Raises:
            DataValidationError: the store has no kept order.
        """
        data, _ = self._activity()
        models = CustomerModels(horizon_days=horizon_days).fit(data)
        report = models.summary()
        metrics = {"bgnbd_log_likelihood": report["bgnbd_log_likelihood"], "customers": report["customers"]}
        report["version"] = self.models.save(models, report=report, data_hash=data_fingerprint(data.days, data.events),
                                             metrics=metrics)
        with self.lock:
            self._models, self._table = models, None
        logger.info("customer models %s trained on %d customers", report["version"], report["customers"])
        return report

    def evaluate(self, *, calibration_end: pd.Timestamp | None = None, horizon_days: int = PURCHASE_HORIZON_DAYS,
                 dataset: str = "store") -> dict[str, EvalReport]:
        """`llm4retail segments eval-purchase` (and `eval-clv` when `calibration_end` is given) on the store's data; saves nothing."""
        orders = self.store.read_frame(Table.ORDERS)
        events = self.store.read_frame(Table.EVENTS)
        reports = {"purchase": evaluate_purchase(orders, events=None if events.empty else events,
                                                 products=self.store.read_frame(Table.PRODUCTS),
                                                 horizon_days=horizon_days, dataset=dataset)}
        if calibration_end is not None:
            reports["clv"] = evaluate_clv(orders, calibration_end=calibration_end, dataset=dataset)
        return reports

    def warm_up(self) -> None:
        """Loads the customer models and the scored customer table now rather than on the first request (never trains)."""
        self.table()

    def customer_models(self) -> CustomerModels:
        """The served models: the `LATEST` version, loaded once (again after `refresh`).

        Raises:
            NotTrainedError: nothing is trained (run `llm4retail segments train`).
        """
        with self.lock:
            if self._models is None:
                self._models = self.models.load(expected=CustomerModels)
            return self._models

    def table(self) -> pd.DataFrame:
        """The per-customer table (see `CustomerModels.table`), cached until `refresh`.

        Raises:
            NotTrainedError: nothing is trained (run `llm4retail segments train`).
            DataValidationError: the store has no kept order.
        """
        with self.lock:
            if self._table is None:
                models = self.customer_models()
                data, customers = self._activity()
                self._table = models.table(data, customers=None if customers.empty else customers["customer_id"])
            return self._table

    def refresh(self) -> None:
        """Forget the cached table (after new orders or events) and reload `LATEST` on next use."""
        with self.lock:
            self._table = None
            self._models = None

    def profile(self, customer_id: str) -> dict[str, Any]:
        """Segment, RFM, CLV, churn and purchase probability of one customer.

        Raises:
            NotFoundError: the store knows no such customer.
        """
        table = self.table()
        horizon_days = self.customer_models().horizon_days
        if customer_id not in table.index:
            raise NotFoundError(table=Table.CUSTOMERS.value, key=customer_id)
        row = table.loc[customer_id]
        return {
            "customer_id": customer_id,
            "as_of": table.attrs["as_of"],
            "segment": row["segment"],
            "rfm": None if pd.isna(row["rfm"]) else {
                "recency_days": _number(row["recency_days"]), "frequency": _number(row["frequency"]),
                "monetary": _number(row["monetary"]), "r_score": int(row["r_score"]), "f_score": int(row["f_score"]),
                "m_score": int(row["m_score"]), "score": row["rfm"]},
            "clv": _number(row["clv"]),
            "expected_purchases_90d": _number(row["expected_purchases"]),
            "p_alive": _number(row["p_alive"]),
            "churn_probability": _number(row["churn_probability"]),
            "purchase_probability": _number(row["purchase_probability"]),
            "purchase_horizon_days": horizon_days,
        }

    def segments(self) -> list[dict[str, Any]]:
        """Segment sizes and expected values."""
        return segment_summary(self.table())

    def audience(self, segments: list[Segment] | None = None, **thresholds: float | None) -> pd.DataFrame:
        """The customers of a campaign (see `audience`)."""
        return audience(self.table(), segments, **thresholds)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    return float(value)

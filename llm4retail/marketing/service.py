"""Customer value over a store: profiles, segments and campaign audiences from its orders and events.

Everything is computed as of the store's latest activity day and cached until `refresh`.

Example:
    >>> service = MarketingService(store)
    >>> service.profile("c00001")["segment"]
    >>> service.segments()
    >>> service.audience([Segment.AT_RISK]).to_csv("at_risk.csv", index=False)
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError
from llm4retail.marketing.clv import CustomerValueModel
from llm4retail.marketing.purchase import ActivityData, PurchasePredictor, events_with_categories
from llm4retail.marketing.rfm import Segment, rfm_scores
from llm4retail.marketing.transactions import purchase_days

logger = logging.getLogger(__name__)
PURCHASE_HORIZON_DAYS = 30
AUDIENCE_COLUMNS = ("customer_id", "segment", "rfm", "recency_days", "frequency", "monetary", "clv",
                    "expected_purchases", "churn_probability", "purchase_probability")


def customer_table(orders: pd.DataFrame, *, events: pd.DataFrame | None = None, products: pd.DataFrame | None = None,
                   customers: pd.DataFrame | None = None, horizon_days: int = PURCHASE_HORIZON_DAYS) -> pd.DataFrame:
    """One row per customer: RFM scores and segment, CLV, churn and purchase probability.

    Customers listed in `customers` or `events` without a kept order are `prospects`.

    Raises:
        DataValidationError: no kept order.
    """
    days = purchase_days(orders)
    event_frame = None if events is None or events.empty else events_with_categories(events, products)
    data = ActivityData(days, event_frame)
    today = data.last_day()
    value = CustomerValueModel().fit(days, end=today).table()
    table = rfm_scores(value, end=today).join(
        value[["p_alive", "churn_probability", "expected_purchases", "expected_spend", "clv"]])
    try:
        predictor = PurchasePredictor(horizon_days=horizon_days).fit(data, cutoff=today)
        probability = predictor.predict_proba(data, cutoff=today)
    except DataValidationError as error:
        logger.warning("no purchase-probability model: %s", error)
        probability = pd.Series(dtype=float)
    known = set(table.index) | set(probability.index)
    if customers is not None and not customers.empty:
        known |= set(customers["customer_id"].astype(str))
    table = table.reindex(sorted(known))
    table["segment"] = table["segment"].fillna(Segment.PROSPECTS.value)
    table["clv"] = table["clv"].fillna(0.0)
    table["purchase_probability"] = probability.reindex(table.index)
    table.index.name = "customer_id"
    table.attrs["as_of"] = today.date().isoformat()
    return table


def segment_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Size, share and expected value of every segment, largest expected value first."""
    grouped = table.groupby("segment")
    total = max(len(table), 1)
    rows = [
        {
            "segment": str(name),
            "customers": int(len(group)),
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


class MarketingService:
    """Profiles, segments and audiences of one store (computed on first use, cached).

    Args:
        store: the store whose orders, events, products and customers are read.
        horizon_days: N of the purchase probability.
    """

    def __init__(self, store: Store, *, horizon_days: int = PURCHASE_HORIZON_DAYS) -> None:
        self.store = store
        self.horizon_days = horizon_days
        self._table: pd.DataFrame | None = None
        self._lock = threading.Lock()

    def table(self) -> pd.DataFrame:
        """The per-customer table (see `customer_table`).

        Raises:
            DataValidationError: the store has no kept order.
        """
        with self._lock:
            if self._table is None:
                orders = self.store.read_frame(Table.ORDERS)
                if orders.empty:
                    raise DataValidationError("the store has no orders; import orders to compute customer value")
                self._table = customer_table(
                    orders, events=self.store.read_frame(Table.EVENTS), products=self.store.read_frame(Table.PRODUCTS),
                    customers=self.store.read_frame(Table.CUSTOMERS, columns=["customer_id"]),
                    horizon_days=self.horizon_days,
                )
            return self._table

    def refresh(self) -> None:
        """Forget the cached table (after new orders or events)."""
        with self._lock:
            self._table = None

    def profile(self, customer_id: str) -> dict[str, Any]:
        """Segment, RFM, CLV, churn and purchase probability of one customer.

        Raises:
            NotFoundError: the store knows no such customer.
        """
        table = self.table()
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
            "purchase_horizon_days": self.horizon_days,
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

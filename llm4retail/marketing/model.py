"""The customer models that `llm4retail segments train` fits and saves: lifetime value and purchase prediction.

`CustomerModels` bundles the fitted `CustomerValueModel` (BG/NBD + Gamma-Gamma) and the
`PurchasePredictor` (absent when the store's history cannot train one) as parts of one saved
model. `table(data)` applies them to the store's current activity without refitting; the RFM
scores and segments in it are pure computation over the data (quintile ranks, no fitted
parameter) and cheap, so they are computed on each `table` call rather than saved.

Example:
    >>> models = CustomerModels(horizon_days=30).fit(ActivityData(purchase_days(orders), events))
    >>> models.table(ActivityData(purchase_days(orders), events))[["segment", "clv", "purchase_probability"]]
"""

from __future__ import annotations

import logging
from typing import Any, Self

import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.marketing.base import MarketingArtifact
from llm4retail.marketing.clv import CustomerValueModel
from llm4retail.marketing.purchase import ActivityData, PurchasePredictor
from llm4retail.marketing.rfm import Segment, rfm_scores

logger = logging.getLogger(__name__)
PURCHASE_HORIZON_DAYS = 30
VALUE_COLUMNS = ["p_alive", "churn_probability", "expected_purchases", "expected_spend", "clv"]


@register_model("model")
class CustomerModels(MarketingArtifact):
    """Lifetime value and purchase prediction of one store, fitted as of its latest activity day.

    Args:
        horizon_days: N of the purchase probability (a purchase in the next N days).
    """

    def __init__(self, *, horizon_days: int = PURCHASE_HORIZON_DAYS) -> None:
        if horizon_days < 1:
            raise DataValidationError(f"horizon_days must be at least 1, got {horizon_days}")
        self.horizon_days = horizon_days

    def fit(self, data: ActivityData) -> Self:
        """Fits both models as of `data.last_day()`; without enough history for purchase prediction, only CLV.

        Raises:
            DataValidationError: no purchase to fit the lifetime-value model on.
        """
        self.as_of_ = data.last_day()
        self.value_ = CustomerValueModel().fit(data.days, end=self.as_of_)
        try:
            self.purchase_: PurchasePredictor | None = PurchasePredictor(horizon_days=self.horizon_days).fit(
                data, cutoff=self.as_of_)
        except DataValidationError as error:
            logger.warning("no purchase-probability model: %s", error)
            self.purchase_ = None
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "value_"):
            raise NotFittedError("CustomerModels is not fitted; call fit() or load() first")

    def table(self, data: ActivityData, *, customers: pd.Series | None = None) -> pd.DataFrame:
        """One row per customer as of `data.last_day()`: RFM scores and segment, CLV, churn and purchase probability.

        Args:
            data: the store's purchase days and events (the fitted parameters are applied, not refitted).
            customers: ids of every known customer; those without a kept order are `prospects`.
        """
        self._check_fitted()
        today = data.last_day()
        value = self.value_.table_at(data.days, end=today)
        table = rfm_scores(value, end=today).join(value[VALUE_COLUMNS])
        if self.purchase_ is not None:
            probability = self.purchase_.predict_proba(data, cutoff=today)
        else:
            probability = pd.Series(dtype=float)
        known = set(table.index) | set(probability.index)
        if customers is not None:
            known |= set(customers.astype(str))
        table = table.reindex(sorted(known))
        table["segment"] = table["segment"].fillna(Segment.PROSPECTS.value)
        table["clv"] = table["clv"].fillna(0.0)
        table["purchase_probability"] = probability.reindex(table.index)
        table.index.name = "customer_id"
        table.attrs["as_of"] = today.date().isoformat()
        return table

    def summary(self) -> dict[str, Any]:
        """What `llm4retail segments train` reports: the fitted parameters and the training window."""
        self._check_fitted()
        spend = self.value_.spend_
        purchase = self.purchase_
        return {
            "as_of": self.as_of_.date().isoformat(),
            "customers": len(self.value_.summary_),
            "bgnbd": dict(self.value_.purchases_.params_),
            "bgnbd_log_likelihood": self.value_.purchases_.log_likelihood_,
            "gamma_gamma": None if spend is None else dict(spend.params_),
            "purchase": None if purchase is None else {"horizon_days": purchase.horizon_days,
                                                       "trees": purchase.rounds_, "features": purchase.columns_},
        }

    def get_params(self) -> dict[str, Any]:
        return {"horizon_days": self.horizon_days}

    def _state(self) -> ModelState:
        self._check_fitted()
        parts: dict[str, Any] = {"clv": self.value_}
        if self.purchase_ is not None:
            parts["purchase"] = self.purchase_
        return ModelState(parts=parts, facts={"as_of": self.as_of_.isoformat()})

    def _restore(self, state: ModelState) -> None:
        self.as_of_ = pd.Timestamp(state.facts["as_of"])
        self.value_ = state.parts["clv"]  # type: ignore[assignment]
        self.purchase_ = state.parts.get("purchase")  # type: ignore[assignment]

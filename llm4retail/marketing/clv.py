"""Customer lifetime value: BG/NBD for how many purchases, Gamma-Gamma for how much each, discounted.

Example:
    >>> value = CustomerValueModel().fit(purchase_days(orders), end=pd.Timestamp("1997-09-30"))
    >>> value.table()[["p_alive", "expected_purchases", "expected_spend", "clv"]]
    >>> value.table_at(purchase_days(newer_orders), end=today)   # the fitted parameters on later data
    >>> report = evaluate_clv(orders, calibration_end=pd.Timestamp("1997-09-30"), dataset="cdnow")
"""

from __future__ import annotations

import logging
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import EvalReport, Timer
from llm4retail.marketing.base import MarketingArtifact
from llm4retail.marketing.bgnbd import BetaGeometricNBD, count_errors
from llm4retail.marketing.gamma_gamma import GammaGamma
from llm4retail.marketing.transactions import (
    DAYS_PER_WEEK,
    customer_summary,
    holdout_counts,
    purchase_days,
)

logger = logging.getLogger(__name__)
DAYS_PER_MONTH = 30.0
NUMERIC_SUMMARY = ("frequency", "recency", "T", "monetary_value", "n_purchases", "total_value", "mean_value")
DATE_SUMMARY = ("first_purchase", "last_purchase")


@register_model("clv")
class CustomerValueModel(MarketingArtifact):
    """Per-customer purchase forecast, churn propensity and lifetime value.

    Saved with both sub-models as parts and the calibration summary (one row per customer)
    as arrays, so that `table()` of a loaded model is the fitted one.

    Args:
        unit_days: days per model time unit (7: weeks).
        horizon_months: months of future value counted in `clv`.
        monthly_discount_rate: discount rate per month (0.01 = 1%).
        margin: share of revenue that is profit (1.0: revenue CLV).
    """

    def __init__(self, *, unit_days: float = DAYS_PER_WEEK, horizon_months: int = 12,
                 monthly_discount_rate: float = 0.01, margin: float = 1.0) -> None:
        if unit_days <= 0 or horizon_months < 1 or monthly_discount_rate < 0 or not 0 < margin <= 1:
            raise DataValidationError(
                "unit_days > 0, horizon_months >= 1, monthly_discount_rate >= 0 and margin in (0, 1] are required, "
                f"got {unit_days}, {horizon_months}, {monthly_discount_rate}, {margin}")
        self.unit_days = unit_days
        self.horizon_months = horizon_months
        self.monthly_discount_rate = monthly_discount_rate
        self.margin = margin

    def fit(self, days: pd.DataFrame, *, end: pd.Timestamp) -> Self:
        """Fits both models on the purchase days up to `end`.

        Args:
            days: `transactions.purchase_days` output.
            end: the last day of the observation period ("today").
        """
        self.end_ = pd.Timestamp(end).normalize()
        self.summary_ = customer_summary(days, end=self.end_, unit_days=self.unit_days)
        summary = self.summary_
        self.purchases_ = BetaGeometricNBD().fit(summary["frequency"], summary["recency"], summary["T"])
        try:
            self.spend_: GammaGamma | None = GammaGamma().fit(summary["frequency"], summary["monetary_value"])
        except DataValidationError as error:
            logger.warning("no spend model (%s); CLV uses each customer's mean order value", error)
            self.spend_ = None
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "summary_"):
            raise NotFittedError("CustomerValueModel is not fitted; call fit() or load() first")

    def get_params(self) -> dict[str, Any]:
        return {"unit_days": self.unit_days, "horizon_months": self.horizon_months,
                "monthly_discount_rate": self.monthly_discount_rate, "margin": self.margin}

    def expected_spend(self, summary: pd.DataFrame | None = None) -> np.ndarray:
        """Expected value of each customer's next purchase (default: the calibration customers)."""
        summary = self.summary_ if summary is None else summary
        if self.spend_ is not None:
            return self.spend_.expected_spend(summary["frequency"], summary["monetary_value"])
        return summary["mean_value"].fillna(0.0).to_numpy(dtype=float)

    def clv(self, summary: pd.DataFrame | None = None) -> np.ndarray:
        """Discounted expected value over `horizon_months`, month by month (default: the calibration customers)."""
        summary = self.summary_ if summary is None else summary
        arguments = (summary["frequency"], summary["recency"], summary["T"])
        month = DAYS_PER_MONTH / self.unit_days
        spend = self.expected_spend(summary)
        total = np.zeros(len(summary))
        previous = np.zeros(len(summary))
        for index in range(1, self.horizon_months + 1):
            cumulative = self.purchases_.expected_purchases(index * month, *arguments)
            total += (cumulative - previous) * spend / (1.0 + self.monthly_discount_rate) ** index
            previous = cumulative
        return self.margin * total

    def table(self, *, horizon_days: float = 90.0, summary: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per customer: RFM summary, `p_alive`, `churn_probability`, `expected_purchases`
        (in the next `horizon_days`), `expected_spend` and `clv`.

        Args:
            horizon_days: the window of `expected_purchases`.
            summary: a `customer_summary` to score (default: the calibration one of `fit`).
        """
        self._check_fitted()
        summary = self.summary_ if summary is None else summary
        arguments = (summary["frequency"], summary["recency"], summary["T"])
        out = summary.copy()
        out["p_alive"] = self.purchases_.probability_alive(*arguments)
        out["churn_probability"] = 1.0 - out["p_alive"]
        out["expected_purchases"] = self.purchases_.expected_purchases(horizon_days / self.unit_days, *arguments)
        out["expected_spend"] = self.expected_spend(summary)
        out["clv"] = self.clv(summary)
        return out

    def table_at(self, days: pd.DataFrame, *, end: pd.Timestamp, horizon_days: float = 90.0) -> pd.DataFrame:
        """`table` of the customers of `days` as of `end`, with the fitted parameters (nothing is refitted)."""
        self._check_fitted()
        summary = customer_summary(days, end=pd.Timestamp(end).normalize(), unit_days=self.unit_days)
        return self.table(horizon_days=horizon_days, summary=summary)

    def _state(self) -> ModelState:
        """Both sub-models as parts; the calibration summary as arrays (dates as day numbers)."""
        self._check_fitted()
        summary = self.summary_
        arrays = {"customer_id": summary.index.to_numpy(dtype=str),
                  **{name: summary[name].to_numpy(dtype=float) for name in NUMERIC_SUMMARY},
                  **{name: summary[name].to_numpy(dtype="datetime64[D]").astype(np.int64) for name in DATE_SUMMARY}}
        parts: dict[str, Any] = {"bgnbd": self.purchases_}
        if self.spend_ is not None:
            parts["gamma_gamma"] = self.spend_
        return ModelState(arrays=arrays, facts={"end": self.end_.isoformat()}, parts=parts)

    def _restore(self, state: ModelState) -> None:
        self.end_ = pd.Timestamp(state.facts["end"])
        self.purchases_ = state.parts["bgnbd"]  # type: ignore[assignment]
        self.spend_ = state.parts.get("gamma_gamma")  # type: ignore[assignment]
        arrays = state.arrays
        columns: dict[str, Any] = {name: arrays[name] for name in NUMERIC_SUMMARY}
        columns.update({name: pd.to_datetime(arrays[name].astype("datetime64[D]")) for name in DATE_SUMMARY})
        self.summary_ = pd.DataFrame(columns, index=pd.Index(arrays["customer_id"].astype(object), name="customer_id"))
        self.summary_["n_purchases"] = self.summary_["n_purchases"].astype(int)


def params_dict(model: CustomerValueModel) -> dict[str, float]:
    """BG/NBD parameters under their usual names (r, alpha, a, b)."""
    return dict(model.purchases_.params_)


def evaluate_clv(orders: pd.DataFrame, *, calibration_end: pd.Timestamp, dataset: str) -> EvalReport:
    """Calibration/holdout test of the purchase forecast, against a naive rate extrapolation.

    Fits on purchases up to `calibration_end` and predicts each calibration customer's number
    of purchase days in the holdout (the day after `calibration_end` to the last order date).
    The naive baseline extrapolates each customer's calibration repeat rate x / T over the
    holdout length.

    Raises:
        DataValidationError: no holdout period or no customer before it.
    """
    end = pd.Timestamp(calibration_end).normalize()
    with Timer() as timer:
        days = purchase_days(orders)
        last = days["date"].max()
        if last <= end:
            raise DataValidationError(f"no orders after the calibration end {end.date()} (last order {last.date()})")
        model = CustomerValueModel().fit(days, end=end)
        summary = model.summary_
        horizon = (last - end).days / model.unit_days
        actual = holdout_counts(days, start=end, end=last).reindex(summary.index).fillna(0.0).to_numpy()
        predicted = model.purchases_.expected_purchases(horizon, summary["frequency"], summary["recency"], summary["T"])
        ages = summary["T"].to_numpy()
        naive = np.where(ages > 0, summary["frequency"].to_numpy() / np.where(ages > 0, ages, 1.0), 0.0) * horizon
        model_errors = count_errors(predicted, actual)
        naive_errors = count_errors(naive, actual)
    spend = None if model.spend_ is None else {**model.spend_.params_,
                                               "frequency_spend_corr": model.spend_.frequency_spend_correlation_}
    return EvalReport(
        capability="clv", dataset=dataset, n=len(summary), seconds=timer.seconds,
        metrics={"holdout_units": horizon, "mean_actual": model_errors["mean_actual"]},
        models={"bgnbd": {key: model_errors[key] for key in ("mae", "rmse", "corr", "mean_predicted")},
                "naive": {key: naive_errors[key] for key in ("mae", "rmse", "corr", "mean_predicted")}},
        extra={
            "model": {"params": params_dict(model), "log_likelihood": model.purchases_.log_likelihood_,
                      "mae": model_errors["mae"], "rmse": model_errors["rmse"], "corr": model_errors["corr"],
                      "mean_predicted": model_errors["mean_predicted"]},
            "naive": {"mae": naive_errors["mae"], "rmse": naive_errors["rmse"], "corr": naive_errors["corr"],
                      "mean_predicted": naive_errors["mean_predicted"]},
            "gamma_gamma": spend,
            "calibration_end": end.date().isoformat(),
            "holdout_end": last.date().isoformat(),
            "time_unit_days": model.unit_days,
        },
    )

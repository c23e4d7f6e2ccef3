"""Customer lifetime value: BG/NBD for how many purchases, Gamma-Gamma for how much each, discounted.

Example:
    >>> value = CustomerValueModel().fit(purchase_days(orders), end=pd.Timestamp("1997-09-30"))
    >>> value.table()[["p_alive", "expected_purchases", "expected_spend", "clv"]]
    >>> report = evaluate_clv(orders, calibration_end=pd.Timestamp("1997-09-30"), dataset="cdnow")
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from llm4retail import __version__
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import EvalReport, Timer
from llm4retail.marketing.bgnbd import BetaGeometricNBD, count_errors
from llm4retail.marketing.gamma_gamma import GammaGamma
from llm4retail.marketing.transactions import DAYS_PER_WEEK, customer_summary, holdout_counts, purchase_days

logger = logging.getLogger(__name__)
META_FILE = "meta.json"
SUMMARY_FILE = "summary.npz"
DAYS_PER_MONTH = 30.0
NUMERIC_SUMMARY = ("frequency", "recency", "T", "monetary_value", "n_purchases", "total_value", "mean_value")
DATE_SUMMARY = ("first_purchase", "last_purchase")


class CustomerValueModel:
    """Per-customer purchase forecast, churn propensity and lifetime value.

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

    def expected_spend(self) -> np.ndarray:
        """Expected value of each customer's next purchase."""
        summary = self.summary_
        if self.spend_ is not None:
            return self.spend_.expected_spend(summary["frequency"], summary["monetary_value"])
        return summary["mean_value"].fillna(0.0).to_numpy(dtype=float)

    def clv(self) -> np.ndarray:
        """Discounted expected value over `horizon_months`, month by month."""
        summary = self.summary_
        arguments = (summary["frequency"], summary["recency"], summary["T"])
        month = DAYS_PER_MONTH / self.unit_days
        spend = self.expected_spend()
        total = np.zeros(len(summary))
        previous = np.zeros(len(summary))
        for index in range(1, self.horizon_months + 1):
            cumulative = self.purchases_.expected_purchases(index * month, *arguments)
            total += (cumulative - previous) * spend / (1.0 + self.monthly_discount_rate) ** index
            previous = cumulative
        return self.margin * total

    def table(self, *, horizon_days: float = 90.0) -> pd.DataFrame:
        """Per customer: RFM summary, `p_alive`, `churn_probability`, `expected_purchases`
        (in the next `horizon_days`), `expected_spend` and `clv`."""
        self._check_fitted()
        summary = self.summary_
        arguments = (summary["frequency"], summary["recency"], summary["T"])
        out = summary.copy()
        out["p_alive"] = self.purchases_.probability_alive(*arguments)
        out["churn_probability"] = 1.0 - out["p_alive"]
        out["expected_purchases"] = self.purchases_.expected_purchases(horizon_days / self.unit_days, *arguments)
        out["expected_spend"] = self.expected_spend()
        out["clv"] = self.clv()
        return out

    def save(self, directory: Path) -> None:
        """Writes both models' parameters and the settings (`meta.json`)."""
        self._check_fitted()
        directory.mkdir(parents=True, exist_ok=True)
        self.purchases_.save(directory / "bgnbd")
        if self.spend_ is not None:
            self.spend_.save(directory / "gamma_gamma")
        meta = {"version": __version__, "end": self.end_.isoformat(), "unit_days": self.unit_days,
                "horizon_months": self.horizon_months, "monthly_discount_rate": self.monthly_discount_rate,
                "margin": self.margin, "n_customers": len(self.summary_)}
        (directory / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        summary = self.summary_
        np.savez(
            directory / SUMMARY_FILE,
            customer_id=summary.index.to_numpy(dtype=str),
            **{name: summary[name].to_numpy(dtype=float) for name in NUMERIC_SUMMARY},
            **{name: summary[name].to_numpy(dtype="datetime64[D]").astype(np.int64) for name in DATE_SUMMARY},
        )

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads a model written by `save`.

        Raises:
            DataValidationError: nothing saved in `directory`.
        """
        path = directory / META_FILE
        if not path.is_file():
            raise DataValidationError(f"no saved customer-value model in {directory}")
        meta = json.loads(path.read_text(encoding="utf-8"))
        model = cls(unit_days=meta["unit_days"], horizon_months=meta["horizon_months"],
                    monthly_discount_rate=meta["monthly_discount_rate"], margin=meta["margin"])
        model.end_ = pd.Timestamp(meta["end"])
        model.purchases_ = BetaGeometricNBD.load(directory / "bgnbd")
        model.spend_ = GammaGamma.load(directory / "gamma_gamma") if (directory / "gamma_gamma").is_dir() else None
        with np.load(directory / SUMMARY_FILE, allow_pickle=False) as data:
            columns = {name: data[name] for name in NUMERIC_SUMMARY}
            columns.update({name: pd.to_datetime(data[name].astype("datetime64[D]")) for name in DATE_SUMMARY})
            model.summary_ = pd.DataFrame(columns, index=pd.Index(data["customer_id"].astype(object), name="customer_id"))
        model.summary_["n_purchases"] = model.summary_["n_purchases"].astype(int)
        return model


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

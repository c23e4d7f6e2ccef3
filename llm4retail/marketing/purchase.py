"""Purchase prediction: the probability that a customer buys in the next N days.

Features at a cut-off day come only from data on or before it: RFM (recency, frequency,
monetary, tenure, recent purchase counts), recency of views and carts from the events,
and the customer's share of activity in each of the main categories. A LightGBM model
learns from the window that ends at the cut-off (features at cut-off − N, label = a
purchase in the N days up to the cut-off) and is compared with an RFM-only logistic
regression, the classic baseline.

Example:
    >>> predictor = PurchasePredictor(horizon_days=30).fit(data, cutoff=today)
    >>> predictor.predict_proba(data, cutoff=today)         # P(buy in the next 30 days)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.marketing.base import MarketingArtifact

RFM_FEATURES = ("recency_days", "frequency", "monetary", "tenure_days")
TOP_CATEGORIES = 8
VALIDATION_SHARE = 0.2
LGBM_PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_child_samples": 20,
               "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
               "verbose": -1, "deterministic": True, "force_col_wise": True, "num_threads": 1}


@dataclass
class ActivityData:
    """What purchase prediction reads: purchase days, and optionally events with their categories.

    Attributes:
        days: `transactions.purchase_days` output.
        events: `customer_id`, `timestamp`, `event_type` and optionally `category` (top level), or None.
    """

    days: pd.DataFrame
    events: pd.DataFrame | None = None

    def last_day(self) -> pd.Timestamp:
        """The latest day with any activity."""
        last = self.days["date"].max()
        if self.events is not None and not self.events.empty:
            last = max(last, pd.Timestamp(self.events["timestamp"].max()).normalize())
        return pd.Timestamp(last)


def events_with_categories(events: pd.DataFrame, products: pd.DataFrame | None) -> pd.DataFrame:
    """Events reduced to the columns purchase prediction uses, with each product's top-level category."""
    if events.empty:
        return pd.DataFrame(columns=["customer_id", "timestamp", "event_type", "category"])
    if "timestamp" not in events.columns or events["timestamp"].isna().all():
        raise DataValidationError("purchase prediction needs event timestamps (seq-only events have no dates)")
    out = events[["customer_id", "product_id", "timestamp"]].copy()
    out["event_type"] = events["event_type"].fillna("purchase") if "event_type" in events.columns else "purchase"
    out = out[out["timestamp"].notna()]
    out["timestamp"] = pd.to_datetime(out["timestamp"])
    out["customer_id"] = out["customer_id"].astype(str)
    if products is not None and "category" in products.columns:
        top = products.set_index(products["product_id"].astype(str))["category"].astype("string").str.split(">").str[0]
        out["category"] = out["product_id"].astype(str).map(top.str.strip())
    else:
        out["category"] = None
    return out.drop(columns=["product_id"])


def purchase_features(data: ActivityData, *, cutoff: pd.Timestamp, categories: list[str] | None = None) -> pd.DataFrame:
    """Features of every customer active on or before `cutoff` (inclusive), indexed by customer_id."""
    cutoff = pd.Timestamp(cutoff).normalize()
    days = data.days[data.days["date"] <= cutoff]
    grouped = days.groupby("customer_id")
    out = pd.DataFrame({
        "recency_days": (cutoff - grouped["date"].max()).dt.days.astype(float),
        "frequency": grouped.size().astype(float),
        "monetary": grouped["value"].mean(),
        "first_purchase_days": (cutoff - grouped["date"].min()).dt.days.astype(float),
        "purchases_30d": days[days["date"] > cutoff - pd.Timedelta(days=30)].groupby("customer_id").size(),
        "purchases_90d": days[days["date"] > cutoff - pd.Timedelta(days=90)].groupby("customer_id").size(),
    })
    events = data.events
    if events is not None and not events.empty:
        out = out.join(_event_features(events, cutoff=cutoff, categories=categories or []), how="outer")
    out[["purchases_30d", "purchases_90d"]] = out[["purchases_30d", "purchases_90d"]].fillna(0.0)
    first_activity = out[[name for name in ("first_purchase_days", "first_event_days") if name in out.columns]].max(axis=1)
    out["tenure_days"] = first_activity
    out["frequency"] = out["frequency"].fillna(0.0)
    out.index.name = "customer_id"
    return out.astype(float)


def _event_features(events: pd.DataFrame, *, cutoff: pd.Timestamp, categories: list[str]) -> pd.DataFrame:
    before = events[events["timestamp"] < cutoff + pd.Timedelta(days=1)]
    day = before["timestamp"].dt.normalize()
    age = (cutoff - day).dt.days
    kind = before["event_type"].astype(str)
    by_customer = before.groupby("customer_id")
    out = pd.DataFrame({
        "first_event_days": age.groupby(before["customer_id"]).max().astype(float),
        "days_since_event": age.groupby(before["customer_id"]).min().astype(float),
        "days_since_view": age[kind.eq("view")].groupby(before["customer_id"][kind.eq("view")]).min(),
        "days_since_cart": age[kind.eq("add_to_cart")].groupby(before["customer_id"][kind.eq("add_to_cart")]).min(),
        "views_7d": (kind.eq("view") & (age < 7)).groupby(before["customer_id"]).sum().astype(float),
        "views_30d": (kind.eq("view") & (age < 30)).groupby(before["customer_id"]).sum().astype(float),
        "carts_30d": (kind.eq("add_to_cart") & (age < 30)).groupby(before["customer_id"]).sum().astype(float),
        "active_days_30d": day[age < 30].groupby(before["customer_id"][age < 30]).nunique().astype(float),
        "events": by_customer.size().astype(float),
    })
    for category in categories:
        share = before["category"].eq(category).groupby(before["customer_id"]).mean()
        out[f"category_share:{category}"] = share.astype(float)
    return out


def purchase_labels(days: pd.DataFrame, *, cutoff: pd.Timestamp, horizon_days: int) -> pd.Series:
    """1 for customers with a purchase in (cutoff, cutoff + horizon_days], by customer_id."""
    cutoff = pd.Timestamp(cutoff).normalize()
    window = days[(days["date"] > cutoff) & (days["date"] <= cutoff + pd.Timedelta(days=horizon_days))]
    return pd.Series(1.0, index=pd.Index(window["customer_id"].unique(), name="customer_id"))


def baseline_matrix(features: pd.DataFrame) -> np.ndarray:
    """The RFM-only inputs (log scale; no purchase yet = recency equal to tenure, spend 0)."""
    recency = features["recency_days"].fillna(features["tenure_days"].fillna(0.0) + 1.0)
    columns = [recency, features["frequency"], features["monetary"].fillna(0.0), features["tenure_days"].fillna(0.0)]
    return np.log1p(np.column_stack([np.clip(column.to_numpy(dtype=float), 0, None) for column in columns]))


@register_model("purchase")
class PurchasePredictor(MarketingArtifact):
    """LightGBM purchase-in-the-next-N-days model, with its RFM-only baseline.

    Saved as the LightGBM text dump plus the baseline's scaler and logistic-regression
    coefficients as arrays (rebuilt into the same scikit-learn objects on load).

    Args:
        horizon_days: N.
        seed: random seed.
    """

    def __init__(self, *, horizon_days: int = 30, seed: int = 0) -> None:
        if horizon_days < 1:
            raise DataValidationError(f"horizon_days must be at least 1, got {horizon_days}")
        self.horizon_days = horizon_days
        self.seed = seed

    def fit(self, data: ActivityData, *, cutoff: pd.Timestamp) -> Self:
        """Learns from features at `cutoff` − N and purchases in the N days up to `cutoff`.

        Raises:
            DataValidationError: the training window has only buyers or only non-buyers.
        """
        start = pd.Timestamp(cutoff).normalize() - pd.Timedelta(days=self.horizon_days)
        self.categories_ = _top_categories(data, cutoff=start)
        features = purchase_features(data, cutoff=start, categories=self.categories_)
        labels = purchase_labels(data.days, cutoff=start, horizon_days=self.horizon_days).reindex(features.index)
        target = labels.fillna(0.0).to_numpy(dtype=int)
        if len(features) < 20 or target.min() == target.max():
            raise DataValidationError("purchase prediction needs at least 20 customers with buyers and non-buyers "
                                      f"in the {self.horizon_days} days before the cut-off")
        self.columns_ = list(features.columns)
        matrix = features.to_numpy(dtype=float)
        self.rounds_ = self._rounds(matrix, target)
        self.booster_ = lgb.train({**LGBM_PARAMS, "seed": self.seed}, lgb.Dataset(matrix, target),
                                  num_boost_round=self.rounds_)
        self.scaler_ = StandardScaler().fit(baseline_matrix(features))
        self.baseline_ = LogisticRegression(max_iter=1000).fit(self.scaler_.transform(baseline_matrix(features)), target)
        self.base_rate_ = float(target.mean())
        return self

    def _rounds(self, matrix: np.ndarray, target: np.ndarray) -> int:
        """Trees chosen by early stopping on a random 20% of the training customers."""
        order = np.random.default_rng(self.seed).permutation(len(target))
        cut = int(len(order) * (1 - VALIDATION_SHARE))
        train, valid = order[:cut], order[cut:]
        if target[valid].min() == target[valid].max():
            return 200
        booster = lgb.train(
            {**LGBM_PARAMS, "seed": self.seed, "metric": "binary_logloss"},
            lgb.Dataset(matrix[train], target[train]), num_boost_round=1000,
            valid_sets=[lgb.Dataset(matrix[valid], target[valid])],
            callbacks=[lgb.early_stopping(50, verbose=False)],
        )
        return max(int(np.ceil(booster.best_iteration / (1 - VALIDATION_SHARE))), 1)

    def _check_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFittedError("PurchasePredictor is not fitted; call fit() first")

    def get_params(self) -> dict[str, Any]:
        return {"horizon_days": self.horizon_days, "seed": self.seed}

    def _state(self) -> ModelState:
        self._check_fitted()
        scaler, baseline = self.scaler_, self.baseline_
        return ModelState(
            texts={"lightgbm": self.booster_.model_to_string()},
            arrays={"scaler_mean": scaler.mean_, "scaler_var": scaler.var_, "scaler_scale": scaler.scale_,
                    "baseline_coef": baseline.coef_, "baseline_intercept": baseline.intercept_,
                    "baseline_classes": baseline.classes_, "scaler_samples": np.asarray(scaler.n_samples_seen_)},
            facts={"categories": self.categories_, "columns": self.columns_, "rounds": self.rounds_,
                   "base_rate": self.base_rate_},
        )

    def _restore(self, state: ModelState) -> None:
        facts, arrays = state.facts, state.arrays
        self.categories_ = list(facts["categories"])
        self.columns_ = list(facts["columns"])
        self.rounds_ = int(facts["rounds"])
        self.base_rate_ = float(facts["base_rate"])
        self.booster_ = lgb.Booster(model_str=state.texts["lightgbm"])
        self.scaler_ = StandardScaler()
        self.scaler_.mean_, self.scaler_.var_, self.scaler_.scale_ = (
            arrays["scaler_mean"], arrays["scaler_var"], arrays["scaler_scale"])
        samples = arrays["scaler_samples"]
        self.scaler_.n_samples_seen_ = int(samples) if samples.ndim == 0 else samples
        self.scaler_.n_features_in_ = arrays["scaler_mean"].size
        self.baseline_ = LogisticRegression(max_iter=1000)
        self.baseline_.coef_, self.baseline_.intercept_ = arrays["baseline_coef"], arrays["baseline_intercept"]
        self.baseline_.classes_ = arrays["baseline_classes"]
        self.baseline_.n_features_in_ = arrays["baseline_coef"].shape[1]

    def predict_proba(self, data: ActivityData, *, cutoff: pd.Timestamp) -> pd.Series:
        """P(purchase in the N days after `cutoff`) of every customer active by then."""
        self._check_fitted()
        features = purchase_features(data, cutoff=cutoff, categories=self.categories_).reindex(columns=self.columns_)
        return pd.Series(self.booster_.predict(features.to_numpy(dtype=float)), index=features.index)

    def baseline_proba(self, data: ActivityData, *, cutoff: pd.Timestamp) -> pd.Series:
        """The RFM-only baseline's probabilities."""
        self._check_fitted()
        features = purchase_features(data, cutoff=cutoff, categories=self.categories_)
        scores = self.baseline_.predict_proba(self.scaler_.transform(baseline_matrix(features)))[:, 1]
        return pd.Series(scores, index=features.index)


def _top_categories(data: ActivityData, *, cutoff: pd.Timestamp) -> list[str]:
    events = data.events
    if events is None or events.empty or events["category"].isna().all():
        return []
    before = events[events["timestamp"] < cutoff + pd.Timedelta(days=1)]
    return [str(name) for name in before["category"].dropna().value_counts().index[:TOP_CATEGORIES]]

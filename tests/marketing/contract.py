"""Model-contract cases of the marketing models: fitted on a few hundred synthetic customers' orders."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from llm4retail.marketing.bgnbd import BetaGeometricNBD
from llm4retail.marketing.clv import CustomerValueModel
from llm4retail.marketing.gamma_gamma import GammaGamma
from llm4retail.marketing.model import CustomerModels
from llm4retail.marketing.purchase import ActivityData, PurchasePredictor
from llm4retail.marketing.transactions import customer_summary, purchase_days
from tests.contract import ContractCase


@cache
def _data() -> ActivityData:
    """300 customers buying at Poisson rates over a year, some of them stopping early (known answer: not needed)."""
    rng = np.random.default_rng(7)
    rows = []
    for customer in range(300):
        rate, stop = rng.gamma(1.0, 0.03), rng.uniform(60, 420)
        start = rng.uniform(0, 200)
        day = start
        while day < min(stop + start, 365):
            rows.append({"customer_id": f"c{customer:03d}", "created_at": pd.Timestamp("2024-01-01") + pd.Timedelta(days=day),
                         "total": float(np.round(rng.gamma(2.0, 20.0), 2)), "status": "paid"})
            day += rng.exponential(1.0 / max(rate, 1e-3))
    return ActivityData(purchase_days(pd.DataFrame(rows)))


def _end() -> pd.Timestamp:
    return _data().last_day()


def _summary() -> pd.DataFrame:
    return customer_summary(_data().days, end=_end())


def _fit_bgnbd() -> BetaGeometricNBD:
    summary = _summary()
    return BetaGeometricNBD().fit(summary["frequency"], summary["recency"], summary["T"])


def _predict_bgnbd(model: BetaGeometricNBD) -> dict[str, object]:
    summary = _summary()
    arguments = (summary["frequency"], summary["recency"], summary["T"])
    return {"alive": model.probability_alive(*arguments), "purchases": model.expected_purchases(8.0, *arguments)}


def _fit_gamma_gamma() -> GammaGamma:
    summary = _summary()
    return GammaGamma().fit(summary["frequency"], summary["monetary_value"])


def _predict_gamma_gamma(model: GammaGamma) -> dict[str, object]:
    summary = _summary()
    return {"spend": model.expected_spend(summary["frequency"], summary["monetary_value"]),
            "correlation": model.frequency_spend_correlation_}


def _fit_clv() -> CustomerValueModel:
    return CustomerValueModel().fit(_data().days, end=_end())


def _predict_clv(model: CustomerValueModel) -> dict[str, object]:
    table = model.table()
    return {"index": list(table.index), **{name: table[name].to_numpy() for name in ("clv", "p_alive", "T")},
            "last": table["last_purchase"].to_numpy(dtype="datetime64[D]").astype(np.int64)}


def _fit_purchase() -> PurchasePredictor:
    return PurchasePredictor(horizon_days=30).fit(_data(), cutoff=_end())


def _predict_purchase(model: PurchasePredictor) -> dict[str, object]:
    return {"model": model.predict_proba(_data(), cutoff=_end()).to_numpy(),
            "baseline": model.baseline_proba(_data(), cutoff=_end()).to_numpy()}


def _fit_models() -> CustomerModels:
    return CustomerModels(horizon_days=30).fit(_data())


def _predict_models(model: CustomerModels) -> dict[str, object]:
    table = model.table(_data())
    return {"segment": list(table["segment"]), "clv": table["clv"].to_numpy(),
            "purchase": table["purchase_probability"].to_numpy(), "summary": str(model.summary())}


CASES = [
    ContractCase("marketing.bgnbd", _fit_bgnbd, _predict_bgnbd),  # type: ignore[arg-type]
    ContractCase("marketing.gamma_gamma", _fit_gamma_gamma, _predict_gamma_gamma),  # type: ignore[arg-type]
    ContractCase("marketing.clv", _fit_clv, _predict_clv),  # type: ignore[arg-type]
    ContractCase("marketing.purchase", _fit_purchase, _predict_purchase),  # type: ignore[arg-type]
    ContractCase("marketing.model", _fit_models, _predict_models),  # type: ignore[arg-type]
]

"""RFM scores (1–5 quintiles of recency, frequency and monetary value) and named segments.

Segments follow the widely used recency × frequency grid (champions, loyal customers,
potential loyalists, new customers, promising, need attention, about to sleep, at risk,
can't lose them, hibernating); customers known to the store without a kept purchase
are `prospects`.

Example:
    >>> scores = rfm_scores(customer_summary(days, end=today), end=today)
    >>> scores["segment"].value_counts()
"""

from __future__ import annotations

from enum import Enum

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError

N_SCORES = 5


class Segment(str, Enum):
    """Named RFM segments."""

    CHAMPIONS = "champions"
    LOYAL = "loyal_customers"
    POTENTIAL_LOYALISTS = "potential_loyalists"
    NEW_CUSTOMERS = "new_customers"
    PROMISING = "promising"
    NEED_ATTENTION = "need_attention"
    ABOUT_TO_SLEEP = "about_to_sleep"
    AT_RISK = "at_risk"
    CANNOT_LOSE = "cannot_lose_them"
    HIBERNATING = "hibernating"
    PROSPECTS = "prospects"


def segment_of(recency_score: int, frequency_score: int) -> Segment:
    """The segment of one (R, F) score pair."""
    r, f = recency_score, frequency_score
    if r == 5 and f >= 4:
        return Segment.CHAMPIONS
    if r >= 3 and f >= 4:
        return Segment.LOYAL
    if r >= 4 and f >= 2:
        return Segment.POTENTIAL_LOYALISTS
    if r == 5:
        return Segment.NEW_CUSTOMERS
    if r == 4:
        return Segment.PROMISING
    if r == 3:
        return Segment.NEED_ATTENTION if f == 3 else Segment.ABOUT_TO_SLEEP
    if f == 5:
        return Segment.CANNOT_LOSE
    if f >= 3:
        return Segment.AT_RISK
    return Segment.HIBERNATING


def quantile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1–5 scores by rank; tied values share the score of the lowest rank among them."""
    ranked = values.rank(method="min", ascending=higher_is_better)
    scores = 1 + np.floor(N_SCORES * (ranked - 1) / max(len(values), 1)).astype(int)
    return scores.clip(1, N_SCORES).astype(int)


def rfm_scores(summary: pd.DataFrame, *, end: pd.Timestamp) -> pd.DataFrame:
    """RFM values, scores and segment of every customer in a `customer_summary`.

    Args:
        summary: `transactions.customer_summary` output (indexed by customer_id).
        end: the reference day for recency.

    Returns:
        `recency_days`, `frequency` (purchase days), `monetary` (total value), `r_score`,
        `f_score`, `m_score`, `rfm` (e.g. "543") and `segment` (the `Segment` value).

    Raises:
        DataValidationError: the summary is empty.
    """
    if summary.empty:
        raise DataValidationError("no customers to score")
    end = pd.Timestamp(end).normalize()
    out = pd.DataFrame(index=summary.index)
    out["recency_days"] = (end - summary["last_purchase"]).dt.days.astype(float)
    out["frequency"] = summary["n_purchases"].astype(float)
    out["monetary"] = summary["total_value"].fillna(0.0).astype(float)
    out["r_score"] = quantile_scores(-out["recency_days"])
    out["f_score"] = quantile_scores(out["frequency"])
    out["m_score"] = quantile_scores(out["monetary"])
    out["rfm"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    out["segment"] = [segment_of(r, f).value for r, f in zip(out["r_score"], out["f_score"])]
    return out

"""Batch use of a fitted risk model: score a payments file, summarise a trained model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from llm4retail.risk.thresholds import Decision

if TYPE_CHECKING:
    from llm4retail.risk.model import RiskModel


def score_payments(model: RiskModel, payments: pd.DataFrame) -> pd.DataFrame:
    """Score and decide every payment of a contract `payments` frame.

    Velocity features come from the frame's own history (the model's customer state is not used).

    Args:
        model: a fitted risk model.
        payments: contract payments (`payment_id`, `timestamp`, `amount`, ...).

    Returns:
        One row per payment: `payment_id`, `score` and `decision` (approve, review or decline).
    """
    scores = model.predict(payments)
    decisions = [model.thresholds_.decide(float(score)).value for score in scores]
    return pd.DataFrame({"payment_id": payments["payment_id"].to_numpy(), "score": scores, "decision": decisions})


def decision_counts(scored: pd.DataFrame) -> dict[str, int]:
    """How many payments of `score_payments`'s frame got each decision (every decision listed)."""
    decisions = list(scored["decision"])
    return {decision.value: decisions.count(decision.value) for decision in Decision}

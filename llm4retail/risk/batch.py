"""Batch use of a fitted risk model: score a payments file, summarise a trained model, the review queue."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from llm4retail.risk.base import DetectorKind, Reason
from llm4retail.risk.model import RiskModel, time_ordered
from llm4retail.risk.rules import RuleSet
from llm4retail.risk.thresholds import SEVERITY, Decision


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


class ReviewItem(BaseModel):
    """One payment of the review queue: what the served model says of it and how it is labelled so far."""

    payment_id: str
    customer_id: str | None
    order_id: str | None
    amount: float
    currency: str | None
    timestamp: str
    score: float = Field(description="the active detector's risk score in [0, 1]")
    decision: str = Field(description="review or decline (the model's thresholds, or a rule's action)")
    reasons: list[Reason] = Field(description="reason codes of the model, then of the rules that fired")
    rules: list[str] = Field(description="names of the rules that fired")
    label: int | None = Field(description="1 fraud, 0 legitimate, null not labelled yet")


def review_queue(
    model: RiskModel, payments: pd.DataFrame, *, limit: int = 50, unlabelled_only: bool = False, top_reasons: int = 3
) -> list[ReviewItem]:
    """The payments a person should look at: those the model sends to review or decline (its thresholds,
    or a rule's action), highest score first, each with its reason codes and current label.

    Scores come from the batch features (velocity within the store's own payment history, as in training).

    Args:
        model: a fitted risk model.
        payments: the store's payments (contract frame).
        limit: most items returned.
        unlabelled_only: leave out payments that already carry a label.
        top_reasons: reason codes of the model (and of the rules) per payment.
    """
    if payments.empty or limit <= 0:
        return []
    ordered = time_ordered(payments)
    matrix, rule_matrix = model.matrices(ordered)
    scores = model.active.score(matrix)
    rules: RuleSet = model.detectors_[DetectorKind.RULES]  # type: ignore[assignment]
    fired_any = rules.score(rule_matrix) > 0
    labels = ordered["label"] if "label" in ordered.columns else pd.Series([None] * len(ordered))
    flagged = (scores >= model.thresholds_.review) | fired_any
    if unlabelled_only:
        flagged &= labels.isna().to_numpy()
    items: list[ReviewItem] = []
    for row in np.flatnonzero(flagged)[np.argsort(-scores[flagged], kind="stable")]:
        fired, action, rule_reasons = rules.assess(rule_matrix[row], top_k=top_reasons)
        decision = model.thresholds_.decide(float(scores[row]))
        if SEVERITY[action] > SEVERITY[decision]:
            decision = action
        if decision is Decision.APPROVE:
            continue
        _, reasons = model.active.explain(matrix[row], top_k=top_reasons)
        record = ordered.iloc[row]
        label = labels.iloc[row]
        items.append(ReviewItem(
            payment_id=str(record["payment_id"]), customer_id=_text(record.get("customer_id")),
            order_id=_text(record.get("order_id")), amount=float(record["amount"]), currency=_text(record.get("currency")),
            timestamp=str(record["timestamp"]), score=float(scores[row]), decision=decision.value,
            reasons=reasons + rule_reasons, rules=[rule.name for rule in fired],
            label=None if pd.isna(label) else int(label),
        ))  # fmt: skip
        if len(items) >= limit:
            break
    return items


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

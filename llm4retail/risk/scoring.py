"""Real-time payment scoring: customer state → features → score, reason codes, rules, decision.

Example:
    >>> scorer = RiskScorer(RiskModel.load(path), state=MemoryStateStore())
    >>> scorer.replay(past_payments)               # so velocity features know each customer's history
    >>> result = scorer.score({"amount": 120.0, "currency": "EUR", "customer_id": "c1"})
    >>> result.decision, result.reasons[0].feature
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.risk.base import DetectorKind, Reason
from llm4retail.risk.features import HISTORY_FEATURES, STATE_ONLY_FEATURES, base_features, unix_seconds
from llm4retail.risk.model import RiskModel, time_ordered
from llm4retail.risk.rules import RuleSet
from llm4retail.risk.schemas import PaymentRequest, parse_payment
from llm4retail.risk.state import CustomerState, MemoryStateStore, StateStore
from llm4retail.risk.thresholds import SEVERITY, Decision

_NO_HISTORY = {name: math.nan for name in (*HISTORY_FEATURES, *STATE_ONLY_FEATURES)}


@dataclass
class RiskScore:
    """The answer for one payment.

    Attributes:
        payment_id: the caller's id (None when not given).
        score: the active detector's risk score in [0, 1].
        decision: approve, review or decline (thresholds and rule actions together).
        detector: which detector produced `score`.
        reasons: the top contributing features, largest first.
        rules: names of the rules that fired.
        features: the velocity features computed from the customer's state.
    """

    payment_id: str | None
    score: float
    decision: Decision
    detector: DetectorKind
    reasons: list[Reason]
    rules: list[str]
    features: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        payload = asdict(self)
        payload["decision"] = self.decision.value
        payload["detector"] = self.detector.value
        return payload


class RiskScorer:
    """Scores payments one at a time, keeping each customer's feature state.

    Args:
        model: a fitted risk model.
        state: where customer state lives (default: in this process).
        top_reasons: reason codes per score.
    """

    def __init__(self, model: RiskModel, *, state: StateStore | None = None, top_reasons: int = 3) -> None:
        model._check_fitted()
        self.model = model
        self.state = state or MemoryStateStore()
        self.top_reasons = top_reasons
        self._rules: RuleSet = model.detectors_[DetectorKind.RULES]  # type: ignore[assignment]

    def history(self, payment: PaymentRequest, *, seconds: float, record: bool) -> dict[str, float]:
        """The customer's velocity features for this payment; with `record`, the payment joins the state."""
        if payment.customer_id is None:
            return dict(_NO_HISTORY)
        arguments = {"seconds": seconds, "amount": payment.amount, "currency": payment.currency,
                     "device_id": payment.device_id, "country": payment.country}
        if not record:
            return self.state.get(payment.customer_id).features(**arguments)
        return self.state.transact(payment.customer_id, lambda state: state.observe(**arguments))

    def score(self, payment: PaymentRequest | dict[str, Any], *, record: bool = True) -> RiskScore:
        """Scores one payment.

        Args:
            payment: the payment (validated here when a mapping).
            record: add the payment to the customer's state (False: a what-if score).

        Raises:
            DataValidationError: the payment is invalid (unknown currency, negative amount, missing field).
            StoreUnavailableError: the Redis state server does not answer.
        """
        request = parse_payment(payment)
        seconds = request.seconds()
        history = self.history(request, seconds=seconds, record=record)
        base = {name: float(values[0]) for name, values in
                base_features(np.array([request.amount]), np.array([seconds])).items()}
        derived = {name: history[name] for name in STATE_ONLY_FEATURES}
        measured = {name: history[name] for name in HISTORY_FEATURES}
        # The same precedence as the batch features: engineered names win over input features.
        values = {**derived, **request.features, **base, **measured}
        row = self.model.spec_.vector(values)
        rule_row = np.array([values.get(name, math.nan) for name in self.model.rule_columns_], dtype=float)
        score, reasons = self.model.active.explain(row, top_k=self.top_reasons)
        fired, rule_action, rule_reasons = self._rules.assess(rule_row, top_k=self.top_reasons)
        decision = self.model.thresholds_.decide(score)
        if SEVERITY[rule_action] > SEVERITY[decision]:
            decision = rule_action
        return RiskScore(
            payment_id=request.payment_id, score=float(score), decision=decision, detector=self.model.active_,
            reasons=reasons + rule_reasons, rules=[rule.name for rule in fired],
            features={name: None if math.isnan(value) else value for name, value in {**measured, **derived}.items()},
        )

    def replay(self, payments: pd.DataFrame) -> int:
        """Builds customer state from past payments (in time order) and stores it in one batch.

        Returns:
            The number of customers whose state was written.
        """
        if payments.empty or "customer_id" not in payments.columns:
            return 0
        ordered = time_ordered(payments[payments["customer_id"].notna()])
        seconds = unix_seconds(ordered["timestamp"])
        currencies = ordered["currency"] if "currency" in ordered.columns else pd.Series([None] * len(ordered))
        states: dict[str, CustomerState] = {}
        for customer, when, amount, currency in zip(
            ordered["customer_id"].astype(str), seconds, ordered["amount"].astype(float), currencies
        ):
            state = states.get(customer) or CustomerState()
            _, states[customer] = state.observe(
                seconds=float(when), amount=float(amount), currency=currency if isinstance(currency, str) else None
            )
        self.state.put_many(states)
        return len(states)

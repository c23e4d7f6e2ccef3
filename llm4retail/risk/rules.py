"""Configurable rules: readable conditions on payment features, each with an action and a weight.

A rule compares one feature with a fixed value or with a quantile of that feature on
the training payments (`quantile=0.99`: "among the top 1% amounts"), which keeps a
rule meaningful across currencies and shops. The rule detector's score is the summed
weight of the rules that fire, scaled to [0, 1]. Rules on a feature that a payment
lacks (NaN) do not fire.

Example:
    >>> rules = RuleSet([Rule(name="burst", feature="customer_count_1h", operator=Operator.GE, value=5)])
    >>> rules.fit(matrix, feature_names=spec.columns).fired(row)
"""

from __future__ import annotations

import json
import operator as op
from enum import Enum
from pathlib import Path
from typing import Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import ConfigError
from llm4retail.risk.base import DetectorKind, Reason, RiskDetector
from llm4retail.risk.thresholds import Decision


class Operator(str, Enum):
    """Comparison of a rule."""

    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="


_COMPARE = {Operator.GT: op.gt, Operator.GE: op.ge, Operator.LT: op.lt, Operator.LE: op.le, Operator.EQ: op.eq}


class Rule(BaseModel):
    """One rule: `feature operator value` (or the training quantile of the feature)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    feature: str = Field(min_length=1)
    operator: Operator
    value: float | None = None
    quantile: float | None = Field(None, gt=0.0, lt=1.0)
    action: Decision = Decision.REVIEW
    weight: float = Field(1.0, gt=0.0)
    description: str = ""

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.value is None) == (self.quantile is None):
            raise ValueError(f"rule '{self.name}': give exactly one of value or quantile")
        return self


# Generic defaults: velocity, amount against the customer's usual, the top 1% of amounts,
# rapid repeats and new identifiers. None of them is fitted to a dataset.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(name="burst_1h", feature="customer_count_1h", operator=Operator.GE, value=5, weight=2.0,
         description="5 or more earlier payments by the customer in the last hour"),
    Rule(name="many_24h", feature="customer_count_24h", operator=Operator.GE, value=15,
         description="15 or more earlier payments by the customer in the last 24 hours"),
    Rule(name="amount_spike", feature="amount_vs_customer_mean", operator=Operator.GE, value=5, weight=2.0,
         description="amount at least 5 times the customer's average"),
    Rule(name="top_amount", feature="amount", operator=Operator.GE, quantile=0.99,
         description="amount among the largest 1% of the training payments"),
    Rule(name="rapid_repeat", feature="seconds_since_previous", operator=Operator.LE, value=60,
         description="within a minute of the customer's previous payment"),
    Rule(name="new_device", feature="new_device", operator=Operator.EQ, value=1,
         description="a device the customer has not used before"),
    Rule(name="new_country", feature="new_country", operator=Operator.EQ, value=1,
         description="a country the customer has not paid from before"),
    Rule(name="new_currency", feature="new_currency", operator=Operator.EQ, value=1, weight=0.5,
         description="a currency the customer has not paid in before"),
)


def load_rules(path: Path) -> list[Rule]:
    """Rules from a JSON file holding a list of rule objects.

    Raises:
        ConfigError: the file is missing or a rule is malformed.
    """
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(items, list):
            raise ConfigError(f"{path}: expected a JSON list of rules, got {type(items).__name__}")
        return [Rule.model_validate(item) for item in items]
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read the rules file {path}: {error}") from error
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid rule: {error.errors(include_input=False)[0]['msg']}") from error


@register_model("rules")
class RuleSet(RiskDetector):
    """The rules detector.

    Args:
        rules: the rules (default `DEFAULT_RULES`).
    """

    kind = DetectorKind.RULES

    def __init__(self, rules: list[Rule] | tuple[Rule, ...] | None = None) -> None:
        self.rules = list(DEFAULT_RULES if rules is None else rules)
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ConfigError(f"rule names must be unique, got {names}")

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None, *, feature_names: list[str]) -> Self:
        """Resolves quantile bounds on the training payments; rules on absent features stay inert."""
        matrix = np.asarray(features, dtype=float)
        self.feature_names_ = list(feature_names)
        self.bounds_ = np.full(len(self.rules), np.nan)
        self.columns_ = np.full(len(self.rules), -1, dtype=np.int64)
        for index, rule in enumerate(self.rules):
            if rule.feature not in self.feature_names_:
                continue
            column = self.feature_names_.index(rule.feature)
            self.columns_[index] = column
            if rule.quantile is None:
                self.bounds_[index] = float(rule.value)  # type: ignore[arg-type]
            else:
                present = matrix[:, column][~np.isnan(matrix[:, column])]
                self.bounds_[index] = float(np.quantile(present, rule.quantile)) if present.size else np.nan
        return self

    def _fired_matrix(self, matrix: np.ndarray) -> np.ndarray:
        fired = np.zeros((matrix.shape[0], len(self.rules)), dtype=bool)
        for index, rule in enumerate(self.rules):
            column, bound = self.columns_[index], self.bounds_[index]
            if column < 0 or np.isnan(bound):
                continue
            values = matrix[:, column]
            with np.errstate(invalid="ignore"):
                fired[:, index] = ~np.isnan(values) & _COMPARE[rule.operator](values, bound)
        return fired

    def score(self, features: np.ndarray) -> np.ndarray:
        matrix = self._check_matrix(features)
        weights = np.array([rule.weight for rule in self.rules])
        return (self._fired_matrix(matrix) @ weights) / weights.sum()

    def fired(self, row: np.ndarray) -> list[Rule]:
        """The rules one payment triggers (a plain loop: faster than numpy for one row)."""
        values = self._check_matrix(row)[0]
        hits = []
        for rule, column, bound in zip(self.rules, self.columns_.tolist(), self.bounds_.tolist()):
            if column < 0 or bound != bound:
                continue
            value = values[column]
            if value == value and _COMPARE[rule.operator](value, bound):
                hits.append(rule)
        return hits

    def assess(self, row: np.ndarray, *, top_k: int = 3) -> tuple[list[Rule], Decision, list[Reason]]:
        """Fired rules, their strictest action and their reason codes for one payment, in one pass."""
        values = self._check_matrix(row)[0]
        fired = self.fired(values)
        actions = {rule.action for rule in fired}
        action = next((decision for decision in (Decision.DECLINE, Decision.REVIEW) if decision in actions),
                      Decision.APPROVE)
        reasons = []
        for rule in sorted(fired, key=lambda item: -item.weight)[:top_k]:
            index = self.rules.index(rule)
            text = rule.description or f"{rule.feature} {rule.operator.value} {self.bounds_[index]:g}"
            reasons.append(Reason(rule.feature, float(values[self.columns_[index]]), rule.weight, f"rule {rule.name}: {text}"))
        return fired, action, reasons

    def action(self, row: np.ndarray) -> Decision:
        """The strictest action among the fired rules (approve when none fires)."""
        return self.assess(row)[1]

    def explain(self, row: np.ndarray, *, top_k: int = 3) -> tuple[float, list[Reason]]:
        fired, _, reasons = self.assess(row, top_k=top_k)
        total = sum(rule.weight for rule in self.rules)
        return sum(rule.weight for rule in fired) / total, reasons

    def get_params(self) -> dict[str, Any]:
        return {"rules": [rule.model_dump(mode="json") for rule in self.rules]}

    def _state(self) -> ModelState:
        """The feature names and each rule's resolved bound (NaN: inert) and column (-1: absent)."""
        self._check_fitted()
        return ModelState(arrays={"bounds": self.bounds_, "columns": self.columns_},
                          facts={"feature_names": self.feature_names_})

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        rule_set = cls([Rule.model_validate(item) for item in params["rules"]])
        rule_set.feature_names_ = list(state.facts["feature_names"])
        rule_set.bounds_ = np.asarray(state.arrays["bounds"], dtype=float)
        rule_set.columns_ = np.asarray(state.arrays["columns"], dtype=np.int64)
        return rule_set

"""Configurable rules: files, quantile bounds, actions and bad configurations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from llm4retail.errors import ConfigError
from llm4retail.risk.rules import DEFAULT_RULES, Operator, Rule, RuleSet, load_rules
from llm4retail.risk.thresholds import Decision

pytestmark = pytest.mark.unit


def test_rules_from_file_fire_with_actions(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([
        {"name": "big", "feature": "amount", "operator": ">=", "quantile": 0.9, "action": "decline", "weight": 3},
        {"name": "fast", "feature": "customer_count_1h", "operator": ">=", "value": 3},
    ]), encoding="utf-8")
    rules = RuleSet(load_rules(path))
    amounts = np.arange(1.0, 101.0)
    matrix = np.column_stack([amounts, np.zeros(100)])
    rules.fit(matrix, feature_names=["amount", "customer_count_1h"])
    assert rules.bounds_[0] == pytest.approx(np.quantile(amounts, 0.9))
    assert rules.action(np.array([95.0, 0.0])) is Decision.DECLINE
    assert rules.action(np.array([5.0, 4.0])) is Decision.REVIEW
    assert rules.action(np.array([5.0, np.nan])) is Decision.APPROVE
    score, reasons = rules.explain(np.array([95.0, 4.0]))
    assert score == pytest.approx(1.0) and reasons[0].description.startswith("rule big")


def test_rules_on_absent_features_stay_inert() -> None:
    rules = RuleSet().fit(np.arange(1.0, 101.0)[:, None], feature_names=["amount"])
    assert len(rules.rules) == len(DEFAULT_RULES)
    assert rules.fired(np.array([1.0])) == []  # only the amount rule can fire, and 1 is not in the top 1%
    assert [rule.name for rule in rules.fired(np.array([100.0]))] == ["top_amount"]


@pytest.mark.parametrize(
    "content",
    ['{"name": "x"}', '[{"name": "x", "feature": "amount", "operator": ">="}]',
     '[{"name": "x", "feature": "amount", "operator": "~", "value": 1}]', "not json"],
)
def test_bad_rule_files_fail_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_rules(path)


def test_duplicate_rule_names_are_refused() -> None:
    rule = Rule(name="same", feature="amount", operator=Operator.GT, value=1)
    with pytest.raises(ConfigError, match="unique"):
        RuleSet([rule, rule])

"""Payment risk: supervised (LightGBM), unsupervised (isolation forest) and rule detectors,
reason codes, thresholds for a false-positive rate or a cost ratio, and real-time scoring
with per-customer state (in-process or Redis)."""

from llm4retail.risk.base import DetectorKind, Reason, RiskDetector
from llm4retail.risk.model import RiskModel
from llm4retail.risk.rules import DEFAULT_RULES, Operator, Rule, RuleSet
from llm4retail.risk.schemas import PaymentRequest
from llm4retail.risk.scoring import RiskScore, RiskScorer
from llm4retail.risk.state import CustomerState, MemoryStateStore, RedisStateStore, StateStore
from llm4retail.risk.supervised import GradientBoostingDetector
from llm4retail.risk.thresholds import Decision, ThresholdPolicy, Thresholds
from llm4retail.risk.unsupervised import IsolationForestDetector

__all__ = [
    "DEFAULT_RULES",
    "CustomerState",
    "Decision",
    "DetectorKind",
    "GradientBoostingDetector",
    "IsolationForestDetector",
    "MemoryStateStore",
    "Operator",
    "PaymentRequest",
    "Reason",
    "RedisStateStore",
    "RiskDetector",
    "RiskModel",
    "RiskScore",
    "RiskScorer",
    "Rule",
    "RuleSet",
    "StateStore",
    "ThresholdPolicy",
    "Thresholds",
]

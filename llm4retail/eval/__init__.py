"""Shared evaluation framework: metrics and the report format of `llm4retail <capability> eval`."""

from llm4retail.eval.classification import ClassificationMetrics, binary_scores, classification_metrics, recall_at_fpr
from llm4retail.eval.forecasting import interval_coverage, mase, smape, wape
from llm4retail.eval.ranking import coverage, metrics_from_ranks, rank_of_targets, ranking_metrics, validate_cutoffs
from llm4retail.eval.report import EvalReport, Timer, emit

__all__ = [
    "ClassificationMetrics",
    "EvalReport",
    "Timer",
    "binary_scores",
    "classification_metrics",
    "coverage",
    "emit",
    "interval_coverage",
    "mase",
    "metrics_from_ranks",
    "rank_of_targets",
    "ranking_metrics",
    "recall_at_fpr",
    "smape",
    "validate_cutoffs",
    "wape",
]

"""Known-answer tests of the ranking metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from llm4retail.errors import DataValidationError
from llm4retail.eval.ranking import coverage, metrics_from_ranks, rank_of_targets, ranking_metrics

pytestmark = pytest.mark.unit


def test_single_relevant_item_at_rank_three() -> None:
    metrics = ranking_metrics([["a", "b", "c", "d"]], [{"c": 1}], cutoffs=(2, 5))

    assert metrics["ndcg@5"] == pytest.approx(1 / math.log2(4))
    assert metrics["ndcg@5"] == pytest.approx(0.5)
    assert metrics["mrr"] == pytest.approx(1 / 3)
    assert metrics["hr@5"] == 1.0
    assert metrics["recall@5"] == 1.0
    assert metrics["precision@5"] == pytest.approx(0.2)
    assert metrics["map@5"] == pytest.approx(1 / 3)
    assert metrics["hr@2"] == 0.0
    assert metrics["ndcg@2"] == 0.0
    assert metrics["n_without_relevant"] == 0.0


def test_graded_ndcg_recall_precision_and_map_by_hand() -> None:
    # Gains 2**grade - 1: a -> 1, b -> 0, c -> 7; the ideal order is c(3), d(2), a(1).
    metrics = ranking_metrics([["a", "b", "c"]], [{"a": 1, "c": 3, "d": 2}], cutoffs=(3,))

    dcg = 1 / math.log2(2) + 0 + 7 / math.log2(4)
    ideal_dcg = 7 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4)
    assert metrics["ndcg@3"] == pytest.approx(dcg / ideal_dcg)
    assert metrics["recall@3"] == pytest.approx(2 / 3)
    assert metrics["precision@3"] == pytest.approx(2 / 3)
    assert metrics["map@3"] == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert metrics["mrr"] == 1.0


def test_queries_without_relevant_items_are_excluded_and_counted() -> None:
    ranked = [["a", "b"], ["x", "y"], ["p", "q"]]
    relevant = [{"a": 2}, {"z": 0}, {}]

    metrics = ranking_metrics(ranked, relevant, cutoffs=(5,))

    assert metrics["n_without_relevant"] == 2.0
    assert metrics["hr@5"] == 1.0
    assert metrics["ndcg@5"] == 1.0


def test_no_query_with_relevant_items_gives_nan() -> None:
    metrics = ranking_metrics([["a"]], [{"a": 0}], cutoffs=(5,))

    assert math.isnan(metrics["ndcg@5"])
    assert metrics["n_without_relevant"] == 1.0


def test_repeated_item_counts_once() -> None:
    metrics = ranking_metrics([["a", "a", "b"]], [{"a": 1, "b": 1}], cutoffs=(3,))

    assert metrics["precision@3"] == pytest.approx(2 / 3)
    assert metrics["recall@3"] == 1.0


def test_array_input_matches_lists_and_short_lists_are_padded() -> None:
    ranked = [["a", "b"], ["c", "d"]]
    relevant = [{"b": 1}, {"c": 2, "e": 1}]

    from_lists = ranking_metrics(ranked, relevant, cutoffs=(1, 5))
    from_array = ranking_metrics(np.array(ranked), relevant, cutoffs=(1, 5))

    assert from_lists == pytest.approx(from_array)
    assert from_lists["precision@5"] == pytest.approx(0.2)
    assert from_lists["hr@1"] == pytest.approx(0.5)


def test_ranking_metrics_rejects_bad_input() -> None:
    with pytest.raises(DataValidationError, match="one judgement mapping per ranked list"):
        ranking_metrics([["a"], ["b"]], [{"a": 1}])
    with pytest.raises(DataValidationError, match="non-negative"):
        ranking_metrics([["a"]], [{"a": -1}])
    with pytest.raises(DataValidationError, match="positive integers"):
        ranking_metrics([["a"]], [{"a": 1}], cutoffs=(0,))
    with pytest.raises(DataValidationError, match="ranked is empty"):
        ranking_metrics([], [])


SCORES = np.array([[0.9, 0.5, 0.1, 0.7], [0.2, 0.2, 0.2, 0.2]])
TARGETS = np.array([2, 1])


def test_rank_of_targets_counts_ties_pessimistically() -> None:
    assert rank_of_targets(SCORES, TARGETS).tolist() == [4, 4]


def test_rank_of_targets_with_excluded_index_lists() -> None:
    # User 1 lists its own target: the target is never excluded, item 0 is.
    ranks = rank_of_targets(SCORES, TARGETS, exclude=[np.array([0, 3, 3]), [1, 0]])

    assert ranks.tolist() == [2, 3]


def test_rank_of_targets_with_sparse_exclusions() -> None:
    exclude = sparse.csr_matrix(np.array([[1, 0, 0, 1], [1, 1, 0, 0]]))

    assert rank_of_targets(SCORES, TARGETS, exclude=exclude).tolist() == [2, 3]


def test_rank_of_targets_matches_brute_force() -> None:
    generator = np.random.default_rng(0)
    scores = generator.integers(0, 5, size=(50, 30)).astype(float)
    targets = generator.integers(0, 30, size=50)
    exclude = [generator.choice(30, size=generator.integers(0, 10), replace=False) for _ in range(50)]

    expected = []
    for user in range(50):
        others = [item for item in range(30) if item != targets[user] and item not in set(exclude[user])]
        expected.append(1 + sum(scores[user, item] >= scores[user, targets[user]] for item in others))

    assert rank_of_targets(scores, targets, exclude=exclude).tolist() == expected


def test_rank_of_targets_rejects_bad_input() -> None:
    with pytest.raises(DataValidationError, match="NaN"):
        rank_of_targets(np.array([[np.nan, 1.0]]), np.array([0]))
    with pytest.raises(DataValidationError, match="targets must lie in"):
        rank_of_targets(SCORES, np.array([0, 4]))
    with pytest.raises(DataValidationError, match="one item index per user"):
        rank_of_targets(SCORES, np.array([0]))
    with pytest.raises(DataValidationError, match="excluded item indices"):
        rank_of_targets(SCORES, TARGETS, exclude=[[5], []])
    with pytest.raises(DataValidationError, match="exclude must have shape"):
        rank_of_targets(SCORES, TARGETS, exclude=sparse.csr_matrix((3, 4)))


def test_metrics_from_ranks_by_hand() -> None:
    metrics = metrics_from_ranks(np.array([1, 3, 11]), cutoffs=(5, 10))

    assert metrics["hr@5"] == pytest.approx(2 / 3)
    assert metrics["hr@10"] == pytest.approx(2 / 3)
    assert metrics["ndcg@5"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 11) / 3)


def test_metrics_from_ranks_agrees_with_ranking_metrics() -> None:
    ranked = [["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "d", "e", "f"]]
    relevant = [{"b": 1}, {"f": 1}]

    general = ranking_metrics(ranked, relevant, cutoffs=(5,))
    fast = metrics_from_ranks(np.array([2, 6]), cutoffs=(5,))

    for key in ("hr@5", "ndcg@5", "mrr"):
        assert fast[key] == pytest.approx(general[key])


def test_metrics_from_ranks_rejects_ranks_below_one() -> None:
    with pytest.raises(DataValidationError, match="1-based"):
        metrics_from_ranks(np.array([0, 2]))


def test_coverage() -> None:
    assert coverage([["a", "b"], ["b", "c"]], 10) == pytest.approx(0.3)
    with pytest.raises(DataValidationError, match="n_catalog must be a positive"):
        coverage([["a"]], 0)
    with pytest.raises(DataValidationError, match="full catalogue size"):
        coverage([["a", "b"]], 1)

"""Ranking metrics for search and recommendation, vectorised over many queries at once.

Two entry points:

- `ranking_metrics` scores ranked lists of item ids against graded judgements
  (search relevance, or recommendation with several held-out items).
- `rank_of_targets` + `metrics_from_ranks` is the fast path for leave-last-out
  recommendation: one target item per user, full ranking over the catalogue.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy import sparse

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)

DEFAULT_CUTOFFS: tuple[int, ...] = (5, 10, 20)

# Bound the temporary boolean matrix of `rank_of_targets` to about 16 MB per block.
_BLOCK_CELLS = 2**24

ExcludedItems = sparse.spmatrix | sparse.sparray | Sequence[Sequence[int] | np.ndarray]


def validate_cutoffs(cutoffs: Sequence[int]) -> tuple[int, ...]:
    """Checks and normalises metric cutoffs.

    Args:
        cutoffs: The list depths `k` of the `@k` metrics.

    Returns:
        The distinct cutoffs in increasing order.

    Raises:
        DataValidationError: If `cutoffs` is empty or holds something other than positive integers.
    """
    values = tuple(cutoffs)
    if not values or any(isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1 for k in values):
        raise DataValidationError(f"cutoffs must be a non-empty sequence of positive integers, got {values!r}")
    return tuple(sorted({int(k) for k in values}))


def ranking_metrics(
    ranked: Sequence[Sequence[Hashable]] | np.ndarray,
    relevant: Sequence[Mapping[Hashable, float]],
    *,
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS,
) -> dict[str, float]:
    """Computes mean ranking metrics over queries (or users) with graded relevance.

    For each cutoff `k`: `hr@k` (1 if any relevant item is in the top k),
    `recall@k` (relevant items in the top k / all relevant items of the query),
    `precision@k` (relevant items in the top k / k, also when the list is shorter
    than k), `ndcg@k` (gains `2**grade - 1`, discount `log2(rank + 1)`, ideal DCG
    from all the query's relevant grades) and `map@k` (average precision at k,
    normalised by `min(k, n_relevant)`). `mrr` is the reciprocal rank of the first
    relevant item over the full list (0 when none is retrieved).

    An item is relevant when its grade is greater than 0. Queries without any
    relevant item are excluded from every mean, because recall and nDCG are
    undefined for them; their number is returned as `n_without_relevant`. When
    no query has a relevant item, every metric is NaN. An item repeated within
    one list counts only at its first position.

    Args:
        ranked: One ranked list of item ids per query, best first; lists may differ
            in length. A 2-D array holds one query per row.
        relevant: One mapping item id -> grade per query, aligned with `ranked`.
        cutoffs: The list depths `k` of the `@k` metrics.

    Returns:
        Metric name -> mean over queries with at least one relevant item, plus
        `n_without_relevant`.

    Raises:
        DataValidationError: If the inputs are empty or misaligned, a grade is
            negative or NaN, or a cutoff is not a positive integer.

    Example:
        >>> ranking_metrics([["a", "b", "c"]], [{"c": 1}], cutoffs=(5,))["mrr"]
        0.3333333333333333
    """
    depths = validate_cutoffs(cutoffs)
    rows = _ranked_rows(ranked)
    if len(rows) != len(relevant):
        raise DataValidationError(
            f"ranked has {len(rows)} queries but relevant has {len(relevant)}; pass one judgement mapping per ranked list"
        )
    depth = max(max((len(row) for row in rows), default=0), depths[-1])
    gains = _gain_matrix(rows, relevant, depth=depth)
    ideal, n_relevant = _ideal_grades(relevant, depth=depths[-1])
    keep = n_relevant > 0
    n_without_relevant = int(np.count_nonzero(~keep))
    if n_without_relevant:
        logger.info("%d of %d queries have no relevant item and are left out", n_without_relevant, len(rows))
    metrics = _mean_metrics(gains[keep], ideal[keep], n_relevant[keep], cutoffs=depths)
    metrics["n_without_relevant"] = float(n_without_relevant)
    return metrics


def _ranked_rows(ranked: Sequence[Sequence[Hashable]] | np.ndarray) -> list[list[Hashable]]:
    """Turns the ranked input into a list of Python lists."""
    if isinstance(ranked, np.ndarray):
        if ranked.ndim != 2:
            raise DataValidationError(f"a ranked array must be 2-D (n_queries, list_length), got shape {ranked.shape}")
        rows: list[list[Hashable]] = ranked.tolist()
    else:
        rows = [list(row) for row in ranked]
    if not rows:
        raise DataValidationError("ranked is empty; pass at least one ranked list")
    return rows


def _gain_matrix(rows: list[list[Hashable]], relevant: Sequence[Mapping[Hashable, float]], *, depth: int) -> np.ndarray:
    """Returns the grade of the item at each position, zero-padded to `depth` columns."""
    gains = np.zeros((len(rows), depth))
    for index, (items, grades) in enumerate(zip(rows, relevant, strict=True)):
        if len(set(items)) < len(items):
            seen: set[Hashable] = set()
            row_gains = []
            for item in items:
                row_gains.append(0.0 if item in seen else float(grades.get(item, 0.0)))
                seen.add(item)
        else:
            row_gains = [float(grades.get(item, 0.0)) for item in items]
        gains[index, : len(row_gains)] = row_gains
    return gains


def _ideal_grades(relevant: Sequence[Mapping[Hashable, float]], *, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns each query's best `depth` grades in decreasing order and its number of relevant items."""
    ideal = np.zeros((len(relevant), depth))
    n_relevant = np.zeros(len(relevant), dtype=np.int64)
    for index, grades in enumerate(relevant):
        values = np.fromiter(grades.values(), dtype=float, count=len(grades))
        if np.isnan(values).any() or (values < 0).any():
            raise DataValidationError(
                f"query {index}: grades must be non-negative numbers (0 = irrelevant), got {sorted(values.tolist())}"
            )
        positive = np.sort(values[values > 0])[::-1]
        n_relevant[index] = positive.size
        best = positive[:depth]
        ideal[index, : best.size] = best
    return ideal, n_relevant


def _mean_metrics(
    gains: np.ndarray, ideal: np.ndarray, n_relevant: np.ndarray, *, cutoffs: tuple[int, ...]
) -> dict[str, float]:
    """Averages the metrics over rows that all have at least one relevant item."""
    n_queries, depth = gains.shape
    is_relevant = gains > 0
    discounts = 1.0 / np.log2(np.arange(2, depth + 2))
    hits = np.cumsum(is_relevant, axis=1)
    dcg = np.cumsum((2.0**gains - 1.0) * discounts, axis=1)
    ideal_dcg = np.cumsum((2.0**ideal - 1.0) * discounts[: ideal.shape[1]], axis=1)
    precision_sum = np.cumsum(is_relevant * (hits / np.arange(1, depth + 1)), axis=1)

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if n_queries else float("nan")

    metrics: dict[str, float] = {}
    for k in cutoffs:
        hits_k = hits[:, k - 1]
        metrics[f"hr@{k}"] = mean(hits_k > 0)
        metrics[f"recall@{k}"] = mean(hits_k / n_relevant)
        metrics[f"precision@{k}"] = mean(hits_k / k)
        metrics[f"ndcg@{k}"] = mean(dcg[:, k - 1] / ideal_dcg[:, k - 1])
        metrics[f"map@{k}"] = mean(precision_sum[:, k - 1] / np.minimum(n_relevant, k))
    first = np.argmax(is_relevant, axis=1)
    metrics["mrr"] = mean(np.where(is_relevant.any(axis=1), 1.0 / (first + 1), 0.0))
    return metrics


def rank_of_targets(scores: np.ndarray, targets: np.ndarray, *, exclude: ExcludedItems | None = None) -> np.ndarray:
    """Ranks each user's held-out target among all catalogue items (leave-one-out).

    Ties are counted pessimistically: the rank is 1 + the number of other
    non-excluded items scoring at least as high as the target. A model that
    gives every item the same score therefore ranks the target last, not first.
    Excluded items (typically the user's earlier interactions) never outrank the
    target; the target itself is never excluded, even when listed in `exclude`.
    Scores of `-inf` are allowed (e.g. masked items); NaN is not.

    Args:
        scores: Scores of shape (n_users, n_items); higher is better.
        targets: The target item index of each user, shape (n_users,).
        exclude: Items to leave out of each user's ranking: a sparse matrix of
            shape (n_users, n_items) whose stored non-zero entries are excluded, or
            one array of item indices per user.

    Returns:
        The 1-based rank of each target, shape (n_users,), dtype int64.

    Raises:
        DataValidationError: If shapes disagree, a score is NaN, or an index is out of range.

    Example:
        >>> rank_of_targets(np.array([[0.9, 0.5, 0.1]]), np.array([2]), exclude=[[0]])
        array([2])
    """
    scores, targets = _check_scores_targets(scores, targets)
    n_users, n_items = scores.shape
    target_scores = scores[np.arange(n_users), targets]
    at_least_as_high = np.empty(n_users, dtype=np.int64)
    block = max(1, _BLOCK_CELLS // max(n_items, 1))
    for start in range(0, n_users, block):
        stop = start + block
        at_least_as_high[start:stop] = np.count_nonzero(
            scores[start:stop] >= target_scores[start:stop, None], axis=1
        )
    ranks = at_least_as_high  # counts the target itself, which turns the count of others into a 1-based rank
    if exclude is not None:
        rows, columns = _excluded_pairs(exclude, n_users=n_users, n_items=n_items)
        outranking = (columns != targets[rows]) & (scores[rows, columns] >= target_scores[rows])
        ranks -= np.bincount(rows[outranking], minlength=n_users)
    return ranks


def _check_scores_targets(scores: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validates the inputs of `rank_of_targets`."""
    scores = np.asarray(scores)
    targets = np.asarray(targets)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise DataValidationError(f"scores must be a non-empty 2-D array (n_users, n_items), got shape {scores.shape}")
    if targets.shape != (scores.shape[0],):
        raise DataValidationError(
            f"targets must have shape ({scores.shape[0]},), one item index per user, got {targets.shape}"
        )
    if not np.issubdtype(targets.dtype, np.integer):
        raise DataValidationError(f"targets must be integer item indices, got dtype {targets.dtype}")
    if targets.min() < 0 or targets.max() >= scores.shape[1]:
        raise DataValidationError(f"targets must lie in [0, {scores.shape[1]}), got {targets.min()}..{targets.max()}")
    if np.isnan(scores).any():
        raise DataValidationError("scores contain NaN; use -inf to mask items a model cannot score")
    return scores, targets.astype(np.int64, copy=False)


def _excluded_pairs(exclude: ExcludedItems, *, n_users: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns the distinct (user, item) pairs to exclude as two index arrays."""
    if sparse.issparse(exclude):
        if exclude.shape != (n_users, n_items):
            raise DataValidationError(f"exclude must have shape ({n_users}, {n_items}), got {exclude.shape}")
        matrix = sparse.csr_matrix(exclude, copy=True)
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        coordinates = matrix.tocoo()
        return coordinates.row.astype(np.int64), coordinates.col.astype(np.int64)
    if len(exclude) != n_users:
        raise DataValidationError(f"exclude must hold one index array per user ({n_users}), got {len(exclude)}")
    per_user = [np.asarray(items, dtype=np.int64).ravel() for items in exclude]
    rows = np.repeat(np.arange(n_users, dtype=np.int64), [items.size for items in per_user])
    columns = np.concatenate(per_user) if per_user else np.empty(0, dtype=np.int64)
    if columns.size and (columns.min() < 0 or columns.max() >= n_items):
        raise DataValidationError(f"excluded item indices must lie in [0, {n_items}), got {columns.min()}..{columns.max()}")
    pairs = np.unique(rows * n_items + columns)
    return pairs // n_items, pairs % n_items


def metrics_from_ranks(ranks: np.ndarray, *, cutoffs: Sequence[int] = DEFAULT_CUTOFFS) -> dict[str, float]:
    """Computes leave-one-out metrics from the 1-based rank of each user's single target.

    With one relevant item, `hr@k` is 1 when rank <= k, `ndcg@k` is `1 / log2(rank + 1)`
    when rank <= k (else 0) and `mrr` is `1 / rank` over the full ranking.

    Args:
        ranks: The 1-based rank of each target, e.g. from `rank_of_targets`.
        cutoffs: The list depths `k` of the `@k` metrics.

    Returns:
        Metric name -> mean over users: `hr@k`, `ndcg@k` for each cutoff, then `mrr`.

    Raises:
        DataValidationError: If `ranks` is empty, not 1-D, or holds a value below 1 or NaN.
    """
    depths = validate_cutoffs(cutoffs)
    ranks = np.asarray(ranks, dtype=float)
    if ranks.ndim != 1 or ranks.size == 0:
        raise DataValidationError(f"ranks must be a non-empty 1-D array, got shape {ranks.shape}")
    if np.isnan(ranks).any() or (ranks < 1).any():
        raise DataValidationError(f"ranks are 1-based and must be >= 1, got minimum {np.nanmin(ranks)} or NaN")
    gains = 1.0 / np.log2(ranks + 1.0)
    metrics: dict[str, float] = {}
    for k in depths:
        within = ranks <= k
        metrics[f"hr@{k}"] = float(within.mean())
        metrics[f"ndcg@{k}"] = float(np.where(within, gains, 0.0).mean())
    metrics["mrr"] = float((1.0 / ranks).mean())
    return metrics


def coverage(recommended: Sequence[Sequence[Hashable]], n_catalog: int) -> float:
    """Computes catalogue coverage: the share of catalogue items recommended to anyone.

    Args:
        recommended: One list of recommended item ids per user.
        n_catalog: The number of items in the catalogue.

    Returns:
        Distinct recommended items / `n_catalog`, in [0, 1].

    Raises:
        DataValidationError: If `n_catalog` is not positive or fewer than the distinct recommended items.
    """
    if n_catalog < 1:
        raise DataValidationError(f"n_catalog must be a positive number of catalogue items, got {n_catalog}")
    distinct = len({item for items in recommended for item in items})
    if distinct > n_catalog:
        raise DataValidationError(
            f"{distinct} distinct items were recommended but n_catalog is {n_catalog}; pass the full catalogue size"
        )
    return distinct / n_catalog

"""Features of (query, candidate product) pairs: the zero-shot score and the reranker's input.

Each feature is cheap and explainable; `explain=true` shows them per hit. The
zero-shot score blends them with fixed weights chosen a priori (lexical first,
then how completely and in which order the query's words are covered, then the
semantic similarity and the parsed constraints); the learned reranker replaces
that blend with LightGBM lambdarank over the same features.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from llm4retail.search.query import ParsedQuery

if TYPE_CHECKING:
    from llm4retail.search.prices import PriceFilter

FEATURES: tuple[str, ...] = (
    "bm25",
    "bm25_norm",
    "bm25_title",
    "dense",
    "char",
    "coverage",
    "matched_terms",
    "title_coverage",
    "bigram",
    "phrase",
    "first_term",
    "last_term",
    "brand_match",
    "colour_match",
    "quantity_match",
    "popularity",
    "personal",
    "query_terms",
    "title_terms",
    "corrections",
    "bm25_rank",
    "dense_rank",
)
# A priori weights of the zero-shot blend (not fitted to any dataset).
ZERO_SHOT_WEIGHTS: dict[str, float] = {
    "bm25_norm": 1.0,
    "coverage": 0.3,
    "bigram": 0.2,
    "dense_norm": 0.2,
    "brand_match": 0.3,  # a named brand is rarely optional
    "colour_match": 0.05,
    "quantity_match": 0.05,
    "personal": 0.1,
}


def row_dots(matrix: sp.csr_matrix, rows: np.ndarray, vector: sp.csr_matrix) -> np.ndarray:
    """`(matrix[rows] @ vector.T)` as a flat float32 array, for a few rows of a large CSR matrix and one
    sparse row: the stored values of those rows are gathered and matched against the vector's columns
    directly (scipy's fancy row indexing and sparse product cost ~0.25 ms of checks and copies a query)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = matrix.indptr[rows].astype(np.int64)
    lengths = matrix.indptr[rows + 1].astype(np.int64) - starts
    total = int(lengths.sum())
    if total == 0 or vector.nnz == 0:
        return np.zeros(len(rows), dtype=np.float32)
    order = np.argsort(vector.indices)
    columns, values = vector.indices[order], vector.data[order]
    # the position in `matrix.data` of every stored value of the chosen rows, row after row
    positions = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    stored = matrix.indices[positions]
    where = np.minimum(np.searchsorted(columns, stored), len(columns) - 1)
    products = np.where(columns[where] == stored, values[where] * matrix.data[positions], 0.0)
    return np.bincount(np.repeat(np.arange(len(rows)), lengths), weights=products, minlength=len(rows)).astype(np.float32)


@dataclass
class QueryContext:
    """Everything derived from the query once, before scoring candidates."""

    parsed: ParsedQuery
    terms: list[str]
    corrections: list[str]
    normalised_text: str
    vector: np.ndarray | None = None
    char_vector: sp.csr_matrix | None = None
    expansions: list[str] = field(default_factory=list)
    price_filter: PriceFilter | None = None  # resolved by the engine with the request's filters
    term_set: set[str] = field(init=False)
    bigrams: set[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.term_set = set(self.terms)
        self.bigrams = set(zip(self.terms, self.terms[1:]))


@dataclass
class CandidateData:
    """Per-slot data the features read (views into the engine's arrays)."""

    title_terms: list[list[str]]
    title_text: list[str]
    brands: np.ndarray
    colours: list[set[str]]
    popularity: np.ndarray
    char_matrix: sp.csr_matrix | None


def _ranks(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def candidate_features(
    context: QueryContext,
    slots: np.ndarray,
    data: CandidateData,
    *,
    bm25: np.ndarray,
    bm25_title: np.ndarray,
    dense: np.ndarray,
    personal: np.ndarray,
) -> np.ndarray:
    """Feature matrix (len(slots) x len(FEATURES)) for the candidates of one query."""
    n = len(slots)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    column = {name: i for i, name in enumerate(FEATURES)}
    out[:, column["bm25"]] = bm25
    out[:, column["bm25_norm"]] = bm25 / max(float(bm25.max()), 1e-9) if n else 0.0
    out[:, column["bm25_title"]] = bm25_title
    out[:, column["dense"]] = dense
    if context.char_vector is not None and data.char_matrix is not None and n:
        out[:, column["char"]] = row_dots(data.char_matrix, slots, context.char_vector)
    terms, bigrams = context.term_set, context.bigrams
    first = context.terms[0] if context.terms else None
    last = context.terms[-1] if context.terms else None
    brands = {brand.lower() for brand in context.parsed.brands}
    colours = set(context.parsed.colours)
    numbers = {f"{value:g}" for value, _unit in context.parsed.quantities}
    per_candidate = (
        "coverage", "matched_terms", "title_coverage", "bigram", "phrase", "first_term", "last_term",
        "brand_match", "colour_match", "quantity_match", "title_terms",
    )  # fmt: skip
    rows = []  # one tuple per candidate, written as one block (item by item costs ~0.1 µs a cell)
    for slot in slots:
        title = data.title_terms[slot]
        title_set = set(title)
        matched = len(terms & title_set)
        rows.append((
            matched / len(terms) if terms else 0.0,
            matched,
            matched / len(title_set) if title_set else 0.0,
            len(bigrams & set(zip(title, title[1:]))) / len(bigrams) if bigrams else 0.0,
            float(bool(context.normalised_text) and context.normalised_text in data.title_text[slot]),
            float(first in title_set),
            float(last in title_set),
            float(bool(brands) and str(data.brands[slot]).lower() in brands),
            float(bool(colours & data.colours[slot])),
            len(numbers & title_set) / len(numbers) if numbers else 0.0,
            len(title),
        ))  # fmt: skip
    if rows:
        out[:, [column[name] for name in per_candidate]] = np.asarray(rows, dtype=np.float32)
    out[:, column["popularity"]] = data.popularity[slots]
    out[:, column["personal"]] = personal
    out[:, column["query_terms"]] = len(context.terms)
    out[:, column["corrections"]] = len(context.corrections)
    out[:, column["bm25_rank"]] = _ranks(bm25) if n else 0.0
    out[:, column["dense_rank"]] = _ranks(dense) if n else 0.0
    return out


def zero_shot_score(features: np.ndarray) -> np.ndarray:
    """The fixed-weight blend of the zero-shot pipeline."""
    column = {name: i for i, name in enumerate(FEATURES)}
    dense = np.clip(features[:, column["dense"]], 0, None)
    dense_norm = dense / max(float(dense.max()), 1e-9) if len(dense) else dense
    score = ZERO_SHOT_WEIGHTS["dense_norm"] * dense_norm
    for name, weight in ZERO_SHOT_WEIGHTS.items():
        if name != "dense_norm":
            score = score + weight * features[:, column[name]]
    return score

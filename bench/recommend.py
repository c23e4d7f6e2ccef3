"""Benchmark: recommendation training time, serving latency (p50/p99) and recommendations/s.

Loads an event log (default: Amazon Beauty, S3-Rec preprocessing) into a temporary
embedded store, trains the start-up default of the recommendation service (item
neighbours over every event; popularity and co-purchases are read at load) and asks
"for you" for a sample of customers one at a time: first with those neighbours, then
with each trained model saved as a version and served
(graph, SASRec with a short training budget — latency does not depend on how long it
trained — and their hybrid with item-kNN). The popularity-only answer (a customer
without events) is the reference measured in the same run. Prints one JSON object.

Usage:
    python bench/recommend.py [--events ../shared/datasets/rec_amazon_s3rec/Beauty_events.csv.gz] [--customers 2000]
                              [--sasrec-epochs 10]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.config import Settings, get_settings
from llm4retail.data.importer import import_path
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.graph import KnowledgeGraph
from llm4retail.recommend.hybrid import Hybrid
from llm4retail.recommend.neighbours import ItemKNN
from llm4retail.recommend.sasrec import SASRec
from llm4retail.recommend.service import RecommendService
from llm4retail.recommend.training import NEIGHBOURS, TrainedRecommender

DEFAULT_EVENTS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "rec_amazon_s3rec" / "Beauty_events.csv.gz"


def serve(service: RecommendService, customers: list[str]) -> dict[str, float]:
    """p50/p99 milliseconds and recommendations (top 10) per second."""
    timings = []
    for customer in customers:
        started = time.perf_counter()
        service.for_customer(customer, top_k=10)
        timings.append(time.perf_counter() - started)
    return {
        "requests": len(customers),
        "p50_ms": round(1000 * float(np.percentile(timings, 50)), 3),
        "p99_ms": round(1000 * float(np.percentile(timings, 99)), 3),
        "recommendations_per_second": round(10 * len(customers) / sum(timings), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=Path, default=DEFAULT_EVENTS)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--sasrec-epochs", type=int, default=10, help="SASRec training budget (epochs) for the serving test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'store.sqlite'}")
        import_path(args.events, store=store)
        events = store.read_frame(Table.EVENTS, columns=["customer_id"])
        store.upsert(Table.CUSTOMERS, pd.DataFrame({"customer_id": ["cold-start"]}))
        settings = get_settings(data_dir=Path(folder))
        service = RecommendService(settings, store)
        started = time.perf_counter()
        service.train_on_start()
        build_seconds = time.perf_counter() - started
        sample = events["customer_id"].drop_duplicates().sample(n=args.customers, random_state=0).tolist()
        warm = serve(service, sample)
        cold = serve(service, ["cold-start"] * args.customers)
        trained = serve_trained(settings, store, sample, sasrec_epochs=args.sasrec_epochs)
    print(
        json.dumps(
            {
                "events": str(args.events),
                "build_seconds": round(build_seconds, 2),
                "for_you": warm,
                "reference_popularity_only": cold,
                "latency_ratio_vs_popularity": round(warm["p50_ms"] / max(cold["p50_ms"], 1e-9), 2),
                "trained_models": trained,
            }
        )
    )


def serve_trained(settings: Settings, store: Store, sample: list[str], *, sasrec_epochs: int) -> dict[str, dict[str, float]]:
    """Fit, save and serve each trained model in turn: training seconds and "for you" latency."""
    interactions = Interactions.from_events(store.read_frame(Table.EVENTS))
    products = store.read_frame(Table.PRODUCTS)
    results: dict[str, dict[str, float]] = {}
    fitted = {}
    neighbours = ItemKNN(neighbours=NEIGHBOURS).fit(interactions)  # similar items and reasons of every version
    makers = {
        "itemknn": lambda: ItemKNN(),
        "graph": lambda: KnowledgeGraph(products=products, beta=0.0, attribute_weight=0.3, next_weight=0.2),
        "sasrec": lambda: SASRec(max_epochs=sasrec_epochs),
    }
    for name, make in [*makers.items(), ("hybrid", None)]:
        started = time.perf_counter()
        if make is None:
            model = Hybrid([fitted["itemknn"], fitted["graph"], fitted["sasrec"]], weights=[0.3, 0.3, 0.4], prefitted=True).fit(interactions)
        else:
            model = fitted[name] = make().fit(interactions)
        train_seconds = time.perf_counter() - started
        report = {"best": name, "default": False, "train_seconds": train_seconds}
        RecommendService(settings, store).publish(TrainedRecommender(model, neighbours, interactions.product_ids, report))
        service = RecommendService(settings, store)  # a fresh process: loads the new version on warm-up
        service.warm_up()
        results[name] = {"train_seconds": round(train_seconds, 2), **serve(service, sample)}
    return results


if __name__ == "__main__":
    main()

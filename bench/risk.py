"""Benchmark: real-time payment scoring latency (p50/p99) and throughput.

Fits the risk model on the earlier 70% of a payments file (by time), seeds customer
state from it, then scores the later 30% one payment at a time through `RiskScorer`
(validation, state read/update, features, score, reason codes, rules, decision), with
in-process state and with Redis state. The reference, measured in the same run on the
same rows, is a bare LightGBM `Booster.predict` of one ready-made feature row: the
ratio says what the whole scoring path costs over the model call alone. Batch scoring
throughput (`RiskModel.predict` on the whole test frame) is reported too.

Prints one JSON object.

Usage:
    python bench/risk.py [--payments FILE] [--repeat 3] [--redis-url redis://127.0.0.1:6379/0]
    python bench/risk.py --demo          # the demo store's payments (customer ids, velocity state)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from llm4retail.data.importer import read_table  # noqa: E402
from llm4retail.data.schemas import Table  # noqa: E402
from llm4retail.risk.base import DetectorKind  # noqa: E402
from llm4retail.risk.model import RiskModel, time_ordered  # noqa: E402
from llm4retail.risk.scoring import RiskScorer  # noqa: E402
from llm4retail.risk.state import MemoryStateStore, RedisStateStore, StateStore  # noqa: E402

DEFAULT_PAYMENTS = (Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "fraud_creditcard"
                    / "creditcard_all_frauds_plus_1230_normals.csv.gz")


def requests_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """API-shaped payment bodies of the test rows."""
    bodies = []
    for row in frame.itertuples(index=False):
        body: dict[str, Any] = {"payment_id": str(row.payment_id), "amount": float(row.amount),
                                "currency": row.currency if isinstance(row.currency, str) else "EUR",
                                "timestamp": pd.Timestamp(row.timestamp).isoformat()}
        if isinstance(row.customer_id, str):
            body["customer_id"] = row.customer_id
        if isinstance(row.features, dict):
            body["features"] = {key: float(value) for key, value in row.features.items()}
        bodies.append(body)
    return bodies


def latencies(function: Any, items: list[Any], *, repeat: int) -> dict[str, float]:
    """Wall-clock and CPU-time p50/p99/mean milliseconds and calls per second of `function` over `items`.

    The machine is shared: wall-clock times include waits while other processes hold the
    cores; the thread's CPU time does not, and bounds what the call itself costs.
    """
    wall, cpu = [], []
    gc.collect()
    for _ in range(repeat):
        for item in items:
            started, started_cpu = time.perf_counter(), time.thread_time()
            function(item)
            cpu.append(time.thread_time() - started_cpu)
            wall.append(time.perf_counter() - started)
    values, cpu_values = np.array(wall) * 1e3, np.array(cpu) * 1e3
    return {"calls": int(values.size), "p50_ms": float(np.percentile(values, 50)),
            "p99_ms": float(np.percentile(values, 99)), "mean_ms": float(values.mean()),
            "per_second": float(1e3 / values.mean()),
            "cpu_p50_ms": float(np.percentile(cpu_values, 50)), "cpu_p99_ms": float(np.percentile(cpu_values, 99))}


def score_stream(model: RiskModel, train: pd.DataFrame, bodies: list[dict[str, Any]], state: StateStore,
                 *, repeat: int) -> dict[str, float]:
    """Latency of the full real-time path; state is reseeded before each pass so passes are alike."""
    scorer = RiskScorer(model, state=state)
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        state.clear()
        scorer.replay(train)
        for key, value in latencies(scorer.score, bodies, repeat=1).items():
            results.setdefault(key, []).append(value)
    merged = {key: float(np.median(values)) for key, values in results.items()}
    merged["calls"] = float(len(bodies) * repeat)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=Path, default=DEFAULT_PAYMENTS)
    parser.add_argument("--demo", action="store_true", help="use the demo store's payments instead")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--redis-url", default=os.environ.get("LLM4RETAIL_RISK__REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()

    if args.demo:
        from llm4retail.data.synthetic import generate_demo_store

        frame, dataset = generate_demo_store(seed=42).tables[Table.PAYMENTS], "demo store (seed 42)"
    else:
        frame, dataset = read_table(args.payments, Table.PAYMENTS)[0], str(args.payments)
    ordered = time_ordered(frame)
    cut = int(round(len(ordered) * 0.7))
    train, test = ordered.iloc[:cut], ordered.iloc[cut:].reset_index(drop=True)
    started = time.perf_counter()
    model = RiskModel().fit(train)
    fit_seconds = time.perf_counter() - started
    bodies = requests_of(test)

    active = model.detectors_[model.active_]
    rows = model.matrices(pd.concat([train, test], ignore_index=True))[0][cut:]
    if model.active_ is DetectorKind.SUPERVISED:
        booster = active.boosters_[0]  # type: ignore[attr-defined]
        reference = latencies(lambda row: booster.predict(row[None, :], num_threads=1), list(rows), repeat=args.repeat)
        reference_name = "one LightGBM Booster.predict (1 of the bag) on a ready feature row"
    else:
        reference = latencies(lambda row: active.score(row[None, :]), list(rows), repeat=args.repeat)
        reference_name = "the isolation forest's score on a ready feature row"

    result: dict[str, Any] = {
        "load_average_1m": os.getloadavg()[0], "cpus": os.cpu_count(),
        "dataset": dataset, "train_payments": len(train), "scored_payments": len(test), "fit_seconds": fit_seconds,
        "active_detector": model.active_.value, "features": len(model.spec_.columns),
        "reference": {"what": reference_name, **reference},
        "memory_state": score_stream(model, train, bodies, MemoryStateStore(), repeat=args.repeat),
    }
    if not args.no_redis:
        redis_state = RedisStateStore(args.redis_url, prefix=f"llm4retail:bench:{uuid.uuid4().hex[:8]}:")
        try:
            result["redis_state"] = score_stream(model, train, bodies, redis_state, repeat=args.repeat)
        finally:
            redis_state.clear()
    for name in ("memory_state", "redis_state"):
        if name in result:
            result[name]["p50_ratio_to_reference"] = result[name]["p50_ms"] / reference["p50_ms"]
    started = time.perf_counter()
    model.predict(pd.concat([train, test], ignore_index=True))
    batch_seconds = time.perf_counter() - started
    result["batch"] = {"payments": len(ordered), "seconds": batch_seconds, "per_second": len(ordered) / batch_seconds}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

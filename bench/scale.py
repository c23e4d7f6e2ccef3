"""Scale benchmark: the demo store at 10x and 100x (not a test; minutes to an hour on 2 cores).

For each `--scale`, in a fresh data dir (embedded SQLite, or `--database-url` for PostgreSQL), every step
runs as its own `llm4retail` process under `/usr/bin/time`, so each wall time and peak memory (RSS) is the
step's own:

1. **import**: `demo init --scale N --no-train` (generated and written one block at a time);
2. **index**: `search train` (lexical index, embeddings, learned reranker from the judged queries);
3. **defaults**: the quick default model of every capability (what `serve` trains at start-up), in one
   process; **training**: `recommend train`, `reviews train`, `risk train`, `forecast train`;
4. **batch jobs**, each in this process and on a local Ray (`--ray local`, this machine's CPUs):
   `recommend` (top-20 of every customer), `reviews`, `risk`, `forecast`, `embed` (`--jobs` picks); with the mean compute time of a chunk, the
   projected time on M machines of C cores is `startup + ceil(chunks / (M x C)) x chunk mean` (chunks are
   independent; writing them stays with the driver and is counted in `write_seconds_per_chunk`);
5. **API**: `serve --workers 2` on the store, then closed-loop load (8 users, no think time) on search and
   on "for you" recommendations: requests/s, p50 and p99.

Writes `bench/results/scale.json` (or `--output`), one entry per scale, merged into the file's earlier ones.

Usage:
    python bench/scale.py --scale 10
    python bench/scale.py --scale 100 --steps import,index,batch,api
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CLI = [sys.executable, "-m", "llm4retail.cli"]
STEPS = ("import", "index", "defaults", "training", "batch", "api")
DEFAULTS_SCRIPT = """
import json, sys, time
from llm4retail.config import get_settings
from llm4retail.container import SERVICE_CLASSES, Services
services, seconds = Services(get_settings()), {}
for name in SERVICE_CLASSES:
    service = services.get(name)
    if name != "search" and service.needs_training():
        started = time.perf_counter()
        service.run_training(on_start=True)
        seconds[name] = round(time.perf_counter() - started, 2)
print(json.dumps(seconds))
"""
BATCH_JOBS = ("recommend", "reviews", "risk", "forecast", "embed")
QUERIES = ["sofa", "red dress", "running shoes", "耳机", "蓝牙音箱", "coffee maker", "desk lamp", "backpack",
           "wireless mouse", "yoga mat", "连衣裙", "water bottle", "phone case", "jacket", "枕头", "kettle"]  # fmt: skip


def timed(args: list[str], env: dict[str, str], *, command: list[str] = CLI) -> dict[str, Any]:
    """Runs one CLI command under /usr/bin/time: wall seconds, peak RSS (MiB), and its JSON output if any."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        started = time.perf_counter()
        result = subprocess.run(["/usr/bin/time", "-o", times.name, "-f", "%e %M", *command, *args],  # noqa: S603
                                env=env, capture_output=True, text=True)  # fmt: skip
        wall = time.perf_counter() - started
        elapsed, rss_kb = times.read().strip().splitlines()[-1].split()
    if result.returncode != 0:
        raise RuntimeError(f"`llm4retail {' '.join(args)}` failed ({result.returncode}): {result.stderr[-2000:]}")
    try:
        output = json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else None
    except json.JSONDecodeError:
        output = None
    return {"seconds": round(float(elapsed or wall), 2), "peak_rss_mib": round(int(rss_kb) / 1024, 1), "output": output}


def projection(report: dict[str, Any], *, machines: tuple[int, ...] = (1, 2, 4, 8), cores: int = 2) -> dict[str, float]:
    """Projected seconds of a batch job on M machines of `cores` CPUs, from its measured chunk cost."""
    chunk = report["chunk_seconds"].get("mean", 0.0)
    overhead = max(0.0, report["seconds"] - report["computed"] * chunk / max(1, report.get("workers", 1)))
    return {f"{m}x{cores}_cores": round(overhead + math.ceil(report["chunks"] / (m * cores)) * chunk, 1) for m in machines}


def load(base: str, paths: list[tuple[str, dict[str, str]]], *, seconds: float, users: int = 8,
         headers: dict[str, str] | None = None) -> dict[str, float]:
    """Closed-loop load: `users` threads send requests from `paths` in turn for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
            while time.monotonic() < stop:
                path, params = paths[rng.randrange(len(paths))]
                started = time.perf_counter()
                status = client.get(path, params=params).status_code
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += status != 200

    threads = [threading.Thread(target=user, args=(seed,)) for seed in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "per_second": round(len(latencies) / seconds, 1), "errors": errors[0],
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1)}  # fmt: skip


def api_step(data_dir: Path, env: dict[str, str], customers: list[str], seconds: float) -> dict[str, Any]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server_env = env | {"LLM4RETAIL_MODELS__TRAIN_ON_START": "false", "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false",
                        "LLM4RETAIL_API_KEYS": "scale-bench-key-0123456789"}  # fmt: skip
    server = subprocess.Popen([*CLI, "-q", "serve", "--port", str(port), "--workers", "2"], env=server_env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {"X-API-Key": "scale-bench-key-0123456789"}
    try:
        started = time.monotonic()
        while True:
            try:
                ready = httpx.get(f"{base}/ready", timeout=5).json()
                if all(model["state"] in ("ready", "no_model", "not_trained") for model in ready["models"]):
                    break
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if server.poll() is not None or time.monotonic() - started > 1800:
                raise RuntimeError("the server did not become ready")
            time.sleep(1.0)
        for _ in range(20):  # both workers past their first requests (the second may still be loading)
            httpx.get(f"{base}/search", params={"q": "sofa"}, timeout=1800).raise_for_status()
        load_seconds = time.monotonic() - started
        search = load(base, [("/search", {"q": query}) for query in QUERIES], seconds=seconds)
        first = time.monotonic()
        with httpx.Client(base_url=base, headers=headers, timeout=1800) as client:
            for customer in customers[:4]:  # a worker without a trained model builds the default neighbours first
                client.get(f"/recommendations/{customer}").raise_for_status()
        first_seconds = time.monotonic() - first
        recommend = load(base, [(f"/recommendations/{customer}", {}) for customer in customers], seconds=seconds,
                         headers=headers)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
    return {"workers": 2, "start_to_ready_seconds": round(load_seconds, 1),
            "first_recommendations_seconds": round(first_seconds, 1), "search": search, "recommend": recommend}


def run_scale(scale: int, steps: list[str], *, database_url: str | None, keep: Path | None, api_seconds: float,
              jobs: tuple[str, ...] = BATCH_JOBS) -> dict[str, Any]:
    data_dir = keep or Path(tempfile.mkdtemp(prefix=f"scale{scale}-"))
    env = {**os.environ, "LLM4RETAIL_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    if database_url:
        env["LLM4RETAIL_DATABASE_URL"] = database_url
    result: dict[str, Any] = {"scale": scale, "cpus": os.cpu_count(), "backend": "postgresql" if database_url else "sqlite"}
    try:
        if "import" in steps:
            step = timed(["demo", "init", "--scale", str(scale), "--no-train", "--reset", "--json"], env)
            result["import"] = {"seconds": step["seconds"], "peak_rss_mib": step["peak_rss_mib"],
                                "rows": step["output"]["tables"] if step["output"] else None}  # fmt: skip
            print(f"[{scale}x] import {step['seconds']} s, {step['peak_rss_mib']} MiB", flush=True)
        if "index" in steps:
            step = timed(["search", "train", "--json"], env)
            result["index"] = {key: step[key] for key in ("seconds", "peak_rss_mib")}
            print(f"[{scale}x] search index {step['seconds']} s, {step['peak_rss_mib']} MiB", flush=True)
        if "defaults" in steps:
            step = timed(["-c", DEFAULTS_SCRIPT], env, command=[sys.executable])
            result["defaults"] = {"seconds": step["seconds"], "peak_rss_mib": step["peak_rss_mib"], "per_capability": step["output"]}
            print(f"[{scale}x] start-up defaults {step['seconds']} s, {step['peak_rss_mib']} MiB: {step['output']}", flush=True)
        if "training" in steps:
            result["training"] = {}
            for capability in ("recommend", "reviews", "risk", "forecast"):
                step = timed([capability, "train", "--json"], env)
                result["training"][capability] = {key: step[key] for key in ("seconds", "peak_rss_mib")}
                print(f"[{scale}x] {capability} train {step['seconds']} s, {step['peak_rss_mib']} MiB", flush=True)
        if "batch" in steps:
            result["batch"] = {}
            for job in jobs:
                entry = {}
                for mode in ("off", "local"):
                    step = timed(["batch", "run", job, "--ray", mode, "--restart", "--json"], env)
                    report = step["output"]
                    entry["in_process" if mode == "off" else "ray"] = {
                        "seconds": step["seconds"], "peak_rss_mib": step["peak_rss_mib"], "rows": report["rows"],
                        "chunks": report["chunks"], "chunk_seconds": report["chunk_seconds"],
                        "projected_seconds": projection(report) if mode == "off" else None,
                    }  # fmt: skip
                    print(f"[{scale}x] batch {job} ({mode}) {step['seconds']} s, {step['peak_rss_mib']} MiB", flush=True)
                result["batch"][job] = entry
        if "api" in steps:
            import sqlite3

            customers = [f"c{i:05d}" for i in range(1, 201)]
            if not database_url:
                with sqlite3.connect(data_dir / "llm4retail.sqlite") as connection:
                    rows = connection.execute("SELECT customer_id FROM customers ORDER BY random() LIMIT 500").fetchall()
                    customers = [row[0] for row in rows]
            result["api"] = api_step(data_dir, env, customers, api_seconds)
            print(f"[{scale}x] api {json.dumps(result['api'])}", flush=True)
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="store size in demo stores (repeatable; default 10)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated among {', '.join(STEPS)}")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: the embedded SQLite)")
    parser.add_argument("--data-dir", type=Path, help="keep the store here (and reuse it with --steps)")
    parser.add_argument("--api-seconds", type=float, default=30.0)
    parser.add_argument("--output", default="scale")
    parser.add_argument("--jobs", default=",".join(BATCH_JOBS), help="batch jobs of the batch step (comma-separated)")
    args = parser.parse_args()
    steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    path = RESULTS / f"{args.output}.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    for scale in args.scale or [10]:
        results[f"{scale}x"] = run_scale(scale, steps, database_url=args.database_url, keep=args.data_dir,
                                         api_seconds=args.api_seconds,
                                         jobs=tuple(job.strip() for job in args.jobs.split(",") if job.strip()))  # fmt: skip
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

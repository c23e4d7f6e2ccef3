"""First-content benchmark of the web pages (a bounded run, not a test).

Starts `llm4retail serve` over a demo store, waits until every model is loaded, signs in as a demo
customer and to the console (with a staff key it creates), warms each page up, then times each page
`--repeat` times: the time to the first byte of the answer (the server's time plus loopback) and the
whole answer, median and p90, next to `/health` measured in the same run as the reference (a busy
machine slows both). Acceptance of issue 18: every page under 500 ms server time after warm-up.

Writes `bench/results/pages.json` and `bench/results/pages.md` (or `--output NAME`).

Usage:
    python bench/pages.py                        # the demo store of bench/load.py (built once)
    python bench/pages.py --data-dir store --repeat 30
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import DEFAULT_STORE, all_models_loaded, ensure_demo_store, free_port, stop, wait_until  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SLO_MS = 500.0


def timed(client: httpx.Client, method: str, path: str, **options: Any) -> tuple[float, float, int]:
    """(ms to the first byte, ms to the whole answer, status) of one request."""
    started = time.perf_counter()
    with client.stream(method, path, **options) as response:
        first = None
        for _chunk in response.iter_bytes():
            if first is None:
                first = time.perf_counter()
        done = time.perf_counter()
    first = first or done
    return 1000 * (first - started), 1000 * (done - started), response.status_code


def pages(product_id: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, method, path, options) of each page; `who` in options picks the signed-in client."""
    return [
        ("/health (reference)", "GET", "/health", {}),
        ("storefront search", "GET", "/?q=cordless+drill", {}),
        ("storefront search, as you type (htmx fragment)", "GET", "/?q=red+sofa+under+500", {"headers": {"HX-Request": "true"}}),
        ("product page", "GET", f"/item/{product_id}", {}),
        ("sign-in picker", "GET", "/signin", {}),
        ("for you", "GET", "/for-you", {"who": "shopper"}),
        ("chat turn (whole streamed answer)", "POST", "/store/chat", {"json": {"message": "what is your return policy?"}}),
        ("console: hand-off queue", "GET", "/console", {"who": "staff"}),
        ("console: demand", "GET", "/console/demand", {"who": "staff"}),
        ("console: conversations", "GET", "/console/conversations", {"who": "staff"}),
        ("console: pricing", "GET", "/console/pricing", {"who": "staff"}),
        ("console: customers", "GET", "/console/customers", {"who": "staff"}),
        ("console: risk review queue", "GET", "/console/risk", {"who": "staff"}),
        ("console: reviews", "GET", "/console/reviews", {"who": "staff"}),
        ("console: data", "GET", "/console/data", {"who": "staff"}),
        ("console: models", "GET", "/console/models", {"who": "staff"}),
        ("console: evaluation", "GET", "/console/evaluation", {"who": "staff"}),
        ("console: online evaluation", "GET", "/console/online", {"who": "staff"}),
        ("API docs (/docs)", "GET", "/docs", {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help=f"store to serve (default: the demo store in {DEFAULT_STORE})")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (after 3 warm-up ones)")
    parser.add_argument("--output", default="pages", help="results name: bench/results/NAME.json and NAME.md")
    args = parser.parse_args()
    data_dir = (args.data_dir or DEFAULT_STORE).resolve()
    if args.data_dir is None:
        ensure_demo_store(data_dir)
    created = subprocess.run(
        [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "-q", "keys", "create", "--name",
         "bench pages", "--role", "staff", "--json"], capture_output=True, text=True, check=True, cwd=data_dir,
    )  # fmt: skip
    key = json.loads(created.stdout)["key"]
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"llm4retail-pages-server-{port}.log"
    environment = {**os.environ, "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false"}
    with log.open("wb") as handle:
        server = subprocess.Popen([sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "serve", "--port",
                                   str(port)], stdout=handle, stderr=subprocess.STDOUT, env=environment, cwd=data_dir)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    rows: list[dict[str, Any]] = []
    try:
        wait_until(f"{base}/ready", seconds=600, ready=all_models_loaded)
        clients = {who: httpx.Client(base_url=base, timeout=60) for who in ("anonymous", "shopper", "staff")}
        picker = clients["anonymous"].get("/signin").text
        customer_id = picker.split('name="customer_id" value="', 1)[1].split('"', 1)[0]
        clients["shopper"].post("/signin", data={"customer_id": customer_id})
        clients["staff"].post("/console/signin", data={"api_key": key})
        product_id = clients["anonymous"].get("/products", params={"limit": 1}).json()["items"][0]["product_id"]
        for name, method, path, options in pages(product_id):
            client = clients[options.pop("who", "anonymous")]
            for _ in range(3):
                timed(client, method, path, **options)
            samples = [timed(client, method, path, **options) for _ in range(args.repeat)]
            first = [sample[0] for sample in samples]
            whole = [sample[1] for sample in samples]
            statuses = sorted({sample[2] for sample in samples})
            rows.append({
                "page": name, "path": path, "status": statuses,
                "first_byte_ms_median": round(statistics.median(first), 1),
                "first_byte_ms_p90": round(sorted(first)[int(0.9 * (len(first) - 1))], 1),
                "whole_ms_median": round(statistics.median(whole), 1),
            })  # fmt: skip
        for client in clients.values():
            client.close()
    finally:
        stop(server)
    reference = rows[0]["first_byte_ms_median"]
    for row in rows:
        row["vs_health"] = round(row["first_byte_ms_median"] / max(reference, 1e-9), 1)
        row["under_slo"] = row["first_byte_ms_p90"] <= SLO_MS and row["status"] == [200]
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "data_dir": str(data_dir),
               "repeat": args.repeat, "slo_ms": SLO_MS, "load_average": [round(v, 1) for v in os.getloadavg()],
               "pages": rows}  # fmt: skip
    lines = ["# First content of each page (`bench/pages.py`)", "",
             f"`llm4retail serve` (one process) over `{data_dir}`, {args.repeat} timed requests per page after 3 warm-up ones; "
             f"load average {results['load_average']}. Time to the first byte (server time plus loopback).", "",
             "| page | path | status | first byte median ms | p90 ms | whole answer median ms | × /health | p90 ≤ 500 ms |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r['page']} | `{r['path']}` | {','.join(map(str, r['status']))} | {r['first_byte_ms_median']} | "
              f"{r['first_byte_ms_p90']} | {r['whole_ms_median']} | {r['vs_health']} | {'yes' if r['under_slo'] else 'NO'} |"
              for r in rows]  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{args.output}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Load benchmark: `llm4retail serve` on loopback under HTTP load (a bounded run, not a test).

One run measures, against `llm4retail serve --workers N` on this machine (N: one per CPU by default):

1. **the generator's own ceiling**: the same client and code path against a trivial HTTP server in
   another process (asyncio, a fixed body for every request), and against the API's `/health`; the
   rates below are also given as a share of it, so a figure from a busy machine can still be read;
2. **search**: the highest offered rate held for `--hold-seconds` with p99 <= `--slo-ms` and no error.
   The load is open-loop: requests leave on a fixed schedule whatever the server does, and each
   latency is counted from its scheduled send time, so a server falling behind cannot slow the
   generator down and hide its own queue. Short probes step the rate up until one fails; the best
   passing rate is then held (and, while a hold fails, each lower passing rate in turn, at most 5 holds);
3. **search with 10 and 100 concurrent users** (closed loop: a user sends, waits for the answer,
   thinks `--think-seconds` (uniform 0.5-1.5x), and repeats): p99 of each and their ratio (acceptance:
   at most 3); and the same users with no think time (saturation: throughput, and the server's CPU
   per request, which shows whether work per search grows with concurrency);
4. **a recommendations / product page mix** (product page, similar items, bought together, session
   recommendations) and **a guest chat mix**, each stepped and held like search.

Search queries are the distinct judged queries of a search dataset (default: Home Depot, 11,795),
shuffled and sent in turn, so a cache cannot carry the load; the server's own caches are smaller
than that cycle. Rate limits are switched off in the server under test
(`LLM4RETAIL_API__RATE_LIMIT__ENABLED=false`, as docs/server.md says for load tests).

Writes `bench/results/load.json` and `bench/results/load.md` (or `--output NAME`).

Usage:
    python bench/load.py                   # ~15 min; the demo store is built once into a temporary folder
    python bench/load.py --quick           # ~3 min: short probes and holds
    python bench/load.py --data-dir store --queries ../shared/datasets/wands --phases search,users
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np

from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table

logger = logging.getLogger("bench.load")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = ROOT.parent / "shared" / "datasets" / "homedepot_search"
DEFAULT_STORE = Path(tempfile.gettempdir()) / "llm4retail-load-demo"
RESULTS = ROOT / "bench" / "results"
RATE_STEPS = (10, 20, 35, 50, 75, 100, 150, 175, 200, 225, 250, 300, 400, 500, 650, 800, 1000, 1300, 1600, 2000)
MAX_HOLDS = 5  # holds tried per workload, from the best passing probe down
MAX_IN_FLIGHT = 512  # open loop: beyond this many unanswered requests a send counts as an error
CHAT_TEMPLATES = (
    "do you have {q}?", "I am looking for {q}", "{q} under 50", "is {q} in stock?", "what is your return policy?",
    "how long does shipping take?", "recommend {q}", "which {q} is the best?",
)  # fmt: skip

Request = tuple[str, str, dict[str, Any]]  # method, path, aiohttp request keyword arguments (params, json)


# -- workloads --------------------------------------------------------------------------------------
def cycle(items: list[str], *, seed: int) -> Iterator[str]:
    """The items shuffled, in turn, forever (reshuffled each round)."""
    rng = random.Random(seed)
    order = list(items)
    while True:
        rng.shuffle(order)
        yield from order


def search_workload(queries: list[str]) -> Callable[[], Request]:
    stream = cycle(queries, seed=1)
    return lambda: ("GET", "/search", {"params": {"q": next(stream)}})


def product_workload(product_ids: list[str]) -> Callable[[], Request]:
    """Product page 40%, similar items 25%, bought together 20%, session recommendations 15%."""
    rng = random.Random(2)
    stream = cycle(product_ids, seed=3)

    def next_request() -> Request:
        draw, product_id = rng.random(), next(stream)
        if draw < 0.40:
            return "GET", f"/products/{product_id}", {}
        if draw < 0.65:
            return "GET", f"/products/{product_id}/similar", {}
        if draw < 0.85:
            return "GET", f"/products/{product_id}/bought-together", {}
        viewed = [product_id] + rng.sample(product_ids, k=min(3, len(product_ids)))
        return "POST", "/recommendations/session", {"json": {"product_ids": viewed, "top_k": 10}}

    return next_request


def chat_workload(queries: list[str]) -> Callable[[], Request]:
    """Guest messages: product questions built from the judged queries, and policy questions."""
    rng = random.Random(4)
    stream = cycle(queries, seed=5)
    return lambda: ("POST", "/chat", {"json": {"message": rng.choice(CHAT_TEMPLATES).format(q=next(stream))}})


# -- measuring ---------------------------------------------------------------------------------------
@dataclass
class Phase:
    """What one load phase saw."""

    name: str
    seconds: float
    offered_per_second: float | None = None
    users: int | None = None
    latencies: list[float] = field(default_factory=list, repr=False)
    errors: dict[str, int] = field(default_factory=dict)
    empty_results: int = 0
    generator_cpu_seconds: float = 0.0
    server_cpu_seconds: float | None = None
    worker_cpu_seconds: list[float] = field(default_factory=list)  # each worker process's (balance)

    def record(self, latency: float, error: str | None, *, empty: bool = False) -> None:
        self.latencies.append(latency)
        if error:
            self.errors[error] = self.errors.get(error, 0) + 1
        self.empty_results += empty

    @property
    def n_errors(self) -> int:
        return sum(self.errors.values())

    def p99_ms(self) -> float:
        return 1000 * float(np.percentile(self.latencies, 99)) if self.latencies else float("inf")

    def summary(self) -> dict[str, Any]:
        timings = np.asarray(self.latencies) * 1000 if self.latencies else np.asarray([np.inf])
        done = len(self.latencies)
        out: dict[str, Any] = {
            "name": self.name, "seconds": round(self.seconds, 1), "offered_per_second": self.offered_per_second,
            "users": self.users, "requests": done, "achieved_per_second": round(done / self.seconds, 1),
            "errors": self.n_errors, "error_kinds": self.errors, "empty_results": self.empty_results,
            "p50_ms": round(float(np.percentile(timings, 50)), 1), "p90_ms": round(float(np.percentile(timings, 90)), 1),
            "p99_ms": round(float(np.percentile(timings, 99)), 1), "max_ms": round(float(timings.max()), 1),
            "generator_cpu_share": round(self.generator_cpu_seconds / self.seconds, 2),
        }  # fmt: skip
        if self.server_cpu_seconds is not None and done:
            out["server_cpu_ms_per_request"] = round(1000 * self.server_cpu_seconds / done, 2)
            out["server_cpu_share"] = round(self.server_cpu_seconds / self.seconds, 2)
        if len(self.worker_cpu_seconds) > 1:
            out["worker_cpu_shares"] = [round(seconds / self.seconds, 2) for seconds in self.worker_cpu_seconds]
        return out


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process and its live child processes (the workers of
    `serve --workers N`; Linux /proc), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for child in child_pids(pid):
        total += process_cpu_seconds(child) or 0.0
    return total


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (every thread's list, Linux /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


class Generator:
    """Sends requests to one base URL and times them.

    Each request goes out on a keep-alive connection drawn at random from the idle ones (a new one
    when none is idle), as the requests of many shoppers arrive over many connections. A server of
    several worker processes is given connections, not requests, by the kernel: a generator that
    reused its most recent connection would send nearly everything to one worker, and connections
    kept for a whole run keep the split the first burst happened to make (one run measured one worker
    at 1:01 of CPU against 0:33 for the other). So each connection is closed after `recycle_after`
    requests, as browsers and proxies do, and its successor goes to whichever worker accepts first.

    aiohttp, one session per connection: 0.13 ms of the generator's CPU per request, against 1.2 ms
    for httpx (measured against the trivial server). The generator shares the machine's cores with
    the server, so what it spends is taken from the server under test.
    """

    def __init__(
        self, base_url: str, *, server_pid: int | None, timeout: float, seed: int = 0, recycle_after: int = 50
    ) -> None:
        self.base_url, self.timeout, self.server_pid = base_url.rstrip("/"), timeout, server_pid
        self.idle: list[aiohttp.ClientSession] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.used: dict[int, int] = {}  # requests sent on each connection
        self.recycle_after = recycle_after
        self.closing: set[asyncio.Task[None]] = set()  # connections being closed (a task needs a reference)
        self.rng = random.Random(seed)

    async def close(self) -> None:
        await asyncio.gather(*(session.close() for session in self.sessions), *self.closing)

    async def one(self, request: Request, phase: Phase, started: float) -> None:
        method, path, options = request
        error, empty = None, False
        session = self._take()
        try:
            async with session.request(method, self.base_url + path, **options) as response:
                body = await response.read()
                if response.status >= 300:
                    error = f"http {response.status}"
                elif path == "/search":
                    empty = b'"total":0,' in body
        except (TimeoutError, aiohttp.ClientError) as caught:
            error = type(caught).__name__
        finally:
            self._give_back(session)
        phase.record(asyncio.get_running_loop().time() - started, error, empty=empty)

    def _give_back(self, session: aiohttp.ClientSession) -> None:
        """Back to the idle pool, or closed after `recycle_after` requests: connections are reopened from
        time to time (as browsers and proxies do), so the kernel hands them to whichever worker accepts
        first, a free one, instead of keeping the split the first burst happened to make."""
        count = self.used.get(id(session), 0) + 1
        if count < self.recycle_after:
            self.used[id(session)] = count
            self.idle.append(session)
            return
        self.used.pop(id(session), None)
        self.sessions.remove(session)
        task = asyncio.get_running_loop().create_task(session.close())
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    def _take(self) -> aiohttp.ClientSession:
        if not self.idle:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
            self.sessions.append(session)
            return session
        index = self.rng.randrange(len(self.idle))
        self.idle[index], self.idle[-1] = self.idle[-1], self.idle[index]
        return self.idle.pop()

    async def _measured(self, phase: Phase, body: Callable[[], Any]) -> Phase:
        loop = asyncio.get_running_loop()
        workers = child_pids(self.server_pid) if self.server_pid else []
        worker_cpu = [process_cpu_seconds(pid) or 0.0 for pid in workers]
        cpu, server_cpu, wall = time.process_time(), process_cpu_seconds(self.server_pid), loop.time()
        await body()
        phase.seconds = loop.time() - wall
        phase.generator_cpu_seconds = time.process_time() - cpu
        after = process_cpu_seconds(self.server_pid)
        phase.server_cpu_seconds = None if server_cpu is None or after is None else after - server_cpu
        phase.worker_cpu_seconds = [
            (process_cpu_seconds(pid) or 0.0) - before for pid, before in zip(workers, worker_cpu)
        ]
        return phase

    async def open_loop(self, name: str, workload: Callable[[], Request], *, rate: float, seconds: float) -> Phase:
        """`rate` requests a second on a fixed schedule for `seconds`; latency from each scheduled time."""
        phase = Phase(name, seconds, offered_per_second=rate)
        loop = asyncio.get_running_loop()

        async def body() -> None:
            pending: set[asyncio.Task[None]] = set()
            start = loop.time()
            for index in range(int(rate * seconds)):
                scheduled = start + index / rate
                if (delay := scheduled - loop.time()) > 0:
                    await asyncio.sleep(delay)
                if len(pending) >= MAX_IN_FLIGHT:
                    phase.record(loop.time() - scheduled, "generator: too many in flight")
                    continue
                task = asyncio.create_task(self.one(workload(), phase, scheduled))
                pending.add(task)
                task.add_done_callback(pending.discard)
            await asyncio.gather(*pending)

        return await self._measured(phase, body)

    async def closed_loop(
        self, name: str, workload: Callable[[], Request], *, users: int, seconds: float, think: float
    ) -> Phase:
        """`users` users, each sending one request at a time and thinking `think` (0.5-1.5x) in between."""
        phase = Phase(name, seconds, users=users)
        loop = asyncio.get_running_loop()

        async def user(number: int) -> None:
            rng = random.Random(number)
            end = loop.time() + seconds
            await asyncio.sleep(rng.uniform(0, think))  # users arrive spread over one think time
            while loop.time() < end:
                await self.one(workload(), phase, loop.time())
                if think:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))

        async def body() -> None:
            await asyncio.gather(*(user(number) for number in range(users)))

        return await self._measured(phase, body)


async def highest_held_rate(
    generator: Generator, name: str, workload: Callable[[], Request], *, probe: float, hold: float, slo_ms: float
) -> dict[str, Any]:
    """Steps the offered rate up with short probes, then holds the best passing rate for `hold` seconds."""

    def passed(phase: Phase) -> bool:
        return phase.n_errors == 0 and phase.p99_ms() <= slo_ms

    probes, passing = [], []
    for rate in RATE_STEPS:
        phase = await generator.open_loop(f"{name} probe", workload, rate=rate, seconds=probe)
        probes.append(phase.summary())
        logger.info("%s probe %s/s: p99 %.1f ms, %d errors", name, rate, phase.p99_ms(), phase.n_errors)
        await asyncio.sleep(1)  # let the server drain
        if not passed(phase):
            break
        passing.append(rate)
    held: dict[str, Any] | None = None
    for rate in passing[::-1][:MAX_HOLDS]:  # the best probe, else the ones below it in turn (a hold is longer)
        phase = await generator.open_loop(f"{name} hold", workload, rate=rate, seconds=hold)
        logger.info("%s hold %s/s for %.0f s: p99 %.1f ms, %d errors", name, rate, hold, phase.p99_ms(), phase.n_errors)
        held = {"rate_per_second": rate, "held": passed(phase), **phase.summary()}
        await asyncio.sleep(1)
        if held["held"]:
            break
    best = held["rate_per_second"] if held and held["held"] else 0
    return {"highest_held_per_second": best, "slo_p99_ms": slo_ms, "hold": held, "probes": probes}


# -- the servers ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


TRIVIAL_SERVER = """
import asyncio, sys
BODY = b'{"status":"ok"}'
ANSWER = b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: %d\\r\\n\\r\\n%s" % (len(BODY), BODY)
class Answer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while b"\\r\\n\\r\\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\\r\\n\\r\\n", 1)
            self.transport.write(ANSWER)
async def main():
    server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


def wait_until(url: str, *, seconds: float, ready: Callable[[httpx.Response], bool], times: int = 1) -> None:
    """Until `ready` holds for `times` answers in a row (several workers answer in turn: each must be ready)."""
    deadline, in_a_row = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        try:
            # a new connection each time, so that the kernel hands it to any of the workers
            in_a_row = in_a_row + 1 if ready(httpx.get(url, timeout=5, headers={"Connection": "close"})) else 0
            if in_a_row >= times:
                return
            if in_a_row:
                continue
        except httpx.HTTPError:
            in_a_row = 0
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not become ready within {seconds:.0f} s")


def all_models_loaded(response: httpx.Response) -> bool:
    """Ready once the start-up work (training what is missing, loading the rest) is over."""
    if response.status_code != 200:
        return False
    body = response.json()
    states = {model.get("state") for model in body.get("models", [])}
    return body.get("training") is False and not states & {"loading", "training"}


def ensure_demo_store(data_dir: Path) -> None:
    """Creates and trains the demo store once (reused by later runs)."""
    if (data_dir / ".load-demo-ready").exists():
        return
    logger.info("creating the demo store in %s (once; later runs reuse it)", data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "-q", "demo", "init"], check=True
    )
    (data_dir / ".load-demo-ready").write_text("ok\n")


def start_server(data_dir: Path, port: int, log_path: Path, *, workers: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false"}
    command = [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    with log_path.open("wb") as log:
        # cwd: the data folder, so `-m` finds the installed package (or PYTHONPATH's), not a checkout in cwd
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=data_dir)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- the run -----------------------------------------------------------------------------------------
def load_queries(dataset: Path) -> list[str]:
    frame, _ = read_table(dataset, Table.QUERIES)
    queries = sorted({str(query).strip() for query in frame["query"] if str(query).strip()})
    if len(queries) < 1000:
        logger.warning("only %d distinct queries in %s: caches may carry part of the load", len(queries), dataset)
    return queries


async def run_phases(args: argparse.Namespace, api: str, server_pid: int, trivial: str) -> dict[str, Any]:
    queries = load_queries(args.queries)
    results: dict[str, Any] = {"distinct_queries": len(queries), "query_dataset": str(args.queries)}
    phases = set(args.phases.split(","))
    ceiling_users = 32
    trivial_generator = Generator(trivial, server_pid=None, timeout=args.timeout)
    health = lambda: ("GET", "/health", {})  # noqa: E731
    ceiling = await trivial_generator.closed_loop("generator ceiling", health, users=ceiling_users,
                                                  seconds=args.ceiling_seconds, think=0.0)  # fmt: skip
    await trivial_generator.close()
    results["generator_ceiling"] = ceiling.summary()
    generator = Generator(api, server_pid=server_pid, timeout=args.timeout)
    try:
        # also opens the pool of keep-alive connections (32, spread over the workers) the phases draw from
        health_phase = await generator.closed_loop("api /health", health, users=ceiling_users,
                                                   seconds=args.ceiling_seconds, think=0.0)  # fmt: skip
        results["api_health"] = health_phase.summary()
        search = search_workload(queries)
        if "search" in phases:
            results["search"] = await highest_held_rate(generator, "search", search, probe=args.probe_seconds,
                                                        hold=args.hold_seconds, slo_ms=args.slo_ms)  # fmt: skip
        if "users" in phases:
            results["users"] = await users_phases(generator, search, args)
        if "products" in phases:
            page = httpx.get(f"{api}/products", params={"limit": 1000}, timeout=30).json()
            product_ids = [item["product_id"] for item in page["items"]]
            results["products_mix"] = await highest_held_rate(
                generator, "products", product_workload(product_ids), probe=args.probe_seconds,
                hold=args.hold_seconds, slo_ms=args.slo_ms,
            )  # fmt: skip
        if "chat" in phases:
            results["chat_mix"] = await highest_held_rate(generator, "chat", chat_workload(queries), probe=args.probe_seconds,
                                                          hold=args.hold_seconds, slo_ms=args.chat_slo_ms)  # fmt: skip
    finally:
        await generator.close()
    return results


async def users_phases(generator: Generator, search: Callable[[], Request], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"think_seconds": args.think_seconds}
    for think, label in ((args.think_seconds, "thinking"), (0.0, "saturated")):
        for users in (10, 100):
            phase = await generator.closed_loop(f"search {users} users {label}", search, users=users,
                                                seconds=args.users_seconds, think=think)  # fmt: skip
            out[f"{label}_{users}"] = phase.summary()
            logger.info("%s: %.1f/s, p99 %.1f ms", phase.name, len(phase.latencies) / phase.seconds, phase.p99_ms())
            await asyncio.sleep(1)
        out[f"{label}_p99_ratio_100_vs_10"] = round(
            out[f"{label}_100"]["p99_ms"] / max(out[f"{label}_10"]["p99_ms"], 1e-9), 2
        )
    return out


def markdown(results: dict[str, Any]) -> str:
    ceiling = results["generator_ceiling"]["achieved_per_second"]
    lines = [
        "# Load benchmark (`bench/load.py`)", "",
        f"Server: `llm4retail serve --workers {results['options']['workers']}`, {results['cpus']} CPUs visible, data `{results['data_dir']}`; "
        f"{results['distinct_queries']} distinct judged queries from `{Path(results['query_dataset']).name}`; "
        f"run {results['started']}, {results['wall_seconds']:.0f} s, options `{results['options']}`.", "",
        f"Load average at the start (other work on the machine): {results['load_average']}.", "",
        f"Generator ceiling (trivial server, same client): **{ceiling:.0f} req/s**; API `/health`: "
        f"{results['api_health']['achieved_per_second']:.0f} req/s.", "",
        "| workload | highest rate held (p99 ≤ SLO, 0 errors) | share of generator ceiling | hold p99 ms | server CPU ms/request |",
        "|---|---|---|---|---|",
    ]  # fmt: skip
    for key in ("search", "products_mix", "chat_mix"):
        if key not in results:
            continue
        found, hold = results[key], results[key]["hold"] or {}
        rate = found["highest_held_per_second"]
        lines.append(f"| {key} (SLO {found['slo_p99_ms']:.0f} ms, hold {hold.get('seconds', 0):.0f} s) | {rate} req/s | "
                     f"{rate / ceiling:.3f} | {hold.get('p99_ms', '-')} | {hold.get('server_cpu_ms_per_request', '-')} |")  # fmt: skip
    if "users" in results:
        users = results["users"]
        lines += ["", f"Concurrent users on search (think {users['think_seconds']} s each; saturated: no think time):", "",
                  "| users | req/s | p50 ms | p99 ms | server CPU ms/request |", "|---|---|---|---|---|"]  # fmt: skip
        for label in ("thinking", "saturated"):
            for count in (10, 100):
                row = users[f"{label}_{count}"]
                lines.append(f"| {count} {label} | {row['achieved_per_second']} | {row['p50_ms']} | {row['p99_ms']} | "
                             f"{row.get('server_cpu_ms_per_request', '-')} |")  # fmt: skip
        lines += ["", f"p99 growth from 10 to 100 users: {users['thinking_p99_ratio_100_vs_10']}x with think time "
                      f"(acceptance ≤ 3x), {users['saturated_p99_ratio_100_vs_10']}x saturated."]  # fmt: skip
        saturated = users["saturated_10"]
        if saturated.get("server_cpu_ms_per_request"):
            lines += ["", f"Saturated, the server used {saturated['server_cpu_share']} of a core "
                          f"({saturated['server_cpu_ms_per_request']} ms of CPU per search): {results['cpus']} idle "
                          f"cores would give about {1000 * results['cpus'] / saturated['server_cpu_ms_per_request']:.0f} "
                          "searches/s (an estimate from CPU time, not a measured rate)."]  # fmt: skip
    return "\n".join(lines) + "\n"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help=f"store to serve (default: the demo store in {DEFAULT_STORE})")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server worker processes (`serve --workers`; default: one per CPU, as docs/server.md advises)",
    )
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="dataset folder with queries.csv(.gz)")
    parser.add_argument("--phases", default="search,users,products,chat")
    parser.add_argument("--quick", action="store_true", help="short probes and holds (about 3 minutes)")
    parser.add_argument("--probe-seconds", type=float, default=8.0)
    parser.add_argument("--hold-seconds", type=float, default=60.0)
    parser.add_argument("--users-seconds", type=float, default=30.0)
    parser.add_argument("--ceiling-seconds", type=float, default=10.0)
    parser.add_argument("--think-seconds", type=float, default=1.0)
    parser.add_argument("--slo-ms", type=float, default=100.0, help="p99 target of search and the product mix")
    parser.add_argument("--chat-slo-ms", type=float, default=1000.0, help="p99 target of the chat mix")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as an error")
    parser.add_argument("--output", default="load", help="results name: bench/results/NAME.json and NAME.md")
    args = parser.parse_args()
    if args.quick:
        args.probe_seconds, args.hold_seconds, args.users_seconds, args.ceiling_seconds = 3.0, 10.0, 8.0, 4.0
    return args


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness polls
    args = parse_arguments()
    data_dir = (args.data_dir or DEFAULT_STORE).resolve()
    if args.data_dir is None:
        ensure_demo_store(data_dir)
    started, wall = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), time.monotonic()
    load_average = os.getloadavg()
    api_port, trivial_port = free_port(), free_port()
    log_path = Path(tempfile.gettempdir()) / f"llm4retail-load-server-{api_port}.log"
    server = start_server(data_dir, api_port, log_path, workers=args.workers)
    trivial = subprocess.Popen([sys.executable, "-c", TRIVIAL_SERVER, str(trivial_port)])
    try:
        api = f"http://127.0.0.1:{api_port}"
        wait_until(f"{api}/ready", seconds=600, ready=all_models_loaded, times=8 * args.workers)
        wait_until(f"http://127.0.0.1:{trivial_port}/", seconds=30, ready=lambda response: response.status_code == 200)
        results = asyncio.run(run_phases(args, api, server.pid, f"http://127.0.0.1:{trivial_port}"))
    finally:
        stop(server)
        stop(trivial)
    options = {key: value for key, value in vars(args).items() if key not in {"output", "data_dir", "queries"}}
    results = {"started": started, "wall_seconds": round(time.monotonic() - wall, 1), "cpus": os.cpu_count(),
               "load_average": [round(value, 1) for value in load_average],
               "data_dir": str(data_dir), "options": options, "server_log": str(log_path), **results}  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    (RESULTS / f"{args.output}.md").write_text(markdown(results), encoding="utf-8")
    sys.stdout.write(markdown(results))


if __name__ == "__main__":
    main()

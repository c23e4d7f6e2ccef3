"""Benchmark: streaming import of a large events file (default 3 million rows) into the store.

Measures wall time, rows/s and peak memory (max RSS of the child process) of
`llm4retail data import`, and of a reference measured in the same run: pandas
`read_csv` of the whole file followed by `DataFrame.to_sql` into SQLite (the
load-everything approach, no validation, no upsert). Prints one JSON object.

Usage:
    python bench/import_events.py [--rows 3000000] [--backend sqlite|postgresql] [--chunk-rows 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

POSTGRES_URL = os.environ.get("LLM4RETAIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def make_events(path: Path, rows: int, seed: int = 0) -> None:
    """A realistic clickstream: 100k customers, 50k products, Zipf popularity, Unix-second times."""
    rng = np.random.default_rng(seed)
    written = 0
    start = 1_700_000_000
    header = True
    while written < rows:
        n = min(500_000, rows - written)
        frame = pd.DataFrame(
            {
                "customer_id": "c" + pd.Series(rng.integers(0, 100_000, n)).astype(str),
                "product_id": "p" + pd.Series(np.minimum(rng.zipf(1.3, n), 50_000)).astype(str),
                "timestamp": start + written + np.arange(n),
                "event_type": rng.choice(["view", "add_to_cart", "purchase"], n, p=[0.85, 0.1, 0.05]),
                "session_id": "s" + pd.Series(rng.integers(0, 400_000, n)).astype(str),
            }
        )
        frame.to_csv(path, mode="a", header=header, index=False, compression="gzip")
        header = False
        written += n


def run_child(code: str) -> tuple[float, float]:
    """Run `code` in a fresh interpreter; return (seconds, peak RSS MiB) of that child alone."""
    report_peak = "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", code + report_peak], capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{finished.stderr}")
    seconds = time.perf_counter() - started
    return seconds, int(finished.stdout.split()[-1]) / 1024.0  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "events.csv.gz"
        make_events(path, args.rows)
        if args.backend == "postgresql":
            schema = f"bench_{os.getpid()}"
            url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
            setup = f"import sqlalchemy as sa; e=sa.create_engine('{POSTGRES_URL.replace('postgresql://', 'postgresql+psycopg://')}')\n"
            subprocess.run([sys.executable, "-c", setup + f"with e.begin() as c: c.execute(sa.text('CREATE SCHEMA {schema}'))"], check=True)
        else:
            url = None
        ours = (
            "from llm4retail.data.importer import import_path; from llm4retail.data.store import Store; from pathlib import Path\n"
            f"store = Store({repr('sqlite:///' + str(work / 'ours.sqlite')) if url is None else repr(url.replace('postgresql://', 'postgresql+psycopg://'))})\n"
            f"report = import_path(Path({str(path)!r}), store=store, chunk_rows={args.chunk_rows})\n"
            f"assert report.totals()['events']['accepted'] == {args.rows}, report.totals()\n"
            f"assert store.count(__import__('llm4retail.data.schemas', fromlist=['Table']).Table.EVENTS) == {args.rows}\n"
        )
        ours_seconds, ours_mib = run_child(ours)
        reference = (
            "import pandas as pd, sqlite3\n"
            f"frame = pd.read_csv({str(path)!r})\n"
            f"frame.to_sql('events', sqlite3.connect({str(work / 'ref.sqlite')!r}), index=False, chunksize=50000)\n"
        )
        reference_seconds, reference_mib = run_child(reference)
        if args.backend == "postgresql":
            subprocess.run([sys.executable, "-c", setup + f"with e.begin() as c: c.execute(sa.text('DROP SCHEMA {schema} CASCADE'))"], check=True)
    result = {
        "rows": args.rows,
        "backend": args.backend,
        "chunk_rows": args.chunk_rows,
        "import_seconds": round(ours_seconds, 2),
        "import_rows_per_second": round(args.rows / ours_seconds),
        "import_peak_rss_mib": round(ours_mib, 1),
        "reference": "pandas.read_csv + DataFrame.to_sql (sqlite), whole file in memory, no validation",
        "reference_seconds": round(reference_seconds, 2),
        "reference_peak_rss_mib": round(reference_mib, 1),
        "time_ratio_vs_reference": round(ours_seconds / reference_seconds, 2),
        "memory_ratio_vs_reference": round(ours_mib / reference_mib, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Importer: rejected rows reported, idempotent re-imports, an interrupted import re-run, eval reads."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from llm4retail.data.importer import import_path, read_table
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, MissingColumnError

pytestmark = pytest.mark.integration


def _write_products(path: Path) -> None:
    path.write_text(
        "product_id,title,price,colour\n"
        "p1,Red sofa,499,red\n"
        "p2,,10,\n"  # line 3: empty title
        "p3,Lamp,abc,\n"  # line 4: bad price
        'p4,"Rug, wool",20,grey\n'
        "p5,Mat,5,blue,extra\n",  # line 6: too many fields
        encoding="utf-8",
    )


def test_bad_rows_are_reported_and_good_rows_imported(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    _write_products(path)
    rejections = tmp_path / "rejections.csv"
    report = import_path(path, store=store, rejections_path=rejections)
    assert report.totals() == {"products": {"accepted": 2, "rejected": 3}}
    (file_report,) = report.files
    assert [(r.line, r.reason) for r in file_report.rejections] == [
        (3, "required column 'title' is empty"),
        (4, "column 'price': cannot read 'abc' as a number"),
        (6, "expected 4 fields, found 5"),
    ]
    with open(rejections, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["source"], row["line"]) for row in rows] == [(str(path), "3"), (str(path), "4"), (str(path), "6")]
    assert store.get(Table.PRODUCTS, ("p4",))["attributes"] == {"colour": "grey"}


def test_missing_required_column_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("product_id,price\np1,3\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match="required column 'title'"):
        import_path(path, store=store)
    assert store.count(Table.PRODUCTS) == 0


def test_reimport_gives_the_same_counts(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    frame = pd.DataFrame(
        {"customer_id": ["c1", "c1", "c2", "c1"], "product_id": ["a", "a", "b", "a"], "timestamp": [1, 1, 2, 1]}
    )
    frame.to_json(path, orient="records", lines=True, compression="gzip")
    first = import_path(path, store=store, chunk_rows=2)
    second = import_path(path, store=store, chunk_rows=3)
    assert first.totals() == second.totals() == {"events": {"accepted": 4, "rejected": 0}}
    # identical rows on different lines are distinct events; a re-import adds nothing
    assert store.count(Table.EVENTS) == 4
    assert first.files[0].new_rows == 4 and second.files[0].new_rows == 0


def test_unknown_table_and_path_are_clear_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="no such file or folder"):
        import_path(tmp_path / "missing.csv", store=store)
    odd = tmp_path / "mystery.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="pass --table"):
        import_path(odd, store=store)


def test_read_table_for_eval(tmp_path: Path) -> None:
    path = tmp_path / "qrels.csv"
    path.write_text("query_id,product_id,grade\nq1,p1,2\nq1,p2,x\n", encoding="utf-8")
    frame, rejections = read_table(path, Table.JUDGEMENTS)
    assert frame[["query_id", "product_id", "grade"]].values.tolist() == [["q1", "p1", 2]]
    assert [(r.line, "grade" in r.reason) for r in rejections] == [(3, True)]


def _events_file(path: Path, rows: int) -> None:
    customers = [f"c{i % 997}" for i in range(rows)]
    frame = pd.DataFrame({"customer_id": customers, "product_id": [f"p{i % 503}" for i in range(rows)], "seq": range(rows)})
    frame.to_csv(path, index=False)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_import_rerun_ends_with_one_complete_import(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'llm4retail.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_schema")
    path = tmp_path / "events.csv"
    rows = 120_000
    _events_file(path, rows)
    env = {**os.environ, "LLM4RETAIL_DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://")}
    if backend == "sqlite":
        env["LLM4RETAIL_DATA_DIR"] = str(tmp_path)
        env.pop("LLM4RETAIL_DATABASE_URL")
    command = [sys.executable, "-m", "llm4retail.cli", "data", "import", str(path), "--chunk-rows", "5000", "--json"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    store = Store(url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if store.ping() and _count_or_zero(store) >= 10_000:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = _count_or_zero(store)
    assert 0 < partial < rows, "the import should have been killed half-way"
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(rerun.stdout)["tables"] == {"events": {"accepted": rows, "rejected": 0}}
    assert store.count(Table.EVENTS) == rows
    store.close()


def _count_or_zero(store: Store) -> int:
    try:
        return store.count(Table.EVENTS)
    except sa.exc.SQLAlchemyError:  # the child may not have created the table yet
        return 0

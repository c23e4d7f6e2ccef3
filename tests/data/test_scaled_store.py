"""`demo init --scale N`: N blocks of the demo's size with unique ids, consistent references, and memory of
one block however large the store."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.data.demo import init_demo_store
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.data.synthetic import SHARED_TABLES, generate_demo_store, generate_scaled_blocks
from llm4retail.errors import ConfigError


@pytest.fixture(scope="module")
def three_blocks() -> dict[Table, pd.DataFrame]:
    blocks = list(generate_scaled_blocks(seed=42, scale=3))
    assert [block for block, _, _ in blocks] == [0, 1, 2]
    return {table: pd.concat([tables[table] for _, tables, _ in blocks if table in tables], ignore_index=True)
            for table in Table}  # fmt: skip


def test_keys_are_unique_across_blocks(three_blocks: dict[Table, pd.DataFrame]) -> None:
    for table, key in ((Table.PRODUCTS, "product_id"), (Table.CUSTOMERS, "customer_id"), (Table.EVENTS, "event_id"),
                       (Table.ORDERS, "order_id"), (Table.REVIEWS, "review_id"), (Table.PAYMENTS, "payment_id")):  # fmt: skip
        assert three_blocks[table][key].is_unique, table
    assert len(three_blocks[Table.PRODUCTS]) == 6000 and len(three_blocks[Table.CUSTOMERS]) == 3000
    assert three_blocks[Table.SALES]["product_id"].nunique() == 300  # 100 series a block
    for table in SHARED_TABLES:  # once, from block 0
        assert len(three_blocks[table]) == len(generate_demo_store(seed=42).tables[table])


def test_every_reference_points_at_a_row_of_the_same_store(three_blocks: dict[Table, pd.DataFrame]) -> None:
    products = set(three_blocks[Table.PRODUCTS]["product_id"])
    customers = set(three_blocks[Table.CUSTOMERS]["customer_id"])
    orders = set(three_blocks[Table.ORDERS]["order_id"])
    events = three_blocks[Table.EVENTS]
    assert set(events["product_id"]) <= products and set(events["customer_id"]) <= customers
    assert set(events["order_id"].dropna()) <= orders
    assert {line["product_id"] for lines in three_blocks[Table.ORDERS]["lines"] for line in lines} <= products
    assert set(three_blocks[Table.PAYMENTS]["order_id"].dropna()) <= orders
    assert set(three_blocks[Table.REVIEWS]["product_id"]) <= products
    assert set(three_blocks[Table.SALES]["product_id"]) <= products
    assert set(three_blocks[Table.JUDGEMENTS]["product_id"]) <= products
    # a block's customers shop in their block's catalog
    block_of = events["customer_id"].str.extract(r"^(b\d+-)?")[0].fillna("")
    assert (events["product_id"].str.extract(r"^(b\d+-)?")[0].fillna("") == block_of).all()


def test_block_zero_is_the_demo_store(three_blocks: dict[Table, pd.DataFrame]) -> None:
    demo = generate_demo_store(seed=42).tables
    for table in (Table.CUSTOMERS, Table.EVENTS, Table.ORDERS):
        first = three_blocks[table].iloc[: len(demo[table])].reset_index(drop=True)
        pd.testing.assert_frame_equal(first, demo[table].reset_index(drop=True))


def _peak_bytes(scale: int) -> int:
    tracemalloc.start()
    for _block, tables, _truth in generate_scaled_blocks(seed=1, scale=scale):
        del tables
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_is_that_of_one_block_however_many_blocks() -> None:
    two, five = _peak_bytes(2), _peak_bytes(5)
    assert five < 1.15 * two, f"peak {five / 2**20:.0f} MiB for 5 blocks vs {two / 2**20:.0f} MiB for 2"


def test_init_writes_every_block(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'scaled.sqlite'}")
    written = init_demo_store(store, data_dir=tmp_path, seed=3, scale=2)
    counts = store.counts()
    assert written["products"] == counts["products"] == 4000 and written["customers"] == counts["customers"] == 2000
    assert written["events"] == counts["events"] > 150_000
    assert '"scale": 2' in (tmp_path / "demo" / "truth.json").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="scale must be an integer >= 1"):
        next(generate_scaled_blocks(seed=1, scale=0))

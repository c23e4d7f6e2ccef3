"""The store on both real backends (embedded SQLite and PostgreSQL): one code path, same results."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ConflictError, NotFoundError, StoreUnavailableError

pytestmark = pytest.mark.integration


def _products(n: int, *, price: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": [f"p{i}" for i in range(n)],
            "title": [f"产品 {i} product" for i in range(n)],
            "price": [price + i for i in range(n)],
            "attributes": [{"colour": "red", "sizes": [i, i + 1]} for i in range(n)],
            "available": [i % 2 == 0 for i in range(n)],
            "created_at": [pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i) for i in range(n)],
        }
    )


def test_upsert_is_idempotent_and_updates(store: Store) -> None:
    assert store.upsert(Table.PRODUCTS, _products(5)) == 5
    assert store.upsert(Table.PRODUCTS, _products(5, price=100.0)) == 5
    assert store.count(Table.PRODUCTS) == 5
    row = store.get(Table.PRODUCTS, ("p3",))
    assert row["price"] == 103.0
    assert row["attributes"] == {"colour": "red", "sizes": [3, 4]}
    assert row["created_at"] == dt.datetime(2024, 1, 1, 3)
    assert row["title"] == "产品 3 product"


def test_duplicate_keys_in_one_batch_keep_the_last(store: Store) -> None:
    frame = pd.concat([_products(3), _products(3, price=50.0)], ignore_index=True)
    assert store.upsert(Table.PRODUCTS, frame) == 3
    assert store.get(Table.PRODUCTS, ("p0",))["price"] == 50.0


def test_composite_keys_and_dates(store: Store) -> None:
    sales = pd.DataFrame(
        {
            "product_id": ["a", "a", "a"],
            "store_id": ["s1", "s2", "s1"],
            "date": [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")],
            "quantity": [1.0, 2.0, 3.0],
            "open": [True, True, False],
        }
    )
    store.upsert(Table.SALES, sales)
    store.upsert(Table.SALES, sales)
    assert store.count(Table.SALES) == 3
    assert store.get(Table.SALES, ("a", "s2", dt.date(2024, 1, 1)))["quantity"] == 2.0


def test_crud_errors(store: Store) -> None:
    store.insert_new(Table.CUSTOMERS, {"customer_id": "c1", "country": "CN"})
    with pytest.raises(ConflictError, match="customers 'c1' already exists"):
        store.insert_new(Table.CUSTOMERS, {"customer_id": "c1"})
    assert store.update(Table.CUSTOMERS, ("c1",), {"segment": "vip"})["segment"] == "vip"
    with pytest.raises(NotFoundError, match="customers 'nope' not found"):
        store.update(Table.CUSTOMERS, ("nope",), {"segment": "vip"})
    store.delete(Table.CUSTOMERS, ("c1",))
    with pytest.raises(NotFoundError):
        store.get(Table.CUSTOMERS, ("c1",))
    with pytest.raises(NotFoundError):
        store.delete(Table.CUSTOMERS, ("c1",))


def test_paging_and_filters(store: Store) -> None:
    store.upsert(Table.PRODUCTS, _products(12))
    rows, total = store.page(Table.PRODUCTS, limit=5, offset=10)
    assert total == 12 and [row["product_id"] for row in rows] == ["p8", "p9"]  # key order is textual
    rows, total = store.page(Table.PRODUCTS, limit=50, equals={"available": False})
    assert total == 6 and all(not row["available"] for row in rows)


def test_failed_batch_writes_nothing(store: Store) -> None:
    good = _products(3).to_dict("records")
    bad = {"product_id": None, "title": "no key"}
    with pytest.raises(sa.exc.IntegrityError, match="(?i)null"):
        store.upsert_records(Table.PRODUCTS, [*good, bad])
    assert store.count(Table.PRODUCTS) == 0


def test_read_frame_round_trip(store: Store) -> None:
    store.upsert(Table.PRODUCTS, _products(4))
    frame = store.read_frame(Table.PRODUCTS, columns=["product_id", "price"])
    assert sorted(frame["product_id"]) == ["p0", "p1", "p2", "p3"]
    assert frame["price"].sum() == pytest.approx(46.0)


def test_unreachable_database_is_a_clear_error() -> None:
    store = Store("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    assert store.ping() is False
    with pytest.raises(StoreUnavailableError, match="cannot reach the database"):
        store.create_schema()


def test_tables_are_created_once_however_many_first_callers(store: Store) -> None:
    """Concurrent first requests (threads of one store) and several workers (stores of their own) create
    a component's tables at once: no 'already exists' error reaches anyone, and the table is usable."""
    from concurrent.futures import ThreadPoolExecutor

    metadata = sa.MetaData()
    probe = sa.Table("race_probe", metadata, sa.Column("probe_id", sa.Integer, primary_key=True))
    stores = [Store(store.url) for _ in range(3)]
    try:
        with ThreadPoolExecutor(9) as pool:
            list(pool.map(lambda i: stores[i % 3].ensure_tables(metadata), range(9)))
        with stores[0].transaction() as connection:
            connection.execute(sa.insert(probe), [{"probe_id": 1}])
            assert connection.execute(sa.select(sa.func.count()).select_from(probe)).scalar_one() == 1
    finally:
        for other in stores:
            other.close()

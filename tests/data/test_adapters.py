"""Every public dataset folder imports through its adapter with the row counts its SOURCE.md gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm4retail.data.adapters import ADAPTERS, FileTask, SkippedFile, plan
from llm4retail.data.importer import import_path, read_table
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

pytestmark = pytest.mark.integration

# (accepted, rejected) per table, from each folder's SOURCE.md file inventory.
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "catalog_icecat": {"products": (19_406, 0)},
    "faq_zh_atec": {"documents": (38_987, 0), "queries": (38_993, 0), "judgements": (39_346, 0)},
    "fraud_creditcard": {"payments": (1_722 + 5_000, 0)},
    "homedepot_search": {"products": (54_667, 0), "queries": (11_795, 0), "judgements": (74_067, 0)},
    "intents_bitext": {"utterances": (8_175 + 21_534, 0)},
    "rec_amazon_s3rec": {"events": (198_502 + 296_337, 0), "products": (12_101 + 18_357, 0)},
    "reviews_marc": {"reviews": (10_000, 0)},
    # SOURCE.md: one empty review text in each of two files, reported by the importer
    "reviews_zh": {"reviews": (62_774 + 7_766 + 11_987 - 2, 2)},
    "sales_rossmann": {"sales": (18_472, 0)},
    "transactions_cdnow": {"orders": (69_659, 0)},
    "wands": {"queries": (480, 0)},
}
SMALL = ["fraud_creditcard", "intents_bitext", "reviews_marc", "sales_rossmann", "wands", "transactions_cdnow"]


def test_every_dataset_folder_has_an_adapter(datasets: Path) -> None:
    folders = {path.name for path in datasets.iterdir() if path.is_dir()}
    assert folders <= set(ADAPTERS), f"folders without an adapter: {folders - set(ADAPTERS)}"
    assert folders <= set(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dataset_imports_with_expected_counts(name: str, datasets: Path, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    report = import_path(datasets / name, store=store)
    totals = {table: (v["accepted"], v["rejected"]) for table, v in report.totals().items()}
    assert totals == EXPECTED[name]
    assert all(not file.ignored_columns or file.table in {"queries"} for file in report.files)
    counts = store.counts()
    for table, (accepted, _rejected) in EXPECTED[name].items():
        assert counts[table] == accepted
    again = import_path(datasets / name, store=store)
    assert again.totals() == report.totals() and store.counts() == counts


@pytest.mark.parametrize("name", SMALL)
def test_postgres_gives_the_same_counts(name: str, datasets: Path, store: Store) -> None:
    report = import_path(datasets / name, store=store)
    for table, (accepted, rejected) in EXPECTED[name].items():
        assert report.totals()[table] == {"accepted": accepted, "rejected": rejected}
        assert store.count(Table(table)) == accepted


def test_adapters_map_values_not_just_names(datasets: Path) -> None:
    payments, _ = read_table(datasets / "fraud_creditcard" / "creditcard_random_5000.csv.gz", Table.PAYMENTS)
    assert payments["label"].sum() == 10
    assert len(payments["features"].iloc[0]) == 29  # Time and V1..V28
    assert payments["timestamp"].min().year == 2013
    products, _ = read_table(datasets / "catalog_icecat", Table.PRODUCTS)
    first = products.iloc[0]
    assert first["price"] == pytest.approx(49.95) and first["brand"] == "Xerox"
    assert first["attributes"]["attr_t_printing_colours"] == "Black"
    sales, _ = read_table(datasets / "sales_rossmann", Table.SALES)
    assert sales["store_id"].nunique() == 20 and set(sales["product_id"]) == {"ALL"}
    assert {"StateHoliday", "SchoolHoliday", "Customers"} <= set(sales["attributes"].iloc[0])
    events, _ = read_table(datasets / "rec_amazon_s3rec" / "Beauty_events.csv.gz", Table.EVENTS)
    assert events["customer_id"].nunique() == 22_363 and events["product_id"].str.startswith("beauty:").all()
    utterances, _ = read_table(datasets / "intents_bitext", Table.UTTERANCES)
    assert utterances["intent"].nunique() == 27 and "check_invoices" not in set(utterances["intent"])


def test_skipped_files_say_why(datasets: Path) -> None:
    items = plan(datasets / "homedepot_search")
    skipped = [item for item in items if isinstance(item, SkippedFile)]
    assert [item.path.name for item in skipped] == ["train_raw.csv.gz"]
    assert "same rows" in skipped[0].reason
    assert all(isinstance(item, FileTask) for item in items if item not in skipped)

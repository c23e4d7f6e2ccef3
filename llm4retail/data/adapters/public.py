"""Adapters for the public datasets in `shared/datasets` (one per folder; see each SOURCE.md).

Each transform renames the dataset's columns to the contract's and derives what
the contract needs (ids, units, timestamps); validation happens afterwards, so
a bad value is still rejected with its line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.data.adapters.base import DatasetAdapter, Rule, register
from llm4retail.data.readers import RawChunk, iter_chunks
from llm4retail.data.schemas import Table

# The ULB card data are two days of September 2013; `Time` counts seconds from the first one.
FRAUD_EPOCH = pd.Timestamp("2013-09-01T00:00:00")
DUPLICATE = "same rows as the contract files of this folder"


def _rename(mapping: dict[str, str], *, drop: tuple[str, ...] = (), constants: dict[str, object] | None = None):
    """A transform that renames columns, drops some and adds constant columns."""

    def transform(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=[c for c in drop if c in frame.columns]).rename(columns=mapping)
        for name, value in (constants or {}).items():
            out[name] = value
        return out

    return transform


def _icecat_products(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in ("price_cents", "date_released", "name", "ean") if c in frame.columns])
    cents = pd.to_numeric(frame.get("price_cents", pd.Series(dtype=object)), errors="coerce")
    # Unreadable cents stay as the raw text so that validation rejects the row with its value.
    out["price"] = (cents / 100.0).where(cents.notna(), frame.get("price_cents"))
    out["currency"] = "USD"
    out["created_at"] = frame.get("date_released")
    extras = pd.DataFrame({"name": frame.get("name"), "ean": frame.get("ean")}, index=frame.index)
    out["attributes"] = [
        {**(attributes if isinstance(attributes, dict) else {}), **{k: v for k, v in extra.items() if v is not None}}
        for attributes, extra in zip(frame.get("attributes", [None] * len(frame)), extras.to_dict("records"))
    ]
    return out


def _fraud_payments(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in ("sample_row",) if c in frame.columns]).rename(
        columns={"Amount": "amount", "Class": "label"}
    )
    seconds = pd.to_numeric(frame.get("Time", pd.Series(dtype=object)), errors="coerce")
    stamps = FRAUD_EPOCH + pd.to_timedelta(seconds, unit="s")
    out["timestamp"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S").where(seconds.notna(), frame.get("Time"))
    out["currency"] = "EUR"
    return out  # Time and V1..V28 become numeric `features`


def _subset_prefix(path: Path) -> str:
    return path.name.split("_events")[0].split("_item2attributes")[0].lower()


def _s3rec_events(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    """Events with customer and product ids prefixed by the subset (Beauty, Sports_and_Outdoors)."""
    prefix = _subset_prefix(path)
    for chunk in iter_chunks(path, chunk_rows=chunk_rows):
        frame = chunk.frame.copy()
        for column in ("customer_id", "product_id"):
            if column in frame.columns:
                frame[column] = prefix + ":" + frame[column].astype(str)
        yield RawChunk(frame, chunk.lines, chunk.malformed)


def _s3rec_items(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    """`{item_id: [attribute ids]}` as products titled by subset and item id."""
    prefix = _subset_prefix(path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        mapping: dict[str, list[int]] = json.load(handle)
    items = list(mapping.items())
    for start in range(0, len(items), chunk_rows):
        part = items[start : start + chunk_rows]
        frame = pd.DataFrame(
            {
                "product_id": [f"{prefix}:{item}" for item, _ in part],
                "title": [f"{path.name.split('_item2attributes')[0]} item {item}" for item, _ in part],
                "attributes": [{"attribute_ids": attributes} for _, attributes in part],
            }
        )
        yield RawChunk(frame, np.arange(start + 1, start + len(part) + 1), [])


def _bitext_utterances(frame: pd.DataFrame) -> pd.DataFrame:
    # The 20k file spells a few names differently from the 8k one (SOURCE.md).
    intents = {"check_invoices": "check_invoice"}
    categories = {"INVOICES": "INVOICE", "REFUNDS": "REFUND", "SHIPPING": "SHIPPING_ADDRESS"}
    out = frame.copy()
    if "intent" in out.columns:
        out["intent"] = out["intent"].replace(intents)
    if "category" in out.columns:
        out["category"] = out["category"].replace(categories)
    out["language"] = "en"
    return out


def _rossmann_sales(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in ("DayOfWeek",) if c in frame.columns]).rename(
        columns={"Store": "store_id", "Date": "date", "Sales": "quantity", "Promo": "on_promotion", "Open": "open"}
    )
    out["product_id"] = "ALL"  # store-level turnover, not units of a product (SOURCE.md)
    return out  # Customers, StateHoliday, SchoolHoliday go to `attributes`


def _cdnow_orders(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    """One order per row; a customer can order twice a day, so the line makes the id unique."""
    for chunk in iter_chunks(path, chunk_rows=chunk_rows):
        yield RawChunk(_cdnow_frame(chunk.frame, chunk.lines), chunk.lines, chunk.malformed)


def _cdnow_frame(frame: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    dates = frame.get("date", pd.Series(dtype=object))
    quantity = pd.to_numeric(frame.get("number_of_cds", pd.Series(dtype=object)), errors="coerce")
    value = pd.to_numeric(frame.get("dollar_value", pd.Series(dtype=object)), errors="coerce")
    out = pd.DataFrame(index=frame.index)
    out["order_id"] = frame["customer_id"].astype(str) + "-" + dates.astype(str) + "-" + lines.astype(str)
    out["customer_id"] = frame.get("customer_id")
    parsed = pd.to_datetime(dates, format="%Y%m%d", errors="coerce")
    out["created_at"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), dates)
    out["status"] = "completed"
    out["total"] = frame.get("dollar_value")
    out["currency"] = "USD"
    # The log has no product ids: one line with the number of CDs and the mean unit price.
    out["lines"] = [
        [{"product_id": None, "quantity": int(q), "unit_price": round(v / q, 4) if q else None}]
        if q == q and v == v
        else None
        for q, v in zip(quantity, value)
    ]
    return out


register(
    DatasetAdapter(
        "catalog_icecat",
        (Rule("icecat_products*.jsonl*", Table.PRODUCTS, _icecat_products),),
    )
)
register(
    DatasetAdapter(
        "faq_zh_atec",
        (
            Rule("documents.csv*", Table.DOCUMENTS, _rename({}, constants={"tags": "faq", "language": "zh"})),
            Rule("queries.csv*", Table.QUERIES, _rename({}, constants={"language": "zh"})),
            Rule("qrels.csv*", Table.JUDGEMENTS, _rename({"doc_id": "product_id"})),
        ),
        (("pairs_raw.csv*", "question pairs: " + DUPLICATE),),
    )
)
register(
    DatasetAdapter(
        "fraud_creditcard",
        (Rule("creditcard_*.csv*", Table.PAYMENTS, _fraud_payments),),
    )
)
register(
    DatasetAdapter(
        "homedepot_search",
        (
            Rule("products.csv*", Table.PRODUCTS),
            Rule("queries.csv*", Table.QUERIES, _rename({}, constants={"language": "en"})),
            Rule("qrels.csv*", Table.JUDGEMENTS, _rename({}, drop=("relevance",))),
        ),
        (("train_raw.csv*", "the original Kaggle rows: " + DUPLICATE),),
    )
)
register(
    DatasetAdapter(
        "intents_bitext",
        (Rule("bitext_*.csv*", Table.UTTERANCES, _bitext_utterances),),
    )
)
register(
    DatasetAdapter(
        "rec_amazon_s3rec",
        (
            Rule("*_events.csv*", Table.EVENTS, reader=_s3rec_events),
            Rule("*_item2attributes.json*", Table.PRODUCTS, reader=_s3rec_items),
        ),
        (("*.txt*", "one line per user: " + DUPLICATE),),
    )
)
register(DatasetAdapter("reviews_marc", (Rule("marc_*.csv*", Table.REVIEWS),)))
register(DatasetAdapter("reviews_zh", (Rule("*.csv*", Table.REVIEWS),)))
register(
    DatasetAdapter(
        "sales_rossmann",
        (Rule("rossmann_stores_*.csv*", Table.SALES, _rossmann_sales),),
        (("rossmann_store_metadata*", "store metadata: no contract table holds it"),),
    )
)
register(
    DatasetAdapter(
        "transactions_cdnow",
        (Rule("cdnow_master.csv*", Table.ORDERS, reader=_cdnow_orders),),
    )
)
register(DatasetAdapter("wands", (Rule("query.csv*", Table.QUERIES, _rename({}, constants={"language": "en"})),)))

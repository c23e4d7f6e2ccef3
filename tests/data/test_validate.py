"""Validation: conversions, rejections with reasons, defaults, generated keys, extra columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.readers import RawChunk
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.validate import check_columns, validate_chunk
from llm4retail.errors import MissingColumnError

pytestmark = pytest.mark.unit


def _chunk(rows: list[dict[str, object]]) -> RawChunk:
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.where(frame.notna(), None)
    return RawChunk(frame, np.arange(2, len(rows) + 2), [])


def test_missing_required_column_names_it() -> None:
    with pytest.raises(MissingColumnError, match="'title'"):
        check_columns(SPECS[Table.PRODUCTS], ["product_id", "price"], source="p.csv")


def test_events_need_timestamp_or_seq() -> None:
    with pytest.raises(MissingColumnError, match="timestamp or seq"):
        check_columns(SPECS[Table.EVENTS], ["customer_id", "product_id"], source="e.csv")
    check_columns(SPECS[Table.EVENTS], ["customer_id", "product_id", "seq"], source="e.csv")


def test_products_rows_are_typed_or_rejected_with_reason() -> None:
    chunk = _chunk(
        [
            {"product_id": "p1", "title": "Sofa", "price": "499.5", "available": "no", "colour": "red"},
            {"product_id": "p2", "title": "  ", "price": "10", "available": "yes", "colour": None},
            {"product_id": "p3", "title": "Lamp", "price": "abc", "available": "1", "colour": None},
            {"product_id": "p4", "title": "Rug", "price": "-3", "available": None, "colour": None},
            {"product_id": 5.0, "title": "Mat", "price": None, "available": None, "colour": "blue"},
        ]
    )
    result = validate_chunk(SPECS[Table.PRODUCTS], chunk, source="p.csv", key_prefix="p")
    assert result.frame["product_id"].tolist() == ["p1", "5"]
    assert result.frame["price"].tolist()[0] == 499.5
    assert result.frame["available"].tolist() == [False, True]  # default True when absent
    assert result.frame["attributes"].tolist() == [{"colour": "red"}, {"colour": "blue"}]
    reasons = dict(result.rejections)
    assert reasons[3] == "required column 'title' is empty"
    assert reasons[4] == "column 'price': cannot read 'abc' as a number"
    assert reasons[5] == "column 'price': -3.0 is outside 0..1e+15"


def test_event_timestamps_iso_and_unix_agree_and_keys_are_generated() -> None:
    chunk = _chunk(
        [
            {"customer_id": "c", "product_id": "p", "timestamp": "2024-01-01T08:00:00+08:00"},
            {"customer_id": "c", "product_id": "p", "timestamp": "1704067200"},
            {"customer_id": "c", "product_id": "p", "timestamp": "1704067200000"},
            {"customer_id": "c", "product_id": "p", "timestamp": "2024-01-01 00:00:00"},
            {"customer_id": "c", "product_id": "p", "timestamp": "yesterday"},
            {"customer_id": "c", "product_id": "p", "timestamp": None},
        ]
    )
    result = validate_chunk(SPECS[Table.EVENTS], chunk, source="e.csv", key_prefix="events")
    stamps = result.frame["timestamp"].tolist()
    assert len(set(stamps)) == 1 and stamps[0] == pd.Timestamp("2024-01-01 00:00:00")
    assert result.frame["event_id"].tolist() == ["events:2", "events:3", "events:4", "events:5"]
    assert result.frame["event_type"].tolist() == ["purchase"] * 4
    assert dict(result.rejections) == {
        6: "column 'timestamp': cannot read 'yesterday' as a timestamp (ISO 8601 or Unix seconds/ms)",
        7: "needs a value in timestamp or seq",
    }


def test_review_labels_accept_words_and_ratings_are_bounded() -> None:
    chunk = _chunk(
        [
            {"review_id": "a", "text": "good", "label": "positive", "rating": "5"},
            {"review_id": "b", "text": "bad", "label": "neg", "rating": "1"},
            {"review_id": "c", "text": "meh", "label": "2", "rating": "3"},
            {"review_id": "d", "text": "meh", "label": None, "rating": "4.5"},
            {"review_id": "e", "text": "meh", "label": None, "rating": "6"},
        ]
    )
    result = validate_chunk(SPECS[Table.REVIEWS], chunk, source="r.csv", key_prefix="r")
    assert result.frame["label"].tolist() == [1, 0]
    assert sorted(line for line, _ in result.rejections) == [4, 5, 6]
    assert "integer" in dict(result.rejections)[5]


def test_json_columns_from_text_and_comma_lists() -> None:
    chunk = _chunk(
        [
            {"doc_id": "d1", "title": "t", "text": "x", "tags": "returns, policy"},
            {"doc_id": "d2", "title": "t", "text": "x", "tags": '["faq"]'},
            {"doc_id": "d3", "title": "t", "text": "x", "tags": '{"not": "a list"}'},
        ]
    )
    result = validate_chunk(SPECS[Table.DOCUMENTS], chunk, source="d.csv", key_prefix="d")
    assert result.frame["tags"].tolist() == [["returns", "policy"], ["faq"]]
    assert result.rejections[0][0] == 4


def test_payment_extra_numeric_columns_become_features() -> None:
    chunk = _chunk([{"payment_id": "x", "amount": "9.5", "timestamp": "2024-01-01", "V1": "0.25", "label": "1"}])
    result = validate_chunk(SPECS[Table.PAYMENTS], chunk, source="p.csv", key_prefix="p")
    assert result.frame["features"].tolist() == [{"V1": 0.25}]
    assert result.frame["label"].tolist() == [1]


def test_sales_dates_and_defaults() -> None:
    chunk = _chunk(
        [
            {"product_id": "a", "date": "2024-02-29", "quantity": "3"},
            {"product_id": "a", "date": "2023-02-29", "quantity": "3"},
        ]
    )
    result = validate_chunk(SPECS[Table.SALES], chunk, source="s.csv", key_prefix="s")
    assert result.frame["store_id"].tolist() == ["default"]
    assert result.frame["open"].tolist() == [True]
    assert result.frame["date"].tolist() == [pd.Timestamp("2024-02-29")]
    assert result.rejections == [(3, "column 'date': cannot read '2023-02-29' as a date (YYYY-MM-DD)")]


def test_the_api_bounds_apply_to_imports() -> None:
    """The rules of `bounds.py`: implausible years, 64-bit overflows, NUL bytes and bad JSON are rejected rows."""
    chunk = _chunk(
        [
            {"event_id": "e1", "customer_id": "c1", "product_id": "p1", "timestamp": "0069-01-01T00:00:00"},
            {"event_id": "e2", "customer_id": "c1", "product_id": "p1", "seq": "1e30"},
            {"event_id": "e3", "customer_id": "c\x00", "product_id": "p1", "seq": "1"},
            {"event_id": "e4", "customer_id": "c1", "product_id": "p1", "seq": "2", "quantity": "1e300"},
            {"event_id": "e5", "customer_id": "c1", "product_id": "p1", "timestamp": "2024-01-01T00:00:00"},
        ]
    )
    result = validate_chunk(SPECS[Table.EVENTS], chunk, source="e.csv", key_prefix="e")
    reasons = dict(result.rejections)
    assert result.frame["event_id"].tolist() == ["e5"]
    assert reasons[2] == "column 'timestamp': 0069-01-01T00:00:00 is outside 1970-01-01 .. 2099-12-31"
    assert reasons[3] == "column 'seq': 1e30 does not fit a 64-bit integer"
    assert reasons[4].startswith("column 'customer_id': contains a NUL character")
    assert reasons[5] == "column 'quantity': 1e+300 is outside -1e+15..1e+15"


def test_nan_inside_a_json_column_of_a_file_is_read_as_null() -> None:
    chunk = _chunk([{"product_id": "p1", "store_id": "s", "date": "2024-01-01", "quantity": "1",
                     "attributes": {"holiday": float("nan"), "footfall": 3}}])
    result = validate_chunk(SPECS[Table.SALES], chunk, source="s.csv", key_prefix="s")
    assert result.rejections == []
    assert result.frame["attributes"].tolist() == [{"holiday": None, "footfall": 3}]

"""Readers: formats, chunking and exact line numbers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.data.readers import FileFormat, detect_format, iter_chunks, read_header
from llm4retail.errors import DataValidationError, UnsupportedFormatError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", FileFormat.CSV),
        ("a.CSV.GZ", FileFormat.CSV),
        ("a.jsonl", FileFormat.JSONL),
        ("a.jsonl.gz", FileFormat.JSONL),
        ("a.parquet", FileFormat.PARQUET),
    ],
)
def test_detect_format(name: str, expected: FileFormat) -> None:
    assert detect_format(Path(name)) is expected


@pytest.mark.parametrize("name", ["a.xlsx", "a", "a.parquet.gz", "a.txt.gz"])
def test_detect_format_refuses_unknown(name: str) -> None:
    with pytest.raises(UnsupportedFormatError, match="unsupported file type"):
        detect_format(Path(name))


def test_csv_lines_survive_quoted_newlines_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv.gz"
    text = 'review_id,text\nr1,"two\nlines"\nr2,plain\nr3,too,many\n\nr4,"x"\n'
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    chunks = list(iter_chunks(path, chunk_rows=2))
    frame = pd.concat([chunk.frame for chunk in chunks])
    lines = [int(line) for chunk in chunks for line in chunk.lines]
    malformed = [item for chunk in chunks for item in chunk.malformed]
    assert frame["review_id"].tolist() == ["r1", "r2", "r4"]
    assert frame["text"].tolist()[0] == "two\nlines"
    assert lines == [2, 4, 7]
    assert malformed == [(5, "expected 2 fields, found 3")]


def test_csv_bom_and_empty_values(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("\ufeffproduct_id,title,price\np1,,\n".encode())
    assert read_header(path) == ["product_id", "title", "price"]
    (chunk,) = iter_chunks(path)
    assert chunk.frame.iloc[0].tolist() == ["p1", None, None]


def test_jsonl_reports_invalid_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"a": 1}\nnot json\n[1, 2]\n\n{"a": {"nested": true}}\n', encoding="utf-8")
    (chunk,) = iter_chunks(path)
    assert chunk.lines.tolist() == [1, 5]
    assert chunk.frame["a"].tolist()[1] == {"nested": True}
    assert [line for line, _ in chunk.malformed] == [2, 3]
    assert "invalid JSON" in chunk.malformed[0][1]


def test_parquet_chunks_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    pd.DataFrame({"product_id": ["a", "b", "c"], "quantity": [1.0, None, 3.0]}).to_parquet(path)
    chunks = list(iter_chunks(path, chunk_rows=2))
    assert [len(chunk.frame) for chunk in chunks] == [2, 1]
    assert [int(x) for chunk in chunks for x in chunk.lines] == [1, 2, 3]
    assert chunks[0].frame["quantity"].tolist()[1] is None


def test_invalid_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"product_id,title\np1,caf\xe9\n")
    with pytest.raises(DataValidationError, match="not valid UTF-8"):
        list(iter_chunks(path))


def test_jsonl_header_is_first_object_keys(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("\n" + json.dumps({"b": 1, "a": 2}) + "\n", encoding="utf-8")
    assert read_header(path) == ["b", "a"]


def test_parquet_datetimes_import_as_instants(tmp_path: Path) -> None:
    from llm4retail.data.schemas import SPECS, Table
    from llm4retail.data.validate import validate_chunk

    path = tmp_path / "events.parquet"
    stamps = pd.to_datetime(["2026-10-07 21:38:13", "2024-01-01 00:00:00"])
    pd.DataFrame({"customer_id": ["c", "c"], "product_id": ["a", "b"], "timestamp": stamps}).to_parquet(path)
    (chunk,) = iter_chunks(path)
    result = validate_chunk(SPECS[Table.EVENTS], chunk, source=str(path), key_prefix="events")
    assert result.rejections == []
    assert result.frame["timestamp"].tolist() == list(stamps)

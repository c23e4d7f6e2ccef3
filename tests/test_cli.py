"""Tests of the `llm4retail` command line: import reports, stats, errors and help of every command."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.config import clear_settings_cache, get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

pytestmark = pytest.mark.unit

runner = CliRunner()

PRODUCTS_CSV = (
    "product_id,title,price,brand,colour\n"  # line 1
    "p1,Mug,9.5,Acme,red\n"  # line 2
    "p2,Plate,abc,Acme,blue\n"  # line 3: bad price
    'p3,"Cup, large",3.0,Bolt,\n'  # line 4
    "p4,,4,Bolt,green\n"  # line 5: empty title
    "p5,Bowl,5,Core,\n"  # line 6
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _invoke(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def _import_json(data_dir: Path, *args: str) -> dict[str, Any]:
    result = _invoke(data_dir, "data", "import", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _flat(text: str) -> str:
    """Output with rich box borders removed and whitespace collapsed (help and errors wrap)."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _frame(data_dir: Path, table: Table) -> pd.DataFrame:
    clear_settings_cache()
    store = Store.from_settings(get_settings(data_dir=data_dir))
    try:
        return store.read_frame(table)
    finally:
        store.close()


# --- data import ------------------------------------------------------------------------------------


def test_import_reports_accepted_and_rejected_rows_with_lines(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.csv", PRODUCTS_CSV)

    report = _import_json(data_dir, str(source))

    assert report["tables"] == {"products": {"accepted": 3, "rejected": 2}}
    (file,) = report["files"]
    assert (file["table"], file["accepted"], file["rejected"], file["new_rows"]) == ("products", 3, 2, 3)
    rejections = {item["line"]: item["reason"] for item in file["rejections"]}
    assert sorted(rejections) == [3, 5]
    assert "price" in rejections[3] and "abc" in rejections[3]
    assert "title" in rejections[5]
    logged = list(csv.DictReader(Path(report["rejections_file"]).open(encoding="utf-8")))
    assert [int(row["line"]) for row in logged] == [3, 5]


def test_imported_rows_are_typed_and_extra_columns_folded(data_dir: Path, tmp_path: Path) -> None:
    _import_json(data_dir, str(_write(tmp_path / "products.csv", PRODUCTS_CSV)))

    frame = _frame(data_dir, Table.PRODUCTS).set_index("product_id")

    assert sorted(frame.index) == ["p1", "p3", "p5"]
    assert frame.loc["p3", "title"] == "Cup, large"
    assert frame.loc["p1", "price"] == 9.5
    assert frame.loc["p1", "attributes"] == {"colour": "red"}
    assert bool(frame.loc["p5", "available"]) is True  # the contract default


def test_line_numbers_count_physical_lines_of_multiline_rows(data_dir: Path, tmp_path: Path) -> None:
    text = (
        "product_id,title,description,price\n"  # line 1
        'p1,Mug,"two\nline description",1\n'  # lines 2-3
        "p2,Plate,,-4\n"  # line 4: negative price
        "p3,Bowl,,1,extra\n"  # line 5: too many fields
    )

    report = _import_json(data_dir, str(_write(tmp_path / "products.csv", text)))

    rejections = {item["line"]: item["reason"] for item in report["files"][0]["rejections"]}
    assert report["tables"]["products"] == {"accepted": 1, "rejected": 2}
    assert sorted(rejections) == [4, 5]
    assert "price" in rejections[4]
    assert "fields" in rejections[5]


def test_import_without_required_column_fails_naming_it(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.csv", "product_id,price\np1,1.0\n")

    result = _invoke(data_dir, "data", "import", str(source), "--json")

    assert result.exit_code == 2
    assert "'title'" in result.stderr
    assert "products.csv" in result.stderr
    assert result.stdout == ""


def test_stats_counts_after_import(data_dir: Path, tmp_path: Path) -> None:
    _import_json(data_dir, str(_write(tmp_path / "products.csv", PRODUCTS_CSV)))

    result = _invoke(data_dir, "data", "stats", "--json")

    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["tables"]["products"] == 3
    assert stats["tables"]["events"] == 0
    assert set(stats["tables"]) == {table.value for table in Table}
    assert str((data_dir / "llm4retail.sqlite").resolve()) in stats["store"]


def test_stats_on_an_empty_store(data_dir: Path) -> None:
    result = _invoke(data_dir, "data", "stats", "--json")

    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)["tables"].values()) == {0}


def test_importing_twice_gives_the_same_counts(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.csv", PRODUCTS_CSV)

    first = _import_json(data_dir, str(source))
    second = _import_json(data_dir, str(source))

    assert second["tables"] == first["tables"]
    assert second["files"][0]["new_rows"] == 0
    assert json.loads(_invoke(data_dir, "data", "stats", "--json").stdout)["tables"]["products"] == 3


def test_small_chunks_give_the_same_result(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.csv", PRODUCTS_CSV)

    report = _import_json(data_dir, str(source), "--chunk-rows", "1")

    assert report["tables"] == {"products": {"accepted": 3, "rejected": 2}}
    assert sorted(item["line"] for item in report["files"][0]["rejections"]) == [3, 5]


def test_event_timestamps_in_seconds_milliseconds_and_iso_are_one_instant(data_dir: Path, tmp_path: Path) -> None:
    lines = [
        {"customer_id": "c1", "product_id": "p1", "timestamp": 1704067200},
        {"customer_id": "c1", "product_id": "p2", "timestamp": 1704067200000},
        {"customer_id": "c1", "product_id": "p3", "timestamp": "2024-01-01T08:00:00+08:00"},
        {"customer_id": "c2", "product_id": "p1", "timestamp": 1704067200.5},
    ]
    source = _write(tmp_path / "events.jsonl", "".join(json.dumps(line) + "\n" for line in lines))

    report = _import_json(data_dir, str(source))

    assert report["tables"] == {"events": {"accepted": 4, "rejected": 0}}
    events = _frame(data_dir, Table.EVENTS).set_index("event_id").sort_index()
    assert list(events.index) == ["events:1", "events:2", "events:3", "events:4"]  # generated from file and line
    expected = pd.Timestamp("2024-01-01 00:00:00")
    assert list(events["timestamp"].iloc[:3]) == [expected] * 3
    assert events.loc["events:4", "timestamp"] == expected + pd.Timedelta(milliseconds=500)


def test_events_without_time_or_seq_are_rejected(data_dir: Path, tmp_path: Path) -> None:
    text = '{"customer_id": "c1", "product_id": "p1", "seq": 1}\n{"customer_id": "c1", "product_id": "p2", "seq": null}\n'

    report = _import_json(data_dir, str(_write(tmp_path / "events.jsonl", text)))

    (rejection,) = report["files"][0]["rejections"]
    assert rejection["line"] == 2
    assert "timestamp or seq" in rejection["reason"]


def test_table_option_forces_the_table(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "stuff.csv", "customer_id,segment\nc1,vip\n")

    report = _import_json(data_dir, str(source), "--table", "customers")

    assert report["tables"] == {"customers": {"accepted": 1, "rejected": 0}}


def test_undecidable_table_asks_for_the_option(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "stuff.csv", "a,b\n1,2\n")

    result = _invoke(data_dir, "data", "import", str(source))

    assert result.exit_code == 2
    assert "--table" in result.stderr


def test_unknown_table_name_fails_clearly(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.csv", PRODUCTS_CSV)

    result = _invoke(data_dir, "data", "import", str(source), "--table", "bogus")

    assert result.exit_code != 0
    message = _flat(result.output)
    assert "--table" in message
    assert "'bogus'" in message
    assert "products" in message
    assert not (data_dir / "llm4retail.sqlite").exists()


def test_missing_path_fails_naming_it(data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "products.csv"

    result = _invoke(data_dir, "data", "import", str(missing))

    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "no such file" in result.stderr


def test_unsupported_extension_is_refused(data_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "products.xml", "<products/>")

    result = _invoke(data_dir, "data", "import", str(source), "--table", "products")

    assert result.exit_code == 2
    assert "nothing to import" in result.stderr


def test_human_readable_import_output(data_dir: Path, tmp_path: Path) -> None:
    result = _invoke(data_dir, "data", "import", str(_write(tmp_path / "products.csv", PRODUCTS_CSV)))

    assert result.exit_code == 0, result.output
    assert "3 accepted, 2 rejected" in result.stdout
    assert "products.csv:3" in result.stdout and "products.csv:5" in result.stdout


def test_missing_config_file_is_a_configuration_error(data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(tmp_path / "missing.toml"), "--data-dir", str(data_dir), "data", "stats"])

    assert result.exit_code == 3
    assert "missing.toml" in result.stderr


def test_bad_database_url_is_a_configuration_error() -> None:
    result = runner.invoke(app, ["--database-url", "mysql://h/db", "data", "stats"])

    assert result.exit_code == 3
    assert "database_url" in result.stderr


# --- help -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([], "demo"),
        (["demo"], "init"),
        (["demo", "init"], "--seed"),
        (["data"], "import"),
        (["data", "import"], "--table"),
        (["data", "stats"], "--json"),
        (["serve"], "--port"),
        (["eval"], "Evaluate"),
    ],
)
def test_help_of_every_command(command: list[str], expected: str) -> None:
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert expected in _flat(result.output)

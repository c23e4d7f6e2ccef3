"""CLV evaluation on CDNOW, purchase prediction and the customer table / audiences on the demo store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import ArtifactFormatError, DataValidationError
from llm4retail.marketing.clv import CustomerValueModel, evaluate_clv
from llm4retail.marketing.evaluate import evaluate_purchase
from llm4retail.marketing.model import CustomerModels
from llm4retail.marketing.rfm import Segment
from llm4retail.marketing.service import (
    activity_data,
    audience,
    customer_table,
    segment_summary,
)
from llm4retail.marketing.transactions import purchase_days


@pytest.fixture(scope="module")
def demo() -> dict[Table, pd.DataFrame]:
    return generate_demo_store(seed=42).tables


@pytest.mark.integration
def test_eval_clv_cli_beats_the_naive_baseline_on_cdnow(datasets: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "clv", "--transactions", str(datasets / "transactions_cdnow"),
                                      "--calibration-end", "1997-09-30", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["model"]["params"]) == {"r", "alpha", "a", "b"}
    assert report["model"]["mae"] < report["naive"]["mae"]
    assert report["model"]["corr"] > 0.6 and report["naive"]["corr"] is not None
    assert report["n"] == 23_570 and report["holdout_end"] == "1998-06-30"


@pytest.mark.unit
def test_clv_model_round_trip_and_errors(demo: dict[Table, pd.DataFrame], tmp_path: Path) -> None:
    days = purchase_days(demo[Table.ORDERS])
    model = CustomerValueModel().fit(days, end=days["date"].max())
    table = model.table()
    assert (table["clv"] >= 0).all() and table["p_alive"].between(0, 1).all()
    model.save(tmp_path / "clv")
    np.testing.assert_array_equal(CustomerValueModel.load(tmp_path / "clv").table()["clv"], table["clv"])
    np.testing.assert_array_equal(model.table_at(days, end=days["date"].max())["clv"], table["clv"])
    with pytest.raises(DataValidationError, match="no orders after"):
        evaluate_clv(demo[Table.ORDERS], calibration_end=days["date"].max(), dataset="demo")


@pytest.mark.unit
def test_purchase_model_against_the_rfm_baseline_on_the_demo(demo: dict[Table, pd.DataFrame]) -> None:
    report = evaluate_purchase(demo[Table.ORDERS], events=demo[Table.EVENTS], products=demo[Table.PRODUCTS],
                               horizon_days=30, dataset="demo").to_json_dict()
    assert set(report["models"]) == {"model", "rfm_baseline"}
    assert report["models"]["model"]["roc_auc"] > 0.55 and report["models"]["rfm_baseline"]["roc_auc"] > 0.55
    assert any(name.startswith("category_share:") for name in report["features"])
    assert "days_since_view" in report["features"]


@pytest.mark.integration
def test_purchase_model_on_cdnow_orders_only(datasets: Path) -> None:
    from llm4retail.data.importer import read_table

    orders, _ = read_table(datasets / "transactions_cdnow", Table.ORDERS)
    report = evaluate_purchase(orders, horizon_days=30, dataset="cdnow").to_json_dict()
    assert report["models"]["model"]["roc_auc"] > 0.8


@pytest.mark.unit
def test_customer_table_segments_and_audience(demo: dict[Table, pd.DataFrame], tmp_path: Path) -> None:
    models = CustomerModels().fit(activity_data(demo[Table.ORDERS], events=demo[Table.EVENTS],
                                                products=demo[Table.PRODUCTS]))
    assert models.purchase_ is not None
    table = customer_table(demo[Table.ORDERS], models=models, events=demo[Table.EVENTS],
                           products=demo[Table.PRODUCTS], customers=demo[Table.CUSTOMERS])
    assert len(table) == demo[Table.CUSTOMERS]["customer_id"].nunique()
    assert table["purchase_probability"].dropna().between(0, 1).all()
    rows = segment_summary(table)
    assert sum(row["customers"] for row in rows) == len(table)
    assert rows == sorted(rows, key=lambda row: -row["expected_value"])
    chosen = audience(table, [Segment.CHAMPIONS, Segment.LOYAL], min_clv=0.0)
    assert set(chosen["segment"]) <= {"champions", "loyal_customers"} and chosen["clv"].is_monotonic_decreasing
    path = tmp_path / "audience.csv"
    chosen.to_csv(path, index=False)
    assert pd.read_csv(path).shape[0] == len(chosen)


@pytest.mark.unit
def test_a_folder_saved_before_the_shared_format_is_refused(tmp_path: Path) -> None:
    """The hand-written `meta.json` of earlier versions (no `type`) asks for a retrain."""
    (tmp_path / "clv").mkdir()
    (tmp_path / "clv" / "meta.json").write_text('{"version": "0.1.0", "end": "1997-09-30", "unit_days": 7.0}')
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail segments train`"):
        CustomerValueModel.load(tmp_path / "clv")
    (tmp_path / "bgnbd").mkdir()
    (tmp_path / "bgnbd" / "meta.json").write_text('{"model": "BetaGeometricNBD", "params": {"r": 1.0}}')
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail segments train`"):
        CustomerModels.load(tmp_path / "bgnbd")

"""Rolling-origin backtest on real Rossmann sales and on weekly sales without prices or promotions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.forecast.backtest import evaluate_forecasters
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import panel_from_sales

runner = CliRunner()


@pytest.mark.integration
def test_rossmann_last_six_weeks_lightgbm_beats_seasonal_naive_by_far(datasets: Path) -> None:
    frame, rejected = read_table(datasets / "sales_rossmann", Table.SALES)
    panel = panel_from_sales(frame)

    report = evaluate_forecasters(
        panel, horizon=42, folds=1, models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.LIGHTGBM]
    ).to_json_dict()

    assert not rejected and panel.n_series == 20
    naive, chosen = report["models"]["seasonal_naive"]["mase"], report["chosen"]["mase"]
    assert report["chosen"]["model"] == "lightgbm"
    assert chosen <= 0.6 * naive, (chosen, naive)
    assert 0.75 <= report["chosen"]["coverage_90"] <= 0.98
    points = report["points"]
    assert points["closed_points_not_scored"] > 0  # Sundays and holidays: counted, not scored
    assert points["scored_points"] + points["closed_points_not_scored"] + points["missing_points_not_scored"] == 20 * 42
    for metrics in report["models"].values():
        assert set(metrics) == {"mase", "smape", "wape", "coverage_90", "fit_seconds", "predict_seconds"}


@pytest.mark.integration
def test_eval_command_runs_unchanged_on_weekly_sales_without_prices_or_promotions(tmp_path: Path) -> None:
    sales = generate_demo_store(seed=42).tables[Table.SALES]
    week = pd.to_datetime(sales["date"]).dt.to_period("W-SUN")
    weekly = sales.assign(week=week).groupby(["product_id", "week"])["quantity"].agg(["sum", "size"]).reset_index()
    weekly = weekly[weekly["size"] == 7]
    path = tmp_path / "weekly.csv"
    pd.DataFrame({"product_id": weekly["product_id"], "date": weekly["week"].dt.end_time.dt.date,
                  "quantity": weekly["sum"]}).to_csv(path, index=False)

    result = runner.invoke(app, ["eval", "forecast", "--sales", str(path), "--horizon", "6", "--folds", "2",
                                 "--models", "seasonal_naive,auto_theta,croston,tsb,lightgbm", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["frequency"] == "weekly" and report["season"] == 52
    assert report["chosen"]["mase"] < report["models"]["seasonal_naive"]["mase"]
    assert report["points"]["closed_points_not_scored"] == 0


@pytest.mark.unit
def test_eval_command_explains_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("product_id,date,quantity\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-03,3\na,2024-01-04,1\n")

    too_short = runner.invoke(app, ["eval", "forecast", "--sales", str(path), "--horizon", "7"])
    unknown = runner.invoke(app, ["eval", "forecast", "--sales", str(path), "--horizon", "1", "--models", "prophet"])

    assert too_short.exit_code == 2 and "cannot hold" in too_short.output
    assert unknown.exit_code == 2 and "unknown model" in unknown.output

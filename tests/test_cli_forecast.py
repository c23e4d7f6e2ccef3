"""The forecasting, inventory and pricing commands on a small imported sales file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app

pytestmark = pytest.mark.integration

runner = CliRunner()
ELASTICITY = -2.0
FAST = "seasonal_naive,auto_theta,lightgbm"


def _sales(path: Path) -> Path:
    """Four products, 150 days, prices moving every 30 days, demand with elasticity -2 and closed Sundays."""
    rng = np.random.default_rng(5)
    dates = pd.date_range("2025-01-01", periods=150, freq="D")
    frames = []
    for index in range(4):
        price = 10.0 * rng.uniform(0.8, 1.2, size=5).repeat(30)
        mean = (30.0 + 10 * index) * (price / 10.0) ** ELASTICITY * np.where(dates.dayofweek >= 4, 1.4, 1.0)
        is_open = dates.dayofweek != 6
        frames.append(pd.DataFrame({"product_id": f"p{index}", "date": dates.date, "price": price.round(2),
                                    "quantity": np.where(is_open, rng.poisson(mean), 0), "open": is_open}))
    pd.concat(frames).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli-forecast")
    sales = _sales(directory / "sales.csv")
    result = runner.invoke(app, ["--data-dir", str(directory / "data"), "data", "import", str(sales),
                                 "--table", "sales", "--json"])
    assert result.exit_code == 0, result.output
    return directory


def _json(data_dir: Path, *args: str) -> Any:
    result = runner.invoke(app, ["--data-dir", str(data_dir / "data"), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_forecast_prints_json_and_writes_a_png(data_dir: Path) -> None:
    plot = data_dir / "p1.png"

    untrained = runner.invoke(app, ["--data-dir", str(data_dir / "data"), "forecast", "p1"])
    assert untrained.exit_code != 0 and "llm4retail forecast train" in untrained.output
    trained = _json(data_dir, "forecast", "train", "--models", FAST)
    series = _json(data_dir, "forecast", "p1", "--horizon", "14", "--plot", str(plot))

    assert len(series["forecast"]) == 14 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sundays = [point for point in series["forecast"] if pd.Timestamp(point["date"]).dayofweek == 6]
    assert sundays and all(point["mean"] == 0 and not point["open"] for point in sundays)
    assert trained["version"] == "v0001" and (data_dir / "data" / "models" / "forecast" / "v0001").is_dir()


def test_inventory_advise_and_simulate(data_dir: Path) -> None:
    advice = _json(data_dir, "inventory", "advise", "p2", "--on-hand", "10")  # reads the forecast trained above
    report = _json(data_dir, "inventory", "simulate", "--sales", str(data_dir / "sales.csv"), "--days", "28",
                   "--models", FAST)

    item = advice["items"][0]
    assert item["product_id"] == "p2" and item["order_quantity"] == np.ceil(item["order_up_to"] - 10)
    assert set(report["policies"]) == {"advised", "naive", "naive_matched"}
    assert 0 < report["policies"]["advised"]["fill_rate"] <= 1


def test_pricing_elasticities_and_advice(data_dir: Path) -> None:
    truth = data_dir / "truth.json"
    truth.write_text(json.dumps({"price_elasticity": {f"p{index}": ELASTICITY for index in range(4)}}))

    assert _json(data_dir, "pricing", "train")["n_estimated"] == 4
    table = _json(data_dir, "pricing", "elasticities", "--truth", str(truth))
    advice = _json(data_dir, "pricing", "advise", "p0", "--unit-cost", "4", "--ending", ".99")

    assert table["recovery"]["mae"] < 0.3
    assert advice["recommended_price"] == pytest.approx(round(advice["recommended_price"]) - 0.01, abs=1e-9) or (
        advice["recommended_price"] == advice["current_price"])
    assert advice["cost_source"] == "request"
    bad = runner.invoke(app, ["--data-dir", str(data_dir / "data"), "pricing", "advise", "p0", "--ending", "7"])
    assert bad.exit_code == 2 and "'7' is not one of" in bad.output and "'.99'" in bad.output

"""Benchmark: forecasting throughput per model, and the automatic forecaster on 10,000 daily series.

Series are drawn by the demo store's sales generator (two years of daily demand with
weekly and yearly seasonality, promotions, price changes and closures), so they look
like a retailer's. Part 1 fits and forecasts `--sample` series with each model and
reports series per second; the seasonal naive forecast is the reference measured in
the same run (each model's speed is also given as a ratio to it). Part 2 runs the
default `AutoForecaster` (model choice by a validation window, slow local models
skipped when their projected cost at the reference fit costs exceeds the budget, then a refit and a forecast with intervals) on `--series`
series and reports the wall-clock seconds against the 10-minute target, and the CPU
seconds of the process (on a busy shared machine the wall clock also counts others' work). One thread
per model (LightGBM's OpenMP threads spin and slow down on a shared 2-core machine).
Prints one JSON object.

Usage:
    python bench/forecast.py [--series 10000] [--sample 200] [--slow-sample 20] [--days 730] [--horizon 28]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from llm4retail.data.synthetic.catalog import generate_catalog
from llm4retail.data.synthetic.common import Stream, derive_rng
from llm4retail.data.synthetic.sales import generate_sales
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import Panel, panel_from_sales
from llm4retail.forecast.windows import forecast_window

TARGET_SECONDS = 600.0


def make_panel(*, n_series: int, n_days: int, seed: int = 7) -> Panel:
    """`n_series` daily series of `n_days` days from the demo sales generator."""
    catalog = generate_catalog(n_products=n_series, rng=derive_rng(seed=seed, stream=Stream.CATALOG))
    sales, _ = generate_sales(catalog=catalog, n_days=n_days, n_sales_products=n_series,
                              rng=derive_rng(seed=seed, stream=Stream.SALES))
    return panel_from_sales(sales)


def throughput(panel: Panel, *, horizon: int, slow_sample: int) -> dict[str, dict[str, float]]:
    """Series per second (fit + forecast of the last `horizon` days) and MASE for each model.

    AutoARIMA runs on the first `slow_sample` series only (it takes seconds per series).
    """
    results = {}
    origin = panel.n_dates - horizon
    forecast_window(ForecastModel.SEASONAL_NAIVE, panel.rows(np.arange(2)), origin=origin, horizon=horizon)  # warm-up
    for model in ForecastModel:
        part = panel.rows(np.arange(min(slow_sample, panel.n_series))) if model is ForecastModel.ARIMA else panel
        window = forecast_window(model, part, origin=origin, horizon=horizon)
        seconds = window.fit_seconds + window.predict_seconds
        results[model.value] = {
            "series": part.n_series,
            "seconds": seconds,
            "series_per_second": part.n_series / seconds,
            # the reference cost `forecast.windows.REFERENCE_SECONDS_PER_STEP` holds for the costly local models
            "fit_seconds_per_series_step": window.fit_seconds / (part.n_series * origin),
            "mase": float(np.nanmean(window.mase(part))),
        }
    reference = results[ForecastModel.SEASONAL_NAIVE.value]["series_per_second"]
    for values in results.values():
        values["speed_vs_seasonal_naive"] = values["series_per_second"] / reference
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--slow-sample", type=int, default=20, help="series for AutoARIMA's throughput")
    args = parser.parse_args()
    started = time.perf_counter()
    panel = make_panel(n_series=args.series, n_days=args.days)
    generated = time.perf_counter() - started
    sample = panel.rows(np.arange(min(args.sample, panel.n_series)))
    per_model = throughput(sample, horizon=args.horizon, slow_sample=args.slow_sample)
    started, cpu_started = time.perf_counter(), time.process_time()
    auto = AutoForecaster(args.horizon).fit(panel)
    fitted = time.perf_counter() - started
    result = auto.forecast()
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(json.dumps({
        "benchmark": "forecast",
        "series": panel.n_series,
        "days": panel.n_dates,
        "horizon": args.horizon,
        "generate_seconds": round(generated, 2),
        "per_model_on_sample": {"sample_series": sample.n_series, **per_model},
        "auto": {
            "chosen": auto.chosen_.value if auto.chosen_ else None,
            "validation_mase": auto.validation_,
            "skipped": auto.skipped_,
            "fit_seconds": round(fitted, 2),
            "fit_and_forecast_seconds": round(total, 2),
            "cpu_seconds": round(cpu, 2),
            "series_per_second": round(panel.n_series / total, 2),
            "within_10_minutes": total <= TARGET_SECONDS,
            "forecast_shape": list(result.point.shape),
        },
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=1))


if __name__ == "__main__":
    main()

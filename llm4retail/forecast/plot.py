"""A PNG of one series: recent history, the forecast and its interval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def plot_forecast(series: dict[str, Any], path: Path, *, level: int = 90) -> Path:
    """Draw `ForecastService.product_forecast` output to a PNG file.

    Args:
        series: dict with `history` and `forecast` point lists (as the API returns them).
        path: the PNG to write.
        level: which interval to shade.

    Returns:
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    history = pd.DataFrame(series["history"])
    forecast = pd.DataFrame(series["forecast"])
    figure, axes = pyplot.subplots(figsize=(10, 4), dpi=100)
    axes.plot(pd.to_datetime(history["date"]), history["quantity"], color="black", linewidth=1, label="sales")
    dates = pd.to_datetime(forecast["date"])
    axes.plot(dates, forecast["mean"], color="tab:blue", linewidth=1.5, label=f"forecast ({series.get('model')})")
    lower, upper = f"lower_{level}", f"upper_{level}"
    if lower in forecast.columns:
        axes.fill_between(dates, forecast[lower], forecast[upper], color="tab:blue", alpha=0.25, label=f"{level}% interval")
    axes.set_title(f"{series['product_id']} @ {series['store_id']}")
    axes.set_ylabel("quantity")
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)
    return path

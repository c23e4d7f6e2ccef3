"""Demand forecasting: a sales panel, statistical and gradient-boosted forecasters, backtests and intervals.

Example:
    >>> from llm4retail.forecast import AutoForecaster, panel_from_sales
    >>> auto = AutoForecaster(horizon=28).fit(panel_from_sales(sales))
    >>> auto.forecast().point.shape  # (n_series, 28)
"""

from llm4retail.forecast.auto import AutoForecaster, ForecastResult
from llm4retail.forecast.backtest import evaluate_forecasters
from llm4retail.forecast.base import ForecastModel, Forecaster
from llm4retail.forecast.panel import Frequency, Panel, panel_from_sales
from llm4retail.forecast.registry import MODEL_CLASSES, make_forecaster

__all__ = [
    "MODEL_CLASSES",
    "AutoForecaster",
    "ForecastModel",
    "ForecastResult",
    "Forecaster",
    "Frequency",
    "Panel",
    "evaluate_forecasters",
    "make_forecaster",
    "panel_from_sales",
]

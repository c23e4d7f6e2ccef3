"""Demand forecasting: a sales panel, statistical and gradient-boosted forecasters, backtests and intervals.

Importing this package imports every forecaster module, which registers each model class
(`make_forecaster` and `Forecaster.load` find them in the model registry).

Example:
    >>> from llm4retail.forecast import AutoForecaster, panel_from_sales
    >>> auto = AutoForecaster(horizon=28).fit(panel_from_sales(sales))
    >>> auto.forecast().point.shape  # (n_series, 28)
"""

from llm4retail.forecast.arima import AutoARIMAForecaster
from llm4retail.forecast.auto import AutoForecaster, ForecastResult
from llm4retail.forecast.backtest import evaluate_forecasters
from llm4retail.forecast.base import Forecaster, ForecastModel, make_forecaster
from llm4retail.forecast.croston import CrostonForecaster
from llm4retail.forecast.ets import AutoETSForecaster
from llm4retail.forecast.gbm import LightGBMForecaster
from llm4retail.forecast.naive import SeasonalNaiveForecaster
from llm4retail.forecast.panel import Frequency, Panel, panel_from_sales
from llm4retail.forecast.theta import AutoThetaForecaster
from llm4retail.forecast.tsb import TSBForecaster

__all__ = [
    "AutoARIMAForecaster",
    "AutoETSForecaster",
    "AutoForecaster",
    "AutoThetaForecaster",
    "CrostonForecaster",
    "ForecastModel",
    "ForecastResult",
    "Forecaster",
    "Frequency",
    "LightGBMForecaster",
    "Panel",
    "SeasonalNaiveForecaster",
    "TSBForecaster",
    "evaluate_forecasters",
    "make_forecaster",
    "panel_from_sales",
]

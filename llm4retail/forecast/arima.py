"""Seasonal ARIMA with stepwise order search (AutoARIMA).

It is the slowest model by far (about 9 s per daily series of 900 days on one
core), so the automatic forecaster includes it only where a probe fit says the
whole run stays within its time budget (`llm4retail.forecast.auto`).
"""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel


@register_model(ForecastModel.ARIMA.value)
class AutoARIMAForecaster(StatsForecastModel):
    """statsforecast `AutoARIMA` (Hyndman-Khandakar stepwise search)."""

    model = ForecastModel.ARIMA

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import AutoARIMA

        return AutoARIMA(season_length=season)

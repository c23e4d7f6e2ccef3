"""Seasonal naive: every step repeats the value one season earlier (the benchmark every model must beat)."""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel


@register_model(ForecastModel.SEASONAL_NAIVE.value)
class SeasonalNaiveForecaster(StatsForecastModel):
    """statsforecast `SeasonalNaive` on the filled history (last week for daily data, last year otherwise).

    Example:
        >>> SeasonalNaiveForecaster().fit(history).predict(future)  # doctest: +SKIP
    """

    model = ForecastModel.SEASONAL_NAIVE

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import SeasonalNaive

        return SeasonalNaive(season_length=season)

"""Exponential smoothing state-space models with automatic selection (AutoETS)."""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel


@register_model(ForecastModel.ETS.value)
class AutoETSForecaster(StatsForecastModel):
    """statsforecast `AutoETS` (Hyndman et al. 2008), error/trend/season chosen per series by AICc.

    statsforecast fits seasonal ETS only for periods up to 24, so weekly data
    (season 52) get non-seasonal ETS.
    """

    model = ForecastModel.ETS

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import AutoETS

        return AutoETS(season_length=season)

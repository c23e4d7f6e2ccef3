"""The Theta method with automatic variant selection (AutoTheta)."""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel


@register_model(ForecastModel.THETA.value)
class AutoThetaForecaster(StatsForecastModel):
    """statsforecast `AutoTheta`: standard, optimised and dynamic Theta on the seasonally adjusted series."""

    model = ForecastModel.THETA

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import AutoTheta

        return AutoTheta(season_length=season)

"""Croston's method with optimised smoothing, for intermittent demand (many zero days)."""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel


@register_model(ForecastModel.CROSTON.value)
class CrostonForecaster(StatsForecastModel):
    """statsforecast `CrostonOptimized`: separate smoothing of demand sizes and intervals between demands."""

    model = ForecastModel.CROSTON

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import CrostonOptimized

        return CrostonOptimized()

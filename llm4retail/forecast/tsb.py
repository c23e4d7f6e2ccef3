"""Teunter-Syntetos-Babai (TSB), for intermittent demand that can become obsolete."""

from __future__ import annotations

from typing import Any

from llm4retail.artifacts import register_model
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.statistical import StatsForecastModel

# Smoothing of the demand probability and size; 0.1 is the usual default (Teunter et al., 2011).
ALPHA_PROBABILITY = 0.1
ALPHA_DEMAND = 0.1


@register_model(ForecastModel.TSB.value)
class TSBForecaster(StatsForecastModel):
    """statsforecast `TSB`: smooths the probability of a demand every period, so dying items decay to zero."""

    model = ForecastModel.TSB

    def _library_model(self, season: int) -> Any:
        from statsforecast.models import TSB

        return TSB(alpha_d=ALPHA_DEMAND, alpha_p=ALPHA_PROBABILITY)

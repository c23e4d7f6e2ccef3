"""Every forecaster by its `ForecastModel` name."""

from __future__ import annotations

from llm4retail.forecast.arima import AutoARIMAForecaster
from llm4retail.forecast.base import ForecastModel, Forecaster
from llm4retail.forecast.croston import CrostonForecaster
from llm4retail.forecast.ets import AutoETSForecaster
from llm4retail.forecast.gbm import LightGBMForecaster
from llm4retail.forecast.naive import SeasonalNaiveForecaster
from llm4retail.forecast.theta import AutoThetaForecaster
from llm4retail.forecast.tsb import TSBForecaster

LOCAL_MODELS: dict[ForecastModel, type[Forecaster]] = {
    ForecastModel.SEASONAL_NAIVE: SeasonalNaiveForecaster,
    ForecastModel.ETS: AutoETSForecaster,
    ForecastModel.THETA: AutoThetaForecaster,
    ForecastModel.ARIMA: AutoARIMAForecaster,
    ForecastModel.CROSTON: CrostonForecaster,
    ForecastModel.TSB: TSBForecaster,
}
MODEL_CLASSES: dict[ForecastModel, type[Forecaster]] = {**LOCAL_MODELS, ForecastModel.LIGHTGBM: LightGBMForecaster}


def make_forecaster(model: ForecastModel, *, horizon: int, threads: int = 1, seed: int = 0) -> Forecaster:
    """A fresh, unfitted forecaster.

    Args:
        model: which model.
        horizon: the longest horizon it must forecast (the global model needs it at fit time).
        threads: threads of the global model (local models run on one core).
        seed: seed of the global model.
    """
    if model is ForecastModel.LIGHTGBM:
        return LightGBMForecaster(horizon, threads=threads, seed=seed)
    return LOCAL_MODELS[model]()

"""Model-contract cases of the forecast capability: every forecaster and the automatic forecaster on tiny sales."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llm4retail.artifacts import Artifact
from llm4retail.forecast import (
    AutoForecaster,
    ForecastModel,
    Panel,
    make_forecaster,
    panel_from_sales,
)
from tests.contract import ContractCase

N_DAYS, HORIZON = 70, 7


def _panel() -> Panel:
    """Two daily series with a weekly pattern, a few promotions and closed Sundays."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=N_DAYS, freq="D")
    weekly = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.5, 1.0])[dates.dayofweek]
    frames = []
    for index in range(2):
        promotion = rng.random(N_DAYS) < 0.15
        quantity = np.round(20.0 * (index + 1) * weekly * (1 + promotion) * rng.lognormal(0, 0.05, N_DAYS))
        is_open = dates.dayofweek != 6
        frames.append(pd.DataFrame({"product_id": f"p{index}", "store_id": "s1", "date": dates,
                                    "quantity": np.where(is_open, quantity, 0.0), "price": 10.0 + index,
                                    "on_promotion": promotion, "open": is_open}))
    return panel_from_sales(pd.concat(frames, ignore_index=True))


PANEL = _panel()
HISTORY, FUTURE = PANEL.window(0, N_DAYS - HORIZON), PANEL.window(N_DAYS - HORIZON, N_DAYS)


# AutoARIMA's order search takes seconds per series even here: it gets one series of three weeks.
SHORT_HISTORY, SHORT_FUTURE = HISTORY.rows([0]).window(HISTORY.n_dates - 21, HISTORY.n_dates), FUTURE.rows([0])


def _single(model: ForecastModel) -> ContractCase:
    history, future = (SHORT_HISTORY, SHORT_FUTURE) if model is ForecastModel.ARIMA else (HISTORY, FUTURE)

    def fit() -> Artifact:
        return make_forecaster(model, horizon=HORIZON).fit(history)

    def predict(fitted: Artifact) -> np.ndarray:
        return fitted.predict(future)  # type: ignore[attr-defined]

    return ContractCase(model_type=f"forecast.{model.value}", fit=fit, predict=predict)


def _auto_predict(auto: Artifact) -> dict[str, object]:
    result = auto.forecast()  # type: ignore[attr-defined]
    return {"point": result.point, "upper_90": result.upper[90], "lower_80": result.lower[80], "model": result.model}


CASES = [_single(model) for model in ForecastModel] + [
    ContractCase(
        model_type="forecast.auto",
        fit=lambda: AutoForecaster(HORIZON, models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.TSB]).fit(PANEL),
        predict=_auto_predict,
    )
]

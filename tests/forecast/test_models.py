"""Contract test every forecaster passes, on small synthetic sales with a known answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import ArtifactFormatError, DataValidationError, NotFittedError
from llm4retail.forecast.base import Forecaster, ForecastModel, make_forecaster
from llm4retail.forecast.gbm import LightGBMForecaster
from llm4retail.forecast.metrics import point_scores
from llm4retail.forecast.panel import Panel, panel_from_sales

pytestmark = pytest.mark.unit

HORIZON = 14
# Seasonal models must beat the noise-free level of a flat forecast; intermittent ones only need to be sane.
SEASONAL = {ForecastModel.SEASONAL_NAIVE, ForecastModel.ETS, ForecastModel.THETA, ForecastModel.ARIMA,
            ForecastModel.LIGHTGBM}



@pytest.fixture
def seasonal_panel(make_sales: Callable[..., pd.DataFrame]) -> Panel:
    return panel_from_sales(make_sales(n_series=3, n_days=140, promotion_lift=0.0, noise=0.01))


@pytest.mark.parametrize("model", list(ForecastModel), ids=lambda model: model.value)
def test_every_model_forecasts_a_weekly_pattern_and_zero_on_closed_days(model: ForecastModel, seasonal_panel: Panel) -> None:
    history = seasonal_panel.window(0, 140 - HORIZON)
    future = seasonal_panel.window(140 - HORIZON, 140)

    forecaster = make_forecaster(model, horizon=HORIZON).fit(history)
    forecast = forecaster.predict(future)
    scores = point_scores(future.y, forecast, future.observed, history=history)

    assert forecast.shape == (3, HORIZON)
    assert (forecast >= 0).all()
    assert (forecast[~future.open] == 0).all()
    assert scores["wape"] < (0.05 if model in SEASONAL else 0.25)
    assert forecaster.evaluate(future, history=history) == scores


@pytest.mark.parametrize("model", list(ForecastModel), ids=lambda model: model.value)
def test_save_and_load_give_the_same_forecast(model: ForecastModel, seasonal_panel: Panel, tmp_path: Path) -> None:
    history, future = seasonal_panel.window(0, 126), seasonal_panel.window(126, 140)
    fitted = make_forecaster(model, horizon=HORIZON).fit(history)

    loaded = Forecaster.load(fitted.save(tmp_path / model.value))

    assert type(loaded) is type(fitted)

    np.testing.assert_allclose(loaded.predict(future), fitted.predict(future), rtol=1e-6)
    assert not list(tmp_path.rglob("*.pkl"))


def test_predict_before_fit_and_loading_the_wrong_model_fail(seasonal_panel: Panel, tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        make_forecaster(ForecastModel.ETS, horizon=7).predict(seasonal_panel)
    make_forecaster(ForecastModel.SEASONAL_NAIVE, horizon=7).fit(seasonal_panel).save(tmp_path)
    with pytest.raises(ArtifactFormatError, match="seasonal_naive.*retrain with `llm4retail forecast train`"):
        type(make_forecaster(ForecastModel.ETS, horizon=7)).load(tmp_path)


def test_lightgbm_refuses_a_horizon_longer_than_it_was_fitted_for(seasonal_panel: Panel) -> None:
    model = LightGBMForecaster(7).fit(seasonal_panel.window(0, 120))

    with pytest.raises(DataValidationError, match="up to 7 steps"):
        model.predict(seasonal_panel.window(120, 140))


def test_a_folder_saved_before_the_shared_format_is_refused_with_the_train_command(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"model": "seasonal_naive", "version": "0.1", "n_series": 3, "season": 7}')

    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail forecast train`"):
        Forecaster.load(tmp_path)

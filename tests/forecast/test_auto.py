"""Tests of the automatic forecaster: validation choice, intervals, the time probe, persistence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import ConfigError, DataValidationError, NotFittedError
from llm4retail.forecast.auto import AutoForecaster
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.panel import panel_from_sales
from llm4retail.forecast.windows import affordable_models, choose

pytestmark = pytest.mark.unit

FAST = [ForecastModel.SEASONAL_NAIVE, ForecastModel.CROSTON, ForecastModel.LIGHTGBM]


def test_promotion_driven_sales_choose_the_model_that_sees_promotions(make_sales: Callable[..., pd.DataFrame]) -> None:
    panel = panel_from_sales(make_sales(n_series=8, n_days=300, promotion_lift=1.5, seed=4))

    auto = AutoForecaster(28, models=FAST).fit(panel)
    result = auto.forecast()

    assert auto.chosen_ is ForecastModel.LIGHTGBM
    assert auto.validation_["lightgbm"] < auto.validation_["seasonal_naive"]
    assert result.point.shape == (8, 28) and result.dates[0] == panel.dates[-1] + pd.Timedelta(days=1)
    for level in (80, 90, 95):
        assert (result.lower[level] <= result.point).all() and (result.point <= result.upper[level]).all()
    assert (result.upper[95] >= result.upper[80]).all()
    closed = ~result.open
    assert closed.any() and (result.point[closed] == 0).all() and (result.upper[90][closed] == 0).all()
    assert result.series(0)["forecast"][0].keys() >= {"date", "mean", "lower_90", "upper_90", "open"}


def test_evaluate_scores_a_later_window_with_its_intervals(make_sales: Callable[..., pd.DataFrame]) -> None:
    panel = panel_from_sales(make_sales(n_series=6, n_days=300, promotion_lift=1.5, seed=6))
    auto = AutoForecaster(28, models=FAST).fit(panel.window(0, 272))

    scores = auto.evaluate(panel.window(272, 300))

    assert scores["mase"] < 0.6 and 0.7 <= scores["coverage_90"] <= 1.0


def test_save_and_load_keep_the_choice_and_the_forecast(make_sales: Callable[..., pd.DataFrame], tmp_path: Path) -> None:
    panel = panel_from_sales(make_sales(n_series=3, n_days=150))
    auto = AutoForecaster(14, models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.TSB]).fit(panel)

    loaded = AutoForecaster.load(auto.save(tmp_path))

    assert loaded.chosen_ is auto.chosen_
    np.testing.assert_allclose(loaded.forecast().upper[90], auto.forecast().upper[90])


def test_a_model_whose_projected_time_exceeds_the_budget_is_skipped(make_sales: Callable[..., pd.DataFrame]) -> None:
    panel = panel_from_sales(make_sales(n_series=4, n_days=150))

    result = affordable_models([ForecastModel.SEASONAL_NAIVE, ForecastModel.ETS], panel, n_fits=2,
                               budget_seconds=1e-6)

    assert result.kept == [ForecastModel.SEASONAL_NAIVE]
    assert "exceeds the budget" in result.skipped["auto_ets"]


def test_the_projection_is_work_so_the_clock_cannot_change_it(
    make_sales: Callable[..., pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept models follow from the series, their lengths and the fits alone: a budget that admits AutoARIMA
    for 2 fits refuses it for 20, and no clock is read (a busy machine gives the same candidates)."""
    from llm4retail.forecast import windows

    panel = panel_from_sales(make_sales(n_series=4, n_days=150))
    steps = float(panel.observed.shape[0] * panel.observed.shape[1])
    budget = windows.REFERENCE_SECONDS_PER_STEP[ForecastModel.ARIMA] * steps * 5
    monkeypatch.setattr(windows.time, "perf_counter", lambda: pytest.fail("the projection read the clock"))
    few = affordable_models([ForecastModel.ARIMA], panel, n_fits=2, budget_seconds=budget)
    many = affordable_models([ForecastModel.ARIMA], panel, n_fits=20, budget_seconds=budget)
    assert few.kept == [ForecastModel.ARIMA] and many.kept == [] and "auto_arima" in many.skipped


def test_choice_ignores_nan_and_errors_are_explicit(make_sales: Callable[..., pd.DataFrame]) -> None:
    assert choose({ForecastModel.ETS: float("nan"), ForecastModel.TSB: 0.9}) is ForecastModel.TSB
    with pytest.raises(DataValidationError, match="no model"):
        choose({ForecastModel.ETS: float("nan")})
    with pytest.raises(ConfigError, match="horizon"):
        AutoForecaster(0)
    with pytest.raises(NotFittedError):
        AutoForecaster(7).forecast()
    short = panel_from_sales(make_sales(n_series=1, n_days=30))
    with pytest.raises(DataValidationError, match="cannot hold"):
        AutoForecaster(28).fit(short)

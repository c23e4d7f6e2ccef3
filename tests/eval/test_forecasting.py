"""Known-answer tests of the forecast metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.eval.forecasting import interval_coverage, mase, smape, wape

pytestmark = pytest.mark.unit

HISTORY = np.array([1.0, 3.0, 2.0, 5.0, 4.0])


@pytest.mark.parametrize("season", [1, 7])
def test_mase_of_the_naive_forecast_is_one(season: int) -> None:
    series = np.random.default_rng(season).normal(size=40)

    assert mase(series[season:], series[:-season], series, season=season) == pytest.approx(1.0)


def test_mase_by_hand() -> None:
    # Naive scale: mean(|2|, |1|, |3|, |1|) = 7/4; forecast errors 1 and 3 -> mean 2.
    assert mase([6.0, 8.0], [5.0, 5.0], HISTORY) == pytest.approx(2 / (7 / 4))


def test_mase_skips_series_with_zero_scale() -> None:
    history = np.vstack([HISTORY, np.full(5, 3.0)])
    truth = np.array([[6.0, 8.0], [3.0, 3.0]])
    forecast = np.array([[5.0, 5.0], [4.0, 4.0]])

    assert mase(truth, forecast, history) == pytest.approx(8 / 7)
    assert math.isnan(mase([3.0], [4.0], np.full(5, 3.0)))


def test_mase_rejects_short_history_and_bad_season() -> None:
    with pytest.raises(DataValidationError, match="more than season=7"):
        mase([1.0], [1.0], HISTORY, season=7)
    with pytest.raises(DataValidationError, match="season must be a positive integer"):
        mase([1.0], [1.0], HISTORY, season=0)
    with pytest.raises(DataValidationError, match="y_train has 2 series"):
        mase([1.0], [1.0], np.vstack([HISTORY, HISTORY]))


def test_smape_skips_terms_where_both_are_zero() -> None:
    assert smape([1.0, 0.0, 2.0], [1.0, 0.0, 4.0]) == pytest.approx((0 + 2 * 2 / 6) / 2)
    assert math.isnan(smape([0.0, 0.0], [0.0, 0.0]))


def test_wape_by_hand_and_zero_actuals() -> None:
    assert wape([2.0, 0.0, 2.0], [1.0, 1.0, 2.0]) == pytest.approx(0.5)
    assert math.isnan(wape([0.0, 0.0], [1.0, 0.0]))


def test_interval_coverage_includes_bounds() -> None:
    covered = interval_coverage([1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 3.5, 0.0], [2.0, 2.0, 4.0, 3.0])

    assert covered == pytest.approx(0.5)


def test_forecast_metrics_reject_bad_input() -> None:
    with pytest.raises(DataValidationError, match="lower exceeds upper"):
        interval_coverage([1.0], [2.0], [0.0])
    with pytest.raises(DataValidationError, match="shape"):
        wape([1.0, 2.0], [1.0])
    with pytest.raises(DataValidationError, match="NaN or infinite"):
        smape([1.0, np.nan], [1.0, 1.0])
    with pytest.raises(DataValidationError, match="non-empty"):
        wape([], [])

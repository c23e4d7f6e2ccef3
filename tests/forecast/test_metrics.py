"""Tests of the masked forecast scores: closed days never enter a score or a scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.forecast.conformal import ConformalIntervals
from llm4retail.forecast.metrics import coverage, point_scores, seasonal_scale
from llm4retail.forecast.panel import panel_from_sales

pytestmark = pytest.mark.unit


def test_seasonal_scale_uses_only_pairs_of_observed_cells(sales: pd.DataFrame) -> None:
    panel = panel_from_sales(sales)
    y = np.where(panel.observed, panel.y, np.nan)
    by_hand = np.nanmean(np.abs(y[:, 7:] - y[:, :-7]), axis=1)

    np.testing.assert_allclose(seasonal_scale(panel), by_hand)


def test_scores_ignore_closed_cells_whatever_their_values(sales: pd.DataFrame) -> None:
    panel = panel_from_sales(sales)
    history, test = panel.window(0, 150), panel.window(150, 200)
    forecast = np.nan_to_num(test.y) * 1.1
    wild = np.where(test.open, forecast, 1e6)  # a closed-day forecast must not matter

    scores = point_scores(test.y, forecast, test.observed, history=history)

    assert point_scores(test.y, wild, test.observed, history=history) == scores
    assert scores["scored_points"] == test.observed.sum() < test.n_series * test.n_dates
    assert scores["wape"] == pytest.approx(0.1, rel=1e-9)


def test_conformal_intervals_cover_about_their_level() -> None:
    rng = np.random.default_rng(3)
    calibration = rng.gumbel(size=(50, 40))  # skewed errors
    fresh = rng.gumbel(size=(50, 40))
    intervals = ConformalIntervals.calibrate(calibration, np.ones(50), levels=(80, 90))
    point = np.full((50, 40), 100.0)

    lower, upper = intervals.interval(point, np.ones(50), level=90)
    covered = coverage(point + fresh, lower, upper, np.ones((50, 40), dtype=bool))

    assert 0.87 <= covered <= 0.93
    assert intervals.upper[90] - 0 > 0 - intervals.lower[90]  # the right tail is longer
    assert intervals.upper[90] > intervals.upper[80]

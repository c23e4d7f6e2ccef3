"""Price advice: the constant-elasticity optimum, constraints, endings and uncertainty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.pricing.base import ElasticityEstimator, ElasticityTable
from llm4retail.pricing.optimise import PriceConstraints, PriceEnding, recommend_price

pytestmark = pytest.mark.unit


class _Known(ElasticityEstimator):
    def _fit(self, panel, categories):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def _model(elasticity: float, sd: float, *, price: float = 10.0, demand: float = 100.0) -> _Known:
    model = _Known()
    model.table_ = ElasticityTable(
        keys=pd.DataFrame({"product_id": ["p"], "store_id": ["s"]}), raw=np.array([elasticity]),
        raw_sd=np.array([sd]), elasticity=np.array([elasticity]), elasticity_sd=np.array([sd]),
        group=np.array(["all"], dtype=object), group_mean={"all": {"mean": elasticity, "tau": 0.1}},
        n_observations=np.array([500]), base_demand=np.array([demand]), current_price=np.array([price]),
    )
    return model


def test_unconstrained_optimum_is_the_markup_rule() -> None:
    # Constant elasticity e < -1: p* = c e / (1 + e) = 6 * -3 / -2 = 9.
    advice = recommend_price(_model(-3.0, 1e-6), 0, unit_cost=6.0, constraints=PriceConstraints(max_change=0.5))

    assert advice["recommended_price"] == pytest.approx(9.0, abs=0.1)
    assert advice["binding"] is None
    assert advice["expected_profit_change"] > 0 and advice["probability_profit_up"] == 1.0


def test_inelastic_demand_hits_the_step_limit_and_endings_apply() -> None:
    advice = recommend_price(_model(-0.5, 0.05), 0, unit_cost=4.0,
                             constraints=PriceConstraints(max_change=0.1, ending=PriceEnding.NINETY_NINE))

    assert advice["recommended_price"] == pytest.approx(10.99)
    assert advice["binding"] == "max_change"
    assert advice["expected_revenue_change"] > 0


def test_uncertainty_widens_the_interval_of_the_profit_change() -> None:
    sure = recommend_price(_model(-2.5, 0.01), 0, unit_cost=5.0, constraints=PriceConstraints())
    unsure = recommend_price(_model(-2.5, 0.8), 0, unit_cost=5.0, constraints=PriceConstraints())

    width = lambda advice: advice["profit_change_upper_90"] - advice["profit_change_lower_90"]  # noqa: E731
    assert width(unsure) > 10 * width(sure)
    assert unsure["profit_change_lower_90"] <= unsure["expected_profit_change"] <= unsure["profit_change_upper_90"]


def test_margin_floor_and_invalid_rules_are_explicit() -> None:
    advice = recommend_price(_model(-4.0, 0.01), 0, unit_cost=8.5, constraints=PriceConstraints(min_margin=0.1))
    assert (advice["recommended_price"] - 8.5) / advice["recommended_price"] >= 0.1 - 1e-9
    with pytest.raises(DataValidationError, match="margin"):
        recommend_price(_model(-2.0, 0.1), 0, unit_cost=9.9, constraints=PriceConstraints(min_margin=0.5))
    with pytest.raises(ConfigError, match="max_change"):
        PriceConstraints(max_change=0)
    assert PriceEnding.WHOLE.apply(np.array([9.4, 9.6])).tolist() == [9.0, 10.0]


def test_advice_starts_from_the_given_catalog_price() -> None:
    # Markup optimum 9.0 (see above); starting from a catalog price of 12 the step limit of 10% binds at 10.8.
    model = _model(-3.0, 1e-6)
    advice = recommend_price(model, 0, unit_cost=6.0, constraints=PriceConstraints(max_change=0.1), current_price=12.0)
    assert (advice["current_price"], advice["sales_price"], advice["price_source"]) == (12.0, 10.0, "catalog")
    assert advice["recommended_price"] == pytest.approx(10.8) and advice["binding"] == "max_change"
    assert advice["change"] == pytest.approx(-0.1)
    # Demand at 12 is read off the curve (100 * (12/10)^-3 = 57.9/day): moving to 10.8 gains profit.
    demand_now = 100.0 * 1.2**-3.0
    expected = 28 * ((10.8 - 6.0) * 100.0 * 1.08**-3.0 - (12.0 - 6.0) * demand_now)
    assert advice["expected_profit_change"] == pytest.approx(expected, rel=1e-3)
    same = recommend_price(model, 0, unit_cost=6.0, constraints=PriceConstraints(), current_price=10.0)
    assert same["expected_profit_change"] == pytest.approx(
        recommend_price(model, 0, unit_cost=6.0, constraints=PriceConstraints())["expected_profit_change"])
    with pytest.raises(DataValidationError, match="current_price must be a positive number"):
        recommend_price(model, 0, unit_cost=6.0, constraints=PriceConstraints(), current_price=0.0)


def test_the_profit_curve_peaks_at_the_recommended_price_within_the_rules() -> None:
    rules = PriceConstraints(max_change=0.2, min_margin=0.1)
    advice = recommend_price(_model(-2.0, 0.3), 0, unit_cost=5.0, constraints=rules)
    curve = advice["profit_curve"]
    current = advice["current_price"]
    assert len(curve) > 10
    assert all(current * 0.8 - 0.01 <= point["price"] <= current * 1.2 + 0.01 for point in curve)
    assert all((point["price"] - 5.0) / point["price"] >= 0.1 - 1e-9 for point in curve)
    assert all(point["lower_90"] <= point["profit_change"] <= point["upper_90"] for point in curve)
    top = max(curve, key=lambda point: point["profit_change"])
    assert top["price"] == advice["recommended_price"]
    assert top["profit_change"] == advice["expected_profit_change"]
    at_current = min(curve, key=lambda point: abs(point["price"] - current))
    assert abs(at_current["profit_change"]) < 1e-6  # no change at today's price

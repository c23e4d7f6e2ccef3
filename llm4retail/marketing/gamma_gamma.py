"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV").

A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers;
fitted on customers with repeat purchases from (x, mean repeat value). It assumes spend
is independent of frequency, which `frequency_spend_correlation` lets one check.

Example:
    >>> spend = GammaGamma().fit(repeaters["frequency"], repeaters["monetary_value"])
    >>> spend.expected_spend(summary["frequency"], summary["monetary_value"])
"""

from __future__ import annotations

from typing import Self

import numpy as np
from scipy.special import gammaln

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.marketing.base import LikelihoodModel


@register_model("gamma_gamma")
class GammaGamma(LikelihoodModel):
    """Gamma-Gamma spend model with parameters p, q and v (the paper's γ)."""

    parameter_names = ("p", "q", "v")

    def fit(self, frequency: np.ndarray, monetary_value: np.ndarray) -> Self:
        """Fits on customers with at least one repeat purchase and a positive mean value.

        Raises:
            DataValidationError: fewer than 10 such customers.
        """
        x, m = _repeaters(frequency, monetary_value)
        if x.size < 10:
            raise DataValidationError(f"Gamma-Gamma needs at least 10 repeat customers with spend, got {x.size}")

        def negative(log_params: np.ndarray) -> float:
            value = -self.log_likelihood(np.exp(log_params), x, m).sum()
            return float(value) if np.isfinite(value) else 1e300

        self._maximise(negative, start=np.array([1.0, 1.0, max(float(m.mean()), 1e-3)]))
        self.frequency_spend_correlation_ = float(np.corrcoef(x, m)[0, 1]) if x.std() > 0 and m.std() > 0 else 0.0
        return self

    def _state(self) -> ModelState:
        state = super()._state()
        state.facts["frequency_spend_correlation"] = self.frequency_spend_correlation_
        return state

    def _restore(self, state: ModelState) -> None:
        super()._restore(state)
        self.frequency_spend_correlation_ = float(state.facts["frequency_spend_correlation"])

    @staticmethod
    def log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Each customer's log-likelihood of their mean repeat value."""
        p, q, v = params
        return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
                + (p * x - 1.0) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(v + m * x))

    def expected_spend(self, frequency: np.ndarray, monetary_value: np.ndarray) -> np.ndarray:
        """E[value of a future transaction | history]; the population mean for customers without repeats."""
        self._check_fitted()
        p, q, v = self.params_["p"], self.params_["q"], self.params_["v"]
        x = np.asarray(frequency, dtype=float)
        m = np.nan_to_num(np.asarray(monetary_value, dtype=float), nan=0.0)
        population = p * v / (q - 1.0) if q > 1.0 else np.nan
        conditional = p * (v + x * m) / (p * x + q - 1.0)
        return np.where((x > 0) & (m > 0), conditional, population)

    def evaluate(self, frequency: np.ndarray, monetary_value: np.ndarray, *, actual_mean: np.ndarray) -> dict[str, float]:
        """MAE of the expected spend against each customer's actual later mean spend (where known)."""
        predicted = self.expected_spend(frequency, monetary_value)
        actual = np.asarray(actual_mean, dtype=float)
        known = np.isfinite(actual) & np.isfinite(predicted)
        return {"spend_mae": float(np.abs(predicted[known] - actual[known]).mean()) if known.any() else np.nan}


def _repeaters(frequency: np.ndarray, monetary_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    if x.shape != m.shape:
        raise DataValidationError("frequency and monetary_value must have the same length")
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    return x[keep], m[keep]

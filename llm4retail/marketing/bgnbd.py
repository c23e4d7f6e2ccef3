"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they
drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood on each customer's
(x = repeat purchases, t_x = time of the last one, T = time since the first purchase).

Example:
    >>> model = BetaGeometricNBD().fit(summary["frequency"], summary["recency"], summary["T"])
    >>> model.params_                                   # {"r": .., "alpha": .., "a": .., "b": ..}
    >>> model.expected_purchases(39.0, summary["frequency"], summary["recency"], summary["T"])
"""

from __future__ import annotations

from typing import Self

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from llm4retail.artifacts import register_model
from llm4retail.marketing.base import LikelihoodModel, check_summary


@register_model("bgnbd")
class BetaGeometricNBD(LikelihoodModel):
    """BG/NBD with parameters r, alpha (purchase rate) and a, b (dropout)."""

    parameter_names = ("r", "alpha", "a", "b")

    def fit(self, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> Self:
        """Maximum-likelihood fit.

        Args:
            frequency: repeat purchases x per customer.
            recency: time of the last purchase t_x (from the first), in the model's unit.
            age: T, time from the first purchase to the end of the period.

        Raises:
            DataValidationError: invalid summaries or no optimum.
        """
        x, t_x, big_t = check_summary(frequency, recency, age)
        scale = max(float(big_t.mean()), 1e-6)

        def negative(log_params: np.ndarray) -> float:
            value = -self.log_likelihood(np.exp(log_params), x, t_x, big_t).sum()
            return float(value) if np.isfinite(value) else 1e300

        self._maximise(negative, start=np.array([1.0, scale, 1.0, 1.0]))
        return self

    @staticmethod
    def log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        """Each customer's log-likelihood (equation 6 of the paper, in its logarithmic form)."""
        r, alpha, a, b = params
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + big_t)
        repeat = x > 0
        a4 = np.where(
            repeat,
            np.log(a) - np.log(np.where(repeat, b + x - 1.0, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
        return a1 + a2 + np.logaddexp(a3, a4)

    def _arrays(self) -> tuple[float, float, float, float]:
        self._check_fitted()
        return self.params_["r"], self.params_["alpha"], self.params_["a"], self.params_["b"]

    def probability_alive(self, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> np.ndarray:
        """P(still active at the end of the period | history)."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        r, alpha, a, b = self._arrays()
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-12)) + (r + x) * (
            np.log(alpha + big_t) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)

    def expected_purchases(self, horizon: float, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> np.ndarray:
        """E[purchases in the next `horizon` units | x, t_x, T] (equation 10 of the paper)."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        r, alpha, a, b = self._arrays()
        z = horizon / (alpha + big_t + horizon)
        hyper = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        first = (a + b + x - 1.0) / (a - 1.0) if a != 1.0 else np.full_like(x, np.nan)
        numerator = first * (1.0 - np.power((alpha + big_t) / (alpha + big_t + horizon), r + x) * hyper)
        denominator = 1.0 + np.where(
            x > 0, a / np.maximum(b + x - 1.0, 1e-12) * np.power((alpha + big_t) / (alpha + t_x), r + x), 0.0)
        return numerator / denominator

    def expected_purchases_new(self, horizon: float) -> float:
        """E[purchases in `horizon` units] of a customer just acquired (equation 7)."""
        r, alpha, a, b = self._arrays()
        z = horizon / (alpha + horizon)
        return float((a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + horizon)) ** r * hyp2f1(r, b, a + b - 1.0, z)))

    def evaluate(self, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray, *, horizon: float,
                 actual: np.ndarray) -> dict[str, float]:
        """Per-customer MAE and Pearson correlation of predicted vs actual holdout purchases."""
        predicted = self.expected_purchases(horizon, frequency, recency, age)
        return count_errors(predicted, np.asarray(actual, dtype=float))


def count_errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    """`mae`, `rmse`, `corr` (Pearson) and the mean predicted and actual counts."""
    error = predicted - actual
    correlation = float(np.corrcoef(predicted, actual)[0, 1]) if predicted.std() > 0 and actual.std() > 0 else np.nan
    return {
        "mae": float(np.abs(error).mean()),
        "rmse": float(np.sqrt((error**2).mean())),
        "corr": correlation,
        "mean_predicted": float(predicted.mean()),
        "mean_actual": float(actual.mean()),
    }

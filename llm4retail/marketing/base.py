"""Shared plumbing of the customer-value models: parameters fitted by maximum likelihood.

Every marketing model saves and loads through the shared model contract
(`llm4retail.artifacts.Artifact`); the likelihood models here are a few scalar parameters
each, so their saved state is JSON facts only (parameters, log-likelihood, convergence).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize

from llm4retail.artifacts import Artifact, ModelState
from llm4retail.errors import DataValidationError, NotFittedError


class MarketingArtifact(Artifact):
    """Base of every saved marketing model (`llm4retail segments train` trains them all)."""

    capability = "marketing"
    train_command = "llm4retail segments train"


class LikelihoodModel(MarketingArtifact, ABC):
    """A model with named positive parameters fitted by maximising a log-likelihood."""

    parameter_names: tuple[str, ...]
    params_: dict[str, float]
    log_likelihood_: float

    @abstractmethod
    def evaluate(self, *args: Any, **kwargs: Any) -> dict[str, float]:
        """Model-specific error measures on held-out data."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit() or load() first")

    def _maximise(self, negative_log_likelihood: Callable[[np.ndarray], float], *, start: np.ndarray) -> None:
        """Minimises the negative log-likelihood over log-parameters (keeps them positive).

        Raises:
            DataValidationError: the optimiser found no finite optimum.
        """
        result = minimize(negative_log_likelihood, np.log(start), method="L-BFGS-B",
                          bounds=[(-12.0, 12.0)] * start.size, options={"maxiter": 2000})
        if not np.isfinite(result.fun):
            raise DataValidationError(f"{type(self).__name__}: the likelihood has no finite optimum on these data")
        self.params_ = {name: float(value) for name, value in zip(self.parameter_names, np.exp(result.x))}
        self.log_likelihood_ = float(-result.fun)
        self.converged_ = bool(result.success)

    def _state(self) -> ModelState:
        """The fitted parameters, their log-likelihood and whether the optimiser converged."""
        self._check_fitted()
        return ModelState(facts={"params": self.params_, "log_likelihood": self.log_likelihood_,
                                 "converged": self.converged_})

    def _restore(self, state: ModelState) -> None:
        self.params_ = {name: float(state.facts["params"][name]) for name in self.parameter_names}
        self.log_likelihood_ = float(state.facts["log_likelihood"])
        self.converged_ = bool(state.facts["converged"])


def check_summary(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, ...]:
    """Validated float arrays of repeat frequency, recency and customer age (T).

    Raises:
        DataValidationError: shapes differ, a value is negative or recency exceeds T.
    """
    x, t_x, big_t = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    if not (x.shape == t_x.shape == big_t.shape) or x.ndim != 1 or x.size == 0:
        raise DataValidationError("frequency, recency and T must be non-empty 1-D arrays of equal length")
    if (x < 0).any() or (t_x < 0).any() or (big_t < 0).any():
        raise DataValidationError("frequency, recency and T must not be negative")
    if (t_x > big_t + 1e-9).any():
        raise DataValidationError("recency must not exceed T (last purchase after the end of the period)")
    if ((x == 0) & (t_x > 0)).any():
        raise DataValidationError("a customer without repeat purchases must have recency 0")
    return x, t_x, big_t

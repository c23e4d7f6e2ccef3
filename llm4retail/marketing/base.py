"""Shared plumbing of the customer-value models: parameters fitted by maximum likelihood, saved as JSON.

The models here are a few scalar parameters each, so `save` writes `meta.json` with the
parameters, their log-likelihood and the package version (no arrays, no pickle).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import numpy as np
from scipy.optimize import minimize

from llm4retail import __version__
from llm4retail.errors import DataValidationError, NotFittedError

META_FILE = "meta.json"


class LikelihoodModel(ABC):
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

    def save(self, directory: Path) -> None:
        """Writes the parameters to `<directory>/meta.json`."""
        self._check_fitted()
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"model": type(self).__name__, "version": __version__, "params": self.params_,
                "log_likelihood": self.log_likelihood_, "converged": self.converged_}
        (directory / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads parameters written by `save`.

        Raises:
            DataValidationError: no saved model of this kind in `directory`.
        """
        path = directory / META_FILE
        if not path.is_file():
            raise DataValidationError(f"no saved {cls.__name__} in {directory}")
        meta = json.loads(path.read_text(encoding="utf-8"))
        if meta.get("model") != cls.__name__:
            raise DataValidationError(f"{path} holds a {meta.get('model')}, not a {cls.__name__}")
        model = cls()
        model.params_ = {name: float(meta["params"][name]) for name in cls.parameter_names}
        model.log_likelihood_ = float(meta["log_likelihood"])
        model.converged_ = bool(meta["converged"])
        return model


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

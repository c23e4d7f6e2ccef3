"""Quasi-Poisson regression with a log link, fitted by iteratively reweighted least squares.

Counts with zeros, multiplicative effects and over-dispersion: the coefficient of
log(price) is the price elasticity. Standard errors are scaled by the Pearson
dispersion (quasi-likelihood), so over-dispersed (negative binomial) demand does
not get overconfident intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llm4retail.errors import DataValidationError

MAX_ITERATIONS = 50
TOLERANCE = 1e-8
RIDGE = 1e-6  # tiny penalty keeping the normal equations solvable when a control is constant


@dataclass
class PoissonFit:
    """Coefficients, their covariance and the dispersion of one fit."""

    coefficients: np.ndarray
    covariance: np.ndarray
    robust_covariance: np.ndarray
    dispersion: float
    iterations: int

    @property
    def standard_errors(self) -> np.ndarray:
        """The larger of the quasi-Poisson and the sandwich standard error of each coefficient.

        Negative binomial demand has a variance growing with the square of the mean,
        which one dispersion factor understates; the sandwich does not assume a variance form.
        """
        variance = np.maximum(np.diag(self.covariance), np.diag(self.robust_covariance))
        return np.sqrt(np.clip(variance, 0.0, None))


def fit_poisson(design: np.ndarray, counts: np.ndarray) -> PoissonFit:
    """Fit log E[y] = X b by IRLS.

    Both the quasi-Poisson and the heteroskedasticity-robust sandwich (HC1)
    covariances are kept; `standard_errors` takes the larger of the two.

    Args:
        design: (n, k) regressors, an intercept column included.
        counts: (n,) non-negative responses.

    Returns:
        The fit with both covariances and the Pearson dispersion (at least 1).

    Raises:
        DataValidationError: If there are fewer rows than columns, or responses are negative or all zero.
    """
    n_rows, n_columns = design.shape
    if n_rows <= n_columns:
        raise DataValidationError(f"{n_rows} observations cannot fit {n_columns} coefficients")
    if (counts < 0).any() or counts.sum() <= 0:
        raise DataValidationError("demand must be non-negative and not all zero to fit a Poisson model")
    coefficients = np.zeros(n_columns)
    coefficients[0] = np.log(counts.mean())
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (the count is reported after the loop)
        eta = np.clip(design @ coefficients, -30, 30)
        mean = np.exp(eta)
        working = eta + (counts - mean) / mean
        weighted = design * mean[:, None]
        information = design.T @ weighted + RIDGE * np.eye(n_columns)
        updated = np.linalg.solve(information, weighted.T @ working)
        change = np.max(np.abs(updated - coefficients))
        coefficients = updated
        if change < TOLERANCE:
            break
    mean = np.exp(np.clip(design @ coefficients, -30, 30))
    information = design.T @ (design * mean[:, None]) + RIDGE * np.eye(n_columns)
    dispersion = max(1.0, float(((counts - mean) ** 2 / mean).sum() / (n_rows - n_columns)))
    bread = np.linalg.inv(information)
    meat = design.T @ (design * ((counts - mean) ** 2)[:, None])
    robust = bread @ meat @ bread * n_rows / (n_rows - n_columns)
    return PoissonFit(coefficients, bread * dispersion, robust, dispersion, iterations)

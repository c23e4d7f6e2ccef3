"""Price elasticity per series with empirical-Bayes shrinkage toward its category.

Per series, a quasi-Poisson log-linear demand model on observed (open) days:

    log E[q_t] = a + b log(p_t / p_ref) + c promo_t + weekday + holidays + trend + d log(market_t)

where `market_t` is the mean normalised demand of the *other* series that day (it
absorbs the shared yearly calendar, sales events and shocks; with fewer than
`MIN_MARKET_SERIES` series month dummies take its place). `b` is the elasticity.
Estimates are then pooled within each category (the deepest category path shared
by at least `MIN_GROUP` series, else all series) by a normal random-effects model
(DerSimonian-Laird): a noisy estimate moves toward its category mean, a precise
one stays.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from llm4retail.artifacts import register_model
from llm4retail.errors import DataValidationError
from llm4retail.forecast.panel import Frequency, Panel
from llm4retail.pricing.base import ElasticityEstimator, ElasticityTable
from llm4retail.pricing.glm import fit_poisson

logger = logging.getLogger(__name__)

MIN_GROUP = 3
MIN_MARKET_SERIES = 5
MIN_PRICE_SPREAD = 1e-3  # std of log price below this: the series never changed price
TAU_FLOOR = 1e-4
BASE_DAYS = 28


@register_model("shrunk_elasticity")
class ShrunkElasticityModel(ElasticityEstimator):
    """Log-linear quasi-Poisson elasticities shrunk toward category means.

    Example:
        >>> model = ShrunkElasticityModel().fit(panel, categories={"p1": "Home > Bedding"})
        >>> model.table_.elasticity[0], model.table_.elasticity_sd[0]  # doctest: +SKIP
        (-1.52, 0.08)
    """

    def _fit(self, panel: Panel, categories: dict[str, str]) -> ElasticityTable:
        market = _market_index(panel)
        raw, errors, counts = [], [], []
        for index in range(panel.n_series):
            estimate, error, count = _series_elasticity(panel, index, market)
            raw.append(estimate)
            errors.append(error)
            counts.append(count)
        raw_array, error_array = np.array(raw), np.array(errors)
        paths = [_normalised_path(categories.get(str(pid), "")) for pid in panel.keys["product_id"]]
        groups = _groups(paths)
        shrunk, sd, group_means = _shrink(raw_array, error_array, groups, paths)
        base, current = _baseline(panel, shrunk)
        return ElasticityTable(
            keys=panel.keys.copy(), raw=raw_array, raw_sd=error_array, elasticity=shrunk, elasticity_sd=sd,
            group=np.array(groups, dtype=object), group_mean=group_means, n_observations=np.array(counts),
            base_demand=base, current_price=current,
        )


def _design(panel: Panel, index: int, market: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows (observed cells with a price) and the regressors of one series; column 1 is log relative price."""
    assert panel.price is not None
    rows = panel.observed[index] & np.isfinite(panel.price[index]) & (panel.price[index] > 0)
    if market is not None:
        rows &= np.isfinite(market[index])
    price = panel.price[index, rows]
    columns = [np.ones(price.size), np.log(price / np.median(price))]
    if panel.promotion is not None:
        columns.append(panel.promotion[index, rows])
    dates = panel.dates[rows]
    if panel.frequency is Frequency.DAILY:
        columns += [(dates.dayofweek == day).astype(float) for day in range(1, 7)]
    for codes in panel.holidays.values():
        columns += [(codes[index, rows] == code).astype(float) for code in np.unique(codes[index, rows]) if code > 0]
    steps = np.flatnonzero(rows).astype(float)
    columns.append((steps - steps.mean()) / max(panel.frequency.year, 1))
    if market is not None:
        columns.append(market[index, rows])
    elif panel.frequency is not Frequency.MONTHLY:
        columns += [(dates.month == month).astype(float) for month in range(2, 13)]
    design = np.column_stack(columns)
    keep = np.r_[True, True, design[:, 2:].std(axis=0) > 0]
    return design[:, keep], panel.y[index, rows], rows


def _series_elasticity(panel: Panel, index: int, market: np.ndarray | None) -> tuple[float, float, int]:
    """Raw elasticity, its standard error and the rows used (NaN, inf when prices never changed)."""
    design, counts, rows = _design(panel, index, market)
    if counts.size <= design.shape[1] + 5 or design[:, 1].std() < MIN_PRICE_SPREAD or counts.sum() <= 0:
        return float("nan"), float("inf"), int(counts.size)
    try:
        fit = fit_poisson(design, counts)
    except (DataValidationError, np.linalg.LinAlgError) as error:
        logger.warning("elasticity of series %d not estimated: %s", index, error)
        return float("nan"), float("inf"), int(counts.size)
    return float(fit.coefficients[1]), float(fit.standard_errors[1]), int(counts.size)


def _market_index(panel: Panel) -> np.ndarray | None:
    """Log mean normalised demand of the other series, per series and date; None with too few series."""
    if panel.n_series < MIN_MARKET_SERIES:
        return None
    observed = panel.observed
    level = np.array([row[mask].mean() if mask.any() and row[mask].mean() > 0 else 1.0
                      for row, mask in zip(panel.y, observed)])
    normalised = np.where(observed, np.nan_to_num(panel.y) / level[:, None], 0.0)
    total, count = normalised.sum(axis=0), observed.sum(axis=0)
    others = (total[None, :] - normalised) / np.maximum(count[None, :] - observed, 1)
    with np.errstate(divide="ignore"):
        index = np.where((count[None, :] - observed > 0) & (others > 0), np.log(others), np.nan)
    return index - np.nanmean(index)


def _normalised_path(category: str) -> str:
    """'A>B > C ' -> 'A > B > C'."""
    return " > ".join(part.strip() for part in str(category).split(">") if part.strip())


def _groups(categories: list[str]) -> list[str]:
    """The deepest category prefix shared by at least MIN_GROUP series, else 'all'."""
    paths = [[part.strip() for part in category.split(">") if part.strip()] for category in categories]
    counts: dict[str, int] = {}
    for path in paths:
        for depth in range(1, len(path) + 1):
            prefix = " > ".join(path[:depth])
            counts[prefix] = counts.get(prefix, 0) + 1
    groups = []
    for path in paths:
        chosen = "all"
        for depth in range(len(path), 0, -1):
            prefix = " > ".join(path[:depth])
            if counts[prefix] >= MIN_GROUP:
                chosen = prefix
                break
        groups.append(chosen)
    return groups


def _shrink(
    raw: np.ndarray, error: np.ndarray, groups: list[str], categories: list[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Random-effects pooling (DerSimonian-Laird) of each group's prior over every series under its category path.

    A series pooled in "A > B" borrows from all series whose category starts with "A > B" (those of
    "A > B > C" too); groups without two estimates borrow the overall prior.
    """
    labels = np.array(groups, dtype=object)
    overall = _pool(raw, error)
    shrunk, sd = np.empty(raw.size), np.empty(raw.size)
    summary: dict[str, Any] = {"all": {"mean": overall[0], "tau": float(np.sqrt(overall[1]))}}
    for label in dict.fromkeys(groups):
        members = labels == label
        under = np.array([label == "all" or f"{path} >".startswith(f"{label} >") for path in categories])
        mean, tau2 = _pool(raw[under], error[under]) if np.isfinite(raw[under]).sum() >= 2 else overall
        summary[label] = {"mean": mean, "tau": float(np.sqrt(tau2)), "members": int(members.sum()),
                          "prior_series": int(under.sum())}
        variance = error[members] ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(np.isfinite(raw[members]), 1.0 / variance, 0.0) + 1.0 / tau2
            shrunk[members] = (np.where(np.isfinite(raw[members]), raw[members] / variance, 0.0) + mean / tau2) / precision
        sd[members] = np.sqrt(1.0 / precision)
    return shrunk, sd, summary


def _pool(raw: np.ndarray, error: np.ndarray) -> tuple[float, float]:
    """Random-effects mean and between-series variance tau^2 (floored) of the finite estimates."""
    finite = np.isfinite(raw) & np.isfinite(error) & (error > 0)
    if not finite.any():
        raise DataValidationError("no series has price changes: elasticities cannot be estimated from these sales")
    estimate, weight = raw[finite], 1.0 / error[finite] ** 2
    fixed = float((weight * estimate).sum() / weight.sum())
    q = float((weight * (estimate - fixed) ** 2).sum())
    denominator = weight.sum() - (weight ** 2).sum() / weight.sum()
    tau2 = max((q - (finite.sum() - 1)) / denominator, TAU_FLOOR) if denominator > 0 else TAU_FLOOR
    random_weight = 1.0 / (error[finite] ** 2 + tau2)
    return float((random_weight * estimate).sum() / random_weight.sum()), float(tau2)


def _baseline(panel: Panel, elasticity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily demand at the latest non-promotion price (recent regular days, re-priced by the elasticity)."""
    assert panel.price is not None
    regular = panel.observed & np.isfinite(panel.price)
    if panel.promotion is not None:
        regular &= panel.promotion <= 0
    base, current = np.zeros(panel.n_series), np.zeros(panel.n_series)
    for index in range(panel.n_series):
        cells = np.flatnonzero(regular[index])
        if cells.size == 0:
            cells = np.flatnonzero(panel.observed[index])
        recent = cells[-BASE_DAYS:]
        if recent.size == 0:
            base[index], current[index] = 0.0, float("nan")
            continue
        current[index] = float(panel.price[index, recent[-1]])
        repriced = panel.y[index, recent] * (current[index] / panel.price[index, recent]) ** elasticity[index]
        base[index] = float(np.nanmean(repriced))
    return base, current

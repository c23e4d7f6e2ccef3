"""Synthetic daily sales of the most popular products, with a known price elasticity.

Daily quantity ~ NegBin(mean, shape) with mean = base level x trend x weekly
seasonality (weekend peak) x yearly seasonality (618 and Singles' Day peaks,
November-December lift, Chinese New Year dip) x promotion uplift x
(price / reference price) ^ elasticity. Regular prices change a few times a year,
promotions cut the price on about 8% of days, and the store closes a few days a year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.catalog import Catalog
from llm4retail.data.synthetic.common import REFERENCE_DATE, build_frame, object_column

ELASTICITY_RANGE = (-2.5, -0.8)
PRICE_CHANGES_PER_YEAR = 4
PRICE_MULTIPLIER_RANGE = (0.75, 1.25)
PROMOTION_SHARE = 0.08
PROMOTION_DISCOUNT_RANGE = (0.1, 0.3)
PROMOTION_UPLIFT = 1.4  # extra demand from promotion visibility, on top of the price effect
EXTRA_CLOSURES_PER_YEAR = 2
DISPERSION = 12.0  # negative binomial shape: variance = mean + mean^2 / DISPERSION
WEEKLY = np.array([0.9, 0.88, 0.9, 0.95, 1.05, 1.2, 1.15])  # Monday .. Sunday
CHINESE_NEW_YEAR = np.array(
    ["2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06"], dtype="datetime64[D]"
)


@dataclass
class SalesTruth:
    """Known parameters of the sales series."""

    elasticity: dict[str, float]
    reference_prices: dict[str, float]
    base_levels: dict[str, float]
    closure_dates: list[str]


def bump(*, days: np.ndarray, centre: np.ndarray, width: float) -> np.ndarray:
    """A Gaussian bump of height 1 around `centre` (days), `width` days wide."""
    distance = (days - centre).astype(np.float64)
    return np.exp(-0.5 * (distance / width) ** 2)


def yearly_seasonality(dates: np.ndarray) -> np.ndarray:
    """Multiplicative yearly pattern for `datetime64[D]` dates."""
    months = dates.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    year_start = dates.astype("datetime64[Y]").astype("datetime64[M]")
    singles_day = (year_start + 10).astype("datetime64[D]") + 10
    mid_year_sale = (year_start + 5).astype("datetime64[D]") + 17
    factor = 1.0 + 0.25 * (month == 11) + 0.15 * (month == 12)
    factor *= 1.0 + 1.2 * bump(days=dates, centre=singles_day, width=2.0)
    factor *= 1.0 + 0.4 * bump(days=dates, centre=mid_year_sale, width=2.0)
    for new_year in CHINESE_NEW_YEAR:
        factor *= 1.0 - 0.55 * bump(days=dates, centre=np.full(dates.size, new_year), width=4.0)
    return factor


def regular_prices(*, reference: float, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Piecewise-constant shelf prices around the reference price."""
    n_changes = rng.poisson(PRICE_CHANGES_PER_YEAR * n_days / 365)
    change_days = np.sort(rng.choice(np.arange(1, n_days), size=min(n_changes, n_days - 1), replace=False))
    multipliers = rng.uniform(*PRICE_MULTIPLIER_RANGE, size=change_days.size + 1)
    segment = np.searchsorted(change_days, np.arange(n_days), side="right")
    return np.round(reference * multipliers[segment], 2)


def promotion_days(*, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Discount (0 when none) per day: promotion runs of one to five days covering about 8% of days."""
    discount = np.zeros(n_days)
    n_runs = max(1, round(PROMOTION_SHARE * n_days / 3))
    starts = rng.integers(0, n_days, size=n_runs)
    lengths = rng.integers(1, 6, size=n_runs)
    for start, length, cut in zip(starts, lengths, rng.uniform(*PROMOTION_DISCOUNT_RANGE, size=n_runs)):
        discount[start : start + length] = cut
    return discount


def closure_mask(*, dates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days the store is closed: Chinese New Year's day plus a few random days a year."""
    closed = np.isin(dates, CHINESE_NEW_YEAR)
    n_extra = max(1, round(EXTRA_CLOSURES_PER_YEAR * dates.size / 365))
    closed[rng.choice(dates.size, size=n_extra, replace=False)] = True
    return closed


def choose_products(*, catalog: Catalog, n_sales_products: int) -> np.ndarray:
    """The most popular products (by latent popularity)."""
    return np.argsort(-catalog.popularity, kind="stable")[: min(n_sales_products, catalog.price.size)]


def holiday_names(dates: np.ndarray) -> np.ndarray:
    """The retail holiday each date falls in (None for ordinary days)."""
    year_start = dates.astype("datetime64[Y]").astype("datetime64[M]")
    singles_day = (year_start + 10).astype("datetime64[D]") + 10
    mid_year_sale = (year_start + 5).astype("datetime64[D]") + 17
    names = np.full(dates.size, None, dtype=object)
    names[np.abs((dates - mid_year_sale).astype(np.int64)) <= 1] = "mid_year_sale"
    names[np.abs((dates - singles_day).astype(np.int64)) <= 1] = "singles_day"
    for new_year in CHINESE_NEW_YEAR:
        names[np.abs((dates - new_year).astype(np.int64)) <= 3] = "chinese_new_year"
    return names


def simulate_series(
    *, reference: float, mean_without_price: np.ndarray, elasticity: float, closed: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantity, price and promotion flag of one product for every day.

    Args:
        reference: the reference price.
        mean_without_price: mean demand per day at the reference price without promotion.
        elasticity: the product's price elasticity.
        closed: days the store is closed.
        rng: random generator.
    """
    n_days = closed.size
    discount = promotion_days(n_days=n_days, rng=rng) * ~closed
    price = np.round(regular_prices(reference=reference, n_days=n_days, rng=rng) * (1.0 - discount), 2)
    promotion = discount > 0
    mean = mean_without_price * np.where(promotion, PROMOTION_UPLIFT, 1.0) * (price / reference) ** elasticity
    quantity = rng.poisson(mean * rng.gamma(DISPERSION, 1.0 / DISPERSION, size=n_days))
    return np.where(closed, 0, quantity).astype(float), price, promotion


def generate_sales(
    *, catalog: Catalog, n_days: int, n_sales_products: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, SalesTruth]:
    """Draw the daily sales series.

    Args:
        catalog: the catalog (reference prices, popularity).
        n_days: length of every series, ending on `REFERENCE_DATE`.
        n_sales_products: number of series.
        rng: random generator of the sales stream.

    Returns:
        The sales frame (sorted by product and date) and its known parameters.
    """
    products = choose_products(catalog=catalog, n_sales_products=n_sales_products)
    dates = np.datetime64(REFERENCE_DATE, "D") - np.arange(n_days)[::-1]
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    calendar = WEEKLY[weekday] * yearly_seasonality(dates)
    closed = closure_mask(dates=dates, rng=rng)
    elasticity = rng.uniform(*ELASTICITY_RANGE, size=products.size)
    base = 40.0 * (np.arange(products.size) + 1.0) ** -0.4 + 4.0
    growth = rng.normal(0.05, 0.15, size=products.size)
    years_to_end = (np.arange(n_days) - (n_days - 1)) / 365.0
    series = [
        simulate_series(
            reference=float(catalog.price[product]),
            mean_without_price=base[row] * np.exp(growth[row] * years_to_end) * calendar,
            elasticity=float(elasticity[row]),
            closed=closed,
            rng=rng,
        )
        for row, product in enumerate(products)
    ]
    holidays = np.tile(holiday_names(dates), products.size)
    ids = catalog.ids[products]
    frame = build_frame(Table.SALES, {
        "product_id": np.repeat(ids, n_days),
        "store_id": np.full(products.size * n_days, "default", dtype=object),
        "date": np.tile(dates, products.size).astype("datetime64[ns]"),
        "quantity": np.concatenate([quantity for quantity, _, _ in series]),
        "price": np.concatenate([price for _, price, _ in series]),
        "on_promotion": np.concatenate([promotion for _, _, promotion in series]),
        "open": np.tile(~closed, products.size),
    }, extras={"attributes": object_column(None if name is None else {"holiday": name} for name in holidays)})
    truth = SalesTruth(
        elasticity={str(pid): round(float(value), 4) for pid, value in zip(ids, elasticity)},
        reference_prices={str(pid): float(catalog.price[product]) for pid, product in zip(ids, products)},
        base_levels={str(pid): round(float(value), 3) for pid, value in zip(ids, base)},
        closure_dates=[str(day) for day in dates[closed]],
    )
    return frame, truth

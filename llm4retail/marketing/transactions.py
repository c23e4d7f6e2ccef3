"""Orders as purchase days, and the per-customer summaries the customer-value models need.

Buy-till-you-die models count *repeat purchase days*: several orders of one customer on
one day are one transaction (as in Fader, Hardie & Lee's CDNOW analyses), with their
values summed.

Example:
    >>> days = purchase_days(orders)
    >>> summary = customer_summary(days, end=pd.Timestamp("1997-09-30"))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError

# Orders that did not end in a kept purchase.
EXCLUDED_STATUSES = frozenset({"cancelled", "canceled", "failed", "refunded", "returned"})
DAYS_PER_WEEK = 7.0


def order_values(orders: pd.DataFrame) -> pd.Series:
    """Each order's value: `total`, else the sum of its lines' quantity × unit price (NaN if neither)."""
    total = pd.to_numeric(orders["total"], errors="coerce") if "total" in orders.columns else pd.Series(
        np.nan, index=orders.index)
    if "lines" not in orders.columns:
        return total.astype(float)
    from_lines = orders["lines"].map(_lines_value)
    return total.where(total.notna(), from_lines).astype(float)


def _lines_value(lines: object) -> float:
    if not isinstance(lines, list) or not lines:
        return np.nan
    value = 0.0
    for line in lines:
        if not isinstance(line, dict) or line.get("unit_price") is None:
            return np.nan
        value += float(line.get("quantity") or 1) * float(line["unit_price"])
    return value


def purchase_days(orders: pd.DataFrame) -> pd.DataFrame:
    """Kept orders grouped into one row per customer and day.

    Args:
        orders: contract orders (`customer_id`, `created_at`, `status`; `total` or `lines`).

    Returns:
        Columns `customer_id` (str), `date` (midnight Timestamp), `value` (float, NaN when unknown),
        sorted by customer and date.

    Raises:
        DataValidationError: a required column is missing or nothing is left.
    """
    missing = [name for name in ("customer_id", "created_at") if name not in orders.columns]
    if missing:
        raise DataValidationError(f"orders need customer_id and created_at; missing {missing}")
    kept = orders
    if "status" in orders.columns:
        status = orders["status"].astype("string").str.strip().str.lower()
        kept = orders[~status.isin(EXCLUDED_STATUSES).fillna(False).to_numpy()]
    frame = pd.DataFrame({
        "customer_id": kept["customer_id"].astype(str).to_numpy(),
        "date": pd.to_datetime(kept["created_at"]).dt.normalize().to_numpy(),
        "value": order_values(kept).to_numpy(),
    })
    frame = frame[frame["customer_id"].ne("") & frame["date"].notna()]
    if frame.empty:
        raise DataValidationError("no kept orders (all missing, cancelled or returned)")
    days = frame.groupby(["customer_id", "date"], sort=True, as_index=False)["value"].sum(min_count=1)
    return days.reset_index(drop=True)


def customer_summary(days: pd.DataFrame, *, end: pd.Timestamp, unit_days: float = DAYS_PER_WEEK) -> pd.DataFrame:
    """Per-customer frequency, recency, age and spend over the purchase days up to `end` (inclusive).

    Args:
        days: `purchase_days` output.
        end: last day of the observation (calibration) period.
        unit_days: days per time unit (7: weeks, the unit of the published CDNOW parameters).

    Returns:
        Indexed by `customer_id`: `frequency` (repeat purchase days), `recency` (first to last
        purchase), `T` (first purchase to `end`), in units; `monetary_value` (mean value of the
        repeat purchases, NaN without one), `first_purchase`, `last_purchase`, `n_purchases`,
        `total_value`, `mean_value`.
    """
    end = pd.Timestamp(end).normalize()
    window = days[days["date"] <= end]
    if window.empty:
        raise DataValidationError(f"no purchase on or before {end.date()}")
    grouped = window.groupby("customer_id", sort=True)
    first = grouped["date"].min()
    last = grouped["date"].max()
    count = grouped.size()
    total = grouped["value"].sum(min_count=1)
    first_value = window.drop_duplicates("customer_id").set_index("customer_id")["value"]
    repeat_total = total - first_value.reindex(total.index)
    summary = pd.DataFrame({
        "frequency": (count - 1).astype(float),
        "recency": (last - first).dt.days / unit_days,
        "T": (end - first).dt.days / unit_days,
        "monetary_value": np.where(count > 1, repeat_total / (count - 1).clip(lower=1), np.nan),
        "first_purchase": first,
        "last_purchase": last,
        "n_purchases": count.astype(int),
        "total_value": total,
        "mean_value": total / count,
    })
    summary.index.name = "customer_id"
    return summary


def holdout_counts(days: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Purchase days per customer in (start, end] (customers without any are absent)."""
    window = days[(days["date"] > pd.Timestamp(start)) & (days["date"] <= pd.Timestamp(end))]
    return window.groupby("customer_id").size().astype(float)

"""Payment features: the numeric columns of the input plus velocity and behaviour features.

The behaviour features come from each customer's earlier payments (amount against the
customer's usual amount, how many payments in the last hour and day, a currency not
seen before). `history_features` computes them for a whole frame at once (training,
evaluation); `llm4retail.risk.state.CustomerState` computes the same values one payment
at a time from kept state (real-time scoring). A test checks that both agree.

Example:
    >>> table = payment_table(frame)          # one row per payment, numeric columns
    >>> spec = FeatureSpec.fit(table, seconds=unix_seconds(frame["timestamp"]))
    >>> matrix = spec.matrix(table)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)

HOUR_SECONDS = 3600
DAY_SECONDS = 86_400
# Features whose rank correlation with time is above this only encode *when* a payment
# happened (a running clock such as the ULB `Time` column); in a time split they leak.
TIME_TRACKING_CORRELATION = 0.95
BASE_FEATURES = ("amount", "log_amount", "hour")
HISTORY_FEATURES = (
    "customer_payments_before",
    "amount_vs_customer_mean",
    "customer_count_1h",
    "customer_count_24h",
    "customer_amount_24h",
    "seconds_since_previous",
    "new_currency",
)
STATE_ONLY_FEATURES = ("new_device", "new_country")  # need device/country ids, known only in real time


def unix_seconds(timestamps: pd.Series) -> np.ndarray:
    """Naive-UTC timestamps as float Unix seconds."""
    values = pd.to_datetime(timestamps)
    return (values - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy(dtype=float)


def check_payments(frame: pd.DataFrame) -> None:
    """Refuses a payments frame without the contract's required columns or with bad amounts.

    Raises:
        DataValidationError: a column is missing, an amount is negative or not finite.
    """
    missing = [name for name in ("amount", "timestamp") if name not in frame.columns]
    if missing:
        raise DataValidationError(f"payments need the columns amount and timestamp; missing {missing}")
    amounts = pd.to_numeric(frame["amount"], errors="coerce").to_numpy(dtype=float)
    if len(amounts) and (~np.isfinite(amounts)).any():
        raise DataValidationError("payments: every amount must be a finite number")
    if len(amounts) and (amounts < 0).any():
        raise DataValidationError(f"payments: amounts must not be negative, found {amounts.min():g}")
    if frame["timestamp"].isna().any():
        raise DataValidationError("payments: every payment needs a timestamp")


def raw_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The numeric `features` objects of the payments as columns (NaN where a payment lacks one)."""
    if "features" not in frame.columns:
        return pd.DataFrame(index=frame.index)
    records = [value if isinstance(value, dict) else {} for value in frame["features"]]
    table = pd.DataFrame.from_records(records, index=frame.index)
    return table.apply(pd.to_numeric, errors="coerce").astype(float)


def base_features(amount: np.ndarray, seconds: np.ndarray) -> dict[str, np.ndarray]:
    """Amount, its logarithm and the UTC hour of day."""
    return {
        "amount": amount,
        "log_amount": np.log1p(amount),
        "hour": np.floor((seconds % DAY_SECONDS) / HOUR_SECONDS),
    }


def history_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Velocity and behaviour features of every payment from the same customer's earlier payments.

    Earlier means an earlier timestamp, or the same timestamp and an earlier row. A
    payment without a customer (or the customer's first payment) gets NaN where the
    feature needs history.

    Args:
        frame: payments with `amount`, `timestamp` and optionally `customer_id`, `currency`.

    Returns:
        One column per name in `HISTORY_FEATURES`, aligned with `frame.index`.
    """
    n_rows = len(frame)
    out = {name: np.full(n_rows, np.nan) for name in HISTORY_FEATURES}
    customers = frame["customer_id"] if "customer_id" in frame.columns else pd.Series([None] * n_rows, index=frame.index)
    known = customers.notna().to_numpy()
    if not known.any():
        return pd.DataFrame(out, index=frame.index)
    seconds = unix_seconds(frame["timestamp"])
    amount = frame["amount"].to_numpy(dtype=float)
    codes = pd.factorize(customers.astype("string"))[0]
    rows = np.flatnonzero(known)
    rows = rows[np.lexsort((rows, seconds[rows], codes[rows]))]  # by customer, then time, then row
    code, time, value = codes[rows], seconds[rows], amount[rows]
    start = np.r_[0, np.flatnonzero(np.diff(code)) + 1]
    group_start = np.repeat(start, np.diff(np.r_[start, rows.size]))
    before = np.arange(rows.size) - group_start
    cumulative = np.r_[0.0, np.cumsum(value)]
    previous_sum = cumulative[:-1] - cumulative[group_start]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_before = np.where(before > 0, previous_sum / np.maximum(before, 1), np.nan)
        relative = np.where(mean_before > 0, value / mean_before, np.nan)
    # Customer-major keys for the window searches; offsets keep groups apart and stay exact in float64.
    relative_time = time - time.min()
    key = code * (relative_time.max() + 2.0 * DAY_SECONDS) + relative_time
    first_in_day = np.maximum(np.searchsorted(key, key - DAY_SECONDS, side="left"), group_start)
    first_in_hour = np.maximum(np.searchsorted(key, key - HOUR_SECONDS, side="left"), group_start)
    previous_time = np.r_[np.nan, time[:-1]]
    values = {
        "customer_payments_before": before.astype(float),
        "amount_vs_customer_mean": relative,
        "customer_count_1h": (np.arange(rows.size) - first_in_hour).astype(float),
        "customer_count_24h": (np.arange(rows.size) - first_in_day).astype(float),
        "customer_amount_24h": cumulative[:-1] - cumulative[first_in_day],
        "seconds_since_previous": np.where(before > 0, time - previous_time, np.nan),
        "new_currency": _new_currency(frame, rows, code, before),
    }
    for name, column in values.items():
        out[name][rows] = column
    return pd.DataFrame(out, index=frame.index)


def _new_currency(frame: pd.DataFrame, rows: np.ndarray, code: np.ndarray, before: np.ndarray) -> np.ndarray:
    """1 when the customer pays in a currency not used before, 0 when used before, NaN without history."""
    if "currency" not in frame.columns:
        return np.full(rows.size, np.nan)
    currency = frame["currency"].astype("string").fillna("").to_numpy()[rows]
    pairs = pd.Series(list(zip(code.tolist(), currency.tolist())))
    first_use = ~pairs.duplicated().to_numpy()
    return np.where(before > 0, first_use.astype(float), np.nan)


def payment_table(frame: pd.DataFrame) -> pd.DataFrame:
    """All candidate features of every payment: input numeric features, base and history features.

    Raises:
        DataValidationError: the frame breaks the payments contract.
    """
    check_payments(frame)
    seconds = unix_seconds(frame["timestamp"])
    amount = frame["amount"].to_numpy(dtype=float)
    table = raw_features(frame)
    engineered = pd.DataFrame(base_features(amount, seconds), index=frame.index).join(history_features(frame))
    clashing = [name for name in table.columns if name in engineered.columns]
    return pd.concat([table.drop(columns=clashing), engineered], axis=1)


@dataclass
class FeatureSpec:
    """The columns a model uses, chosen on the training payments.

    Attributes:
        columns: model columns in order.
        dropped: the candidate columns left out and why.
    """

    columns: list[str]
    dropped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def fit(cls, table: pd.DataFrame, *, seconds: np.ndarray) -> FeatureSpec:
        """Keeps every candidate column that varies and does not merely track time.

        Args:
            table: candidate features of the training payments (`payment_table`).
            seconds: their Unix times.

        Raises:
            DataValidationError: no column is left.
        """
        columns: list[str] = []
        dropped: dict[str, str] = {}
        for name in table.columns:
            values = table[name].to_numpy(dtype=float)
            present = ~np.isnan(values)
            if present.sum() < 2 or np.nanmin(values) == np.nanmax(values):
                dropped[name] = "constant or missing"
                continue
            if name not in BASE_FEATURES and _tracks_time(values[present], seconds[present]):
                dropped[name] = f"tracks time (|spearman| > {TIME_TRACKING_CORRELATION})"
                continue
            columns.append(str(name))
        if not columns:
            raise DataValidationError("no usable payment feature: every column is constant or missing")
        if dropped:
            logger.info("risk features left out: %s", dropped)
        return cls(columns=columns, dropped=dropped)

    def matrix(self, table: pd.DataFrame) -> np.ndarray:
        """The model matrix (float64, NaN for a missing value) of a `payment_table`."""
        return table.reindex(columns=self.columns).to_numpy(dtype=float)

    def vector(self, values: dict[str, Any]) -> np.ndarray:
        """One payment's model row from a name → value mapping (NaN for an absent name)."""
        return np.array([_as_float(values.get(name)) for name in self.columns], dtype=float)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for `meta.json`."""
        return {"columns": self.columns, "dropped": self.dropped}


def _tracks_time(values: np.ndarray, seconds: np.ndarray) -> bool:
    if values.size < 10 or np.all(seconds == seconds[0]):
        return False
    correlation = spearmanr(values, seconds).statistic
    return bool(np.isfinite(correlation) and abs(correlation) > TIME_TRACKING_CORRELATION)


def _as_float(value: Any) -> float:
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")

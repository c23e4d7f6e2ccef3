"""Shared constants and helpers of the synthetic store generator.

Every part of the generator draws from its own random stream derived from the
caller's seed, so that changing how one table is drawn never changes another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.data.schemas import SPECS, Table
from llm4retail.errors import DataValidationError

REFERENCE_DATE = dt.date(2026, 10, 31)
"""The last day of the synthetic store's history (sales end here)."""

REFERENCE_TIME = np.datetime64("2026-11-01T00:00:00", "s")
"""End of the reference date: every event, order and payment happens before it."""

SECONDS_PER_DAY = 86_400

CURRENCY_BY_LANGUAGE = {"en": "USD", "zh": "CNY"}
"""Chinese-titled products are sold in CNY on the Chinese storefront, English ones in USD."""

CNY_PER_USD = 7.1


class Stream(int, Enum):
    """Independent random streams, one per part of the store."""

    CATALOG = 1
    CUSTOMERS = 2
    BEHAVIOUR = 3
    REVIEWS = 4
    SALES = 5
    PAYMENTS = 6
    QUERIES = 7
    UTTERANCES = 8
    STOCK = 9


def derive_rng(*, seed: int, stream: Stream) -> np.random.Generator:
    """A generator for one part of the store, fixed by the seed and the stream.

    Args:
        seed: the caller's seed (non-negative).
        stream: which part of the store draws from it.

    Returns:
        A numpy generator independent of the other streams.
    """
    return np.random.default_rng([int(stream), seed])


def format_ids(*, prefix: str, count: int, width: int) -> np.ndarray:
    """Sequential identifiers such as `p00001`, as a numpy object array.

    Args:
        prefix: text before the number.
        count: how many identifiers, numbered from 1.
        width: minimum number of digits (zero padded).

    Returns:
        An object array of `count` strings.
    """
    digits = max(width, len(str(count)))
    return np.array([f"{prefix}{number:0{digits}d}" for number in range(1, count + 1)], dtype=object)


def seconds_to_datetimes(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds to naive UTC `datetime64[ns]` values."""
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[ns]")


def reference_seconds() -> int:
    """`REFERENCE_TIME` as Unix seconds."""
    return int(REFERENCE_TIME.astype(np.int64))


def sample_rows(*, cumulative: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one column per requested row of a matrix of row-wise cumulative probabilities.

    Args:
        cumulative: (n_rows, n_columns) cumulative sums of each row's probabilities,
            every row ending at 1.
        rows: the row to draw from, once per draw.
        rng: random generator.

    Returns:
        The drawn column index for each entry of `rows`.
    """
    n_rows, n_columns = cumulative.shape
    # Offsetting row r by r turns one searchsorted over the flattened matrix into
    # n independent inverse-CDF draws without a Python loop.
    flat = (cumulative + np.arange(n_rows)[:, None]).ravel()
    flat[n_columns - 1 :: n_columns] = np.arange(1, n_rows + 1)
    targets = rows + rng.random(rows.size)
    positions = np.searchsorted(flat, targets, side="right")
    return np.minimum(positions - rows * n_columns, n_columns - 1)


def positions_in_groups(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element inside its run of equal, sorted group labels."""
    if groups.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, groups.size])
    return np.arange(groups.size) - np.repeat(starts, lengths)


def build_frame(table: Table, columns: dict[str, Any], *, extras: dict[str, Any] | None = None) -> pd.DataFrame:
    """A frame holding exactly the columns of `table`'s spec, in spec order.

    Optional spec columns the generator does not fill hold their default (usually None).

    Args:
        table: the contract table.
        columns: column name to values (arrays, lists or series of equal length).
        extras: further columns, used only when the spec has them (so the generator
            keeps working while optional columns are added to or removed from the contract).

    Returns:
        The frame.

    Raises:
        DataValidationError: a column the spec does not have, or a required column left out.
    """
    spec = SPECS[table]
    unknown = sorted(set(columns) - set(spec.names))
    if unknown:
        raise DataValidationError(
            f"synthetic {table.value} frame has columns {unknown} that the spec lacks; expected {spec.names}"
        )
    available = {**(extras or {}), **columns}
    n_rows = len(next(iter(columns.values())))
    data: dict[str, Any] = {}
    for column in spec.columns:
        if column.name in available:
            data[column.name] = available[column.name]
        elif column.required:
            raise DataValidationError(f"synthetic {table.value} frame lacks required column '{column.name}'")
        elif column.default is None:
            data[column.name] = np.full(n_rows, None, dtype=object)
        else:
            data[column.name] = np.full(n_rows, column.default)
    return pd.DataFrame(data)


def object_column(values: Iterable[Any]) -> np.ndarray:
    """Values as a numpy object array (strings, None, dicts or lists stay Python objects)."""
    items = list(values)
    result = np.empty(len(items), dtype=object)
    result[:] = items
    return result

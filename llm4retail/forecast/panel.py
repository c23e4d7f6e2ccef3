"""Sales rows as a dense panel: one row per series, one column per date of a regular calendar.

Every forecaster sees the same arrays (P3: numpy inside). A series is a product,
or a product in a store where the data name stores. The calendar frequency is
inferred from the dates (daily, weekly or monthly). A cell is *observed* when a
sales row exists for it and the store was open; closed days and dates without a
row are kept in the panel as unobserved cells (never as zero demand), counted,
and excluded from fitting and scoring. Known-in-advance covariates (open days,
promotions, prices, holiday columns from `attributes`) are kept for every cell,
the horizon included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)

HOLIDAY_MARKER = "holiday"  # attribute keys containing this word are holiday covariates
FALSE_VALUES = {"", "0", "0.0", "false", "no", "none", "nan", "null"}
MAX_HOLIDAY_CODES = 30


class Frequency(str, Enum):
    """Calendar frequency of a panel, with its pandas alias chosen at inference."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def season(self) -> int:
        """The main seasonal period in steps (week for daily data, year otherwise)."""
        return {Frequency.DAILY: 7, Frequency.WEEKLY: 52, Frequency.MONTHLY: 12}[self]

    @property
    def year(self) -> int:
        """Steps in a year, weekday-aligned for daily data (52 weeks)."""
        return {Frequency.DAILY: 364, Frequency.WEEKLY: 52, Frequency.MONTHLY: 12}[self]


@dataclass
class Panel:
    """Sales as aligned arrays of shape (n_series, n_dates).

    Attributes:
        keys: one row per series with `product_id` and `store_id`.
        dates: the regular calendar.
        frequency: daily, weekly or monthly.
        alias: the pandas frequency alias of `dates` (e.g. `W-SUN`).
        y: quantities, NaN where no sales row exists.
        present: a sales row exists.
        open: the store traded (True where the data do not say).
        promotion: promotion flag as 0/1, None when the data have no promotions.
        price: price, filled forward and backward within each series; None when the data have no prices.
        holidays: holiday covariates from `attributes` (integer codes, 0 = none), by attribute key.
    """

    keys: pd.DataFrame
    dates: pd.DatetimeIndex
    frequency: Frequency
    alias: str
    y: np.ndarray
    present: np.ndarray
    open: np.ndarray
    promotion: np.ndarray | None = None
    price: np.ndarray | None = None
    holidays: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return self.y.shape[0]

    @property
    def n_dates(self) -> int:
        """Number of calendar steps."""
        return self.y.shape[1]

    @property
    def season(self) -> int:
        """Seasonal period in steps."""
        return self.frequency.season

    @property
    def observed(self) -> np.ndarray:
        """Cells with a sales row on an open day: the only ones fitted and scored."""
        return self.present & self.open & ~np.isnan(self.y)

    def series_ids(self) -> list[str]:
        """`product_id` for single-store data, else `product_id@store_id`."""
        if self.keys["store_id"].nunique() <= 1:
            return self.keys["product_id"].astype(str).tolist()
        return (self.keys["product_id"].astype(str) + "@" + self.keys["store_id"].astype(str)).tolist()

    def index_of(self, product_id: str, store_id: str | None = None) -> int:
        """Row of one series.

        Raises:
            DataValidationError: If no series matches, or several do and `store_id` is not given.
        """
        match = self.keys["product_id"].astype(str) == str(product_id)
        if store_id is not None:
            match &= self.keys["store_id"].astype(str) == str(store_id)
        rows = np.flatnonzero(match.to_numpy())
        if rows.size == 0:
            raise DataValidationError(f"no sales series for product {product_id!r} (store {store_id!r})")
        if rows.size > 1:
            stores = self.keys.loc[rows, "store_id"].astype(str).tolist()[:5]
            raise DataValidationError(f"product {product_id!r} sells in several stores {stores}; pass store_id")
        return int(rows[0])

    def window(self, start: int, stop: int) -> Panel:
        """The panel restricted to calendar steps `start:stop` (covariates included)."""
        part = slice(start, stop)
        return replace(
            self,
            dates=self.dates[part],
            y=self.y[:, part],
            present=self.present[:, part],
            open=self.open[:, part],
            promotion=None if self.promotion is None else self.promotion[:, part],
            price=None if self.price is None else self.price[:, part],
            holidays={name: codes[:, part] for name, codes in self.holidays.items()},
        )

    def rows(self, index: np.ndarray) -> Panel:
        """The panel restricted to some series."""
        return replace(
            self,
            keys=self.keys.iloc[index].reset_index(drop=True),
            y=self.y[index],
            present=self.present[index],
            open=self.open[index],
            promotion=None if self.promotion is None else self.promotion[index],
            price=None if self.price is None else self.price[index],
            holidays={name: codes[index] for name, codes in self.holidays.items()},
        )

    def extended(self, horizon: int) -> Panel:
        """The panel with `horizon` future steps whose covariates are assumed, not known.

        Open days repeat each series' usual pattern (a seasonal position is closed when
        it was closed in most of the last four seasons), promotions are off, prices stay
        at their last value and holidays repeat those of the same date a year earlier
        (fixed-date holidays; moving ones are missed). Quantities are unknown (NaN).
        """
        future_dates = pd.date_range(self.dates[-1], periods=horizon + 1, freq=self.alias)[1:]
        n_series = self.n_series
        open_future = np.ones((n_series, horizon), dtype=bool)
        season = self.season
        if self.n_dates >= season:
            recent = self.open[:, -4 * season :]
            for step in range(horizon):
                position = (self.n_dates + step) % season
                columns = [c for c in range(recent.shape[1]) if (self.n_dates - recent.shape[1] + c) % season == position]
                if columns:
                    open_future[:, step] = recent[:, columns].mean(axis=1) >= 0.5
        return Panel(
            keys=self.keys,
            dates=self.dates.append(future_dates),
            frequency=self.frequency,
            alias=self.alias,
            y=np.hstack([self.y, np.full((n_series, horizon), np.nan)]),
            present=np.hstack([self.present, np.zeros((n_series, horizon), dtype=bool)]),
            open=np.hstack([self.open, open_future]),
            promotion=None if self.promotion is None else np.hstack([self.promotion, np.zeros((n_series, horizon))]),
            price=None if self.price is None else np.hstack([self.price, np.repeat(self.price[:, -1:], horizon, 1)]),
            holidays={name: np.hstack([codes, self._last_year(codes, future_dates)]) for name, codes in self.holidays.items()},
        )

    def _last_year(self, codes: np.ndarray, future_dates: pd.DatetimeIndex) -> np.ndarray:
        """Holiday codes of the same dates one year earlier (0 where that date is not in the panel)."""
        back = pd.Timedelta(weeks=52) if self.frequency is Frequency.WEEKLY else pd.DateOffset(years=1)
        source = self.dates.get_indexer(future_dates - back)
        repeated = np.zeros((codes.shape[0], future_dates.size), dtype=codes.dtype)
        found = source >= 0
        repeated[:, found] = codes[:, source[found]]
        return repeated

    def counts(self) -> dict[str, int]:
        """Cells by status, for reports: observed, closed and missing (no row)."""
        return {
            "n_series": self.n_series,
            "n_dates": self.n_dates,
            "observed_points": int(self.observed.sum()),
            "closed_points": int((self.present & ~self.open).sum()),
            "missing_points": int((~self.present).sum() - self.leading_missing()),
        }

    def leading_missing(self) -> int:
        """Cells before each series' first row (not gaps: the series had not started)."""
        started = np.maximum.accumulate(self.present, axis=1)
        return int((~started).sum())


def join(first: Panel, second: Panel) -> Panel:
    """Two consecutive windows of the same series as one panel (history then horizon).

    Raises:
        DataValidationError: If the panels hold different numbers of series or covariates.
    """
    if first.n_series != second.n_series or set(first.holidays) != set(second.holidays):
        raise DataValidationError("cannot join panels with different series or holiday columns")
    if (first.promotion is None) != (second.promotion is None) or (first.price is None) != (second.price is None):
        raise DataValidationError("cannot join panels where only one has promotions or prices")

    def stack(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
        return None if a is None or b is None else np.hstack([a, b])

    return replace(
        first,
        dates=first.dates.append(second.dates),
        y=np.hstack([first.y, second.y]),
        present=np.hstack([first.present, second.present]),
        open=np.hstack([first.open, second.open]),
        promotion=stack(first.promotion, second.promotion),
        price=stack(first.price, second.price),
        holidays={name: np.hstack([codes, second.holidays[name]]) for name, codes in first.holidays.items()},
    )


def infer_frequency(dates: pd.Series) -> tuple[Frequency, str]:
    """Infer the calendar frequency from the spacing of dates within series.

    Args:
        dates: dates of all rows (any order).

    Returns:
        The frequency and its pandas alias.

    Raises:
        DataValidationError: If the dates are neither daily, weekly nor monthly.
    """
    unique = pd.DatetimeIndex(pd.to_datetime(dates).drop_duplicates()).sort_values()
    if unique.size < 3:
        raise DataValidationError(f"need at least 3 distinct dates to infer a frequency, got {unique.size}")
    gaps = np.diff(unique.values).astype("timedelta64[D]").astype(np.int64)
    step = int(pd.Series(gaps).mode().iloc[0])
    if step == 1:
        return Frequency.DAILY, "D"
    if step == 7:
        weekday = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][unique[0].dayofweek]
        return Frequency.WEEKLY, f"W-{weekday}"
    if 28 <= step <= 31:
        return Frequency.MONTHLY, "MS" if (unique.day == 1).all() else "ME"
    raise DataValidationError(
        f"sales dates are {step} days apart (most common gap); expected daily, weekly or monthly rows"
    )


def panel_from_sales(sales: pd.DataFrame) -> Panel:
    """Build the panel from rows of the contract's `sales` table.

    Args:
        sales: columns product_id, date, quantity and optionally store_id, price,
            on_promotion, open, attributes (holiday keys are used as covariates).

    Returns:
        The panel over the union calendar of all series.

    Raises:
        DataValidationError: If a required column is missing, dates are off the inferred calendar or
            quantities are negative.
    """
    missing = [name for name in ("product_id", "date", "quantity") if name not in sales.columns]
    if missing:
        raise DataValidationError(f"sales needs columns {missing}; found {list(sales.columns)}")
    if sales.empty:
        raise DataValidationError("sales has no rows")
    frame = _clean(sales)
    frequency, alias = infer_frequency(frame["date"])
    dates = pd.date_range(frame["date"].min(), frame["date"].max(), freq=alias)
    column = dates.get_indexer(frame["date"])
    if (column < 0).any():
        bad = frame.loc[column < 0, "date"].dt.date.astype(str).unique()[:5].tolist()
        raise DataValidationError(f"dates {bad} are off the {frequency.value} ({alias}) calendar; resample the file")
    keys = frame[["product_id", "store_id"]].drop_duplicates().sort_values(["product_id", "store_id"])
    keys = keys.reset_index(drop=True)
    row = pd.MultiIndex.from_frame(keys).get_indexer(pd.MultiIndex.from_frame(frame[["product_id", "store_id"]]))
    shape = (len(keys), dates.size)
    y = np.full(shape, np.nan)
    y[row, column] = frame["quantity"].to_numpy(float)
    present = np.zeros(shape, dtype=bool)
    present[row, column] = True
    is_open = np.ones(shape, dtype=bool)
    is_open[row, column] = frame["open"].to_numpy(bool)
    panel = Panel(keys=keys, dates=dates, frequency=frequency, alias=alias, y=y, present=present, open=is_open)
    panel.promotion = _dense(frame, "on_promotion", row, column, shape, fill=0.0)
    price = _dense(frame, "price", row, column, shape, fill=np.nan)
    panel.price = None if price is None else _fill_within_rows(price)
    panel.holidays = _holidays(frame, row, column, shape)
    return panel


def _clean(sales: pd.DataFrame) -> pd.DataFrame:
    """Typed columns, default store, duplicates collapsed to the last row."""
    frame = sales.copy()
    frame["product_id"] = frame["product_id"].astype(str)
    store = frame["store_id"] if "store_id" in frame.columns else pd.Series("default", index=frame.index)
    frame["store_id"] = store.where(store.notna(), "default").astype(str)
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce")
    if frame["quantity"].isna().any():
        raise DataValidationError(f"{int(frame['quantity'].isna().sum())} sales rows have no numeric quantity")
    if (frame["quantity"] < 0).any():
        raise DataValidationError(f"{int((frame['quantity'] < 0).sum())} sales rows have a negative quantity")
    opened = frame["open"] if "open" in frame.columns else pd.Series(True, index=frame.index)
    frame["open"] = opened.map(lambda value: True if value is None or value != value else bool(value))
    before = len(frame)
    frame = frame.drop_duplicates(["product_id", "store_id", "date"], keep="last")
    if len(frame) < before:
        logger.warning("sales: %d duplicate (product, store, date) rows collapsed to the last one", before - len(frame))
    return frame


def _dense(
    frame: pd.DataFrame, name: str, row: np.ndarray, column: np.ndarray, shape: tuple[int, int], *, fill: float
) -> np.ndarray | None:
    """A numeric column as a dense matrix, or None when the column is absent or empty."""
    if name not in frame.columns:
        return None
    values = pd.to_numeric(frame[name].map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce")
    if values.notna().sum() == 0:
        return None
    dense = np.full(shape, fill)
    dense[row, column] = values.to_numpy(float)
    if not np.isnan(fill):
        dense = np.where(np.isnan(dense), fill, dense)
    return dense


def _fill_within_rows(values: np.ndarray) -> np.ndarray:
    """Fill NaN forward, then backward, along each row."""
    frame = pd.DataFrame(values.T)
    return frame.ffill().bfill().to_numpy().T


def _holidays(frame: pd.DataFrame, row: np.ndarray, column: np.ndarray, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """Attribute keys naming holidays as integer-coded matrices (0 = no holiday)."""
    if "attributes" not in frame.columns:
        return {}
    attributes = frame["attributes"].map(lambda value: value if isinstance(value, dict) else {})
    names = sorted({key for item in attributes for key in item if HOLIDAY_MARKER in str(key).lower()})
    result: dict[str, np.ndarray] = {}
    for name in names:
        raw = attributes.map(lambda item, key=name: item.get(key))
        text = raw.map(lambda value: "" if value is None else str(value).strip().lower())
        text = text.where(~text.isin(FALSE_VALUES), "")
        labels = sorted(set(text) - {""})[: MAX_HOLIDAY_CODES - 1]
        codes = text.map({label: index + 1 for index, label in enumerate(labels)}).fillna(0).to_numpy(np.int16)
        dense = np.zeros(shape, dtype=np.int16)
        dense[row, column] = codes
        if dense.any():
            result[name] = dense
    return result


def panel_to_arrays(panel: Panel, *, prefix: str = "panel_") -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The panel as plain arrays (for `.npz`) and JSON fields, without pickle."""
    arrays = {
        "product_id": panel.keys["product_id"].astype(str).to_numpy(dtype=str),
        "store_id": panel.keys["store_id"].astype(str).to_numpy(dtype=str),
        "dates": panel.dates.values.astype("datetime64[D]").astype(np.int64),
        "y": panel.y,
        "present": panel.present,
        "open": panel.open,
    }
    if panel.promotion is not None:
        arrays["promotion"] = panel.promotion
    if panel.price is not None:
        arrays["price"] = panel.price
    for name, codes in panel.holidays.items():
        arrays[f"holiday:{name}"] = codes
    return {prefix + key: value for key, value in arrays.items()}, {"frequency": panel.frequency.value, "alias": panel.alias}


def panel_from_arrays(arrays: dict[str, np.ndarray], fields: dict[str, str], *, prefix: str = "panel_") -> Panel:
    """Inverse of `panel_to_arrays`."""
    own = {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
    keys = pd.DataFrame({"product_id": own["product_id"].astype(str), "store_id": own["store_id"].astype(str)})
    return Panel(
        keys=keys,
        dates=pd.DatetimeIndex(own["dates"].astype("datetime64[D]").astype("datetime64[ns]"), freq=fields["alias"]),
        frequency=Frequency(fields["frequency"]),
        alias=fields["alias"],
        y=own["y"],
        present=own["present"],
        open=own["open"],
        promotion=own.get("promotion"),
        price=own.get("price"),
        holidays={key.split(":", 1)[1]: value for key, value in own.items() if key.startswith("holiday:")},
    )

"""Turn raw chunks into typed rows of a contract table, rejecting (never dropping) bad rows.

Each column is converted vectorised; a row is rejected with the first reason that
applies (missing required value, unreadable value, value out of range). Rows that
pass get defaults filled, extra columns folded into `attributes`/`features`, and a
generated key (`<file>:<line>`) when the table has one and the input lacks it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data import bounds
from llm4retail.data.readers import RawChunk
from llm4retail.data.schemas import Column, ExtraColumns, Kind, TableSpec
from llm4retail.errors import MissingColumnError

_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_LABEL_WORDS = {"positive": 1, "pos": 1, "negative": 0, "neg": 0}
_EPOCH_MS_THRESHOLD = 1e11  # larger Unix times are milliseconds (1e11 s is the year 5138)

@dataclass
class ValidatedChunk:
    """Typed rows that passed, and (line, reason) for each row that did not."""

    frame: pd.DataFrame
    rejections: list[tuple[int, str]]


def check_columns(spec: TableSpec, columns: Iterable[str], *, source: str) -> None:
    """Fail fast when a required column is absent.

    Raises:
        MissingColumnError: naming the first missing column.
    """
    present = set(columns)
    for name in spec.required:
        if name not in present:
            raise MissingColumnError(table=spec.table.value, column=name, source=source, found=sorted(present))
    for group in spec.one_of:
        if not present.intersection(group):
            raise MissingColumnError(
                table=spec.table.value, column=" or ".join(group), source=source, found=sorted(present)
            )


def _all_text(series: pd.Series) -> bool:
    """True when every present value is a str (CSV input): the vectorised string path applies."""
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def is_missing(series: pd.Series) -> pd.Series:
    """True where a raw value is absent: None, NaN or a blank string."""
    missing = series.isna()
    if _all_text(series):
        return missing | series.str.strip().eq("").fillna(False).astype(bool)
    text = series.map(lambda value: isinstance(value, str) and not value.strip())
    return missing | text.astype(bool)


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _to_string(series: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    def convert(value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return str(value).strip()

    if _all_text(series):
        out = series.str.strip().where(present, None)
    else:
        out = series.where(~present, None).astype(object)
        out[present] = series[present].map(convert)
    return out, pd.Series(False, index=series.index)


def _to_text(series: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, bad = _to_string(series, present)
    return out, bad


def _to_number(series: pd.Series, present: pd.Series, *, label_words: bool = False) -> pd.Series:
    values = series
    if label_words:
        values = series.map(lambda v: _LABEL_WORDS.get(v.strip().lower(), v) if isinstance(v, str) else v)
    numbers = pd.to_numeric(values.where(present, None), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def _to_float(series: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers = _to_number(series, present)
    return numbers, present & numbers.isna()


def _to_int(series: pd.Series, present: pd.Series, *, label_words: bool = False) -> tuple[pd.Series, pd.Series]:
    numbers = _to_number(series, present, label_words=label_words)
    # float64 cannot hold 2**63 - 1 exactly: the largest accepted magnitude is the float just below 2**63
    integral = numbers.notna() & (numbers == np.round(numbers)) & (numbers.abs() < 2.0**63)
    bad = present & ~integral
    return numbers.where(integral).astype("Int64"), bad


def _to_bool(series: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    def convert(value: object) -> object:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None

    out = pd.Series(None, index=series.index, dtype=object)
    out[present] = series[present].map(convert)
    return out, present & out.isna()


def _to_datetime(series: pd.Series, present: pd.Series, *, date_only: bool = False) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    values = series[present]
    # Unix times are plain numbers or digit strings; datetime objects (Parquet, pandas) are not numbers.
    plain = values.map(lambda v: isinstance(v, (str, int, float)) and not isinstance(v, bool))
    numeric = pd.Series(np.nan, index=values.index)
    if not date_only and plain.any():
        numeric[plain] = pd.to_numeric(values[plain], errors="coerce")
    is_epoch = numeric.notna()
    if is_epoch.any():
        epoch = numeric[is_epoch]
        unit_ms = epoch.abs() >= _EPOCH_MS_THRESHOLD
        seconds = epoch.where(~unit_ms, epoch / 1000.0)
        out[seconds.index] = pd.to_datetime(seconds, unit="s", errors="coerce")
    text = values[~is_epoch].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v).strip())
    if len(text):
        with_tz = text.str.contains(_TZ_SUFFIX)
        for mask in (with_tz, ~with_tz):  # parsed apart: pandas mixes offsets into naive values otherwise
            if mask.any():
                parsed = pd.to_datetime(text[mask], format="ISO8601", utc=True, errors="coerce")
                out[parsed.index] = parsed.dt.tz_localize(None)
    if date_only:
        out = out.dt.normalize()
    out = out.where((out >= bounds.MIN_INSTANT) & (out <= bounds.MAX_INSTANT))
    return out, present & out.isna()


def _to_json(series: pd.Series, present: pd.Series, *, expected: type) -> tuple[pd.Series, pd.Series]:
    def convert(value: object) -> object:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, str):
            text = value.strip()
            if text[:1] in "[{":
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    return None
            elif expected is list:
                return [part.strip() for part in text.split(",") if part.strip()]
        return value if isinstance(value, expected) else None

    out = pd.Series(None, index=series.index, dtype=object)
    out[present] = series[present].map(convert)
    return out, present & out.isna()


_KIND_MESSAGES = {
    Kind.FLOAT: "a number",
    Kind.INT: "an integer",
    Kind.BOOL: "a boolean (true/false/1/0/yes/no)",
    Kind.DATETIME: "a timestamp (ISO 8601 or Unix seconds/ms)",
    Kind.DATE: "a date (YYYY-MM-DD)",
    Kind.JSON_OBJECT: "a JSON object",
    Kind.JSON_LIST: "a JSON list",
}


def convert_column(column: Column, series: pd.Series, *, table: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Convert one raw column.

    Returns:
        (values, present, bad): converted values (missing = None/NaN/NaT), where a raw
        value was given, and where a given value could not be read.
    """
    present = ~is_missing(series)
    converters: dict[Kind, Callable[[pd.Series, pd.Series], tuple[pd.Series, pd.Series]]] = {
        Kind.STRING: _to_string,
        Kind.TEXT: _to_text,
        Kind.FLOAT: _to_float,
        Kind.INT: lambda s, p: _to_int(s, p, label_words=column.name == "label" and table == "reviews"),
        Kind.BOOL: _to_bool,
        Kind.DATETIME: _to_datetime,
        Kind.DATE: lambda s, p: _to_datetime(s, p, date_only=True),
        Kind.JSON_OBJECT: lambda s, p: _to_json(s, p, expected=dict),
        Kind.JSON_LIST: lambda s, p: _to_json(s, p, expected=list),
    }
    values, bad = converters[column.kind](series, present)
    return values, present, bad


def validate_chunk(spec: TableSpec, chunk: RawChunk, *, source: str, key_prefix: str) -> ValidatedChunk:
    """Validate one raw chunk against `spec`.

    Args:
        spec: the target table.
        chunk: raw rows with their lines.
        source: file name used in rejection messages.
        key_prefix: prefix of generated keys (`<key_prefix>:<line>`).
    """
    raw = chunk.frame
    index = raw.index
    reasons = pd.Series(None, index=index, dtype=object)
    out: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.name not in raw.columns:
            out[column.name] = pd.Series(column.default, index=index, dtype=object)
            continue
        values, present, bad = convert_column(column, raw[column.name], table=spec.table.value)
        reasons = _first_reason(reasons, bad, lambda row, c=column: _bad_value(c, raw.at[row, c.name]))
        if column.kind in (Kind.JSON_OBJECT, Kind.JSON_LIST):  # a file's missing values inside JSON: null
            values = values.map(bounds.without_non_finite)
        reasons = _check_storable(column, values, reasons)
        if column.required and column.name != spec.generated_key:
            reasons = _first_reason(reasons, ~present, lambda row, c=column: f"required column '{c.name}' is empty")
        if column.default is not None:
            values = values.where(present, column.default)
        out[column.name] = values
    reasons = _check_one_of(spec, out, reasons)
    reasons = _check_ranges(spec, out, reasons)
    frame = pd.DataFrame(out, index=index)
    _fold_extra_columns(spec, raw, frame)
    if spec.generated_key:
        missing_key = frame[spec.generated_key].isna()
        frame.loc[missing_key, spec.generated_key] = [f"{key_prefix}:{line}" for line in chunk.lines[missing_key.to_numpy()]]
    rejected = reasons.notna().to_numpy()
    rejections = [(int(line), str(reason)) for line, reason in zip(chunk.lines[rejected], reasons[rejected])]
    rejections.extend(chunk.malformed)
    return ValidatedChunk(frame=frame[~rejected].reset_index(drop=True), rejections=rejections)


def _out_of_bounds(column: Column, value: object) -> str | None:
    """Why a value that reads as its kind was still refused (a year out of bounds, an integer over 64 bits)."""
    if column.kind in (Kind.DATETIME, Kind.DATE) and isinstance(value, (str, dt.date)):
        try:
            parsed = value if isinstance(value, dt.date) else dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return bounds.instant_problem(parsed)
    if column.kind is Kind.INT:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if number == number and math.isfinite(number) and number == round(number):
            return f"{_short(value)} does not fit a 64-bit integer"
    return None


def _bad_value(column: Column, value: object) -> str:
    problem = _out_of_bounds(column, value)
    if problem is not None:
        return f"column '{column.name}': {problem}"
    return f"column '{column.name}': cannot read '{_short(value)}' as {_KIND_MESSAGES.get(column.kind, column.kind.value)}"


def _first_reason(reasons: pd.Series, mask: pd.Series, message: Callable[[object], str]) -> pd.Series:
    new = mask & reasons.isna()
    if new.any():
        reasons = reasons.copy()
        reasons[new] = [message(row) for row in reasons.index[new]]
    return reasons


def _longest(column: Column) -> int:
    if column.name.endswith("_id"):
        return bounds.MAX_ID_LENGTH
    return bounds.MAX_TEXT_LENGTH if column.kind is Kind.TEXT else bounds.MAX_STRING_LENGTH


def _check_storable(column: Column, values: pd.Series, reasons: pd.Series) -> pd.Series:
    """Reject text with a NUL or a lone surrogate, or longer than its bound, and JSON that breaks the bounds
    (`bounds.py`: the same rules as the API)."""
    if column.kind in (Kind.STRING, Kind.TEXT):
        longest = _longest(column)

        def problem(value: object) -> str | None:
            if not isinstance(value, str):
                return None
            if len(value) > longest:
                return f"is {len(value)} characters long; at most {longest} are accepted"
            return bounds.text_problem(value)
    elif column.kind in (Kind.JSON_OBJECT, Kind.JSON_LIST):

        def problem(value: object) -> str | None:
            return None if value is None else bounds.json_problem(value)
    else:
        return reasons
    problems = values.map(problem)
    return _first_reason(reasons, problems.notna(), lambda row, c=column: f"column '{c.name}': {problems[row]}")


def _check_one_of(spec: TableSpec, out: dict[str, pd.Series], reasons: pd.Series) -> pd.Series:
    for group in spec.one_of:
        none_given = pd.concat([out[name].isna() for name in group], axis=1).all(axis=1)
        reasons = _first_reason(reasons, none_given, lambda row, g=group: f"needs a value in {' or '.join(g)}")
    return reasons


def _check_ranges(spec: TableSpec, out: dict[str, pd.Series], reasons: pd.Series) -> pd.Series:
    for column in spec.columns:
        if column.kind is not Kind.FLOAT and column.minimum is None and column.maximum is None:
            continue
        name = column.name
        default = bounds.MAX_MAGNITUDE if column.kind is Kind.FLOAT else math.inf
        low = -default if column.minimum is None else column.minimum
        high = default if column.maximum is None else column.maximum
        values = pd.to_numeric(out[name], errors="coerce").astype(float)
        outside = values.notna() & ((values < low) | (values > high))
        allowed = f"{low:g}..{high:g}" if math.isfinite(high) else f">= {low:g}"
        reasons = _first_reason(
            reasons, outside, lambda row, n=name, b=allowed: f"column '{n}': {_short(out[n][row])} is outside {b}"
        )
    return reasons


def _fold_extra_columns(spec: TableSpec, raw: pd.DataFrame, frame: pd.DataFrame) -> None:
    extras = [name for name in raw.columns if name not in spec.column_index]
    if not extras or spec.extra_columns is ExtraColumns.IGNORE:
        return
    target = spec.extra_columns.value
    if spec.extra_columns is ExtraColumns.INTO_FEATURES:
        block = raw[extras].apply(pd.to_numeric, errors="coerce").astype(float)
    else:
        block = raw[extras].where(~raw[extras].isna(), None)
    extra_records = block.to_dict("records")
    merged = []
    for existing, extra in zip(frame[target], extra_records):
        values = {key: value for key, value in extra.items() if value is not None and value == value}
        existing = existing if isinstance(existing, dict) else None
        merged.append({**values, **existing} if values and existing else values or existing)
    frame[target] = merged


def ignored_columns(spec: TableSpec, columns: Iterable[str]) -> list[str]:
    """Input columns that the contract does not use and that are not folded anywhere."""
    if spec.extra_columns is not ExtraColumns.IGNORE:
        return []
    return [name for name in columns if name not in spec.column_index]

"""The bounds every value crossing a boundary must keep: API bodies and parameters, imports, the CLI.

One module so that the API (`llm4retail.api`) and the data layer (`schemas.record_model`, the importer's
`validate`) refuse the same input with the same words. Why each bound exists:

- instants and dates lie in [`MIN_INSTANT`, `MAX_INSTANT`]: pandas holds datetimes as 64-bit nanoseconds
  (years 1677..2262), so one order dated in year 0069 broke every analysis that read the orders table;
  retail data from before the Unix epoch or a century ahead is a typing error, not a fact;
- integers fit a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT): `seq` = 10**30 overflowed the driver;
- numbers are finite and at most `MAX_MAGNITUDE` in size, so sums and products in analytics stay finite
  (JSON has no NaN or Infinity, and a total of 1e308 * 2 is one);
- text holds no NUL (PostgreSQL text cannot store it) and no lone surrogate (not encodable as UTF-8);
- JSON objects and lists nest at most `MAX_JSON_DEPTH` deep and follow the same rules inside.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, GetJsonSchemaHandler, PlainSerializer, Strict, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

MIN_INSTANT = dt.datetime(1970, 1, 1)
"""Earliest instant accepted (naive UTC, inclusive)."""
MAX_INSTANT = dt.datetime(2099, 12, 31, 23, 59, 59, 999999)
"""Latest instant accepted (naive UTC, inclusive)."""
MIN_DATE = MIN_INSTANT.date()
MAX_DATE = MAX_INSTANT.date()

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_MAGNITUDE = 1e15
"""Largest absolute value of a number column (prices, quantities, amounts)."""

MAX_ID_LENGTH = 200
"""Longest identifier (product, customer, order ... ids; path and query parameters naming a row)."""
MAX_STRING_LENGTH = 2_000
"""Longest short text (brand, category path, URL, status ...)."""
MAX_TEXT_LENGTH = 100_000
"""Longest long text (a description, a review, a document)."""
MAX_QUERY_PARAMETER_LENGTH = 1_000
"""Longest free-text query parameter (a filter value)."""
MAX_JSON_DEPTH = 32

MAX_OFFSET = INT64_MAX
"""Largest listing offset (SQL OFFSET is a signed 64-bit integer)."""

SAFE_TEXT_PATTERN = r"^[^\x00]*$"
"""The JSON-schema pattern of text without NUL (documented on every text field and parameter)."""
_UNSAFE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (None when it can)."""
    found = _UNSAFE_CHARACTER.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"contains a NUL character at position {found.start()} (not storable as text)"
    return f"contains a lone surrogate U+{ord(found.group()):04X} at position {found.start()} (not valid Unicode)"


def check_text(value: str) -> str:
    """`value` unchanged; ValueError (for Pydantic) when it holds a NUL or a lone surrogate."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def instant_problem(value: dt.datetime | dt.date) -> str | None:
    """Why `value` is not a plausible retail instant or date (None when it is)."""
    if isinstance(value, dt.datetime):
        naive = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value
        if MIN_INSTANT <= naive <= MAX_INSTANT:
            return None
    elif MIN_DATE <= value <= MAX_DATE:
        return None
    return f"{value.isoformat()} is outside {MIN_DATE.isoformat()} .. {MAX_DATE.isoformat()}"


def check_instant(value: dt.datetime) -> dt.datetime:
    """`value` unchanged; ValueError (for Pydantic) outside [MIN_INSTANT, MAX_INSTANT]."""
    problem = instant_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def check_date(value: dt.date) -> dt.date:
    """`value` unchanged; ValueError (for Pydantic) outside [MIN_DATE, MAX_DATE]."""
    problem = instant_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def json_problem(value: Any, *, depth: int = 0) -> str | None:
    """Why a JSON object or list cannot be stored (a NUL or surrogate in a key or string, a number that is
    not finite or is too large, too deep a nesting), or None."""
    if depth > MAX_JSON_DEPTH:
        return f"nests deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else f"holds an integer outside 64 bits ({value:.3g})"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"holds {value}, which JSON cannot represent"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = json_problem(str(key), depth=depth) or json_problem(item, depth=depth + 1)
            if problem is not None:
                return f"at '{str(key)[:40]}': {problem}"
        return None
    if isinstance(value, list):
        for position, item in enumerate(value):
            problem = json_problem(item, depth=depth + 1)
            if problem is not None:
                return f"at [{position}]: {problem}"
        return None
    return f"holds a {type(value).__name__}, which is not JSON"


def without_non_finite(value: Any) -> Any:
    """A JSON value read from a file with NaN and infinities (pandas' missing values) made null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: without_non_finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_non_finite(item) for item in value]
    return value


def check_json(value: Any) -> Any:
    """`value` unchanged; ValueError (for Pydantic) when `json_problem` finds one."""
    problem = json_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def as_utc(value: dt.datetime) -> dt.datetime:
    """A naive UTC instant (as stored) made offset-aware, so that JSON answers carry `Z`."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def to_naive_utc(value: dt.datetime) -> dt.datetime:
    """The contract stores instants as naive UTC; an offset-aware value is converted."""
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


class _SafeTextSchema:
    """Documents `SAFE_TEXT_PATTERN` in the JSON schema; `check_text` enforces it with a clearer message."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = SAFE_TEXT_PATTERN
        return schema


def safe_text(*, max_length: int, min_length: int = 0, strip: bool = True) -> Any:
    """The type of a text field: no NUL or lone surrogate, at most `max_length` characters."""
    constraints = StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length)
    return Annotated[str, constraints, AfterValidator(check_text), _SafeTextSchema()]


_RANGE = f"between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
Instant = Annotated[
    dt.datetime,
    AfterValidator(check_instant),
    AfterValidator(to_naive_utc),
    PlainSerializer(as_utc, return_type=dt.datetime, when_used="json"),
    Field(description=f"ISO 8601 (no offset: UTC), {_RANGE}"),
]
"""An instant given to the API: checked against the bounds, stored naive UTC, answered with its offset."""
InstantOut = Annotated[dt.datetime, PlainSerializer(as_utc, return_type=dt.datetime, when_used="json")]
"""An instant in an answer: serialised in UTC with its offset (`Z`)."""
Day = Annotated[dt.date, AfterValidator(check_date), Field(description=f"YYYY-MM-DD, {_RANGE}")]
Int64 = Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer that fits a 64-bit column; `true`/`false` and numbers with a fraction are refused."""
Number = Annotated[float, Strict(), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]
"""A finite number of bounded size; `true`/`false` are refused."""
Boolean = Annotated[bool, Strict()]
"""`true` or `false` only (not 0/1 or strings)."""
JsonObject = Annotated[dict[str, Any], AfterValidator(check_json)]
JsonList = Annotated[list[Any], AfterValidator(check_json)]

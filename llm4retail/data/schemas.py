"""The retail data contract (`shared/DATA.md`) as typed table specifications.

One `TableSpec` per table is the single source of truth: the importers validate
against it, the store builds its SQL tables from it, and the API derives its
Pydantic request/response models from it (`record_model`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from llm4retail.data import bounds
from llm4retail.data.bounds import MAX_ID_LENGTH, MAX_STRING_LENGTH, MAX_TEXT_LENGTH


class Table(str, Enum):
    """Every table of the data contract."""

    PRODUCTS = "products"
    CUSTOMERS = "customers"
    EVENTS = "events"
    ORDERS = "orders"
    SALES = "sales"
    REVIEWS = "reviews"
    DOCUMENTS = "documents"
    PAYMENTS = "payments"
    QUERIES = "queries"
    JUDGEMENTS = "judgements"
    UTTERANCES = "utterances"


class Kind(str, Enum):
    """Logical column types; the store and the validators map them to SQL and numpy."""

    STRING = "string"
    TEXT = "text"
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    DATETIME = "datetime"  # naive UTC
    DATE = "date"
    JSON_OBJECT = "json_object"
    JSON_LIST = "json_list"


PYTHON_TYPES: dict[Kind, Any] = {
    Kind.STRING: str,
    Kind.TEXT: str,
    Kind.FLOAT: float,
    Kind.INT: int,
    Kind.BOOL: bool,
    Kind.DATETIME: dt.datetime,
    Kind.DATE: dt.date,
    Kind.JSON_OBJECT: dict[str, Any],
    Kind.JSON_LIST: list[Any],
}


class ExtraColumns(str, Enum):
    """What the importer does with input columns the contract does not name."""

    IGNORE = "ignore"
    INTO_ATTRIBUTES = "attributes"  # folded into the `attributes` JSON object
    INTO_FEATURES = "features"  # numeric columns folded into the `features` JSON object


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    Attributes:
        name: canonical column name.
        kind: logical type.
        required: a row without a value here is rejected.
        default: value used when the column is absent or empty (None = NULL).
        description: one line for the docs and the OpenAPI schema.
        minimum: smallest allowed value of a numeric column (inclusive).
        maximum: largest allowed value of a numeric column (inclusive).
    """

    name: str
    kind: Kind
    required: bool = False
    default: Any = None
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """Specification of one table.

    Attributes:
        table: which table.
        columns: the columns, key columns first.
        primary_key: columns that identify a row; imports upsert on them.
        one_of: groups of columns of which at least one must be present and non-empty
            (events need a `timestamp` or a `seq`).
        generated_key: name of a key column the importer derives from file and line
            when the input does not have it (events, utterances, payments).
        extra_columns: what to do with unknown input columns.
    """

    table: Table
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    generated_key: str | None = None
    extra_columns: ExtraColumns = ExtraColumns.IGNORE
    column_index: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns that must be present in every input file."""
        return [c.name for c in self.columns if c.required and c.name != self.generated_key]

    def column(self, name: str) -> Column:
        """The column called `name` (KeyError if the contract has none)."""
        return self.column_index[name]


def _col(
    name: str,
    kind: Kind,
    required: bool = False,
    default: Any = None,
    description: str = "",
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Column:
    return Column(name, kind, required, default, description, minimum, maximum)


# One-letter kind aliases keep each table spec on one readable line.
S, T, F, I, B = Kind.STRING, Kind.TEXT, Kind.FLOAT, Kind.INT, Kind.BOOL  # noqa: E741
DATETIME, DATE, OBJ, LIST = Kind.DATETIME, Kind.DATE, Kind.JSON_OBJECT, Kind.JSON_LIST

SPECS: dict[Table, TableSpec] = {
    spec.table: spec
    for spec in (
        TableSpec(
            Table.PRODUCTS,
            (
                _col("product_id", S, True),
                _col("title", T, True),
                _col("description", T),
                _col("category", S, description='category path "A > B > C"'),
                _col("brand", S),
                _col("price", F, minimum=0),
                _col("currency", S),
                _col("attributes", OBJ, description="JSON object of product attributes"),
                _col("image_url", S),
                _col("available", B, default=True),
                _col("created_at", DATETIME),
            ),
            primary_key=("product_id",),
            extra_columns=ExtraColumns.INTO_ATTRIBUTES,
        ),
        TableSpec(
            Table.CUSTOMERS,
            (
                _col("customer_id", S, True),
                _col("attributes", OBJ),
                _col("created_at", DATETIME),
                _col("country", S),
                _col("segment", S),
            ),
            primary_key=("customer_id",),
            extra_columns=ExtraColumns.INTO_ATTRIBUTES,
        ),
        TableSpec(
            Table.EVENTS,
            (
                _col("event_id", S, True, description="derived from file and line when absent"),
                _col("customer_id", S, True),
                _col("product_id", S, True),
                _col("timestamp", DATETIME, description="ISO 8601 or Unix seconds/ms, stored as naive UTC"),
                _col("seq", I, description="position in the customer's history when times are unknown", minimum=0),
                _col("event_type", S, default="purchase", description="view, add_to_cart, purchase, ..."),
                _col("session_id", S),
                _col("quantity", F),
                _col("price", F),
                _col("order_id", S),
                _col("store_id", S),
            ),
            primary_key=("event_id",),
            one_of=(("timestamp", "seq"),),
            generated_key="event_id",
        ),
        TableSpec(
            Table.ORDERS,
            (
                _col("order_id", S, True),
                _col("customer_id", S, True),
                _col("created_at", DATETIME, True),
                _col("status", S, True),
                _col("lines", LIST, description="JSON list of {product_id, quantity, unit_price}"),
                _col("total", F),
                _col("currency", S),
                _col("shipping_status", S),
                _col("tracking_code", S),
            ),
            primary_key=("order_id",),
        ),
        TableSpec(
            Table.SALES,
            (
                _col("product_id", S, True),
                _col("store_id", S, default="default", description="'default' for a single-store series"),
                _col("date", DATE, True),
                _col("quantity", F, True),
                _col("price", F),
                _col("on_promotion", B),
                _col("open", B, default=True, description="the store traded that day"),
                _col("attributes", OBJ, description="other columns of the input (holidays, footfall ...)"),
            ),
            primary_key=("product_id", "store_id", "date"),
            extra_columns=ExtraColumns.INTO_ATTRIBUTES,
        ),
        TableSpec(
            Table.REVIEWS,
            (
                _col("review_id", S, True),
                _col("text", T, True),
                _col("product_id", S),
                _col("customer_id", S),
                _col("rating", I, description="1-5 stars", minimum=1, maximum=5),
                _col("label", I, description="1 = positive, 0 = negative", minimum=0, maximum=1),
                _col("created_at", DATETIME),
                _col("language", S),
                _col("attributes", OBJ, description="other columns of the input"),
            ),
            primary_key=("review_id",),
            extra_columns=ExtraColumns.INTO_ATTRIBUTES,
        ),
        TableSpec(
            Table.DOCUMENTS,
            (
                _col("doc_id", S, True),
                _col("title", T, True),
                _col("text", T, True),
                _col("url", S),
                _col("tags", LIST, description="e.g. faq, returns, shipping, warranty"),
                _col("language", S),
            ),
            primary_key=("doc_id",),
        ),
        TableSpec(
            Table.PAYMENTS,
            (
                _col("payment_id", S, True, description="derived from file and line when absent"),
                _col("amount", F, True),
                _col("timestamp", DATETIME, True),
                _col("customer_id", S),
                _col("order_id", S),
                _col("currency", S),
                _col("features", OBJ, description="extra numeric columns"),
                _col("label", I, description="1 = fraud", minimum=0, maximum=1),
            ),
            primary_key=("payment_id",),
            generated_key="payment_id",
            extra_columns=ExtraColumns.INTO_FEATURES,
        ),
        TableSpec(
            Table.QUERIES,
            (
                _col("query_id", S, True),
                _col("query", T, True),
                _col("query_class", S),
                _col("language", S),
            ),
            primary_key=("query_id",),
        ),
        TableSpec(
            Table.JUDGEMENTS,
            (
                _col("query_id", S, True),
                _col("product_id", S, True, description="the judged product (or document)"),
                _col("grade", I, True, description="0 = irrelevant ... 2 or 3 = exact", minimum=0, maximum=10),
            ),
            primary_key=("query_id", "product_id"),
        ),
        TableSpec(
            Table.UTTERANCES,
            (
                _col("utterance_id", S, True, description="derived from file and line when absent"),
                _col("text", T, True),
                _col("intent", S, True),
                _col("category", S),
                _col("language", S),
                _col("attributes", OBJ, description="other columns of the input"),
            ),
            primary_key=("utterance_id",),
            generated_key="utterance_id",
            extra_columns=ExtraColumns.INTO_ATTRIBUTES,
        ),
    )
}


def spec_for(table: Table | str) -> TableSpec:
    """The spec of `table`, accepting its name.

    Raises:
        DataValidationError: for an unknown table name.
    """
    from llm4retail.errors import DataValidationError

    try:
        return SPECS[Table(table)]
    except ValueError as error:
        known = ", ".join(t.value for t in Table)
        raise DataValidationError(f"unknown table '{table}'; expected one of: {known}") from error


def _is_key(column: Column) -> bool:
    return column.name.endswith("_id")


def _field_type(column: Column) -> Any:
    """The Pydantic type of a column given to the API, with the contract's constraints and the shared bounds."""
    if column.kind in (Kind.STRING, Kind.TEXT):
        longest = MAX_ID_LENGTH if _is_key(column) else MAX_TEXT_LENGTH if column.kind is Kind.TEXT else MAX_STRING_LENGTH
        return bounds.safe_text(max_length=longest, min_length=1 if column.required else 0)
    if column.kind in (Kind.INT, Kind.FLOAT):
        base = bounds.Int64 if column.kind is Kind.INT else bounds.Number
        if column.minimum is not None or column.maximum is not None:
            return Annotated[base, Field(ge=column.minimum, le=column.maximum)]
        return base
    return _INPUT_TYPES[column.kind]


_INPUT_TYPES: dict[Kind, Any] = {
    Kind.BOOL: bounds.Boolean,
    Kind.DATETIME: bounds.Instant,
    Kind.DATE: bounds.Day,
    Kind.JSON_OBJECT: bounds.JsonObject,
    Kind.JSON_LIST: bounds.JsonList,
}


def _output_type(column: Column) -> Any:
    """The Pydantic type of a column in an answer: what the store holds, instants with their UTC offset."""
    return bounds.InstantOut if column.kind is Kind.DATETIME else PYTHON_TYPES[column.kind]


@cache
def record_model(table: Table, *, partial: bool = False, output: bool = False) -> type[BaseModel]:
    """A Pydantic model of one row of `table`, derived from its spec (same checks as the importer).

    Args:
        table: the table.
        partial: every field optional (for PATCH bodies); key columns are left out, and a
            required column may be omitted but not set to null.
        output: the model of a stored row in an answer (`ProductsRow`): every column, values as stored
            (a row stored before a bound existed is still answered), instants in UTC with their offset.

    Returns:
        A model class that forbids unknown fields, named e.g. `ProductsRecord`.
    """
    spec = SPECS[table]
    if output:
        columns = {c.name: (_output_type(c) | None, Field(description=c.description)) for c in spec.columns}
        return create_model(table.value.capitalize() + "Row", **columns)
    fields: dict[str, Any] = {}
    for column in spec.columns:
        field_type = _field_type(column)
        required = column.required and column.name != spec.generated_key
        if partial and column.name in spec.primary_key:
            continue
        if partial:
            nullable = field_type if required else field_type | None
            fields[column.name] = (nullable, Field(None, description=column.description))
        elif required:
            fields[column.name] = (field_type, Field(..., description=column.description))
        else:
            fields[column.name] = (field_type | None, Field(column.default, description=column.description))
    name = table.value.capitalize() + ("Update" if partial else "Record")
    return create_model(name, __config__=ConfigDict(extra="forbid", str_strip_whitespace=True), **fields)


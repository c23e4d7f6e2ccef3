"""CRUD routes for a contract table (products, customers, orders), built from its spec.

Reads need the table's read level (public for products; the owning customer, staff or admin for
customers, orders and events: a customer token lists and reads only its own rows); every write needs
an admin key. Bulk writes are all-or-nothing:
the whole body is validated before anything is written, in one transaction.
"""

# No `from __future__ import annotations`: FastAPI must see the models created in the factory.
import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel

from llm4retail.access import Level, Principal
from llm4retail.api.deps import Access, AdminAccess, SettingsDep, StoreDep
from llm4retail.data.schemas import PYTHON_TYPES, SPECS, Kind, Table, record_model
from llm4retail.errors import NotFoundError


class Page(BaseModel):
    """One page of a listing."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class WriteResult(BaseModel):
    """Rows written by a bulk request."""

    written: int


def _filter_dependency(table: Table, names: tuple[str, ...]) -> Any:
    """A dependency whose query parameters are the filterable columns (so OpenAPI lists them)."""
    spec = SPECS[table]

    def filters(**values: Any) -> dict[str, Any]:
        return {name: value for name, value in values.items() if value is not None}

    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=Query(None, description=f"only rows whose {name} equals this"),
            annotation=PYTHON_TYPES[spec.column(name).kind] | None,
        )
        for name in names
        if spec.column(name).kind not in (Kind.JSON_OBJECT, Kind.JSON_LIST)
    ]
    filters.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return filters


def record_router(
    table: Table,
    *,
    filters: tuple[str, ...] = (),
    writable: bool = True,
    read: Level = Level.PUBLIC,
    owner_column: str | None = None,
    on_write: Callable[[list[dict[str, Any]]], None] | None = None,
    on_delete: Callable[[list[str]], None] | None = None,
    present: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> APIRouter:
    """Routes `GET /{table}`, `GET/PATCH/DELETE /{table}/{key}`, `POST /{table}` and `POST /{table}/bulk`.

    Args:
        table: a table with a one-column primary key.
        filters: columns a listing can be filtered on (equality).
        writable: add the write routes (admin only).
        read: who may read: `PUBLIC`, or `OWNER` with `owner_column` naming the customer a row belongs to.
        on_write: called with the stored rows after each committed write (e.g. to refresh the search index).
        on_delete: called with the deleted keys after a committed delete.
        present: applied to every row a read returns (e.g. a product's currency, defaulted).
    """
    notify_write = on_write or (lambda rows: None)
    notify_delete = on_delete or (lambda keys: None)
    shown = present or (lambda row: row)
    spec = SPECS[table]
    (key_name,) = spec.primary_key
    name = table.value
    singular = name.removesuffix("s")
    create_model = record_model(table)
    update_model = record_model(table, partial=True)
    router = APIRouter(prefix=f"/{name}", tags=[name])
    filter_dependency = _filter_dependency(table, filters)
    if read is Level.OWNER and owner_column is None:
        raise ValueError(f"{name}: an owner-scoped table needs owner_column")
    reader = Access(read)
    Reader = Annotated[Principal, Depends(reader)]  # noqa: N806 (a type alias, local to this table)

    @router.get("", response_model=Page, summary=f"List {name}")
    def list_rows(
        principal: Reader,
        store: StoreDep,
        settings: SettingsDep,
        equals: Annotated[dict[str, Any], Depends(filter_dependency)],
        limit: Annotated[int, Query(ge=1, description="page size")] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Page:
        if limit > settings.api.page_size_limit:
            raise HTTPException(422, f"limit must be at most {settings.api.page_size_limit}, got {limit}")
        if owner_column is not None and not principal.sees_everyone:
            asked = equals.get(owner_column)
            if asked is not None and asked != principal.customer_id:
                principal.require_owner(str(asked))  # 403: another customer's rows
            equals = equals | {owner_column: principal.customer_id}
        items, total = store.page(table, limit=limit, offset=offset, equals=equals)
        return Page(items=[shown(item) for item in items], total=total, limit=limit, offset=offset)

    @router.get("/{key}", response_model=create_model, summary=f"Get one {singular}")
    def get_row(key: str, principal: Reader, store: StoreDep) -> dict[str, Any]:
        row = store.get(table, (key,))
        if owner_column is not None and not principal.sees_everyone and row.get(owner_column) != principal.customer_id:
            raise NotFoundError(table=name, key=key)  # another customer's row: as if it did not exist
        return shown(row)

    if not writable:
        return router

    @router.post("", status_code=201, response_model=create_model, dependencies=[AdminAccess], summary=f"Create a {singular}")
    def create_row(record: Annotated[create_model, Body()], store: StoreDep) -> dict[str, Any]:  # type: ignore[valid-type]
        row = store.insert_new(table, record.model_dump())
        notify_write([row])
        return shown(row)

    @router.patch("/{key}", response_model=create_model, dependencies=[AdminAccess], summary=f"Update a {singular}")
    def update_row(key: str, changes: Annotated[update_model, Body()], store: StoreDep) -> dict[str, Any]:  # type: ignore[valid-type]
        row = store.update(table, (key,), changes.model_dump(exclude_unset=True))
        notify_write([row])
        return shown(row)

    @router.delete("/{key}", status_code=204, dependencies=[AdminAccess], summary=f"Delete a {singular}")
    def delete_row(key: str, store: StoreDep) -> Response:
        store.delete(table, (key,))
        notify_delete([key])
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/bulk", response_model=WriteResult, dependencies=[AdminAccess], summary=f"Upsert many {name}")
    def bulk_upsert(records: Annotated[list[create_model], Body()], store: StoreDep, settings: SettingsDep) -> WriteResult:  # type: ignore[valid-type]
        check_batch_size(len(records), settings.api.max_batch_rows)
        rows = [record.model_dump() for record in records]
        written = store.upsert_records(table, rows)
        notify_write(rows)
        return WriteResult(written=written)

    get_row.__doc__ = f"One {singular} by `{key_name}`; 404 if it does not exist."
    return router


def check_batch_size(rows: int, limit: int) -> None:
    """Refuse an empty or oversized batch.

    Raises:
        HTTPException: 422 for an empty batch, 413 above `limit` rows.
    """
    if rows == 0:
        raise HTTPException(422, "the batch is empty")
    if rows > limit:
        raise HTTPException(413, f"the batch has {rows} rows; at most {limit} are accepted per request")


__all__ = ["Page", "WriteResult", "check_batch_size", "record_router"]

"""Checks every request meets before its route's own validation: values the store cannot hold.

The request models check their own fields (`llm4retail.data.bounds`); this dependency, installed on the
whole app, is the net under all of them: a path or query parameter, or any string in a JSON body, with a
NUL or a lone surrogate (PostgreSQL cannot store the one, UTF-8 cannot encode the other), and a JSON
body holding `NaN` or `Infinity` (which Python's parser accepts but JSON does not have) get a 422 naming
the field, as Pydantic's own errors do.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from llm4retail.data.bounds import text_problem

# Only bodies with one of these (escaped NUL or surrogate, a non-finite constant) are parsed a second time.
_SUSPICIOUS = re.compile(rb"\\u0000|\\u[dD][89abAB]|\\u[dD][c-fC-F]|NaN|Infinity")


def _error(loc: tuple[str | int, ...], message: str, value: Any) -> dict[str, Any]:
    return {"loc": loc, "msg": message, "type": "value_error", "input": value}


def _body_problem(value: Any, loc: tuple[str | int, ...]) -> dict[str, Any] | None:
    """The first value of a parsed JSON body that cannot be stored, as a validation error."""
    if isinstance(value, str):
        problem = text_problem(value)
        return None if problem is None else _error(loc, f"Value error, text {problem}", value[:40])
    if isinstance(value, float) and not math.isfinite(value):
        return _error(loc, f"Value error, {value} is not a finite number (JSON has no NaN or Infinity)", str(value))
    if isinstance(value, dict):
        for key, item in value.items():
            found = _body_problem(key, (*loc, str(key)[:40])) or _body_problem(item, (*loc, str(key)))
            if found is not None:
                return found
    if isinstance(value, list):
        for position, item in enumerate(value):
            found = _body_problem(item, (*loc, position))
            if found is not None:
                return found
    return None


async def reject_unstorable_input(request: Request) -> None:
    """An app-wide dependency: 422 for a NUL or lone surrogate in a parameter or body, or NaN/Infinity in a body.

    Raises:
        RequestValidationError: naming the first bad field of each part (path, query, body).
    """
    errors = [
        _error(("path", name), f"Value error, text {problem}", value[:40])
        for name, value in request.path_params.items()
        if isinstance(value, str) and (problem := text_problem(value)) is not None
    ]
    errors += [
        _error(("query", name), f"Value error, text {problem}", value[:40])
        for name, value in request.query_params.multi_items()
        if (problem := text_problem(value) or text_problem(name)) is not None
    ]
    if "json" in request.headers.get("content-type", ""):
        body = await request.body()
        if _SUSPICIOUS.search(body):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None  # FastAPI answers malformed JSON itself
            found = _body_problem(parsed, ("body",))
            if found is not None:
                errors.append(found)
    if errors:
        raise RequestValidationError(errors)

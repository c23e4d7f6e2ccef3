"""Personal data masked in the server's logs: e-mail addresses, phone, card and ID numbers.

Request paths and messages can carry them (`/customers?email=...`, a chat message logged on an
error); the filter masks every string argument and message of each record before any handler
formats it, with the same masking the assistant applies to stored transcripts.
"""

from __future__ import annotations

import logging
from typing import Any

from llm4retail.assistant.safety import mask_pii

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error")  # the root logger carries llm4retail.*


def _masked(value: Any) -> Any:
    return mask_pii(value) if isinstance(value, str) else value


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message and arguments (formatters still see their arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        return True


def mask_personal_data_in_logs() -> None:
    """Adds the filter to every handler of the server's loggers (once; handlers added later are not covered,
    so `serve` calls this after uvicorn has configured its logging)."""
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(existing, PersonalDataFilter) for existing in handler.filters):
                handler.addFilter(PersonalDataFilter())

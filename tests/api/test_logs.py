"""Personal data never reaches the server's log output."""

from __future__ import annotations

import io
import logging

from llm4retail.api.logs import PersonalDataFilter


def test_emails_and_phones_are_masked_in_messages_and_arguments() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("tests.personal-data")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("lookup failed for jane.doe@example.com")
        logger.warning('%s - "%s %s" %d', "127.0.0.1:5000", "GET", "/customers?email=li.wei@example.cn&phone=+86 138 0013 8000", 200)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "jane.doe@example.com" not in output and "li.wei@example.cn" not in output
    assert "138 0013 8000" not in output
    assert output.count("[email]") == 2 and "GET" in output and "200" in output

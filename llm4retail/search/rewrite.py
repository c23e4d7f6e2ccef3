"""Optional query rewriting by the configured LLM, used when a query finds nothing.

The rewrite is a rescue, not a default: the offline pipeline answers first, and only
a query with no result is sent to the endpoint; any failure keeps the empty result.
"""

from __future__ import annotations

import logging

from llm4retail.errors import LLMUnavailableError
from llm4retail.llm.client import ChatClient

logger = logging.getLogger(__name__)
MAX_REWRITE_LENGTH = 200
PROMPT = (
    "You rewrite online-shop search queries. Fix spelling, expand abbreviations and use the words a "
    "product title would use. Keep the shopper's language and any price limit. Answer with the "
    "rewritten query only, on one line."
)


class QueryRewriter:
    """Rewrites a query through a chat endpoint.

    Args:
        client: the configured chat client.
    """

    def __init__(self, client: ChatClient) -> None:
        self.client = client

    def __call__(self, query: str) -> str | None:
        """The rewritten query, or None when the endpoint fails or returns nothing usable."""
        try:
            answer = self.client.complete(
                [{"role": "system", "content": PROMPT}, {"role": "user", "content": query}], max_tokens=48
            )
        except LLMUnavailableError as error:
            logger.warning("query rewrite skipped: %s", error)
            return None
        line = answer.splitlines()[0].strip().strip('"') if answer.strip() else ""
        if not line or len(line) > MAX_REWRITE_LENGTH or line.lower() == query.strip().lower():
            return None
        return line

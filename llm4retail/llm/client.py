"""A small client for OpenAI-compatible `/chat/completions` endpoints.

Configured by `Settings.llm` (`LLM4RETAIL_LLM__BASE_URL`, `__MODEL`, `__API_KEY`,
`__TIMEOUT_SECONDS`). Every failure (unset, unreachable, timeout, bad answer) raises
`LLMUnavailableError`, so callers can fall back to their offline path.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from llm4retail.config import LLMSettings
from llm4retail.errors import LLMUnavailableError

logger = logging.getLogger(__name__)


class ChatClient:
    """Chat completions from the configured endpoint.

    Args:
        settings: endpoint URL (ending in /v1 for most servers), model, key and timeout.

    Raises:
        LLMUnavailableError: no endpoint is configured.
    """

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.base_url:
            raise LLMUnavailableError("no LLM endpoint configured (set LLM4RETAIL_LLM__BASE_URL)")
        self.settings = settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._http = httpx.Client(base_url=settings.base_url.rstrip("/"), headers=headers, timeout=settings.timeout_seconds)

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 128, temperature: float = 0.0) -> str:
        """The assistant message for `messages`.

        Raises:
            LLMUnavailableError: the endpoint failed, timed out or answered without a message.
        """
        body: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature}
        if self.settings.model:
            body["model"] = self.settings.model
        try:
            response = self._http.post("/chat/completions", json=body)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"]).strip()
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as error:
            raise LLMUnavailableError(f"LLM endpoint {self.settings.base_url} failed: {error}") from error

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

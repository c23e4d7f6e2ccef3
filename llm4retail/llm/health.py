"""Is the configured LLM endpoint reachable? Checked at start-up and shown in `/ready`, never silent.

The offline default (templates, or the packaged local model) needs no endpoint; when one is
configured and does not answer, the assistant falls back to templates, the server logs a warning
at start-up, `/ready` says `"llm": {"state": "unreachable", ...}` and each chat reply carries
`"llm": "fallback"`.
"""

from __future__ import annotations

import logging
import threading
import time
from enum import StrEnum

import httpx
from pydantic import BaseModel

from llm4retail.config import LLMSettings

logger = logging.getLogger(__name__)
PROBE_TIMEOUT_SECONDS = 3.0
RECHECK_SECONDS = 30.0


class EndpointState(StrEnum):
    """What the last check of the endpoint found."""

    NOT_CONFIGURED = "not_configured"  # the offline default: nothing to reach
    CHECKING = "checking"
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


class EndpointStatus(BaseModel):
    """The LLM endpoint as `/ready` shows it."""

    state: EndpointState
    base_url: str | None = None
    detail: str | None = None
    checked_at: float | None = None


def probe(settings: LLMSettings) -> EndpointStatus:
    """One check: `GET <base_url>/models` (every OpenAI-compatible server answers it) within 3 s."""
    if not settings.base_url:
        return EndpointStatus(state=EndpointState.NOT_CONFIGURED)
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    url = settings.base_url.rstrip("/")
    try:
        response = httpx.get(f"{url}/models", headers=headers, timeout=min(PROBE_TIMEOUT_SECONDS, settings.timeout_seconds))
        response.raise_for_status()
    except httpx.HTTPError as error:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return EndpointStatus(state=EndpointState.UNREACHABLE, base_url=url, detail=detail, checked_at=time.time())
    return EndpointStatus(state=EndpointState.REACHABLE, base_url=url, checked_at=time.time())


class EndpointMonitor:
    """The endpoint's state, checked in the background (start-up, then at most every 30 s when asked).

    Args:
        settings: the `llm` settings.
    """

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        configured = bool(settings.base_url)
        state = EndpointState.CHECKING if configured else EndpointState.NOT_CONFIGURED
        self._status = EndpointStatus(state=state, base_url=settings.base_url)
        self._lock = threading.Lock()
        self._checking = False

    def start(self) -> None:
        """Checks now, in a background thread; logs a warning when the endpoint does not answer."""
        self._check_in_background(warn=True)

    def status(self) -> EndpointStatus:
        """The latest state (a new check starts in the background when it is older than 30 s)."""
        checked = self._status.checked_at
        if self.settings.base_url and checked is not None and time.time() - checked > RECHECK_SECONDS:
            self._check_in_background(warn=False)
        return self._status

    def _check_in_background(self, *, warn: bool) -> None:
        if not self.settings.base_url:
            return
        with self._lock:
            if self._checking:
                return
            self._checking = True
        threading.Thread(target=self._check, kwargs={"warn": warn}, name="llm-probe", daemon=True).start()

    def _check(self, *, warn: bool) -> None:
        try:
            status = probe(self.settings)
            previous, self._status = self._status.state, status
            if status.state is EndpointState.UNREACHABLE and (warn or previous is not EndpointState.UNREACHABLE):
                logger.warning(
                    "the LLM endpoint %s does not answer (%s): the assistant answers from templates "
                    "(\"llm\": \"fallback\" in each reply) until it does", status.base_url, status.detail,
                )
            elif status.state is EndpointState.REACHABLE and previous is EndpointState.UNREACHABLE:
                logger.warning("the LLM endpoint %s answers again", status.base_url)
        finally:
            with self._lock:
                self._checking = False

"""Request dependencies: the store, the settings and API-key authentication for writes."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from llm4retail.config import Settings
from llm4retail.container import Services
from llm4retail.data.store import Store

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Required for every write.")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store


def get_services(request: Request) -> Services:
    """The app's service container (every capability service is reached through it)."""
    return request.app.state.services


def require_api_key(
    settings: Annotated[Settings, Depends(get_settings_dep)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> None:
    """Refuse a write without a configured key (401).

    Raises:
        HTTPException: 401 when the header is missing or wrong, or no key is configured.
    """
    if not settings.api_keys:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "writes are disabled: no API key is configured (set LLM4RETAIL_API_KEYS)",
        )
    if api_key is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing X-API-Key header")
    if not any(secrets.compare_digest(api_key.encode(), key.encode()) for key in settings.api_keys):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")


StoreDep = Annotated[Store, Depends(get_store)]
ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
WriteAccess = Depends(require_api_key)

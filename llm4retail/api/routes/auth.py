"""Customer tokens and the caller's identity (docs/access.md).

The shop's backend, which signs shoppers in, asks for a customer token with its admin key and
hands it to the shopper's page or app; on the demo store anyone may sign in as a demo customer.
API keys are managed with `llm4retail keys ...` on the server, never over HTTP.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from llm4retail.access import CustomerToken
from llm4retail.access.tokens import MAX_TTL_SECONDS
from llm4retail.api.deps import AdminAccess, PublicCaller, ServicesDep

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    """The signed-in customer a token is for."""

    customer_id: str = Field(min_length=1, max_length=200)
    ttl_seconds: int | None = Field(None, ge=60, le=MAX_TTL_SECONDS, description="default: auth.token_ttl_seconds")


class DemoLogin(BaseModel):
    """A demo customer to sign in as."""

    customer_id: str = Field(min_length=1, max_length=200, examples=["c00001"])


class Caller(BaseModel):
    """Who the credentials of this request say the caller is."""

    role: str
    customer_id: str | None = None
    key_id: str | None = None


@router.post("/customer-tokens", dependencies=[AdminAccess], summary="Issue a customer token")
def customer_token(body: Annotated[TokenRequest, Body()], services: ServicesDep) -> CustomerToken:
    """A signed token scoping its bearer to one customer (404 for an unknown customer)."""
    return services.access.customer_token(body.customer_id, ttl_seconds=body.ttl_seconds)


@router.post("/demo-login", summary="Sign in as a demo customer (demo store only)")
def demo_login(body: Annotated[DemoLogin, Body()], services: ServicesDep, _caller: PublicCaller) -> CustomerToken:
    """A customer token without a password; 403 unless the data dir holds the demo store (or `auth.demo_login`)."""
    return services.access.demo_login(body.customer_id)


@router.get("/me", summary="The caller")
def me(caller: PublicCaller) -> Caller:
    """The role (and customer or key id) of the credentials sent; `anonymous` without any."""
    return Caller(role=caller.role.label, customer_id=caller.customer_id, key_id=caller.key_id)

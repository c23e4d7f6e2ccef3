"""The access control of one store: who a request's credentials say the caller is, and customer tokens."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from llm4retail.access.keys import KeyRing
from llm4retail.access.roles import ANONYMOUS, Principal
from llm4retail.access.tokens import CustomerTokens
from llm4retail.config import Settings
from llm4retail.data.demo import TRUTH_FILE
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import PermissionDeniedError


class CustomerToken(BaseModel):
    """A customer token as handed to the shopper's page or app."""

    token: str
    token_type: str = "bearer"
    customer_id: str
    expires_at: dt.datetime


class AccessControl:
    """API keys and customer tokens of one store.

    Args:
        settings: `auth` (token secret and lifetime, demo login, key cache) and `api_keys` (bootstrap admin keys).
        store: the store holding the keys and the customers tokens are issued for.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.keys = KeyRing(store, bootstrap=settings.api_keys, cache_seconds=settings.auth.key_cache_seconds)
        self._tokens: CustomerTokens | None = None

    @property
    def tokens(self) -> CustomerTokens:
        """The token signer, made on first use (which may create the secret file in the data dir)."""
        if self._tokens is None:
            self._tokens = CustomerTokens.from_settings(self.settings)
        return self._tokens

    def authenticate(self, *, api_key: str | None, bearer: str | None) -> Principal:
        """The caller: an API key wins over a token; neither is the anonymous caller.

        Raises:
            AuthenticationError: credentials were presented and are not valid (never downgraded to anonymous).
        """
        if api_key is not None:
            return self.keys.authenticate(api_key)
        if bearer is not None:
            return self.tokens.authenticate(bearer)
        return ANONYMOUS

    def customer_token(self, customer_id: str, *, ttl_seconds: int | None = None) -> CustomerToken:
        """A token for an existing customer (what the shop's backend asks for once a shopper signs in).

        Raises:
            NotFoundError: no such customer.
            DataValidationError: a lifetime out of range.
        """
        self.store.get(Table.CUSTOMERS, [customer_id])
        token, expires = self.tokens.issue(customer_id, ttl_seconds=ttl_seconds)
        return CustomerToken(token=token, customer_id=customer_id, expires_at=expires)

    @property
    def demo_login_enabled(self) -> bool:
        """`auth.demo_login`, or, when unset, whether the data dir holds the demo store."""
        configured = self.settings.auth.demo_login
        return (self.settings.data_dir / TRUTH_FILE).exists() if configured is None else configured

    def demo_login(self, customer_id: str) -> CustomerToken:
        """A customer token without a password, on the demo store only.

        Raises:
            PermissionDeniedError: demo login is off (not the demo store, or `auth.demo_login = false`).
            NotFoundError: no such customer.
        """
        if not self.demo_login_enabled:
            raise PermissionDeniedError(
                "demo login is only on for the demo store (or with auth.demo_login = true); "
                "the shop's backend issues customer tokens with POST /auth/customer-tokens"
            )
        return self.customer_token(customer_id)

"""The access control of one store: who a request's credentials say the caller is, and customer tokens."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from llm4retail.access.keys import BOOTSTRAP_KEY_ID, KeyRing, utc_now
from llm4retail.access.roles import ANONYMOUS, Principal, Role
from llm4retail.access.tokens import CustomerTokens
from llm4retail.config import Settings
from llm4retail.data.demo import TRUTH_FILE
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import AuthenticationError, NotFoundError, PermissionDeniedError

CONSOLE_SESSION_SECONDS = 8 * 3600  # a working day; the key's revocation ends it sooner


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

    def console_session(self, api_key: str, *, ttl_seconds: int = CONSOLE_SESSION_SECONDS) -> tuple[str, Principal]:
        """A signed console session (the web console's cookie) for a staff or admin key, and its principal.

        Raises:
            AuthenticationError: an unknown, revoked or expired key.
            PermissionDeniedError: a key below staff.
        """
        principal = self.keys.authenticate(api_key)
        if principal.role < Role.STAFF or principal.key_id is None:
            raise PermissionDeniedError("the console needs a staff or admin key")
        return self.tokens.issue_session(key_id=principal.key_id, role=principal.role, ttl_seconds=ttl_seconds), principal

    def console_caller(self, session: str) -> Principal:
        """The staff or admin principal of a console session, while its key is still active (a revoked key
        ends its sessions at their next request).

        Raises:
            AuthenticationError: the session is not valid, or its key was revoked, rotated away or expired.
        """
        key_id, role = self.tokens.read_session(session)
        if key_id == BOOTSTRAP_KEY_ID:
            if not self.settings.api_keys:
                raise AuthenticationError("the key of this console session is no longer configured; sign in again")
            return Principal(role, key_id=key_id)
        try:
            key = self.keys.get(key_id)
        except NotFoundError:
            raise AuthenticationError("the key of this console session no longer exists; sign in again") from None
        if not key.active(utc_now()):
            raise AuthenticationError("the key of this console session was revoked or has expired; sign in again")
        return Principal(min(role, Role.parse(key.role.value)), key_id=key_id)

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

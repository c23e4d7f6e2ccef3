"""API keys: created, listed, rotated and revoked (`llm4retail keys ...`), stored hashed with their role.

A key reads `l4r_<key id>_<secret>`; the store keeps the id, the role, the expiry and the SHA-256
of the whole key, never the key itself. The secret is 32 random bytes, so a fast hash is enough:
there is nothing to guess that a slow hash would protect (passwords need one; random keys do not).
The keys live in their own table (`api_keys`) on the store's database, beside the contract tables,
so every worker and machine serving one store sees the same keys. Keys from `LLM4RETAIL_API_KEYS`
are admin keys too (the bootstrap: create the first managed key with one, or with the CLI).

Example:
    >>> ring = KeyRing(store)
    >>> key, secret = ring.create(name="storefront backend", role=KeyRole.ADMIN)
    >>> ring.authenticate(secret).role
    <Role.ADMIN: 3>
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import Sequence

import sqlalchemy as sa
from pydantic import BaseModel

from llm4retail.access.roles import KeyRole, Principal, Role
from llm4retail.data.store import Store
from llm4retail.errors import AuthenticationError, DataValidationError, NotFoundError

KEY_PREFIX = "l4r_"
BOOTSTRAP_KEY_ID = "bootstrap"
METADATA = sa.MetaData()
API_KEYS = sa.Table(
    "api_keys", METADATA,
    sa.Column("key_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("rotated_to", sa.Text),
)  # fmt: skip


class ApiKey(BaseModel):
    """A managed key as listed: everything but the secret."""

    key_id: str
    name: str
    role: KeyRole
    created_at: dt.datetime
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    rotated_to: str | None = None

    def active(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired at `now` (naive UTC)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def utc_now() -> dt.datetime:
    """Naive UTC, as the store keeps instants."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def key_hash(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """The store's API keys.

    Args:
        store: the store whose database holds the `api_keys` table (created on first use).
        bootstrap: plain admin keys from the settings (`LLM4RETAIL_API_KEYS`).
        cache_seconds: how long a checked key is trusted without reading the table again (a revoked
            key stops working on every worker within this time).
    """

    def __init__(self, store: Store, *, bootstrap: Sequence[str] = (), cache_seconds: float = 5.0) -> None:
        self.store = store
        self.bootstrap = {key_hash(key) for key in bootstrap}
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def _begin(self) -> sa.engine.Connection:
        self.store.ensure_tables(METADATA)  # once, under the store's lock (concurrent first requests)
        return self.store.engine.begin()  # type: ignore[return-value]

    # -- administration ------------------------------------------------------------------------
    def create(self, *, name: str, role: KeyRole, expires_in: dt.timedelta | None = None) -> tuple[ApiKey, str]:
        """A new key; returns it and its secret (shown once, never stored).

        Raises:
            DataValidationError: an empty name or a non-positive expiry.
        """
        if not name.strip():
            raise DataValidationError("a key needs a name (who or what uses it)")
        if expires_in is not None and expires_in.total_seconds() <= 0:
            raise DataValidationError(f"expires_in must be positive, got {expires_in}")
        key_id = secrets.token_hex(6)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = utc_now()
        row = {
            "key_id": key_id, "name": name.strip(), "role": role.value, "key_hash": key_hash(secret),
            "created_at": now, "expires_at": now + expires_in if expires_in else None,
            "revoked_at": None, "rotated_to": None,
        }
        with self._begin() as connection:
            connection.execute(sa.insert(API_KEYS), [row])
        return ApiKey.model_validate(row), secret

    def list(self, *, include_inactive: bool = False) -> list[ApiKey]:
        """Every key, newest first (active ones only unless `include_inactive`)."""
        with self._begin() as connection:
            rows = connection.execute(sa.select(API_KEYS).order_by(API_KEYS.c.created_at.desc())).all()
        keys = [ApiKey.model_validate(dict(row._mapping)) for row in rows]
        now = utc_now()
        return keys if include_inactive else [key for key in keys if key.active(now)]

    def get(self, key_id: str) -> ApiKey:
        """One key by id.

        Raises:
            NotFoundError: no key has that id.
        """
        with self._begin() as connection:
            row = connection.execute(sa.select(API_KEYS).where(API_KEYS.c.key_id == key_id)).first()
        if row is None:
            raise NotFoundError(table="api_keys", key=key_id)
        return ApiKey.model_validate(dict(row._mapping))

    def revoke(self, key_id: str) -> ApiKey:
        """Stops a key from working (on every worker within `cache_seconds`); idempotent.

        Raises:
            NotFoundError: no key has that id.
        """
        key = self.get(key_id)
        if key.revoked_at is None:
            with self._begin() as connection:
                connection.execute(sa.update(API_KEYS).where(API_KEYS.c.key_id == key_id).values(revoked_at=utc_now()))
        self._forget()
        return self.get(key_id)

    def rotate(self, key_id: str, *, grace: dt.timedelta = dt.timedelta(0)) -> tuple[ApiKey, str]:
        """A new key with the same name, role and lifetime; the old one is revoked (after `grace`).

        Raises:
            NotFoundError: no key has that id.
            DataValidationError: the key is already revoked.
        """
        old = self.get(key_id)
        if old.revoked_at is not None:
            raise DataValidationError(f"key {key_id} is revoked; create a new one with `llm4retail keys create`")
        lifetime = old.expires_at - old.created_at if old.expires_at else None
        new, secret = self.create(name=old.name, role=old.role, expires_in=lifetime)
        with self._begin() as connection:
            connection.execute(
                sa.update(API_KEYS).where(API_KEYS.c.key_id == key_id)
                .values(rotated_to=new.key_id, expires_at=utc_now() + grace if grace else old.expires_at,
                        revoked_at=None if grace else utc_now())
            )
        self._forget()
        return new, secret

    # -- checking ------------------------------------------------------------------------------
    def authenticate(self, key: str) -> Principal:
        """The principal of a presented key.

        Raises:
            AuthenticationError: the key is unknown, revoked or expired.
        """
        digest = key_hash(key)
        if digest in self.bootstrap:
            return Principal(Role.ADMIN, key_id=BOOTSTRAP_KEY_ID)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is None or now - cached[0] > self.cache_seconds:
            cached = (now, self._lookup(digest))
            with self._lock:
                if len(self._cache) > 10_000:  # bounded: unknown keys must not grow it without end
                    self._cache.clear()
                self._cache[digest] = cached
        if cached[1] is None:
            raise AuthenticationError(
                "invalid, revoked or expired API key (keys come from `llm4retail keys create` or LLM4RETAIL_API_KEYS)"
            )
        return cached[1]

    def _lookup(self, digest: str) -> Principal | None:
        with self._begin() as connection:
            row = connection.execute(sa.select(API_KEYS).where(API_KEYS.c.key_hash == digest)).first()
        if row is None:
            return None
        key = ApiKey.model_validate(dict(row._mapping))
        return Principal(key.role.role, key_id=key.key_id) if key.active(utc_now()) else None

    def _forget(self) -> None:
        with self._lock:
            self._cache.clear()

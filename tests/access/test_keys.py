"""API keys on a real store: created hashed, checked, listed, rotated, revoked and expired."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from llm4retail.access import KeyRing, KeyRole, Role
from llm4retail.access.keys import API_KEYS, BOOTSTRAP_KEY_ID, key_hash
from llm4retail.data.store import Store
from llm4retail.errors import AuthenticationError, DataValidationError, NotFoundError


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'keys.sqlite'}")
    store.create_schema()
    return store


@pytest.fixture
def ring(store: Store) -> KeyRing:
    return KeyRing(store, bootstrap=["bootstrap-admin-key-0123"], cache_seconds=0)


def test_a_created_key_authenticates_with_its_role_and_only_its_hash_is_stored(ring: KeyRing, store: Store) -> None:
    key, secret = ring.create(name="support desk", role=KeyRole.STAFF)

    principal = ring.authenticate(secret)

    assert principal.role is Role.STAFF and principal.key_id == key.key_id
    with store.engine.connect() as connection:
        stored = [dict(row._mapping) for row in connection.execute(sa.select(API_KEYS))]
    assert len(stored) == 1 and stored[0]["key_hash"] == key_hash(secret)
    assert secret not in str(stored), "the key itself must never be stored"


def test_unknown_and_tampered_keys_are_refused(ring: KeyRing) -> None:
    _, secret = ring.create(name="backend", role=KeyRole.ADMIN)

    for presented in ("l4r_nothing_here", secret[:-1] + ("A" if secret[-1] != "A" else "B"), ""):
        with pytest.raises(AuthenticationError, match="invalid, revoked or expired"):
            ring.authenticate(presented)


def test_bootstrap_keys_are_admin(ring: KeyRing) -> None:
    principal = ring.authenticate("bootstrap-admin-key-0123")

    assert principal.role is Role.ADMIN and principal.key_id == BOOTSTRAP_KEY_ID


def test_revoked_keys_stop_working_and_leave_the_default_listing(ring: KeyRing) -> None:
    key, secret = ring.create(name="old app", role=KeyRole.ADMIN)
    kept, _ = ring.create(name="new app", role=KeyRole.ADMIN)

    revoked = ring.revoke(key.key_id)

    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError):
        ring.authenticate(secret)
    assert [k.key_id for k in ring.list()] == [kept.key_id]
    assert {k.key_id for k in ring.list(include_inactive=True)} == {key.key_id, kept.key_id}
    with pytest.raises(NotFoundError):
        ring.revoke("no-such-key")


def test_rotation_replaces_the_key_with_the_same_name_role_and_lifetime(ring: KeyRing) -> None:
    old, old_secret = ring.create(name="storefront", role=KeyRole.STAFF, expires_in=dt.timedelta(days=30))

    new, new_secret = ring.rotate(old.key_id)

    assert (new.name, new.role) == ("storefront", KeyRole.STAFF) and new.key_id != old.key_id
    assert new.expires_at is not None and abs((new.expires_at - new.created_at) - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    assert ring.authenticate(new_secret).key_id == new.key_id
    with pytest.raises(AuthenticationError):
        ring.authenticate(old_secret)
    assert ring.get(old.key_id).rotated_to == new.key_id
    with pytest.raises(DataValidationError, match="revoked"):
        ring.rotate(old.key_id)


def test_rotation_with_grace_keeps_the_old_key_until_then(ring: KeyRing) -> None:
    old, old_secret = ring.create(name="pos", role=KeyRole.ADMIN)

    ring.rotate(old.key_id, grace=dt.timedelta(hours=1))

    assert ring.authenticate(old_secret).key_id == old.key_id
    assert ring.get(old.key_id).expires_at is not None


def test_expired_keys_are_refused(ring: KeyRing, store: Store) -> None:
    key, secret = ring.create(name="temp", role=KeyRole.STAFF, expires_in=dt.timedelta(hours=1))
    with store.engine.begin() as connection:  # an hour later
        connection.execute(sa.update(API_KEYS).values(expires_at=dt.datetime(2000, 1, 1)))

    with pytest.raises(AuthenticationError):
        ring.authenticate(secret)
    assert ring.list() == [] and ring.list(include_inactive=True)[0].key_id == key.key_id


def test_a_revocation_reaches_another_worker_within_the_cache_time(store: Store) -> None:
    first = KeyRing(store, cache_seconds=0)
    second = KeyRing(store, cache_seconds=0)  # another process serving the same store
    key, secret = first.create(name="shared", role=KeyRole.ADMIN)
    assert second.authenticate(secret).key_id == key.key_id

    first.revoke(key.key_id)

    with pytest.raises(AuthenticationError):
        second.authenticate(secret)


def test_bad_requests_are_refused(ring: KeyRing) -> None:
    with pytest.raises(DataValidationError, match="name"):
        ring.create(name="  ", role=KeyRole.ADMIN)
    with pytest.raises(DataValidationError, match="positive"):
        ring.create(name="x", role=KeyRole.ADMIN, expires_in=dt.timedelta(0))

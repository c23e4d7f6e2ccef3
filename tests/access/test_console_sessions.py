"""Console sessions: a staff or admin key exchanged for a signed session that ends with the key."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from llm4retail.access import AccessControl, Principal, Role
from llm4retail.access.roles import KeyRole
from llm4retail.config import get_settings
from llm4retail.data.store import Store
from llm4retail.errors import AuthenticationError


@pytest.fixture
def access(tmp_path: Path) -> AccessControl:
    settings = get_settings(data_dir=tmp_path, api_keys=["bootstrap-admin-key-for-tests"])
    store = Store.from_settings(settings)
    store.create_schema()
    return AccessControl(settings, store)


def test_a_staff_key_opens_a_session_that_names_it(access: AccessControl) -> None:
    key, secret = access.keys.create(name="agent", role=KeyRole.STAFF)
    session, principal = access.console_session(secret)
    assert principal == Principal(Role.STAFF, key_id=key.key_id)
    assert access.console_caller(session) == principal
    assert secret not in session  # the cookie holds the key's id, never the key


def test_revoking_the_key_ends_its_sessions(access: AccessControl) -> None:
    key, secret = access.keys.create(name="agent", role=KeyRole.ADMIN)
    session, _ = access.console_session(secret)
    access.keys.revoke(key.key_id)
    with pytest.raises(AuthenticationError, match="revoked"):
        access.console_caller(session)


def test_the_bootstrap_key_opens_an_admin_session(access: AccessControl) -> None:
    session, principal = access.console_session("bootstrap-admin-key-for-tests")
    assert principal.role is Role.ADMIN and access.console_caller(session).role is Role.ADMIN


def test_sessions_and_customer_tokens_are_not_interchangeable(access: AccessControl) -> None:
    _, secret = access.keys.create(name="agent", role=KeyRole.STAFF)
    session, _ = access.console_session(secret)
    customer = access.tokens.issue("c00001")[0]
    with pytest.raises(AuthenticationError):
        access.tokens.authenticate(session)  # a console session is no customer token
    with pytest.raises(AuthenticationError):
        access.console_caller(customer)  # nor the other way round


def test_bad_keys_and_forged_sessions_are_refused(access: AccessControl) -> None:
    with pytest.raises(AuthenticationError):
        access.console_session("not-a-key")
    _, secret = access.keys.create(name="agent", role=KeyRole.STAFF)
    session, _ = access.console_session(secret)
    claims = jwt.decode(session, options={"verify_signature": False})
    raised = jwt.encode(claims | {"role": "admin"}, b"z" * 48, algorithm="HS256")  # not our secret
    with pytest.raises(AuthenticationError):
        access.console_caller(raised)
    with pytest.raises(AuthenticationError):
        access.console_caller(session[:-3] + "AAA")


def test_customers_cannot_open_the_console(access: AccessControl) -> None:
    token = access.tokens.issue("c00001")[0]
    with pytest.raises(AuthenticationError):
        access.console_session(token)  # a customer token is not a key

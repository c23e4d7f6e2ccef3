"""Customer tokens and who a caller chats as."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest

from llm4retail.access import GUEST_PREFIX, CustomerTokens, Level, Principal, Role
from llm4retail.access.tokens import SECRET_FILE
from llm4retail.config import get_settings
from llm4retail.errors import AuthenticationError, DataValidationError, PermissionDeniedError

SECRET = b"x" * 48


def test_a_token_names_its_customer() -> None:
    tokens = CustomerTokens(SECRET)
    token, expires = tokens.issue("c00042", ttl_seconds=600)

    principal = tokens.authenticate(token)

    assert principal == Principal(Role.CUSTOMER, customer_id="c00042")
    assert expires.tzinfo is not None


@pytest.mark.parametrize("case", ["expired", "forged", "other secret", "not a customer", "garbage"])
def test_bad_tokens_are_refused(case: str) -> None:
    tokens = CustomerTokens(SECRET)
    token, _ = tokens.issue("c1")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="llm4retail")
    presented = {
        "expired": jwt.encode(claims | {"exp": 1}, SECRET, algorithm="HS256"),
        "forged": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "other secret": CustomerTokens(b"y" * 48).issue("c1")[0],
        "not a customer": jwt.encode(claims | {"role": "admin"}, SECRET, algorithm="HS256"),
        "garbage": "not.a.token",
    }[case]

    with pytest.raises(AuthenticationError):
        tokens.authenticate(presented)


def test_lifetimes_are_bounded() -> None:
    tokens = CustomerTokens(SECRET)
    with pytest.raises(DataValidationError, match="ttl_seconds"):
        tokens.issue("c1", ttl_seconds=8 * 86400)
    with pytest.raises(DataValidationError, match="32 bytes"):
        CustomerTokens(b"short")


def test_the_local_secret_is_private_and_shared_by_workers_starting_together(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path)

    with ThreadPoolExecutor(8) as pool:
        signers = list(pool.map(lambda _: CustomerTokens.from_settings(settings), range(16)))

    token, _ = signers[0].issue("c1")
    assert all(signer.authenticate(token).customer_id == "c1" for signer in signers)
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary files left behind"


def test_a_configured_secret_must_be_strong() -> None:
    from llm4retail.errors import ConfigError

    with pytest.raises(ConfigError, match="token_secret"):
        get_settings(auth={"token_secret": "changethis"})


@pytest.mark.parametrize(
    ("principal", "asked", "expected"),
    [
        (Principal(Role.CUSTOMER, customer_id="c1"), None, "c1"),
        (Principal(Role.CUSTOMER, customer_id="c1"), "c1", "c1"),
        (Principal(Role.CUSTOMER, customer_id="c1"), "c2", PermissionDeniedError),
        (Principal(Role.ANONYMOUS), None, GUEST_PREFIX),
        (Principal(Role.ANONYMOUS), "c1", AuthenticationError),
        (Principal(Role.STAFF, key_id="k"), None, GUEST_PREFIX),
        (Principal(Role.STAFF, key_id="k"), "c1", PermissionDeniedError),
        (Principal(Role.ADMIN, key_id="k"), "c7", "c7"),
        (Principal(Role.ADMIN, key_id="k"), None, None),
    ],
)
def test_chat_identity(principal: Principal, asked: str | None, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            principal.chat_identity(asked)
    else:
        assert principal.chat_identity(asked) == expected


def test_levels_and_ownership() -> None:
    customer, staff = Principal(Role.CUSTOMER, customer_id="c1"), Principal(Role.STAFF, key_id="s")
    customer.require_owner("c1")
    staff.require_owner("c1")  # staff read everyone
    with pytest.raises(PermissionDeniedError):
        customer.require_owner("c2")
    with pytest.raises(PermissionDeniedError):
        staff.require_owner("c1", write=True)  # staff keys are read-only
    with pytest.raises(PermissionDeniedError):
        customer.require(Level.STAFF)
    with pytest.raises(AuthenticationError):
        Principal(Role.ANONYMOUS).require(Level.OWNER)

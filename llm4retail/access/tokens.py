"""Customer tokens: signed, expiring JWTs (HS256) that scope a caller to one customer.

The shop's backend, which knows who is signed in, asks for one with an admin key
(`POST /auth/customer-tokens`) and hands it to the shopper's page or app; on the demo store
`POST /auth/demo-login` issues one without a password. A token carries the customer id (`sub`),
the role and its expiry; nothing else, so it reveals nothing if read. It cannot be revoked one by
one: keep lifetimes short (default one hour) and change `auth.token_secret` to void them all.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import jwt

from llm4retail.access.roles import Principal, Role
from llm4retail.config import Settings
from llm4retail.errors import AuthenticationError, DataValidationError

ISSUER = "llm4retail"
ALGORITHM = "HS256"
SECRET_FILE = Path("secrets") / "token.key"  # under the data dir, when no secret is configured
MAX_TTL_SECONDS = 7 * 86400
SESSION_AUDIENCE = "console"


class CustomerTokens:
    """Issues and checks customer tokens.

    Args:
        secret: the HMAC key (at least 32 bytes).
        default_ttl_seconds: lifetime of a token when none is asked for.
    """

    def __init__(self, secret: bytes, *, default_ttl_seconds: int = 3600) -> None:
        if len(secret) < 32:
            raise DataValidationError("the token secret must be at least 32 bytes")
        self._secret = secret
        self.default_ttl_seconds = default_ttl_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> CustomerTokens:
        """Signing with `auth.token_secret`, else with a random key kept in `<data-dir>/secrets/token.key`
        (created on first use, readable by its owner only; shared by the workers of one machine)."""
        configured = settings.auth.token_secret
        secret = configured.get_secret_value().encode() if configured else _local_secret(settings.data_dir / SECRET_FILE)
        return cls(secret, default_ttl_seconds=settings.auth.token_ttl_seconds)

    def issue(self, customer_id: str, *, ttl_seconds: int | None = None) -> tuple[str, dt.datetime]:
        """A token for `customer_id` and when it expires (aware UTC).

        Raises:
            DataValidationError: an empty customer id or a lifetime outside 1 s .. 7 days.
        """
        ttl = self.default_ttl_seconds if ttl_seconds is None else ttl_seconds
        if not customer_id:
            raise DataValidationError("a customer token needs a customer id")
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise DataValidationError(f"ttl_seconds must be in 1..{MAX_TTL_SECONDS}, got {ttl}")
        now = dt.datetime.now(dt.UTC)
        expires = now + dt.timedelta(seconds=ttl)
        claims = {"sub": customer_id, "role": Role.CUSTOMER.label, "iss": ISSUER, "iat": now, "exp": expires}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), expires.replace(microsecond=0)

    def authenticate(self, token: str) -> Principal:
        """The customer principal of a presented token.

        Raises:
            AuthenticationError: a token that is malformed, forged, of another issuer or expired.
        """
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["sub", "exp", "iss", "role"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthenticationError("the customer token has expired; ask the shop for a new one") from error
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(f"invalid customer token: {error}") from error
        if claims.get("role") != Role.CUSTOMER.label or not isinstance(claims.get("sub"), str):
            raise AuthenticationError("invalid customer token: not a customer token")
        return Principal(Role.CUSTOMER, customer_id=claims["sub"])


    def issue_session(self, *, key_id: str, role: Role, ttl_seconds: int) -> str:
        """A console session for a staff or admin key (the web console's cookie): the key's id and role,
        for `audience` "console", so that it is never taken for a customer token (which has none)."""
        now = dt.datetime.now(dt.UTC)
        claims = {"sub": key_id, "role": role.label, "iss": ISSUER, "aud": SESSION_AUDIENCE, "iat": now,
                  "exp": now + dt.timedelta(seconds=ttl_seconds)}  # fmt: skip
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def read_session(self, session: str) -> tuple[str, Role]:
        """The key id and role of a console session.

        Raises:
            AuthenticationError: malformed, forged, expired, or not a console session.
        """
        try:
            claims = jwt.decode(
                session, self._secret, algorithms=[ALGORITHM], issuer=ISSUER, audience=SESSION_AUDIENCE,
                options={"require": ["sub", "exp", "iss", "role", "aud"]},
            )
            role = Role.parse(str(claims["role"]))
        except (jwt.InvalidTokenError, ValueError) as error:
            raise AuthenticationError(f"the console session is not valid ({error}); sign in again") from error
        if role < Role.STAFF or not isinstance(claims.get("sub"), str):
            raise AuthenticationError("not a console session; sign in again")
        return claims["sub"], role


def _local_secret(path: Path) -> bytes:
    """The key in `path`, created with 64 random hex characters (mode 0600) if missing. Creation is
    race-free: the key is written to a private temporary file and linked into place, so a worker never
    reads a half-written key and two workers starting together end with the same one."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_hex(32).encode())
    try:
        os.link(temporary, path)
    except FileExistsError:  # another worker linked its key first: use that one
        pass
    finally:
        temporary.unlink()
    return path.read_bytes()

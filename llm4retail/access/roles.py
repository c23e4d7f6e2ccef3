"""Roles, the access levels of routes, and the caller of a request (`Principal`).

Four roles, each allowed what the ones below it are:

- `anonymous`: no credentials; the catalog, search, product pages and guest chat;
- `customer`: a signed customer token; the above plus that one customer's own data;
- `staff`: an API key for read-only operators (analytics, hand-offs, conversations, forecasts);
- `admin`: an API key of the shop's backend or an administrator: writes, imports, tokens.

A route declares one `Level`; `docs/access.md` is the table of every route's level.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from llm4retail.errors import AuthenticationError, PermissionDeniedError

GUEST_PREFIX = "guest:"  # conversations of anonymous shoppers are bound to `guest:<random>`


class Role(IntEnum):
    """Who is calling; a higher role may do what a lower one may (except read another customer's data)."""

    ANONYMOUS = 0
    CUSTOMER = 1
    STAFF = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        """The lower-case name used in keys, tokens and docs."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        """The role named `value` (`staff`, `admin`, ...)."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(role.label for role in cls)
            raise ValueError(f"unknown role '{value}'; expected one of: {names}") from None


class KeyRole(StrEnum):
    """The roles an API key can carry (customers get tokens, not keys)."""

    STAFF = "staff"
    ADMIN = "admin"

    @property
    def role(self) -> Role:
        """The role of a key of this kind."""
        return Role.parse(self.value)


class Level(StrEnum):
    """What a route requires of its caller."""

    PUBLIC = "public"  # anyone, also without credentials
    OWNER = "owner"  # the customer the data belongs to (token), staff for reads, admin
    STAFF = "staff"  # staff or admin
    ADMIN = "admin"  # admin only


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request.

    Attributes:
        role: what the caller is.
        customer_id: the customer of a customer token (None for every other role).
        key_id: the API key's id, `bootstrap` for a key from `LLM4RETAIL_API_KEYS`, None otherwise.
    """

    role: Role
    customer_id: str | None = None
    key_id: str | None = None

    @property
    def subject(self) -> str:
        """A label for logs and rate limits: `key:<id>`, `customer:<id>` or `anonymous`."""
        if self.key_id is not None:
            return f"key:{self.key_id}"
        if self.customer_id is not None:
            return f"customer:{self.customer_id}"
        return "anonymous"

    def require(self, level: Level, *, write: bool = False) -> None:
        """Raises unless the caller may use a route of `level` (ownership is checked by `require_owner`).

        Raises:
            AuthenticationError: an anonymous caller on a route that needs credentials.
            PermissionDeniedError: a known caller whose role is below the route's.
        """
        if level is Level.PUBLIC:
            return
        if self.role is Role.ANONYMOUS:
            raise AuthenticationError(
                "this route needs credentials: an API key (X-API-Key) or a customer token (Authorization: Bearer)"
            )
        needed = {Level.OWNER: Role.CUSTOMER, Level.STAFF: Role.STAFF, Level.ADMIN: Role.ADMIN}[level]
        if level is Level.OWNER and write and self.role is Role.STAFF:
            needed = Role.ADMIN  # staff keys are read-only
        if self.role < needed:
            raise PermissionDeniedError(f"this route needs the {needed.label} role; the caller is {self.role.label}")

    def require_owner(self, customer_id: str, *, write: bool = False) -> None:
        """Raises unless the caller may read (or, with `write`, change) the data of `customer_id`.

        Raises:
            AuthenticationError: anonymous.
            PermissionDeniedError: a customer asking for another customer, or staff asking to write.
        """
        self.require(Level.OWNER, write=write)
        if self.role is Role.CUSTOMER and self.customer_id != customer_id:
            raise PermissionDeniedError("a customer token reaches only its own customer's data")

    def chat_identity(self, asked: str | None) -> str | None:
        """Whom the caller chats as: a customer token as its customer; an admin key (the shop's backend,
        vouching) as the customer it names, or None (any conversation; a new one is a guest's); everyone
        else as a guest (`GUEST_PREFIX`: no order data, guest conversations only).

        Raises:
            AuthenticationError: an anonymous caller naming a customer.
            PermissionDeniedError: a customer naming another customer, or a staff key naming one.
        """
        if self.role is Role.CUSTOMER:
            if asked is not None and asked != self.customer_id:
                raise PermissionDeniedError("a customer token chats only as its own customer")
            return str(self.customer_id)
        if self.role is Role.ADMIN:
            return asked
        if asked is None:
            return GUEST_PREFIX
        self.require(Level.ADMIN)  # anonymous: 401, staff: 403
        raise AssertionError("unreachable")  # pragma: no cover

    def reader_identity(self) -> str | None:
        """Whose conversations the caller may read: None (all) for staff and admin, the token's customer,
        or `GUEST_PREFIX` (guest conversations, by their unguessable id) for anonymous callers."""
        if self.sees_everyone:
            return None
        return self.customer_id if self.role is Role.CUSTOMER else GUEST_PREFIX

    @property
    def sees_everyone(self) -> bool:
        """Staff and admin read every customer's data; a customer only its own."""
        return self.role >= Role.STAFF


ANONYMOUS = Principal(Role.ANONYMOUS)

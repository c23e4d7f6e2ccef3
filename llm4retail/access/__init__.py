"""Access control: roles, API keys (stored hashed) and customer tokens. See docs/access.md."""

from llm4retail.access.control import AccessControl, CustomerToken
from llm4retail.access.keys import ApiKey, KeyRing
from llm4retail.access.roles import ANONYMOUS, GUEST_PREFIX, KeyRole, Level, Principal, Role
from llm4retail.access.tokens import CustomerTokens

__all__ = [
    "ANONYMOUS", "AccessControl", "CustomerToken", "GUEST_PREFIX", "ApiKey", "CustomerTokens", "KeyRing", "KeyRole", "Level", "Principal", "Role",
]

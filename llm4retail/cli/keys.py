"""`llm4retail keys create|list|rotate|revoke|token|routes`: API keys (stored hashed), customer tokens, the access table."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from llm4retail.access import ApiKey, KeyRole
from llm4retail.cli.common import JsonOption, capability, echo_json, services
from llm4retail.errors import DataValidationError

keys_app = capability("keys")
commands = typer.Typer()
commands.add_typer(keys_app)

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
ExpiresOption = Annotated[
    str | None, typer.Option("--expires-in", help="Lifetime such as 90d, 12h or 2w; unset = no expiry.")
]


def parse_duration(text: str | None) -> dt.timedelta | None:
    """`90d`, `12h`, `30m`, `2w`, `45s` as a timedelta (None for None).

    Raises:
        DataValidationError: any other text.
    """
    if text is None:
        return None
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise DataValidationError(f"a duration is a positive number and a unit (s, m, h, d, w), e.g. 90d; got '{text}'")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _row(key: ApiKey) -> dict[str, str | None]:
    return key.model_dump(mode="json")


def _show(key: ApiKey, secret: str | None, *, as_json: bool) -> None:
    if as_json:
        echo_json(_row(key) | ({"key": secret} if secret else {}))
        return
    expiry = key.expires_at.isoformat(timespec="seconds") if key.expires_at else "never"
    typer.echo(f"key {key.key_id} ({key.role.value}, '{key.name}', expires {expiry})")
    if secret:
        typer.echo(secret)
        typer.echo("Store it now: only its hash is kept. Send it as the X-API-Key header.", err=True)


@keys_app.command("create")
def create(
    context: typer.Context,
    name: Annotated[str, typer.Option(help="Who or what uses the key, e.g. 'storefront backend'.")],
    role: Annotated[KeyRole, typer.Option(help="admin: writes, imports, tokens; staff: read-only operators.")] = KeyRole.STAFF,
    expires_in: ExpiresOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key; prints it once (the store keeps only its SHA-256)."""
    key, secret = services(context).access.keys.create(name=name, role=role, expires_in=parse_duration(expires_in))
    _show(key, secret, as_json=as_json)


@keys_app.command("list")
def list_keys(
    context: typer.Context,
    all_keys: Annotated[bool, typer.Option("--all", help="Include revoked and expired keys.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The managed keys, newest first (never their secrets)."""
    keys = services(context).access.keys.list(include_inactive=all_keys)
    if as_json:
        echo_json({"keys": [_row(key) for key in keys]})
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    typer.echo(f"{'key id':<14}{'role':<7}{'state':<9}{'created':<21}{'expires':<21}name")
    for key in keys:
        state = "active" if key.active(now) else ("revoked" if key.revoked_at else "expired")
        expires = key.expires_at.isoformat(timespec="seconds") if key.expires_at else "never"
        typer.echo(f"{key.key_id:<14}{key.role.value:<7}{state:<9}{key.created_at.isoformat(timespec='seconds'):<21}"
                   f"{expires:<21}{key.name}")


@keys_app.command("rotate")
def rotate(
    context: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key to replace.")],
    grace: ExpiresOption = None,
    as_json: JsonOption = False,
) -> None:
    """A new key with the same name, role and lifetime; the old one stops working now (or after --grace)."""
    key, secret = services(context).access.keys.rotate(key_id, grace=parse_duration(grace) or dt.timedelta(0))
    _show(key, secret, as_json=as_json)


@keys_app.command("revoke")
def revoke(
    context: typer.Context, key_id: Annotated[str, typer.Argument(help="The key to revoke.")], as_json: JsonOption = False
) -> None:
    """Stop a key from working (every server notices within auth.key_cache_seconds)."""
    key = services(context).access.keys.revoke(key_id)
    _show(key, None, as_json=as_json)


@keys_app.command("token")
def token(
    context: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The signed-in customer.")],
    ttl_seconds: Annotated[int | None, typer.Option(min=60, help="Lifetime (default auth.token_ttl_seconds).")] = None,
    as_json: JsonOption = False,
) -> None:
    """A customer token (what POST /auth/customer-tokens issues), e.g. to try the customer routes."""
    issued = services(context).access.customer_token(customer_id, ttl_seconds=ttl_seconds)
    if as_json:
        echo_json(issued.model_dump(mode="json"))
        return
    typer.echo(issued.token)


@keys_app.command("routes")
def routes(context: typer.Context) -> None:
    """The route × role table of the API (Markdown; docs/access.md shows it)."""
    from llm4retail.api.access_table import markdown_table
    from llm4retail.api.app import create_app

    typer.echo(markdown_table(create_app(services(context).settings)), nl=False)

"""`voicepipe keys`: make API keys for tenants.

The server never holds a key, only its hash, so a key is shown exactly once: here.
"""

from __future__ import annotations

import click

from shared.settings.auth import TENANT_PATTERN


def _tenant(_: click.Context, __: click.Parameter, value: str) -> str:
    if not TENANT_PATTERN.fullmatch(value):
        raise click.BadParameter(
            "lower-case letters, digits, '-' and '_', starting with a letter or digit, "
            "at most 63 characters"
        )
    return value


@click.group()
def keys() -> None:
    """Manage API keys (each key belongs to one tenant)."""


@keys.command()
@click.option("--tenant", required=True, callback=_tenant, help="The tenant the key acts for.")
def create(tenant: str) -> None:
    """Make a new key: print it once, with the hash entry the server needs."""
    from api.security import generate_key, key_entry  # FastAPI is slow to import

    key = generate_key()
    click.echo(f"API key for tenant {tenant!r}; it is shown only now, store it safely:")
    click.echo(f"  {key}")
    click.echo("Add this entry to VOICEPIPE_AUTH__KEYS on the server (comma-separated):")
    click.echo(f"  {key_entry(tenant, key)}")
    click.echo(
        "Clients send 'Authorization: Bearer <key>' (or 'X-API-Key: <key>'); the voicepipe "
        "CLI reads VOICEPIPE_CLIENT__API_KEY."
    )

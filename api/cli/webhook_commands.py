"""`voicepipe webhooks`: make signing secrets for tenants' webhook events."""

from __future__ import annotations

import click

from api.cli.key_commands import _tenant
from shared.webhook_signing import new_secret


@click.group()
def webhooks() -> None:
    """Manage webhook signing secrets (Standard Webhooks, one or two per tenant)."""


@webhooks.command()
@click.option("--tenant", required=True, callback=_tenant, help="The tenant whose events it signs.")
def secret(tenant: str) -> None:
    """Make a new signing secret: print it, with the entry the server needs."""
    value = new_secret()
    click.echo(f"Webhook signing secret for tenant {tenant!r}; give it to the receiver:")
    click.echo(f"  {value}")
    click.echo("Add this entry to VOICEPIPE_WEBHOOKS__SECRETS on the server (comma-separated):")
    click.echo(f"  {tenant}:{value}")
    click.echo(
        "To rotate, put the new entry first and keep the old one until every receiver has "
        "the new secret: events are signed with both meanwhile."
    )

from __future__ import annotations

import click

from xeco.cli import Commands
from xeco.services import outbox as service


@click.group(cls=Commands, help="Background jobs recorded in the database.")
def outbox():
    pass


@outbox.command("relay")
def relay():
    """Publish jobs that could not reach the broker when they were recorded."""
    sent = service.relay_pending()
    click.echo(f"published {sent} job(s)")

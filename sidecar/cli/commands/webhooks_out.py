"""`ojt-sidecar webhooks log`: the delivery log of the events sent to other systems
(docs/outgoing-webhooks.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.cli.output import table


@click.group("webhooks")
def webhooks() -> None:
    """Events sent to other systems (the `webhooks` section)."""


@webhooks.command("log")
@CONFIG_OPTION
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per delivery.")
def log(config_path: Path, limit: int, as_json: bool) -> None:
    """The latest deliveries, newest first: event, receiver, state, attempts, last answer."""
    from sqlalchemy import select

    from sidecar.store.bootstrap import open_store
    from sidecar.store.models import WebhookDelivery, WebhookEvent

    store = open_store(load_or_exit(config_path), reconcile=False)
    try:
        with store.sessions() as session:
            rows = session.execute(
                select(WebhookEvent, WebhookDelivery)
                .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
                .order_by(WebhookDelivery.id.desc())
                .limit(limit)
            ).all()
            found = [
                {
                    "created": event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "type": event.type,
                    "id": event.id,
                    "receiver": delivery.url,
                    "state": delivery.state,
                    "attempts": delivery.attempts,
                    "last": delivery.last_error or delivery.last_status,
                }
                for event, delivery in rows
            ]
    finally:
        store.close()
    if as_json:
        for row in found:
            click.echo(json.dumps(row))
    elif not found:
        click.echo("no webhook deliveries yet")
    else:
        headers = list(found[0])
        click.echo(table(headers, [[row[h] for h in headers] for row in found]))

"""Posting webhook events to their receivers: JSON bodies `{type, timestamp, data}` signed as
Standard Webhooks asks (`webhook-id`, `webhook-timestamp`, `webhook-signature`, by the
`standardwebhooks` library), a 2xx answer delivers; anything else waits 30 s, doubling to an
hour, and fails after `MAX_ATTEMPTS`. An attempt is counted and committed before it is sent, so
a crash never makes one more than counted; a receiver may still see a message twice (a lost
answer), and tells the second by its `webhook-id`, as Standard Webhooks says receivers do."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from sidecar.config import Config
from sidecar.store.models import WebhookDelivery, WebhookEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
TIMEOUT = 10.0  # seconds for a receiver to answer
Post = Callable[[str, bytes, dict[str, str]], int]  # url, body, headers -> HTTP status


@dataclass
class SendReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def send_due(
    sessions: sessionmaker[Session],
    cfg: Config,
    clock: Callable[[], datetime],
    *,
    sender: Post = post,
    limit: int = 200,
) -> SendReport:
    report = SendReport()
    secrets = {hook.url: hook.secret for hook in cfg.webhooks}
    with sessions() as session:
        due = list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= clock()
                )
                .order_by(WebhookDelivery.id)
                .limit(limit)
            )
        )
    for delivery_id in due:
        with sessions() as session:
            _one(session, delivery_id, secrets, clock, sender, report)
    return report


def _one(
    session: Session,
    delivery_id: int,
    secrets: Mapping[str, SecretStr | None],
    clock: Callable[[], datetime],
    sender: Post,
    report: SendReport,
) -> None:
    row = session.get(WebhookDelivery, delivery_id)
    event = session.get(WebhookEvent, row.event_id) if row is not None else None
    if row is None or event is None or row.state != "pending":
        return
    secret = secrets.get(row.url)
    if secret is None:
        row.state, row.last_error = "failed", "this receiver is no longer in the config"
        session.commit()
        report.failed += 1
        return
    now = clock()
    row.attempts += 1
    session.commit()  # counted before it is sent
    body = json.dumps(
        {"type": event.type, "timestamp": now.isoformat(), "data": event.payload},
        separators=(",", ":"),
    )
    headers = {
        "content-type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret.get_secret_value()).sign(event.id, now, body),
        "user-agent": "ojt-sidecar",
    }
    try:
        status, error = sender(row.url, body.encode(), headers), None
    except (OSError, ValueError) as exc:
        status, error = None, str(exc) or exc.__class__.__name__
    _record(row, status, error, now, report)
    session.commit()


def _record(
    row: WebhookDelivery, status: int | None, error: str | None, now: datetime, report: SendReport
) -> None:
    row.last_status, row.last_error = status, error
    if status is not None and 200 <= status < 300:
        row.state, row.delivered_at = "delivered", now
        report.delivered += 1
    elif row.attempts >= MAX_ATTEMPTS:
        row.state = "failed"
        report.failed += 1
        log.warning("webhook to %s failed for good after %s attempts", row.url, row.attempts)
    else:
        wait = min(FIRST_WAIT * 2 ** (row.attempts - 1), LONGEST_WAIT)
        row.next_attempt_at = now + wait
        report.retrying += 1

"""Deliver the outbox to Odoo: each row exactly once, whatever fails in between.

For every due row, in the order they were added:
1. wait until the rows it refers to (`$ref`) are delivered;
2. if an earlier attempt was sent (`attempts > 0`), run its lookup first: what that attempt made
   is adopted, not made again. If it finds nothing while that attempt may still be running
   inside Odoo (`in_doubt_until`: sent less than `odoo.longest_request_seconds` ago, and no
   answer came), wait until it cannot be: a lookup cannot see a write not yet committed;
3. count the attempt, mark it in doubt and commit, *then* send: a crash after sending is seen
   as an attempt;
4. record the answer; a definite one (done, or refused before anything was applied) ends the
   doubt. An error Odoo can get over (down, slow, 5xx, lost answer) reschedules the
   row with backoff, forever; an error it cannot (refused data, missing record, no right) fails
   the row for a person to look at, and the rows that depend on it with it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from connectors.calls import named_args
from connectors.errors import OdooError
from jobs.context import JobContext
from sidecar import notifications
from sidecar.certificates.status_publishing import publish_status_list
from sidecar.config import Config
from sidecar.outbox import CANCELLED, DELIVERED, FAILED, FILE_B64, PENDING, REF, refs_in
from sidecar.store.models import Notification, OutboxMessage

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=30)


class _Unresolvable(Exception):
    """A placeholder cannot be resolved (missing file): the row can never be sent."""


def _named(row: OutboxMessage) -> tuple[Any, dict[str, Any]]:
    """The row's ids and named parameters; a row stored positionally by an older sidecar is
    named by the connector's table, so an upgrade delivers what was queued before it."""
    stored = row.args
    if "params" in stored:
        return stored.get("ids"), dict(stored["params"])
    try:
        return named_args(row.method, stored.get("args", []), stored.get("kwargs", {}))
    except ValueError as exc:
        raise _Unresolvable(f"a write queued by an older ojt-sidecar: {exc}") from None


@dataclass
class DeliveryReport:
    delivered: int = 0
    adopted: int = 0  # found in Odoo from an earlier attempt instead of sent again
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # blocked on a row they refer to
    held: int = 0  # notifications kept for the end of quiet hours
    errors: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.delivered + self.adopted + self.retrying + self.failed


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 30 min: an outage of hours costs a few calls an hour."""
    step = FIRST_BACKOFF * (2 ** max(0, attempts - 1))
    return min(step, MAX_BACKOFF)


def due_rows(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver(ctx: JobContext, *, limit: int = 500) -> DeliveryReport:
    """Deliver up to `limit` due rows, whoever queued them (certificates, enrollment, reviews);
    safe to run again at any time, and to interrupt. Not yet safe for two processes at once:
    the service's job lease must keep a second deliverer out. Ends by refreshing the signed
    revocation status list (`publish_status_list`)."""
    report = DeliveryReport()
    with ctx.sessions() as session:
        ids = [row.id for row in due_rows(session, ctx.clock(), limit)]
    for row_id in ids:
        if ctx.should_stop():
            break
        with ctx.sessions() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.state != PENDING:
                continue
            held = _quiet_until(session, ctx.cfg, row, ctx.clock())
            if held is not None:
                row.next_attempt_at = held
                session.commit()
                report.held += 1
                continue
            doubt = timedelta(seconds=ctx.cfg.odoo.longest_request_seconds)
            _deliver_one(session, ctx.client, row, ctx.files, ctx.clock, doubt, report)
    with ctx.sessions() as session:
        # Every cycle, so a revocation (by the issue job, the CLI, anyone) is in the status list
        # the verify site serves within one cycle; a no-op while the revoked set is unchanged.
        publish_status_list(ctx.cfg, session, ctx.clock())
    return report


def _quiet_until(
    session: Session, cfg: Config, row: OutboxMessage, now: datetime
) -> datetime | None:
    """When a notification falls due inside its recipient's quiet hours (queued before them, or
    late after an outage), the end of those hours; None for every other row."""
    quiet = cfg.notifications.quiet_hours
    if quiet is None or not row.key.startswith(notifications.PREFIX):
        return None
    tz = session.scalar(select(Notification.tz).where(Notification.key == row.key))
    return notifications.quiet_until(
        now, quiet.start, quiet.end, notifications.zone(tz, cfg.notifications.timezone)
    )


def _deliver_one(
    session: Session,
    client: OdooClient,
    row: OutboxMessage,
    files_root: Path,
    clock: Callable[[], datetime],
    doubt: timedelta,
    report: DeliveryReport,
) -> None:
    results, blocker = _dependencies(session, row)
    if blocker is not None:
        if blocker.state in (FAILED, CANCELLED):
            _fail(session, row, f"it needs {blocker.key!r}, which {blocker.state}", report)
        else:
            report.waiting += 1
        return
    try:
        ids, params = _named(row)
        ids = _resolve(ids, results, files_root)
        params = _resolve(params, results, files_root)
        lookup = _resolve(row.lookup, results, files_root) if row.lookup else None
    except _Unresolvable as exc:
        _fail(session, row, str(exc), report)
        return

    if row.attempts > 0 and lookup is not None:
        try:
            found = client.search(lookup["model"], lookup["domain"], limit=1, order="id asc")
        except OdooError as exc:
            _reschedule(session, row, clock(), exc, report)
            return
        if found:
            _delivered(session, row, found[0], clock())
            report.adopted += 1
            log.info("outbox %s: found in Odoo from an earlier attempt (id %s)", row.key, found[0])
            return
        if row.in_doubt_until is not None and clock() < row.in_doubt_until:
            _await_doubt(session, row, report)
            return

    row.attempts += 1
    row.last_attempt_at = clock()
    row.in_doubt_until = row.last_attempt_at + doubt
    session.commit()  # from here on, a crash or a lost answer means "maybe sent"

    try:
        result = client.call(row.model, row.method, ids=ids, **params)
    except OdooError as exc:
        if not exc.may_have_applied:
            row.in_doubt_until = None  # refused before anything was applied
        if exc.retryable or exc.may_have_applied:
            _reschedule(session, row, clock(), exc, report)
        else:
            _fail(session, row, str(exc), report)
        return
    _delivered(session, row, _result_id(result), clock())
    report.delivered += 1


def _dependencies(
    session: Session, row: OutboxMessage
) -> tuple[dict[str, int | None], OutboxMessage | None]:
    keys = sorted(set(refs_in([row.args, row.lookup])))
    if not keys:
        return {}, None
    found = {
        dep.key: dep
        for dep in session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(keys)))
    }
    results: dict[str, int | None] = {}
    for key in keys:
        dep = found.get(key)
        if dep is None:
            # A reference to a row that was never queued can never resolve.
            stub = OutboxMessage(key=key, state=FAILED)
            return results, stub
        if dep.state != DELIVERED:
            return results, dep
        results[key] = dep.result_id
    return results, None


def _resolve(value: Any, results: dict[str, int | None], files_root: Path) -> Any:
    if isinstance(value, dict):
        if set(value) == {REF}:
            return results[value[REF]]
        if set(value) == {FILE_B64}:
            path = (files_root / str(value[FILE_B64])).resolve()
            if not path.is_relative_to(files_root.resolve()):
                raise _Unresolvable(f"file {value[FILE_B64]!r} is outside {files_root}")
            try:
                return base64.b64encode(path.read_bytes()).decode("ascii")
            except OSError as exc:
                raise _Unresolvable(f"cannot read {path}: {exc.strerror or exc}") from exc
        return {k: _resolve(v, results, files_root) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(v, results, files_root) for v in value]
    return value


def _result_id(result: Any) -> int | None:
    # create → id; message_post → id (Odoo 19: [id]); create of a list → [ids]; write → True.
    if isinstance(result, bool):
        return None
    if isinstance(result, int):
        return result
    if isinstance(result, list) and result and isinstance(result[0], int):
        return int(result[0])
    return None


def _delivered(session: Session, row: OutboxMessage, result_id: int | None, now: datetime) -> None:
    row.state = DELIVERED
    row.in_doubt_until = None
    row.result_id = result_id
    row.delivered_at = now
    row.last_error = None
    session.commit()


def _reschedule(
    session: Session, row: OutboxMessage, now: datetime, exc: OdooError, report: DeliveryReport
) -> None:
    row.next_attempt_at = now + backoff(max(row.attempts, 1))
    row.last_error = str(exc)[:2000]
    session.commit()
    report.retrying += 1
    log.warning("outbox %s: %s; will try again at %s", row.key, exc, row.next_attempt_at)


def _await_doubt(session: Session, row: OutboxMessage, report: DeliveryReport) -> None:
    """Not found, but the attempt may still land: look again once it no longer can."""
    assert row.in_doubt_until is not None
    row.next_attempt_at = row.in_doubt_until
    session.commit()
    report.retrying += 1
    log.info(
        "outbox %s: not in Odoo yet, but the attempt sent at %s may still be running there; "
        "looking again at %s",
        row.key,
        row.last_attempt_at,
        row.in_doubt_until,
    )


def _fail(session: Session, row: OutboxMessage, reason: str, report: DeliveryReport) -> None:
    row.state = FAILED
    row.last_error = reason[:2000]
    session.commit()
    report.failed += 1
    report.errors.append(f"{row.summary or row.key}: {reason}")
    log.error("outbox %s failed: %s", row.key, reason)

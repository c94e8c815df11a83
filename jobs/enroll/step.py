"""What every enrollment step shares: the step's context (`Step`), what the steps did
(`Outcome`), and queuing, finding and waiting on the step's outbox writes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.enroll.context import EnrollContext
from sidecar.outbox import DELIVERED, PENDING, Write, enqueue
from sidecar.outbox import row_of as outbox
from sidecar.statuses import EnrollmentState
from sidecar.store.models import Enrollment, OutboxMessage

log = logging.getLogger("ojt_sidecar.enroll")


@dataclass
class Outcome:
    """What the steps did, for the cycle's report."""

    enrolled: list[str] = field(default_factory=list)
    awaiting_review: list[str] = field(default_factory=list)
    left_stage: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    queued: list[Write] = field(default_factory=list)


@dataclass
class Step:
    """Everything a step needs besides the row: Odoo, the resolved config, today's date."""

    client: OdooClient
    ctx: EnrollContext
    today: date
    outcome: Outcome
    domain_ok: dict[int, bool] = field(default_factory=dict)  # applicant -> matches the rule


def queue(step: Step, session: Session, write: Write) -> OutboxMessage:
    message = enqueue(session, write)
    step.outcome.queued.append(write)
    return message


def waiting_on(step: Step, session: Session, row: Enrollment, keys: list[str]) -> str | None:
    """'wait' while a row is pending, 'failed' (with the row's reason) when one gave up, or
    None when all are delivered."""
    for key in keys:
        message = outbox(session, key)
        if message is None or message.state == PENDING:
            return "wait"
        if message.state != DELIVERED:
            fail(step, row, f"{message.summary or key}: {message.last_error or message.state}")
            return "failed"
    return None


def fail(step: Step, row: Enrollment, reason: str) -> bool:
    row.state, row.reason = EnrollmentState.FAILED, reason
    step.outcome.failed.append(f"{row.subject}: {reason}")
    log.error("%s: enrollment failed: %s", row.subject, reason)
    return False

"""One notification cycle (docs/notifications.md): decide from the store what each trainee and
mentor is due, read from Odoo only who the recipients are, then record every decision and queue
its message in the outbox, in one transaction. Delivery is the deliverer's: each message is
posted once, on the recipient's contact, as a comment e-mailed to them by Odoo."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from connectors.errors import OdooError
from jobs.context import JobContext
from jobs.notify.decide import Decision, ProgramDecider
from jobs.notify.digest import ProgramDigest, mentors_of, program_digest
from jobs.notify.facts import opted_out, program_facts
from jobs.notify.mentors import digest_decisions
from jobs.notify.queue import Recipients, queue
from jobs.notify.report import NotifyReport
from jobs.odoo import contacts, events
from sidecar.store.models import Program

log = logging.getLogger(__name__)


class NotifyJob:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.cfg

    def run(self) -> NotifyReport:
        report = NotifyReport()
        if not self.cfg.notifications.enabled:
            report.skipped = "notifications are off (notifications.enabled)"
            return report
        now = self.ctx.clock()
        decisions, digests = self._decide(now)
        if self.ctx.should_stop():
            return report
        decisions.extend(self._digests(digests, now))
        recipients = Recipients.read(self.ctx.client, self.cfg, decisions)
        with self.ctx.sessions() as session:
            queue(session, self.cfg, decisions, recipients, now, report)
            session.commit()
        return report

    def _decide(self, now: datetime) -> tuple[list[Decision], list[tuple[Any, ProgramDigest]]]:
        settings = {p.key: p for p in self.cfg.programs}
        decisions: list[Decision] = []
        digests: list[tuple[Any, ProgramDigest]] = []
        with self.ctx.sessions() as session:
            opted = opted_out(session)
            programs = session.scalars(select(Program).where(Program.active.is_(True))).all()
            for program in programs:
                configured = settings.get(program.key)
                if configured is None:
                    continue
                facts = program_facts(session, program)
                decider = ProgramDecider(facts, configured, self.cfg.notifications, now, opted)
                decisions.extend(decider.decisions())
                if configured.notifications.digest:
                    digest = program_digest(session, facts, configured, self.cfg.notifications, now)
                    digests.append((configured, digest))
        return decisions, digests

    def _digests(self, digests: list[tuple[Any, ProgramDigest]], now: datetime) -> list[Decision]:
        """The mentors' digests: who they are is asked of Odoo (the program's responsible user,
        each batch event's), once per run; a failure there skips the digest this run only."""
        if not digests:
            return []
        try:
            events_of = sorted({e for _, d in digests for e in d.events.values()})
            event_users = events.responsibles(self.ctx.client, events_of)
            per_user: dict[int, list[tuple[Any, ProgramDigest, list[int]]]] = {}
            for configured, digest in digests:
                responsible = None
                if configured.responsible_user is not None:
                    responsible = contacts.user_by_login_or_name(
                        self.ctx.client, configured.responsible_user
                    )
                for user, batch_ids in mentors_of(responsible, digest, event_users).items():
                    per_user.setdefault(user, []).append((configured, digest, batch_ids))
            return digest_decisions(self.ctx.client, self.cfg, per_user, now)
        except OdooError as exc:
            log.warning("notifications: the mentors' digest waits for the next run: %s", exc)
            return []

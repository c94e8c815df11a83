"""Notifications through Odoo (docs/notifications.md): `NotifyJob(ctx).run()` decides what
trainees and mentors are due and queues each message once in the outbox."""

from jobs.notify.report import NotifyReport
from jobs.notify.runner import NotifyJob

__all__ = ["NotifyJob", "NotifyReport"]

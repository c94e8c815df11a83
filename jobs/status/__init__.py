"""A trainee's status where Odoo users already look (docs/status-in-odoo.md): a tag per program on
the contact, and (opt-in, Odoo 17+) `OJT progress %` and `OJT status` on the applicant. Run by
the sync after its recompute; every write goes through the outbox."""

from jobs.status.step import StatusReport, show_statuses

__all__ = ["StatusReport", "show_statuses"]

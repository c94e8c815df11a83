"""What each scheduled job does: one cycle of an existing job, and a one-line summary of it.

Every body takes the same context and is safe to interrupt through `should_stop` (asked
between pages, rows and deliveries) and to run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jobs.context import JobContext

# The order `run --once` follows, and the order of the config's `schedules`.
ONCE_ORDER = ("enroll", "sync", "issue", "notify", "deliver", "reconcile")

# The leases a job takes besides its own: jobs that deliver the outbox exclude one another (two
# deliverers at once could both send a row), and so do the jobs that write the Odoo mirrors.
SHARED_LEASES: dict[str, tuple[str, ...]] = {
    "enroll": ("outbox",),
    "issue": ("outbox",),
    # `notifications send` delivers what it queued
    "notify": ("outbox",),
    "deliver": ("outbox",),
    "sync": ("mirrors",),
    "reconcile": ("mirrors",),
    # `scores import` and `submit`: they write the sync's assignment rows, and deliver
    "scores": ("outbox", "mirrors"),
    "submit": ("outbox", "mirrors"),
    # `hooks install`: it delivers the rules it queues
    "hooks": ("outbox",),
}


@dataclass(frozen=True)
class ServiceRun:
    """One scheduled run of a job: the context every job takes, and whether it is `run --once`
    (which runs reconcile only when due)."""

    ctx: JobContext
    once: bool = False


@dataclass
class JobResult:
    summary: str  # one line, for the job run and the log
    result: object  # the job's own report, for metrics


def leases_for(job: str) -> tuple[str, ...]:
    return (job, *SHARED_LEASES.get(job, ()))


def run_enroll(run: ServiceRun) -> JobResult:
    from jobs.enroll import run_enroll_cycle

    report = run_enroll_cycle(run.ctx)
    parts = [
        f"{report.listed} applicant(s) listed",
        f"{len(report.started)} started",
        f"{len(report.enrolled)} enrolled",
        f"{len(report.awaiting_review)} awaiting review",
        f"{report.delivered} write(s) delivered",
    ]
    if report.failed or report.delivery_errors:
        parts.append(f"{len(report.failed) + len(report.delivery_errors)} failed")
    return JobResult(", ".join(parts), report)


def run_sync(run: ServiceRun) -> JobResult:
    from jobs.sync.runner import SyncJob

    summary = SyncJob(run.ctx).run()
    total = summary.total
    text = (
        f"{total.read} row(s) read, {total.changed} changed; "
        f"{summary.recomputed.students_created} student(s) created, "
        f"{summary.recomputed.students_updated} updated"
    )
    if summary.interrupted:
        text += "; stopped early, the next cycle resumes there"
    return JobResult(text, summary)


def run_reconcile(run: ServiceRun) -> JobResult:
    from jobs.sync.runner import SyncJob

    job = SyncJob(run.ctx)
    if run.once:
        result = job.reconcile_if_due()
        if result is None:
            return JobResult("not due yet", None)
    else:
        result = job.reconcile()
    removed = sum(c.removed for c in result.streams.values())
    restored = sum(c.updated for c in result.streams.values())
    return JobResult(f"{removed} row(s) deleted in Odoo marked, {restored} restored", result)


def run_issue(run: ServiceRun) -> JobResult:
    from jobs.issue.runner import IssueJob

    report = IssueJob(run.ctx).run()
    text = (
        f"{len(report.issued)} certificate(s) issued, {len(report.flagged)} review(s) raised, "
        f"{report.certified} student(s) certified"
    )
    if report.delivery is not None:
        text += f", {_delivery_text(report.delivery)}"
    return JobResult(text, report)


def run_notify(run: ServiceRun) -> JobResult:
    from jobs.notify import NotifyJob

    report = NotifyJob(run.ctx).run()
    if report.skipped:
        return JobResult(report.skipped, report)
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.queued.items()))
    text = f"{report.total} notification(s) queued" + (f" ({kinds})" if kinds else "")
    if report.held:
        text += f", {report.held} held for quiet hours"
    if report.opted_out:
        text += f", {report.opted_out} not sent (opted out)"
    return JobResult(text, report)


def run_deliver(run: ServiceRun) -> JobResult:
    from jobs.deliver import deliver
    from jobs.issue.runner import IssueJob

    report = deliver(run.ctx)
    certified = IssueJob(run.ctx).finish_delivered()
    text = f"{_delivery_text(report)}; {certified} student(s) certified"
    if run.ctx.cfg.webhooks:
        text += f"; {_webhooks(run)}"
    return JobResult(text, report)


def _webhooks(run: ServiceRun) -> str:
    """Events for other systems (docs/outgoing-webhooks.md): found in the store, then sent,
    under the deliverer's lease like every other write that leaves the sidecar."""
    from jobs.webhooks_out import announce, send_due

    ctx = run.ctx
    with ctx.sessions() as session, session.begin():
        made = announce(session, ctx.cfg, ctx.clock())
    sent = send_due(ctx.sessions, ctx.cfg, ctx.clock)
    text = f"webhooks: {made} event(s), {sent.delivered} delivered"
    if sent.retrying or sent.failed:
        text += f", {sent.retrying} to retry, {sent.failed} failed"
    return text


def _delivery_text(report: object) -> str:
    from jobs.deliver import DeliveryReport

    assert isinstance(report, DeliveryReport)
    text = f"{report.delivered} write(s) delivered, {report.adopted} adopted"
    if report.retrying:
        text += f", {report.retrying} to retry"
    if report.failed:
        text += f", {report.failed} failed"
    return text


BODIES: dict[str, Callable[[ServiceRun], JobResult]] = {
    "enroll": run_enroll,
    "sync": run_sync,
    "issue": run_issue,
    "notify": run_notify,
    "deliver": run_deliver,
    "reconcile": run_reconcile,
}

"""`ojt-sidecar sync`: one cycle, with progress on a terminal and a summary at the end."""

from __future__ import annotations

from collections.abc import Callable

from sidecar.cli.commands.jobs_at_hand import job_context
from sidecar.cli.output import ProgressLine, table
from sidecar.config import Config

Echo = Callable[[str], None]


def run_sync_command(cfg: Config, *, full: bool, dry_run: bool, wait: bool, echo: Echo) -> None:
    from jobs.sync.runner import SyncJob

    with job_context(cfg, "sync", dry_run=dry_run, wait=wait) as (ctx, _rehearsal):
        job = SyncJob(ctx, progress=ProgressLine())
        summary = job.run(full=full)
        reconciled = job.reconcile_if_due()
    rows = [
        (
            s.name,
            s.model,
            s.counts.read,
            s.counts.created,
            s.counts.updated,
            s.counts.unchanged,
            s.calls,
        )
        for s in summary.streams
    ]
    echo(table(("stream", "model", "read", "created", "updated", "unchanged", "calls"), rows))
    total = summary.total
    verb = "would change" if dry_run else "changed"
    verb_mark = "would be " if dry_run else ""
    echo(
        f"{'Dry run: ' if dry_run else ''}{total.read} rows read, {total.changed} {verb}; "
        f"{summary.recomputed.students_created} students created, "
        f"{summary.recomputed.students_updated} updated; {summary.duration_seconds:.1f} s"
    )
    if reconciled is not None:
        removed = sum(c.removed for c in reconciled.streams.values())
        restored = sum(c.updated for c in reconciled.streams.values())
        echo(
            f"Reconcile pass: {removed} row(s) deleted in Odoo {verb_mark}marked, "
            f"{restored} {verb_mark}restored"
        )
    made = summary.assignments
    if made is not None:
        echo(
            f"Assignments: {made.projects_queued} batch project(s) {verb_mark}queued, "
            f"{made.tasks_queued} participant task(s) {verb_mark}queued, "
            f"{made.handed_in} newly handed in, {made.scored} newly scored"
        )
    shown = summary.status_in_odoo
    if shown is not None and (shown.tags_moved or shown.properties.written):
        echo(
            f"Status in Odoo: {shown.tags_moved} contact tag move(s) {verb_mark}queued, "
            f"{shown.properties.written} applicant(s) {verb_mark}queued"
        )
    for problem in summary.problems:
        echo(f"warning: {problem}")

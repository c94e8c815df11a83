"""`ojt-sidecar sync`: one cycle, with progress on a terminal and a summary at the end."""

from __future__ import annotations

from collections.abc import Callable

from sidecar.cli.output import ProgressLine, table
from sidecar.config import Config

Echo = Callable[[str], None]


def run_sync_command(cfg: Config, *, full: bool, dry_run: bool, echo: Echo) -> None:
    from jobs.context import JobContext
    from jobs.odoo_session import client_from_config
    from jobs.sync.runner import SyncJob
    from sidecar.store.bootstrap import open_store

    store = open_store(cfg)
    try:
        with client_from_config(cfg) as client:
            job = SyncJob(JobContext(cfg, store.sessions, client), progress=ProgressLine())
            summary = job.run(full=full, dry_run=dry_run)
            reconciled = None if dry_run else job.reconcile_if_due()
    finally:
        store.close()
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
    echo(
        f"{'Dry run: ' if dry_run else ''}{total.read} rows read, {total.changed} {verb}; "
        f"{summary.recomputed.students_created} students created, "
        f"{summary.recomputed.students_updated} updated; {summary.duration_seconds:.1f} s"
    )
    if reconciled is not None:
        removed = sum(c.removed for c in reconciled.streams.values())
        restored = sum(c.updated for c in reconciled.streams.values())
        echo(f"Reconcile pass: {removed} row(s) deleted in Odoo marked, {restored} restored")
    for problem in summary.problems:
        echo(f"warning: {problem}")

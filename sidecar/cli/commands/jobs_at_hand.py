"""What a job command opens: the store, a client for Odoo, and their `JobContext`; rehearsed
when the operator asked for a dry run (`jobs.rehearsal`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sidecar.config import Config

if TYPE_CHECKING:
    from jobs.context import JobContext
    from jobs.rehearsal import Rehearsal


@contextmanager
def job_context(cfg: Config, *, dry_run: bool) -> Iterator[tuple[JobContext, Rehearsal | None]]:
    """The context to run a job with, and the rehearsal when it is a dry run: after the block,
    the rehearsal's `writes` say what the job would have written to Odoo."""
    from jobs.context import JobContext
    from jobs.odoo_session import client_from_config
    from jobs.rehearsal import rehearse
    from sidecar.store.bootstrap import open_store

    store = open_store(cfg)
    try:
        with client_from_config(cfg) as client:
            ctx = JobContext(cfg, store.sessions, client)
            if not dry_run:
                yield ctx, None
                return
            with rehearse(ctx) as rehearsal:
                yield rehearsal.ctx, rehearsal
    finally:
        store.close()

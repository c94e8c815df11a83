"""What a job command opens: the store, a client for Odoo, and their `JobContext`, holding the
job's leases as the service would (`jobs.service.by_hand`), or rehearsed when the operator asked
for a dry run (`jobs.rehearsal`), which needs no lease since it writes nothing."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from sidecar.config import Config

if TYPE_CHECKING:
    from jobs.context import JobContext
    from jobs.rehearsal import Rehearsal


@contextmanager
def job_context(
    cfg: Config, job: str, *, dry_run: bool = False, wait: bool = False, hold: bool = True
) -> Iterator[tuple[JobContext, Rehearsal | None]]:
    """The context to run `job` with, and the rehearsal when it is a dry run: after the block,
    the rehearsal's `writes` say what the job would have written to Odoo. A real run holds the
    job's leases; when one is busy, one sentence says who holds it and the command exits 1
    (with `wait`, it waits for them instead). `hold=False`: the caller takes them itself."""
    from jobs.context import JobContext
    from jobs.odoo_session import client_from_config
    from jobs.rehearsal import rehearse
    from jobs.service.by_hand import LeaseBusy, holding
    from sidecar.store.bootstrap import open_store

    store = open_store(cfg)
    try:
        with client_from_config(cfg) as client:
            ctx = JobContext(cfg, store.sessions, client)
            if dry_run:
                with rehearse(ctx) as rehearsal:
                    yield rehearsal.ctx, rehearsal
                return
            if not hold:
                yield ctx, None
                return
            with ExitStack() as leases:
                try:
                    keeper = leases.enter_context(
                        holding(store.sessions, job, cfg.service.lease, wait=wait)
                    )
                except LeaseBusy as exc:
                    click.echo(f"error: {exc}; run it again later, or add --wait.", err=True)
                    sys.exit(1)
                yield replace(ctx, should_stop=keeper.should_stop), None
    finally:
        store.close()

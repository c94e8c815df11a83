"""The leases for a job run by hand (`ojt-sidecar enroll`, `issue`, `sync`, `cert reissue`): the
same ones the service takes for that job, so a person running a command while the service (or a
second replica) runs never makes two deliverers of the outbox, nor two writers of the mirrors.

All of the job's leases are taken, or none: when one is busy the command says who holds it and
since when (`LeaseBusy`), or, asked to wait, tries again every second until they are free.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobs.service.leases import LeaseKeeper, release, try_acquire
from jobs.service.work import leases_for
from sidecar.store.models import JobLease, utcnow

log = logging.getLogger("ojt_sidecar.service")

Clock = Callable[[], datetime]
RETRY_SECONDS = 1.0


class LeaseBusy(Exception):
    """A lease the command needs is held by someone else; the message says who and since
    when, in one sentence."""


def by_hand_holder() -> str:
    """Who holds a lease for a command run by hand, as `status` and the busy sentence show it."""
    return f"{socket.gethostname()}:{os.getpid()}:by-hand"


@contextmanager
def holding(
    sessions: sessionmaker[Session],
    job: str,
    ttl: timedelta,
    *,
    wait: bool,
    clock: Clock = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[LeaseKeeper]:
    """Hold `job`'s leases while the block runs, renewed in the background; the keeper's
    `should_stop` turns true if one is lost, so the job ends at its next safe point."""
    holder = by_hand_holder()
    names = leases_for(job)
    while True:
        tokens, busy = _take_all(sessions, names, holder, ttl, clock())
        if tokens is not None:
            break
        if not wait:
            raise LeaseBusy(busy)
        log.info("%s; waiting", busy)
        sleep(RETRY_SECONDS)
    keeper = LeaseKeeper(sessions, tokens, holder, ttl, clock=clock).start()
    try:
        yield keeper
    finally:
        keeper.stop()
        with sessions() as session, session.begin():
            for name, token in tokens.items():
                release(session, name, holder, token)


def _take_all(
    sessions: sessionmaker[Session],
    names: tuple[str, ...],
    holder: str,
    ttl: timedelta,
    now: datetime,
) -> tuple[dict[str, int] | None, str]:
    """Every lease in `names` (then the tokens), or none of them (then why, in a sentence)."""
    tokens: dict[str, int] = {}
    with sessions() as session, session.begin():
        for name in names:
            token = try_acquire(session, name, holder, ttl, now)
            if token is None:
                for taken, taken_token in tokens.items():
                    release(session, taken, holder, taken_token)
                return None, _busy(session, name, now)
            tokens[name] = token
    return tokens, ""


def _busy(session: Session, name: str, now: datetime) -> str:
    lease = session.scalar(select(JobLease).where(JobLease.job == name))
    who = lease.holder if lease is not None and lease.holder else "another process"
    since = lease.acquired_at if lease is not None else None
    age = f" for {_age(now - since)}" if since is not None else ""
    # A holder that died (kill -9) still "holds" it until it expires: say when that is.
    until = lease.expires_at if lease is not None else None
    expiry = f"; it runs out in {_age(until - now)} unless renewed" if until is not None else ""
    what = "deliveries to Odoo" if name == "outbox" else f"the {name!r} job"
    return f"{who} is running {what} (it has held the {name!r} lease{age}{expiry})"


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60} min"

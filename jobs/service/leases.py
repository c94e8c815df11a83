"""Job leases: which replica may run a job right now (rows of `job_leases`).

A replica takes a lease whose `expires_at` has passed, that nobody holds, or that it holds
itself, with one conditional UPDATE; every take bumps the lease's fencing token, so a holder
that stalled past its expiry can no longer renew or release what another replica now holds. A
replica that dies simply lets its lease expire. Expiry is judged by the replicas' clocks, so
their skew must stay well below the lease time.

The functions run in the caller's transaction; the caller commits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Table, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from sidecar.store.models import JobLease, utcnow
from sidecar.store.sql import insert_new

log = logging.getLogger("ojt_sidecar.service")

Clock = Callable[[], datetime]


def try_acquire(
    session: Session, job: str, holder: str, ttl: timedelta, now: datetime
) -> int | None:
    """Take the lease on `job` for `ttl` if it is free, expired or already ours: its new
    fencing token, or None when another holder has it."""
    session.execute(_insert_missing(session, job))
    token = session.execute(
        update(JobLease)
        .where(
            JobLease.job == job,
            or_(
                JobLease.expires_at.is_(None),
                JobLease.expires_at < now,
                JobLease.holder == holder,
            ),
        )
        .values(
            holder=holder,
            acquired_at=now,
            expires_at=now + ttl,
            fencing_token=JobLease.fencing_token + 1,
        )
        .returning(JobLease.fencing_token)
    ).scalar_one_or_none()
    return int(token) if token is not None else None


def renew(
    session: Session, job: str, holder: str, token: int, ttl: timedelta, now: datetime
) -> bool:
    """Extend our lease to `now + ttl`; False when it is no longer ours (taken over, or
    released), in which case the job must stop."""
    result = session.execute(
        update(JobLease)
        .where(
            JobLease.job == job,
            JobLease.holder == holder,
            JobLease.fencing_token == token,
            JobLease.expires_at.is_not(None),
        )
        .values(expires_at=now + ttl)
    )
    return _rowcount(result) == 1


def release(session: Session, job: str, holder: str, token: int) -> bool:
    """Give the lease up (it stays with its last holder for the record, expired); False when it
    was not ours any more."""
    result = session.execute(
        update(JobLease)
        .where(JobLease.job == job, JobLease.holder == holder, JobLease.fencing_token == token)
        .values(expires_at=None)
    )
    return _rowcount(result) == 1


def release_all(session: Session, holder: str) -> int:
    """Give up every lease `holder` still has (a replica shutting down)."""
    result = session.execute(
        update(JobLease)
        .where(JobLease.holder == holder, JobLease.expires_at.is_not(None))
        .values(expires_at=None)
    )
    return _rowcount(result)


def _insert_missing(session: Session, job: str) -> Insert:
    """Two replicas creating the first row of a job at once both go on to the conditional
    UPDATE, which only one wins."""
    table: Table = JobLease.__table__  # type: ignore[assignment]
    return insert_new(session, table).values(job=job, fencing_token=0)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


class LeaseKeeper:
    """Renews a set of held leases every third of their time, in a thread, while a job runs.

    `should_stop()` turns true when a lease was lost (taken over) or when it is about to expire
    because renewals keep failing (the store is unreachable): the job then stops at its next
    page or row, before another replica may take it over.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        held: dict[str, int],
        holder: str,
        ttl: timedelta,
        *,
        clock: Clock = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.held = dict(held)
        self.holder = holder
        self.ttl = ttl
        self.clock = clock
        self.monotonic = monotonic
        self.lost: str | None = None  # the lease found taken over, if any
        self._valid_until = monotonic() + ttl.total_seconds()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def should_stop(self) -> bool:
        margin = self.ttl.total_seconds() / 5
        return self.lost is not None or self.monotonic() > self._valid_until - margin

    def renew_now(self) -> bool:
        """Renew every held lease once; False when one was lost or the store failed."""
        started = self.monotonic()
        try:
            with self.sessions() as session, session.begin():
                now = self.clock()
                for job, token in self.held.items():
                    if not renew(session, job, self.holder, token, self.ttl, now):
                        self.lost = job
                        log.warning("lease on %s was taken over by another replica", job)
                        return False
        except SQLAlchemyError as exc:
            log.warning("could not renew the leases on %s: %s", ", ".join(self.held), exc)
            return False
        self._valid_until = started + self.ttl.total_seconds()
        return True

    def _loop(self) -> None:
        interval = self.ttl.total_seconds() / 3
        while not self._done.wait(interval):
            if not self.renew_now() and self.lost is not None:
                return

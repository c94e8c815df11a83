"""The service's replica leases and job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.statuses import RunStatus
from sidecar.store.models.base import Base, utcnow


class JobLease(Base):
    """Which replica may run a job right now. A replica takes a lease whose `expires_at` has
    passed (or that it holds) with one conditional UPDATE, renews it while the job runs, and
    releases it at the end; a replica that dies simply lets it expire."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))  # host:pid:random of the replica
    acquired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    fencing_token: Mapped[int] = mapped_column(BigInteger, default=0)  # +1 on every take-over


class JobRun(Base):
    """One run of a scheduled job, by whichever replica: what /healthz, /metrics and `status`
    read for "last successful run per job"."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    holder: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    # running | ok | failed | interrupted (shutdown) | abandoned (holder died; found later)
    summary: Mapped[str | None] = mapped_column(Text)  # one line: what it did
    error: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column(Float)

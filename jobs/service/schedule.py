"""The service's schedule: APScheduler with its jobs in memory, rebuilt from the config at start.

The schedule deliberately does not live in the store. APScheduler writes a job's next run time
back to its job store after every run; with that store in our database, a full disk or a
PostgreSQL fail-over raised inside the scheduler's own thread, which died, and no job ran again
until a restart. In memory nothing can fail that way: a store that fails only fails the job
runs that need it (`executor.py`), and they succeed again once it is back.

Nothing is lost by keeping it in memory. Replicas never coordinated through the job store (the
leases in `leases.py` keep their runs apart), and what a restart needs to neither repeat nor
postpone a run — when each job last succeeded — is already in `job_runs`: `first_runs` reads it
once at start. A store unreadable at that moment only means every job runs at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jobs.service.executor import one_line
from sidecar.config import Config
from sidecar.config.models import Schedule
from sidecar.store.queries import last_runs

log = logging.getLogger("ojt_sidecar.service")

__all__ = ["first_runs", "make_scheduler", "schedule_jobs"]


def make_scheduler(cfg: Config, workers: int) -> Any:
    """A paused-until-started background scheduler with an in-memory job store."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": max(1, int(cfg.service.misfire_grace.total_seconds())),
        },
    )


def schedule_jobs(
    scheduler: Any,
    cfg: Config,
    run: Callable[[str], object],
    sessions: sessionmaker[Session],
    now: datetime,
) -> None:
    """One scheduler job per configured job, first due as `first_runs` says."""
    firsts = first_runs(cfg.schedules.jobs(), _last_successes(sessions), now)
    for name, schedule in cfg.schedules.jobs().items():
        scheduler.add_job(
            run,
            trigger=schedule.trigger(),
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
            next_run_time=firsts[name],
        )


def first_runs(
    schedules: Mapping[str, Schedule], successes: Mapping[str, datetime], now: datetime
) -> dict[str, datetime]:
    """When each job first runs after a start: where its last success (when that run started)
    is known, when the schedule would next have run it — a restart neither repeats a run nor
    postpones one — but never in the past (a missed run happens now, once). A job that never
    succeeded runs now. Jobs due now are spaced a millisecond apart in the config's order."""
    firsts = {}
    for index, (name, schedule) in enumerate(schedules.items()):
        due = now + timedelta(milliseconds=index)
        last = successes.get(name)
        if last is not None:
            following = _following(schedule, last.replace(tzinfo=last.tzinfo or UTC))
            if following is not None and following > due:
                due = following
        firsts[name] = due
    return firsts


def _following(schedule: Schedule, last: datetime) -> datetime | None:
    if schedule.every is not None:
        return last + schedule.every
    nxt: datetime | None = schedule.trigger().get_next_fire_time(None, last + _TICK)
    return nxt.astimezone(UTC) if nxt is not None else None


# A cron fire time is inclusive: ask for the one strictly after the last run's start.
_TICK = timedelta(microseconds=1)


def _last_successes(sessions: sessionmaker[Session]) -> dict[str, datetime]:
    try:
        with sessions() as session:
            runs = last_runs(session)
    except SQLAlchemyError as exc:
        log.warning("the store cannot be read; every job runs now: %s", one_line(exc))
        return {}
    return {job: r.last_success_started for job, r in runs.items() if r.last_success_started}

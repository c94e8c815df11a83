"""When each job first runs after a start (`jobs.service.schedule.first_runs`): from its last
success, so that a restart neither repeats a run nor postpones one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.service.schedule import first_runs
from sidecar.config.models import Schedule

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
HOURLY = Schedule(every=timedelta(hours=1))


def test_a_job_that_never_succeeded_runs_now_in_the_configs_order() -> None:
    firsts = first_runs({"enroll": HOURLY, "sync": HOURLY}, {}, NOW)
    assert firsts == {"enroll": NOW, "sync": NOW + timedelta(milliseconds=1)}


def test_an_interval_job_that_ran_recently_waits_for_its_interval() -> None:
    last = NOW - timedelta(minutes=10)
    assert first_runs({"sync": HOURLY}, {"sync": last}, NOW) == {"sync": last + HOURLY.every}


def test_an_interval_job_whose_run_was_missed_runs_now_once() -> None:
    last = NOW - timedelta(hours=5)
    assert first_runs({"sync": HOURLY}, {"sync": last}, NOW) == {"sync": NOW}


def test_a_stored_naive_time_is_taken_as_utc() -> None:
    last = (NOW - timedelta(minutes=10)).replace(tzinfo=None)
    assert first_runs({"sync": HOURLY}, {"sync": last}, NOW)["sync"] == NOW + timedelta(minutes=50)


def test_a_cron_job_waits_for_its_next_fire_time_after_the_last_run() -> None:
    nightly = Schedule(cron="0 2 * * *")
    last = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    due = first_runs({"reconcile": nightly}, {"reconcile": last}, NOW)["reconcile"]
    fire = nightly.trigger().get_next_fire_time(None, last + timedelta(seconds=1))
    assert due == fire.astimezone(UTC)
    assert due > NOW


def test_a_cron_job_that_missed_its_fire_time_runs_now() -> None:
    nightly = Schedule(cron="0 2 * * *")
    last = NOW - timedelta(days=3)
    assert first_runs({"reconcile": nightly}, {"reconcile": last}, NOW) == {"reconcile": NOW}

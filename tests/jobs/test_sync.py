"""The sync against the emulator's demo data over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import OdooClient, OdooConnectionError
from jobs.context import JobContext
from jobs.rehearsal import rehearse
from jobs.sync.reconcile import reconcile
from jobs.sync.runner import SyncJob
from sidecar.config import Config
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import CourseMembership, LessonProgress, Student, SyncRun
from tests.conftest import logins
from tests.jobs.syncing import CONFIG, client_for, snapshot, sync_once, write_config
from tests.stores import open_migrated


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Config:
    return write_config(tmp_path, emu, db_url)


def channel(emu: OdooEmulator, name: str) -> int:
    return emu.env.search("slide.channel", [("name", "=", name)])[0]


def full_reread(tmp_path: Path, emu: OdooEmulator, text: str = CONFIG) -> dict[str, object]:
    """What a brand-new store holds after one full sync of the same Odoo, same config text."""
    other = write_config(
        tmp_path / "fresh", emu, f"sqlite:///{tmp_path / 'fresh' / 's.db'}", text=text
    )
    fresh = open_migrated(other)
    try:
        with client_for(emu) as client:
            sync_once(other, fresh, client, full=True)
        return snapshot(fresh.sessions)
    finally:
        fresh.close()


def test_first_sync_mirrors_every_membership_of_program_courses(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    summary = sync_once(cfg, store, odoo)
    channels = [
        channel(emu, n)
        for n in (
            "Basics of Gardening",
            "Taking care of Trees",
            "Trees, Wood and Gardens",
            "Choose your wood!",
        )
    ]
    expected = emu.env.search(
        "slide.channel.partner", [("channel_id", "in", channels)], context={"active_test": False}
    )
    with store.sessions() as session:
        mirrored = set(session.scalars(select(CourseMembership.odoo_id)))
        students = session.scalars(select(Student)).all()
    assert mirrored == set(expected)
    assert expected, "the demo data should have memberships in these courses"
    assert students and all(s.name for s in students)
    assert summary.total.created >= len(expected)


def test_second_sync_changes_nothing_and_costs_one_call_per_model(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    # The overlap window re-reads recent rows by content: with the default page size that is
    # one call per model for the demo data (see docs/architecture.md, "Incremental sync").
    odoo = client_for(emu, page_size=1000)
    sync_once(cfg, store, odoo)
    again = sync_once(cfg, store, odoo)
    assert again.total.changed == 0
    assert again.recomputed.students_updated == 0
    assert all(s.calls <= 1 for s in again.streams), [(s.name, s.calls) for s in again.streams]


def test_lesson_completed_in_odoo_moves_the_trainee_forward(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    course = channel(emu, "Basics of Gardening")
    partner = emu.env.create("res.partner", {"name": "New Trainee", "email": "t@example.com"})
    emu.env.create("slide.channel.partner", {"channel_id": course, "partner_id": partner})
    sync_once(cfg, store, odoo)
    slide = emu.env.search(
        "slide.slide",
        [("channel_id", "=", course), ("is_published", "=", True), ("is_category", "=", False)],
        limit=1,
    )[0]
    emu.advance(2)
    emu.env.create(
        "slide.slide.partner", {"slide_id": slide, "partner_id": partner, "completed": True}
    )
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        student = session.scalars(select(Student).where(Student.odoo_partner_id == partner)).one()
    assert student.name == "New Trainee"
    assert student.integration_status == "in_progress"
    assert 0 < student.elearning_pct < 100


def test_late_commit_inside_the_overlap_window_is_picked_up(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    sync_once(cfg, store, odoo)
    course = channel(emu, "Basics of Gardening")
    stamp = emu.clock() - timedelta(seconds=30)  # began before our poll, committed after
    emu.advance(5)
    with emu.env.transaction(at=stamp):
        partner = emu.env.create("res.partner", {"name": "Late Commit"})
        membership = emu.env.create(
            "slide.channel.partner", {"channel_id": course, "partner_id": partner}
        )
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        assert session.get(CourseMembership, membership) is not None


def test_interrupted_sync_resumes_and_matches_a_full_reread(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    emu.faults.add(FaultRule("drop_before", model="slide.slide.partner", method="search_read"))
    with pytest.raises(OdooConnectionError):
        sync_once(cfg, store, odoo)
    with store.sessions() as session:
        runs = session.scalars(select(SyncRun)).all()
    assert [r.status for r in runs] == ["failed"]
    emu.faults.clear()
    sync_once(cfg, store, odoo)
    assert snapshot(store.sessions) == full_reread(tmp_path, emu)


def test_dry_run_stores_nothing(cfg: Config, store: Store, odoo: OdooClient) -> None:
    with rehearse(JobContext(cfg, store.sessions, odoo)) as rehearsal:
        summary = SyncJob(rehearsal.ctx).run()
    assert summary.total.created > 0 and summary.recomputed.students_created > 0
    with store.sessions() as session:
        assert session.scalars(select(CourseMembership)).first() is None
        assert session.scalars(select(SyncRun)).first() is None


def test_reconcile_marks_rows_deleted_in_odoo_without_deleting_them(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        lesson = session.scalars(select(LessonProgress)).first()
    assert lesson is not None
    emu.env.unlink("slide.slide.partner", [lesson.odoo_id])
    summary = reconcile(odoo, store.sessions)
    assert summary.streams["lessons"].removed == 1
    with store.sessions() as session:
        kept = session.get(LessonProgress, lesson.odoo_id)
    assert kept is not None and kept.removed_at is not None


def test_course_removed_from_config_is_archived_not_deleted(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient, db_url: str
) -> None:
    sync_once(cfg, store, odoo)
    trees = "      - course: Taking care of Trees\n        completion_threshold: 80\n"
    assert trees in CONFIG
    smaller = write_config(tmp_path, emu, db_url, text=CONFIG.replace(trees, ""))
    reopened = open_store(smaller)
    try:
        assert reopened.reconciled is not None and reopened.reconciled.archived == 1
        sync_once(smaller, reopened, odoo)
        with reopened.sessions() as session:
            kept = session.scalars(select(Student)).all()
        assert kept, "students and their history stay"
    finally:
        reopened.close()


def test_reconcile_runs_when_its_schedule_is_due(
    cfg: Config, store: Store, odoo: OdooClient
) -> None:
    from datetime import UTC, datetime

    from jobs.sync.runner import SyncJob

    job = SyncJob(JobContext(cfg, store.sessions, odoo))
    job.run()
    assert job.reconcile_if_due() is not None  # never ran before
    assert job.reconcile_if_due() is None  # default schedule: daily
    tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)
    assert job.reconcile_if_due(now=tomorrow) is not None
    with store.sessions() as session:
        kinds = [r.kind for r in session.scalars(select(SyncRun).order_by(SyncRun.id))]
    assert kinds == ["sync", "reconcile", "reconcile"]


def test_odd_odoo_rows_are_skipped_with_a_warning_not_a_crash(
    tmp_path: Path,
    emu: OdooEmulator,
    db_url: str,
    odoo: OdooClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    furniture = write_config(
        tmp_path, emu, db_url, text=CONFIG.replace("Choose your wood!", "DIY Furniture")
    )
    slide = emu.env.search(
        "slide.slide",
        [("slide_category", "=", "certification"), ("channel_id.name", "=", "DIY Furniture")],
    )
    survey = emu.env.search_read("slide.slide", [("id", "=", slide[0])], ["survey_id"])[0]
    # A public (anonymous) certification attempt has no partner: nothing to track.
    emu.env.create("survey.user_input", {"survey_id": survey["survey_id"][0], "slide_id": slide[0]})
    opened = open_store(furniture)
    try:
        summary = sync_once(furniture, opened, odoo)
    finally:
        opened.close()
    assert sum(s.counts.skipped for s in summary.streams) == 1
    assert "has no partner_id; skipped" in caplog.text


def test_a_new_client_on_an_unchanged_odoo_still_costs_one_call_per_model(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    sync_once(cfg, store, client_for(emu, page_size=1000))
    emu.reset_calls()
    again = sync_once(cfg, store, client_for(emu, page_size=1000))  # logs in again first
    per_model = [c.model for c in emu.calls if c.model_method == "search_read"]
    assert sorted(per_model) == sorted(set(per_model))
    assert all(s.calls == 1 for s in again.streams)


def test_a_rewrite_under_the_same_truncated_stamp_is_picked_up(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    # Odoo returns write_date cut to the second: a row read, then rewritten within the same
    # second, lists with an unchanged stamp. Rows that recent are read again by content.
    course = channel(emu, "Basics of Gardening")
    stamp = emu.clock().replace(microsecond=100)
    with emu.env.transaction(at=stamp):
        partner = emu.env.create("res.partner", {"name": "Same Second"})
        membership = emu.env.create(
            "slide.channel.partner", {"channel_id": course, "partner_id": partner}
        )
    sync_once(cfg, store, odoo)
    with emu.env.transaction(at=stamp.replace(microsecond=900)):
        emu.env.write("slide.channel.partner", [membership], {"active": False})
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        row = session.get(CourseMembership, membership)
    assert row is not None and row.active is False


def test_rows_older_than_the_overlap_are_not_read_again(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    odoo = client_for(emu, page_size=1000)
    sync_once(cfg, store, odoo)
    emu.reset_calls()
    again = sync_once(cfg, store, odoo)
    reads = [c for c in emu.calls if c.model_method == "read"]
    assert reads == []  # the demo data was written an hour ago: settled, nothing to re-read
    assert again.total.read == 0


def test_a_config_change_keeps_rereading_rows_that_are_not_settled(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient, db_url: str
) -> None:
    import time

    course = channel(emu, "Basics of Gardening")
    membership = emu.env.search("slide.channel.partner", [("channel_id", "=", course)])[0]
    stamp = emu.clock()
    with emu.env.transaction(at=stamp):
        emu.env.write("slide.channel.partner", [membership], {"completion": 10})
    sync_once(cfg, store, odoo, overlap=2)
    with emu.env.transaction(at=stamp):  # committed after our poll, under the same stamp
        emu.env.write("slide.channel.partner", [membership], {"completion": 20})
    time.sleep(2.5)
    wider = write_config(
        tmp_path, emu, db_url, text=CONFIG.replace("Trees, Wood and Gardens", "DIY Furniture")
    )
    reopened = open_store(wider)
    try:
        sync_once(wider, reopened, odoo, overlap=2)  # the streams' domains changed
        with reopened.sessions() as session:
            row = session.get(CourseMembership, membership)
        assert row is not None and row.completion == 20
    finally:
        reopened.close()


def test_a_raised_threshold_in_the_config_recomputes_existing_students(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient, db_url: str
) -> None:
    sync_once(cfg, store, odoo)
    text = CONFIG.replace("completion_threshold: 80", "completion_threshold: 100")
    stricter = write_config(tmp_path, emu, db_url, text=text)
    reopened = open_store(stricter)  # reconciles the config: the program's settings changed
    try:
        sync_once(stricter, reopened, odoo)
        assert snapshot(reopened.sessions) == full_reread(tmp_path / "b", emu, text)
    finally:
        reopened.close()


EVENT_CONFIG = (
    CONFIG
    + """\
  - key: workshop
    name: Workshop cohort
    courses:
      - course: Basics of Gardening
    weights: {{elearning: 0.5, attendance: 0.5, assessments: 0.0}}
    batches:
      - key: b1
        name: Batch one
        event: Ending Soon
"""
)


def test_attendance_moves_when_the_batch_event_ends(
    tmp_path: Path, emu: OdooEmulator, db_url: str, odoo: OdooClient
) -> None:
    import time
    from datetime import UTC, datetime

    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(seconds=2)
    event = emu.env.create(
        "event.event",
        {
            "name": "Ending Soon",
            "date_begin": (end - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "date_end": end.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    member = emu.env.search_read(
        "slide.channel.partner", [("channel_id.name", "=", "Basics of Gardening")], ["partner_id"]
    )
    emu.env.create(
        "event.registration", {"event_id": event, "partner_id": member[0]["partner_id"][0]}
    )
    cfg = write_config(tmp_path, emu, db_url, text=EVENT_CONFIG)
    store = open_migrated(cfg)
    try:
        sync_once(cfg, store, odoo)
        time.sleep(3)  # the event ends; no Odoo row changes
        sync_once(cfg, store, odoo)
        with store.sessions() as session:
            student = session.scalars(
                select(Student).where(
                    Student.odoo_partner_id == member[0]["partner_id"][0],
                    Student.attendance_pct.is_not(None),
                )
            ).one()
        assert student.attendance_pct == 0.0  # registered, not attended, session over
        assert snapshot(store.sessions) == full_reread(tmp_path / "b", emu, EVENT_CONFIG)
    finally:
        store.close()


def test_a_long_lived_client_logs_in_once_across_cycles(
    emu: OdooEmulator, cfg: Config, store: Store, odoo: OdooClient
) -> None:
    sync_once(cfg, store, odoo)
    emu.reset_calls()
    sync_once(cfg, store, odoo)
    assert not logins(emu)

"""Helpers for sync tests: a config for the emulator's demo courses, and store snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient, OdooSettings
from jobs.context import JobContext
from jobs.sync.runner import SyncJob, SyncSummary
from sidecar.certificates.signing import generate_key
from sidecar.config import Config, load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import (
    AssessmentResult,
    AttendanceRecord,
    CourseMembership,
    GradedItem,
    LessonProgress,
    ProgressTracker,
    Student,
)
from tests.conftest import FAST_RETRY
from tests.stores import open_migrated

# The emulator and the store: the start of every config `write_config` fills in.
SERVER = """\
odoo:
  url: {url}
  database: {db}
  username: admin
  password: admin
store:
  url: {store}
"""
CONFIG = (
    SERVER
    + """\
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
        completion_threshold: 80
    # The demo courses' members are mostly Odoo's internal demo users; these tests are about
    # the figures, so they count (tests/jobs/test_trainees_only.py tests who counts).
    include_internal_users: true
  - key: wood
    name: Woodworking
    courses:
      - course: Trees, Wood and Gardens
      - course: Choose your wood!
        required: false
    include_internal_users: true
"""
)


def write_config(tmp_path: Path, emu: OdooEmulator, store_url: str, text: str = CONFIG) -> Config:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(text.format(url=emu.url, db=emu.db, store=store_url), encoding="utf-8")
    return load_config(path)


def signed_config(tmp_path: Path, emu: OdooEmulator, text: str) -> Config:
    """`write_config` with a SQLite store under `tmp_path` and a signing key made for it."""
    made = write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}", text)
    generate_key(made.certificates.signing_key)
    return made


def client_for(emu: OdooEmulator, page_size: int = 7) -> OdooClient:
    """A small page size by default, so that the demo data spans many pages."""
    return OdooClient(
        OdooSettings(
            url=emu.url,
            database=emu.db,
            username="admin",
            secret="admin",
            retry=FAST_RETRY,
            page_size=page_size,
        )
    )


def sync_once(cfg: Config, store: Store, client: OdooClient, **kwargs: Any) -> SyncSummary:
    return SyncJob(
        JobContext(cfg, store.sessions, client), overlap_seconds=kwargs.pop("overlap", 300)
    ).run(**kwargs)


MIRRORS = (CourseMembership, LessonProgress, GradedItem, AssessmentResult, AttendanceRecord)


def complete_lessons(odoo: OdooClient, partner: int, channels: list[int]) -> None:
    """`partner` completes every published lesson of `channels` in Odoo."""
    slides = odoo.search_read_list(
        "slide.slide",
        [("channel_id", "in", channels), ("is_category", "=", False), ("is_published", "=", True)],
        ["channel_id"],
        names=False,
    )
    for slide in slides:
        odoo.create(
            "slide.slide.partner",
            {
                "slide_id": slide["id"],
                "channel_id": slide["channel_id"],
                "partner_id": partner,
                "completed": True,
            },
        )


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Everything the sync produces, minus bookkeeping timestamps: two stores holding the same
    Odoo state must give equal snapshots. History of what Odoo deleted is kept in the store but
    left out here, because a full re-read cannot see it: mirror rows marked removed, trackers
    whose membership was deleted (no `odoo_membership_id` any more) and students left with no
    such tracker."""
    result: dict[str, Any] = {}
    with sessions() as session:
        for table in MIRRORS:
            rows = session.scalars(select(table)).all()
            result[table.__tablename__] = {
                row.odoo_id: {
                    c.name: getattr(row, c.name)
                    for c in table.__table__.columns
                    if c.name not in ("synced_at", "removed_at")
                }
                for row in rows
                if row.removed_at is None  # a full re-read never sees what Odoo deleted
            }
        result["students"] = {
            (s.program_id, s.odoo_partner_id): (
                s.integration_status,
                s.elearning_pct,
                s.attendance_pct,
                s.average_score,
                s.graded_total,
                s.graded_done,
                s.overall_pct,
                s.complete,
            )
            for s in session.scalars(select(Student))
            if any(t.odoo_membership_id is not None for t in s.trackers)
        }
        result["trackers"] = {
            (t.student.odoo_partner_id, t.student.program_id, t.course_integration_id): (
                t.enrolled,
                t.completion,
                t.member_status,
                t.completed,
                t.lessons_completed,
                t.submissions,
                t.status,
            )
            for t in session.scalars(select(ProgressTracker))
            if t.odoo_membership_id is not None
        }
    return result


def fresh_store(cfg: Config) -> Store:
    return open_migrated(cfg)

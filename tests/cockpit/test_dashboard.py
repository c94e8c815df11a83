"""The dashboard's figures per program: active and inactive by lesson progress in the
program's courses within `notifications.inactivity.after_days`, or by having joined within
them; completed and certified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from sidecar.cockpit.reads import cards
from sidecar.store.models import LessonProgress, Student
from sidecar.store.reports import ReportFilter
from sidecar.store.reports.scope import resolve
from tests.cockpit.world import World


def test_active_and_inactive_trainees_are_told_apart(world: World) -> None:
    now = datetime.now(UTC)
    a, b = world.partners["trainee.a@example.com"], world.partners["trainee.b@example.com"]
    with world.store.sessions() as db, db.begin():
        db.execute(update(Student).values(created_at=now - timedelta(days=40)))
        db.add(  # A made progress in Gardening's course yesterday; B never did
            LessonProgress(
                odoo_id=1,
                write_date=(now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
                slide_id=1,
                channel_id=1,
                partner_id=a,
            )
        )
        db.add(  # an old lesson of B's does not make them active
            LessonProgress(
                odoo_id=2,
                write_date=(now - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S"),
                slide_id=1,
                channel_id=1,
                partner_id=b,
            )
        )
    with world.store.sessions() as db:
        found = {c.program_key: c for c in cards(db, resolve(db, ReportFilter()), 14, now)}
        gardening = found["gardening"]
        assert (gardening.enrolled, gardening.active, gardening.inactive) == (2, 1, 1)
        one_batch = resolve(db, ReportFilter(batch="batch-b"))
        (card,) = cards(db, one_batch, 14, now)
        assert (card.enrolled, card.active, card.inactive) == (1, 0, 1)

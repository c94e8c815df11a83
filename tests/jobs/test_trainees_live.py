"""Only trainees count, on a real Odoo (docs/product-rules.md §12): the user who creates a course
is its responsible, and an internal user; a member of it, they are no trainee. Run with
ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD set (`./dev test -m live`)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.sync.runner import SyncJob
from sidecar.store.bootstrap import open_store
from sidecar.store.models import Student
from tests.jobs.live import clean_up, live_course, write_live_config

pytestmark = pytest.mark.live

CONFIG = """\
programs:
  - key: live
    name: Live OJT {tag}
    courses:
      - course: {course}
"""


def test_the_course_creator_is_not_a_trainee(live: OdooClient, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    course, _ = live_course(live, tag)
    trainee = live.create(
        "res.partner", {"name": f"Live Trainee {tag}", "email": f"ojt.live.{tag}@example.com"}
    )
    try:
        (row,) = live.read("slide.channel", [course], ["user_id"])
        (creator,) = live.read("res.users", [row["user_id"][0]], ["partner_id"])
        me = int(creator["partner_id"][0])
        for partner in (me, trainee):  # Odoo may have made the creator a member already
            if not live.search(
                "slide.channel.partner", [("channel_id", "=", course), ("partner_id", "=", partner)]
            ):
                live.create("slide.channel.partner", {"channel_id": course, "partner_id": partner})
        cfg = write_live_config(CONFIG, tmp_path, course=course, tag=tag)
        store = open_store(cfg)
        try:
            SyncJob(JobContext(cfg, store.sessions, live)).run()
            with store.sessions() as session:
                rows = {s.odoo_partner_id: s.excluded for s in session.scalars(select(Student))}
        finally:
            store.close()
        assert rows.get(trainee, "missing") is None
        assert rows.get(me) == "course_responsible"
    finally:
        clean_up(
            live,
            [
                ("slide.channel", "unlink", {"ids": [course]}),
                ("res.partner", "write", {"ids": [trainee], "vals": {"active": False}}),
            ],
        )

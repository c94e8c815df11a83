"""Notifications on a real Odoo (`./dev test -m live` with ODOO_URL, ODOO_DB, ODOO_USER and
ODOO_PASSWORD of an administrator): one of each kind is posted on the right contact, as a comment
Odoo mails, and three more runs post nothing twice. Time is moved by a fake clock; the test makes
its own course and contacts and archives them after."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.issue.runner import IssueJob
from jobs.notify import NotifyJob
from sidecar.store.bootstrap import open_store
from tests.jobs.live import clean_up, live_course, write_live_config
from tests.jobs.syncing import sync_once

pytestmark = pytest.mark.live

CONFIG = """\
programs:
  - key: live-notify
    name: Live notifications {tag}
    responsible_user: {responsible}
    courses:
      - course: {course}
"""


def next_monday_9(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


def test_one_of_each_kind_on_a_real_odoo(live: OdooClient, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    course, first = live_course(live, tag)
    second = live.create(
        "slide.slide",
        {"name": f"OJT live lesson 2 {tag}", "channel_id": course, "slide_category": "article"},
    )
    live.write("slide.slide", [second], {"is_published": True})
    people = [
        live.create(
            "res.partner", {"name": f"OJT live {who} {tag}", "email": f"{who}-{tag}@example.org"}
        )
        for who in ("finisher", "halfway", "idle")
    ]
    admin = live.read("res.users", [live.uid], ["partner_id", "login"], names=False)[0]
    try:
        cfg = write_live_config(
            CONFIG, tmp_path, tag=tag, course=course, responsible=admin["login"]
        )
        validity = cfg.certificates.model_copy(update={"validity_days": 20})
        cfg = cfg.model_copy(update={"certificates": validity})
        store = open_store(cfg)
        clock = {"now": next_monday_9(datetime.now(UTC))}
        ctx = JobContext(cfg, store.sessions, live, clock=lambda: clock["now"])
        # Only these three: Odoo makes the course's creator a member too (whether they count as
        # a trainee is tested apart).
        creator = [("channel_id", "=", course), ("partner_id", "not in", people)]
        live.unlink("slide.channel.partner", live.search("slide.channel.partner", creator))
        for partner in people:
            live.create("slide.channel.partner", {"channel_id": course, "partner_id": partner})
        for lesson, partner in ((first, people[0]), (second, people[0]), (first, people[1])):
            live.create(
                "slide.slide.partner",
                {
                    "slide_id": lesson,
                    "channel_id": course,
                    "partner_id": partner,
                    "completed": True,
                },
            )
        sync_once(cfg, store, live)

        def run() -> dict[str, int]:
            report = NotifyJob(ctx).run()
            assert deliver(ctx).failed == 0
            return dict(report.queued)

        first_run = run()
        assert first_run["welcome"] == 3 and first_run["program_completed"] == 1
        assert first_run["milestone"] == 1 and first_run["course_completed"] == 1
        assert first_run["digest"] == 1
        IssueJob(ctx).run()
        clock["now"] += timedelta(days=15)  # the certificate expires in 5 days; C is idle
        later = run()
        assert later == {"expiry": 1, "inactivity": 2, "digest": 1}  # a new week's digest
        for _ in range(3):
            assert run() == {}

        told: Counter[str] = Counter()
        for partner in [*people, admin["partner_id"]]:
            messages = live.search_read_list(
                "mail.message",
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", partner),
                    ("body", "ilike", tag),  # this run's program only
                ],
                ["body", "message_type", "partner_ids"],
                names=False,
            )
            for message in messages:
                if (
                    f"live-notify:{partner}" in message["body"]
                    or f"digest:{partner}:" in message["body"]
                ):
                    kind = message["body"].split("Ref. notify:")[1].split(":")[0]
                    told[kind] += 1
                    assert message["message_type"] == "comment"
                    assert partner in message["partner_ids"]  # addressed, so Odoo mails it
                elif "expiry:" in message["body"]:
                    told["expiry"] += 1
        assert told == Counter(
            welcome=3,
            milestone=1,
            course_completed=1,
            program_completed=1,
            digest=2,
            inactivity=2,
            expiry=1,
        )
    finally:
        clean_up(
            live,
            [
                ("res.partner", "write", {"ids": people, "vals": {"active": False}}),
                ("slide.channel", "write", {"ids": [course], "vals": {"active": False}}),
            ],
        )

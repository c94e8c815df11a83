"""Batches made in a real Odoo's Events app (`programs[].batch_tag`). Run with ODOO_URL, ODOO_DB,
ODOO_USER and ODOO_PASSWORD set (`./dev test -m live`) against a stock Odoo with Events and
eLearning. It makes its own tag category, course, trainee and events, and removes them after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.incremental.batch_tags import batch_key
from jobs.issue.runner import IssueJob
from jobs.odoo.profile import profile_of
from jobs.sync.runner import SyncJob
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Batch, Certificate
from tests.jobs.live import clean_up, live_course, registrations_of, write_live_config

pytestmark = pytest.mark.live

CONFIG = """\
sync:
  batch_tag_category: OJT live {tag}
programs:
  - key: live
    name: Live OJT {tag}
    courses:
      - course: {course}
    issue_on: batch_done
    batch_tag: Live cohort {tag}
"""


@pytest.fixture
def scenario(live: OdooClient) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    made: dict[str, Any] = {"tag": tag, "events": []}
    made["course"], _ = live_course(live, tag)
    made["partner"] = live.create(
        "res.partner", {"name": f"Live Trainee {tag}", "email": f"ojt.live.{tag}@example.com"}
    )
    live.create(
        "slide.channel.partner", {"channel_id": made["course"], "partner_id": made["partner"]}
    )
    yield made
    _cleanup(live, made)


def _cleanup(live: OdooClient, made: dict[str, Any]) -> None:
    tag = made["tag"]
    tags = live.search("event.tag", [("name", "=", f"Live cohort {tag}")])
    categories = live.search("event.tag.category", [("name", "=", f"OJT live {tag}")])
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("event.registration", "unlink", {"ids": registrations_of(live, made["events"])}),
        ("event.event", "unlink", {"ids": made["events"]}),
        ("event.tag", "unlink", {"ids": tags}),
        ("event.tag.category", "unlink", {"ids": categories}),
        ("slide.channel", "unlink", {"ids": [made["course"]]}),
        ("res.partner", "write", {"ids": [made["partner"]], "vals": {"active": False}}),
    ]
    clean_up(live, steps)


def live_config(made: dict[str, Any], tmp_path: Path) -> Config:
    return write_live_config(CONFIG, tmp_path, course=made["course"], tag=made["tag"])


def cycle(cfg: Config, store: Store, live: OdooClient) -> None:
    ctx = JobContext(cfg, store.sessions, live)
    SyncJob(ctx).run()
    deliver(ctx)


def test_live_tagged_events_are_batches_ended_certifies_cancelled_does_not(
    live: OdooClient, scenario: dict[str, Any], tmp_path: Path
) -> None:
    cfg = live_config(scenario, tmp_path)
    store = open_store(cfg)
    tag = scenario["tag"]
    try:
        for _ in range(2):  # the tag and its category are made once
            cycle(cfg, store, live)
            categories = live.search("event.tag.category", [("name", "=", f"OJT live {tag}")])
            tags = live.search("event.tag", [("name", "=", f"Live cohort {tag}")])
            assert (len(categories), len(tags)) == (1, 1)

        events = [
            live.create(
                "event.event",
                {
                    "name": f"Live batch {name} {tag}",
                    "date_begin": "2026-12-07 08:00:00",
                    "date_end": "2026-12-18 17:00:00",
                    "tag_ids": [(4, tags[0])],
                },
            )
            for name in ("ending", "cancelled")
        ]
        scenario["events"] = events
        live.create(
            "event.registration", {"event_id": events[0], "partner_id": scenario["partner"]}
        )
        simulate_completions(live, "live", cfg, count=1)
        cycle(cfg, store, live)
        with store.sessions() as session:
            found = {b.key: (b.name, b.status) for b in session.scalars(select(Batch))}
        assert found == {
            batch_key(events[0]): (f"Live batch ending {tag}", "open"),
            batch_key(events[1]): (f"Live batch cancelled {tag}", "open"),
        }

        stages = live.search_read_list("event.stage", [], ["name", "pipe_end"])
        ended = next(s["id"] for s in stages if s["pipe_end"] and s["name"] == "Ended")
        live.write("event.event", [events[0]], {"stage_id": ended})
        if profile_of(live).major >= 19:
            live.write("event.event", [events[1]], {"kanban_state": "cancel"})
        else:
            cancel = next(s["id"] for s in stages if s["name"] == "Cancelled")
            live.write("event.event", [events[1]], {"stage_id": cancel})
        report = IssueJob(JobContext(cfg, store.sessions, live)).run()
        assert report.batches_closed == [f"live/{batch_key(events[0])}"]
        assert report.batches_cancelled == [f"live/{batch_key(events[1])}"]
        with store.sessions() as session:
            certified = [
                (c.odoo_partner_id, c.batch_id) for c in session.scalars(select(Certificate))
            ]
            batch = session.scalar(select(Batch.id).where(Batch.key == batch_key(events[0])))
        assert certified == [(scenario["partner"], batch)]
    finally:
        store.close()

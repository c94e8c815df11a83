"""A trainee's status in a real Odoo (`status_in_odoo`, docs/status-in-odoo.md): the contact tag
made once and moved with the status, never doubled, not put back once removed by hand; and on
17.0+ the applicant's `OJT progress %` and `OJT status`, with the job's own properties kept. Run
with ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD set (`./dev test -m live`) against a stock
Odoo with eLearning and Recruitment. It makes its own course, trainee, job and applicant, and
removes them after."""

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
from jobs.odoo.profile import profile_of
from jobs.sync.runner import SyncJob
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Student
from tests.jobs.live import clean_up, live_course, write_live_config

pytestmark = pytest.mark.live

CONFIG = """\
programs:
  - key: live
    name: Live status {tag}
    courses:
      - course: {course}
    jobs: [{job}]
status_in_odoo:
  applicant_properties: true
"""


@pytest.fixture
def scenario(live: OdooClient) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    made: dict[str, Any] = {"tag": tag}
    made["course"], _ = live_course(live, tag)
    made["partner"] = live.create(
        "res.partner", {"name": f"Live Trainee {tag}", "email": f"ojt.status.{tag}@example.com"}
    )
    live.create(
        "slide.channel.partner", {"channel_id": made["course"], "partner_id": made["partner"]}
    )
    made["job"] = live.create("hr.job", {"name": f"OJT live job {tag}"})
    made["applicant"] = _applicant(live, made)
    yield made
    _cleanup(live, made)


def _applicant(live: OdooClient, made: dict[str, Any]) -> int:
    vals: dict[str, Any] = {"partner_name": f"Live Trainee {made['tag']}", "job_id": made["job"]}
    if profile_of(live).candidates:  # 18.0: the person lives on a candidate
        vals = {
            "candidate_id": live.create(
                "hr.candidate",
                {"partner_name": vals["partner_name"], "partner_id": made["partner"]},
            ),
            "job_id": made["job"],
        }
    else:
        vals["partner_id"] = made["partner"]
    if profile_of(live).applicant_name:  # until 17.0: the application's title is required
        vals["name"] = f"OJT live application {made['tag']}"
    return int(live.create("hr.applicant", vals))


def _cleanup(live: OdooClient, made: dict[str, Any]) -> None:
    names = [f"OJT Live status {made['tag']}: {s}" for s in ("enrolled", "completed")]
    tags = live.search("res.partner.category", [("name", "in", names)])
    clean_up(
        live,
        [
            ("hr.applicant", "unlink", {"ids": [made["applicant"]]}),
            ("hr.job", "unlink", {"ids": [made["job"]]}),
            ("res.partner.category", "unlink", {"ids": tags}),
            ("slide.channel", "unlink", {"ids": [made["course"]]}),
            ("res.partner", "write", {"ids": [made["partner"]], "vals": {"active": False}}),
        ],
    )


def cycle(cfg: Config, store: Store, live: OdooClient) -> None:
    ctx = JobContext(cfg, store.sessions, live)
    summary = SyncJob(ctx).run()
    assert summary.problems == []
    assert deliver(ctx).failed == 0


def tag_names(live: OdooClient, partner: int) -> set[str]:
    ids = live.read("res.partner", [partner], ["category_id"], names=False)[0]["category_id"]
    return {str(r["name"]) for r in live.read("res.partner.category", ids, ["name"])}


def test_live_tags_and_applicant_properties(
    live: OdooClient, scenario: dict[str, Any], tmp_path: Path
) -> None:
    tag, partner = scenario["tag"], scenario["partner"]
    enrolled, completed = f"OJT Live status {tag}: enrolled", f"OJT Live status {tag}: completed"
    job_name = str(live.read("hr.job", [scenario["job"]], ["name"])[0]["name"])
    cfg = write_live_config(CONFIG, tmp_path, course=scenario["course"], tag=tag, job=job_name)
    store = open_store(cfg)
    properties = profile_of(live).major >= 17
    try:
        if properties:
            own = [{"name": "seniority", "string": "Seniority", "type": "char"}]
            live.write("hr.job", [scenario["job"]], {"applicant_properties_definition": own})
        SyncJob(JobContext(cfg, store.sessions, live)).run()
        with store.sessions() as session, session.begin():
            student = session.scalars(select(Student).where(Student.odoo_partner_id == partner))
            student.one().odoo_applicant_id = scenario["applicant"]
        for _ in range(3):  # three re-runs: one tag, made once
            cycle(cfg, store, live)
            assert enrolled in tag_names(live, partner)
            assert len(live.search("res.partner.category", [("name", "=", enrolled)])) == 1

        live.write("res.partner", [partner], {"category_id": [(3, _tag_id(live, enrolled))]})
        cycle(cfg, store, live)
        assert enrolled not in tag_names(live, partner)  # not put back

        simulate_completions(live, "live", cfg, count=1)
        cycle(cfg, store, live)
        assert completed in tag_names(live, partner)
        if properties:
            _check_properties(live, scenario)
    finally:
        store.close()


def _tag_id(live: OdooClient, name: str) -> int:
    return int(live.search("res.partner.category", [("name", "=", name)])[0])


def _check_properties(live: OdooClient, scenario: dict[str, Any]) -> None:
    job = live.read("hr.job", [scenario["job"]], ["applicant_properties_definition"])[0]
    names = [p["name"] for p in job["applicant_properties_definition"]]
    assert names == ["seniority", "ojt_progress", "ojt_status"]
    read = live.read("hr.applicant", [scenario["applicant"]], ["applicant_properties"])[0]
    values = {p["name"]: p.get("value") for p in read["applicant_properties"]}
    assert values["ojt_status"] == "completed" and values["ojt_progress"] == 100.0

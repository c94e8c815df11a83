"""The enrollment flow against a real Odoo 17 (stock, with hr_recruitment, website_slides and
portal). Run with ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD set: `./dev test -m live`.
It makes its own job, job-specific OJT stage, course and applicant, and removes them after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.enroll import run_enroll_cycle
from jobs.issue.runner import IssueJob
from jobs.odoo.profile import profile_of
from jobs.odoo_session import client_from_config
from jobs.sync.runner import SyncJob
from sidecar.config import Config
from sidecar.store.bootstrap import open_store
from tests.jobs.live import clean_up, live_course, write_live_config

pytestmark = pytest.mark.live

CONFIG = """\
recruitment:
  ojt_stage: {stage}
programs:
  - key: live
    name: Live OJT {tag}
    jobs: [{job}]
    courses:
      - course: {course}
"""


@pytest.fixture
def scenario(live: OdooClient) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    made: dict[str, Any] = {"tag": tag, "email": f"ojt.live.{tag}@example.com"}
    made["job"] = live.create("hr.job", {"name": f"OJT live job {tag}"})
    made["stage"] = live.create(
        "hr.recruitment.stage",
        {"name": f"OJT live stage {tag}", "sequence": 99, "job_ids": [[6, 0, [made["job"]]]]},
    )
    made["course"], made["lesson"] = live_course(live, tag)
    person = {"partner_name": f"Live Trainee {tag}", "email_from": made["email"]}
    profile = profile_of(live)
    if profile.candidates:  # 18.0: the person is a candidate, the applicant points at it
        person = {"candidate_id": live.create("hr.candidate", person)}
    title = {"name": f"OJT live applicant {tag}"} if profile.applicant_name else {}
    made["applicant"] = live.create(
        "hr.applicant",
        {**title, **person, "job_id": made["job"], "stage_id": made["stage"]},
    )
    yield made
    _cleanup(live, made)


def _cleanup(live: OdooClient, made: dict[str, Any]) -> None:
    partner = live.read("hr.applicant", [made["applicant"]], ["partner_id"], names=False)
    partner_id = partner[0]["partner_id"] if partner else None
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("hr.applicant", "unlink", {"ids": [made["applicant"]]}),
        ("slide.channel", "unlink", {"ids": [made["course"]]}),
        ("hr.recruitment.stage", "unlink", {"ids": [made["stage"]]}),
        ("hr.job", "unlink", {"ids": [made["job"]]}),
    ]
    if partner_id:
        users = live.search("res.users", [("partner_id", "=", partner_id)])
        steps.append(("res.users", "write", {"ids": users, "vals": {"active": False}}))
        steps.append(("res.partner", "write", {"ids": [partner_id], "vals": {"active": False}}))
    clean_up(live, steps)


def live_config(scenario: dict[str, Any], tmp_path: Path) -> Config:
    return write_live_config(
        CONFIG,
        tmp_path,
        stage=scenario["stage"],
        job=scenario["job"],
        course=scenario["course"],
        tag=scenario["tag"],
    )


def test_live_applicant_in_a_job_specific_stage_is_enrolled_once(
    live: OdooClient, scenario: dict[str, Any], tmp_path: Path
) -> None:
    cfg = live_config(scenario, tmp_path)
    store = open_store(cfg)
    applicant = scenario["applicant"]
    with client_from_config(cfg) as client:  # over the transport the config chooses
        report = run_enroll_cycle(JobContext(cfg, store.sessions, client, files_root=tmp_path))
        json2 = bool(os.environ.get("ODOO_API_KEY")) and profile_of(live).json2
        assert client.transport.name == ("json2" if json2 else "xmlrpc")
    assert report.enrolled == [f"applicant:{applicant}"], report
    partner = live.read("hr.applicant", [applicant], ["partner_id"], names=False)[0]["partner_id"]
    assert len(live.search("res.users", [("partner_id", "=", partner)])) == 1
    status = "member_status" if profile_of(live).membership_status else "completion"
    memberships = live.search_read_list(
        "slide.channel.partner",
        [("channel_id", "=", scenario["course"]), ("partner_id", "=", partner)],
        [status],
    )
    # joined, not merely invited (16.0 has no invitations: a fresh membership, nothing done)
    assert [m[status] for m in memberships] == ["joined" if status == "member_status" else 0]
    followers = live.read("slide.channel", [scenario["course"]], ["message_partner_ids"])[0]
    assert partner in followers["message_partner_ids"]
    notes = live.search(
        "mail.message",
        [
            ("model", "=", "hr.applicant"),
            ("res_id", "=", applicant),
            ("body", "ilike", "Enrolled in"),
        ],
    )
    assert len(notes) == 1

    again = run_enroll_cycle(JobContext(cfg, store.sessions, live, files_root=tmp_path))
    assert not again.enrolled and not again.started
    assert len(live.search("res.users", [("partner_id", "=", partner)])) == 1
    assert (
        len(
            live.search(
                "mail.message",
                [
                    ("model", "=", "hr.applicant"),
                    ("res_id", "=", applicant),
                    ("body", "ilike", "Enrolled in"),
                ],
            )
        )
        == 1
    )
    store.close()


def test_live_certificate_round_trip_delivers_once(
    live: OdooClient, scenario: dict[str, Any], tmp_path: Path
) -> None:
    """Enrolled, the one lesson done, synced, certified: the PDF and a message on the contact and
    on the applicant, each exactly once, and a second cycle adds nothing."""
    cfg = live_config(scenario, tmp_path)
    store = open_store(cfg)
    with client_from_config(cfg) as client:
        ctx = JobContext(cfg, store.sessions, client, files_root=cfg.certificates.output_dir)
        assert run_enroll_cycle(ctx).enrolled == [f"applicant:{scenario['applicant']}"]
        partner = live.read("hr.applicant", [scenario["applicant"]], ["partner_id"], names=False)[
            0
        ]["partner_id"]
        live.create(
            "slide.slide.partner",
            {"slide_id": scenario["lesson"], "partner_id": partner, "completed": True},
        )
        SyncJob(ctx).run()
        deliver(ctx)  # the contact's status tag the sync queued (status_in_odoo), apart
        first = IssueJob(ctx).run()
        assert len(first.issued) == 1 and first.delivery is not None, first
        assert (first.delivery.delivered, first.delivery.failed, first.certified) == (4, 0, 1)
        ((serial, _, _),) = first.issued
        SyncJob(ctx).run()
        deliver(ctx)  # the tag moved to certified: the status, not the certificate
        again = IssueJob(ctx).run()
        assert not again.issued and again.delivery is not None and again.delivery.delivered == 0
    files = live.search_read_list(
        "ir.attachment", [("name", "=", f"certificate-{serial}.pdf")], ["res_model", "file_size"]
    )
    assert sorted(f["res_model"] for f in files) == ["hr.applicant", "res.partner"]
    assert all(f["file_size"] > 1000 for f in files)
    for model, res_id in (("res.partner", partner), ("hr.applicant", scenario["applicant"])):
        messages = live.search(
            "mail.message",
            [("model", "=", model), ("res_id", "=", res_id), ("body", "ilike", serial)],
        )
        assert len(messages) == 1, (model, messages)
    store.close()

"""Helpers for the enrollment tests: a config whose program takes the demo's Trainee job, and
counts of what Odoo (the emulator) holds, read directly from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors import OdooClient, OdooSettings
from jobs.context import JobContext
from jobs.enroll import EnrollReport, run_enroll_cycle
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import utcnow
from tests.conftest import FAST_RETRY
from tests.jobs.syncing import write_config

CONFIG = """\
odoo:
  url: {url}
  database: {db}
  username: admin
  password: admin
store:
  url: {store}
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: gardening
    name: Gardening OJT
    jobs: [Trainee]
    responsible_user: admin
    eligibility:
      criteria: Has worked in a garden before
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
  - key: wood
    name: Woodworking
    jobs: [Consultant]
    eligibility:
      auto_enroll: false
      criteria: Two years in a workshop
    courses:
      - course: Trees, Wood and Gardens
"""

# The demo's applicants in the OJT stage with the Trainee job: 6, 7 and 8 have an e-mail (and
# the partner Odoo made from it), 9 has none.
ELIGIBLE = (6, 7, 8)
NO_EMAIL = 9
GARDENING_CHANNELS = (1, 2)
OJT_STAGE = 7
TRAINEE_JOB = 7


def enroll_config(tmp_path: Path, emu: OdooEmulator, store_url: str, text: str = CONFIG) -> Config:
    return write_config(tmp_path, emu, store_url, text)


def client_for(
    emu: OdooEmulator, transport: str = "xmlrpc", timeout_seconds: float = 5.0
) -> OdooClient:
    return OdooClient(
        OdooSettings(
            url=emu.url,
            database=emu.db,
            username="admin",
            secret="admin",
            transport=transport,
            timeout_seconds=timeout_seconds,
            retry=FAST_RETRY,
        )
    )


def cycle(cfg: Config, store: Store, client: OdooClient, **kwargs: Any) -> EnrollReport:
    clock = kwargs.pop("clock", utcnow)
    ctx = JobContext(cfg, store.sessions, client, clock=clock, files_root=Path("/nonexistent"))
    return run_enroll_cycle(ctx, **kwargs)


def count(emu: OdooEmulator, model: str, domain: list[Any]) -> int:
    return len(emu.env.search(model, domain, context={"active_test": False}))


def rows(emu: OdooEmulator, model: str, domain: list[Any], fields: list[str]) -> list[dict]:
    return emu.env.search_read(model, domain, fields, context={"active_test": False})


def applicant_partner(emu: OdooEmulator, applicant_id: int) -> int:
    row = rows(emu, "hr.applicant", [("id", "=", applicant_id)], ["partner_id"])[0]
    return int(row["partner_id"][0])


TRACKED_MODELS = (
    "res.partner",
    "res.users",
    "mail.mail",
    "mail.message",
    "mail.activity",
    "slide.channel.partner",
    "portal.wizard",
    "slide.channel.invite",
)


def odoo_counts(emu: OdooEmulator) -> dict[str, int]:
    """How many rows of each model the flow writes to: equal before and after = no write."""
    return {model: count(emu, model, []) for model in TRACKED_MODELS}


def expect_enrolled(
    emu: OdooEmulator, applicant_id: int, program_name: str = "Gardening OJT"
) -> int:
    """Exactly one of everything an enrollment makes; returns the partner."""
    partner = applicant_partner(emu, applicant_id)
    email = rows(emu, "res.partner", [("id", "=", partner)], ["email"])[0]["email"]
    assert count(emu, "res.partner", [("email", "=ilike", email)]) == 1
    assert count(emu, "res.users", [("partner_id", "=", partner)]) == 1
    invitations = rows(
        emu,
        "mail.mail",
        [("subject", "=", "Your account at YourCompany")],
        ["email_to", "body_html"],
    )
    mine = [m for m in invitations if email in (m["email_to"] or "")]
    assert len(mine) == 1 and "/web/signup?db=ojt&token=" in mine[0]["body_html"]
    for channel in GARDENING_CHANNELS:
        members = rows(
            emu,
            "slide.channel.partner",
            [("channel_id", "=", channel), ("partner_id", "=", partner)],
            ["member_status"],
        )
        assert [m["member_status"] for m in members] == ["joined"]
        followers = rows(emu, "slide.channel", [("id", "=", channel)], ["message_partner_ids"])
        assert partner in followers[0]["message_partner_ids"]
        name = rows(emu, "slide.channel", [("id", "=", channel)], ["name"])[0]["name"]
        assert (
            count(
                emu,
                "mail.mail",
                [
                    ("subject", "=", f"You have been invited to join {name}"),
                    ("recipient_ids", "in", [partner]),
                ],
            )
            == 1
        )
    notes = rows(
        emu,
        "mail.message",
        [
            ("model", "=", "hr.applicant"),
            ("res_id", "=", applicant_id),
            ("body", "ilike", f"Enrolled in {program_name}:"),
        ],
        ["body", "subtype_id", "message_type"],
    )
    assert len(notes) == 1
    assert notes[0]["subtype_id"][1] == "Note" and notes[0]["message_type"] == "comment"
    return partner

"""A small world for the cockpit's tests: an emulated Odoo 17 with an admin, two mentors and
two portal trainees, and a store with one program in two batches (each mentor responsible for
one batch's event) and a second program whose responsible user is mentor A."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from jobs.checkin import queue_attended
from jobs.signin import OdooSignIn, queue_signin_link
from sidecar.cockpit.app import create_app
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import (
    AttendanceRecord,
    Batch,
    Certificate,
    CourseIntegration,
    Program,
    Student,
)
from tests.jobs.syncing import SERVER, signed_config

SECRET_KEY = "k" * 40
CONFIG = (
    SERVER
    + """\
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: Basics of Gardening
  - key: wood
    name: Woodworking
    responsible_user: mentor.a
    courses:
      - course: Trees, Wood and Gardens
app:
  secret_key: """
    + SECRET_KEY
    + "\n"
)

PASSWORDS = {
    "admin": "admin",
    "mentor.a": "pass-mentor-a",
    "mentor.b": "pass-mentor-b",
    "trainee.a@example.com": "pass-trainee-a",
    "trainee.b@example.com": "pass-trainee-b",
    "bystander": "pass-bystander",
}


@dataclass
class World:
    cfg: Config
    store: Store
    emu: OdooEmulator
    app: Flask
    partners: dict[str, int]  # login -> partner id
    batches: dict[str, int]  # "A" / "B" -> batch id
    serials: dict[str, str]  # "A" / "B" -> certificate serial

    def client(self, login: str | None) -> FlaskClient:
        """A browser, signed in as `login` (None: anonymous)."""
        client = self.app.test_client()
        if login is not None:
            answer = signin(client, login, PASSWORDS[login])
            assert answer.status_code == 302, answer.get_data(as_text=True)
        return client


def csrf(client: FlaskClient, path: str = "/signin") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def signin(client: FlaskClient, login: str, secret: str) -> TestResponse:
    token = csrf(client)
    return client.post("/signin", data={"login": login, "secret": secret, "csrf_token": token})


def build(tmp_path: Path, emu: OdooEmulator, store: Store, cfg: Config) -> World:
    uid = {
        login: emu.create_user(name, login, PASSWORDS[login], groups)
        for login, name, groups in (
            ("mentor.a", "Mentor A", ("internal",)),
            ("mentor.b", "Mentor B", ("internal",)),
            ("trainee.a@example.com", "Trainee A", ("portal",)),
            ("trainee.b@example.com", "Trainee B", ("portal",)),
            ("bystander", "Bystander", ("internal",)),
        )
    }
    partners = {
        login: int(
            emu.env.search_read("res.users", [("id", "=", u)], ["partner_id"])[0]["partner_id"][0]
        )
        for login, u in uid.items()
    }
    events = {
        name: emu.env.create(
            "event.event",
            {
                "name": f"Batch {name}",
                "date_begin": "2026-01-05 08:00:00",
                "date_end": "2026-12-20 17:00:00",
                "user_id": uid[f"mentor.{name.lower()}"],
            },
        )
        for name in ("A", "B")
    }
    folder = cfg.certificates.output_dir
    folder.mkdir(parents=True, exist_ok=True)
    with store.sessions() as db, db.begin():
        gardening = db.scalar(select(Program).where(Program.key == "gardening"))
        wood = db.scalar(select(Program).where(Program.key == "wood"))
        assert gardening is not None and wood is not None
        for course in db.scalars(select(CourseIntegration)):
            course.odoo_channel_id = 1 if course.program_id == gardening.id else 2
        batches = {}
        for name, event in events.items():
            batch = Batch(
                program_id=gardening.id,
                key=f"batch-{name.lower()}",
                name=f"Batch {name}",
                odoo_event_id=event,
                origin="odoo",
                start_date=date(2026, 1, 5),
                end_date=date(2026, 12, 20),
            )
            db.add(batch)
            db.flush()
            batches[name] = batch.id
        serials: dict[str, str] = {}
        for name in ("A", "B"):
            login = f"trainee.{name.lower()}@example.com"
            student = Student(
                program_id=gardening.id,
                odoo_partner_id=partners[login],
                name=f"Trainee {name}",
                email=login,
                integration_status="in_progress",
                overall_pct=40.0 if name == "A" else 70.0,
            )
            db.add(student)
            db.flush()
            registration = emu.env.create(
                "event.registration",
                {"event_id": events[name], "partner_id": partners[login], "state": "open"},
            )
            (row,) = emu.env.search_read(
                "event.registration", [("id", "=", registration)], ["barcode"]
            )
            db.add(
                AttendanceRecord(
                    odoo_id=registration,
                    write_date="2026-01-05 08:00:00",
                    event_id=events[name],
                    partner_id=partners[login],
                    state="open",
                    barcode=row["barcode"] or None,
                )
            )
            serial = f"OJT-TEST-{name}"
            pdf = b"%PDF-1.4 trainee " + name.encode()
            (folder / f"{serial}.pdf").write_bytes(pdf)
            db.add(_certificate(serial, student, gardening, batches[name], pdf))
            serials[name] = serial
    app = create_app(
        cfg,
        store.sessions,
        OdooSignIn(cfg).identify,
        mail_link=queue_signin_link,
        attend=queue_attended,
    )
    return World(cfg, store, emu, app, partners, batches, serials)


def _certificate(
    serial: str, student: Student, program: Program, batch_id: int, pdf: bytes
) -> Certificate:
    return Certificate(
        serial=serial,
        student_id=student.id,
        program_id=program.id,
        batch_id=batch_id,
        odoo_partner_id=student.odoo_partner_id,
        participant_name=student.name,
        program_name=program.name,
        issuer="YourCompany",
        issue_date=date(2026, 6, 1),
        verify_url=f"http://127.0.0.1:8080/c/{serial}",
        payload="{}",
        signature="x",
        key_id="k",
        pdf_path=f"{serial}.pdf",
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=datetime(2026, 6, 1, tzinfo=UTC),
        holder_token=f"holder-token-of-{serial}",
    )


def world_config(tmp_path: Path, emu: OdooEmulator) -> Config:
    return signed_config(tmp_path, emu, CONFIG)

"""The cockpit against a real Odoo (`live`: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, the
last a password, since people sign in with passwords). People made there sign in as admin,
mentor and portal trainee; each tries the pages of its role and of the wrong one; the trainee
checks in with the session's QR code and the registration ends up attended in Odoo; a sign-in
link is sent as an e-mail of its own."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from connectors import OdooClient
from jobs.checkin import queue_attended
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.odoo import contacts
from jobs.odoo.profile import profile_of
from jobs.odoo_session import client_from_config
from jobs.signin import OdooSignIn, queue_signin_link
from sidecar.cockpit.app import create_app
from sidecar.cockpit.checkin import session_mac, step_of
from sidecar.config import Config
from sidecar.store.bootstrap import open_store
from sidecar.store.models import AttendanceRecord, Batch
from tests.cockpit.world import csrf
from tests.jobs.live import clean_up, live_course, write_live_config
from tests.jobs.syncing import sync_once

pytestmark = pytest.mark.live

CONFIG = """\
programs:
  - key: live
    name: Live cockpit {tag}
    courses:
      - course: {course}
    batches:
      - key: live-batch
        name: Live batch {tag}
        event: {event}
app:
  secret_key: {secret}
"""


def _user(live: OdooClient, name: str, login: str, password: str, group: str) -> int:
    field = "group_ids" if profile_of(live).major >= 19 else "groups_id"
    gid = contacts.group_id(live, group)
    vals = {"name": name, "login": login, "password": password, field: [(6, 0, [gid])]}
    if "@" in login:
        vals["email"] = login
    return int(live.create("res.users", vals))


@pytest.fixture
def scenario(live: OdooClient) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    made: dict[str, Any] = {"tag": tag}
    undo: list[tuple[str, str, dict[str, Any]]] = []  # what was made, undone however it ends
    try:
        made["course"], _ = live_course(live, tag)
        undo.append(("slide.channel", "unlink", {"ids": [made["course"]]}))
        for who, login, group in (
            ("mentor", f"mentor.{tag}", "base.group_user"),
            ("trainee", f"trainee.{tag}@example.com", "base.group_portal"),
        ):
            made[who] = _user(live, f"{who.title()} {tag}", login, f"pw-{who[0]}-{tag}", group)
            undo.append(("res.users", "write", {"ids": [made[who]], "vals": {"active": False}}))
        made["partner"] = live.read("res.users", [made["trainee"]], ["partner_id"])[0][
            "partner_id"
        ][0]
        made["membership"] = live.create(
            "slide.channel.partner", {"channel_id": made["course"], "partner_id": made["partner"]}
        )
        undo.append(("slide.channel.partner", "unlink", {"ids": [made["membership"]]}))
        made["event"] = live.create(
            "event.event",
            {
                "name": f"OJT live event {tag}",
                "date_begin": "2026-01-05 08:00:00",
                "date_end": "2027-12-20 17:00:00",
                "user_id": made["mentor"],
            },
        )
        undo.append(("event.event", "unlink", {"ids": [made["event"]]}))
        # Odoo mails the registration a PDF badge: the Odoo host needs wkhtmltopdf.
        made["registration"] = live.create(
            "event.registration", {"event_id": made["event"], "partner_id": made["partner"]}
        )
        undo.append(("event.registration", "unlink", {"ids": [made["registration"]]}))
        yield made
    finally:
        clean_up(live, list(reversed(undo)))


def _config(tmp_path: Path, tag: str) -> Config:
    return write_live_config(
        CONFIG,
        tmp_path,
        tag=tag,
        course=f"OJT live course {tag}",
        event=f"OJT live event {tag}",
        secret="x" * 40,
    )


def _signed_in(app: Any, login: str, password: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post(
        "/signin", data={"login": login, "secret": password, "csrf_token": csrf(client)}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def test_every_role_signs_in_sees_its_pages_and_the_trainee_checks_in(
    scenario: dict[str, Any], tmp_path: Path, live: OdooClient
) -> None:
    tag = scenario["tag"]
    cfg = _config(tmp_path, tag)
    store = open_store(cfg)
    try:
        with client_from_config(cfg) as odoo:
            sync_once(cfg, store, odoo)
            app = create_app(
                cfg,
                store.sessions,
                OdooSignIn(cfg).identify,
                mail_link=queue_signin_link,
                attend=queue_attended,
            )
            _roles(app, store, scenario, os.environ["ODOO_USER"], os.environ["ODOO_PASSWORD"])
            _api(app, store, scenario)
            _check_in(app, store, scenario, profile_of(live).major)
            deliver(JobContext(cfg, store.sessions, odoo))
        row = live.read("event.registration", [scenario["registration"]], ["state"])[0]
        assert row["state"] == "done"
        mails = live.search("mail.mail", [("subject", "ilike", "sign-in link")])
        assert mails, "the sign-in link's e-mail"  # Odoo's mail queue sends it, then deletes it
    finally:
        store.close()


def _roles(app: Any, store: Any, scenario: dict[str, Any], admin: str, password: str) -> None:
    tag, partner = scenario["tag"], scenario["partner"]
    with store.sessions() as db:
        batch = db.scalar(select(Batch.id).where(Batch.odoo_event_id == scenario["event"]))
    assert batch is not None
    expected = {
        "admin": {
            "/dashboard": 200,
            f"/batches/{batch}": 200,
            f"/trainees/{partner}": 200,
            "/admin": 200,
        },
        "mentor": {
            "/dashboard": 200,
            f"/batches/{batch}": 200,
            f"/trainees/{partner}": 200,
            "/admin": 403,
        },
        "trainee": {
            "/dashboard": 403,
            f"/batches/{batch}": 403,
            f"/trainees/{partner}": 200,
            "/admin": 403,
        },
    }
    logins = {
        "admin": (admin, password),
        "mentor": (f"mentor.{tag}", f"pw-m-{tag}"),
        "trainee": (f"trainee.{tag}@example.com", f"pw-t-{tag}"),
    }
    for role, (login, secret) in logins.items():
        client = _signed_in(app, login, secret)
        found = {path: client.get(path).status_code for path in expected[role]}
        assert found == expected[role], role
    wrong = app.test_client()
    answer = wrong.post(
        "/signin", data={"login": f"mentor.{tag}", "secret": "wrong", "csrf_token": csrf(wrong)}
    )
    assert answer.status_code == 401
    link = app.test_client()
    asked = link.post(
        "/signin/link",
        data={"email": f"trainee.{tag}@example.com", "csrf_token": csrf(link)},
    )
    assert "on its way" in asked.get_data(as_text=True)


def _check_in(app: Any, store: Any, scenario: dict[str, Any], major: int) -> None:
    tag = scenario["tag"]
    with store.sessions() as db:
        batch = db.scalar(select(Batch).where(Batch.odoo_event_id == scenario["event"]))
        barcode = db.scalar(
            select(AttendanceRecord.barcode).where(
                AttendanceRecord.odoo_id == scenario["registration"]
            )
        )
    assert batch is not None
    assert (barcode is not None) == (major >= 17)  # 17.0+ mirrors the ticket's barcode
    trainee = _signed_in(app, f"trainee.{tag}@example.com", f"pw-t-{tag}")
    with app.app_context():
        step = step_of(datetime.now(UTC))
        path = f"/checkin/{batch.id}/{step}/{session_mac(batch.id, step)}"
    answer = trainee.post(path, data={"csrf_token": csrf(trainee, path)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert re.search("You are checked in", answer.get_data(as_text=True))


def _api(app: Any, store: Any, scenario: dict[str, Any]) -> None:
    """The API with a token of the right scope, of the wrong scope, and with a browser's
    cookie instead of a token."""
    from sidecar.cockpit.api import tokens

    with store.sessions() as db, db.begin():
        right = tokens.create(db, "live-all", ["trainees"], 100, datetime.now(UTC))
        wrong = tokens.create(db, "live-programs", ["programs"], 100, datetime.now(UTC))
    client = app.test_client()
    answer = client.get("/api/v1/trainees", headers={"Authorization": f"Bearer {right}"})
    assert answer.status_code == 200
    assert scenario["partner"] in [t["partner_id"] for t in answer.get_json()["data"]]
    refused = client.get("/api/v1/trainees", headers={"Authorization": f"Bearer {wrong}"})
    assert refused.status_code == 403
    mentor = _signed_in(app, f"mentor.{scenario['tag']}", f"pw-m-{scenario['tag']}")
    assert mentor.get("/api/v1/trainees").status_code == 401  # a cookie opens no API


def test_a_trainee_checks_in_by_qr_from_a_phone_sized_browser(
    scenario: dict[str, Any], tmp_path: Path, live: OdooClient
) -> None:
    """Chromium at 390 px opens the session's code, signs in with the trainee's Odoo password
    and checks in; the registration is attended in Odoo after delivery."""
    from waitress import create_server

    from jobs.service.web import ThreadedServer
    from tests.browser.chrome import PHONE, find_tools, start_chromium

    tools = find_tools()
    if isinstance(tools, str):
        pytest.skip(tools)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    tag = scenario["tag"]
    cfg = _config(tmp_path, tag)
    store = open_store(cfg)
    server = None
    driver = None
    try:
        with client_from_config(cfg) as odoo:
            sync_once(cfg, store, odoo)
            app = create_app(cfg, store.sessions, OdooSignIn(cfg).identify, attend=queue_attended)
            server = ThreadedServer(
                lambda: create_server(app, host="127.0.0.1", port=0, threads=4),
                host="127.0.0.1",
                port=0,
                what="cockpit",
                in_use_hint="-",
            )
            server.start()
            base = f"http://127.0.0.1:{server.addresses[0][1]}"
            with store.sessions() as db:
                batch = db.scalar(select(Batch.id).where(Batch.odoo_event_id == scenario["event"]))
            with app.app_context():
                step = step_of(datetime.now(UTC))
                code = f"/checkin/{batch}/{step}/{session_mac(int(batch or 0), step)}"
            driver = start_chromium(tools, PHONE)
            driver.get(base + code)
            driver.find_element(By.ID, "login").send_keys(f"trainee.{tag}@example.com")
            driver.find_element(By.ID, "secret").send_keys(f"pw-t-{tag}")
            driver.find_element(By.XPATH, "//input[@id='login']/ancestor::form//button").click()
            wait = WebDriverWait(driver, 30)
            wait.until(lambda d: "Check me in" in d.page_source)
            driver.find_element(By.XPATH, "//button[text()='Check me in']").click()
            wait.until(lambda d: "You are checked in" in d.page_source)
            deliver(JobContext(cfg, store.sessions, odoo))
        row = live.read("event.registration", [scenario["registration"]], ["state"])[0]
        assert row["state"] == "done"
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.close()
        store.close()

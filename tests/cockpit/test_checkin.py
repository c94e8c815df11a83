"""QR check-in, both ways, end to end on the emulator (Odoo 17: `register_attendee` with the
registration's barcode): the trainee scans the session's rotating code and checks in once; the
mentor scans a trainee's ticket; refusals are a sentence each (a forged or expired code, not a
participant, already checked in, outside the session's window); and the registration ends up
attended in Odoo once the outbox is delivered."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from jobs.context import JobContext
from jobs.deliver import deliver
from sidecar.store.models import AttendanceRecord, Batch, Checkin, OutboxMessage
from tests.cockpit.world import World, csrf
from tests.jobs.syncing import client_for

CODE_URL = re.compile(r"/checkin/(\d+)/(\d+)/([A-Za-z0-9_-]+)")


def session_path(world: World, mentor: FlaskClient, batch: str) -> str:
    """The path the session's QR code holds, as the mentor's screen shows it now."""
    svg = mentor.get(f"/batches/{world.batches[batch]}/checkin/code.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    # the code's URL is in the QR matrix only; the app builds it the same way
    from sidecar.cockpit.checkin import session_mac, step_of

    with world.app.app_context():
        step = step_of(datetime.now(UTC))
        return f"/checkin/{world.batches[batch]}/{step}/{session_mac(world.batches[batch], step)}"


def post(client: FlaskClient, path: str, page: str, **fields: str) -> tuple[int, str]:
    answer = client.post(path, data={**fields, "csrf_token": csrf(client, page)})
    return answer.status_code, answer.get_data(as_text=True)


def states_in_odoo(world: World) -> dict[int, str]:
    rows = world.emu.env.search_read(
        "event.registration", [("partner_id", "in", list(world.partners.values()))], ["state"]
    )
    return {r["id"]: r["state"] for r in rows}


def test_a_trainee_checks_in_with_the_sessions_code_once(world: World) -> None:
    mentor = world.client("mentor.a")
    trainee = world.client("trainee.a@example.com")
    path = session_path(world, mentor, "A")
    assert "Check me in" in trainee.get(path).get_data(as_text=True)
    screen_stamp = mentor.get("/live.json").get_json()["stamp"]
    status, page = post(trainee, path, path)
    assert status == 200 and "You are checked in to Batch A" in page
    assert mentor.get("/live.json").get_json()["stamp"] != screen_stamp  # the screen refreshes
    status, page = post(trainee, path, path)
    assert status == 409 and "Already checked in to Batch A" in page
    screen = mentor.get(f"/batches/{world.batches['A']}/checkin").get_data(as_text=True)
    assert "Trainee A" in screen and "scanned the session code" in screen
    with client_for(world.emu) as odoo:
        deliver(JobContext(world.cfg, world.store.sessions, odoo))
    with world.store.sessions() as db:
        registration = db.scalar(
            select(Checkin.registration_id).where(Checkin.batch_id == world.batches["A"])
        )
        methods = db.scalars(select(OutboxMessage.method)).all()
    assert methods == ["register_attendee"]
    assert states_in_odoo(world)[registration] == "done"


def test_a_forged_an_expired_and_someone_elses_code_are_refused(world: World) -> None:
    mentor = world.client("mentor.a")
    trainee_b = world.client("trainee.b@example.com")
    path = session_path(world, mentor, "A")
    batch, step, mac = CODE_URL.search(path).groups()  # type: ignore[union-attr]
    forged = f"/checkin/{batch}/{step}/{'A' * len(mac)}"
    old = f"/checkin/{batch}/{int(step) - 2}/{mac}"
    for wrong in (forged, old):
        status, page = post(trainee_b, wrong, wrong)
        assert status == 400 and "expired or is not valid" in page
    status, page = post(trainee_b, path, path)  # a real code, of a batch not theirs
    assert status == 400 and "Not a participant" in page
    assert world.client(None).get(path).status_code == 302  # sent to sign in first


def test_a_mentor_scans_a_trainees_ticket(world: World) -> None:
    mentor = world.client("mentor.a")
    screen = f"/batches/{world.batches['A']}/checkin"
    with world.store.sessions() as db:
        ticket_a = db.scalar(
            select(AttendanceRecord.barcode).where(
                AttendanceRecord.partner_id == world.partners["trainee.a@example.com"]
            )
        )
        ticket_b = db.scalar(
            select(AttendanceRecord.barcode).where(
                AttendanceRecord.partner_id == world.partners["trainee.b@example.com"]
            )
        )
    assert ticket_a and ticket_b
    status, page = post(mentor, f"{screen}/scan", screen, code=ticket_b)
    assert status == 400 and "no ticket for this session" in page
    status, page = post(mentor, f"{screen}/scan", screen, code=ticket_a)
    assert status == 200 and "Trainee A is checked in" in page
    status, page = post(mentor, f"{screen}/scan", screen, code=ticket_a)
    assert status == 409 and "Already checked in" in page
    assert world.client("mentor.b").get(screen).status_code == 404  # not mentor B's batch


def test_check_in_is_closed_outside_the_sessions_window(world: World) -> None:
    mentor = world.client("mentor.a")
    with world.store.sessions() as db, db.begin():
        db.execute(
            update(Batch)
            .where(Batch.id == world.batches["A"])
            .values(start_date=date.today() + timedelta(days=3))
        )
    trainee = world.client("trainee.a@example.com")
    path = session_path(world, mentor, "A")
    status, page = post(trainee, path, path)
    assert status == 400 and "Check-in for Batch A opens at" in page


def test_the_trainee_sees_their_own_ticket_only(world: World) -> None:
    trainee = world.client("trainee.a@example.com")
    own = world.partners["trainee.a@example.com"]
    page = trainee.get(f"/trainees/{own}").get_data(as_text=True)
    found = re.search(r'src="/tickets/(\d+)\.svg"', page)
    assert found, page
    mine = f"/tickets/{found.group(1)}.svg"
    assert trainee.get(mine).mimetype == "image/svg+xml"
    assert "attachment" in trainee.get(mine + "?download=1").headers["Content-Disposition"]
    assert world.client("trainee.b@example.com").get(mine).status_code == 404
    assert world.client("mentor.b").get(mine).status_code == 404
    assert world.client("mentor.a").get(mine).status_code == 200


def test_two_check_ins_at_the_same_moment_record_one_and_tell_the_other(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request passed its checks before the first committed (a double tap): the
    store's unique check-in refuses it, and it is told so, not a server error."""
    from sidecar.cockpit import checkin

    mentor = world.client("mentor.a")
    trainee = world.client("trainee.a@example.com")
    path = session_path(world, mentor, "A")
    assert post(trainee, path, path)[0] == 200
    with world.store.sessions() as db:
        registration = db.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.partner_id == world.partners["trainee.a@example.com"]
            )
        )
        assert registration is not None
        db.expunge(registration)
    monkeypatch.setattr(checkin, "_refusal", lambda batch, partner: registration)
    status, page = post(trainee, path, path)
    assert status == 409 and "Already checked in to Batch A" in page
    with world.store.sessions() as db:
        assert len(db.scalars(select(Checkin)).all()) == 1

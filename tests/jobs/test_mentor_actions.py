"""What a mentor does in the cockpit becomes Odoo's record, end to end on the emulator: a score
typed on a task's page, a request for changes and a batch's new mentor are kept as actions,
applied once by the next sync (the writes queued in the outbox and delivered), and each says
what became of it. A score above the maximum is refused on the page and never reaches Odoo."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from jobs.signin import OdooSignIn, queue_signin_link
from sidecar.cockpit.app import create_app
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.models import AssignmentTask, Batch, MentorAction, OutboxMessage
from tests.jobs.syncing import signed_config
from tests.jobs.test_scores_import import PROGRAM, World, odoo_task
from tests.jobs.test_scores_import import world as world

SECRET = "\napp:\n  secret_key: " + "s" * 40 + "\n"


@pytest.fixture
def version() -> str:
    return "17.0"


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return signed_config(tmp_path, emu, PROGRAM + SECRET)


# `world` is tests/jobs/test_scores_import.py's, on this module's `version` and `cfg`.


def admin(world: World) -> FlaskClient:
    app = create_app(
        world.cfg, world.store.sessions, OdooSignIn(world.cfg).identify, mail_link=queue_signin_link
    )
    client = app.test_client()
    form = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    fields = {"login": "admin", "secret": "admin", "csrf_token": token.group(1)}
    assert client.post("/signin", data=fields).status_code == 302
    return client


def post(client: FlaskClient, path: str, **fields: str) -> tuple[int, str]:
    page = client.get(path.rsplit("/", 1)[0] if path.endswith("/mentor") else path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    answer = client.post(path, data={**fields, "csrf_token": token.group(1)})
    return answer.status_code, answer.get_data(as_text=True)


def task_row(world: World, task: int) -> int:
    with world.store.sessions() as db:
        found = db.scalar(select(AssignmentTask.id).where(AssignmentTask.odoo_task_id == task))
        assert found is not None
        return found


def outcomes(world: World) -> list[tuple[str, str | None]]:
    with world.store.sessions() as db:
        rows = db.execute(select(MentorAction.kind, MentorAction.outcome).order_by(MentorAction.id))
        return [(k, o) for k, o in rows]


def score_writes(world: World) -> int:
    """The outbox rows a score writes (the sync's own note telling the trainee aside)."""
    with world.store.sessions() as db:
        found = select(func.count()).where(OutboxMessage.key.like("score-import:%"))
        return int(db.scalar(found) or 0)


def test_a_score_typed_in_the_cockpit_lands_on_the_task_in_odoo_once(world: World) -> None:
    client = admin(world)
    task = world.task(world.ana, "Safety quiz")
    status, _ = post(
        client, f"/tasks/{task_row(world, task)}", do="score", score="8", feedback="Good"
    )
    assert status == 302
    assert odoo_task(world, world.ana, "Safety quiz")["stage"] != "Scored"  # not before the sync
    world.cycle()
    found = odoo_task(world, world.ana, "Safety quiz")
    assert found["stage"] == "Scored"
    assert found["values"]["score"] == 8 and found["values"]["feedback"] == "Good"
    assert outcomes(world) == [("score", "scored 8, queued for Odoo")]
    assert score_writes(world) == 2  # the properties, the stage
    world.cycle()
    assert score_writes(world) == 2  # applied once
    page = client.get(f"/tasks/{task_row(world, task)}").get_data(as_text=True)
    assert "scored 8, queued for Odoo" in page


def test_a_request_for_changes_moves_the_task_and_tells_the_trainee(world: World) -> None:
    client = admin(world)
    task = world.task(world.ben, "Weld a T-joint")
    path = f"/tasks/{task_row(world, task)}"
    status, page = post(client, path, do="changes", feedback="")
    assert status == 400 and "Say what should change" in page
    status, _ = post(client, path, do="changes", feedback="The root pass is too thin.")
    assert status == 302
    world.cycle()
    found = odoo_task(world, world.ben, "Weld a T-joint")
    assert found["stage"] == "Needs changes"
    assert found["values"]["feedback"] == "The root pass is too thin."
    messages = world.emu.env.search_read(
        "mail.message",
        [("model", "=", "project.task"), ("res_id", "=", task), ("body", "ilike", "root pass")],
        ["partner_ids"],
    )
    assert len(messages) == 1 and messages[0]["partner_ids"] == [world.ben.partner]


def test_a_score_above_the_maximum_is_refused_on_the_page(world: World) -> None:
    client = admin(world)
    task = world.task(world.ana, "Final piece")
    path = f"/tasks/{task_row(world, task)}"
    for fields, sentence in (
        ({"score": "12", "max_score": "10"}, "is above the maximum 10"),
        ({"score": "ten"}, "must be a number of 0 or more"),
        ({"score": "nan"}, "must be a number of 0 or more"),
        ({"score": "3", "max_score": "-1"}, "must be a number above 0"),
    ):
        status, page = post(client, path, do="score", **fields)
        assert status == 400 and sentence in page, fields
    assert outcomes(world) == []


def test_an_admin_makes_a_user_the_mentor_of_a_batch(world: World) -> None:
    client = admin(world)
    mentor = world.emu.create_user("Mentor Mo", "mo", "pw-mo")
    with world.store.sessions() as db:
        batch = db.scalar(select(Batch.id).where(Batch.odoo_event_id == world.event))
    status, _ = post(client, f"/batches/{batch}/mentor", login="mo")
    assert status == 302
    status, _ = post(client, f"/batches/{batch}/mentor", login="nobody-here")
    world.cycle()
    event = world.emu.env.search_read("event.event", [("id", "=", world.event)], ["user_id"])
    assert event[0]["user_id"][0] == mentor
    assert outcomes(world)[0][1] is not None and "made the mentor" in str(outcomes(world)[0][1])
    assert outcomes(world)[1] == ("mentor", "Odoo has no user with the login 'nobody-here'")


def trainee(world: World, who: Any) -> FlaskClient:
    app = create_app(world.cfg, world.store.sessions, OdooSignIn(world.cfg).identify)
    client = app.test_client()
    form = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    fields = {"login": who.email, "secret": who.password, "csrf_token": token.group(1)}
    assert client.post("/signin", data=fields).status_code == 302
    return client


def test_a_trainee_hands_in_a_file_that_lands_on_their_task_as_them(world: World) -> None:
    ana = trainee(world, world.ana)
    task = world.task(world.ana, "Safety quiz")
    own = ana.get(f"/trainees/{world.ana.partner}").get_data(as_text=True)
    assert f"/my/tasks/{task}" in own and 'enctype="multipart/form-data"' in own
    token = re.search(r'name="csrf_token" value="([^"]+)"', own)
    assert token is not None
    path = f"/tasks/{task_row(world, task)}/handin"

    def hand(name: str, data: bytes) -> tuple[int, str]:
        fields = {
            "file": (io.BytesIO(data), name),
            "note": "My answers",
            "csrf_token": token.group(1),
        }
        answer = ana.post(path, data=fields, content_type="multipart/form-data")
        return answer.status_code, answer.get_data(as_text=True)

    status, page = hand("tool.exe", b"MZ")
    assert status == 400 and "is not a kind of file handed in here" in page
    status, page = hand("answers.pdf", b"%PDF-1.4 answers")
    assert status == 200 and "is on its way to your task in Odoo" in page
    bens = f"/tasks/{task_row(world, world.task(world.ben, 'Safety quiz'))}/handin"
    other = ana.post(bens, data={"csrf_token": token.group(1)}, content_type="multipart/form-data")
    assert other.status_code == 404  # someone else's task
    world.cycle()
    posted = world.emu.env.search_read(
        "mail.message",
        [("model", "=", "project.task"), ("res_id", "=", task), ("body", "ilike", "My answers")],
        ["author_id", "attachment_ids"],
    )
    assert len(posted) == 1 and posted[0]["author_id"][0] == world.ana.partner
    assert len(posted[0]["attachment_ids"]) == 1
    assert outcomes(world) == [("handin", "handed in, queued for Odoo")]


def test_a_score_then_a_request_for_changes_on_one_task_both_stay_in_odoo(world: World) -> None:
    """Each writes all of the task's property values, read from Odoo first: the second waits
    for the first to be delivered, so the score is not written back to what it was."""
    client = admin(world)
    task = world.task(world.ana, "Final piece")
    path = f"/tasks/{task_row(world, task)}"
    assert post(client, path, do="score", score="7", feedback="Nice")[0] == 302
    assert post(client, path, do="changes", feedback="Polish the edges")[0] == 302
    world.cycle()
    assert [kind for kind, outcome in outcomes(world) if outcome] == ["score"]  # one waits
    world.cycle()
    values = odoo_task(world, world.ana, "Final piece")["values"]
    assert values["score"] == 7 and values["feedback"] == "Polish the edges"
    assert [outcome is not None for _, outcome in outcomes(world)] == [True, True]

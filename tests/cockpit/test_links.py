"""One-time sign-in links: asked for by e-mail, mailed through Odoo as an e-mail of its own
(never in a chatter), used once, refused when used or expired; the answer never tells whether
an address trains here."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from jobs.context import JobContext
from jobs.deliver import deliver
from sidecar.store.models import AppSigninLink, OutboxMessage
from tests.cockpit.world import World, csrf
from tests.jobs.syncing import client_for

LINK = re.compile(r'href="(http://[^"]+/signin/link/[^"]+)"')


def _ask(world: World, email: str) -> str:
    client = world.app.test_client()
    answer = client.post("/signin/link", data={"email": email, "csrf_token": csrf(client)})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _message(page: str) -> str:
    found = re.search(r'<p class="message"[^>]*>(.*?)</p>', page, re.S)
    assert found, page
    return found.group(1)


def _mails(world: World) -> list[OutboxMessage]:
    with world.store.sessions() as db:
        rows = list(db.scalars(select(OutboxMessage).where(OutboxMessage.model == "mail.mail")))
        for row in rows:
            db.expunge(row)
        return rows


def _link_in(row: OutboxMessage) -> str:
    found = LINK.search(json.dumps(row.args).replace('\\"', '"'))
    assert found, row.args
    return found.group(1).split("://", 1)[1].split("/", 1)[1]  # the path on the cockpit


def test_a_trainee_signs_in_once_with_the_mailed_link(world: World) -> None:
    known = _ask(world, "TRAINEE.A@example.com")
    unknown = _ask(world, "nobody@example.com")
    assert "a sign-in link is on its way" in known
    assert _message(known) == _message(unknown)  # nothing tells who trains here
    (mail,) = _mails(world)
    path = "/" + _link_in(mail)
    browser = world.app.test_client()
    assert "Continue" in browser.get(path).get_data(as_text=True)
    used = browser.post(path, data={"csrf_token": csrf(browser, path)})
    assert used.status_code == 302
    own = f"/trainees/{world.partners['trainee.a@example.com']}"
    assert browser.get("/").location == own
    assert browser.get(own).status_code == 200
    again = world.app.test_client()
    token = csrf(again)
    assert again.post(path, data={"csrf_token": token}).status_code == 400
    assert again.get(path).status_code == 400


def test_an_expired_link_is_refused(world: World) -> None:
    _ask(world, "trainee.b@example.com")
    (mail,) = _mails(world)
    path = "/" + _link_in(mail)
    with world.store.sessions() as db, db.begin():
        db.execute(update(AppSigninLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    browser = world.app.test_client()
    answer = browser.post(path, data={"csrf_token": csrf(browser)})
    assert answer.status_code == 400
    assert "expired or was used" in answer.get_data(as_text=True)


def test_the_link_goes_out_as_its_own_email_and_not_into_a_chatter(world: World) -> None:
    _ask(world, "trainee.a@example.com")
    with client_for(world.emu) as odoo:
        deliver(JobContext(world.cfg, world.store.sessions, odoo))
    partner = world.partners["trainee.a@example.com"]
    mails = world.emu.env.search_read(
        "mail.mail",
        [("recipient_ids", "in", [partner]), ("subject", "ilike", "sign-in link")],
        ["subject", "body_html", "auto_delete"],
    )
    assert len(mails) == 1 and mails[0]["auto_delete"] is True
    assert "/signin/link/" in mails[0]["body_html"]
    posted = world.emu.env.search_read(
        "mail.message", [("body", "ilike", "/signin/link/")], ["model", "res_id"]
    )
    # mail.mail keeps its text in a mail.message of its own (Odoo's `_inherits`), on no record
    assert [p for p in posted if p["model"] or p["res_id"]] == []
    with world.store.sessions() as db:
        assert db.scalars(select(OutboxMessage.state)).all() == ["delivered"]

"""Notifications against the emulator over HTTP, with time moved by a fake clock: 20 trainees go
through a program, and each kind of message is posted when it is due, once, whatever is run
again or restarted; quiet hours, opt-outs and the mentors' digest included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.issue.runner import IssueJob
from jobs.notify import NotifyJob
from sidecar.certificates.signing import generate_key
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Notification, NotificationOptOut, OutboxMessage
from tests.jobs.syncing import SERVER, client_for, complete_lessons, sync_once, write_config

TRAINEES = 20
PROGRAM = """\
programs:
  - key: gardening
    name: Gardening OJT
    responsible_user: admin
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
certificates:
  issuer: {{name: Test Training}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
  validity_days: 40
notifications:
  quiet_hours: {{start: "20:00", end: "08:00"}}
"""


def next_monday_9(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


class Scenario:
    """The world of one test: Odoo, the store, a clock that only moves when told."""

    def __init__(self, cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator) -> None:
        self.cfg, self.store, self.odoo, self.emu = cfg, store, odoo, emu
        self.t0 = next_monday_9(datetime.now(UTC))
        self.now = self.t0
        self.partners: list[int] = []
        self.channels = odoo.search(
            "slide.channel", [("name", "in", ["Basics of Gardening", "Taking care of Trees"])]
        )
        # Only the scenario's trainees: the demo's members of these courses leave them.
        for model in ("slide.slide.partner", "slide.channel.partner"):
            odoo.unlink(model, odoo.search(model, [("channel_id", "in", self.channels)]))

    def ctx(self) -> JobContext:
        return JobContext(self.cfg, self.store.sessions, self.odoo, clock=lambda: self.now)

    def at(self, **delta: float) -> None:
        self.now = self.t0 + timedelta(**delta)

    def enroll(self, count: int) -> None:
        for i in range(count):
            partner = self.odoo.create(
                "res.partner", {"name": f"Trainee {i:02d}", "email": f"t{i}@example.org"}
            )
            self.partners.append(partner)
            for channel in self.channels:
                self.odoo.create(
                    "slide.channel.partner", {"channel_id": channel, "partner_id": partner}
                )
        sync_once(self.cfg, self.store, self.odoo)

    def finish(self, partner: int, channels: list[int]) -> None:
        complete_lessons(self.odoo, partner, channels)

    def notify(self) -> dict[str, int]:
        report = NotifyJob(self.ctx()).run()
        deliver(self.ctx())
        return dict(report.queued)

    def messages(self, partner: int) -> list[dict[str, Any]]:
        found = self.emu.env.search_read(
            "mail.message", [("model", "=", "res.partner"), ("res_id", "=", partner)], []
        )
        return sorted(
            (m for m in found if "Ref. notify:" in (m.get("body") or "")), key=lambda m: m["id"]
        )

    def told(self, kind: str) -> Counter[int]:
        """Messages of `kind` posted in Odoo, per partner."""
        found: Counter[int] = Counter()
        for partner in [*self.partners, 3]:
            for message in self.messages(partner):
                if f"notify:{kind}:" in message["body"]:
                    found[partner] += 1
        return found


@pytest.fixture
def world(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Scenario:
    cfg = write_config(tmp_path, emu, db_url, SERVER + PROGRAM)
    generate_key(cfg.certificates.signing_key)
    store = open_store(cfg)
    scenario = Scenario(cfg, store, client_for(emu, page_size=200), emu)
    scenario.enroll(TRAINEES)
    return scenario


def _all_told_once(counts: Counter[int], partners: list[int]) -> bool:
    return set(counts) == set(partners) and set(counts.values()) == {1}


def test_twenty_trainees_hear_each_kind_once_when_it_is_due(world: Scenario) -> None:
    w = world
    everyone = list(w.partners)
    # Day 0, Monday 09:00: everyone is welcomed; the mentor's digest is due too.
    assert w.notify() == {"welcome": TRAINEES, "digest": 1}
    assert _all_told_once(w.told("welcome"), everyone)
    welcome = w.messages(everyone[0])[0]["body"]
    assert "Gardening OJT" in welcome and "/slides/" in welcome  # links to the course pages
    assert w.told("digest") == Counter({3: 1})  # admin's contact: the program's responsible

    # Trainees 0-4 finish the first course (50 %), 5-7 finish both (complete).
    halfway, done = everyone[:5], everyone[5:8]
    for partner in halfway:
        w.finish(partner, w.channels[:1])
    for partner in done:
        w.finish(partner, w.channels)
    sync_once(w.cfg, w.store, w.odoo)
    w.at(hours=2)
    queued = w.notify()
    assert queued == {"course_completed": 5 + 2 * 3, "milestone": 5, "program_completed": 3}
    assert _all_told_once(w.told("milestone"), halfway)  # 50 % only; 25 % is covered by it
    assert all(
        "50 %" in m["body"] for p in halfway for m in w.messages(p) if "milestone" in m["body"]
    )
    assert _all_told_once(w.told("program_completed"), done)  # no milestone for them
    assert not set(w.told("milestone")) & set(done)

    # Running again, or after a restart of everything, adds nothing.
    assert w.notify() == {}
    w.store = open_store(w.cfg)
    w.odoo = client_for(w.emu, page_size=200)
    assert w.notify() == {}

    # Certificates for the three, valid 40 days from day 0.
    IssueJob(w.ctx()).run()
    # Day 15, 09:00: everyone not complete has been inactive for 15 days: first reminder. The
    # certificates expire in 25 days: within 30, so their first expiry reminder goes too.
    w.at(days=15)  # a Tuesday: the digest of this week, not sent on Monday, goes now
    behind = everyone[:5] + everyone[8:]
    assert w.notify() == {"inactivity": len(behind), "expiry": len(done), "digest": 1}
    assert _all_told_once(w.told("inactivity"), behind)
    assert _all_told_once(w.told("expiry"), done)
    expiry = [m["body"] for m in w.messages(done[0]) if "notify:expiry:" in m["body"]]
    assert "Ask your training coordinator how to renew it." in expiry[0]  # renewal: none
    w.at(days=18)
    assert w.notify() == {}  # reminders at most every 7 days; no threshold passed; digest sent
    w.at(days=22)
    assert w.notify() == {"inactivity": len(behind), "digest": 1}
    w.at(days=29)
    assert w.notify() == {"inactivity": len(behind), "digest": 1}
    w.at(days=33)  # a Saturday, 7 days before expiry
    assert w.notify() == {"expiry": len(done)}
    w.at(days=36)
    assert w.notify() == {"digest": 1}  # at most 3 inactivity reminders
    assert set(w.told("inactivity").values()) == {3}
    assert set(w.told("expiry").values()) == {2}
    w.at(days=41)  # a Sunday
    assert w.notify() == {}  # expired: no more reminders


def test_quiet_hours_hold_messages_until_they_end(world: Scenario) -> None:
    w = world
    w.at(hours=13)  # Monday 22:00 UTC
    report = NotifyJob(w.ctx()).run()
    assert report.queued["welcome"] == TRAINEES and report.held == TRAINEES + 1
    deliver(w.ctx())
    assert not w.told("welcome")
    with w.store.sessions() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("notify:%")))
        due = {row.next_attempt_at for row in rows}
    assert due == {w.t0 + timedelta(hours=23)}  # Tuesday 08:00
    w.at(hours=23)
    deliver(w.ctx())
    assert _all_told_once(w.told("welcome"), w.partners)


def test_a_message_that_comes_due_inside_quiet_hours_waits_for_their_end(world: Scenario) -> None:
    w = world
    NotifyJob(w.ctx()).run()  # queued at 09:00, but Odoo is not reached until 23:00
    w.at(hours=14)
    report = deliver(w.ctx())
    assert report.held == TRAINEES + 1
    assert not w.told("welcome") and not w.told("digest")
    w.at(hours=23)
    deliver(w.ctx())
    assert _all_told_once(w.told("welcome"), w.partners)


def test_opted_out_trainees_get_no_reminders_but_still_the_rest(world: Scenario) -> None:
    w = world
    by_store, by_tag = w.partners[8], w.partners[9]
    with w.store.sessions() as session:
        session.add(NotificationOptOut(partner_id=by_store))
        session.commit()
    tag = w.odoo.create("res.partner.category", {"name": "OJT: no reminders"})
    w.odoo.write("res.partner", [by_tag], {"category_id": [(4, tag)]})
    w.notify()
    assert w.told("welcome")[by_store] == 1 and w.told("welcome")[by_tag] == 1
    w.at(days=15)
    queued = w.notify()
    assert queued["inactivity"] == TRAINEES - 2
    assert by_store not in w.told("inactivity") and by_tag not in w.told("inactivity")
    # Opting in again: the next reminder reaches them.
    with w.store.sessions() as session:
        session.delete(session.get(NotificationOptOut, by_store))
        session.commit()
    w.at(days=16)
    assert w.notify() == {"inactivity": 1}
    assert w.told("inactivity")[by_store] == 1


def test_the_digest_goes_once_a_week_to_each_mentor(world: Scenario) -> None:
    w = world
    w.at(hours=-2)  # Monday 07:00: not due yet this week
    assert "digest" not in w.notify()
    w.at(hours=0)
    assert w.notify()["digest"] == 1
    w.at(days=3)
    assert "digest" not in w.notify()
    w.at(days=7, hours=-1)  # Monday 08:00 of the next week
    assert w.notify()["digest"] == 1
    w.at(days=14)  # and the week after, when nobody has made progress for two weeks
    assert w.notify()["digest"] == 1
    digests = [m["body"] for m in w.messages(3) if "notify:digest:" in m["body"]]
    assert len(digests) == 3
    assert (
        "Inactive: nobody" in digests[0]
        and "Inactive (20)" in digests[2]
        and f"{TRAINEES} trainee(s) in progress" in digests[2]
    )


def test_a_kind_switched_off_is_never_sent(tmp_path: Path, emu: OdooEmulator, db_url: str) -> None:
    text = PROGRAM.replace(
        "    responsible_user: admin\n",
        "    responsible_user: admin\n    notifications: {{welcome: false, digest: false}}\n",
    )
    cfg = write_config(tmp_path, emu, db_url, SERVER + text)
    generate_key(cfg.certificates.signing_key)
    w = Scenario(cfg, open_store(cfg), client_for(emu, page_size=200), emu)
    w.enroll(3)
    assert w.notify() == {}
    w.at(days=15)
    assert w.notify() == {"inactivity": 3}


def test_operator_words_replace_the_shipped_ones(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    text = PROGRAM + (
        "  texts:\n"
        "    welcome: {{subject: 'Hi {{participant}}',\n"
        "               body: 'Start {{program}} <now>: {{courses}}.'}}\n"
    )
    cfg = write_config(tmp_path, emu, db_url, SERVER + text)
    generate_key(cfg.certificates.signing_key)
    w = Scenario(cfg, open_store(cfg), client_for(emu, page_size=200), emu)
    w.enroll(1)
    w.notify()
    body = w.messages(w.partners[0])[0]["body"]
    assert "Start Gardening OJT &lt;now&gt;: Basics of Gardening, Taking care of Trees." in body
    mails = w.emu.env.search_read("mail.mail", [("subject", "=", "Hi Trainee 00")], [])
    assert len(mails) == 1


def test_trainees_from_before_the_upgrade_hear_only_of_what_comes_next(world: Scenario) -> None:
    w = world
    for partner in w.partners[:2]:
        w.finish(partner, w.channels[:1])
    sync_once(w.cfg, w.store, w.odoo)
    with w.store.sessions() as session:  # what migration 0008 records for a program in use
        session.add(
            Notification(
                key="notify:since:gardening",
                kind="since",
                program_id=1,
                partner_id=0,
                occasion="",
                state="covered",
                created_at=w.t0,
            )
        )
        session.commit()
    assert w.notify() == {"digest": 1}  # no welcome, no 50 %, no course completed
    w.finish(w.partners[0], w.channels[1:])
    sync_once(w.cfg, w.store, w.odoo)
    w.at(hours=1)
    assert w.notify() == {"course_completed": 1, "program_completed": 1}


def test_a_lost_answer_is_adopted_not_posted_twice(world: Scenario, monkeypatch: Any) -> None:
    w = world
    NotifyJob(w.ctx()).run()
    calls: list[str] = []
    real: Callable[..., Any] = w.odoo.call

    def lose_answer(model: str, method: str, **kw: Any) -> Any:
        result = real(model, method, **kw)
        if method == "message_post" and not calls:
            calls.append(method)
            from connectors.errors import OdooTimeoutError

            raise OdooTimeoutError("the answer was lost", may_have_applied=True)
        return result

    monkeypatch.setattr(w.odoo, "call", lose_answer)
    deliver(w.ctx())
    w.at(hours=1)  # past the doubt window
    monkeypatch.undo()
    deliver(w.ctx())
    assert _all_told_once(w.told("welcome"), w.partners)


def test_only_trainees_are_told(tmp_path: Path, emu: OdooEmulator, db_url: str) -> None:
    # The demo's members of the gardening courses: Mitchell Admin (3) and Marc Demo (7) are
    # internal users, Joel Willis (8) a portal user: only he is a trainee (§12).
    cfg = write_config(tmp_path, emu, db_url, SERVER + PROGRAM)
    generate_key(cfg.certificates.signing_key)
    odoo = client_for(emu, page_size=200)
    store = open_store(cfg)
    sync_once(cfg, store, odoo)
    NotifyJob(JobContext(cfg, store.sessions, odoo)).run()
    with store.sessions() as session:
        welcomed = set(
            session.scalars(select(Notification.partner_id).where(Notification.kind == "welcome"))
        )
    assert welcomed == {8}


def test_no_welcome_for_someone_in_none_of_the_courses(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    text = PROGRAM.replace(
        "    responsible_user: admin\n",
        "    responsible_user: admin\n    removed_membership: drop\n",
    )
    cfg = write_config(tmp_path, emu, db_url, SERVER + text)
    generate_key(cfg.certificates.signing_key)
    w = Scenario(cfg, open_store(cfg), client_for(emu, page_size=200), emu)
    w.enroll(2)
    gone = w.partners[1]
    memberships = w.odoo.search("slide.channel.partner", [("partner_id", "=", gone)])
    w.odoo.write("slide.channel.partner", memberships, {"active": False})
    sync_once(w.cfg, w.store, w.odoo)
    assert w.notify()["welcome"] == 1
    assert set(w.told("welcome")) == {w.partners[0]}

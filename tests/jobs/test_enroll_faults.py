"""Exactly once through faults: a lost answer after each write, Odoo down, a crash after every
delivered write, an applicant who leaves the stage mid-way and comes back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

import jobs.enroll.cycle as enroll_cycle
from jobs.deliver import deliver as real_deliver
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import Enrollment, OutboxMessage, utcnow
from tests.jobs.enrolling import (
    ELIGIBLE,
    NO_EMAIL,
    OJT_STAGE,
    client_for,
    count,
    cycle,
    enroll_config,
    expect_enrolled,
    odoo_counts,
    rows,
)
from tests.stores import open_migrated

NEW_EMAIL = "new.trainee@example.com"


def make_due(store: Store) -> None:
    """Retries are scheduled with backoff; make them due now instead of waiting."""
    with store.sessions() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "pending")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def applicant_without_partner(emu: OdooEmulator) -> int:
    """A Trainee applicant in the OJT stage with an e-mail no contact has: the flow creates the
    partner itself."""
    aid = emu.env.create(
        "hr.applicant",
        {
            "name": "Trainee - Orchard",
            "partner_name": "Nina New",
            "email_from": NEW_EMAIL,
            "job_id": 7,
            "stage_id": OJT_STAGE,
        },
    )
    made = rows(emu, "hr.applicant", [("id", "=", aid)], ["partner_id"])[0]["partner_id"][0]
    emu.env.write("res.partner", [made], {"email": "someone.else@example.com"})
    emu.env.write("hr.applicant", [aid], {"partner_id": False})
    return int(aid)


FAULT_POINTS = [
    ("res.partner", "create"),
    ("portal.wizard", "create"),
    ("portal.wizard.user", "action_grant_access"),
    ("slide.channel.invite", "create"),
    ("slide.channel.invite", "action_invite"),
    ("hr.applicant", "message_post"),
    ("mail.activity", "create"),
]


@pytest.mark.parametrize(("model", "method"), FAULT_POINTS)
def test_answer_lost_after_each_write_still_makes_everything_once(
    emu: OdooEmulator, db_url: str, tmp_path: Path, model: str, method: str
) -> None:
    new = applicant_without_partner(emu)
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    rule = emu.faults.add(FaultRule("drop_after", model=model, method=method, times=1))
    with client_for(emu) as client:
        reports = [cycle(cfg, store, client)]
        assert rule.fired == 1
        for _ in range(3):
            make_due(store)
            reports.append(cycle(cfg, store, client))
        # the write whose answer was lost is found in Odoo, not made again
        assert sum(r.adopted for r in reports) == 1
        for applicant in (*ELIGIBLE, new):
            expect_enrolled(emu, applicant)
        assert count(emu, "res.partner", [("email", "=", NEW_EMAIL)]) == 1
        assert count(emu, "mail.activity", [("res_id", "=", NO_EMAIL)]) == 1
        with store.sessions() as session:
            states = {r.subject: r.state for r in session.scalars(select(Enrollment))}
            assert states == {
                **{f"applicant:{a}": "enrolled" for a in (*ELIGIBLE, new)},
                f"applicant:{NO_EMAIL}": "awaiting_review",
            }
            assert {r.state for r in session.scalars(select(OutboxMessage))} == {"delivered"}
        before = odoo_counts(emu)
        make_due(store)
        cycle(cfg, store, client)
        assert odoo_counts(emu) == before
    store.close()


def test_odoo_down_then_back_enrolls_once(emu: OdooEmulator, db_url: str, tmp_path: Path) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    emu.faults.add(FaultRule("http_status", model="slide.channel.invite", status=503))
    with client_for(emu) as client:
        report = cycle(cfg, store, client)
        assert not report.enrolled and len(report.waiting) == len(ELIGIBLE)
        assert count(emu, "res.users", [("login", "in", ["rachel.perry@example.com"])]) == 1
        make_due(store)
        cycle(cfg, store, client)  # still down: nothing doubled, still waiting
        emu.faults.clear()
        make_due(store)
        back = cycle(cfg, store, client)
        assert sorted(back.enrolled) == [f"applicant:{a}" for a in ELIGIBLE]
    for applicant in ELIGIBLE:
        expect_enrolled(emu, applicant)
    store.close()


def test_crash_after_every_delivered_write_then_rerun_makes_everything_once(
    emu: OdooEmulator, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = applicant_without_partner(emu)
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)

    class Crash(Exception):
        pass

    def deliver_one_then_crash(*args: Any, **kwargs: Any) -> Any:
        report = real_deliver(*args, **{**kwargs, "limit": 1})
        if report.touched:
            raise Crash("the process died here")
        return report

    monkeypatch.setattr(enroll_cycle, "deliver", deliver_one_then_crash)
    crashes = 0
    with client_for(emu) as client:
        while True:
            try:
                cycle(cfg, store, client)
            except Crash:
                crashes += 1
                assert crashes < 100
                continue
            break
        assert crashes >= 20  # one per write: 4 applicants × (portal, courses, note) and more
        monkeypatch.setattr(enroll_cycle, "deliver", real_deliver)
        for applicant in (*ELIGIBLE, new):
            expect_enrolled(emu, applicant)
        assert count(emu, "mail.activity", [("res_id", "=", NO_EMAIL)]) == 1
        before = odoo_counts(emu)
        cycle(cfg, store, client)
        assert odoo_counts(emu) == before
    store.close()


def test_applicant_who_leaves_before_enrollment_is_skipped_and_handled_once_on_return(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    # Odoo refuses the portal wizard for a while: the enrollments stop at their first write.
    emu.faults.add(FaultRule("http_status", model="portal.wizard", status=503))
    with client_for(emu) as client:
        cycle(cfg, store, client)
        emu.env.write("hr.applicant", [6], {"stage_id": 3})  # back to First Interview
        emu.faults.clear()
        make_due(store)
        report = cycle(cfg, store, client, overlap_seconds=3600)
        assert report.left_stage == ["applicant:6"]
        assert sorted(report.enrolled) == ["applicant:7", "applicant:8"]
        partner = rows(emu, "hr.applicant", [("id", "=", 6)], ["partner_id"])[0]["partner_id"][0]
        assert count(emu, "res.users", [("partner_id", "=", partner)]) == 0
        assert count(emu, "slide.channel.partner", [("partner_id", "=", partner)]) == 0

        emu.env.write("hr.applicant", [6], {"stage_id": OJT_STAGE})  # and back again
        make_due(store)
        back = cycle(cfg, store, client, overlap_seconds=3600)
        assert back.enrolled == ["applicant:6"]
        expect_enrolled(emu, 6)
        before = odoo_counts(emu)
        emu.env.write("hr.applicant", [6], {"priority": "2"})
        make_due(store)
        cycle(cfg, store, client, overlap_seconds=3600)
        assert odoo_counts(emu) == before
    with store.sessions() as session:
        row = session.scalars(select(Enrollment).where(Enrollment.odoo_applicant_id == 6)).one()
        assert row.state == "enrolled" and row.round == 1
    store.close()


def test_refused_while_waiting_for_odoo_is_not_enrolled(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    emu.faults.add(FaultRule("http_status", model="portal.wizard", status=503))
    with client_for(emu) as client:
        cycle(cfg, store, client)
        emu.env.write("hr.applicant", [7], {"active": False})
        emu.faults.clear()
        make_due(store)
        report = cycle(cfg, store, client, overlap_seconds=3600)
    assert report.refused == ["applicant:7"]
    partner = rows(emu, "hr.applicant", [("id", "=", 7)], ["partner_id"])[0]["partner_id"][0]
    assert count(emu, "slide.channel.partner", [("partner_id", "=", partner)]) == 0
    store.close()

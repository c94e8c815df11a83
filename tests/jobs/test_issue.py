"""Issuance and delivery against the emulator over HTTP: certificates to exactly the trainees who
completed, delivered through Odoo exactly once whatever fails, review To-Dos once, batches."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

import jobs.deliver as deliver_module
from connectors import OdooClient
from connectors.retry import READ_ONLY_METHODS
from jobs.context import JobContext
from jobs.issue.runner import IssueJob
from jobs.rehearsal import rehearse
from sidecar.certificates.signing import generate_key, load_public_keys
from sidecar.certificates.verify_pdf import verify_pdf
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import (
    Certificate,
    OutboxMessage,
    ProgressTracker,
    ReviewFlag,
    Student,
    utcnow,
)
from tests.jobs.syncing import CONFIG, client_for, sync_once, write_config

CERTS = """\
certificates:
  issuer: {{name: Test Training}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
"""


def make_cfg(tmp_path: Path, emu: OdooEmulator, db_url: str, programs: str = CONFIG) -> Config:
    cfg = write_config(tmp_path, emu, db_url, programs + CERTS)
    generate_key(cfg.certificates.signing_key)
    return cfg


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Config:
    return make_cfg(tmp_path, emu, db_url)


def odoo_rows(emu: OdooEmulator, model: str, domain: list[Any]) -> list[dict[str, Any]]:
    return emu.env.search_read(model, domain, [])


def certificate_footprint(emu: OdooEmulator, serial: str, partner: int) -> dict[str, int]:
    """What one certificate left in Odoo: attachments, messages and mails that name it."""
    attachments = odoo_rows(emu, "ir.attachment", [("name", "=", f"certificate-{serial}.pdf")])
    messages = odoo_rows(emu, "mail.message", [("body", "ilike", serial)])
    mails = odoo_rows(emu, "mail.mail", [("body_html", "ilike", serial)])
    return {
        "attachments on partner": sum(
            1 for a in attachments if (a["res_model"], a["res_id"]) == ("res.partner", partner)
        ),
        "messages on partner": sum(
            1 for m in messages if (m["model"], m["res_id"]) == ("res.partner", partner)
        ),
        "mails": len(mails),
    }


def completers(cfg: Config, store: Store, odoo: OdooClient, count: int = 2) -> set[int]:
    sync_once(cfg, store, odoo)
    simulate_completions(odoo, "gardening", cfg, count=count)
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        return set(
            session.scalars(select(Student.odoo_partner_id).where(Student.complete.is_(True)))
        )


def certificates(store: Store) -> list[Certificate]:
    with store.sessions() as session:
        return list(session.scalars(select(Certificate).order_by(Certificate.id)))


def test_issue_certifies_exactly_the_completers_and_delivers_once(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    done = completers(cfg, store, odoo)
    assert len(done) == 2

    report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()

    certs = certificates(store)
    assert {c.odoo_partner_id for c in certs} == done
    assert report.delivery is not None and report.delivery.failed == 0
    assert report.certified == 2
    keys = load_public_keys(cfg.certificates.signing_key)
    for cert in certs:
        assert cert.delivered_at is not None
        assert cert.verify_url == f"https://verify.example.org/c/{cert.serial}"
        pdf = (cfg.certificates.output_dir / cert.pdf_path).read_bytes()
        checked = verify_pdf(pdf, keys)
        assert checked.ok, checked.problems
        assert checked.qr_url == cert.verify_url
        assert certificate_footprint(emu, cert.serial, cert.odoo_partner_id) == {
            "attachments on partner": 1,
            "messages on partner": 1,
            "mails": 1,
        }
    with store.sessions() as session:
        for cert in certs:
            student = session.get(Student, cert.student_id)
            assert student is not None
            assert student.integration_status == "certified"
            assert student.certified_at is not None
            statuses = session.scalars(
                select(ProgressTracker.status).where(ProgressTracker.student_id == student.id)
            )
            assert set(statuses) == {"certified"}

    before = {m: len(odoo_rows(emu, m, [])) for m in ("ir.attachment", "mail.message", "mail.mail")}
    again = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert again.issued == [] and again.delivery is not None and again.delivery.touched == 0
    assert len(certificates(store)) == 2
    after = {m: len(odoo_rows(emu, m, [])) for m in ("ir.attachment", "mail.message", "mail.mail")}
    assert after == before


def test_dry_run_writes_nothing(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    completers(cfg, store, odoo)
    with store.sessions() as session:  # the sync's status tags (status_in_odoo)
        queued = list(session.scalars(select(OutboxMessage.id)))
    emu.reset_calls()
    with rehearse(JobContext(cfg, store.sessions, odoo)) as rehearsal:
        report = IssueJob(rehearsal.ctx, signer=rehearsal.signer()).run()
    assert len(report.issued) == 2
    planned = rehearsal.lines()
    assert sum("ir.attachment.create" in line for line in planned) == 2
    assert sum("message_post" in line for line in planned) >= 2
    assert certificates(store) == []
    with store.sessions() as session:
        assert list(session.scalars(select(OutboxMessage.id))) == queued
    assert emu.calls  # it did log in to Odoo, and nothing it called there writes
    assert {c.model_method for c in emu.calls if c.model_method} <= READ_ONLY_METHODS
    assert not cfg.certificates.output_dir.exists()


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule("drop_after", model="ir.attachment", method="create", times=1),
        FaultRule("drop_after", model="res.partner", method="message_post", times=1),
        FaultRule("http_status", model="res.partner", method="message_post", status=502, times=1),
        FaultRule("http_status", model="ir.attachment", method="create", status=503, times=20),
        FaultRule("drop_before", model="ir.attachment", method=None, times=20),
    ],
    ids=["attach-answer-lost", "message-answer-lost", "message-502", "attach-503", "odoo-down"],
)
def test_faults_during_delivery_never_lose_or_double(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator, rule: FaultRule
) -> None:
    completers(cfg, store, odoo, count=1)
    emu.faults.add(rule)
    first = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert len(first.issued) == 1
    assert first.delivery is not None and first.delivery.retrying >= 1
    (cert,) = certificates(store)
    assert cert.delivered_at is None

    emu.faults.clear()
    later = lambda: utcnow() + timedelta(hours=1)  # noqa: E731 - every retry is due by then
    for _ in range(3):
        IssueJob(JobContext(cfg, store.sessions, odoo, clock=later)).run()
    (cert,) = certificates(store)
    assert cert.delivered_at is not None
    assert certificate_footprint(emu, cert.serial, cert.odoo_partner_id) == {
        "attachments on partner": 1,
        "messages on partner": 1,
        "mails": 1,
    }


def test_crash_after_sending_before_recording_is_adopted_not_resent(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    completers(cfg, store, odoo, count=1)
    real = deliver_module._delivered
    crashed: list[str] = []

    def crash_once(session: Any, row: OutboxMessage, result_id: Any, now: Any) -> None:
        if not crashed:
            crashed.append(row.key)
            raise KeyboardInterrupt  # the process dies: Odoo has the write, we have no answer
        real(session, row, result_id, now)

    monkeypatch.setattr(deliver_module, "_delivered", crash_once)
    with pytest.raises(KeyboardInterrupt):
        IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    monkeypatch.setattr(deliver_module, "_delivered", real)

    report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert report.delivery is not None and report.delivery.adopted == 1
    (cert,) = certificates(store)
    assert cert.delivered_at is not None
    assert (
        certificate_footprint(emu, cert.serial, cert.odoo_partner_id)["attachments on partner"] == 1
    )


def test_a_refused_write_fails_its_row_and_those_that_need_it(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    completers(cfg, store, odoo, count=1)
    emu.faults.add(
        FaultRule(
            "fault",
            model="ir.attachment",
            method="create",
            fault_code=2,
            fault_string="You are not allowed to create attachments.",
            times=1,
        )
    )
    report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert report.delivery is not None and report.delivery.failed == 2
    with store.sessions() as session:
        states = dict(session.execute(select(OutboxMessage.key, OutboxMessage.state)).all())
    # (the sync's status tags, status_in_odoo, are delivered alongside)
    assert sorted(v for k, v in states.items() if k.startswith("cert:")) == ["failed", "failed"]
    (cert,) = certificates(store)
    assert cert.delivered_at is None
    assert odoo_rows(emu, "mail.message", [("body", "ilike", cert.serial)]) == []


REQUIREMENTS = CONFIG.replace(
    "  - key: gardening\n    name: Gardening OJT\n",
    "  - key: gardening\n    name: Gardening OJT\n    responsible_user: admin\n"
    "    requirements: {{min_average_score: 90}}\n",
)


def test_unmet_requirements_give_one_review_todo(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    cfg = make_cfg(tmp_path, emu, db_url, REQUIREMENTS)
    store = open_store(cfg)
    try:
        with client_for(emu) as odoo:
            done_courses = completers(cfg, store, odoo, count=1)
            assert done_courses == set()  # no graded result: the minimum is not met
            for _ in range(2):
                report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
            assert certificates(store) == []
        with store.sessions() as session:
            flags = list(session.scalars(select(ReviewFlag)))
        assert len(flags) == 1 and "average" in flags[0].reason
        activities = odoo_rows(
            emu, "mail.activity", [("summary", "=", "OJT review: Gardening OJT")]
        )
        assert len(activities) == 1
        (todo,) = activities
        assert todo["res_model"] == "res.partner"
        assert todo["user_id"] == [2, "Mitchell Admin"]
        assert "below" in todo["note"] or "no graded result" in todo["note"]
        assert report.flagged == []  # the second run raised nothing new
    finally:
        store.close()


BATCH = CONFIG.replace(
    "  - key: gardening\n    name: Gardening OJT\n",
    "  - key: gardening\n    name: Gardening OJT\n    issue_on: batch_done\n"
    "    batches:\n      - {{key: b1, name: First cohort, start: 2020-01-01, end: 2099-12-31}}\n",
)


def test_batch_done_waits_for_the_batch_then_issues_and_flags(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    cfg = make_cfg(tmp_path, emu, db_url, BATCH)
    store = open_store(cfg)
    try:
        with client_for(emu) as odoo:
            done = completers(cfg, store, odoo, count=1)
            assert len(done) == 1
            report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
            assert report.issued == [] and report.waiting > 0 and report.batches_closed == []

            with store.sessions() as session:
                students = session.scalars(select(Student).join(Student.trackers).distinct()).all()
            after_end = lambda: utcnow().replace(year=2100)  # noqa: E731
            report = IssueJob(JobContext(cfg, store.sessions, odoo, clock=after_end)).run()
        assert report.batches_closed == ["gardening/b1"]
        certs = certificates(store)
        assert {c.odoo_partner_id for c in certs} == done
        assert all(c.batch_scope == "b1" and c.batch_name == "First cohort" for c in certs)
        gardening = [s for s in students if s.program_id == certs[0].program_id]
        assert len(report.flagged) == len(gardening) - 1  # every other participant is reviewed
    finally:
        store.close()


def test_a_name_too_long_to_print_gets_a_review_todo_saying_why_and_no_certificate(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    done = sorted(completers(cfg, store, odoo, count=2))
    long_name = "Maximiliana " * 12  # 144 characters
    odoo.write("res.partner", [done[0]], {"name": long_name.strip()})
    with store.sessions() as session:  # the sync read the name before; it reads it once
        session.execute(
            update(Student).where(Student.odoo_partner_id == done[0]).values(name=long_name.strip())
        )
        session.commit()
    report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert [c.odoo_partner_id for c in certificates(store)] == [done[1]]
    (flagged,) = report.flagged
    assert "the name has 143 characters; a certificate prints at most 128" in flagged[2]
    todo = odoo_rows(emu, "mail.activity", [("summary", "=", "OJT review: Gardening OJT")])
    assert len(todo) == 1 and "at most 128" in todo[0]["note"]

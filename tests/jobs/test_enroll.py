"""Applicants in the OJT stage are enrolled exactly once, against the emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.retry import READ_ONLY_METHODS
from jobs.context import JobContext
from jobs.enroll import (
    EnrollInputError,
    applicants_without_program,
    enroll_applicant,
    enroll_partner,
    run_enroll_cycle,
)
from jobs.rehearsal import rehearse
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import Enrollment, OutboxMessage, ProgressTracker, Student
from tests.jobs.enrolling import (
    CONFIG,
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


@pytest.mark.parametrize("transport", ["xmlrpc", "jsonrpc"])
def test_one_cycle_enrolls_each_eligible_applicant_once_and_a_second_changes_nothing(
    emu: OdooEmulator, db_url: str, tmp_path: Path, transport: str
) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu, transport) as client:
        report = cycle(cfg, store, client)
        assert sorted(report.enrolled) == [f"applicant:{a}" for a in ELIGIBLE]
        assert report.awaiting_review == [f"applicant:{NO_EMAIL}"]
        assert not report.failed and not report.waiting and not report.delivery_errors
        partners = {a: expect_enrolled(emu, a) for a in ELIGIBLE}
        assert count(emu, "mail.activity", [("res_model", "=", "hr.applicant")]) == 1

        with store.sessions() as session:
            for applicant, partner in partners.items():
                student = session.scalars(
                    select(Student).where(Student.odoo_partner_id == partner)
                ).one()
                assert student.odoo_applicant_id == applicant
                assert student.integration_status == "enrolled"
                trackers = session.scalars(
                    select(ProgressTracker).where(ProgressTracker.student_id == student.id)
                ).all()
                assert len(trackers) == 2 and all(t.enrolled for t in trackers)
            outbox_rows = session.scalars(select(OutboxMessage)).all()
            assert {r.state for r in outbox_rows} == {"delivered"}

        before, outbox_before = odoo_counts(emu), len(outbox_rows)
        again = cycle(cfg, store, client)
        assert odoo_counts(emu) == before
        assert not again.enrolled and not again.awaiting_review and not again.started
        with store.sessions() as session:
            assert len(session.scalars(select(OutboxMessage)).all()) == outbox_before
    store.close()


def test_ineligible_applicant_gets_one_todo_for_its_recruiter_or_the_responsible_user(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    emu.env.write("hr.applicant", [NO_EMAIL], {"user_id": False})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        cycle(cfg, store, client)
        # the applicant changes (still no e-mail): decided again, but not asked twice
        emu.env.write("hr.applicant", [NO_EMAIL], {"partner_phone": "+32 2 555 01 01"})
        cycle(cfg, store, client, overlap_seconds=3600)
    todos = rows(
        emu,
        "mail.activity",
        [("res_model", "=", "hr.applicant"), ("res_id", "=", NO_EMAIL)],
        ["res_model_id", "user_id", "summary", "note", "activity_type_id"],
    )
    model_id = emu.env.search("ir.model", [("model", "=", "hr.applicant")])[0]
    assert len(todos) == 1
    todo = todos[0]
    assert todo["res_model_id"][0] == model_id and todo["user_id"][0] == 2  # responsible: admin
    assert todo["activity_type_id"][1] == "To-Do"
    assert todo["summary"] == "Review OJT enrollment: Gardening OJT"
    assert "no valid e-mail" in todo["note"] and "Has worked in a garden before" in todo["note"]
    with store.sessions() as session:
        row = session.scalars(select(Enrollment).where(Enrollment.odoo_applicant_id == 9)).one()
        assert row.state == "awaiting_review" and "e-mail" in (row.reason or "")
        assert session.scalars(select(Student).where(Student.odoo_applicant_id == 9)).all() == []
    store.close()


def test_manual_program_waits_for_review_then_enrolls_by_hand(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    emu.env.write("hr.applicant", [12], {"stage_id": OJT_STAGE, "user_id": 6})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        report = cycle(cfg, store, client)
        assert "applicant:12" in report.awaiting_review
        todo = rows(emu, "mail.activity", [("res_id", "=", 12)], ["user_id", "note"])
        assert len(todo) == 1 and todo[0]["user_id"][0] == 6  # the applicant's recruiter
        assert "only after a review" in todo[0]["note"]
        assert "ojt-sidecar enroll --applicant 12" in todo[0]["note"]
        assert count(emu, "slide.channel.partner", [("channel_id", "=", 3)]) == 2

        by_hand = enroll_applicant(JobContext(cfg, store.sessions, client, files_root=tmp_path), 12)
        assert by_hand.enrolled == ["applicant:12"]
        expect_enrolled_wood(emu, 12)
        before = odoo_counts(emu)
        assert enroll_applicant(JobContext(cfg, store.sessions, client), 12).already == [
            "applicant:12"
        ]
        cycle(cfg, store, client)
        assert odoo_counts(emu) == before
    store.close()


def expect_enrolled_wood(emu: OdooEmulator, applicant: int) -> None:
    partner = rows(emu, "hr.applicant", [("id", "=", applicant)], ["partner_id"])[0]["partner_id"]
    members = rows(
        emu, "slide.channel.partner", [("channel_id", "=", 3), ("partner_id", "=", partner[0])], []
    )
    assert len(members) == 1
    notes = rows(
        emu,
        "mail.message",
        [("res_id", "=", applicant), ("body", "ilike", "Enrolled in Woodworking:")],
        ["body"],
    )
    assert [n["body"] for n in notes] == [
        "<p>Enrolled in Woodworking: Trees, Wood and Gardens; portal invitation sent</p>"
    ]


def test_partner_with_a_user_is_not_invited_again_and_gets_no_note(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        users, mails = count(emu, "res.users", []), count(emu, "mail.mail", [])
        messages = count(emu, "mail.message", [("model", "=", "hr.applicant")])
        ctx = JobContext(cfg, store.sessions, client, files_root=tmp_path)
        report = enroll_partner(ctx, 8, "wood")
        assert report.enrolled == ["partner:8:wood"]
        assert count(emu, "res.users", []) == users  # Joel Willis already logs in
        subjects = [m["subject"] for m in rows(emu, "mail.mail", [], ["subject"])[mails:]]
        assert subjects == ["You have been invited to join Trees, Wood and Gardens"]
        assert count(emu, "mail.message", [("model", "=", "hr.applicant")]) == messages
        members = rows(
            emu, "slide.channel.partner", [("channel_id", "=", 3), ("partner_id", "=", 8)], []
        )
        assert len(members) == 1
    with store.sessions() as session:
        enrollment = session.scalars(select(Enrollment)).one()
        assert enrollment.portal == "existing" and enrollment.state == "enrolled"
        student = session.scalars(select(Student).where(Student.odoo_partner_id == 8)).one()
        assert student.odoo_applicant_id is None and len(student.trackers) == 1
    store.close()


def test_applicant_whose_job_has_no_program_is_flagged_once(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    emu.env.write("hr.applicant", [3], {"stage_id": OJT_STAGE})  # a Developer
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        first = cycle(cfg, store, client)
        emu.env.write("hr.applicant", [3], {"priority": "1"})
        second = cycle(cfg, store, client, overlap_seconds=3600)
    assert first.without_program == [
        "Applicant 3 (Johan Duck) is in the OJT stage, but its job (Experienced Developer) "
        "leads to no program."
    ]
    assert second.without_program == []
    with store.sessions() as session:
        flags = applicants_without_program(session)
        assert [f.odoo_applicant_id for f in flags] == [3]
        assert (
            session.scalars(select(Enrollment).where(Enrollment.odoo_applicant_id == 3)).all() == []
        )
    assert count(emu, "mail.activity", [("res_id", "=", 3)]) == 0
    store.close()


def test_refused_applicant_is_not_enrolled(emu: OdooEmulator, db_url: str, tmp_path: Path) -> None:
    emu.env.write("hr.applicant", [6], {"active": False})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        report = cycle(cfg, store, client)
    assert sorted(report.enrolled) == ["applicant:7", "applicant:8"]
    partner = rows(emu, "hr.applicant", [("id", "=", 6)], ["partner_id"])[0]["partner_id"][0]
    assert count(emu, "slide.channel.partner", [("partner_id", "=", partner)]) == 0
    assert count(emu, "res.users", [("partner_id", "=", partner)]) == 0
    store.close()


def test_stage_restricted_to_other_jobs_does_not_apply(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    emu.env.write("hr.recruitment.stage", [OJT_STAGE], {"job_ids": [(6, 0, [3])]})  # Consultant
    emu.env.write("hr.applicant", [12], {"stage_id": OJT_STAGE})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        report = cycle(cfg, store, client)
    assert report.started == ["applicant:12"] and report.awaiting_review == ["applicant:12"]
    assert not report.enrolled
    store.close()


def test_direct_enrollment_in_a_program_course_makes_an_enrolled_student(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    from tests.jobs.syncing import sync_once

    emu.env.create("slide.channel.partner", {"channel_id": 1, "partner_id": 20})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        sync_once(cfg, store, client)
    with store.sessions() as session:
        student = session.scalars(select(Student).where(Student.odoo_partner_id == 20)).one()
        assert student.integration_status == "enrolled" and student.odoo_applicant_id is None
        assert [t.enrolled for t in student.trackers] == [True]
    store.close()


def test_dry_run_lists_the_writes_and_makes_none(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    before = odoo_counts(emu)
    emu.reset_calls()
    with client_for(emu) as client:
        ctx = JobContext(cfg, store.sessions, client)
        with rehearse(ctx) as rehearsal:
            report = run_enroll_cycle(rehearsal.ctx)
    assert odoo_counts(emu) == before
    reads = READ_ONLY_METHODS | {"action_channel_enroll"}  # an action, read for its context
    assert {c.model_method for c in emu.calls if c.model_method} - reads == set()
    with store.sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
        assert session.scalars(select(Enrollment)).all() == []
    # the rehearsal went all the way, through Odoo's answers it only pretended to get
    assert sorted(report.enrolled) == sorted(f"applicant:{a}" for a in ELIGIBLE)
    text = "\n".join(rehearsal.lines())
    for call in (
        "portal.wizard.create",
        "portal.wizard.user.action_grant_access",
        "slide.channel.invite.create",
        "slide.channel.invite.action_invite",
        "hr.applicant.message_post",
        "mail.activity.create",
    ):
        assert call in text
    assert text.count("mail.activity.create") == 1
    assert text.count("hr.applicant.message_post") == len(ELIGIBLE)
    store.close()


def test_status_lists_enrollments_reviews_and_applicants_without_program(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    from jobs.enroll import enrollment_status

    emu.env.write("hr.applicant", [3], {"stage_id": OJT_STAGE})
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        cycle(cfg, store, client)
    with store.sessions() as session:
        status = enrollment_status(session)
    assert status.by_state == {"enrolled": 3, "awaiting_review": 1}
    assert [(w.applicant_id, w.program_key, w.name) for w in status.awaiting_review] == [
        (9, "gardening", "Lucas Martin")
    ]
    assert [a for a, _ in status.without_program] == [3]
    store.close()


def test_applicant_without_contact_is_linked_to_the_contact_with_its_email(
    emu: OdooEmulator, db_url: str, tmp_path: Path
) -> None:
    contact = emu.env.create("res.partner", {"name": "Oona Orchard", "email": "oona@example.com"})
    aid = emu.env.create(
        "hr.applicant",
        {
            "name": "Trainee",
            "partner_name": "Oona Orchard",
            "email_from": "Oona@Example.com",
            "job_id": 7,
            "stage_id": OJT_STAGE,
        },
    )
    emu.env.write("hr.applicant", [aid], {"partner_id": False})  # a recruiter cleared it
    partners = count(emu, "res.partner", [])
    cfg = enroll_config(tmp_path, emu, db_url)
    store = open_migrated(cfg)
    with client_for(emu) as client:
        report = cycle(cfg, store, client)
    assert f"applicant:{aid}" in report.enrolled
    assert count(emu, "res.partner", []) == partners
    assert (
        rows(emu, "hr.applicant", [("id", "=", aid)], ["partner_id"])[0]["partner_id"][0] == contact
    )
    expect_enrolled(emu, aid)
    store.close()


def test_pausing_recruitment_leaves_applicants_in_flight_waiting_not_stopped(
    emu: OdooEmulator, tmp_path: Path
) -> None:
    """Turning Recruitment off (or listing no jobs) pauses enrollment: applicants already being
    enrolled wait as they are and go on once it is back, even after a pause longer than the
    listing's overlap window (they are not listed again)."""
    cfg = enroll_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    off = enroll_config(
        tmp_path / "off",
        emu,
        f"sqlite:///{tmp_path / 'store.db'}",
        CONFIG.replace(
            "  password: admin\n", "  password: admin\n  apps:\n    recruitment: false\n"
        ),
    )
    store = open_migrated(cfg)
    with client_for(emu) as client:
        # The listing finishes its pass, then the service stops: every applicant noted as new,
        # none driven, and nothing left to list.
        asked: list[bool] = []

        def stop_after_listing() -> bool:
            asked.append(True)
            return len(asked) > 1

        ctx = JobContext(cfg, store.sessions, client, should_stop=stop_after_listing)
        listed = run_enroll_cycle(ctx)
        assert sorted(listed.started) == [f"applicant:{a}" for a in (*ELIGIBLE, NO_EMAIL)]
        before = {r.subject: r.state for r in rows_of(store)}
        assert set(before.values()) == {"new"}

        paused = run_enroll_cycle(JobContext(off, store.sessions, client))
        assert paused.idle is not None and "Recruitment is disabled" in paused.idle
        assert {r.subject: r.state for r in rows_of(store)} == before
        with pytest.raises(EnrollInputError, match="Recruitment is disabled"):
            enroll_applicant(JobContext(off, store.sessions, client), ELIGIBLE[0])

        resumed = cycle(cfg, store, client, overlap_seconds=0)
    assert resumed.listed == 0  # nothing new to list: the rows went on from where they waited
    assert sorted(resumed.enrolled) == [f"applicant:{a}" for a in ELIGIBLE]
    assert resumed.awaiting_review == [f"applicant:{NO_EMAIL}"]
    store.close()


def rows_of(store: Store) -> list[Enrollment]:
    with store.sessions() as session:
        return list(session.scalars(select(Enrollment).order_by(Enrollment.id)))

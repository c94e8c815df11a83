"""Only trainees count (docs/product-rules.md §12), on the emulator's demo data: the members of
"Basics of Gardening" and "Taking care of Trees" are Mitchell Admin (partner 3, internal, and the
courses' responsible), Marc Demo (7, internal) and Joel Willis (8, a portal user)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from connectors import OdooClient
from jobs.context import JobContext
from jobs.issue.runner import IssueJob
from jobs.members_check import Tally, tally
from jobs.preflight import run_preflight
from sidecar.certificates.signing import generate_key
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config, ConfigError
from sidecar.emulator import OdooEmulator
from sidecar.statuses import EnrollmentState
from sidecar.store import queries
from sidecar.store.bootstrap import Store
from sidecar.store.models import Certificate, Enrollment, Program, Student, utcnow
from tests.jobs.syncing import SERVER, client_for, sync_once, write_config
from tests.stores import open_migrated
from verify_site.app import create_app

MITCHELL, MARC, JOEL = 3, 7, 8
PROGRAM = """\
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
{extra}
certificates:
  issuer: {{{{name: Test Training}}}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
"""


def configure(tmp_path: Path, emu: OdooEmulator, extra: str = "") -> Config:
    text = SERVER + PROGRAM.format(extra="".join(f"    {line}\n" for line in extra.splitlines()))
    cfg = write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}", text)
    generate_key(cfg.certificates.signing_key)
    return cfg


@pytest.fixture
def odoo(emu: OdooEmulator) -> Any:
    with client_for(emu) as client:
        yield client


def run(cfg: Config, odoo: OdooClient) -> Store:
    store = open_migrated(cfg)
    sync_once(cfg, store, odoo)
    return store


def standing(store: Store) -> dict[int, tuple[bool | None, str | None]]:
    with store.sessions() as session:
        rows = session.scalars(select(Student)).all()
        return {s.odoo_partner_id: (s.internal_user, s.excluded) for s in rows}


def listed(store: Store) -> set[int]:
    with store.sessions() as session:
        return {row.partner_id for row in queries.students(session, "gardening")}


def test_internal_users_and_the_course_responsible_are_no_trainees(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    store = run(configure(tmp_path, emu), odoo)
    try:
        assert standing(store) == {
            MITCHELL: (True, "course_responsible"),
            MARC: (True, "internal_user"),
            JOEL: (False, None),
        }
        assert listed(store) == {JOEL}  # `ojt-sidecar students`
        with store.sessions() as session:
            (status,) = queries.program_statuses(session)
        assert status.students == 1
    finally:
        store.close()


def test_include_internal_users_brings_them_in(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    store = run(configure(tmp_path, emu, "include_internal_users: true"), odoo)
    try:
        assert standing(store) == {MITCHELL: (True, None), MARC: (True, None), JOEL: (False, None)}
        assert listed(store) == {MITCHELL, MARC, JOEL}
    finally:
        store.close()


def test_an_internal_user_enrolled_from_an_applicant_still_counts(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    cfg = configure(tmp_path, emu)
    store = open_migrated(cfg)
    try:
        with store.sessions() as session, session.begin():
            program = session.scalars(select(Program)).one()
            session.add(
                Enrollment(
                    subject="applicant:99",
                    program_id=program.id,
                    odoo_applicant_id=99,
                    odoo_partner_id=MARC,
                    state=EnrollmentState.ENROLLED,
                )
            )
        sync_once(cfg, store, odoo)
        assert standing(store)[MARC] == (True, None)
        assert listed(store) == {MARC, JOEL}
    finally:
        store.close()


def test_the_course_responsible_is_excluded_even_as_a_portal_user(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    # Joel's portal user (id 7) made responsible of one course: a share partner, yet no trainee.
    course = emu.env.search("slide.channel", [("name", "=", "Taking care of Trees")])
    emu.env.write("slide.channel", course, {"user_id": 7})
    store = run(configure(tmp_path, emu), odoo)
    try:
        assert standing(store)[JOEL] == (False, "course_responsible")
        assert listed(store) == set()
    finally:
        store.close()


def complete_and_archive(cfg: Config, emu: OdooEmulator, odoo: OdooClient, store: Store) -> int:
    """Joel completes both courses (synced), then leaves "Basics of Gardening" (archived)."""
    simulate_completions(odoo, "gardening", cfg, count=1)
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        joel = session.scalars(select(Student).where(Student.odoo_partner_id == JOEL)).one()
        assert joel.complete
    emu.advance(2)
    course = emu.env.search("slide.channel", [("name", "=", "Basics of Gardening")])
    membership = emu.env.search(
        "slide.channel.partner", [("channel_id", "in", course), ("partner_id", "=", JOEL)]
    )
    emu.env.write("slide.channel.partner", membership, {"active": False})
    return membership[0]


def joel(store: Store) -> Student:
    with store.sessions() as session:
        return session.scalars(select(Student).where(Student.odoo_partner_id == JOEL)).one()


def test_keep_completion_keeps_an_archived_course_completed(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    cfg = configure(tmp_path, emu)
    assert cfg.programs[0].removed_membership == "keep_completion"
    store = open_migrated(cfg)
    try:
        complete_and_archive(cfg, emu, odoo, store)
        sync_once(cfg, store, odoo)
        assert joel(store).complete and joel(store).elearning_pct == 100.0
    finally:
        store.close()


def test_drop_makes_an_archived_course_not_completed_and_issues_nothing(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    cfg = configure(tmp_path, emu, "removed_membership: drop")
    store = open_migrated(cfg)
    try:
        complete_and_archive(cfg, emu, odoo, store)
        sync_once(cfg, store, odoo)
        assert not joel(store).complete and joel(store).elearning_pct == 50.0
        report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
        assert report.issued == []
    finally:
        store.close()


def test_revoke_on_removal_revokes_with_the_reason_on_the_verify_page(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    cfg = configure(tmp_path, emu, "removed_membership: drop\nrevoke_on_removal: true")
    store = open_migrated(cfg)
    try:
        simulate_completions(odoo, "gardening", cfg, count=1)
        sync_once(cfg, store, odoo)
        ctx = JobContext(cfg, store.sessions, odoo)
        ((serial, _, _),) = IssueJob(ctx).run().issued
        emu.advance(2)
        course = emu.env.search("slide.channel", [("name", "=", "Basics of Gardening")])
        membership = emu.env.search(
            "slide.channel.partner", [("channel_id", "in", course), ("partner_id", "=", JOEL)]
        )
        emu.env.write("slide.channel.partner", membership, {"active": False})
        sync_once(cfg, store, odoo)
        report = IssueJob(ctx).run()
        assert report.revoked == [serial] and report.issued == []
        with store.sessions() as session:
            cert = session.scalars(select(Certificate)).one()
        day = emu.env.search_read(
            "slide.channel.partner",
            [("id", "in", membership)],
            ["write_date"],
            context={"active_test": False},
        )[0]
        reason = f"removed from course Basics of Gardening on {str(day['write_date'])[:10]}"
        assert cert.revoked_reason == reason
        # the note for mentors, as `ojt-sidecar cert revoke` queues it, was delivered
        notes = emu.env.search("mail.message", [("body", "ilike", f"{serial}</b>")])
        assert notes
        page = create_app(cfg).test_client().get(f"/c/{serial}").get_data(as_text=True)
        assert "revoked" in page and reason in page
        assert IssueJob(ctx).run().revoked == []  # once
    finally:
        store.close()


def test_a_removal_before_the_certificate_revokes_nothing(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    # Issued under keep_completion with the membership already archived; switching to
    # drop + revoke_on_removal does not reach back.
    cfg = configure(tmp_path, emu)
    store = open_migrated(cfg)
    try:
        complete_and_archive(cfg, emu, odoo, store)
        sync_once(cfg, store, odoo)
        ctx = JobContext(cfg, store.sessions, odoo)
        assert len(IssueJob(ctx).run().issued) == 1
        # issued a day after the removal (the emulator's clock runs ahead of the test's)
        with store.sessions() as session, session.begin():
            session.execute(update(Certificate).values(issued_at=utcnow() + timedelta(days=1)))
        strict = configure(
            tmp_path / "strict", emu, "removed_membership: drop\nrevoke_on_removal: true"
        )
        assert IssueJob(JobContext(strict, store.sessions, odoo)).run().revoked == []
    finally:
        store.close()


def test_revoke_on_removal_needs_drop(tmp_path: Path, emu: OdooEmulator) -> None:
    with pytest.raises(ConfigError) as caught:
        configure(tmp_path, emu, "revoke_on_removal: true")
    assert "revoke_on_removal: needs removed_membership: drop" in str(caught.value)


def test_check_counts_who_each_rule_leaves_out(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    cfg = configure(tmp_path, emu)
    texts = [f.text for f in run_preflight(odoo, cfg)]
    assert (
        "program gardening: 3 member(s) of its courses; not trainees: 1 course responsible(s), "
        "1 internal user(s) (unless enrolled from an applicant); removed memberships keep their "
        "completion (removed_membership: keep_completion)"
    ) in texts
    # each member under the first rule that leaves them out
    members = [(1, MITCHELL, True), (1, MARC, True), (1, JOEL, False), (2, JOEL, True)]
    dropping = configure(tmp_path / "drop", emu, "removed_membership: drop").programs[0]
    assert tally(dropping, members, {MITCHELL}, {MITCHELL, MARC}) == Tally(3, 1, 1, 1)
    everyone = configure(tmp_path / "all", emu, "include_internal_users: true").programs[0]
    assert tally(everyone, members, {MITCHELL}, {MITCHELL, MARC}) == Tally(3, 0, 0, 0)


def test_an_upgraded_store_marks_its_internal_students_at_the_next_recompute(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    # Rows as a store before 0009 holds them: no standing read, nobody excluded; the new
    # settings digest queues every student when the upgraded sidecar starts.
    cfg = configure(tmp_path, emu)
    store = run(cfg, odoo)
    try:
        with store.sessions() as session, session.begin():
            session.execute(update(Student).values(internal_user=None, excluded=None))
            session.execute(update(Program).values(settings_digest="before 0009"))
        store.close()
        store = run(cfg, odoo)
        assert standing(store) == {
            MITCHELL: (True, "course_responsible"),
            MARC: (True, "internal_user"),
            JOEL: (False, None),
        }
    finally:
        store.close()

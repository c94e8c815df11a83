"""A trainee's status where Odoo users look (`status_in_odoo`, docs/status-in-odoo.md): one contact
tag per program, moved as the status changes, never doubled, reused when a tag of its name
exists, and not put back after a person took it off until the status changes again; `OJT
progress %` and `OJT status` on the applicant (17.0+, opt-in), written once per change with the
job's and the applicant's other properties kept. Against the emulator over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.preflight import run_preflight
from jobs.rehearsal import rehearse
from jobs.sync.runner import SyncJob
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import OutboxMessage, Student
from tests.jobs.syncing import SERVER, signed_config, sync_once
from tests.stores import open_migrated

PROGRAM = (
    SERVER
    + """\
programs:
  - key: gardening
    name: Gardening OJT
    # the demo's members include internal users (Marc Demo, 7), tagged here as trainees
    include_internal_users: {internal}
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
{jobs}
certificates:
  output_dir: certificates
  signing_key: keys/signing.key
{extra}
"""
)
WITH_PROPERTIES = "status_in_odoo:\n  applicant_properties: true"
WITHOUT_TAGS = "status_in_odoo:\n  partner_tags: false"
ENROLLED, IN_PROGRESS = "OJT Gardening OJT: enrolled", "OJT Gardening OJT: in progress"
COMPLETED = "OJT Gardening OJT: completed"
# the emulator's demo trainees of the program: 3 has started, 7 and 8 are enrolled; a
# simulated completion of one trainee completes 8, the newest
STARTED, ENROLLED_ONLY, FINISHER = 3, 7, 8


def program_config(
    tmp_path: Path,
    emu: OdooEmulator,
    extra: str = "",
    jobs: bool = False,
    internal: bool = True,
) -> Config:
    job_line = "    jobs: [Experienced Developer]" if jobs else ""
    text = PROGRAM.replace("{jobs}", job_line).replace("{extra}", extra)
    return signed_config(tmp_path, emu, text.replace("{internal}", str(internal).lower()))


@pytest.fixture(params=["16.0", "17.0", "19.0"])
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return program_config(tmp_path, emu)


def cycle(cfg: Config, store: Store, odoo: OdooClient) -> None:
    """A sync, then delivery of what it queued."""
    summary = sync_once(cfg, store, odoo)
    assert summary.problems == []
    report = deliver(JobContext(cfg, store.sessions, odoo))
    assert report.failed == 0, report.errors


def read(emu: OdooEmulator, model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
    rows = emu.env.search_read(
        model, [("id", "in", ids)], fields, order="id", context={"active_test": False}
    )
    return sorted(rows, key=lambda r: ids.index(r["id"]))


def tags_of(emu: OdooEmulator, partner: int) -> set[str]:
    ids = read(emu, "res.partner", [partner], ["category_id"])[0]["category_id"]
    return {r["name"] for r in read(emu, "res.partner.category", ids, ["name"])}


def tag_ids(emu: OdooEmulator) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for row in emu.env.search_read("res.partner.category", [], ["name"]):
        found.setdefault(row["name"], []).append(row["id"])
    return found


def outbox_rows(store: Store) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_tags_appear_move_with_the_status_and_are_never_doubled(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    by_hand = emu.env.create("res.partner.category", {"name": "OJT Gardening OJT: certified"})
    emu.env.write("res.partner", [STARTED], {"category_id": [(4, by_hand)]})
    cycle(cfg, store, odoo)
    assert ENROLLED in tags_of(emu, ENROLLED_ONLY) and ENROLLED in tags_of(emu, FINISHER)
    assert tags_of(emu, STARTED) == {IN_PROGRESS, "OJT Gardening OJT: certified"}
    made, rows = tag_ids(emu), outbox_rows(store)
    assert all(len(ids) == 1 for ids in made.values())

    for _ in range(3):  # re-runs add nothing, in the store or in Odoo
        cycle(cfg, store, odoo)
        assert (tag_ids(emu), outbox_rows(store)) == (made, rows)

    simulate_completions(odoo, "gardening", cfg, count=1)
    cycle(cfg, store, odoo)
    program_tags = {t for t in tags_of(emu, FINISHER) if t.startswith("OJT Gardening OJT")}
    assert program_tags == {COMPLETED}  # moved: exactly one tag of the program
    assert tags_of(emu, STARTED) == {IN_PROGRESS, "OJT Gardening OJT: certified"}  # left alone
    assert all(len(ids) == 1 for ids in tag_ids(emu).values())


def test_a_tag_taken_off_by_hand_stays_off_until_the_status_changes(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    cycle(cfg, store, odoo)
    enrolled = tag_ids(emu)[ENROLLED][0]
    emu.env.write("res.partner", [FINISHER], {"category_id": [(3, enrolled)]})
    for _ in range(2):
        cycle(cfg, store, odoo)
        assert ENROLLED not in tags_of(emu, FINISHER)
    simulate_completions(odoo, "gardening", cfg, count=1)
    cycle(cfg, store, odoo)
    assert COMPLETED in tags_of(emu, FINISHER)


def test_a_tag_of_the_same_name_is_reused_the_oldest_first(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    first = emu.env.create("res.partner.category", {"name": ENROLLED})
    emu.env.create("res.partner.category", {"name": ENROLLED})
    cycle(cfg, store, odoo)
    assert len(tag_ids(emu)[ENROLLED]) == 2  # none made
    partners = read(emu, "res.partner", [ENROLLED_ONLY, FINISHER], ["category_id"])
    assert all(first in p["category_id"] for p in partners)


def test_a_dry_run_shows_the_tag_writes_and_sends_none(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    with rehearse(JobContext(cfg, store.sessions, odoo)) as rehearsal:
        SyncJob(rehearsal.ctx).run()
    shown = "\n".join(rehearsal.lines())
    assert f"create the contact tag {ENROLLED!r}" in shown
    assert "category_id" in shown
    assert tag_ids(emu) == {} and outbox_rows(store) == 0


@pytest.mark.parametrize("version", ["17.0"])
def test_tags_off_write_nothing(tmp_path: Path, emu: OdooEmulator, odoo: OdooClient) -> None:
    from tests.stores import open_migrated

    cfg = program_config(tmp_path / "off", emu, WITHOUT_TAGS)
    store = open_migrated(cfg)
    try:
        cycle(cfg, store, odoo)
        assert tag_ids(emu) == {} and outbox_rows(store) == 0
    finally:
        store.close()


# -- applicant properties (17.0+) ---------------------------------------------------------------


def applicant_of(emu: OdooEmulator, store: Store, partner: int) -> tuple[int, int]:
    """A demo applicant made the trainee's (as enrollment records it): (applicant, its job)."""
    applicant = emu.env.search("hr.applicant", [], order="id")[0]
    job = read(emu, "hr.applicant", [applicant], ["job_id"])[0]["job_id"][0]
    with store.sessions() as session, session.begin():
        student = session.scalars(select(Student).where(Student.odoo_partner_id == partner)).one()
        student.odoo_applicant_id = applicant
    return applicant, job


def values_of(emu: OdooEmulator, applicant: int) -> dict[str, Any]:
    props = read(emu, "hr.applicant", [applicant], ["applicant_properties"])[0]
    return {p["name"]: p.get("value") for p in props["applicant_properties"]}


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_applicant_properties_are_written_once_per_change_and_keep_the_others(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    from tests.stores import open_migrated

    cfg = program_config(tmp_path / "props", emu, WITH_PROPERTIES, jobs=True)
    store = open_migrated(cfg)
    try:
        sync_once(cfg, store, odoo)
        applicant, job = applicant_of(emu, store, FINISHER)
        seniority = {"name": "seniority", "string": "Seniority", "type": "char"}
        emu.env.write("hr.job", [job], {"applicant_properties_definition": [seniority]})
        emu.env.write("hr.applicant", [applicant], {"applicant_properties": {"seniority": "jr"}})

        cycle(cfg, store, odoo)  # the job's definition first
        cycle(cfg, store, odoo)  # then the values
        definition = read(emu, "hr.job", [job], ["applicant_properties_definition"])[0]
        names = [p["name"] for p in definition["applicant_properties_definition"]]
        assert names == ["seniority", "ojt_progress", "ojt_status"]
        assert values_of(emu, applicant) == {
            "seniority": "jr",
            "ojt_progress": 0.0,
            "ojt_status": "enrolled",
        }
        rows = outbox_rows(store)
        for _ in range(3):
            cycle(cfg, store, odoo)
            assert outbox_rows(store) == rows

        simulate_completions(odoo, "gardening", cfg, count=1)
        cycle(cfg, store, odoo)
        assert values_of(emu, applicant)["ojt_status"] == "completed"
        assert values_of(emu, applicant)["seniority"] == "jr"
        with store.sessions() as session:
            writes = session.scalars(
                select(OutboxMessage.key).where(OutboxMessage.key.like("status-props:%"))
            ).all()
        assert len(writes) == 2  # one per change
    finally:
        store.close()


@pytest.mark.parametrize("version", ["17.0"])
def test_applicant_properties_are_opt_in(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    from tests.stores import open_migrated

    cfg = program_config(tmp_path / "optin", emu, WITHOUT_TAGS, jobs=True)
    store = open_migrated(cfg)
    try:
        sync_once(cfg, store, odoo)
        _, job = applicant_of(emu, store, FINISHER)
        cycle(cfg, store, odoo)
        assert outbox_rows(store) == 0
        definition = read(emu, "hr.job", [job], ["applicant_properties_definition"])[0]
        assert not definition["applicant_properties_definition"]
    finally:
        store.close()


@pytest.mark.parametrize("version", ["16.0", "17.0"])
def test_check_names_what_status_in_odoo_needs(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient, version: str
) -> None:
    cfg = program_config(tmp_path / "check", emu, WITH_PROPERTIES, jobs=True)
    found = [str(f) for f in run_preflight(odoo, cfg)]
    assert any("OK" in f and "Contact tags" in f for f in found), found
    if version == "16.0":
        assert any("WARN" in f and "no applicant properties" in f for f in found), found
    else:
        assert any("OK" in f and "Applicant properties" in f for f in found), found


@pytest.mark.parametrize("version", ["16.0"])
def test_on_16_applicant_properties_are_skipped(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    from tests.stores import open_migrated

    cfg = program_config(tmp_path / "v16", emu, WITH_PROPERTIES + "\n  partner_tags: false", True)
    store = open_migrated(cfg)
    try:
        sync_once(cfg, store, odoo)
        applicant_of(emu, store, FINISHER)
        cycle(cfg, store, odoo)
        assert outbox_rows(store) == 0
    finally:
        store.close()


def test_members_who_are_no_trainees_get_no_tag(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    # by default the demo's internal users (3, 7) are no trainees (product-rules §12)
    cfg = program_config(tmp_path, emu, internal=False)
    store = open_migrated(cfg)
    cycle(cfg, store, odoo)
    store.close()
    assert tags_of(emu, FINISHER) == {ENROLLED}
    assert tags_of(emu, STARTED) == set() and tags_of(emu, ENROLLED_ONLY) == set()

"""Batches made in Odoo (`programs[].batch_tag`): the tag and its category are created once, every
tagged event is a batch with the event's name, dates and description, an ended event closes its
batch and certifies its participants, a cancelled one certifies nobody, an untagged one is
archived. Against the emulator over HTTP, on a version with a Cancelled stage and on 19.0, where
an event is cancelled by its kanban state."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.incremental.batch_tags import batch_key, plain_text
from jobs.issue.runner import IssueJob
from jobs.preflight import run_preflight
from sidecar.cli import main
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import Batch, Certificate, OutboxMessage, Student
from tests.jobs.syncing import SERVER, signed_config, sync_once
from tests.stores import open_migrated

TAG = "Welding cohort"
CATEGORY = "OJT batches"
PROGRAM = (
    SERVER
    + """\
programs:
  - key: welding
    name: Welding OJT
    courses:
      - course: Basics of Gardening
    issue_on: batch_done
    batch_tag: Welding cohort
    include_internal_users: true  # its participants are the demo's internal users
certificates:
  issuer: {{name: Test Training}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
"""
)
ENDED = 4  # event.stage "Ended" (pipe_end) in the emulator's demo data, on every version
CANCELLED_STAGE = 5  # "Cancelled" on 16.0-18.0 (pipe_end too); 19.0 has no such stage


@pytest.fixture(params=["17.0", "19.0"])
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return signed_config(tmp_path, emu, PROGRAM)


# `emu`, `store` and `odoo` come from tests/jobs/conftest.py, on this module's `version`
# and `cfg`.


def cycle(cfg: Config, store: Store, odoo: OdooClient) -> None:
    """A sync, then delivery of what it queued."""
    sync_once(cfg, store, odoo)
    deliver(JobContext(cfg, store.sessions, odoo))


def completers(cfg: Config, store: Store, odoo: OdooClient, count: int) -> list[int]:
    """`count` trainees finish the program in Odoo; after a sync, the partners who completed."""
    simulate_completions(odoo, "welding", cfg, count=count)
    sync_once(cfg, store, odoo)
    with store.sessions() as session:
        return sorted(
            session.scalars(select(Student.odoo_partner_id).where(Student.complete.is_(True)))
        )


def tag_rows(emu: OdooEmulator) -> tuple[list[int], list[int]]:
    categories = emu.env.search("event.tag.category", [("name", "=", CATEGORY)])
    tags = emu.env.search("event.tag", [("name", "=", TAG)])
    return categories, tags


def batches(store: Store) -> dict[str, Batch]:
    with store.sessions() as session:
        rows = session.scalars(select(Batch).where(Batch.origin == "odoo")).all()
        for row in rows:
            session.expunge(row)
        return {row.key: row for row in rows}


def tagged_event(emu: OdooEmulator, tag: int, name: str, description: str = "") -> int:
    return emu.env.create(
        "event.event",
        {
            "name": name,
            "date_begin": "2026-12-07 08:00:00",
            "date_end": "2026-12-18 17:00:00",
            "tag_ids": [(4, tag)],
            "description": description,
        },
    )


def test_the_tag_is_made_once_and_each_tagged_event_is_a_batch(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    cycle(cfg, store, odoo)
    categories, tags = tag_rows(emu)
    assert len(categories) == 1 and len(tags) == 1
    made = emu.env.search_read("event.tag", [("id", "in", tags)], ["category_id"])
    assert made[0]["category_id"][0] == categories[0]
    for _ in range(2):  # re-runs double nothing
        cycle(cfg, store, odoo)
        assert tag_rows(emu) == (categories, tags)
    assert batches(store) == {}

    first = tagged_event(
        emu, tags[0], "Welding, December", "<p>Arc &amp; <b>MIG</b></p><p>Bay 3</p>"
    )
    second = tagged_event(emu, tags[0], "Welding, January")
    untagged = emu.env.create(
        "event.event",
        {
            "name": "Not a batch",
            "date_begin": "2026-12-07 08:00:00",
            "date_end": "2026-12-08 17:00:00",
        },
    )
    cycle(cfg, store, odoo)
    found = batches(store)
    assert set(found) == {batch_key(first), batch_key(second)}
    assert batch_key(untagged) not in found
    december = found[batch_key(first)]
    assert (december.name, december.start_date, december.end_date) == (
        "Welding, December",
        date(2026, 12, 7),
        date(2026, 12, 18),
    )
    assert december.description == "Arc & MIG\nBay 3"
    assert december.status == "open" and december.odoo_event_id == first

    emu.env.write("event.event", [second], {"tag_ids": [(3, tags[0])], "name": "Renamed"})
    emu.env.write("event.event", [first], {"name": "Welding, Dec."})
    cycle(cfg, store, odoo)
    found = batches(store)
    assert found[batch_key(second)].status == "archived"
    assert found[batch_key(first)].name == "Welding, Dec."
    emu.env.write("event.event", [second], {"tag_ids": [(4, tags[0])]})
    cycle(cfg, store, odoo)
    assert batches(store)[batch_key(second)].status == "open"
    assert tag_rows(emu) == (categories, tags)


def test_an_ended_batch_certifies_its_participants_and_a_cancelled_one_nobody(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator, version: str, tmp_path: Path
) -> None:
    cycle(cfg, store, odoo)
    _, tags = tag_rows(emu)
    ending = tagged_event(emu, tags[0], "Welding, December")
    cancelled = tagged_event(emu, tags[0], "Welding, January")
    done = completers(cfg, store, odoo, 3)
    assert len(done) == 3
    for partner in done[:2]:
        emu.env.create("event.registration", {"event_id": ending, "partner_id": partner})
    emu.env.create("event.registration", {"event_id": cancelled, "partner_id": done[2]})
    cycle(cfg, store, odoo)

    job = JobContext(cfg, store.sessions, odoo)
    assert IssueJob(job).run().issued == []  # neither event is over yet

    emu.env.write("event.event", [ending], {"stage_id": ENDED})
    if version == "19.0":
        emu.env.write("event.event", [cancelled], {"kanban_state": "cancel"})
    else:
        emu.env.write("event.event", [cancelled], {"stage_id": CANCELLED_STAGE})
    report = IssueJob(job).run()
    assert report.batches_closed == [f"welding/{batch_key(ending)}"]
    assert report.batches_cancelled == [f"welding/{batch_key(cancelled)}"]
    found = batches(store)
    assert found[batch_key(ending)].status == "done"
    assert found[batch_key(cancelled)].status == "cancelled"
    with store.sessions() as session:
        certified = {(c.odoo_partner_id, c.batch_id) for c in session.scalars(select(Certificate))}
    assert certified == {(p, found[batch_key(ending)].id) for p in done[:2]}

    again = IssueJob(job).run()  # re-run: nothing more
    assert again.issued == [] and again.batches_closed == [] and again.batches_cancelled == []

    listed = CliRunner().invoke(main, ["batches", "-c", str(tmp_path / "config.yaml"), "--json"])
    assert listed.exit_code == 0, listed.output
    assert [
        (b["key"], b["origin"], b["status"], b["registered"], b["certified"])
        for b in json.loads(listed.stdout)
    ] == [
        (batch_key(ending), "odoo", "done", 2, 2),
        (batch_key(cancelled), "odoo", "cancelled", 1, 0),
    ]
    text = CliRunner().invoke(main, ["batches", "-c", str(tmp_path / "config.yaml")]).stdout
    assert text.splitlines()[0].split() == [
        "program",
        "batch",
        "name",
        "start",
        "end",
        "from",
        "status",
        "registered",
        "certified",
    ]
    wrong = CliRunner().invoke(
        main, ["batches", "-c", str(tmp_path / "config.yaml"), "--program", "x"]
    )
    assert wrong.exit_code == 2
    assert wrong.stderr == "error: no program 'x' in the config (programs: welding)\n"


def test_plain_text_of_an_event_description() -> None:
    assert (
        plain_text("<p>One&nbsp;<i>two</i></p><p></p><br>three  four") == "One\xa0 two\nthree four"
    )
    assert plain_text("") == ""
    assert plain_text("<ul><li>Arc</li><LI>MIG</LI></ul>a<br/>b<BR />c") == "Arc\nMIG\na\nb\nc"


def test_with_approval_an_unconfirmed_registration_waits_for_a_mentor(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    text = PROGRAM.replace(
        "    batch_tag: Welding cohort\n",
        "    batch_tag: Welding cohort\n    batch_approval: true\n",
    )
    cfg = signed_config(tmp_path, emu, text)
    assert cfg.program("welding").batch_approval
    store = open_migrated(cfg)
    try:
        cycle(cfg, store, odoo)
        _, tags = tag_rows(emu)
        event = tagged_event(emu, tags[0], "Welding, December")
        done = completers(cfg, store, odoo, 2)
        waiting = emu.env.create(
            "event.registration", {"event_id": event, "partner_id": done[0], "state": "draft"}
        )
        emu.env.create("event.registration", {"event_id": event, "partner_id": done[1]})
        emu.env.write("event.event", [event], {"stage_id": ENDED})
        cycle(cfg, store, odoo)
        job = JobContext(cfg, store.sessions, odoo)
        IssueJob(job).run()
        with store.sessions() as session:
            assert list(session.scalars(select(Certificate.odoo_partner_id))) == [done[1]]

        emu.env.write("event.registration", [waiting], {"state": "open"})  # the mentor confirms
        cycle(cfg, store, odoo)
        IssueJob(job).run()
        with store.sessions() as session:
            certified = set(session.scalars(select(Certificate.odoo_partner_id)))
        assert certified == set(done)
    finally:
        store.close()


def test_check_lists_the_tagged_batches_and_a_trainee_in_two_open_ones(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    before = [str(f) for f in run_preflight(odoo, cfg) if "batch" in f.text]
    assert before == [
        "WARN  program welding: batch tag 'Welding cohort' is not in Odoo (its category is "
        "missing too); the next sync creates it in event tag category 'OJT batches'"
    ]
    cycle(cfg, store, odoo)
    _, tags = tag_rows(emu)
    first = tagged_event(emu, tags[0], "Welding, December")
    second = tagged_event(emu, tags[0], "Welding, January")
    ended = tagged_event(emu, tags[0], "Welding, November")
    emu.env.write("event.event", [ended], {"stage_id": ENDED})
    for event in (first, second, ended):
        emu.env.create("event.registration", {"event_id": event, "partner_id": 8})
    emu.env.create("event.registration", {"event_id": ended, "partner_id": 7})
    emu.env.create("event.registration", {"event_id": first, "partner_id": 7})
    after = [str(f) for f in run_preflight(odoo, cfg) if "batch" in f.text]
    assert after[0] == (
        f"OK    program welding: batch tag 'Welding cohort' → event.tag {tags[0]}, "
        "3 tagged event(s)"
    )
    assert sorted(after[1:4]) == sorted(
        f"OK    program welding: batch {name!r} (event {event}, {day} to 2026-12-18)"
        for name, event, day in (
            ("Welding, December", first, "2026-12-07"),
            ("Welding, January", second, "2026-12-07"),
            ("Welding, November", ended, "2026-12-07"),
        )
    )
    # partner 8 is in two open batches (the ended one does not count); partner 7 in one
    assert after[4:] == [
        "WARN  program welding: partner 8 is registered in 2 open batches ('Welding, "
        "December', 'Welding, January'); a trainee belongs to one"
    ]


def test_an_event_cancelled_by_mistake_and_put_back_reopens_its_batch(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator, version: str
) -> None:
    cycle(cfg, store, odoo)
    _, tags = tag_rows(emu)
    event = tagged_event(emu, tags[0], "Welding, December")
    (partner,) = completers(cfg, store, odoo, 1)
    emu.env.create("event.registration", {"event_id": event, "partner_id": partner})
    cycle(cfg, store, odoo)
    job = JobContext(cfg, store.sessions, odoo)
    cancel, back = (
        ({"kanban_state": "cancel"}, {"kanban_state": "normal"})
        if version == "19.0"
        else ({"stage_id": CANCELLED_STAGE}, {"stage_id": 3})
    )
    emu.env.write("event.event", [event], cancel)
    assert IssueJob(job).run().batches_cancelled == [f"welding/{batch_key(event)}"]
    assert IssueJob(job).run().batches_cancelled == []  # said once
    emu.env.write("event.event", [event], back)
    IssueJob(job).run()
    assert batches(store)[batch_key(event)].status == "open"
    emu.env.write("event.event", [event], {"stage_id": ENDED})
    report = IssueJob(job).run()
    assert report.batches_closed == [f"welding/{batch_key(event)}"] and len(report.issued) == 1


def test_a_refused_tag_read_is_a_problem_of_the_cycle_not_the_end_of_the_sync(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    emu.faults.add(
        FaultRule(
            "fault",
            model="event.tag.category",
            fault_code=4,
            fault_string="You are not allowed to access 'Event Tag Category' records.",
        )
    )
    summary = sync_once(cfg, store, odoo)
    assert any(p.startswith("batches from tagged events: ") for p in summary.problems)
    assert [s.name for s in summary.streams]  # the streams were synced all the same
    with store.sessions() as session:
        assert session.scalar(select(Student.id)) is not None


def test_names_of_200_characters_make_outbox_keys_that_fit(
    tmp_path: Path, emu: OdooEmulator, odoo: OdooClient
) -> None:
    tag, category = "T" * 200, "C" * 200
    text = PROGRAM.replace("batch_tag: Welding cohort", f"batch_tag: {tag}") + (
        f"sync:\n  batch_tag_category: {category}\n"
    )
    cfg = signed_config(tmp_path, emu, text)
    store = open_migrated(cfg)
    try:
        cycle(cfg, store, odoo)
        with store.sessions() as session:
            keys = list(session.scalars(select(OutboxMessage.key)))
        batch_keys = [key for key in keys if key.startswith("event-tag")]
        assert len(batch_keys) == 2 and all(len(key) <= 200 for key in keys)  # the column's size
        assert emu.env.search(
            "event.tag", [("name", "=", tag), ("category_id.name", "=", category)]
        )
    finally:
        store.close()

"""The acceptance scenario on a real Odoo (docs/product-rules.md §12-§14, docs/reports.md), run
with ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD of an administrator (`./dev test -m live`;
ODOO_API_KEY as well makes the jobs speak JSON-2 on 19+).

- A course made by the administrator, with three contacts (no users) joined and one of them
  having completed it: the administrator, the course's responsible and a member of it, is no
  trainee. That trainee's membership is then archived in Odoo: with `removed_membership:
  keep_completion` they stay complete and are certified; with `drop` they are not complete and
  get no certificate. Three more whole cycles (sync, issue, notify, deliver) double nothing in
  Odoo: each notification, the certificate's message and attachment, the e-mails and the
  contact's status tag are there once.
- The `completion` report of a fresh store agrees with Odoo's own counters for the course
  (`members_count`, `members_completed_count`) and with a count of its memberships, once the
  administrator's membership, which Odoo counts and the sidecar leaves out, is taken off; and
  still does (17.0+) after a completed membership is archived.

Each test makes its own course and contacts, named after a unique tag, and archives them after.
Odoo 16.0 cannot archive a membership, so the scenario is skipped there.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.issue.runner import IssueJob
from jobs.notify import NotifyJob
from jobs.odoo.profile import profile_of
from jobs.odoo_session import client_from_config
from jobs.sync.runner import SyncJob
from sidecar.cli import main
from sidecar.config import Config
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Certificate, Student
from tests.jobs.live import clean_up, live_course, write_live_config
from tests.jobs.syncing import sync_once

pytestmark = pytest.mark.live

CONFIG = """\
programs:
  - key: accept
    name: {name}
    removed_membership: {rule}
    courses:
      - course: {course}
"""

REF = "Ref. notify:"


def _transport(live: OdooClient) -> str:
    """What `transport: auto` speaks to this server: JSON-2 with an API key on 19+."""
    return "json2" if os.environ.get("ODOO_API_KEY") and profile_of(live).json2 else "xmlrpc"


def _course_with_two_lessons(live: OdooClient, tag: str) -> tuple[int, list[int]]:
    course, first = live_course(live, tag)
    second = live.create(
        "slide.slide",
        {
            "name": f"OJT live lesson 2 {tag}",
            "channel_id": course,
            "slide_category": "article",
            "is_published": True,
        },
    )
    return course, [first, int(second)]


def _contacts(live: OdooClient, tag: str, count: int) -> list[int]:
    """Contacts without a user: trainees by §12."""
    return [
        int(
            live.create(
                "res.partner",
                {"name": f"OJT acceptance {i} {tag}", "email": f"ojt.accept.{i}.{tag}@example.org"},
            )
        )
        for i in range(count)
    ]


def _join(live: OdooClient, course: int, partners: list[int]) -> dict[int, int]:
    """Partner → their new membership of the course."""
    return {
        partner: int(
            live.create("slide.channel.partner", {"channel_id": course, "partner_id": partner})
        )
        for partner in partners
    }


def _complete(live: OdooClient, course: int, lessons: list[int], partner: int) -> None:
    for lesson in lessons:
        live.create(
            "slide.slide.partner",
            {"slide_id": lesson, "channel_id": course, "partner_id": partner, "completed": True},
        )


def _creator_partner(live: OdooClient, course: int) -> int:
    """The partner of the course's responsible user (its creator: the test's user)."""
    (row,) = live.read("slide.channel", [course], ["user_id"], names=False)
    (user,) = live.read("res.users", [row["user_id"]], ["partner_id"], names=False)
    return int(user["partner_id"])


def _memberships(live: OdooClient, course: int, partner: int) -> list[int]:
    domain = [("channel_id", "=", course), ("partner_id", "=", partner)]
    return live.search("slide.channel.partner", domain)


def _students(store: Store) -> dict[int, tuple[str | None, bool]]:
    """Partner → (excluded, complete) of every student row."""
    with store.sessions() as session:
        return {
            s.odoo_partner_id: (s.excluded, s.complete) for s in session.scalars(select(Student))
        }


def _status(store: Store, partner: int) -> str:
    with store.sessions() as session:
        found = session.scalars(select(Student).where(Student.odoo_partner_id == partner))
        return found.one().integration_status


def _serials(store: Store) -> dict[int, list[str]]:
    """Partner → serials of their certificates."""
    found: dict[int, list[str]] = {}
    with store.sessions() as session:
        for cert in session.scalars(select(Certificate).order_by(Certificate.id)):
            found.setdefault(cert.odoo_partner_id, []).append(cert.serial)
    return found


def _what_odoo_shows(
    live: OdooClient, partner: int, serials: list[str], program_name: str
) -> dict[str, Any]:
    """What the sidecar left on one contact: its notifications by reference, its certificate
    messages (by message type and subtype) and attachments, the e-mails Odoo queued for those
    messages, and its status tags for the program."""
    messages = live.search_read_list(
        "mail.message",
        [("model", "=", "res.partner"), ("res_id", "=", partner)],
        ["body", "message_type", "subtype_id"],
        names=False,
    )
    refs: Counter[str] = Counter()
    certificate: Counter[tuple[str, str, int]] = Counter()
    ours: list[int] = []
    for message in messages:
        body = str(message["body"] or "")
        if REF in body:
            ref = body.split(REF, 1)[1].split("<", 1)[0].strip()
            refs[ref] += 1
            ours.append(int(message["id"]))
        for serial in serials:
            if serial in body:
                kind = (serial, str(message["message_type"]), int(message["subtype_id"] or 0))
                certificate[kind] += 1
                ours.append(int(message["id"]))
    attachments = Counter(
        str(row["name"])
        for row in live.search_read_list(
            "ir.attachment",
            [("res_model", "=", "res.partner"), ("res_id", "=", partner)],
            ["name"],
        )
        if any(serial in str(row["name"]) for serial in serials)
    )
    mails = Counter(dict.fromkeys(ours, 0))
    mails.update(
        int(row["mail_message_id"])
        for row in live.search_read_list(
            "mail.mail", [("mail_message_id", "in", ours)], ["mail_message_id"], names=False
        )
    )
    (row,) = live.read("res.partner", [partner], ["category_id"], names=False)
    names = [
        str(r["name"]) for r in live.read("res.partner.category", row["category_id"], ["name"])
    ]
    return {
        "refs": refs,
        "certificate": certificate,
        "attachments": attachments,
        "mails": mails,
        "tags": sorted(n for n in names if n.startswith(f"OJT {program_name}: ")),
    }


@pytest.mark.parametrize("rule", ["keep_completion", "drop"])
def test_acceptance_scenario_on_a_real_odoo(live: OdooClient, tmp_path: Path, rule: str) -> None:
    if live.version().major < 17:
        pytest.skip("Odoo 16.0 cannot archive a membership (no `active` on slide.channel.partner)")
    tag = uuid.uuid4().hex[:8]
    name = f"Acceptance {tag} {rule}"
    course, lessons = _course_with_two_lessons(live, tag)
    trainees = _contacts(live, tag, 3)
    finisher = trainees[0]
    store: Store | None = None
    stack = ExitStack()
    try:
        creator = _creator_partner(live, course)
        # Odoo makes the creator a member of the course they made; it stays.
        assert _memberships(live, course, creator), "Odoo no longer makes the creator a member"
        joined = _join(live, course, trainees)
        _complete(live, course, lessons, finisher)
        cfg = write_live_config(CONFIG, tmp_path, name=name, rule=rule, course=course)
        store = open_store(cfg)
        jobs = stack.enter_context(client_from_config(cfg))  # the transport the config picks
        # Ahead of the wall clock: the outbox stamps the rows it queues with the wall clock
        # (`next_attempt_at`), and `deliver` takes those due by the job's clock.
        clock = {"now": datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)}
        ctx = JobContext(cfg, store.sessions, jobs, clock=lambda: clock["now"])

        assert sync_once(cfg, store, jobs).problems == []
        assert jobs.transport.name == _transport(live)
        assert _students(store)[finisher] == (None, True)

        live.write("slide.channel.partner", [joined[finisher]], {"active": False})
        (archived,) = live.read(
            "slide.channel.partner", [joined[finisher]], ["active", "member_status"]
        )
        assert archived["active"] is False and archived["member_status"] == "completed"
        assert sync_once(cfg, store, jobs).problems == []
        students = _students(store)
        assert students[creator] == ("course_responsible", False)  # not a trainee
        assert {p: students[p][0] for p in trainees} == dict.fromkeys(trainees)
        keep = rule == "keep_completion"
        assert students[finisher] == (None, keep)

        def cycle() -> tuple[int, dict[str, int]]:
            assert SyncJob(ctx).run().problems == []
            issued = IssueJob(ctx).run()
            assert issued.problems == []
            notified = NotifyJob(ctx).run()
            assert deliver(ctx).failed == 0
            clock["now"] += timedelta(minutes=10)
            return len(issued.issued), dict(notified.queued)

        first_issued, first_notified = cycle()
        serials = _serials(store)
        assert first_issued == (1 if keep else 0)
        if keep:
            assert list(serials) == [finisher] and len(serials[finisher]) == 1
        else:
            assert serials == {}
        # with `drop`, the finisher is in none of the courses: nothing to tell them
        assert first_notified["welcome"] == (3 if keep else 2)
        assert first_notified.get("program_completed", 0) == (1 if keep else 0)

        def shown() -> dict[int, dict[str, Any]]:
            return {p: _what_odoo_shows(live, p, serials.get(p, []), name) for p in trainees}

        before = shown()
        # Notify first ran after the removal: with `drop` the finisher completed nothing.
        told = {"welcome", "course_completed", "program_completed"} if keep else set()
        kinds = {finisher: told, trainees[1]: {"welcome"}, trainees[2]: {"welcome"}}
        assert {p: {ref.split(":")[0] for ref in seen["refs"]} for p, seen in before.items()} == (
            kinds
        )
        for partner, seen in before.items():
            assert bool(seen["refs"]) == bool(kinds[partner]), (partner, seen["refs"])
            assert set(seen["refs"].values()) <= {1}, seen["refs"]
            assert set(seen["mails"].values()) <= {1}, seen["mails"]  # one e-mail per message
        if keep:
            (serial,) = serials[finisher]
            made = before[finisher]
            assert made["attachments"] == Counter({f"certificate-{serial}.pdf": 1})
            assert list(made["certificate"].values()) == [1]  # the e-mail with the PDF
        else:
            assert before[finisher]["certificate"] == Counter()
            assert before[finisher]["attachments"] == Counter()

        # The status tag follows the status one sync later (certified is set once the
        # certificate's delivery landed, at the end of the issue job): one tag per program at
        # each step, never two. With `drop` the finisher is in no course of the program any
        # more: not integrated, so no tag (§13), the one put on at the first sync taken off.
        others = {p: [f"OJT {name}: enrolled"] for p in trainees[1:]}
        first = [f"OJT {name}: completed"] if keep else []
        assert {p: seen["tags"] for p, seen in before.items()} == {finisher: first, **others}
        final = {finisher: [f"OJT {name}: certified"] if keep else [], **others}
        for _ in range(3):
            assert cycle() == (0, {})
            after = shown()
            assert {p: seen["tags"] for p, seen in after.items()} == final
        assert _serials(store) == serials
        assert _status(store, finisher) == ("certified" if keep else "not_integrated")
        for partner in trainees:
            for part in ("refs", "certificate", "attachments"):
                assert after[partner][part] == before[partner][part], (partner, part)
            # The same messages, each with at most its one e-mail: Odoo deletes a mail.mail
            # once sent (auto_delete), so with a mail server some may be gone by now.
            assert after[partner]["mails"].keys() == before[partner]["mails"].keys()
            assert set(after[partner]["mails"].values()) <= {0, 1}, after[partner]["mails"]
    finally:
        stack.close()
        if store is not None:
            store.close()
        _archive(live, tag, course, trainees)


def _archive(live: OdooClient, tag: str, course: int, partners: list[int]) -> None:
    status_tags = live.search("res.partner.category", [("name", "ilike", tag)])
    clean_up(
        live,
        [
            ("res.partner.category", "write", {"ids": status_tags, "vals": {"active": False}}),
            ("res.partner", "write", {"ids": partners, "vals": {"active": False}}),
            ("slide.channel", "write", {"ids": [course], "vals": {"active": False}}),
        ],
    )


def _report(config_path: Path, name: str) -> list[dict[str, Any]]:
    """`ojt-sidecar report NAME --format json`: its rows."""
    result = CliRunner().invoke(
        main, ["report", name, "-c", str(config_path), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output)["rows"])


def _odoo_counts(live: OdooClient, course: int, creator: int) -> tuple[str, int, int]:
    """The course's name, and its members and completed members by Odoo's own counters, less
    the creator's membership: Odoo counts it (joined, not completed), the sidecar leaves the
    course's responsible out (§12). It is checked to be there, as such, before it is taken off.
    16.0 names the completed ones `members_done_count`; both count active memberships only."""
    done = "members_completed_count"
    if done not in live.fields_get("slide.channel", ["type"]):
        done = "members_done_count"
    (counters,) = live.read("slide.channel", [course], ["name", "members_count", done])
    (mine,) = _memberships(live, course, creator)
    flag = "member_status" if live.version().major >= 17 else "completed"
    (row,) = live.read("slide.channel.partner", [mine], [flag])
    assert row[flag] in ("joined", False)
    return str(counters["name"]), int(counters["members_count"]) - 1, int(counters[done])


def _counted(live: OdooClient, course: int, trainees: list[int]) -> tuple[int, int]:
    """The trainees' active memberships of the course, and those completed, counted."""
    members = [("channel_id", "=", course), ("partner_id", "in", trainees)]
    done: tuple[str, str, Any] = ("member_status", "=", "completed")
    if live.version().major < 17:
        done = ("completed", "=", True)
    return (
        live.search_count("slide.channel.partner", members),
        live.search_count("slide.channel.partner", [*members, done]),
    )


def _sync(cfg: Config, store: Store, live: OdooClient) -> None:
    with client_from_config(cfg) as jobs:  # the transport the config picks
        assert SyncJob(JobContext(cfg, store.sessions, jobs)).run().problems == []
        assert jobs.transport.name == _transport(live)


def test_reports_agree_with_odoo_counts(live: OdooClient, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    course, lessons = _course_with_two_lessons(live, tag)
    trainees = _contacts(live, tag, 4)
    config_path = tmp_path / "config.yaml"
    try:
        creator = _creator_partner(live, course)
        joined = _join(live, course, trainees)
        for partner in trainees[:2]:
            _complete(live, course, lessons, partner)
        cfg = write_live_config(
            CONFIG, tmp_path, name=f"Report check {tag}", rule="keep_completion", course=course
        )
        store = open_store(cfg)
        try:
            _sync(cfg, store, live)
            excluded = {p: e for p, (e, _) in _students(store).items()}
        finally:
            store.close()
        assert excluded == {creator: "course_responsible", **dict.fromkeys(trainees)}

        rows = _report(config_path, "completion")
        (program,) = [r for r in rows if r["level"] == "program"]
        (ours,) = [r for r in rows if r["level"] == "course"]
        name, enrolled, completed = _odoo_counts(live, course, creator)
        assert (enrolled, completed) == _counted(live, course, trainees) == (4, 2)
        assert (ours["course"], ours["enrolled"], ours["completed"]) == (name, enrolled, completed)
        assert ours["completion_pct"] == 50.0
        # One course: the program's trainees are the course's, and complete when it is.
        assert (program["enrolled"], program["completed"], program["certified"]) == (
            enrolled,
            completed,
            0,
        )
        listed = _report(config_path, "trainees")
        assert sorted(int(r["partner_id"]) for r in listed) == sorted(trainees)
        assert sum(bool(r["complete"]) for r in listed) == completed

        if live.version().major < 17:
            return  # 16.0 cannot archive a membership
        # A completed membership archived: Odoo's counters drop it, and so does the course row
        # (docs/reports.md: no longer enrolled in the course, so not counted in its row).
        live.write("slide.channel.partner", [joined[trainees[0]]], {"active": False})
        store = open_store(cfg)
        try:
            _sync(cfg, store, live)
        finally:
            store.close()
        (ours,) = [r for r in _report(config_path, "completion") if r["level"] == "course"]
        _, enrolled, completed = _odoo_counts(live, course, creator)
        assert (enrolled, completed) == _counted(live, course, trainees) == (3, 1)
        assert (ours["enrolled"], ours["completed"]) == (enrolled, completed)
    finally:
        _archive(live, tag, course, trainees)

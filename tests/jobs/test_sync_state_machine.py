"""Incremental sync ≡ full re-read, after any sequence of changes (docs/product-rules.md §2,
§11): a stateful property test against the Odoo emulator over real HTTP.

A hypothesis ``RuleBasedStateMachine`` changes a demo Odoo the way trainees, mentors and admins
do, and interleaves incremental syncs and reconcile passes:

- enrollments (``slide.channel.partner`` create, or re-activation of an archived membership),
  unenrollments (``write({'active': False})``: Odoo 17 archives, docs/odoo-notes.md §12);
- lesson completions and un-completions (``slide.slide.partner`` create / write ``completed``),
  which make the server recompute the membership's ``completion`` / ``member_status``;
- quiz attempts (``quiz_attempts_count`` + 1, ``completed`` when passed);
- certification attempts (``survey.user_input`` with ``slide_id``, ``partner_id``,
  ``slide_partner_id`` and answer lines: the server scores them itself, docs/odoo-notes.md §16),
  finished later with ``state: done``;
- event registrations of the batch's event (attended, archived);
- new lessons published in a program's course, lessons archived / unpublished / restored;
- deletions (``unlink``) of memberships, lesson rows, attempts, registrations and new lessons;
- moving the server's clock forward, and incremental syncs, optionally followed by a reconcile.

Late commits. Odoo stamps ``write_date`` when a transaction *starts*, so a transaction that
commits after our poll can carry an older stamp (docs/odoo-notes.md §8). Any change may run inside
``emu.env.transaction(at=emu.clock() - k)`` with ``0 <= k < OVERLAP``. The sync re-reads an
overlap window of ``OVERLAP`` seconds before its cursor (the newest second it has read, never
later than the clock), so its guarantee covers the late commits stamped less than ``OVERLAP``
seconds before the moment they land, and only those: a commit stamped earlier than that is
outside the contract and is never generated here.

Invariant, at the end of every example and at every ``sync_reconcile_and_check`` step: after one
incremental sync and one reconcile pass (``SyncJob.reconcile``: ``jobs.sync.reconcile.reconcile``
and then the recompute of the partners it queued, as ``ojt-sidecar run`` does on schedule),
``snapshot()`` of the store equals the snapshot of a brand-new store of the same backend after one
full sync (``full=True``) of the same Odoo. No tolerance: every mirror row, student and tracker.

Runs on SQLite, and on PostgreSQL when ``OJT_TEST_POSTGRES_URL`` is set (new databases for every
store, cloned from a migrated template). ``OJT_SM_EXAMPLES=n`` runs more examples;
``OJT_SM_SHRINK=1`` shrinks a failure (minutes: every step is a sync over HTTP).

Two product bugs it found (graded-item changes not reaching every student of the program) are
pinned by the minimal reproductions at the end of this file.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from jobs.context import JobContext
from jobs.sync.runner import SyncJob
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import open_store
from sidecar.store.engine import make_engine
from sidecar.store.migrate import upgrade
from tests.conftest import POSTGRES_ENV
from tests.jobs.syncing import client_for, snapshot, sync_once, write_config
from tests.stores import migrated_sqlite

OVERLAP = 300  # seconds: the overlap window given to every incremental sync below

CONFIG = """\
odoo:
  url: {url}
  database: {db}
  username: admin
  password: admin
store:
  url: {store}
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
        completion_threshold: 80
    weights: {{elearning: 0.5, attendance: 0.0, assessments: 0.5}}
  - key: furniture
    name: Furniture OJT
    courses:
      - course: Basics of Furniture Creation
      - course: Choose your wood!
        required: false
    weights: {{elearning: 0.6, attendance: 0.2, assessments: 0.2}}
    requirements: {{min_attendance: 50, min_average_score: 60}}
    batches:
      - key: workshops
        name: Workshops cohort
        event: Business workshops
"""

# Demo ids (sidecar/emulator/demo_data.py). Courses 1, 2, 4, 6 are in the programs above; 3 and 7
# are not, so changes there must not show up in the store.
PROGRAM_COURSES = (1, 2, 4, 6)
COURSES = (1, 2, 3, 4, 6, 7)
CERT_SLIDES = (38, 39)  # survey 6; 38 is in course 6 (in a program), 39 in course 7 (not)
CERT_SURVEY = 6
CERT_QUESTIONS = 4  # question q has answers 3q-2 (correct), 3q-1, 3q (wrong)
EVENT = 5  # "Business workshops": ended, the furniture program's batch
DEMO_PARTNERS = (7, 8, 21, 24)

SCP = "slide.channel.partner"
SSP = "slide.slide.partner"
UI = "survey.user_input"
REG = "event.registration"
ALL = {"active_test": False}

late_stamp = st.one_of(st.none(), st.integers(min_value=0, max_value=OVERLAP - 1))
pick = st.integers(min_value=0, max_value=10_000)


# --- stores: SQLite files, or PostgreSQL databases cloned from a migrated template -----------


class Backend:
    """Hands out URLs of new, empty stores; drops the PostgreSQL databases it made."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind, self.tmp = kind, tmp
        self.base = os.environ.get(POSTGRES_ENV, "")
        self.admin: Engine | None = None
        self.template: str | None = None

    def new_url(self) -> str:
        name = f"ojt_sm_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":  # a copy of a migrated store, like the clones below
            return migrated_sqlite(f"sqlite:///{self.tmp / name / 'store.db'}")
        if self.template is None:  # migrated once, then cloned: one CREATE DATABASE per store
            self.template = self._create(f"{name}_template")
            engine = make_engine(self._url(self.template))
            upgrade(engine)
            engine.dispose()
        return self._url(self._create(name, self.template))

    def forget(self, urls: list[str]) -> None:
        if self.kind == "postgresql":
            self._drop([make_url(u).database or "" for u in urls])

    def close(self) -> None:
        if self.admin is not None:
            self._drop([self.template] if self.template else [])
            self.admin.dispose()

    def _url(self, database: str) -> str:
        return make_url(self.base).set(database=database).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        if self.admin is None:
            self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def _drop(self, names: list[str]) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- the machine ---------------------------------------------------------------------------------


class SyncMachine(RuleBasedStateMachine):
    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.tmp = Path(tempfile.mkdtemp(dir=backend.tmp))
        self.emu = OdooEmulator(demo=True).start()
        self.client = client_for(self.emu, page_size=5)
        self.url = backend.new_url()
        self.cfg = self._config(self.url, "main")
        self.store = open_store(self.cfg)
        self.databases = [self.url]
        self.partners: list[int] = list(DEMO_PARTNERS)
        self.new_slides: list[int] = []
        self.log: list[str] = []

    # -- helpers ------------------------------------------------------------------------------

    def _config(self, url: str, folder: str) -> Config:
        return write_config(self.tmp / folder, self.emu, url, text=CONFIG)

    def _reconcile(self) -> None:
        """The product's reconcile pass: `jobs.sync.reconcile.reconcile`, then the recompute of
        the partners it touched (what `ojt-sidecar run` does on its reconcile schedule)."""
        ctx = JobContext(self.cfg, self.store.sessions, self.client)
        SyncJob(ctx, overlap_seconds=OVERLAP).reconcile()

    def _tx(self, late: int | None) -> AbstractContextManager[Any]:
        if late is None:
            return nullcontext()
        return self.emu.env.transaction(at=self.emu.clock() - timedelta(seconds=late))

    def _note(self, text: str, late: int | None = None) -> None:
        self.log.append(text + (f" [stamped {late}s early]" if late is not None else ""))

    def _pick(self, rows: list[Any], index: int) -> Any:
        return rows[index % len(rows)] if rows else None

    def _search(self, model: str, domain: list[Any]) -> list[int]:
        return sorted(self.emu.env.search(model, domain, context=ALL))

    def _slides(self, course: int, categories: tuple[str, ...]) -> list[int]:
        return self._search(
            "slide.slide",
            [
                ("channel_id", "=", course),
                ("is_category", "=", False),
                ("slide_category", "in", list(categories)),
            ],
        )

    def _lesson_row(self, slide: int, partner: int) -> int | None:
        found = self._search(SSP, [("slide_id", "=", slide), ("partner_id", "=", partner)])
        return found[0] if found else None

    # -- changes in Odoo ---------------------------------------------------------------------

    @initialize()
    def new_trainees(self) -> None:
        for n in (1, 2):
            self.partners.append(
                self.emu.env.create(
                    "res.partner", {"name": f"Trainee {n}", "email": f"trainee{n}@example.com"}
                )
            )
        self.sync()

    @rule(course=st.sampled_from(COURSES), who=pick, late=late_stamp)
    def enroll(self, course: int, who: int, late: int | None) -> None:
        partner = self._pick(self.partners, who)
        found = self._search(SCP, [("channel_id", "=", course), ("partner_id", "=", partner)])
        with self._tx(late):
            if not found:
                new = self.emu.env.create(SCP, {"channel_id": course, "partner_id": partner})
                self._note(f"enroll partner {partner} in course {course} -> scp {new}", late)
            else:
                self.emu.env.write(SCP, found, {"active": True})
                self._note(f"re-activate scp {found[0]}", late)

    @rule(which=pick, late=late_stamp)
    def unenroll(self, which: int, late: int | None) -> None:
        scp = self._pick(self._search(SCP, [("active", "=", True)]), which)
        if scp is None:
            return
        with self._tx(late):
            self.emu.env.write(SCP, [scp], {"active": False})
        self._note(f"archive scp {scp}", late)

    @rule(
        course=st.sampled_from(COURSES),
        who=pick,
        which=pick,
        completed=st.booleans(),
        late=late_stamp,
    )
    def mark_lesson(
        self, course: int, who: int, which: int, completed: bool, late: int | None
    ) -> None:
        partner = self._pick(self.partners, who)
        slide = self._pick(
            self._slides(course, ("document", "video", "infographic", "article")), which
        )
        if slide is None:
            return
        row = self._lesson_row(slide, partner)
        with self._tx(late):
            if row is None:
                row = self.emu.env.create(
                    SSP, {"slide_id": slide, "partner_id": partner, "completed": completed}
                )
            else:
                self.emu.env.write(SSP, [row], {"completed": completed})
        self._note(f"lesson {slide} partner {partner} completed={completed} (ssp {row})", late)

    @rule(who=pick, which=pick, passed=st.booleans(), late=late_stamp)
    def quiz_attempt(self, who: int, which: int, passed: bool, late: int | None) -> None:
        partner = self._pick(self.partners, who)
        quizzes = [s for c in COURSES for s in self._slides(c, ("quiz",))]
        slide = self._pick(quizzes, which)
        if slide is None:
            return
        row = self._lesson_row(slide, partner)
        with self._tx(late):
            if row is None:
                row = self.emu.env.create(
                    SSP,
                    {
                        "slide_id": slide,
                        "partner_id": partner,
                        "quiz_attempts_count": 1,
                        "completed": passed,
                    },
                )
            else:
                done = self.emu.env.search_read(SSP, [("id", "=", row)], ["quiz_attempts_count"])
                vals: dict[str, Any] = {"quiz_attempts_count": done[0]["quiz_attempts_count"] + 1}
                if passed:
                    vals["completed"] = True
                self.emu.env.write(SSP, [row], vals)
        self._note(f"quiz {slide} partner {partner} passed={passed} (ssp {row})", late)

    @rule(
        who=pick,
        slide=st.sampled_from(CERT_SLIDES),
        correct=st.integers(min_value=0, max_value=CERT_QUESTIONS),
        finish=st.booleans(),
        late=late_stamp,
    )
    def certification_attempt(
        self, who: int, slide: int, correct: int, finish: bool, late: int | None
    ) -> None:
        partner = self._pick(self.partners, who)
        with self._tx(late):
            row = self._lesson_row(slide, partner)
            if row is None:
                row = self.emu.env.create(SSP, {"slide_id": slide, "partner_id": partner})
            attempt = self.emu.env.create(
                UI,
                {
                    "survey_id": CERT_SURVEY,
                    "partner_id": partner,
                    "slide_id": slide,
                    "slide_partner_id": row,
                },
            )
            self.emu.env.create(
                "survey.user_input.line",
                [
                    {
                        "user_input_id": attempt,
                        "question_id": q,
                        "answer_type": "suggestion",
                        "suggested_answer_id": 3 * q - 2 if q <= correct else 3 * q,
                    }
                    for q in range(1, CERT_QUESTIONS + 1)
                ],
            )
            if finish:
                self.emu.env.write(UI, [attempt], {"state": "done"})
        self._note(
            f"certification {slide} partner {partner}: {correct}/{CERT_QUESTIONS} correct, "
            f"finished={finish} (user_input {attempt})",
            late,
        )

    @rule(which=pick, late=late_stamp)
    def finish_attempt(self, which: int, late: int | None) -> None:
        attempt = self._pick(
            self._search(UI, [("slide_id", "!=", False), ("state", "!=", "done")]), which
        )
        if attempt is None:
            return
        with self._tx(late):
            self.emu.env.write(UI, [attempt], {"state": "done"})
        self._note(f"user_input {attempt} done", late)

    @rule(who=pick, late=late_stamp)
    def register(self, who: int, late: int | None) -> None:
        partner = self._pick(self.partners, who)
        with self._tx(late):
            reg = self.emu.env.create(REG, {"event_id": EVENT, "partner_id": partner})
        self._note(f"register partner {partner} to event {EVENT} (registration {reg})", late)

    @rule(which=pick, state=st.sampled_from(("done", "open", "cancel")), late=late_stamp)
    def attendance(self, which: int, state: str, late: int | None) -> None:
        reg = self._pick(self._search(REG, [("event_id", "=", EVENT)]), which)
        if reg is None:
            return
        with self._tx(late):
            self.emu.env.write(REG, [reg], {"state": state})
        self._note(f"registration {reg} state={state}", late)

    @rule(which=pick, active=st.booleans(), late=late_stamp)
    def archive_registration(self, which: int, active: bool, late: int | None) -> None:
        reg = self._pick(self._search(REG, [("event_id", "=", EVENT)]), which)
        if reg is None:
            return
        with self._tx(late):
            self.emu.env.write(REG, [reg], {"active": active})
        self._note(f"registration {reg} active={active}", late)

    @rule(
        course=st.sampled_from(PROGRAM_COURSES),
        category=st.sampled_from(("quiz", "document")),
        late=late_stamp,
    )
    def publish_lesson(self, course: int, category: str, late: int | None) -> None:
        vals: dict[str, Any] = {
            "name": f"New {category} {len(self.new_slides) + 1}",
            "channel_id": course,
            "slide_category": category,
            "source_type": "local_file",
            "is_published": True,
        }
        if category == "quiz":
            vals.update(
                quiz_first_attempt_reward=10,
                quiz_second_attempt_reward=6,
                quiz_third_attempt_reward=3,
                quiz_fourth_attempt_reward=1,
            )
        with self._tx(late):
            slide = self.emu.env.create("slide.slide", vals)
        self.new_slides.append(slide)
        self._note(f"publish {category} lesson {slide} in course {course}", late)

    @rule(
        which=pick,
        field=st.sampled_from(("active", "is_published")),
        value=st.booleans(),
        late=late_stamp,
    )
    def toggle_lesson(self, which: int, field: str, value: bool, late: int | None) -> None:
        slides = [
            s for c in PROGRAM_COURSES for s in self._slides(c, ("quiz", "document", "video"))
        ]
        slide = self._pick(slides, which)
        if slide is None:
            return
        with self._tx(late):
            self.emu.env.write("slide.slide", [slide], {field: value})
        self._note(f"lesson {slide} {field}={value}", late)

    @rule(
        model=st.sampled_from((SCP, SSP, UI, REG, "slide.slide")),
        which=pick,
        late=late_stamp,
    )
    def delete(self, model: str, which: int, late: int | None) -> None:
        if model == "slide.slide":
            candidates = [s for s in self.new_slides if self._search(model, [("id", "=", s)])]
        elif model == UI:
            candidates = self._search(UI, [("slide_id", "!=", False)])
        elif model == REG:
            candidates = self._search(REG, [("event_id", "=", EVENT)])
        else:
            candidates = self._search(model, [])
        target = self._pick(candidates, which)
        if target is None:
            return
        with self._tx(late):
            if model == "slide.slide":
                # Odoo cascades (slide.slide.partner.slide_id is ondelete='cascade'); the
                # emulator does not, so the test does what the database would.
                self.emu.env.unlink(SSP, self._search(SSP, [("slide_id", "=", target)]))
            self.emu.env.unlink(model, [target])
        self._note(f"unlink {model} {target}", late)

    @rule(seconds=st.integers(min_value=0, max_value=2 * OVERLAP))
    def advance_clock(self, seconds: int) -> None:
        self.emu.advance(seconds)
        self._note(f"advance clock {seconds}s")

    # -- the sync ------------------------------------------------------------------------------
    # Three sync rules (of sixteen), so that syncs land between most changes.

    @rule()
    def sync(self) -> None:
        sync_once(self.cfg, self.store, self.client, overlap=OVERLAP)
        self._note("sync")

    @rule()
    def sync_and_reconcile(self) -> None:
        self.sync()
        self._reconcile()
        self._note("reconcile")

    @rule()
    def sync_reconcile_and_check(self) -> None:
        self._note("check:")
        self.check_against_full_reread()

    def check_against_full_reread(self) -> None:
        self.sync_and_reconcile()
        incremental = snapshot(self.store.sessions)
        url = self.backend.new_url()
        self.databases.append(url)
        fresh_cfg = self._config(url, f"fresh{len(self.databases)}")
        fresh = open_store(fresh_cfg)
        try:
            with client_for(self.emu, page_size=5) as client:
                sync_once(fresh_cfg, fresh, client, full=True)
            expected = snapshot(fresh.sessions)
        finally:
            fresh.close()
        assert_same(incremental, expected, self.log)

    def teardown(self) -> None:
        try:
            self._note("final check:")
            self.check_against_full_reread()
        finally:
            self.store.close()
            self.client.close()
            self.emu.stop()
            self.backend.forget(self.databases)


def assert_same(incremental: dict[str, Any], expected: dict[str, Any], log: list[str]) -> None:
    problems: list[str] = []
    for table in expected:
        got, want = incremental[table], expected[table]
        for key in sorted(set(got) | set(want), key=repr):
            if got.get(key) != want.get(key):
                problems.append(
                    f"{table}[{key!r}]:\n    incremental:  {got.get(key)!r}\n"
                    f"    full re-read: {want.get(key)!r}"
                )
    if problems:
        steps = "\n  ".join(log)
        raise AssertionError(
            "incremental store differs from a full re-read\n"
            + "\n".join(problems)
            + f"\nsteps:\n  {steps}"
        )


# --- the property --------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "postgresql" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"set {POSTGRES_ENV} to run the store tests on PostgreSQL")
    made = Backend(str(request.param), tmp_path)
    try:
        yield made
    finally:
        made.close()


def test_incremental_sync_matches_a_full_reread(backend: Backend) -> None:
    # Shrinking a failure takes minutes (each step is a sync over HTTP): on demand only.
    shrink = os.environ.get("OJT_SM_SHRINK") == "1"
    run_state_machine_as_test(
        lambda: SyncMachine(backend),
        settings=settings(
            # Each example is a few syncs over HTTP: a fraction of the profile's examples
            # (tests/conftest.py), unless OJT_SM_EXAMPLES says how many.
            max_examples=int(
                os.environ.get("OJT_SM_EXAMPLES", max(10, settings().max_examples // 5))
            ),
            stateful_step_count=20,
            deadline=None,
            phases=list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


# --- minimal reproductions (found by the machine, shrunk by hand) ------------------------------


def _replay(backend: Backend, steps: Any) -> None:
    machine = SyncMachine(backend)
    machine.new_trainees()
    steps(machine)
    machine.teardown()  # sync + reconcile, then compare with a full re-read


def test_partner_who_left_every_course_of_a_program(backend: Backend) -> None:
    def steps(m: SyncMachine) -> None:
        m.emu.advance(2)
        m.emu.env.write(SCP, [7, 9], {"active": False})  # partner 8 leaves courses 1 and 2

    _replay(backend, steps)


def test_membership_deleted_in_odoo(backend: Backend) -> None:
    def steps(m: SyncMachine) -> None:
        m.emu.advance(2)
        m.emu.env.unlink(SCP, [1])  # admin's 40 % membership of course 1 (and its lessons)

    _replay(backend, steps)


def test_quiz_published_in_another_course_of_the_program(backend: Backend) -> None:
    def steps(m: SyncMachine) -> None:
        m.enroll(course=6, who=4, late=None)  # Trainee 1, in course 6 (furniture) only
        m.sync()
        m.emu.advance(2)
        m.publish_lesson(course=4, category="quiz", late=None)  # course 4: furniture too

    _replay(backend, steps)


def test_quiz_lesson_deleted_in_odoo(backend: Backend) -> None:
    def steps(m: SyncMachine) -> None:
        m.publish_lesson(course=1, category="quiz", late=None)
        m.sync()
        m.emu.advance(2)
        m.delete(model="slide.slide", which=0, late=None)
        m.sync_and_reconcile()
        m.sync()

    _replay(backend, steps)

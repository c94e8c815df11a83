"""`ojt-sidecar demo`: the showcase dataset, the live summary, and a short run end to end."""

from __future__ import annotations

import http.cookiejar
import io
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from sidecar.cli.demo.activity import (
    CATCH_UP,
    MINUTE,
    STEPS,
    Activity,
    Step,
    activity_span,
    describe_span,
)
from sidecar.cli.demo.dashboard import (
    BAR,
    PLAIN_WIDTH,
    Feed,
    Screen,
    Snapshot,
    SyncTotals,
    plain_event,
    status_bar,
    status_lines,
    sync_text,
    sync_totals,
)
from sidecar.cli.demo.runner import (
    DEMO_DIR_ENTRIES,
    claim_workdir,
    run_demo,
    write_showcase_config,
)
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from sidecar.emulator.showcase_data import EVENT, OJT_STAGE
from sidecar.store.bootstrap import open_store
from sidecar.store.models import Base, Certificate, SyncRun
from sidecar.store.queries import CertificateSummary, LastSync, ProgramStatus
from verify_site.app import create_app

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"http://127\.0\.0\.1:\d+/c/[0-9A-Z-]+")


def test_showcase_dataset_has_the_promised_shape(tmp_path: Path) -> None:
    emu = OdooEmulator(demo="showcase")
    cfg = load_config(write_showcase_config(tmp_path, "http://127.0.0.1:8069", "ojt", 8080, 9108))
    env = emu.env
    assert len(cfg.programs) == 3
    names = [c.course for p in cfg.programs for c in p.courses]
    channels = env.search("slide.channel", [("name", "in", names)])
    assert len(channels) == 5
    for channel in channels:
        lessons = env.search(
            "slide.slide", [("channel_id", "=", channel), ("slide_category", "=", "document")]
        ) + env.search(
            "slide.slide",
            [("channel_id", "=", channel), ("slide_category", "in", ["video", "article"])],
        )
        quizzes = env.search(
            "slide.slide", [("channel_id", "=", channel), ("slide_category", "=", "quiz")]
        )
        assert lessons and len(quizzes) == 1
    certification = env.search_read(
        "slide.slide", [("slide_category", "=", "certification")], ["survey_id"]
    )
    assert len(certification) == 1 and certification[0]["survey_id"]
    members = env.search_read("slide.channel.partner", [], ["partner_id", "completion"])
    assert len({m["partner_id"][0] for m in members}) >= 35
    completions = {m["completion"] for m in members}
    assert 0 in completions and 100 in completions and len(completions) >= 5  # varied progress
    attempts = env.search_read(
        "slide.slide.partner", [("quiz_attempts_count", ">", 0)], ["completed"]
    )
    assert {a["completed"] for a in attempts} == {True, False}  # quizzes passed and failed
    tries = env.search_read("survey.user_input", [("state", "=", "done")], ["scoring_success"])
    assert {t["scoring_success"] for t in tries} == {True, False}
    jobs = {j for p in cfg.programs for j in p.jobs}
    ojt = env.search_read(
        "hr.applicant", [("stage_id.name", "=", OJT_STAGE)], ["job_id", "email_from"]
    )
    assert len(ojt) >= 3 and all(a["job_id"][1] in jobs for a in ojt)
    event = env.search("event.event", [("name", "=", EVENT)])
    assert [b.event for p in cfg.programs for b in p.batches] == [EVENT]
    states = [
        r["state"]
        for r in env.search_read("event.registration", [("event_id", "in", event)], ["state"])
    ]
    assert {"done", "open"} <= set(states) and len(states) >= 15
    # the field technicians' template: its stages and three assignments, for the OJT loop
    technicians = cfg.program("field-technicians")
    assert technicians.assignments is not None and technicians.batch_tag
    template = env.search(
        "project.project", [("name", "=", technicians.assignments.template_project)]
    )
    assert len(template) == 1
    stages = env.search_read("project.task.type", [("project_ids", "in", template)], ["name"])
    assert [s["name"] for s in stages] == ["To Do", "Submitted", "Needs changes", "Scored"]
    assert len(env.search("project.task", [("project_id", "in", template)])) == 3


def _snapshot(certified: int) -> Snapshot:
    by_status = {
        "not_integrated": 0,
        "enrolled": 3,
        "in_progress": 5,
        "completed": 1,
        "certified": certified,
    }
    return Snapshot(
        programs=[ProgramStatus("dev", "Junior Developer OJT", 9 + certified, by_status, 40.0)],
        certificates=CertificateSummary(certified, certified, 0, 0, 0, {}),
        last_sync=LastSync(None, None, 0, 0, None),
        verify_url=None,
    )


def test_the_terminal_frame_is_redrawn_in_place() -> None:
    out, feed = io.StringIO(), Feed(time.monotonic())
    screen = Screen(out, live=True, started=time.monotonic())
    screen.show(_snapshot(0), feed, "running")
    first = out.getvalue()
    feed.add("issued ABCD to Jane Cooper (Junior Developer OJT)")
    screen.show(_snapshot(1), feed, "running")
    second = out.getvalue()[len(first) :]
    assert second.startswith(f"\x1b[{first.count(chr(10))}F")  # back to the frame's top
    assert "Jane Cooper" in second and "1 certified" in second


def test_status_bar_is_split_by_status_and_keeps_its_width() -> None:
    bar = status_bar({"certified": 1, "in_progress": 2, "enrolled": 1}, colour=False)
    assert len(bar) == BAR and bar.startswith("█" * (BAR // 4)) and bar.endswith("░" * (BAR // 4))


def test_demo_issues_certificates_whose_page_says_valid(tmp_path: Path) -> None:
    """`demo --duration 20` off a terminal: plain lines, a verification page that says valid
    while it runs, exit 0, and nothing written outside its directory."""
    workdir = tmp_path / "demo"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sidecar.cli import run; run()",
            "demo",
            "--dir",
            str(workdir),
            "--duration",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    lines, page, cockpit, dashboard = [], None, None, None
    try:
        for line in proc.stdout:
            lines.append(line)
            found = URL.search(line)
            if cockpit is None and line.startswith("Cockpit (web app):"):
                cockpit = line.split()[3].rstrip("/")
            if page is None and found and "verification page" in line:
                with urllib.request.urlopen(found.group(0), timeout=10) as response:
                    page = response.read().decode()
            if dashboard is None and cockpit and re.search(r"\] issued \S+ to ", line):
                dashboard = _signed_in_page(cockpit, "mentor@example.com", "mentor")
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    out = "".join(lines)
    assert code == 0, out
    # the cockpit runs with the demo, and its mentor sees their batch's dashboard
    assert dashboard is not None and "Forklift Practical Week" in dashboard, out
    assert "mentor of Forklift Practical Week: mentor@example.com / mentor" in out
    # valid, in whichever language its holder has (the showcase has French, Spanish, Arabic)
    assert page is not None and 'class="status status-valid"' in page, out
    assert "All checks passed" in out and "\x1b[" not in out
    assert re.search(r"^\[00:\d\d\] junior-developers: \d+ students", out, re.MULTILINE)
    assert re.search(r"^\[00:\d\d\] issued \S+ to ", out, re.MULTILINE)
    assert re.search(r"^\[00:\d\d\] notified through Odoo: \d+ ", out, re.MULTILINE)
    assert {p.name for p in workdir.iterdir()} <= set(DEMO_DIR_ENTRIES)
    assert max(len(line.rstrip("\n")) for line in lines) <= PLAIN_WIDTH, out
    assert "replacing the previous run" not in out  # a new directory: nothing to replace
    assert re.search(r"^\[00:\d\d\] last sync \S+ UTC.* since the start: \d+ syncs?, ", out, re.M)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    cfg = load_config(workdir / "config.yaml")
    store = open_store(cfg)
    with store.sessions() as session:
        serial = session.scalar(select(Certificate.serial).order_by(Certificate.id))
        assert (session.scalar(select(func.count(Certificate.id))) or 0) >= 3
    store.close()
    assert (workdir / "certificates").is_dir() and any((workdir / "certificates").rglob("*.pdf"))
    response = create_app(cfg).test_client().get(f"/c/{serial}")
    assert response.status_code == 200
    assert 'class="status status-valid"' in response.get_data(as_text=True)


# --- item by item: the directory, the sync figure, plain line widths, the activity's minute ---


def _previous_demo_run(workdir: Path) -> None:
    write_showcase_config(workdir, "http://127.0.0.1:8069", "ojt", 8080, 9108)
    (workdir / "keys").mkdir()
    (workdir / "keys" / "signing.key").write_text("old key")
    (workdir / "certificates").mkdir()
    (workdir / "certificates" / "old.pdf").write_bytes(b"%PDF")
    (workdir / "ojt-sidecar.db").write_bytes(b"old store, revocations included")
    (workdir / "logs").mkdir()
    (workdir / "logs" / "demo.log").write_text("old log")


def test_a_previous_demo_run_is_replaced_after_saying_so(tmp_path: Path) -> None:
    said: list[str] = []
    assert claim_workdir(tmp_path / "new", said.append, "new")  # not there yet: nothing said
    assert claim_workdir(tmp_path, said.append)  # empty
    assert said == []
    _previous_demo_run(tmp_path / "demo-run")
    assert claim_workdir(tmp_path / "demo-run", said.append, "demo-run")
    assert said == [
        "demo: replacing the previous run in demo-run/ "
        "(its store, signing key and certificates go with it)"
    ]
    assert list((tmp_path / "demo-run").iterdir()) == []


def test_a_directory_the_demo_did_not_write_is_refused_and_left_untouched(tmp_path: Path) -> None:
    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    mixed = tmp_path / "mixed"
    _previous_demo_run(mixed)
    (mixed / "notes.txt").write_text("mine")
    # an operator's own sidecar folder: the demo's file names, but a real config and key
    own = tmp_path / "own"
    own.mkdir()
    (own / "config.yaml").write_text("odoo:\n  url: https://odoo.example.com\n")
    (own / "keys").mkdir()
    (own / "keys" / "signing.key").write_text("the real key")
    for workdir, reason in ((mixed, "did not write (notes.txt)"), (own, "is not a demo run")):
        before, said = tree(workdir), list[str]()
        assert not claim_workdir(workdir, said.append, workdir.name)
        assert tree(workdir) == before
        assert reason in said[0] and "left untouched" in said[0], said
        assert all(len(line) <= PLAIN_WIDTH for line in said)
    said = []
    assert run_demo(own, duration=1, echo=said.append, live=False) == 1  # refused before starting
    assert tree(own) == before and "left untouched" in " ".join(said)
    assert all(len(line) <= PLAIN_WIDTH for line in said)


def test_the_sync_figure_adds_up_the_syncs_instead_of_swinging(tmp_path: Path) -> None:
    """One run's rows read swings (an idle sync re-reads its overlap window, 98 rows here; a
    reconcile reads none): the figure shown is the total of the completed syncs, which only
    grows, and says so."""
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine)
    last = LastSync(datetime(2026, 1, 5, 9, 30, 7, tzinfo=UTC), 1.2, 0, 0, "ok")
    with sessions() as session:
        assert sync_totals(session) == SyncTotals(0, 0, 0)
    runs: list[dict[str, Any]] = [
        {"kind": "full", "rows_read": 256, "rows_created": 256},
        {"kind": "sync", "rows_read": 98, "rows_updated": 3, "rows_created": 1},
        {"kind": "reconcile", "rows_read": 0, "rows_removed": 0},
        {"kind": "sync", "rows_read": 98, "rows_removed": 1},
        {"kind": "sync", "status": "failed", "rows_read": 40},
        {"kind": "sync", "status": "running", "rows_read": 12},
    ]
    seen = []
    for run in runs:
        with sessions() as session, session.begin():
            session.add(SyncRun(**{"status": "ok", **run}))
        with sessions() as session:
            seen.append(sync_totals(session))
    engine.dispose()
    assert [t.rows_read for t in seen] == [256, 354, 354, 452, 452, 452]  # never down
    assert seen[-1] == SyncTotals(runs=3, rows_read=452, changes=261)
    assert sync_text(last, seen[-1]) == (
        "09:30:07 UTC, 1 s ago · since the start: 3 syncs, 452 rows read, 261 changed"
    )
    assert sync_text(last, SyncTotals(1, 5, 0)).endswith(
        "since the start: 1 sync, 5 rows read, 0 changed"
    )
    assert sync_text(LastSync(None, None, 0, 0, None), SyncTotals()) == "not yet"


def test_off_a_terminal_no_line_is_longer_than_100_characters() -> None:
    by_status = {"certified": 1234, "completed": 567, "in_progress": 8901, "enrolled": 234}
    busy = Snapshot(
        programs=[
            ProgramStatus("junior-developers", "Junior Developer OJT", 24, by_status, 32.4),
            ProgramStatus("a-program-with-a-long-key-" * 3, "Long", 10936, by_status, None),
        ],
        certificates=CertificateSummary(1234, 1200, 0, 0, 17, {"pending": 34}),
        last_sync=LastSync(datetime(2026, 1, 5, 9, 30, 7, tzinfo=UTC), 1.0, 98, 0, "ok"),
        verify_url=None,
        syncs=SyncTotals(123456, 123456789, 1234567),
    )
    lines = status_lines(busy, 65.0)
    assert all(len(line) <= PLAIN_WIDTH for line in lines), lines
    assert lines[0] == "[01:05] junior-developers: 24 students, avg 32.4 %"
    assert lines[1] == "        1234 certified, 567 completed, 8901 in progress, 234 enrolled"
    assert sum(line.startswith("[01:05] ") for line in lines) == 4  # the rest continue them
    event = (
        "review To-Do in Odoo for Fatima Zahra (Warehouse Operations Apprenticeship): "
        "no attendance recorded (at least 80 % required)"
    )
    wrapped = plain_event(38.0, event)
    assert len(wrapped) == 2 and all(len(line) <= PLAIN_WIDTH for line in wrapped)
    assert " ".join(line.strip() for line in wrapped) == f"[00:38] {event}"
    url = "http://127.0.0.1:8080/c/" + "X" * 120  # one word longer than a line stays whole
    assert plain_event(1.0, f"verification page: {url}")[1].strip() == url

    out, feed = io.StringIO(), Feed(time.monotonic())
    feed.add(event)
    Screen(out, live=False, started=time.monotonic()).show(busy, feed, "running")
    written = out.getvalue().splitlines()
    assert len(written) == len(wrapped) + len(lines)
    assert all(len(line) <= PLAIN_WIDTH for line in written), written


class _FakeClock:
    """A clock that only moves when the activity waits (or a step takes time)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += seconds
        return False


def _timed(activity_steps: tuple[Step, ...], clock: _FakeClock, at: list[float]) -> list[Step]:
    def record(slow: float) -> Any:
        def act(_: Any) -> str:
            at.append(clock.now - 1000.0)
            clock.now += slow
            return "something happened"

        return act

    # the 4th step takes 7 s (a slow Odoo): the steps after it must not shift
    return [Step(s.at, record(7.0 if n == 3 else 0.0)) for n, s in enumerate(activity_steps)]


def test_the_minute_of_activity_lasts_a_minute_on_an_injected_clock() -> None:
    assert all(0 < step.at < MINUTE for step in STEPS)
    assert [s.at for s in STEPS] == sorted(s.at for s in STEPS)
    for span, say in ((MINUTE, "a minute"), (50.0, "50 s"), (10.0, "10 s")):
        clock, at, reported = _FakeClock(), list[float](), list[str]()
        steps = _timed(STEPS, clock, at)
        activity = Activity(
            None,  # type: ignore[arg-type]  # the steps here touch no Odoo
            reported.append,
            span=span,
            steps=steps,
            clock=clock,
            wait=clock.wait,
        )
        planned = [s.at * span / MINUTE for s in STEPS]
        assert [when for when, _ in activity.plan()] == pytest.approx(planned)
        activity.play()
        assert activity.finished.is_set()
        assert clock.now - 1000.0 == pytest.approx(span)  # it ends on the span, not its last step
        slow_done = planned[3] + 7.0
        # the steps due while the slow one ran follow it at once; the later ones keep their time
        expected = [max(p, slow_done) if n > 3 else p for n, p in enumerate(planned)]
        assert at == pytest.approx(expected)
        assert any(p > slow_done for p in planned)
        assert reported[-1].startswith(f"end of the trainee activity ({say})")
        assert len(reported) == len(STEPS) + 1
        assert describe_span(span) == say


def test_the_activity_is_a_full_minute_whenever_the_demo_can_hold_it() -> None:
    assert activity_span(None) == MINUTE  # until Ctrl-C
    assert activity_span(MINUTE + CATCH_UP) == activity_span(300) == MINUTE
    assert activity_span(60) == 50  # and the demo says "50 s", not "a minute"
    assert activity_span(20) == 10
    assert activity_span(4) == 2  # a very short demo: half of it
    for duration in (20, 30, 45, 60, 69.5):
        assert activity_span(duration) <= duration - CATCH_UP


class _SecureOnLoopback(http.cookiejar.DefaultCookiePolicy):
    """Browsers send `Secure` cookies to http://127.0.0.1 (a secure context); urllib does not."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


def _signed_in_page(base: str, login: str, password: str) -> str:
    """Sign in to the cockpit at `base` as a browser would; the page it lands on."""
    jar = http.cookiejar.CookieJar(policy=_SecureOnLoopback())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/signin", timeout=10) as answer:
        form = answer.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None, form
    fields = {"login": login, "secret": password, "csrf_token": token.group(1)}
    with opener.open(f"{base}/signin", urllib.parse.urlencode(fields).encode(), 10) as answer:
        return str(answer.read().decode())

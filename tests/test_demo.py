"""`ojt-sidecar demo`: the showcase dataset, the live summary, and a short run end to end."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from sidecar.cli.demo.dashboard import BAR, Feed, Screen, Snapshot, status_bar
from sidecar.cli.demo.runner import DEMO_DIR_ENTRIES, write_showcase_config
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from sidecar.emulator.showcase_data import EVENT, OJT_STAGE
from sidecar.store.bootstrap import open_store
from sidecar.store.models import Certificate
from sidecar.store.queries import CertificateSummary, LastSync, ProgramStatus
from verify_site.app import create_app

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"http://127\.0\.0\.1:\d+/c/[0-9A-Z-]+")


def test_showcase_dataset_has_the_promised_shape(tmp_path: Path) -> None:
    emu = OdooEmulator(demo="showcase")
    cfg = load_config(write_showcase_config(tmp_path, "http://127.0.0.1:8069", "ojt", 8080, 9108))
    env = emu.env
    assert len(cfg.programs) == 2
    names = [c.course for p in cfg.programs for c in p.courses]
    channels = env.search("slide.channel", [("name", "in", names)])
    assert len(channels) == 4
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
    lines, page = [], None
    try:
        for line in proc.stdout:
            lines.append(line)
            found = URL.search(line)
            if page is None and found and "verification page" in line:
                with urllib.request.urlopen(found.group(0), timeout=10) as response:
                    page = response.read().decode()
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    out = "".join(lines)
    assert code == 0, out
    assert page is not None and "Valid certificate" in page, out
    assert "All checks passed" in out and "\x1b[" not in out
    assert re.search(r"^\[00:\d\d\] junior-developers: \d+ students", out, re.MULTILINE)
    assert re.search(r"^\[00:\d\d\] issued \S+ to ", out, re.MULTILINE)
    assert {p.name for p in workdir.iterdir()} <= set(DEMO_DIR_ENTRIES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    cfg = load_config(workdir / "config.yaml")
    store = open_store(cfg)
    with store.sessions() as session:
        serial = session.scalar(select(Certificate.serial).order_by(Certificate.id))
        assert session.scalar(select(func.count(Certificate.id))) >= 3
    store.close()
    assert (workdir / "certificates").is_dir() and any((workdir / "certificates").rglob("*.pdf"))
    response = create_app(cfg).test_client().get(f"/c/{serial}")
    assert response.status_code == 200 and "Valid certificate" in response.get_data(as_text=True)

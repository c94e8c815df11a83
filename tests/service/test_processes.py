"""`ojt-sidecar run` as real processes: SIGTERM mid-sync stops cleanly and the sync resumes;
two replicas on one PostgreSQL never run a job (or two outbox jobs) at once, and after one is
killed with SIGKILL the other takes its jobs over once the lease expires."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sidecar.cli import main
from sidecar.config import load_config
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.store.bootstrap import open_store
from sidecar.store.models import SyncCursor, SyncRun
from tests.jobs.syncing import client_for, snapshot, sync_once
from tests.jobs.test_sync import full_reread
from tests.service.servicing import (
    Run,
    add_trainees,
    job_runs,
    service_config,
    start_run_process,
    stop_process,
    wait_until,
)

SHUTDOWN_TIMEOUT = 20.0


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def holder_of(proc: subprocess.Popen[bytes]) -> str:
    return f"{socket.gethostname()}:{proc.pid}:"


def lessons_position(cfg_path: Path) -> tuple[str | None, int | None]:
    store = open_store(load_config(cfg_path), reconcile=False)
    try:
        with store.sessions() as session:
            row = session.get(SyncCursor, "lessons")
            return (row.second, row.after_id) if row is not None else (None, None)
    finally:
        store.close()


def test_sigterm_mid_sync_exits_0_and_the_next_sync_resumes_to_a_store_equal_to_a_full_read(
    tmp_path: Path, emu: OdooEmulator, db_url: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    lesson_rows = add_trainees(emu, 15) + 16  # the demo has 16
    path = service_config(
        tmp_path, emu, db_url, every="1h", reconcile="1d", page_size=2, shutdown="20s"
    )
    emu.faults.add(
        FaultRule("latency", model="slide.slide.partner", method="search_read", seconds=0.5)
    )
    proc = start_run_process(path, "--no-web")
    processes.append(proc)
    wait_until(lambda: lessons_position(path)[0] is not None, "a page of lessons stored")

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=SHUTDOWN_TIMEOUT + 30) == 0

    sync_run = [r for r in job_runs(db_url) if r.job == "sync"]
    assert [r.status for r in sync_run] == ["interrupted"]
    assert lessons_position(path)[0] is not None  # the position stays for the next cycle
    emu.faults.clear()
    cfg = load_config(path)
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            statuses = list(session.scalars(select(SyncRun.status).order_by(SyncRun.id)))
        assert statuses == ["interrupted"]
        with client_for(emu) as odoo:
            summary = sync_once(cfg, store, odoo)
        assert not summary.interrupted
        lessons = next(s for s in summary.streams if s.name == "lessons")
        assert 0 < lessons.counts.read < lesson_rows  # resumed, not started over
        assert snapshot(store.sessions) == full_reread(tmp_path, emu)
    finally:
        store.close()


def overlapping(runs: list[Run], ended: dict[str, datetime]) -> list[tuple[Run, Run]]:
    """Pairs of runs whose spans overlap. A run is over when it finished, or when its replica
    died (`ended`, by holder prefix): an abandoned run is only stamped later, by whoever next
    takes its job."""
    now = datetime.now(UTC)

    def end(run: Run) -> datetime:
        died = [t for prefix, t in ended.items() if run.holder.startswith(prefix)]
        return min([run.finished_at or now, *died])

    spans = sorted(runs, key=lambda r: r.started_at)
    return [
        (a, b)
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if b.started_at < end(a) and a.started_at < end(b)
    ]


def test_two_replicas_never_overlap_a_job_and_the_survivor_takes_over_after_kill_9(
    tmp_path: Path, emu: OdooEmulator, postgres_url: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Replicas share a PostgreSQL store, so this runs only there."""
    db_url = postgres_url
    add_trainees(emu, 5)
    emu.faults.add(
        FaultRule("latency", model="slide.slide.partner", method="search_read", seconds=0.3)
    )
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a = start_run_process(service_config(a_dir, emu, db_url, every="1s", lease="3s"), "--no-web")
    processes.append(a)
    b = start_run_process(service_config(b_dir, emu, db_url, every="1s", lease="3s"), "--no-web")
    processes.append(b)

    def ran(proc: subprocess.Popen[bytes]) -> set[str]:
        return {r.job for r in job_runs(db_url) if r.holder.startswith(holder_of(proc))}

    wait_until(lambda: len(ran(a)) >= 3 and len(ran(b)) >= 3, "both replicas running jobs")

    def syncing() -> list[subprocess.Popen[bytes]]:
        """The replica in the middle of a sync, if any: either may hold the sync for a while."""
        running = [r.holder for r in job_runs(db_url) if r.job == "sync" and r.status == "running"]
        return [p for p in (a, b) if any(h.startswith(holder_of(p)) for h in running)]

    found: list[subprocess.Popen[bytes]] = []
    wait_until(lambda: bool(found.extend(syncing()) or found), "a replica in the middle of a sync")
    victim = found[0]
    survivor = b if victim is a else a
    victim.kill()  # SIGKILL: no shutdown, its leases stay until they expire
    victim.wait()
    killed_at = datetime.now(UTC)

    def taken_over() -> bool:
        runs = job_runs(db_url)
        later = {
            r.job
            for r in runs
            if r.holder.startswith(holder_of(survivor))
            and r.status == "ok"
            and r.started_at > killed_at
        }
        return later >= {"enroll", "sync", "issue", "deliver"}

    wait_until(taken_over, "the survivor running every job after the other was killed")
    wait_until(
        lambda: (
            not [
                r
                for r in job_runs(db_url)
                if r.status == "running" and r.holder.startswith(holder_of(victim))
            ]
        ),
        "the killed replica's unfinished sync marked abandoned",
    )
    assert stop_process(survivor) == 0

    runs = job_runs(db_url)
    assert any(r.status == "abandoned" and r.holder.startswith(holder_of(victim)) for r in runs)
    dead = {holder_of(victim): killed_at}
    for job in ("enroll", "sync", "issue", "deliver", "reconcile"):
        assert overlapping([r for r in runs if r.job == job], dead) == [], job
    outbox = [r for r in runs if r.job in ("enroll", "issue", "deliver")]
    assert overlapping(outbox, dead) == [], "two jobs delivering the outbox at once"
    mirrors = [r for r in runs if r.job in ("sync", "reconcile")]
    assert overlapping(mirrors, dead) == []


def test_run_with_a_bad_config_says_so_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("odoo: {url: nowhere}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "-c", str(bad), "--once"])
    assert result.exit_code == 2
    assert "problem" in result.output


def test_run_says_in_one_sentence_that_the_sites_port_is_taken_and_exits_1(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    path = service_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    port = load_config(path).verify_site.port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "ojt-sidecar"), "run", "-c", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ},
        )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: the verification site cannot listen on 127.0.0.1:{port}: the port is in use "
        "(set verify_site.port, or use --no-web)"
    ]
    assert "Traceback" not in result.stderr

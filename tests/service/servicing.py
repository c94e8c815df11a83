"""Helpers for the service tests: a config with fast schedules, waiting on conditions, job runs
read from the store, and `ojt-sidecar run` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from sidecar.certificates.signing import generate_key
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.models import JobRun
from tests.jobs.syncing import CONFIG as PROGRAMS

SERVICE = """\
certificates:
  issuer: {{name: Test Training}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
verify_site:
  port: {web_port}
schedules:
  enroll: {{every: {every}}}
  sync: {{every: {every}}}
  issue: {{every: {every}}}
  notify: {{every: {every}}}
  deliver: {{every: {every}}}
  reconcile: {{every: {reconcile}}}
service:
  lease: {lease}
  shutdown_timeout: {shutdown}
  misfire_grace: 30s
  ops_port: {ops_port}
"""

WAIT = 60.0  # generous: a condition normally holds within seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_config(
    tmp_path: Path,
    emu: OdooEmulator,
    store_url: str,
    *,
    every: str = "1s",
    reconcile: str = "1h",
    lease: str = "3s",
    shutdown: str = "20s",
    page_size: int | None = None,
) -> Path:
    """Write a config for the emulator with fast schedules (and a signing key); its path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    programs = PROGRAMS.format(url=emu.url, db=emu.db, store=store_url)
    if page_size is not None:
        programs = programs.replace(
            "  password: admin\n", f"  password: admin\n  page_size: {page_size}\n"
        )
    service = SERVICE.format(
        every=every,
        reconcile=reconcile,
        lease=lease,
        shutdown=shutdown,
        web_port=free_port(),
        ops_port=free_port(),
    )
    path = tmp_path / "config.yaml"
    path.write_text(programs + service, encoding="utf-8")
    cfg = load_config(path)
    if not cfg.certificates.signing_key.exists():
        generate_key(cfg.certificates.signing_key)
    return path


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    holder: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    summary: str | None
    error: str | None


def job_runs(store_url: str) -> list[Run]:
    """The store's job runs, oldest first (none while the service has not created the store)."""
    engine = create_engine(store_url)
    try:
        if not inspect(engine).has_table(JobRun.__tablename__):
            return []
        with Session(engine) as session:
            return [
                Run(
                    r.id, r.job, r.holder, r.status, r.started_at, r.finished_at, r.summary, r.error
                )
                for r in session.scalars(select(JobRun).order_by(JobRun.id))
            ]
    finally:
        engine.dispose()


def count_ok(store_url: str, job: str) -> int:
    return sum(1 for r in job_runs(store_url) if r.job == job and r.status == "ok")


def start_run_process(config: Path, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    """`ojt-sidecar run -c CONFIG ARGS` as a real process (the console script of this venv),
    logging to `log`."""
    out = open(log or config.with_suffix(".log"), "ab")  # noqa: SIM115 - kept by the process
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "ojt-sidecar"), "run", "-c", str(config), *args],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=config.parent,
    )


def stop_process(proc: subprocess.Popen[bytes], timeout: float = WAIT) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def add_trainees(emu: OdooEmulator, count: int, course: str = "Basics of Gardening") -> int:
    """`count` new contacts enrolled in `course`, each with a (not completed) row per lesson:
    more pages for the sync to read. The number of lesson rows added."""
    env = emu.env
    channel = env.search("slide.channel", [("name", "=", course)])[0]
    slides = env.search("slide.slide", [("channel_id", "=", channel), ("is_category", "=", False)])
    added = 0
    for n in range(count):
        partner = env.create("res.partner", {"name": f"Trainee {n}", "email": f"t{n}@example.org"})
        env.create("slide.channel.partner", {"channel_id": channel, "partner_id": partner})
        for slide in slides:
            env.create("slide.slide.partner", {"slide_id": slide, "partner_id": partner})
            added += 1
    return added

"""The service of one cell as real processes, and healing: faults removed, the service left to
catch up on its own, stopped, then one `ojt-sidecar run --once` pass before the census."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from sidecar.config import load_config
from sidecar.store.bootstrap import open_store
from sidecar.store.models import JobRun
from tests.faults import census
from tests.faults.world import World
from tests.jobs.test_enroll_faults import make_due
from tests.service.servicing import start_run_process, stop_process, wait_until
from tests.service.test_processes import holder_of

# How long the service alone gets to deliver what the seeded data calls for once the faults
# are gone; healthy cells need a few seconds, this only bounds a service that never recovers.
HEAL_SECONDS = 45.0
PACE_SECONDS = 0.01  # every Odoo call made a little slower, so a kill lands inside a job


@dataclass
class Stage:
    """A cell in progress: its world, its seeded random, and the processes it started."""

    world: World
    rng: random.Random
    folder: Path  # where the store and the certificates live
    logs: Path  # outside `folder`, which may be a disk that is full
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ended: set[int] = field(default_factory=set)  # pids the harness killed or stopped
    problems: list[str] = field(default_factory=list)  # each fails the cell
    notes: list[str] = field(default_factory=list)

    def start(self, config: Path | None = None) -> subprocess.Popen[bytes]:
        proc = start_run_process(
            config or self.world.config, "--no-web", log=self.logs / "service.log"
        )
        self.procs.append(proc)
        return proc

    def start_up(self, config: Path | None = None) -> subprocess.Popen[bytes]:
        """Start the service and wait until it runs a job: the store is migrated, the
        scheduler up, the signal handlers installed."""
        proc = self.start(config)
        url = self.world.store_url
        wait_until(lambda: proc.poll() is not None or started(url, proc), "the service's start")
        return proc

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.procs if p.poll() is None]

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        self.ended.add(proc.pid)
        proc.kill()
        proc.wait()

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM: the service must stop cleanly, with exit 0. A replica just restarted is
        first given time to start (SIGTERM before its handler is installed ends a process
        that is still importing, which says nothing of the service)."""
        url = self.world.store_url
        deadline = time.monotonic() + 20.0
        while proc.poll() is None and not started(url, proc) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.ended.add(proc.pid)
        try:
            code = stop_process(proc)
        except subprocess.TimeoutExpired:
            self.problems.append("the service did not stop on SIGTERM")
            return
        if code != 0:
            self.problems.append(f"the service exited {code} on SIGTERM")

    def exited_alone(self) -> list[int]:
        """Exit codes of services that ended without being told to: each one a crash."""
        return [
            p.returncode for p in self.procs if p.pid not in self.ended and p.poll() is not None
        ]

    def cleanup(self) -> None:
        for proc in self.alive():
            self.kill(proc)


def _holders(store_url: str, *where: Any) -> list[str]:
    """Holders of the job runs matching `where`; none while the store is not created yet."""
    engine = create_engine(store_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(JobRun.holder).where(*where).distinct()))
    except OperationalError:
        return []
    except ProgrammingError:  # PostgreSQL: the table is not there yet
        return []
    finally:
        engine.dispose()


def started(store_url: str, proc: subprocess.Popen[bytes]) -> bool:
    """`proc` has run a job (or is running one)."""
    return any(h.startswith(holder_of(proc)) for h in _holders(store_url))


def running_job(store_url: str, job: str, proc: subprocess.Popen[bytes]) -> bool:
    """`proc` is in the middle of a run of `job` (or was killed in one)."""
    running = _holders(store_url, JobRun.job == job, JobRun.status == "running")
    return any(h.startswith(holder_of(proc)) for h in running)


def run_for(stage: Stage, proc: subprocess.Popen[bytes], job: str, timeout: float = 30.0) -> bool:
    """Wait until `proc` is in a run of `job`; False when none was seen (a run shorter than
    the polling interval, or the job never ran)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if running_job(stage.world.store_url, job, proc):
            return True
        time.sleep(0.02)
    return False


def due_now(config: Path) -> None:
    """Outbox retries back off for 30 s and more; healing does not wait for that clock."""
    store = open_store(load_config(config), reconcile=False)
    try:
        make_due(store)
    finally:
        store.close()


def heal(stage: Stage) -> bool:
    """Remove every fault, let the service (restarted if none is up) deliver what the seeded
    data calls for, stop it, then one `run --once` pass. True when the service got there on
    its own, before that last pass."""
    world = stage.world
    # A slow call already inside Odoo lands after its delay even once its rule is gone: let
    # it, before making retries due, since healing's clock runs faster than the 30 s backoff
    # would (a write slower than the backoff is its own cell, `odoo-hang-past-backoff`).
    in_flight = max((r.seconds for r in world.emu.faults.rules if r.kind == "latency"), default=0)
    world.emu.faults.clear()
    time.sleep(in_flight)
    if not stage.alive():
        # Healing is the service's own: let it start (SIGTERM before its handler is installed
        # would only end a half-started process).
        stage.start_up()
    recovered = False
    deadline = time.monotonic() + HEAL_SECONDS
    while time.monotonic() < deadline:
        try:
            due_now(world.config)
            if not census.take(world.emu, world.expected, world.store_url).lost:
                recovered = True
                break
        except Exception as exc:  # the store may be unreadable while the fault lingers
            note = f"census failed while healing: {type(exc).__name__}"
            if note not in stage.notes:
                stage.notes.append(note)
        time.sleep(1.0)
    for proc in stage.alive():
        stage.stop(proc)
    if stage.exited_alone():
        stage.problems.append(f"the service exited by itself with {stage.exited_alone()}")
    if not recovered:
        stage.problems.append(f"the service did not heal within {HEAL_SECONDS:.0f} s")
    due_now(world.config)
    if once(world.config, stage.logs / "once.log") != 0:
        stage.problems.append("the final `run --once` pass failed a job")
    return recovered


def once(config: Path, log: Path) -> int:
    with open(log, "ab") as out:
        return subprocess.run(
            [str(Path(sys.executable).parent / "ojt-sidecar"), "run", "-c", str(config), "--once"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
            timeout=300,
        ).returncode

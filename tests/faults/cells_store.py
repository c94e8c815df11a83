"""Faults around the store and the operator: PostgreSQL backends killed under the service, two
replicas killed in turn, commands run by hand while `run` is up, and a full disk."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sidecar.store.models import Certificate
from tests.conftest import POSTGRES_ENV
from tests.faults.cells import pace
from tests.faults.running import Stage
from tests.faults.world import REVIEWED, replica_config
from tests.jobs.enrolling import count
from tests.service.servicing import wait_until

TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = :db AND pid <> pg_backend_pid()"
)


def pg_backend_kills(stage: Stage, scale: int) -> int:
    """Every 0.2–1 s for `scale` × 3 s, terminate every connection the service has to its
    database (pg_terminate_backend: the server itself stays up for the other tests), once it
    is up: a store that fails while the service starts is an exit 1 for systemd to restart."""
    pace(stage)
    stage.start_up()
    database = make_url(stage.world.store_url).database
    admin = create_engine(os.environ[POSTGRES_ENV], isolation_level="AUTOCOMMIT")
    killed = 0
    deadline = time.monotonic() + 3.0 * scale
    try:
        while time.monotonic() < deadline:
            time.sleep(stage.rng.uniform(0.2, 1.0))
            with admin.connect() as conn:
                killed += len(conn.execute(text(TERMINATE), {"db": database}).all())
    finally:
        admin.dispose()
    return killed


def two_replicas(stage: Stage, scale: int) -> int:
    """Two replicas on one store; one of them, at random, SIGKILLed and started again after a
    random 0.5–3 s, `scale` times."""
    pace(stage)
    configs = [stage.world.config, replica_config(stage.world, stage.folder / "replica-b")]
    procs = [stage.start(config) for config in configs]
    for _ in range(scale):
        time.sleep(stage.rng.uniform(0.5, 3.0))
        victim = stage.rng.randrange(len(procs))
        stage.kill(procs[victim])
        procs[victim] = stage.start(configs[victim])
    return scale


def manual_commands(stage: Stage, scale: int) -> int:
    """`enroll`, `issue`, `enroll --applicant 12` (once its review To-Do is there) and `cert
    reissue SERIAL` (once a certificate is) while `run` is up, side by side, each with or
    without --wait at random; `scale` rounds. Without --wait a command may find a lease busy:
    exit 1 with the sentence saying who holds it."""
    world = stage.world
    # During `run`: the service has migrated the store and run a job. (A command started
    # together with the first `run` on an empty SQLite store races it to migrate.)
    stage.start_up()
    todo = [("res_model", "=", "hr.applicant"), ("res_id", "=", REVIEWED)]
    world.expected.wood.append(REVIEWED)  # enrolled by hand below, after its review To-Do
    enrolled: list[bool] = []

    def jobs() -> None:
        for command in (["enroll"], ["issue"]):
            _by_hand(stage, command, wait=stage.rng.random() < 0.5)

    def review() -> None:
        wait_until(lambda: count(world.emu, "mail.activity", todo) > 0, "the review To-Do")
        args = ["enroll", "--applicant", str(REVIEWED)]
        enrolled.append(_by_hand(stage, args, wait=stage.rng.random() < 0.5))

    def reissue() -> None:
        serial = _wait_for_a_certificate(world.store_url)
        _by_hand(stage, ["cert", "reissue", serial], wait=stage.rng.random() < 0.5)

    for _ in range(scale):
        with ThreadPoolExecutor(max_workers=3) as pool:
            for done in [pool.submit(step) for step in (jobs, review, reissue)]:
                done.result()
    if not any(enrolled):  # every try found the lease busy: the review still needs doing
        _by_hand(stage, ["enroll", "--applicant", str(REVIEWED)], wait=True)
    return 4 * scale


def commands_at_first_start(stage: Stage, scale: int) -> int:
    """`run` and `enroll`, `issue` and `sync` by hand started at the same moment on an empty
    store (a first start, or a config that gained a program): each must either do its work or
    find a lease busy, and the service must keep running. `scale` commands of each."""
    commands = [["enroll"], ["issue"], ["sync"]] * scale
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        stage.start()
        for done in [pool.submit(_by_hand, stage, c, wait=False) for c in commands]:
            done.result()
    return len(commands) + 1


def _by_hand(stage: Stage, command: list[str], *, wait: bool) -> bool:
    """Run a command; True when it did its work, False when it found a lease busy."""
    args = [*command, "-c", str(stage.world.config), *(["--wait"] if wait else [])]
    began = time.monotonic()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ojt-sidecar"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=stage.world.config.parent,
    )
    with open(stage.logs / "by-hand.log", "a", encoding="utf-8") as log:
        took = time.monotonic() - began
        log.write(f"$ {' '.join(args)}\n{done.stdout}{done.stderr}exit {done.returncode}")
        log.write(f" after {took:.1f} s\n")
    busy = done.returncode == 1 and " lease for " in done.stderr and not wait
    if done.returncode != 0 and not busy:
        stage.problems.append(f"`{' '.join(command)}` exited {done.returncode}")
    return done.returncode == 0


def _wait_for_a_certificate(store_url: str) -> str:
    """The serial of a current certificate, once the service issued one."""
    found: list[str] = []

    def issued() -> bool:
        engine = create_engine(store_url)
        try:
            with Session(engine) as session:
                query = select(Certificate.serial).where(Certificate.superseded_at.is_(None))
                found[:] = list(session.scalars(query.limit(1)))
        except Exception:  # the store is not created yet
            return False
        finally:
            engine.dispose()
        return bool(found)

    wait_until(issued, "a certificate issued by the service")
    return found[0]


@contextmanager
def tmpfs(folder: Path, megabytes: int = 24) -> Iterator[Path]:
    """A small filesystem of its own at `folder`/disk, to be filled; raises OSError when it
    cannot be mounted (not root, no mount namespace)."""
    place = folder / "disk"
    place.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(place)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        raise OSError(f"cannot mount a tmpfs: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], check=False)


def disk_full(stage: Stage, scale: int) -> int:
    """The store's disk filled to the last byte for 2–4 s while the service works, then
    freed; `scale` times."""
    pace(stage)
    stage.start_up()
    for n in range(scale):
        time.sleep(stage.rng.uniform(1.0, 3.0))
        filler = stage.folder / f"filler-{n}"
        _fill(filler)
        time.sleep(stage.rng.uniform(2.0, 4.0))
        filler.unlink()
    return scale


def _fill(path: Path) -> None:
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as out:
        while True:
            try:
                out.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    return
                chunk = chunk[: len(chunk) // 2]  # down to the last byte

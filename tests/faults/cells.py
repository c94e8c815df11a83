"""The faults, one driver each: it starts the service, injects its fault while the service
works, and returns how many faults it injected. Healing and counting are the matrix's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from jobs.deliver import FIRST_BACKOFF
from jobs.service.leases import release, try_acquire
from sidecar.config import load_config
from sidecar.emulator import FaultRule
from sidecar.store.bootstrap import open_store
from sidecar.store.models import OutboxMessage, utcnow
from tests.faults.running import PACE_SECONDS, Stage, due_now, run_for, running_job
from tests.service.servicing import wait_until

Driver = Callable[[Stage, int], int]  # (stage, scale) -> faults injected

# The deliver job has its own driver (`kill9_in_deliver`): alone it seldom has work.
# Reconcile lists ids with `search`, which only it calls often.
JOBS: dict[str, tuple[str, ...]] = {"enroll": (), "sync": (), "issue": (), "reconcile": ("search",)}


def pace(stage: Stage) -> None:
    """A small delay on every Odoo call, added last so it never shadows a fault rule."""
    stage.world.emu.faults.add(FaultRule("latency", seconds=PACE_SECONDS))


def kill9_random(stage: Stage, scale: int) -> int:
    """SIGKILL after a random 0.2–3 s of work, then start again; `scale` times."""
    pace(stage)
    for _ in range(scale):
        proc = stage.start()
        time.sleep(stage.rng.uniform(0.2, 3.0) + 1.0)  # a second to import and open the store
        stage.kill(proc)
    return scale


def kill9_in(job: str, slow: tuple[str, ...] = ()) -> Driver:
    """SIGKILL at a random point inside a run of `job`, then start again; `scale` times. A
    kill that came after the run ended (a run of a few milliseconds) still counts as a kill;
    the notes say how many landed inside. `slow`: Odoo methods the job calls, made slower so
    that its runs last long enough to be hit."""

    def drive(stage: Stage, scale: int) -> int:
        for method in slow:
            stage.world.emu.faults.add(FaultRule("latency", method=method, seconds=0.2))
        pace(stage)
        url, inside = stage.world.store_url, 0
        for _ in range(scale):
            proc = stage.start()
            run_for(stage, proc, job)
            time.sleep(stage.rng.uniform(0.0, 0.4))
            stage.kill(proc)
            inside += running_job(url, job, proc)  # its run is left running, never finished
        stage.notes.append(f"{inside} of {scale} kill(s) inside a run of {job}")
        return scale

    drive.__name__ = f"kill9_in_{job}"
    return drive


def kill9_mid_write(stage: Stage, scale: int) -> int:
    """SIGKILL while a write to Odoo is in flight (whichever job delivers it): Odoo applies it
    after the sidecar died, between sending and recording, which the outbox must adopt and
    never send twice; `scale` times."""
    emu = stage.world.emu
    slow = [
        emu.faults.add(FaultRule("latency", method=method, seconds=0.5))
        for method in ("create", "message_post", "action_grant_access", "action_invite")
    ]
    pace(stage)
    inside = 0
    for _ in range(scale):
        proc = stage.start()
        before = sum(rule.fired for rule in slow)
        deadline = time.monotonic() + 30.0
        while sum(rule.fired for rule in slow) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        inside += sum(rule.fired for rule in slow) > before
        time.sleep(stage.rng.uniform(0.0, 0.4))  # within the write's half second
        stage.kill(proc)
    stage.notes.append(f"{inside} of {scale} kill(s) with a write in flight")
    return scale


def odoo_rules(rules: list[FaultRule], seconds: float) -> Driver:
    """The service runs `seconds` against an Odoo that breaks by these rules (each at a
    rate); the faults injected are the rules' firings."""

    def drive(stage: Stage, scale: int) -> int:
        emu = stage.world.emu
        emu.faults.seed(stage.rng.randrange(2**32))
        # Fresh copies: rules count their firings, and the cells share these lists.
        added = [emu.faults.add(replace(rule)) for rule in rules]
        pace(stage)
        stage.start()
        time.sleep(seconds * scale)
        # On a loaded machine the service may spend the whole window starting up: give it
        # until a fault has fired (at most half a minute more) rather than test nothing.
        deadline = time.monotonic() + 30
        while not any(rule.fired for rule in added) and time.monotonic() < deadline:
            time.sleep(0.1)
        fired = sum(rule.fired for rule in added)
        emu.faults.clear()
        return fired

    return drive


def odoo_down(stage: Stage, scale: int) -> int:
    """Odoo goes away (connections refused, open ones dropped) for 1–3 s, `scale` times."""
    emu = stage.world.emu
    pace(stage)
    stage.start()
    for _ in range(scale):
        time.sleep(stage.rng.uniform(0.5, 2.5))
        # Kept-alive connections outlive the listener: drop whatever reaches a handler too.
        emu.faults.add(FaultRule("drop_before"))
        emu.stop()
        time.sleep(stage.rng.uniform(1.0, 3.0))
        emu.faults.clear()
        emu.start()
        pace(stage)
    return scale


def odoo_hang_past_backoff(stage: Stage, scale: int) -> int:
    """One write (the review To-Do's create) that Odoo takes longer to apply than the
    sidecar's timeout plus the outbox's first backoff (1.5 s + 30 s here; 30 s + 30 s by
    default, while Odoo lets a request run for limit_time_real, 120 s): the retry's lookup
    runs while the first attempt is still in flight, so it cannot find it, and must not send
    again before `odoo.longest_request_seconds` has passed. `scale` is unused: one hang is the
    whole fault."""
    hang = FIRST_BACKOFF.total_seconds() + 4.0
    # This Odoo lets a request run that long (its limit_time_real), and the config says so.
    config = stage.world.config
    text = config.read_text(encoding="utf-8")
    longer = text.replace(
        "longest_request_seconds: 3\n", f"longest_request_seconds: {hang + 2:g}\n"
    )
    assert longer != text
    config.write_text(longer, encoding="utf-8")
    rule = stage.world.emu.faults.add(
        FaultRule("latency", model="mail.activity", method="create", seconds=hang, times=1)
    )
    stage.start_up()
    wait_until(lambda: rule.fired > 0, "the To-Do's create sent", timeout=60.0)
    time.sleep(hang + 2.0)  # the retry, then the first attempt landing
    return 1


FIVE_XX = [
    FaultRule("http_status", status=502, rate=0.08),
    FaultRule("http_status", status=503, rate=0.08),
    FaultRule("http_status", status=504, rate=0.08),
]
DROPPED = [FaultRule("drop_before", rate=0.08), FaultRule("drop_after", rate=0.08)]
# Longer than the config's timeout: the sidecar gives up, Odoo applies the call anyway.
SLOW = [FaultRule("latency", seconds=2.0, rate=0.05), FaultRule("latency", seconds=0.5, rate=0.1)]


STAND_IN = "fault-matrix:stand-in"  # another replica, as far as the service can tell


def kill9_in_deliver(stage: Stage, scale: int) -> int:
    """SIGKILL inside runs of the deliver job. Enroll and issue deliver what they queue, so
    the deliver job gets work only when they could not: Odoo refuses writes (503) until rows
    are waiting, then a stand-in replica holds the enroll and issue leases while the service
    restarts, leaving every delivery to the deliver job; `scale` kills."""
    world, emu = stage.world, stage.world.emu
    for method in WRITES:
        emu.faults.add(FaultRule("http_status", method=method, status=503))
    stage.start()
    wait_until(lambda: waiting_rows(world.config) >= 20, "writes waiting for Odoo")
    stage.kill(stage.procs[-1])
    with leases_held(world.config, ("enroll", "issue")):
        emu.faults.clear()
        # Slow writes: a run of the deliver job lasts seconds, and each kill leaves work.
        for method in WRITES:
            emu.faults.add(FaultRule("latency", method=method, seconds=0.15))
        pace(stage)
        inside = 0
        for _ in range(scale):
            due_now(world.config)
            proc = stage.start()
            run_for(stage, proc, "deliver")
            time.sleep(stage.rng.uniform(0.0, 1.0))
            stage.kill(proc)
            inside += running_job(world.store_url, "deliver", proc)
    stage.notes.append(f"{inside} of {scale} kill(s) inside a run of deliver")
    return scale


WRITES = ("create", "write", "message_post", "action_grant_access", "action_invite")


def waiting_rows(config: Path) -> int:
    store = open_store(load_config(config), reconcile=False)
    try:
        with store.sessions() as session:
            query = select(func.count()).where(OutboxMessage.state == "pending")
            return int(session.scalar(query.select_from(OutboxMessage)) or 0)
    finally:
        store.close()


@contextmanager
def leases_held(config: Path, jobs: tuple[str, ...]) -> Iterator[None]:
    """Hold these jobs' leases as a stand-in replica would (taken once the killed service's
    expired), released after."""
    store = open_store(load_config(config), reconcile=False)
    tokens: dict[str, int] = {}
    try:

        def take() -> bool:
            with store.sessions() as session, session.begin():
                for job in jobs:
                    if job not in tokens:
                        token = try_acquire(session, job, STAND_IN, timedelta(minutes=10), utcnow())
                        if token is not None:
                            tokens[job] = token
            return len(tokens) == len(jobs)

        wait_until(take, "the leases of " + ", ".join(jobs))
        yield
    finally:
        with store.sessions() as session, session.begin():
            for job, token in tokens.items():
                release(session, job, STAND_IN, token)
        store.close()

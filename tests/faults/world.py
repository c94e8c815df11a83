"""One cell's world: an emulator seeded with work for every job, a store (SQLite file or a fresh
PostgreSQL database), and a service config with fast schedules and fast retries.

What the seeded data calls for is written down here, at seed time, from the emulator's own
records: the census later compares Odoo against it, not against what the sidecar believes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sidecar.certificates.signing import generate_key
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from tests.conftest import POSTGRES_ENV, _fresh_postgres_database
from tests.jobs.enrolling import CONFIG as ENROLL_PROGRAMS
from tests.jobs.enrolling import ELIGIBLE, GARDENING_CHANNELS, NO_EMAIL, OJT_STAGE, TRAINEE_JOB
from tests.service.servicing import SERVICE, add_trainees, free_port

# A Consultant applicant moved into the OJT stage: its program enrolls only after a review, so
# it gets a To-Do, and `enroll --applicant 12` (by hand) enrolls it in the wood course.
REVIEWED = 12
WOOD_CHANNEL = 3
RECRUITER = 6

# Short timeouts and retries so that faults cost seconds, not minutes; a latency fault longer
# than the timeout is a call Odoo applies after the sidecar gave up on it. No cell holds a call
# longer than 2 s (longest_request_seconds: 3) but the one that says so.
ODOO_TUNING = """\
  timeout_seconds: 1.5
  longest_request_seconds: 3
  retry:
    max_attempts: 3
    initial_backoff_seconds: 0.05
    max_backoff_seconds: 0.2
    jitter_seconds: 0.05
"""


@dataclass(frozen=True)
class Size:
    """How much work the seeded data makes: new applicants to enroll, trainees who completed
    the gardening program (certificates), trainees who did not (pages for the sync)."""

    applicants: int = 6
    completers: int = 10
    idle: int = 10


@dataclass
class Expected:
    """What the seeded data calls for in Odoo once the system has healed."""

    enrolled: list[int] = field(default_factory=list)  # applicants, in the gardening courses
    todos: list[int] = field(default_factory=list)  # applicants waiting for a review
    certified: list[int] = field(default_factory=list)  # partners, one certificate each
    wood: list[int] = field(default_factory=list)  # applicants enrolled by hand in wood


@dataclass
class World:
    emu: OdooEmulator
    store_url: str
    store: str  # "sqlite" | "postgresql"
    config: Path
    expected: Expected


def postgres_available() -> bool:
    return bool(os.environ.get(POSTGRES_ENV))


@contextmanager
def store_for(kind: str, folder: Path) -> Iterator[str]:
    """A fresh store URL: a SQLite file in `folder`, or a new PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        raise RuntimeError(f"the PostgreSQL cells need {POSTGRES_ENV}")
    yield from _fresh_postgres_database(base)


def seed(emu: OdooEmulator, size: Size) -> Expected:
    expected = Expected(enrolled=list(ELIGIBLE), todos=[NO_EMAIL, REVIEWED])
    env = emu.env
    env.write("hr.applicant", [REVIEWED], {"stage_id": OJT_STAGE, "user_id": RECRUITER})
    for n in range(size.applicants):
        applicant = env.create(
            "hr.applicant",
            {
                "name": f"Trainee - Fault {n}",
                "partner_name": f"Fault Applicant {n}",
                "email_from": f"fault.applicant.{n}@example.org",
                "job_id": TRAINEE_JOB,
                "stage_id": OJT_STAGE,
            },
        )
        expected.enrolled.append(int(applicant))
    expected.certified = [completer(emu, n) for n in range(size.completers)]
    add_trainees(emu, size.idle)
    return expected


def completer(emu: OdooEmulator, n: int) -> int:
    """A contact who finished every published lesson of both gardening courses."""
    env = emu.env
    partner = int(
        env.create("res.partner", {"name": f"Finisher {n}", "email": f"finisher.{n}@example.org"})
    )
    for channel in GARDENING_CHANNELS:
        env.create("slide.channel.partner", {"channel_id": channel, "partner_id": partner})
        slides = env.search(
            "slide.slide",
            [
                ("channel_id", "=", channel),
                ("is_category", "=", False),
                ("is_published", "=", True),
            ],
        )
        for slide in slides:
            env.create(
                "slide.slide.partner", {"slide_id": slide, "partner_id": partner, "completed": True}
            )
    return partner


def write_service_config(folder: Path, emu: OdooEmulator, store_url: str, lease: str) -> Path:
    """The enrollment programs (which also certify gardening) with the service's fast schedules."""
    folder.mkdir(parents=True, exist_ok=True)
    programs = ENROLL_PROGRAMS.format(url=emu.url, db=emu.db, store=store_url)
    programs = programs.replace("  password: admin\n", "  password: admin\n" + ODOO_TUNING, 1)
    service = SERVICE.format(
        every="1s",
        reconcile="3s",  # often enough that a kill can land in one
        lease=lease,
        shutdown="5s",
        web_port=free_port(),
        ops_port=free_port(),
    )
    path = folder / "config.yaml"
    path.write_text(programs + service, encoding="utf-8")
    return path


def replica_config(world: World, folder: Path, lease: str = "2s") -> Path:
    """A second replica's config: same emulator, store and key, its own ports."""
    path = write_service_config(folder, world.emu, world.store_url, lease)
    key = load_config(world.config).certificates.signing_key
    mine = load_config(path).certificates
    mine.signing_key.parent.mkdir(parents=True, exist_ok=True)
    for source in key.parent.iterdir():
        (mine.signing_key.parent / source.name).write_bytes(source.read_bytes())
    # Replicas share the PDF folder (docs/operations.md): a certificate one issued, the other
    # may deliver.
    (folder / "certificates").symlink_to(load_config(world.config).certificates.output_dir)
    return path


@contextmanager
def world(folder: Path, store: str, size: Size, lease: str = "2s") -> Iterator[World]:
    with OdooEmulator(demo=True, port=free_port()) as emu, store_for(store, folder) as url:
        expected = seed(emu, size)
        path = write_service_config(folder, emu, url, lease)
        cfg = load_config(path)
        generate_key(cfg.certificates.signing_key)
        cfg.certificates.output_dir.mkdir(parents=True, exist_ok=True)
        yield World(emu, url, store, path, expected)

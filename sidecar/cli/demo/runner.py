"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the product on the built-in Odoo emulator.

The demo seeds the emulator with the showcase dataset (`sidecar.emulator.showcase_data`), writes
a config under its directory, runs the service (`ojt-sidecar run`'s `ServiceRunner`) on fast
schedules, plays a minute of trainee activity (`activity`) and draws a live summary from the
store (`dashboard`). `write_demo_config` and `simulate_completions` are for Odoo's default demo
data, which the tests use.

The emulator is imported here and nowhere else in production code: it exists so that a new user
sees the sidecar work without an Odoo, and so that the tests have a faithful Odoo to talk to.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from connectors import OdooClient
    from sidecar.config import Config

Echo = Callable[[str], None]

DEMO_CONFIG = """\
# Written by `ojt-sidecar demo` for the built-in Odoo emulator; see config.example.yaml for
# every key and what it means.
odoo:
  url: {url}
  database: {db}
  username: admin
  password: ${{OJT_DEMO_ODOO_PASSWORD:-admin}}
  timeout_seconds: 10
store:
  url: sqlite:///{store}
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: junior-developers
    name: Junior Developer OJT
    responsible_user: admin
    jobs: [Trainee]
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
    issue_on: completion
  - key: woodworking
    name: Woodworking Apprenticeship
    courses:
      - course: Trees, Wood and Gardens
      - course: Choose your wood!
        completion_threshold: 80
    issue_on: completion
certificates:
  issuer:
    name: YourCompany Training
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: http://127.0.0.1:8080
"""


def write_demo_config(workdir: Path, url: str, db: str) -> Path:
    """A config for the emulator's default demo data (`OdooEmulator(demo=True)`), for tests."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    store = (workdir / "ojt-sidecar.db").resolve()
    path.write_text(DEMO_CONFIG.format(url=url, db=db, store=store), encoding="utf-8")
    return path


SHOWCASE_CONFIG = """\
# Written by `ojt-sidecar demo` for the built-in Odoo emulator and its showcase data; see
# config.example.yaml for every key and what it means. Fast schedules, so things move.
odoo:
  url: {url}
  database: {db}
  username: admin
  password: ${{OJT_DEMO_ODOO_PASSWORD:-admin}}
  timeout_seconds: 10
  retry:
    {{max_attempts: 2, initial_backoff_seconds: 0.2, max_backoff_seconds: 1, jitter_seconds: 0.1}}
store:
  url: sqlite:///{store}
# enroll, issue and deliver share the outbox: a run that starts while another holds it is
# skipped, so their intervals are chosen not to fall together often (issue also delivers).
schedules:
  sync: {{every: 2s}}
  issue: {{every: 2s}}
  enroll: {{every: 5s}}
  deliver: {{every: 7s}}
  reconcile: {{every: 30s}}
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: junior-developers
    name: Junior Developer OJT
    responsible_user: admin
    jobs: [Junior Developer]
    courses:
      - course: Python Foundations
      - course: Odoo Development Basics
    weights: {{elearning: 0.8, attendance: 0.0, assessments: 0.2}}
    requirements: {{min_average_score: 60}}
    issue_on: completion
  - key: warehouse-operations
    name: Warehouse Operations Apprenticeship
    responsible_user: admin
    jobs: [Warehouse Operator]
    courses:
      - course: Warehouse Safety
      - course: Forklift Operation
    weights: {{elearning: 0.7, attendance: 0.3, assessments: 0.0}}
    requirements: {{min_attendance: 80}}
    issue_on: completion
    batches:
      - key: practical-week
        name: Forklift Practical Week cohort
        event: Forklift Practical Week
certificates:
  issuer:
    name: YourCompany Training
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: http://127.0.0.1:{verify_port}
verify_site:
  host: 127.0.0.1
  port: {verify_port}
service:
  ops_host: 127.0.0.1
  ops_port: {ops_port}
"""
DEMO_DIR_ENTRIES = (
    "config.yaml",
    "ojt-sidecar.db",
    "ojt-sidecar.db-wal",
    "ojt-sidecar.db-shm",
    "certificates",
    "keys",
    "logs",
)


def write_showcase_config(
    workdir: Path, url: str, db: str, verify_port: int, ops_port: int
) -> Path:
    """The demo's config under `workdir`: the showcase programs, fast schedules, the verify site
    on `verify_port` (also the certificates' verify URL); every path inside `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    store = (workdir / "ojt-sidecar.db").resolve()
    path.write_text(
        SHOWCASE_CONFIG.format(
            url=url, db=db, store=store, verify_port=verify_port, ops_port=ops_port
        ),
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _forget_previous_run(workdir: Path) -> None:
    """Each demo starts a fresh emulator, so what an earlier run stored describes an Odoo that is
    gone: remove exactly what the demo itself writes, nothing else in the directory."""
    for name in DEMO_DIR_ENTRIES:
        target = workdir / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)


@contextlib.contextmanager
def _log_to(path: Path) -> Iterator[None]:
    """Everything the service logs goes to `path`, not the terminal the summary is drawn on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    root.handlers = [handler]  # the console's handler would draw over the summary
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.handlers = handlers
        root.setLevel(level)
        handler.close()


def run_demo(
    workdir: Path,
    *,
    duration: float | None,
    echo: Echo,
    out: TextIO | None = None,
    live: bool | None = None,
) -> int:
    """The showcase: the emulator with seeded data, the service on fast schedules against it, a
    minute of trainee activity, and a live summary; until `duration` seconds or Ctrl-C.
    Exit code 0 when at least one certificate was issued, 1 otherwise."""
    from jobs.odoo_session import client_from_config
    from jobs.preflight import run_preflight
    from sidecar.certificates.signing import generate_key
    from sidecar.cli.demo.activity import MINUTE, Activity
    from sidecar.cli.demo.dashboard import Feed, Screen, StoreWatcher
    from sidecar.config import load_config
    from sidecar.emulator import OdooEmulator
    from sidecar.store.bootstrap import open_store

    out = out or sys.stdout
    live = out.isatty() if live is None else live
    workdir = workdir.resolve()
    _forget_previous_run(workdir)
    with OdooEmulator(demo="showcase") as emu, _log_to(workdir / "logs" / "demo.log"):
        config_path = write_showcase_config(workdir, emu.url, emu.db, free_port(), free_port())
        cfg = load_config(config_path)
        generate_key(cfg.certificates.signing_key, rotate=False)
        echo(
            f"Odoo emulator (17.0, showcase data): {emu.url}  (database {emu.db!r}, admin / admin)"
        )
        echo(f"Config, store, certificates, key and log: {workdir}")
        with client_from_config(cfg, max_attempts=2) as client:
            findings = run_preflight(client, cfg)
        failed = [f for f in findings if f.level == "fail"]
        for finding in failed:
            echo(str(finding))
        if failed:
            echo(f"{len(failed)} check(s) failed; the demo cannot start.")
            return 1
        echo(f"All checks passed (ojt-sidecar check -c {config_path}).")
        echo(
            "Starting the service (sync and issue every 2 s, enroll every 5 s) and a minute of "
            "trainee activity in Odoo" + ("" if live else "; a status line every 5 s") + "."
        )
        store = open_store(cfg)  # migrates before the service's threads open it
        started = time.monotonic()
        feed = Feed(started)
        span = MINUTE if duration is None else min(MINUTE, max(5.0, duration * 0.75))
        service = _start_service(cfg)
        activity_client = client_from_config(cfg, max_attempts=2)
        activity = Activity(activity_client, feed.add, span=span)
        activity.start()
        watcher = StoreWatcher(store.sessions, feed)
        screen = Screen(out, live, started)
        snap = None
        interrupted = False
        try:
            while duration is None or time.monotonic() - started < duration:
                snap = watcher.poll()
                screen.show(snap, feed, _heading(activity.finished.is_set(), duration))
                time.sleep(1.0)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            activity.stop()
            activity_client.close()
            service.stop(timeout=10)
            snap = watcher.poll()
            screen.show(snap, feed, "stopped")
            store.close()
        issued = snap.certificates.issued
        why = "stopped by Ctrl-C" if interrupted else f"{duration:g} s are up"
        echo(
            f"Demo finished ({why}): {issued} certificate(s) issued, "
            f"{snap.certificates.delivered} delivered to Odoo."
        )
        if not issued:
            echo(f"No certificate was issued during the demo; see {workdir / 'logs' / 'demo.log'}.")
            return 1
        echo(f"Verification page of a certificate it issued: {watcher.first_url}")
        echo(f"(served while the demo runs; afterwards: ojt-sidecar serve -c {config_path})")
    return 0


def _start_service(cfg: Config) -> Any:
    """`ojt-sidecar run` in this process: the jobs on `cfg.schedules` (APScheduler, leases, job
    runs) and the verify site on `cfg.verify_site`; returns once started, `.stop(timeout)`."""
    from jobs.service.runner import ServiceRunner

    service = ServiceRunner(cfg, web=True)
    service.start()
    return service


def _heading(activity_done: bool, duration: float | None) -> str:
    if not activity_done:
        return "trainees are active in Odoo"
    if duration is None:
        return "activity over; the service keeps running, Ctrl-C to stop"
    return "activity over; the service keeps running"


def simulate_completions(
    client: OdooClient, program_key: str, cfg: Config, count: int
) -> list[str]:
    """Play `count` trainees of a program finishing every published lesson of its courses, the
    way Odoo records it (`slide.slide.partner.completed`), so there is something to certify."""
    program = cfg.program(program_key)
    names = [c.course for c in program.courses]
    channels = client.search(
        "slide.channel", [("name", "in", [n for n in names if isinstance(n, str)])]
    ) + [n for n in names if isinstance(n, int)]
    members = client.search_read_list(
        "slide.channel.partner", [("channel_id", "in", channels)], ["partner_id"], names=False
    )
    # The newest members: demo trainees rather than the admin who created the courses.
    partners = sorted({int(m["partner_id"]) for m in members if m["partner_id"]}, reverse=True)[
        :count
    ]
    slides = client.search_read_list(
        "slide.slide",
        [("channel_id", "in", channels), ("is_category", "=", False), ("is_published", "=", True)],
        ["channel_id"],
        names=False,
    )
    for partner in partners:
        for channel in channels:
            if not client.search(
                "slide.channel.partner",
                [("channel_id", "=", channel), ("partner_id", "=", partner)],
            ):
                client.create(
                    "slide.channel.partner", {"channel_id": channel, "partner_id": partner}
                )
        for slide in slides:
            done = client.search(
                "slide.slide.partner",
                [("slide_id", "=", slide["id"]), ("partner_id", "=", partner)],
            )
            if done:
                client.write("slide.slide.partner", done, {"completed": True})
            else:
                client.create(
                    "slide.slide.partner",
                    {"slide_id": slide["id"], "partner_id": partner, "completed": True},
                )
    rows = client.read("res.partner", partners, ["name"])
    return [str(r["name"]) for r in rows]


def serve_emulator(host: str, port: int, *, demo: bool, echo: Echo) -> None:
    from sidecar.emulator import OdooEmulator

    emulator = OdooEmulator(demo=demo, host=host, port=port)
    try:
        emulator.start()
    except OSError as exc:
        raise SystemExit(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    with emulator as emu:
        echo(f"Odoo emulator (17.0) on {emu.url}, database {emu.db!r}, login admin / admin")
        echo("Press Ctrl-C to stop.")
        _wait_forever()


def _wait_forever() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()

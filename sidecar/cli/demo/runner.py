"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the product on the built-in Odoo emulator.

The demo seeds the emulator with the showcase dataset (`sidecar.emulator.showcase_data`), writes
a config under its directory, runs the service (`ojt-sidecar run`'s `ServiceRunner`) on fast
schedules, plays a minute of trainee activity (`activity`) and draws a live summary from the
store (`dashboard`). Its directory holds only what it writes (`DEMO_DIR_ENTRIES`): a previous
demo run there is replaced, saying so first; a directory holding anything else is refused.
The configs it writes are in `configs` (`write_demo_config` and `write_showcase_config` are
re-exported here). `write_demo_config` and `simulate_completions` are for Odoo's default demo
data, which the tests use.

The emulator is imported here and nowhere else in production code: it exists so that a new user
sees the sidecar work without an Odoo, and so that the tests have a faithful Odoo to talk to.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from sidecar.cli.demo.configs import (
    API_KEY_ENV,
    DEMO_MARK,
    write_demo_config,
    write_showcase_config,
)

if TYPE_CHECKING:
    from connectors import OdooClient
    from sidecar.cli.demo.dashboard import Snapshot
    from sidecar.config import Config
    from sidecar.emulator import OdooEmulator

__all__ = [
    "DEMO_DIR_ENTRIES",
    "claim_workdir",
    "free_port",
    "run_demo",
    "serve_emulator",
    "simulate_completions",
    "write_demo_config",
    "write_showcase_config",
]

Echo = Callable[[str], None]

DEMO_DIR_ENTRIES = (
    "config.yaml",
    "ojt-sidecar.db",
    "ojt-sidecar.db-wal",
    "ojt-sidecar.db-shm",
    "certificates",
    "keys",
    "logs",
    "scores.csv",  # the mentor's CSV of the OJT loop (sidecar/cli/demo/ojt_loop.py)
)


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _written_by_demo(config: Path) -> bool:
    try:
        with config.open(encoding="utf-8") as f:
            return f.read(len(DEMO_MARK)) == DEMO_MARK
    except (OSError, UnicodeDecodeError):
        return False


def claim_workdir(workdir: Path, echo: Echo, shown: str | None = None) -> bool:
    """Make `workdir` ready for a new demo run; False, having said why, when it must not be used.

    Each demo starts a new emulator, so what an earlier run stored (its store, signing key,
    certificates, revocations) describes an Odoo that is gone: a previous demo run is removed,
    after one line saying so. A directory is a previous demo run when it holds only what the
    demo writes (`DEMO_DIR_ENTRIES`) and its config.yaml was written by the demo; anything else
    (an operator's own sidecar folder, say: same file names, a real key) is left untouched and
    refused. `shown` is the directory as the user named it."""
    shown = (shown or str(workdir)).rstrip("/") + "/"
    try:
        entries = sorted(workdir.iterdir(), key=lambda p: p.name) if workdir.is_dir() else []
    except OSError as exc:
        echo(f"demo: cannot read {shown}: {exc.strerror or exc}")
        return False
    if not entries:
        return True
    foreign = [p.name for p in entries if p.name not in DEMO_DIR_ENTRIES]
    if foreign or not _written_by_demo(workdir / "config.yaml"):
        why = (
            f"holds files the demo did not write ({', '.join(foreign[:3])}"
            + (", …)" if len(foreign) > 3 else ")")
            if foreign
            else "is not a demo run (its config.yaml was not written by the demo)"
        )
        echo(f"demo: {shown} {why}; it is left untouched.")
        echo("Give the demo a new or empty directory: ojt-sidecar demo --dir NEW-DIR")
        return False
    echo(
        f"demo: replacing the previous run in {shown} "
        "(its store, signing key and certificates go with it)"
    )
    for path in entries:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            echo(f"demo: cannot remove {path}: {exc.strerror or exc}")
            return False
    return True


def _wrapped(echo: Echo) -> Echo:
    """`echo` with every line at most `PLAIN_WIDTH` characters (later lines indented)."""
    from sidecar.cli.demo.dashboard import wrap

    def say(text: str) -> None:
        for line in wrap(text, indent="  "):
            echo(line)

    return say


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
    version: str = "17.0",
) -> int:
    """The showcase: the emulator with seeded data, the service on fast schedules against it, a
    minute of trainee activity (less when `duration` cannot hold it and the service's catching
    up: `activity_span`), and a live summary; until `duration` seconds or Ctrl-C.
    Exit code 0 when at least one certificate was issued, 1 otherwise (also when `workdir` holds
    something other than a previous demo run: it is then left untouched)."""
    from sidecar.emulator import OdooEmulator

    out = out or sys.stdout
    live = out.isatty() if live is None else live
    echo = _wrapped(echo)
    shown = str(workdir)
    workdir = workdir.resolve()
    if not claim_workdir(workdir, echo, shown):
        return 1
    with (
        OdooEmulator(demo="showcase", version=version) as emu,
        _log_to(workdir / "logs" / "demo.log"),
    ):
        cfg, config_path = _prepare(workdir, emu, echo)
        if not _checks_pass(cfg, config_path, echo):
            return 1
        span = _announce(duration, live, echo)
        ending = _watch(cfg, span, duration, out, live)
        return _report(ending, duration, workdir, config_path, echo)


class _Ending(NamedTuple):
    """How the demo's run ended: the last summary, whether by Ctrl-C, the first verify URL."""

    snap: Snapshot
    interrupted: bool
    first_url: str | None


def _prepare(workdir: Path, emu: OdooEmulator, echo: Echo) -> tuple[Config, Path]:
    """The showcase config for `emu` and a signing key, written under `workdir`; said so."""
    from sidecar.certificates.signing import generate_key
    from sidecar.cli.demo.people import add_cockpit_people
    from sidecar.config import load_config

    json2 = emu.profile.has_json2
    if json2:  # the emulator's key, for this process only: it dies with the emulator
        os.environ[API_KEY_ENV] = emu.new_api_key()
    config_path = write_showcase_config(
        workdir, emu.url, emu.db, free_port(), free_port(), api_key=json2, app_port=free_port()
    )
    cfg = load_config(config_path)
    people = add_cockpit_people(emu)
    generate_key(cfg.certificates.signing_key, rotate=False)
    login = "an API key, over JSON-2" if json2 else "admin / admin"
    echo(f"Odoo emulator ({emu.version}, showcase data): {emu.url}  (database {emu.db!r}, {login})")
    echo(f"Config, store, certificates, key and log: {workdir}")
    echo(f"Cockpit (web app): {cfg.app.base_url()}/  sign in as")
    for role, login, password in people:
        echo(f"  {role}: {login} / {password}")
    return cfg, config_path


def _checks_pass(cfg: Config, config_path: Path, echo: Echo) -> bool:
    """`ojt-sidecar check` against the emulator; False, with the failed checks said, when any
    failed."""
    from jobs.odoo_session import client_from_config
    from jobs.preflight import run_preflight

    with client_from_config(cfg, max_attempts=2) as client:
        findings = run_preflight(client, cfg)
    failed = [f for f in findings if f.level == "fail"]
    for finding in failed:
        echo(str(finding))
    if failed:
        echo(f"{len(failed)} check(s) failed; the demo cannot start.")
        return False
    echo(f"All checks passed (ojt-sidecar check -c {config_path}).")
    return True


def _announce(duration: float | None, live: bool, echo: Echo) -> float:
    """Say what is about to happen; returns how long the trainees are active (`activity_span`)."""
    from sidecar.cli.demo.activity import MINUTE, activity_span, describe_span
    from sidecar.cli.demo.dashboard import PLAIN_EVERY

    span = activity_span(duration)
    echo("Starting the service: sync and issue every 2 s, enroll every 5 s.")
    if duration is None or span == MINUTE:
        echo(f"Trainees are active in Odoo for {describe_span(span)}.")
    else:  # not a minute, and said so: the rest of the run lets the service catch up
        echo(
            f"Trainees are active in Odoo for {describe_span(span)}; the other "
            f"{duration - span:g} s of the {duration:g} s let the service catch up."
        )
    if not live:
        echo(f"Below: each event as it happens, and a status every {PLAIN_EVERY:g} s.")
    return span


def _watch(cfg: Config, span: float, duration: float | None, out: TextIO, live: bool) -> _Ending:
    """Start the service and `span` seconds of trainee activity, and draw the summary on `out`
    every second until `duration` is up or Ctrl-C; then stop both and draw it a last time."""
    from jobs.odoo_session import client_from_config
    from sidecar.cli.demo.activity import Activity
    from sidecar.cli.demo.dashboard import Feed, Screen, StoreWatcher
    from sidecar.store.bootstrap import open_store

    store = open_store(cfg)  # migrates before the service's threads open it
    started = time.monotonic()
    feed = Feed(started)
    service = _start_service(cfg)
    activity_client = client_from_config(cfg, max_attempts=2)
    activity = Activity(activity_client, feed.add, span=span, cfg=cfg)
    activity.start(origin=started)  # on the summary's clock: a minute ends at 01:00
    watcher = StoreWatcher(store.sessions, feed)
    screen = Screen(out, live, started)
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
    return _Ending(snap, interrupted, watcher.first_url)


def _report(
    ending: _Ending, duration: float | None, workdir: Path, config_path: Path, echo: Echo
) -> int:
    """The closing lines; 0 when a certificate was issued, else 1."""
    snap = ending.snap
    issued = snap.certificates.issued
    why = "stopped by Ctrl-C" if ending.interrupted else f"{duration:g} s are up"
    echo(
        f"Demo finished ({why}): {issued} certificate(s) issued, "
        f"{snap.certificates.delivered} delivered to Odoo."
    )
    if not issued:
        echo(f"No certificate was issued during the demo; see {workdir / 'logs' / 'demo.log'}.")
        return 1
    echo(f"Verification page of a certificate it issued: {ending.first_url}")
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


def serve_emulator(host: str, port: int, *, demo: bool, echo: Echo, version: str = "17.0") -> None:
    from sidecar.emulator import OdooEmulator

    emulator = OdooEmulator(demo=demo, host=host, port=port, version=version)
    try:
        emulator.start()
    except OSError as exc:
        raise SystemExit(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    with emulator as emu:
        echo(f"Odoo emulator ({version}) on {emu.url}, database {emu.db!r}, login admin / admin")
        if emu.version >= "19.0":
            echo(f"JSON-2 on {emu.url}/json/2/<model>/<method>; an API key: {emu.new_api_key()}")
        echo("Press Ctrl-C to stop.")
        _wait_forever()


def _wait_forever() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()

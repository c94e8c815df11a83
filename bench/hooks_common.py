"""What bench/hooks_bench.py measures with, against the emulator (`--target emulator`) or a real
Odoo (`--target odoo`, bench/hooks_odoo.py): the service in its own process, paced writes, the
store watcher, the listener's answer time and the table of figures against their targets."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SSP, SCP = "slide.slide.partner", "slide.channel.partner"
COURSE = "Basics of Gardening"
WRITERS = 8
Child = subprocess.Popen[str]
Row = tuple[str, float, float, str]
LATENCY_TARGET, ANSWER_TARGET, WRITE_TARGET = 2.0, 0.020, 0.020

CONFIG = """\
odoo:
  url: {url}
  database: {database}
  username: {username}
  password: {password}
store:
  url: sqlite:///{store}
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: {course}
certificates:
  issuer: {{name: Bench Training}}
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
schedules:
  enroll: {{every: 1h}}
  sync: {{every: 1h}}
  issue: {{every: 1h}}
  deliver: {{every: 1h}}
  reconcile: {{every: 1h}}
service:
  ops_port: {ops_port}
verify_site:
  port: {web_port}
hooks:
  enabled: true
  port: {hook_port}
  secret: {secret}
  queue_size: 10000
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def client(
    url: str, database: str = "ojt", username: str = "admin", password: str = "admin"
) -> Any:
    from connectors import OdooClient, OdooSettings

    return OdooClient(
        OdooSettings(
            url=url, database=database, username=username, secret=password, transport="xmlrpc"
        )
    )


def paced_writes(
    connect: Callable[[], Any],
    members: list[list[int]],
    rate: float,
    on_start: Callable[[int, float], None],
) -> list[float]:
    """One lesson completed per (partner, lesson), paced to `rate` a second; each write's
    seconds. `connect` makes one client per writer thread."""
    local = threading.local()
    began = time.monotonic()

    def write(i: int) -> float:
        time.sleep(max(0.0, began + i / rate - time.monotonic()))
        odoo = getattr(local, "odoo", None) or connect()
        local.odoo = odoo
        partner, slide = members[i]
        started = time.monotonic()
        on_start(i, started)
        odoo.create(SSP, {"slide_id": slide, "partner_id": partner, "completed": True})
        return time.monotonic() - started

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(write, range(len(members))))


def memberships_done(sessions: Any, partners: list[int]) -> set[int]:
    from sqlalchemy import select

    from sidecar.store.models import ProgressTracker, Student

    with sessions() as session:
        rows = session.execute(
            select(Student.odoo_partner_id)
            .join(ProgressTracker, ProgressTracker.student_id == Student.id)
            .where(Student.odoo_partner_id.in_(partners), ProgressTracker.lessons_completed >= 1)
        )
        return {partner for (partner,) in rows}


def phase(
    sessions: Any, connect: Callable[[], Any], members: list[list[int]], rate: float
) -> tuple[list[float], ...]:
    """(latencies, write seconds) of one rate."""
    starts: dict[int, float] = {}
    seen: dict[int, float] = {}
    partners = [m[0] for m in members]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() or len(seen) < len(starts):
            for partner in memberships_done(sessions, partners):
                seen.setdefault(partner, time.monotonic())
            if done.is_set() and time.monotonic() > finished + 10:
                return
            time.sleep(0.01)

    finished = float("inf")
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    writes = paced_writes(connect, members, rate, lambda i, t: starts.__setitem__(members[i][0], t))
    finished = time.monotonic()
    done.set()
    watcher.join()
    latencies = [seen[p] - starts[p] if p in seen else float("inf") for p in partners]
    return latencies, writes


def rate_row(rate: float, latencies: list[float], writes: list[float], after: bool = False) -> Row:
    """Print one rate's figures (`after`: also the latency from the write's answer); its row of
    the table."""
    lost = sum(1 for x in latencies if x == float("inf"))
    print(
        f"{rate:g}/s: {len(latencies)} changes, latency p50 {pct(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {pct(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} "
        f"ms, not seen {lost}; write p50 {pct(writes, 0.5) * 1000:.1f} ms, "
        f"p95 {pct(writes, 0.95) * 1000:.1f} ms",
        flush=True,
    )
    if after:  # the part that is not Odoo's write: from its answer to the tracker row
        rest = [x - w for x, w in zip(latencies, writes, strict=True)]
        print(
            f"  from the write's answer to the tracker: p50 {pct(rest, 0.5) * 1000:.0f} ms, "
            f"p95 {pct(rest, 0.95) * 1000:.0f} ms",
            flush=True,
        )
    return (f"latency p95 at {rate:g} change(s)/s", pct(latencies, 0.95), LATENCY_TARGET, "s")


def answer_times(host: str, port: int, path: str, membership_ids: list[int]) -> list[float]:
    """Hooks posted straight to the listener, a new connection each."""
    times = []
    for i in range(1000):
        rid = membership_ids[i % len(membership_ids)]
        body = json.dumps({"_action": "bench(#1)", "_id": rid, "_model": SCP, "id": rid})
        started = time.monotonic()
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        times.append(time.monotonic() - started)
        assert answer.status == 202, answer.status
        time.sleep(0.002)
    return times


def answer_row(sessions: Any, hook_port: int, path: str) -> Row:
    """1,000 hooks posted to the listener (the store's memberships); printed; the table's row."""
    from sqlalchemy import select

    from sidecar.store.models import CourseMembership

    with sessions() as session:
        ids = list(session.scalars(select(CourseMembership.odoo_id).limit(50)))
    answers = answer_times("127.0.0.1", hook_port, path, ids)
    print(
        f"listener: {len(answers)} hooks, answer p50 {pct(answers, 0.5) * 1000:.2f} ms, "
        f"p99 {pct(answers, 0.99) * 1000:.2f} ms",
        flush=True,
    )
    return ("listener answer p99", pct(answers, 0.99), ANSWER_TARGET, "ms")


# --- the service ------------------------------------------------------------------------------


def write_config(workdir: Path, hook_port: int, secret: str, **odoo: str) -> Path:
    """The service's config in `workdir` (its signing key made): `odoo` gives url, and may give
    database, username, password and course (by default the emulator's)."""
    from sidecar.certificates.signing import generate_key
    from sidecar.config import load_config

    path = workdir / "config.yaml"
    values = {"database": "ojt", "username": "admin", "password": "admin", "course": COURSE}
    text = CONFIG.format(
        **{**values, **odoo},
        store=workdir / "store.db",
        ops_port=free_port(),
        web_port=free_port(),
        hook_port=hook_port,
        secret=secret,
    )
    path.write_text(text, encoding="utf-8")
    generate_key(load_config(path).certificates.signing_key)
    return path


def start_service(workdir: Path, config: Path) -> tuple[Child, Any]:
    """`ojt-sidecar run` in its own process (as in production: nothing else in its process);
    the process, and sessions on its store for the watcher."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    command = [
        str(Path(sys.executable).parent / "ojt-sidecar"),
        "run",
        "-c",
        str(config),
        "--no-web",
    ]
    log = open(workdir / "service.log", "ab")  # noqa: SIM115 - kept by the process
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, text=True)
    return proc, sessionmaker(create_engine(f"sqlite:///{workdir / 'store.db'}"))


def wait_first_sync(sessions: Any) -> None:
    from sqlalchemy import inspect, select

    from sidecar.store.models import JobRun

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with sessions() as session:
            ready = inspect(session.get_bind()).has_table(JobRun.__tablename__)
            if (
                ready
                and session.scalars(
                    select(JobRun).where(JobRun.job == "sync", JobRun.status == "ok")
                ).first()
            ):
                return
        time.sleep(0.2)
    raise SystemExit("the first sync did not finish in 5 minutes")


def report(rows: list[Row]) -> bool:
    print(f"\n{'figure':44} {'measured':>12} {'target':>10}  ")
    ok = True
    for name, value, target, unit in rows:
        scale = 1000.0 if unit == "ms" else 1.0
        hit = value <= target
        ok &= hit
        shown, wanted = f"{value * scale:.1f} {unit}", f"<= {target * scale:g} {unit}"
        print(f"{name:44} {shown:>12} {wanted:>10}  {'ok' if hit else 'MISSED'}")
    return ok


def measure_rates(
    sessions: Any,
    connect: Callable[[], Any],
    members: list[list[int]],
    rates: list[float],
    counts: list[int],
    after: bool = False,
) -> tuple[list[Row], list[float]]:
    """Each rate in turn, on the next `count` members: the table's rows, and the writes' seconds
    at 10 a second (empty when 10 is not among the rates). `after`: see `rate_row`."""
    rows: list[Row] = []
    write_at_10: list[float] = []
    for rate, n in zip(rates, counts, strict=True):
        batch, members = members[:n], members[n:]
        latencies, writes = phase(sessions, connect, batch, rate)
        if rate == 10:
            write_at_10 = writes
        rows.append(rate_row(rate, latencies, writes, after))
    return rows, write_at_10

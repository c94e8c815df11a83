"""Webhooks: from a write in Odoo to the tracker row changed, at 1, 10 and 100 changes a second
(issue 13 item 3; docs/benchmarks.md "Webhooks" has the figures).

    cd /work/main && .venv/bin/python bench/hooks_bench.py [--odoo-version 17.0] [--quick]
        [--rates 1,10,100] [--seconds 15,10,5]

What it does:

1. Starts the emulator (`--odoo-version`, 17.0 by default: the version that posts before its
   commit) in a child process, with one new trainee per change to come, each joined to
   "Basics of Gardening", and the two automation rules of docs/webhooks.md (lesson progress and
   memberships) posting to the service's hook listener.
2. Runs the service (`ojt-sidecar run --no-web`, `hooks.enabled`, every schedule 1 h, so after
   the first sync only the webhooks bring changes in) in its own process, on a SQLite store.
3. For each rate: one lesson completed (`slide.slide.partner` create over XML-RPC, from 8
   writer threads paced to the rate) per trainee; a watcher reads the store every 10 ms. The
   latency of a change is from the start of its write to the first time its tracker shows the
   lesson. Also kept: each write's duration.
4. The listener's answer time: 1,000 hooks posted straight to it, a new connection each (as
   Odoo's `requests.post` does).
5. Odoo's write time without the listener: a second emulator child whose rules post to a port
   where nothing listens (and a third with no rule at all, for reference), the same writes at
   10 a second; compared with the writes at 10 a second above (p95).

Targets: latency p95 <= 2 s at every rate; answer p99 <= 20 ms; the write's p95 raised by at most
20 ms by the rules posting to the listener. Prints each figure beside its target; exit 1 on a
miss. `--quick`: rates 1 and 10 for 5 s each (a smoke run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
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
LATENCY_TARGET, ANSWER_TARGET, WRITE_TARGET = 2.0, 0.020, 0.020

CONFIG = """\
odoo:
  url: {url}
  database: ojt
  username: admin
  password: admin
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


# --- the emulator, in a child process ---------------------------------------------------------


def child(version: str, hook_url: str, members: int) -> None:
    """Serve an emulator with `members` new trainees (and the rules when `hook_url`); print
    {"url", "members": [[partner, slide], ...]}; run until stdin closes."""
    from sidecar.emulator import OdooEmulator

    with OdooEmulator(version=version) as emu:
        env = emu.env
        course = env.search("slide.channel", [("name", "=", COURSE)])[0]
        slide = env.search(
            "slide.slide",
            [("channel_id", "=", course), ("is_published", "=", True), ("is_category", "=", False)],
            limit=1,
        )[0]
        made = []
        for n in range(members):
            partner = env.create("res.partner", {"name": f"Hook bench {n}"})
            env.create(SCP, {"channel_id": course, "partner_id": partner})
            made.append([partner, slide])
        if hook_url:
            emu.add_webhook_rule(SSP, hook_url, ["slide_id", "partner_id", "completed"])
            emu.add_webhook_rule(SCP, hook_url, ["channel_id", "partner_id", "completion"])
        print(json.dumps({"url": emu.url, "members": made}), flush=True)
        sys.stdin.read()
        sent = [[round(x.at, 4), round(x.seconds, 4), x.status] for x in emu.webhooks_sent]
        waits = emu.store.webhooks.waits if emu.store.webhooks is not None else []
        print(json.dumps({"sent": sent, "waits": waits}), flush=True)


def spawn(
    version: str, hook_url: str, members: int
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", version, hook_url or "-", str(members)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def stop(proc: subprocess.Popen[str]) -> dict[str, list[Any]]:
    """Stop the child; the POSTs it made ("sent": [when, seconds, status]) and, per write that
    posted, the seconds its answer waited for them ("waits")."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    made = json.loads(proc.stdout.readline() or '{"sent": [], "waits": []}')
    proc.wait(30)
    return dict(made)


# --- measuring --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def client(url: str) -> Any:
    from connectors import OdooClient, OdooSettings

    return OdooClient(
        OdooSettings(url=url, database="ojt", username="admin", secret="admin", transport="xmlrpc")
    )


def paced_writes(
    url: str, members: list[list[int]], rate: float, on_start: Callable[[int, float], None]
) -> list[float]:
    """One lesson completed per member, paced to `rate` a second; each write's seconds."""
    local = threading.local()
    began = time.monotonic()

    def write(i: int) -> float:
        time.sleep(max(0.0, began + i / rate - time.monotonic()))
        odoo = getattr(local, "odoo", None) or client(url)
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
    sessions: Any, url: str, members: list[list[int]], rate: float
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
    writes = paced_writes(url, members, rate, lambda i, t: starts.__setitem__(members[i][0], t))
    finished = time.monotonic()
    done.set()
    watcher.join()
    latencies = [seen[p] - starts[p] if p in seen else float("inf") for p in partners]
    return latencies, writes


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


# --- the run ----------------------------------------------------------------------------------


def start_service(workdir: Path, url: str, hook_port: int, secret: str) -> tuple[Child, Any]:
    """`ojt-sidecar run` in its own process (as in production: nothing else in its process);
    the process, and sessions on its store for the watcher."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from sidecar.certificates.signing import generate_key
    from sidecar.config import load_config

    path = workdir / "config.yaml"
    text = CONFIG.format(
        url=url,
        store=workdir / "store.db",
        course=COURSE,
        ops_port=free_port(),
        web_port=free_port(),
        hook_port=hook_port,
        secret=secret,
    )
    path.write_text(text, encoding="utf-8")
    generate_key(load_config(path).certificates.signing_key)
    command = [str(Path(sys.executable).parent / "ojt-sidecar"), "run", "-c", str(path), "--no-web"]
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


def report(rows: list[tuple[str, float, float, str]]) -> bool:
    print(f"\n{'figure':44} {'measured':>12} {'target':>10}  ")
    ok = True
    for name, value, target, unit in rows:
        scale = 1000.0 if unit == "ms" else 1.0
        hit = value <= target
        ok &= hit
        shown, wanted = f"{value * scale:.1f} {unit}", f"<= {target * scale:g} {unit}"
        print(f"{name:44} {shown:>12} {wanted:>10}  {'ok' if hit else 'MISSED'}")
    return ok


def run(version: str, rates: list[float], seconds: list[float]) -> bool:
    counts = [int(r * s) for r, s in zip(rates, seconds, strict=True)]
    baseline_n = 100
    hook_port, secret = free_port(), secrets.token_urlsafe(32)
    path = f"/hooks/odoo/{secret}"
    proc, emu = spawn(version, f"http://127.0.0.1:{hook_port}{path}", sum(counts))
    down_proc, down = spawn(version, f"http://127.0.0.1:{free_port()}{path}", baseline_n)
    bare_proc, bare = spawn(version, "", baseline_n)
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        service, sessions = start_service(Path(tmp), emu["url"], hook_port, secret)
        try:
            wait_first_sync(sessions)
            members = emu["members"]
            write_at_10: list[float] = []
            for rate, n in zip(rates, counts, strict=True):
                batch, members = members[:n], members[n:]
                latencies, writes = phase(sessions, emu["url"], batch, rate)
                if rate == 10:
                    write_at_10 = writes
                lost = sum(1 for x in latencies if x == float("inf"))
                print(
                    f"{rate:g}/s: {n} changes, latency p50 {pct(latencies, 0.5) * 1000:.0f} ms, "
                    f"p95 {pct(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} "
                    f"ms, not seen {lost}; write p50 {pct(writes, 0.5) * 1000:.1f} ms, "
                    f"p95 {pct(writes, 0.95) * 1000:.1f} ms"
                )
                rows.append(
                    (
                        f"latency p95 at {rate:g} change(s)/s",
                        pct(latencies, 0.95),
                        LATENCY_TARGET,
                        "s",
                    )
                )
            with sessions() as session:
                from sqlalchemy import select

                from sidecar.store.models import CourseMembership

                ids = list(session.scalars(select(CourseMembership.odoo_id).limit(50)))
            answers = answer_times("127.0.0.1", hook_port, path, ids)
            rows.append(("listener answer p99", pct(answers, 0.99), ANSWER_TARGET, "ms"))
            print(
                f"listener: {len(answers)} hooks, answer p50 {pct(answers, 0.5) * 1000:.2f} ms, "
                f"p99 {pct(answers, 0.99) * 1000:.2f} ms"
            )
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(60)
            made = stop(proc)
    sent, waits = made["sent"], made["waits"]
    posts = [s[1] for s in sent]
    print(
        f"Odoo's POSTs: {len(posts)}, p50 {pct(posts, 0.5) * 1000:.1f} ms, p99 "
        f"{pct(posts, 0.99) * 1000:.1f} ms, max {max(posts, default=0) * 1000:.0f} ms, "
        f"not 202: {sum(1 for s in sent if s[2] != 202)}"
    )
    if write_at_10:
        down_writes = paced_writes(down["url"], down["members"], 10, lambda i, t: None)
        bare_writes = paced_writes(bare["url"], bare["members"], 10, lambda i, t: None)
        print(
            f"Odoo write p95 at 10/s: {pct(write_at_10, 0.95) * 1000:.1f} ms with the listener "
            f"up, {pct(down_writes, 0.95) * 1000:.1f} ms with it down (the same rules), "
            f"{pct(bare_writes, 0.95) * 1000:.1f} ms without any rule (the emulator serves the "
            "hinted reads under the same lock as the writes: a real Odoo does not)"
        )
    down_waits = stop(down_proc)["waits"]
    stop(bare_proc)
    raised = pct(waits, 0.95) - pct(down_waits, 0.95)
    print(
        f"Odoo's wait for the POSTs per write: p50 {pct(waits, 0.5) * 1000:.1f} ms, p95 "
        f"{pct(waits, 0.95) * 1000:.1f} ms with the listener up; p95 "
        f"{pct(down_waits, 0.95) * 1000:.1f} ms with it down"
    )
    rows.append(("Odoo write p95 raised (its wait for the POSTs)", raised, WRITE_TARGET, "ms"))
    return report(rows)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        version, hook_url, members = sys.argv[2], sys.argv[3], int(sys.argv[4])
        child(version, "" if hook_url == "-" else hook_url, members)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-version", default="17.0")
    parser.add_argument("--rates", default="1,10,100")
    parser.add_argument("--seconds", default="15,10,5")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rates, args.seconds = "1,10", "5,5"
    rates = [float(x) for x in args.rates.split(",")]
    seconds = [float(x) for x in args.seconds.split(",")]
    print(f"Odoo {args.odoo_version} (emulator), rates {args.rates} change(s)/s")
    return 0 if run(args.odoo_version, rates, seconds) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Public /healthz under a flood: certificate pages per second with and without a flood of
/healthz, measured in the same run (issue 14 item 3; docs/benchmarks.md has the figures).

    cd /work/main && .venv/bin/python bench/healthz_flood_bench.py [--quick] [--certs 200]
        [--duration 8] [--warmup 2] [--connections 16] [--flood-processes 2]
        [--flood-connections 4] [--flood-rate 100] [--rounds 3] [--postgres URL] [--before]

What it does:

1. A store as bench/cert_bench.py makes it (its helpers, imported): SQLite in a temp dir, or a
   fresh PostgreSQL database with `--postgres`, `--certs` certificates issued through the real
   path. The site is `create_app(config, rate_limit_per_minute=60, trust_proxy=1)` (the
   production default limit, one trusted proxy hop) under waitress as `serve` binds it, a fresh
   server process per scenario; a `/bench-checks` route added here counts the store checks
   behind /healthz.
2. Client addresses: every request names its client in X-Forwarded-For (believed: trust_proxy
   1), so the limiter sees many visitors although all come over loopback. Certificate requests
   rotate over 1,024 addresses (10.1.x.y), so none of them reaches 60 a minute: the limit never
   answers them. The flood comes in two layouts:
   - "one address": every flood request from 192.0.2.66. After its first 60 requests the flood
     is answered 429 by the limiter (what one misbehaving monitor or client gets);
   - "many addresses": 4,096 rotating addresses (10.2.x.y), each under the limit, so every flood
     request reaches /healthz and is answered from the one-second cache (a distributed flood).
3. Load: certificate pages `/c/<serial>` (random serials, must be 200) from `--connections`
   keep-alive connections in one process (closed loop); the flood from `--flood-processes`
   processes of `--flood-connections` connections each, paced to `--flood-rate` requests per
   second in all (0: unpaced, as fast as the server answers). All start together; `--warmup`
   seconds, then `--duration` measured. Scenarios: unflooded, flooded from one address, flooded
   from many addresses, interleaved in `--rounds` rounds (default 3); each scenario's figure
   is its median run, so the machine's drift between minutes is not read as the flood's cost.
4. Printed: each run's rates and answers, server CPU, store checks; then the ratios. Target:
   each flooded run >= 90 % of the unflooded certificate throughput, and at most one store check
   a second. Exit 1 when missed.

`--before` runs the server as the site was before the fix (no cache: ttl 0; /healthz exempt
from the limiter; the migration scripts read on every check) for comparison; it is expected
to miss. `--quick`: 100 certificates, 1 s warm-up, 4 s measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for where in (ROOT, ROOT / "bench"):
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))

import cert_bench  # noqa: E402  (bench/ is not a package; its helpers are reused, not copied)

RATE_LIMIT = 60  # per minute: the production default
CERT_ADDRESSES = [f"10.1.{i // 256}.{i % 256}" for i in range(1024)]
FLOOD_MANY = [f"10.2.{i // 256}.{i % 256}" for i in range(4096)]
FLOOD_ONE = ["192.0.2.66"]
TARGET = 0.90


# -- the server -----------------------------------------------------------------------------------


def _serve(cfg_path: str, store_url: str, before: bool, pipe: Any) -> None:  # pragma: no cover
    import logging

    from flask import jsonify, request

    from sidecar.config import load_config
    from sidecar.store.migrate import head_revision, known_revisions
    from verify_site.app import create_app
    from verify_site.serve import make_server, serve_forever

    logging.basicConfig(level=logging.ERROR)
    cfg = load_config(cfg_path)
    app = create_app(cfg, store_url=store_url, rate_limit_per_minute=RATE_LIMIT, trust_proxy=1)
    health = app.extensions["verify_site"].health
    checks = [0]
    check = health.check

    def counting() -> str | None:
        checks[0] += 1
        if before:  # as before the fix, the migration scripts are read again on every check
            head_revision.cache_clear()
            known_revisions.cache_clear()
        return check()

    health.check = counting
    if before:  # the site before issue 14: every /healthz checks the store, never limited,
        # answered by Flask (the layer answering it in front is taken out)
        health.ttl = 0.0
        secure = app.wsgi_app.app  # ProxyFix (trust_proxy=1) → SecureHeaders → HealthEndpoint
        secure.app = secure.app.app
        limiter = app.extensions["verify_site_limiter"]
        spend = limiter.spend
        limiter.spend = lambda address: None if request.path == "/healthz" else spend(address)
    app.add_url_rule("/bench-checks", "bench_checks", lambda: jsonify(checks=checks[0]))
    server = make_server(app, cfg, host="127.0.0.1", port=0)
    pipe.send(int(server.effective_port))
    serve_forever(server)


def _checks(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    address = f"10.3.0.{random.randint(1, 250)}"  # its own visitor: never limited here
    conn.request("GET", "/bench-checks", headers={"X-Forwarded-For": address})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"/bench-checks: {response.status} {body[:200]!r}")
    count = int(json.loads(body)["checks"])
    conn.close()
    return count


# -- the clients ----------------------------------------------------------------------------------


@dataclass
class Window:
    start: float  # time.monotonic(), shared by every process on this machine
    measure_from: float
    until: float


@dataclass
class Tally:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    exceptions: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.exceptions += other.exceptions
        self.latencies.extend(other.latencies)
        self.cpu += other.cpu
        for code, n in other.statuses.items():
            self.statuses[code] = self.statuses.get(code, 0) + n


def _clients(
    port: int,
    paths: list[str],
    addresses: list[str],
    connections: int,
    rate: float,
    window: Window,
    seed: int,
    pipe: Any,
) -> None:  # pragma: no cover - runs in a child process
    """`connections` threads, one keep-alive connection each; paced to `rate` req/s in all
    (0: closed loop). Each request's X-Forwarded-For is the next of `addresses`."""
    total = Tally()
    lock = threading.Lock()
    interval = connections / rate if rate > 0 else 0.0

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        mine = Tally()
        turn = n
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        next_at = window.start + rng.random() * interval
        while True:
            if interval:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at + interval, time.monotonic())
            else:
                time.sleep(max(0.0, window.start - time.monotonic()))
            t0 = time.monotonic()
            if t0 >= window.until:
                break
            address = addresses[turn % len(addresses)]
            turn += connections
            try:
                conn.request("GET", rng.choice(paths), headers={"X-Forwarded-For": address})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine.exceptions += t0 >= window.measure_from
                continue
            if t0 >= window.measure_from:
                mine.requests += 1
                mine.latencies.append(time.monotonic() - t0)
                mine.statuses[response.status] = mine.statuses.get(response.status, 0) + 1
        conn.close()
        with lock:
            total.add(mine)

    cpu0 = time.process_time()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total.cpu = time.process_time() - cpu0
    pipe.send(total)


@dataclass
class Run:
    label: str
    certs: Tally
    flood: Tally
    seconds: float
    server_cpu: float
    checks: int

    @property
    def rps(self) -> float:
        return self.certs.requests / self.seconds

    @property
    def flood_rps(self) -> float:
        return self.flood.requests / self.seconds


# The server gets a core of its own and the load generators share the rest: on a small machine
# the flood's clients would otherwise take CPU from the server (or from the certificate client),
# a cost a real flood, coming from elsewhere, does not put on the server's machine.
SERVER_CPU = {0}
CLIENT_CPUS = set(range(1, os.cpu_count() or 1)) or {0}


def _pin(pid: int | None, cpus: set[int]) -> None:
    if pid and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, cpus)


def run(
    label: str, cfg_path: Path, store_url: str, serials: list[str], flood: list[str] | None,
    args: argparse.Namespace,
) -> Run:  # fmt: skip
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(
        target=_serve, args=(str(cfg_path), store_url, args.before, child), daemon=True
    )
    server.start()
    _pin(server.pid, SERVER_CPU)
    try:
        if not parent.poll(60):
            raise RuntimeError("the server did not start")
        port = parent.recv()
        start = time.monotonic() + 1.0
        window = Window(start, start + args.warmup, start + args.warmup + args.duration)
        jobs = [(["/c/" + s for s in serials], CERT_ADDRESSES, args.connections, 0.0)]
        for _ in range(args.flood_processes if flood else 0):
            each = args.flood_rate / args.flood_processes
            jobs.append((["/healthz"], flood or [], args.flood_connections, each))
        pipes, procs = [], []
        for seed, (paths, addresses, connections, rate) in enumerate(jobs):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(
                target=_clients,
                args=(port, paths, addresses, connections, rate, window, seed, theirs),
            )
            proc.start()
            _pin(proc.pid, CLIENT_CPUS)
            pipes.append(mine)
            procs.append(proc)
        time.sleep(max(0.0, window.measure_from - time.monotonic()))
        cpu0, checks0 = cert_bench._cpu_seconds(server.pid or 0), _checks(port)
        time.sleep(max(0.0, window.until - time.monotonic()))
        cpu1, checks1 = cert_bench._cpu_seconds(server.pid or 0), _checks(port)
        tallies = [p.recv() for p in pipes]
        for proc in procs:
            proc.join()
    finally:
        server.terminate()  # the process this function started, by its handle
        server.join(10)
    flooded = Tally()
    for tally in tallies[1:]:
        flooded.add(tally)
    return Run(label, tallies[0], flooded, args.duration, cpu1 - cpu0, checks1 - checks0)


def show(r: Run) -> None:
    def codes(t: Tally) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(t.statuses.items())) or "-"

    lat = sorted(r.certs.latencies)
    print(
        f"  {r.label:34} certificates {r.rps:7.1f} req/s (p50 {1e3 * cert_bench._pct(lat, 0.5):.1f}"
        f" ms, p99 {1e3 * cert_bench._pct(lat, 0.99):.1f} ms; {codes(r.certs)}; exceptions "
        f"{r.certs.exceptions})\n  {'':34} flood {r.flood_rps:7.1f} req/s ({codes(r.flood)}; "
        f"exceptions {r.flood.exceptions}); server CPU {r.server_cpu / r.seconds:.2f} cores; "
        f"clients CPU {r.certs.cpu / r.seconds:.2f} + {r.flood.cpu / r.seconds:.2f} cores "
        f"(whole run); store checks {r.checks} in {r.seconds:g} s"
    )


def _serials(url: str) -> list[str]:
    from sqlalchemy import select

    from sidecar.store.engine import make_engine
    from sidecar.store.models import Certificate

    engine = make_engine(url)
    with engine.connect() as conn:
        serials = list(conn.execute(select(Certificate.serial)).scalars())
    engine.dispose()
    return serials


def _median_run(runs: list[Run]) -> Run:
    """The run whose certificate rate is the median (the upper one of an even count)."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def measure(backend: cert_bench.Backend, cfg_path: Path, args: argparse.Namespace) -> list[Any]:
    serials = _serials(backend.url)
    print(f"\n{backend.name}: {len(serials)} certificates; each run a fresh waitress process")
    # Rounds interleave the scenarios, and each figure is the median over the rounds: on a
    # shared machine the throughput drifts by a quarter within minutes, and a drift must not
    # read as the flood's cost.
    scenarios = (
        ("unflooded", None),
        ("flood from one address (429)", FLOOD_ONE),
        ("flood from many addresses", FLOOD_MANY),
    )
    measured: dict[str, list[Run]] = {label: [] for label, _ in scenarios}
    for round_ in range(1, args.rounds + 1):
        for label, flood in scenarios:
            r = run(f"{label}, round {round_}", cfg_path, backend.url, serials, flood, args)
            measured[label].append(r)
            show(r)
    runs = {label: _median_run(rs) for label, rs in measured.items()}
    base = runs["unflooded"].rps
    rows = []
    for label in ("flood from one address (429)", "flood from many addresses"):
        r = runs[label]
        ratio = r.rps / base
        rows.append(
            cert_bench.Row(
                f"{backend.name}: certificates/s, {label}, flood {r.flood_rps:.0f}/s",
                f"{r.rps:.0f}/s",
                f"{base:.0f}/s unflooded (median of {args.rounds})",
                f"{ratio:.2f}",
                f">= {TARGET:.2f}",
                ratio >= TARGET and r.certs.statuses.keys() == {200},
            )
        )
        most = args.duration + 1
        rows.append(
            cert_bench.Row(
                f"{backend.name}: store checks, {label}",
                f"{r.checks} in {args.duration:g} s",
                "-",
                "-",
                f"<= {most:g}",
                r.checks <= most,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 certificates, 4 s runs")
    parser.add_argument("--certs", type=int, default=None, help="default 200 (quick: 100)")
    parser.add_argument("--duration", type=float, default=None, help="s measured (default 8)")
    parser.add_argument("--warmup", type=float, default=None, help="s before (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="certificate connections")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--flood-processes", type=int, default=2)
    parser.add_argument("--flood-connections", type=int, default=4, help="per flood process")
    parser.add_argument("--flood-rate", type=float, default=100.0, help="req/s in all; 0: unpaced")
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    parser.add_argument("--before", action="store_true", help="the site as before the fix")
    args = parser.parse_args()
    args.certs = args.certs or (100 if args.quick else 200)
    args.duration = args.duration or (4.0 if args.quick else 8.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    pace = f"{args.flood_rate:g} req/s in all" if args.flood_rate else "unpaced (closed loop)"
    print(
        f"machine: nproc {os.cpu_count()}, Python {sys.version.split()[0]}, load average "
        f"{os.getloadavg()[0]:.2f}; certificates {args.certs}; {args.connections} certificate "
        f"connections; flood {args.flood_processes} processes x {args.flood_connections} "
        f"connections, {pace}; warm-up {args.warmup:g} s, measured {args.duration:g} s; rate "
        f"limit {RATE_LIMIT}/min, trust_proxy 1{'; BEFORE the fix' if args.before else ''}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="healthz_flood_bench_"))
    backend = (
        cert_bench.postgres_backend(args.postgres)
        if args.postgres
        else cert_bench.sqlite_backend(tmp)
    )
    try:
        cfg_path = cert_bench.write_config(tmp, backend.url)
        # cert_bench writes its own limit (10**6/min, never reached); this bench measures at the
        # production default.
        text = cfg_path.read_text(encoding="utf-8")
        limit = f"rate_limit_per_minute: {cert_bench.RATE_LIMIT}"
        cfg_path.write_text(text.replace(limit, f"rate_limit_per_minute: {RATE_LIMIT}"))
        cert_bench.issue_all(cfg_path, backend, args.certs)
        rows = measure(backend, cfg_path, args)
    finally:
        if backend.drop is not None:
            backend.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    cert_bench.print_table(rows)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The sync beside the real anchors, per model, in one run against one server:

    cd /work/main && .venv/bin/python bench/sync_anchors.py [--target emulator|odoo]
        [--scale 0.25] [--version 17.0] [--rounds 2] [--page-size 1000] [--parallel-reads 2]

For every model the sync reads (its domain, its fields, archived rows where it reads them):

- naive:  `search_read` over XML-RPC with many2one names, pages of 1000 by id;
- xmlrpc: the best bare `search_read` over XML-RPC, `load=''`, of pages 1000 / 5000 / 10000;
- jsonrpc: the same over JSON-RPC; json2: the same over JSON-2 (Odoo 19 and later);
- the sidecar's first (full) pass into a new store, over XML-RPC and JSON-RPC (and JSON-2), timed
  per stream; then a no-change cycle.

Bare reads are results dropped, one connection, one request in flight. Each variant runs
`--rounds` times, interleaved, and the best round counts. Targets (issue: sync at the speed of
the wire): the sync's rows/s over all models >= 0.9x the best bare read on the same transport.
Exits 1 when a target is missed, naming it. The emulator (a child process, seeded as
bench/sync_bench.py seeds it) or the Odoo named by ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
(and ODOO_API_KEY for JSON-2).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_bench import EmulatorTarget, OdooTarget, _config

from sidecar.config.models import OdooConfig

TARGET_RATIO = 0.9
PAGES = (1000, 5000, 10000)

# call(model, domain, kwargs) -> rows
Call = Callable[[str, list[Any], dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Read:
    model: str
    domain: list[Any]
    fields: list[str]
    context: dict[str, Any] | None


def xmlrpc_call(url: str, db: str, uid: int, secret: str) -> Call:
    proxy = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model: str, domain: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        return proxy.execute_kw(db, uid, secret, model, "search_read", [domain], kwargs)  # type: ignore[no-any-return]

    return call


class _Post:
    """One persistent HTTP connection posting JSON."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)

    def __call__(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        data = json.dumps(body)
        self.conn.request(
            "POST", path, data, {"Content-Type": "application/json", **(headers or {})}
        )
        response = self.conn.getresponse()
        payload = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {payload}")
        return payload


def jsonrpc_call(url: str, db: str, uid: int, secret: str) -> Call:
    post = _Post(url)

    def call(model: str, domain: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        args = [db, uid, secret, model, "search_read", [domain], kwargs]
        params = {"service": "object", "method": "execute_kw", "args": args}
        answer = post("/jsonrpc", {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1})
        if "error" in answer:
            raise RuntimeError(str(answer["error"])[:300])
        return answer["result"]  # type: ignore[no-any-return]

    return call


def json2_call(url: str, db: str, key: str) -> Call:
    post = _Post(url)
    headers = {"Authorization": f"bearer {key}", "X-Odoo-Database": db}

    def call(model: str, domain: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        return post(f"/json/2/{model}/search_read", {"domain": domain, **kwargs}, headers)  # type: ignore[no-any-return]

    return call


def read_all(call: Call, read: Read, page: int, names: bool) -> tuple[int, float]:
    """Every row of `read`, keyset-paged by id; rows and seconds."""
    rows, last = 0, 0
    started = time.perf_counter()
    while True:
        kwargs: dict[str, Any] = {"fields": read.fields, "order": "id asc", "limit": page}
        if read.context:
            kwargs["context"] = read.context
        if not names:
            kwargs["load"] = ""
        got = call(read.model, [*read.domain, ("id", ">", last)], kwargs)
        rows += len(got)
        if len(got) < page:
            return rows, time.perf_counter() - started
        last = int(got[-1]["id"])


@dataclass
class Best:
    rows: int = 0
    seconds: float = 0.0
    how: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def offer(self, rows: int, seconds: float, how: str) -> None:
        if seconds > 0 and (not self.seconds or rows / seconds > self.rate):
            self.rows, self.seconds, self.how = rows, seconds, how


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--target", choices=("emulator", "odoo"), default="emulator")
    ap.add_argument("--scale", type=float, default=0.25, help="1.0 = 20k enrollments, 200k lessons")
    ap.add_argument("--version", default="17.0", help="emulator: the Odoo version it speaks")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--page-size", type=int, default=1000, help="the sidecar's odoo.page_size")
    ap.add_argument(
        "--parallel-reads",
        type=int,
        default=OdooConfig.model_fields["parallel_reads"].default,
        help="the sidecar's odoo.parallel_reads (default: the product's)",
    )
    ap.add_argument("--keep", action="store_true", help="odoo: leave the seeded rows in place")
    args = ap.parse_args(argv)
    os.environ["BENCH_EMULATOR_VERSION"] = args.version
    t0 = time.perf_counter()
    target: Any = (EmulatorTarget if args.target == "emulator" else OdooTarget)(args.scale, 8.0)
    print(f"seeded in {time.perf_counter() - t0:.1f} s: {target.info['lessons']} lessons")
    try:
        return _measure(target, args)
    finally:
        target.close(args.keep)


def _measure(target: Any, args: argparse.Namespace) -> int:
    from connectors import OdooClient, OdooSettings
    from jobs.odoo.profile import profile_of
    from jobs.sync.streams import Scope, streams_for

    def client(transport: str) -> OdooClient:
        key = target.info.get("api_key") or os.environ.get("ODOO_API_KEY")
        return OdooClient(
            OdooSettings(
                url=target.url,
                database=target.db,
                username=target.user,
                secret=key if transport == "json2" else target.password,
                api_key=transport == "json2",
                transport=transport,
                page_size=args.page_size,
                parallel_reads=args.parallel_reads,
                timeout_seconds=600,
            )
        )

    probe = client("xmlrpc")
    uid, version = probe.uid, probe.version()
    scope = Scope(tuple(sorted(target.courses)), ())
    streams = [s for s in streams_for(profile_of(probe)) if s.applies(scope)]
    reads = {
        s.name: Read(
            s.model,
            [*s.domain(scope), ("write_date", "!=", False)],
            s.content_fields,
            s.context,
        )
        for s in streams
    }
    key = target.info.get("api_key") or os.environ.get("ODOO_API_KEY")
    bare: dict[str, Call] = {
        "xmlrpc": xmlrpc_call(target.url, target.db, uid, target.password),
        "jsonrpc": jsonrpc_call(target.url, target.db, uid, target.password),
    }
    transports = ["xmlrpc", "jsonrpc"]
    if version.major >= 19 and key:
        bare["json2"] = json2_call(target.url, target.db, key)
        transports.append("json2")
    print(
        f"sync anchors: target={args.target} odoo {version.version} page_size={args.page_size} "
        f"parallel_reads={args.parallel_reads} "
        f"rounds={args.rounds} python {sys.version.split()[0]}, {os.cpu_count()} cpus"
    )
    for read in reads.values():  # warm-up, not counted
        read_all(bare["xmlrpc"], read, 5000, names=False)

    best: dict[tuple[str, str], Best] = {}
    no_change: dict[str, tuple[float, int]] = {}
    for round_no in range(args.rounds):
        for name, read in reads.items():
            rows, secs = read_all(bare["xmlrpc"], read, 1000, names=True)
            best.setdefault((name, "naive"), Best()).offer(rows, secs, "page 1000, names")
            for transport in transports:
                for page in PAGES:
                    rows, secs = read_all(bare[transport], read, page, names=False)
                    best.setdefault((name, transport), Best()).offer(rows, secs, f"page {page}")
        for transport in transports:
            per_stream, idle = _sync(target, args, client(transport))
            for name, (rows, secs) in per_stream.items():
                best.setdefault((name, f"sync {transport}"), Best()).offer(rows, secs, "")
            if round_no == args.rounds - 1:
                no_change[transport] = idle
    return _report(list(reads), transports, best, no_change)


def _sync(
    target: Any, args: argparse.Namespace, odoo: Any
) -> tuple[dict[str, tuple[int, float]], tuple[float, int]]:
    """A first pass into a new store, timed per stream as the cycle spends it (a stream's
    seconds run from the previous stream's end to its own); then a no-change cycle (seconds,
    calls)."""
    from jobs.context import JobContext
    from jobs.sync.runner import SyncJob
    from sidecar.store.bootstrap import open_store

    with tempfile.TemporaryDirectory(prefix="sync-anchors-") as tmp:
        cfg = _config(target, Path(tmp), args.page_size)
        store = open_store(cfg)
        try:
            _ = odoo.uid
            first = SyncJob(JobContext(cfg, store.sessions, odoo)).run()
            before = odoo.stats.calls
            started = time.perf_counter()
            SyncJob(JobContext(cfg, store.sessions, odoo)).run()
            idle = (time.perf_counter() - started, odoo.stats.calls - before)
        finally:
            store.close()
            odoo.close()
    times = {s.name: (s.counts.read, s.seconds) for s in first.streams}
    return times, idle


def _report(
    names: list[str],
    transports: list[str],
    best: dict[tuple[str, str], Best],
    no_change: dict[str, tuple[float, int]],
) -> int:
    columns = ["naive", *transports, *(f"sync {t}" for t in transports)]
    print()
    print(f"{'rows/s':<16}{'rows':>8}" + "".join(f"{c:>14}" for c in columns))
    totals = {c: Best() for c in columns}
    for name in names:
        rows = best[(name, "xmlrpc")].rows
        cells = []
        for c in columns:
            b = best[(name, c)]
            totals[c].rows += b.rows
            totals[c].seconds += b.seconds
            cells.append(f"{b.rate:>14,.0f}")
        print(f"{name:<16}{rows:>8}" + "".join(cells))
    print(f"{'all models':<16}{totals['xmlrpc'].rows:>8}" + "".join(
        f"{totals[c].rate:>14,.0f}" for c in columns
    ))  # fmt: skip
    print()
    for name in names:
        hows = ", ".join(f"{t} {best[(name, t)].how}" for t in transports)
        print(f"  best bare page, {name}: {hows}")
    print()
    missed = []
    for t in transports:
        sync, floor, naive = totals[f"sync {t}"], totals[t], totals["naive"]
        ratio = sync.rate / floor.rate if floor.rate else 0.0
        print(
            f"sync over {t}: {ratio:.2f}x the best bare {t} read (target >= {TARGET_RATIO}), "
            f"{sync.rate / naive.rate:.2f}x the naive client; "
            f"no-change cycle {no_change[t][0] * 1000:.0f} ms, {no_change[t][1]} calls"
        )
        if ratio < TARGET_RATIO:
            missed.append(f"the sync over {t} reads at {ratio:.2f}x the bare read")
    for miss in missed:
        print(f"MISSED: {miss}, below {TARGET_RATIO}x")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The cockpit's REST API on one core: requests per second for a page of trainees and for one
trainee, over 10,000 trainees in 5 courses (the store `bench/cockpit_bench.py` seeds), beside
the anchor measured in the same run on the same core: a bare WSGI app under the same waitress,
answering a fixed body (what the server itself can do there). docs/benchmarks.md has figures.

    .venv/bin/python bench/api_bench.py [--trainees 10000] [--seconds 5] [--rounds 3] [--json]

The servers run in a child process pinned to core 0 (4 waitress threads); the load comes from
this process on the other core(s): 8 threads, each with one keep-alive connection, asking as
fast as answers come, for every page of the list in turn (or 500 trainees one by one). Every
answer must be 200. Target (issue 17): the API at >= 500 requests a second; exits 1 when missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cockpit_bench import CONFIG, seed  # noqa: E402
from sidecar.config import load_config  # noqa: E402
from sidecar.store.bootstrap import open_store  # noqa: E402

TARGET_RPS = 500.0
CLIENTS = 8
SERVER_THREADS = 4


def _hello(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def _serve(config: str, ready: Any) -> None:
    """The child: pinned to one core, the API and the anchor, each under waitress."""
    from waitress import create_server

    from sidecar.cockpit.app import create_app

    os.sched_setaffinity(0, {0})
    cfg = load_config(Path(config))
    store = open_store(cfg, reconcile=False)
    app = create_app(cfg, store.sessions, lambda *a: None)  # type: ignore[arg-type]
    api = create_server(app, host="127.0.0.1", port=0, threads=SERVER_THREADS)
    anchor = create_server(_hello, host="127.0.0.1", port=0, threads=SERVER_THREADS)
    ready.send((api.effective_port, anchor.effective_port))
    threading.Thread(target=anchor.run, daemon=True).start()
    api.run()


def _load(port: int, paths: list[str], token: str | None, seconds: float) -> tuple[int, int]:
    """(answers, failures) from `CLIENTS` keep-alive clients asking for `paths` in turn."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    counts = [0, 0]
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = failed = 0
        n = offset
        while time.monotonic() < until:
            connection.request("GET", paths[n % len(paths)], headers=headers)
            answer = connection.getresponse()
            answer.read()
            done, failed = done + 1, failed + (answer.status != 200)
            n += 1
        with lock:
            counts[0] += done
            counts[1] += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0], counts[1]


def _token(cfg: Any) -> str:
    from sidecar.cockpit.api import tokens

    store = open_store(cfg, reconcile=False)
    try:
        with store.sessions() as session, session.begin():
            return tokens.create(session, "bench", ["all"], 100_000, datetime.now(UTC))
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="of load per address in each round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="the median of these counts")
    parser.add_argument("--json", action="store_true", help="the figures as JSON on stdout")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ojt-api-bench-"))
    child = None
    try:
        config = folder / "config.yaml"
        config.write_text(CONFIG.format(store=folder / "s.db", secret="b" * 40))
        cfg = load_config(config)
        store = open_store(cfg)
        seeded = seed(store, args.trainees, datetime.now(UTC))
        store.close()
        token = _token(cfg)
        partners = [p for members in seeded.members.values() for _, p in members][:500]
        mine, theirs = multiprocessing.Pipe()
        child = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(str(config), theirs), daemon=True
        )
        child.start()
        api_port, anchor_port = mine.recv()
        os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)) or {0})
        found = _measure(api_port, anchor_port, token, partners, args.seconds, args.rounds)
    finally:
        if child is not None:
            child.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return _report(found, args)


def _measure(
    api: int, anchor: int, token: str, partners: list[int], seconds: float, rounds: int
) -> dict[str, tuple[int, int, float, float, float]]:
    """(answers, failures, median, lowest, highest req/s) per address over `rounds` rounds,
    the addresses taking turns within each round, so that a busy moment of the machine falls
    on all of them rather than on one."""
    runs = {
        "anchor: bare WSGI on the same core": (anchor, ["/"], None),
        "/api/v1/trainees?limit=100, every page": (api, _pages(api, token), token),
        "/api/v1/trainees/<partner>": (api, [f"/api/v1/trainees/{p}" for p in partners], token),
    }
    for port, paths, key in runs.values():
        _load(port, paths, key, 1.0)  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in runs}
    totals: dict[str, list[int]] = {name: [0, 0] for name in runs}
    for _ in range(rounds):
        for name, (port, paths, key) in runs.items():
            began = time.monotonic()
            done, failed = _load(port, paths, key, seconds)
            rates[name].append(done / (time.monotonic() - began))
            totals[name][0] += done
            totals[name][1] += failed
    return {
        name: (*totals[name], statistics.median(r), min(r), max(r))  # type: ignore[misc]
        for name, r in rates.items()
    }


def _pages(port: int, token: str) -> list[str]:
    """The address of every page of 100 trainees, walked once by their cursors: the load asks
    for all of them in turn, as a system reading the whole list does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = ["/api/v1/trainees?limit=100"]
    while True:
        connection.request("GET", paths[-1], headers={"Authorization": f"Bearer {token}"})
        following = json.loads(connection.getresponse().read())["next_cursor"]
        if following is None:
            return paths
        paths.append(f"/api/v1/trainees?limit=100&cursor={following}")


def _report(found: dict[str, tuple[int, int, float, float, float]], args: Any) -> int:
    anchor = next(iter(found.values()))[2]
    missed = [
        name for name, (_, failed, rps, *_) in list(found.items())[1:] if rps < TARGET_RPS or failed
    ]
    if args.json:
        keys = ("answers", "failed", "rps", "lowest", "highest")
        figures = {
            k: dict(zip(keys, (*v[:2], *(round(x, 1) for x in v[2:])), strict=True))
            for k, v in found.items()
        }
        print(json.dumps(figures))
    else:
        head = f"API on one core, {args.trainees:,} trainees, {CLIENTS} clients"
        print(f"{head}; median of {args.rounds} rounds of {args.seconds:g} s (lowest-highest)")
        for name, (done, failed, rps, low, high) in found.items():
            ratio = f"{rps / anchor:.2f}x of the anchor" if anchor else ""
            print(
                f"  {name:<40} {rps:7.0f} req/s ({low:.0f}-{high:.0f})  {ratio:>20}"
                f"  ({done:,} answers, {failed} not 200)"
            )
        verdict = "missed" if missed else "met"
        print(
            f"target >= {TARGET_RPS:g} req/s on one core (median): {verdict}"
            + (f" ({', '.join(missed)})" if missed else "")
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

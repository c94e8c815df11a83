"""The verification page's load generator when `wrk` (Debian's package `wrk`) is installed.

A closed loop of `connections` keep-alive connections, as the Python generator of
bench/cert_bench.py runs, but from a C program: the Python generator's 32 threads share one GIL,
so part of what it reports as the server's latency is its own threads waiting for their turn,
and it takes a core's worth of CPU from the server on a 2-core machine. wrk's latencies are
kept in an HdrHistogram (microseconds), read back here as the percentiles the bench prints.

`run` starts wrk twice: a warm-up run whose figures are dropped, then the measured one, with
the server's and wrk's CPU counted around the measured run only.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUANTILES = (0.5, 0.9, 0.99, 1.0)

# The paths are picked at random per request; statuses are counted per thread and summed in
# done() (wrk copies a thread's table back with thread:get).
SCRIPT = """
local paths = {%(paths)s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(os.time() * 100 + id)
  statuses = {}
end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counted[tostring(status)] = (counted[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do table.insert(parts, '"' .. status .. '":' .. n) end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests":%%d,"duration_us":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,' ..
    '"socket_errors":%%d,"statuses":{%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
"""


@dataclass(frozen=True)
class LoadPlan:
    """What a load run asks for, whichever generator runs it."""

    port: int
    paths: list[str]
    connections: int
    warmup: float
    duration: float
    cpus: set[int] | None  # the generator's cores (None: any)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    quantiles: dict[float, float]  # seconds
    statuses: dict[int, int]
    socket_errors: int
    server_cpu: float
    client_cpu: float


def available() -> str | None:
    """wrk's path, or None."""
    return shutil.which("wrk")


def version() -> str:
    found = available()
    if found is None:
        return "not installed"
    done = subprocess.run([found, "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" [")[0] if first else "wrk"


def _script(paths: list[str]) -> str:
    listed = ",".join(json.dumps(p) for p in paths)
    return SCRIPT % {"paths": listed}


def _wrk(
    port: int, script: Path, connections: int, seconds: int, cpus: set[int] | None
) -> tuple[dict[str, Any], float]:
    """One wrk run: its WRK-RESULT, and the CPU seconds it took."""
    threads = max(1, min(connections, len(cpus) if cpus else (os.cpu_count() or 1)))
    command = [
        available() or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)

    def pin() -> None:  # pragma: no cover - runs in the child
        if cpus:
            os.sched_setaffinity(0, cpus)

    done = subprocess.run(
        command, capture_output=True, text=True, check=False, preexec_fn=pin, timeout=seconds + 60
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {done.returncode}): {done.stderr.strip()[:300]}")
    return json.loads(line.removeprefix("WRK-RESULT ")), cpu


def run(plan: LoadPlan, server_cpu: Callable[[], float]) -> WrkResult:
    """Warm up, then measure. `server_cpu`: a callable giving the server's CPU seconds so far."""
    with tempfile.TemporaryDirectory(prefix="wrk_") as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(_script(plan.paths))
        if plan.warmup > 0:
            _wrk(plan.port, script, plan.connections, max(1, round(plan.warmup)), plan.cpus)
        seconds = max(1, round(plan.duration))
        s0 = server_cpu()
        found, client_cpu = _wrk(plan.port, script, plan.connections, seconds, plan.cpus)
        s1 = server_cpu()
    return WrkResult(
        requests=int(found["requests"]),
        seconds=int(found["duration_us"]) / 1e6,
        quantiles={
            q: int(found[k]) / 1e6
            for q, k in zip(QUANTILES, ("p50", "p90", "p99", "max"), strict=True)
        },
        statuses={int(k): int(v) for k, v in found["statuses"].items()},
        socket_errors=int(found["socket_errors"]),
        server_cpu=s1 - s0,
        client_cpu=client_cpu,
    )

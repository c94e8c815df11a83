"""Webhooks: from a write in Odoo to the tracker row changed, at 1, 10 and 100 changes a second
(issue 13 item 3; docs/benchmarks.md "Webhooks" has the figures).

    cd /work/main && .venv/bin/python bench/hooks_bench.py [--odoo-version 17.0] [--quick]
        [--rates 1,10,100] [--seconds 15,10,5]
    ODOO_URL=http://127.0.0.1:8019 ODOO_DB=ojt19 ODOO_USER=admin ODOO_PASSWORD=admin \
        .venv/bin/python bench/hooks_bench.py --target odoo [--quick] [--rates ...] [--seconds ...]

`--target odoo` measures the same figures against a real Odoo 17.0+ (an administrator's login:
it seeds a course and trainees, installs the rules with `ojt-sidecar hooks install`, and removes
both at the end): see bench/hooks_odoo.py. What follows is the emulator's run (the default):

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
import json
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hooks_common import (
    COURSE,
    SCP,
    SSP,
    WRITE_TARGET,
    Row,
    answer_row,
    client,
    free_port,
    measure_rates,
    paced_writes,
    pct,
    report,
    start_service,
    wait_first_sync,
    write_config,
)

# --- the emulator, in a child process ---------------------------------------------------------


def child(version: str, hook_url: str, members: int) -> None:
    """Serve an emulator with `members` new trainees (and the rules when `hook_url`); print
    {"url", "members": [[partner, slide], ...]}; run until stdin closes."""
    from jobs.hooks.rules import WANTED
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
        if hook_url:  # the eLearning rules as `ojt-sidecar hooks install` makes them
            rules = {wanted.stream: wanted for wanted in WANTED}
            for stream, model in (("lessons", SSP), ("memberships", SCP)):
                wanted = rules[stream]
                emu.add_webhook_rule(
                    model, hook_url, wanted.fields, trigger_fields=wanted.trigger_fields
                )
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


# --- the run ----------------------------------------------------------------------------------


def run(version: str, rates: list[float], seconds: list[float]) -> bool:
    counts = [int(r * s) for r, s in zip(rates, seconds, strict=True)]
    baseline_n = 100
    hook_port, secret = free_port(), secrets.token_urlsafe(32)
    path = f"/hooks/odoo/{secret}"
    proc, emu = spawn(version, f"http://127.0.0.1:{hook_port}{path}", sum(counts))
    down_proc, down = spawn(version, f"http://127.0.0.1:{free_port()}{path}", baseline_n)
    bare_proc, bare = spawn(version, "", baseline_n)
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), hook_port, secret, url=emu["url"])
        service, sessions = start_service(Path(tmp), config)
        try:
            wait_first_sync(sessions)
            rows, write_at_10 = measure_rates(
                sessions, lambda: client(emu["url"]), emu["members"], rates, counts
            )
            rows.append(answer_row(sessions, hook_port, path))
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(60)
            made = stop(proc)
    sent = made["sent"]
    posts = [s[1] for s in sent]
    print(
        f"Odoo's POSTs: {len(posts)}, p50 {pct(posts, 0.5) * 1000:.1f} ms, p99 "
        f"{pct(posts, 0.99) * 1000:.1f} ms, max {max(posts, default=0) * 1000:.0f} ms, "
        f"not 202: {sum(1 for s in sent if s[2] != 202)}"
    )
    if write_at_10:
        down_writes = paced_writes(lambda: client(down["url"]), down["members"], 10, _none)
        bare_writes = paced_writes(lambda: client(bare["url"]), bare["members"], 10, _none)
        print(
            f"Odoo write p95 at 10/s: {pct(write_at_10, 0.95) * 1000:.1f} ms with the listener "
            f"up, {pct(down_writes, 0.95) * 1000:.1f} ms with it down (the same rules), "
            f"{pct(bare_writes, 0.95) * 1000:.1f} ms without any rule (the emulator serves the "
            "hinted reads under the same lock as the writes: a real Odoo does not)"
        )
    down_waits = stop(down_proc)["waits"]
    stop(bare_proc)
    rows.append(waits_row(made["waits"], down_waits))
    return report(rows)


def _none(_i: int, _t: float) -> None:
    return None


def waits_row(waits: list[float], down_waits: list[float]) -> Row:
    """The emulator's own account of Odoo's wait for the POSTs, per write that posted."""
    raised = pct(waits, 0.95) - pct(down_waits, 0.95)
    print(
        f"Odoo's wait for the POSTs per write: p50 {pct(waits, 0.5) * 1000:.1f} ms, p95 "
        f"{pct(waits, 0.95) * 1000:.1f} ms with the listener up; p95 "
        f"{pct(down_waits, 0.95) * 1000:.1f} ms with it down"
    )
    return ("Odoo write p95 raised (its wait for the POSTs)", raised, WRITE_TARGET, "ms")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        version, hook_url, members = sys.argv[2], sys.argv[3], int(sys.argv[4])
        child(version, "" if hook_url == "-" else hook_url, members)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=("emulator", "odoo"), default="emulator")
    parser.add_argument("--odoo-version", default="17.0", help="the emulator's (--target emulator)")
    parser.add_argument("--rates", default="1,10,100")
    parser.add_argument("--seconds", default="15,10,5")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rates, args.seconds = "1,10", "5,5"
    rates = [float(x) for x in args.rates.split(",")]
    seconds = [float(x) for x in args.seconds.split(",")]
    if args.target == "odoo":
        from hooks_odoo import run_odoo

        return 0 if run_odoo(rates, seconds) else 1
    print(f"Odoo {args.odoo_version} (emulator), rates {args.rates} change(s)/s")
    return 0 if run(args.odoo_version, rates, seconds) else 1


if __name__ == "__main__":
    sys.exit(main())

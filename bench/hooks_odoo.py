"""`bench/hooks_bench.py --target odoo`: the webhook figures against a real Odoo 17.0+ (with the
Automation Rules app), named by ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD (an
administrator: it creates and removes automation rules).

1. Seeds, with names carrying a random tag: a published course with three published lessons,
   and one new partner joined to it per change to come (and per write of the references below,
   and 16 per warm-up).
2. Writes the service's config (SQLite store in a temp dir, every schedule 1 h, `hooks.enabled`
   on a free port, a random secret, the program naming the seeded course; the password only
   through an environment variable), creates the rules with `ojt-sidecar hooks install -c
   CONFIG`, runs `ojt-sidecar run --no-web` and waits for its first sync.
3. Per rate, one lesson completed per trainee over XML-RPC (as against the emulator, from 8
   logged-in clients: no write times a login; the three lessons in turn, since writes on one
   lesson all update its row's view counters and fail on each other in Odoo's serializable
   transactions, a retry costing about 1 s): latency from the write's start to the tracker
   row, and each write's seconds; also the latency from the write's answer, the rate Odoo kept
   up with and the service's CPU. Then the listener's answer time.
4. Odoo's write slowdown: writes at 10/s with the rules posting to the listener against
   writes at 10/s with the rules' webhook URL pointed at a closed local port (the target: p95
   raised by at most 20 ms), 200 each, in blocks of 50 alternating A B B A A B B A; for
   reference, 100 each pointed at a listener that answers 202 and reads nothing, and with the
   rules archived. 16 unmeasured
   writes follow each change to the rules (Odoo's workers reload their caches). 17.0 and 18.0
   post inside the transaction, 19.0 after the commit but before answering: either way the
   raise is the listener's answer time plus the contention of the service's reads in Odoo.
5. Removes the rules it made (named "OJT sidecar: ..." and posting with its secret) and the
   seeded records; an unlink Odoo refuses is reported, not fatal.

It refuses to start when Odoo already has sidecar rules: `hooks install` would repoint them.
"""

from __future__ import annotations

import http.server
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hooks_common import (
    SCP,
    SSP,
    WRITE_TARGET,
    WRITERS,
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

RULE, ACTION = "base.automation", "ir.actions.server"
RULE_PREFIX, HOOK_PATH = "OJT sidecar: ", "/hooks/odoo/"
ARCHIVED_TOO = {"active_test": False}
LESSONS, CHUNK = 3, 200
WARM = 16  # unmeasured writes before each series (see `warm`)
# The write raise: listener and closed port in ROUNDS alternating blocks of BLOCK writes each
# (200 a side: a p95 of 100 writes moved by 24 ms between runs minutes apart); the references
# (an answer-only listener, no rules) REFERENCE writes each.
ROUNDS, BLOCK, REFERENCE = 4, 50, 100
PASSWORD_VAR = "OJT_BENCH_ODOO_PASSWORD"  # the config names it: the password is never written


@dataclass(frozen=True)
class Odoo:
    url: str
    database: str
    username: str
    password: str

    def connect(self) -> Any:
        return client(self.url, self.database, self.username, self.password)


@dataclass
class Seeded:
    tag: str
    course: int = 0
    slides: list[int] = field(default_factory=list)
    partners: list[int] = field(default_factory=list)

    @property
    def course_name(self) -> str:
        return f"Hook bench {self.tag}"


class Clients:
    """Logged-in clients, handed out in turn to the writer threads: no write times a login, and
    Odoo hashes the password once per client rather than once per writer and phase. `ends`:
    when each write answered (to tell the rate Odoo kept up with)."""

    def __init__(self, odoo: Odoo) -> None:
        self.made = [odoo.connect() for _ in range(WRITERS)]
        for made in self.made:
            made.authenticate()
        self.turn = itertools.count()
        self.ends: list[float] = []

    def __call__(self) -> Any:
        return _Timed(self.made[next(self.turn) % len(self.made)], self.ends)


class _Timed:
    def __init__(self, odoo: Any, ends: list[float]) -> None:
        self.odoo, self.ends = odoo, ends

    def create(self, model: str, values: dict[str, Any]) -> int:
        """The write; one Odoo refuses or never answers is reported and timed, not fatal."""
        from connectors import OdooError

        try:
            made = int(self.odoo.create(model, values))
        except OdooError as exc:
            print(f"warning: a write failed: {exc.message.splitlines()[0]}", flush=True)
            made = 0
        self.ends.append(time.monotonic())
        return made


def from_env() -> Odoo:
    names = ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD")
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise SystemExit(f"--target odoo needs {', '.join(missing)} (an administrator's login)")
    return Odoo(*(os.environ[n] for n in names))


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


# --- what the bench puts in Odoo, and takes out again -----------------------------------------


def seed(api: Any, seeded: Seeded, members: int) -> None:
    """The course, its lessons and `members` new partners joined to it (filled in as made, so
    that a failure half-way still removes what was made)."""
    seeded.course = api.create("slide.channel", {"name": seeded.course_name, "is_published": True})
    for k in range(1, LESSONS + 1):
        values = {"name": f"{seeded.course_name} lesson {k}", "channel_id": seeded.course}
        seeded.slides.append(api.create("slide.slide", {**values, "is_published": True}))
    for start in range(0, members, CHUNK):
        names = [
            f"{seeded.course_name} trainee {n}" for n in range(start, min(members, start + CHUNK))
        ]
        made = api.create_many("res.partner", [{"name": n} for n in names])
        seeded.partners += made
        api.create_many(SCP, [{"channel_id": seeded.course, "partner_id": p} for p in made])
    print(f"seeded: course #{seeded.course} {seeded.course_name!r}, {LESSONS} lessons, {members} "
          "trainees", flush=True)  # fmt: skip


def sidecar_rules(api: Any, secret: str | None = None) -> tuple[list[int], list[int]]:
    """(rule ids, webhook action ids) of the sidecar's rules, archived too: those named "OJT
    sidecar: ..." or posting to a hook path; with `secret`, only those named so posting with it."""
    actions = api.search_read_list(
        ACTION, [("state", "=", "webhook")], ["base_automation_id", "webhook_url"], names=False
    )
    by_rule = {a["base_automation_id"]: a for a in actions if a.get("base_automation_id")}
    rules = api.search_read_list(
        RULE, [("id", "in", list(by_rule))], ["name"], context=ARCHIVED_TOO
    )
    kept = []
    for rule in rules:
        url = by_rule[rule["id"]].get("webhook_url") or ""
        named = str(rule["name"]).startswith(RULE_PREFIX)
        if (named and secret in url) if secret else (named or HOOK_PATH in url):
            kept.append(rule["id"])
    return kept, [by_rule[r]["id"] for r in kept]


def unlink(api: Any, model: str, ids: list[int], what: str) -> None:
    """Unlink in chunks; a refusal is reported, not fatal."""
    try:
        for start in range(0, len(ids), CHUNK):
            api.unlink(model, ids[start : start + CHUNK])
        print(f"removed: {len(ids)} {what}", flush=True)
    except Exception as exc:  # reported: the rest is still removed
        first = (str(getattr(exc, "message", exc)).splitlines() or [""])[0]
        print(f"warning: could not unlink {what} ({model}): {first}", flush=True)


def cleanup(api: Any, seeded: Seeded, secret: str | None) -> None:
    """The rules posting with `secret` (none when None), then the seeded records."""
    if secret:
        rules, actions = sidecar_rules(api, secret)
        unlink(api, RULE, rules, "automation rules")
        left = api.search(ACTION, [("id", "in", actions)]) if actions else []
        if left:
            unlink(api, ACTION, left, "webhook actions")
    partners = seeded.partners
    done = api.search(SSP, [("partner_id", "in", partners)], context=ARCHIVED_TOO)
    unlink(api, SSP, done, "lesson completions")
    joined = api.search(SCP, [("partner_id", "in", partners)], context=ARCHIVED_TOO)
    unlink(api, SCP, joined, "course memberships")
    unlink(api, "slide.slide", seeded.slides, "lessons")
    if seeded.course:
        unlink(api, "slide.channel", [seeded.course], "course")
    unlink(api, "res.partner", partners, "trainees")


# --- the run ----------------------------------------------------------------------------------


def install_rules(workdir: Path, config: Path) -> None:
    """The product's own command; once more when the first pass is not complete."""
    command = [str(Path(sys.executable).parent / "ojt-sidecar"), "hooks", "install", "-c"]
    for _attempt in (1, 2):
        done = subprocess.run(
            [*command, str(config)], cwd=workdir, capture_output=True, text=True, check=False
        )
        for line in (done.stdout + done.stderr).splitlines():
            print(f"  hooks install: {line}", flush=True)
        if done.returncode == 0:
            return
    raise SystemExit(f"ojt-sidecar hooks install failed (exit {done.returncode})")


def take(members: list[list[int]], n: int) -> list[list[int]]:
    """The first `n` members, taken off the list."""
    batch = members[:n]
    del members[:n]
    return batch


def warm(clients: Clients, members: list[list[int]]) -> None:
    """WARM unmeasured writes (members taken off the list), then a pause: a change to the rules
    clears the caches of Odoo's workers (an archived rule reloads their registry), and the
    first writes after it pay for that."""
    paced_writes(clients, take(members, WARM), 10, _none)
    time.sleep(1)


def _none(_i: int, _t: float) -> None:
    return None


class _Accept(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def null_listener() -> http.server.ThreadingHTTPServer:
    """A listener that answers 202 at once and reads nothing (a reference: the POSTs' own
    cost without the service's reads in Odoo), serving from a thread until shut down."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def slowdown(api: Any, clients: Clients, secret: str, members: list[list[int]]) -> Row:
    """Writes at 10/s with the rules posting to the listener and to a closed port, in blocks
    of BLOCK that alternate A B B A ... over ROUNDS rounds, so that a drift in Odoo's own speed
    during the minute falls on both alike; then, for reference, REFERENCE writes each with the
    rules posting to a listener that only answers, and with them archived. Members taken off
    the list."""
    rules, actions = sidecar_rules(api, secret)
    listener_url = str(api.read(ACTION, actions[:1], ["webhook_url"])[0]["webhook_url"])
    null = null_listener()
    urls = {
        "the listener": listener_url,
        "a closed port": f"http://127.0.0.1:{free_port()}{HOOK_PATH}{secret}",
        "a listener that only answers": (
            f"http://127.0.0.1:{null.server_address[1]}{HOOK_PATH}{secret}"
        ),
    }
    series: dict[str, list[float]] = {what: [] for what in urls}
    pair = ["the listener", "a closed port"]
    order = [what for r in range(ROUNDS) for what in (pair if r % 2 == 0 else pair[::-1])]
    pointed = "the listener"
    for what in [*order, "a listener that only answers"]:
        if what != pointed:
            api.write(ACTION, actions, {"webhook_url": urls[what]})
            warm(clients, members)
            pointed = what
        n = BLOCK if what in pair else REFERENCE
        series[what] += paced_writes(clients, take(members, n), 10, _none)
    null.shutdown()
    api.write(RULE, rules, {"active": False})
    warm(clients, members)
    series["none (rules archived)"] = paced_writes(clients, take(members, REFERENCE), 10, _none)
    print(f"Odoo write at 10/s, the rules posting to (listener and closed port: {ROUNDS} "
          f"alternating blocks of {BLOCK}):", flush=True)  # fmt: skip
    for what, writes in series.items():
        print(
            f"  {what} ({len(writes)} writes): p50 {pct(writes, 0.5) * 1000:.1f} ms, "
            f"p95 {pct(writes, 0.95) * 1000:.1f} ms",
            flush=True,
        )
    raised = pct(series["the listener"], 0.95) - pct(series["a closed port"], 0.95)
    return ("Odoo write p95 raised (listener vs closed port)", raised, WRITE_TARGET, "ms")


def slowdown_members() -> int:
    """The members `slowdown` takes: its blocks, its references and a warm-up per switch."""
    switches = ROUNDS + 2  # A B B A ...: a switch per round, then the two references
    return ROUNDS * 2 * BLOCK + 2 * REFERENCE + switches * WARM


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user and system), from /proc; 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate_rows(
    sessions: Any,
    clients: Clients,
    members: list[list[int]],
    plan: list[tuple[float, int]],
    pid: int,
) -> list[Row]:
    """`measure_rates` (`plan`: rate and count), one rate at a time, with the CPU the service
    (process `pid`) spent; members taken off the list."""
    rows: list[Row] = []
    for rate, n in plan:
        before, began = cpu_seconds(pid), time.monotonic()
        clients.ends.clear()
        got, _ = measure_rates(sessions, clients, take(members, n), [rate], [n], True)
        rows += got
        used, took = cpu_seconds(pid) - before, max(clients.ends, default=began) - began
        print(
            f"  Odoo kept up with {n / took if took else 0:.1f} writes/s ({n} in {took:.1f} s); "
            f"the service's CPU: {used:.1f} s, {used / n * 1000:.0f} ms a change",
            flush=True,
        )
    return rows


def measure(
    odoo: Odoo, api: Any, seeded: Seeded, workdir: Path, rates: list[float], counts: list[int]
) -> list[Row]:
    hook_port, secret = free_port(), secrets.token_urlsafe(32)
    os.environ[PASSWORD_VAR] = odoo.password
    quoted = {k: json.dumps(v) for k, v in vars(odoo).items() if k != "password"}
    course = json.dumps(seeded.course_name)
    config = write_config(
        workdir, hook_port, secret, **quoted, password=f"${{{PASSWORD_VAR}}}", course=course
    )
    service = None
    try:
        install_rules(workdir, config)
        service, sessions = start_service(workdir, config)
        wait_first_sync(sessions)
        clients = Clients(odoo)
        # the lessons in turn: every write on one lesson would all update its counters' row
        slides = seeded.slides
        members = [[p, slides[i % len(slides)]] for i, p in enumerate(seeded.partners)]
        warm(clients, members)
        plan = list(zip(rates, counts, strict=True))
        rows = rate_rows(sessions, clients, members, plan, service.pid)
        rows.append(answer_row(sessions, hook_port, f"{HOOK_PATH}{secret}"))
        rows.append(slowdown(api, clients, secret, members))
        return rows
    finally:
        if service is not None:
            service.send_signal(signal.SIGTERM)
            service.wait(60)
        cleanup(api, seeded, secret)


def run_odoo(rates: list[float], seconds: list[float]) -> bool:
    odoo = from_env()
    api = odoo.connect()
    print(
        f"Odoo {api.version().version} at {odoo.url} (db {odoo.database}), rates "
        f"{','.join(f'{r:g}' for r in rates)} change(s)/s; {load()}",
        flush=True,
    )
    found, _ = sidecar_rules(api)
    if found:
        raise SystemExit(
            f"Odoo already has sidecar rules (base.automation {found}): `hooks install` would "
            "repoint them; remove them first (or use another database)"
        )
    counts = [int(r * s) for r, s in zip(rates, seconds, strict=True)]
    seeded = Seeded(secrets.token_hex(4))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            seed(api, seeded, sum(counts) + slowdown_members() + WARM)
        except BaseException:
            cleanup(api, seeded, None)
            raise
        rows = measure(odoo, api, seeded, Path(tmp), rates, counts)
    print(f"after the run: {load()}", flush=True)
    return report(rows)

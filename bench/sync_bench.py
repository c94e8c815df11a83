"""Sync benchmark: a full sync against a bare XML-RPC replay of its own requests (a
measure of local overhead only: bench/sync_anchors.py sets the sync beside the real anchors),
then incremental cycles: right after the full sync, in steady state, and after 1 % of lessons
changed.

    cd /work/main && .venv/bin/python bench/sync_bench.py [--scale 1.0] [--target emulator|odoo]
        [--page-size 1000] [--seed-end-ago 0] [--full-only] [--keep] [--profile] [--tracemalloc]

What it does (docs/benchmarks.md has the figures and what they mean):

1. Seeds 20,000 enrollments (`slide.channel.partner`, one per new partner) and 200,000 lesson rows
   (`slide.slide.partner`, ~60 % completed) times `--scale`, over the published demo courses,
   topped up with published content slides so that every course has at least 12 of them.
   - emulator: in a child process (so that the client's RSS and CPU are its own), written
     straight into the emulator's tables with write_dates spread over `--seed-hours` of emulated
     time (the emulator's clock is frozen in the past while seeding) ending `--seed-end-ago`
     seconds before now (default 0: Odoo busy right up to the full sync). The ORM's create is
     quadratic in the table size, see the docs.
   - odoo: over XML-RPC `create` in batches, against the Odoo named by ODOO_URL, ODOO_DB,
     ODOO_USER, ODOO_PASSWORD; the seeded rows are deleted at the end unless `--keep`.
2. A full sync (`SyncJob.run(full=True)`) into a fresh SQLite store, right after the seed,
   timed, with RPC calls (the client's count and the server's where known), the time spent
   waiting on RPC split into listing / content reads / partner names, and the peak RSS growth of
   this process.
3. (a) A no-change cycle right after it: each stream lists from its full pass's start minus the
   overlap (300 s) and reads again by content the rows stamped in that window; the rows Odoo
   holds stamped in it are counted on the emulator for comparison.
4. The floor, twice: a bare `xmlrpc.client.ServerProxy` loop replaying the full pass's own
   requests (per stream, the first `search_read`'s domain and keywords as the sync sent them:
   its fields, `load=''`, its context and page size; pages in id order, one request in flight),
   results dropped. The ratio uses the faster of the two.
5. Steady state, not faked: the bench waits until Odoo's last write is more than the overlap in
   the past, runs (a2) a no-change cycle (which still re-reads the rows stamped within the overlap
   before the previous pass began), then (b) one whose previous pass began more than the overlap
   after the last write: nothing is unsettled any more.
6. (c) A cycle after 1 % of the lesson rows changed (through the emulator's ORM, which also
   rewrites their memberships), and (d) the next pass, which reads that burst once more.

`--full-only` stops after the floors (for memory at several scales: no cycles, no wait).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing as mp
import os
import pstats
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import xmlrpc.client
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENROLLMENTS = 20_000
LESSONS = 200_000
COMPLETED_SHARE = 0.6
MIN_CONTENT_SLIDES = 12
ODOO_DT = "%Y-%m-%d %H:%M:%S"
SCP, SSP = "slide.channel.partner", "slide.slide.partner"


# -- measuring ------------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kB


def _reset_peak() -> bool:
    """Reset this process's VmHWM (Linux >= 4.0) so a phase's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    cpu: float = 0.0
    rss_before_mb: float = 0.0
    peak_mb: float = 0.0
    py_peak_mb: float | None = None  # tracemalloc's peak of Python allocations, with --tracemalloc
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def growth_mb(self) -> float:
        return max(0.0, self.peak_mb - self.rss_before_mb)


@contextmanager
def measured(name: str) -> Iterator[Phase]:
    import gc

    gc.collect()
    phase = Phase(name)
    exact = _reset_peak()
    phase.rss_before_mb = _status_kb("VmRSS") / 1024
    tracing = tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
        py0 = tracemalloc.get_traced_memory()[0]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    try:
        yield phase
    finally:
        if tracing:
            phase.py_peak_mb = (tracemalloc.get_traced_memory()[1] - py0) / 2**20
        phase.seconds = time.perf_counter() - t0
        phase.cpu = time.process_time() - cpu0
        if exact:
            phase.peak_mb = _status_kb("VmHWM") / 1024
        else:  # the process's lifetime peak: an upper bound
            phase.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the seed plan (shared by both targets) -------------------------------------------------------


@dataclass
class Plan:
    """Who joins which course when, and which lessons they touch and complete, in time order."""

    partners: list[tuple[str, str, datetime]]  # name, email, created
    enrollments: list[tuple[int, int, datetime]]  # partner index, channel id, joined
    lessons: list[tuple[int, int, int, bool, datetime, datetime]]
    # (partner index, channel id, slide id, completed, created, written)


def make_plan(
    scale: float,
    slides_by_course: dict[int, list[int]],
    start: datetime,
    end: datetime,
    tag: str,
    seed: int = 17,
) -> Plan:
    rng = random.Random(seed)
    n_enroll = max(1, round(ENROLLMENTS * scale))
    n_lessons = round(LESSONS * scale)
    courses = sorted(slides_by_course)
    weights = [len(slides_by_course[c]) for c in courses]
    span = (end - start).total_seconds()
    partners = []
    enrollments = []
    for i in range(n_enroll):
        channel = rng.choices(courses, weights)[0]
        # joins are spread over the first two thirds of the window, the work follows
        joined = start + timedelta(seconds=rng.uniform(0, span * 2 / 3))
        partners.append(
            (f"Bench Trainee {tag}{i}", f"bench{tag}{i}@example.com", joined - timedelta(seconds=1))
        )
        enrollments.append((i, channel, joined))
    capacity = sum(len(slides_by_course[ch]) for _, ch, _ in enrollments)
    touch = min(1.0, n_lessons / capacity) if capacity else 0.0
    lessons = []
    for pidx, channel, joined in enrollments:
        left = (end - joined).total_seconds()
        for slide in slides_by_course[channel]:
            if rng.random() >= touch:
                continue
            created = joined + timedelta(seconds=rng.uniform(0, left))
            done = rng.random() < COMPLETED_SHARE
            # a lesson is completed a few minutes after it was opened (mean 10 min); one that
            # would be completed after `end` is still open
            written = created + timedelta(seconds=rng.expovariate(1 / 600))
            if not done or written > end:
                done, written = False, created
            lessons.append((pidx, channel, slide, done, created, written))
    lessons.sort(key=lambda x: x[4])
    return Plan(partners, enrollments, lessons)


# -- emulator target: a child process owning the emulator -----------------------------------------


def _emulator_child(conn: Any, scale: float, hours: float, end_ago: float) -> None:
    """Build and seed an emulator, serve it, and answer the parent's commands."""
    from sidecar.emulator import OdooEmulator

    t0 = time.perf_counter()
    emu = OdooEmulator(demo=True, version=os.environ.get("BENCH_EMULATOR_VERSION") or None)
    info: dict[str, Any] = {"demo_load_s": time.perf_counter() - t0}
    if emu.profile.major >= 19:  # for JSON-2, which takes nothing but an API key
        info["api_key"] = emu.new_api_key()
    t0 = time.perf_counter()
    info.update(_seed_emulator(emu, scale, hours, end_ago))
    info["seed_s"] = time.perf_counter() - t0
    emu.start()
    info.update(url=emu.url, db=emu.db)
    conn.send(info)
    while True:
        cmd, arg = conn.recv()
        if cmd == "stop":
            emu.stop()
            conn.send(None)
            return
        if cmd == "calls":
            by = Counter(
                f"{c.model}.{c.model_method}" if c.model else str(c.method) for c in emu.calls
            )
            conn.send((len(emu.calls), dict(by)))
        elif cmd == "reset_calls":
            emu.reset_calls()
            conn.send(None)
        elif cmd == "change":
            t0 = time.perf_counter()
            changed = _change_emulator(emu, arg)
            conn.send((changed, time.perf_counter() - t0))
        elif cmd == "stamped":
            conn.send(_stamped(emu, arg))


def _stamped(emu: Any, since: dict[str, datetime]) -> dict[str, Any]:
    """Per model: the newest write_date, and how many rows are stamped at or after `since[model]`
    (cut to the second, as Odoo compares a second-truncated bound)."""
    out: dict[str, Any] = {}
    for model, table in ((SCP, emu.store.tables[SCP]), (SSP, emu.store.tables[SSP])):
        stamps = [r["write_date"] for r in table.rows.values() if r.get("write_date")]
        bound = since.get(model)
        out[model] = {
            "last": max(stamps) if stamps else None,
            "since": sum(1 for w in stamps if bound is not None and w >= bound),
        }
    return out


def _content_slides(rows: list[dict[str, Any]]) -> dict[int, list[int]]:
    by: dict[int, list[int]] = {}
    for s in rows:
        if s["is_published"] and s["active"] and not s["is_category"]:
            ch = s["channel_id"]
            by.setdefault(ch[0] if isinstance(ch, list) else ch, []).append(s["id"])
    return by


def _seed_emulator(emu: Any, scale: float, hours: float, end_ago: float) -> dict[str, Any]:
    """Seed through the ORM where it is linear (partners, slides) and straight into the tables
    where the ORM's create is quadratic (memberships and lessons: `_check_uniques` scans the whole
    table for every new row; `recompute_completion` scans every lesson row per membership). The
    rows are built from a template row the ORM itself created, and the memberships' computed
    fields (completion, completed_slides_count, member_status) are set as the recompute would."""
    env = emu.env
    end = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=end_ago)
    start = end - timedelta(hours=hours)
    channels = env.search_read("slide.channel", [("is_published", "=", True)], ["id", "name"])
    slide_fields = ["id", "channel_id", "is_published", "active", "is_category"]
    slides = env.search_read(
        "slide.slide", [("channel_id", "in", [c["id"] for c in channels])], slide_fields
    )
    by_course = _content_slides(slides)
    # the courses' lessons were written before the learners came
    emu.freeze(start - timedelta(hours=1))
    added = 0
    for ch in channels:
        have = by_course.setdefault(ch["id"], [])
        for k in range(len(have), MIN_CONTENT_SLIDES):
            sid = env.create(
                "slide.slide",
                {
                    "name": f"Bench lesson {k + 1}",
                    "channel_id": ch["id"],
                    "slide_category": "article",
                    "is_published": True,
                    "sequence": 100 + k,
                },
            )
            have.append(sid)
            added += 1
    plan = make_plan(scale, by_course, start, end, tag="")

    # partners through the ORM, in small batches along the emulated clock
    pids: list[int] = []
    batch = 50
    for i in range(0, len(plan.partners), batch):
        chunk = plan.partners[i : i + batch]
        emu.freeze(chunk[0][2])
        pids += env.create("res.partner", [{"name": n, "email": e} for n, e, _ in chunk])

    store = emu.store
    with store.lock:
        # templates: one membership and one lesson row made by the ORM
        emu.freeze(start)
        first_ch = plan.enrollments[0][1]
        scp_tpl_id = env.create(SCP, {"channel_id": first_ch, "partner_id": pids[0]})
        ssp_tpl_id = env.create(
            SSP, {"slide_id": by_course[first_ch][0], "partner_id": pids[0], "completed": False}
        )
        scp_table, ssp_table = store.tables[SCP], store.tables[SSP]
        scp_tpl = scp_table.rows[scp_tpl_id]
        ssp_tpl = ssp_table.rows[ssp_tpl_id]
        scp_table.remove(scp_tpl_id)
        ssp_table.remove(ssp_tpl_id)

        done: Counter[tuple[int, int]] = Counter()
        last_done: dict[tuple[int, int], datetime] = {}
        for pidx, ch, slide, completed, created, written in plan.lessons:
            row = _copy(ssp_tpl)
            row.update(
                id=ssp_table.next_id,
                slide_id=slide,
                channel_id=ch,
                partner_id=pids[pidx],
                completed=completed,
                create_date=created,
                write_date=written,
            )
            ssp_table.insert(row)
            if completed:
                key = (ch, pids[pidx])
                done[key] += 1
                last_done[key] = max(last_done.get(key, written), written)
        enrolled = sorted(plan.enrollments, key=lambda e: e[2])
        statuses: Counter[str] = Counter()
        for pidx, ch, joined in enrolled:
            key = (ch, pids[pidx])
            total = len(by_course[ch])
            n = done.get(key, 0)
            completion = round(100.0 * n / (total or 1))
            status = (
                "completed" if completion == 100 else "joined" if completion == 0 else "ongoing"
            )
            statuses[status] += 1
            row = _copy(scp_tpl)
            row.update(
                id=scp_table.next_id,
                channel_id=ch,
                partner_id=pids[pidx],
                completion=completion,
                completed_slides_count=n,
                member_status=status,
                create_date=joined,
                write_date=last_done.get(key, joined),
            )
            scp_table.insert(row)
    emu.set_clock(lambda: datetime.now(UTC).replace(tzinfo=None))
    window = end - timedelta(seconds=300)
    return {
        "partners": len(pids),
        "enrollments": len(plan.enrollments),
        "lessons": len(plan.lessons),
        "completed": sum(1 for x in plan.lessons if x[3]),
        "statuses": dict(statuses),
        "slides_added": added,
        "courses": {c["id"]: c["name"] for c in channels},
        "content_slides": {k: len(v) for k, v in by_course.items()},
        "span": (start.strftime(ODOO_DT), end.strftime(ODOO_DT)),
        "lessons_last_300s": sum(1 for x in plan.lessons if x[5] >= window),
        "ssp_total": len(ssp_table.rows),
        "scp_total": len(scp_table.rows),
    }


def _copy(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}


def _change_emulator(emu: Any, fraction: float) -> int:
    """Flip `completed` on `fraction` of the seeded lesson rows through the ORM (which runs the
    completion recompute), one transaction per partner, on the real clock."""
    rows = emu.store.tables[SSP].rows
    ids = sorted(rows)
    picked = random.Random(5).sample(ids, max(1, round(len(ids) * fraction)))
    by_partner: dict[int, list[int]] = {}
    for rid in picked:
        by_partner.setdefault(rows[rid]["partner_id"], []).append(rid)
    for group in by_partner.values():
        with emu.env.transaction():
            for value in (True, False):
                flip = [i for i in group if bool(rows[i]["completed"]) != value]
                if flip:
                    emu.env.write(SSP, flip, {"completed": value})
    return len(picked)


class EmulatorTarget:
    name = "emulator"

    def __init__(self, scale: float, hours: float, end_ago: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_emulator_child, args=(child, scale, hours, end_ago), daemon=True
        )
        self._proc.start()
        self.info: dict[str, Any] = self._conn.recv()
        self.url, self.db = self.info["url"], self.info["db"]
        self.user = self.password = "admin"
        self.courses: dict[int, str] = self.info["courses"]

    def _ask(self, cmd: str, arg: Any = None) -> Any:
        self._conn.send((cmd, arg))
        return self._conn.recv()

    def server_calls(self) -> tuple[int, dict[str, int]] | None:
        return self._ask("calls")

    def reset_calls(self) -> None:
        self._ask("reset_calls")

    def change(self, fraction: float) -> tuple[int, float]:
        return self._ask("change", fraction)

    def stamped(self, since: dict[str, datetime]) -> dict[str, Any] | None:
        return self._ask("stamped", since)

    def close(self, keep: bool) -> None:
        self._ask("stop")
        self._proc.join(10)


# -- real Odoo target -----------------------------------------------------------------------------


class OdooTarget:
    name = "odoo"

    def __init__(self, scale: float, hours: float, end_ago: float = 0.0) -> None:
        env = {k: os.environ.get(k) for k in ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD")}
        missing = [k for k, v in env.items() if not v]
        if missing:
            raise SystemExit(f"--target odoo needs {', '.join(missing)} in the environment")
        self.url = str(env["ODOO_URL"]).rstrip("/")
        self.db, self.user = str(env["ODOO_DB"]), str(env["ODOO_USER"])
        self.password = str(env["ODOO_PASSWORD"])
        self.client = _client(self.url, self.db, self.user, self.password, 1000)
        self.created: dict[str, list[int]] = {
            "slide.slide": [],
            "res.partner": [],
            SCP: [],
            SSP: [],
        }
        t0 = time.perf_counter()
        self.info = self._seed(scale)
        self.info["seed_s"] = time.perf_counter() - t0
        self.courses = self.info["courses"]

    def _seed(self, scale: float) -> dict[str, Any]:
        c = self.client
        channels = c.search_read_list(
            "slide.channel", [("is_published", "=", True)], ["id", "name"]
        )
        fields = ["id", "channel_id", "is_published", "active", "is_category"]
        slides = c.search_read_list(
            "slide.slide", [("channel_id", "in", [ch["id"] for ch in channels])], fields
        )
        by_course = _content_slides(slides)
        seed_t = time.perf_counter()
        for ch in channels:
            have = by_course.setdefault(ch["id"], [])
            need = MIN_CONTENT_SLIDES - len(have)
            if need > 0:
                ids = c.create_many(
                    "slide.slide",
                    [
                        {
                            "name": f"Bench lesson {len(have) + k + 1}",
                            "channel_id": ch["id"],
                            "slide_category": "article",
                            "is_published": True,
                            "sequence": 100 + k,
                        }
                        for k in range(need)
                    ],
                )
                self.created["slide.slide"] += ids
                have += ids
        now = datetime.now(UTC).replace(tzinfo=None)
        plan = make_plan(scale, by_course, now, now, tag=f"{int(time.time())}-")
        log = _stderr_progress
        pids: list[int] = []
        for i in range(0, len(plan.partners), 1000):
            chunk = plan.partners[i : i + 1000]
            pids += c.create_many("res.partner", [{"name": n, "email": e} for n, e, _ in chunk])
            self.created["res.partner"] = pids
            log(f"partners {len(pids)}/{len(plan.partners)}")
        for i in range(0, len(plan.enrollments), 1000):
            joins = plan.enrollments[i : i + 1000]
            self.created[SCP] += c.create_many(
                SCP, [{"channel_id": ch, "partner_id": pids[p]} for p, ch, _ in joins]
            )
            log(f"enrollments {len(self.created[SCP])}/{len(plan.enrollments)}")
        # lessons grouped by partner (~2000 rows a call), as learners' work would arrive
        lessons = sorted(plan.lessons, key=lambda x: x[0])
        i = 0
        while i < len(lessons):
            j = min(len(lessons), i + 2000)
            while j < len(lessons) and lessons[j][0] == lessons[j - 1][0]:
                j += 1
            vals = [
                {"slide_id": s, "partner_id": pids[p], "completed": d}
                for p, _, s, d, _, _ in lessons[i:j]
            ]
            self.created[SSP] += c.create_many(SSP, vals)
            i = j
            log(f"lessons {len(self.created[SSP])}/{len(lessons)}")
        return {
            "partners": len(pids),
            "enrollments": len(plan.enrollments),
            "lessons": len(plan.lessons),
            "completed": sum(1 for x in plan.lessons if x[3]),
            "slides_added": len(self.created["slide.slide"]),
            "courses": {ch["id"]: ch["name"] for ch in channels},
            "content_slides": {k: len(v) for k, v in by_course.items()},
            "span": (f"seeded over RPC in {time.perf_counter() - seed_t:.0f} s", "now"),
            "calls": c.stats.calls,
        }

    def server_calls(self) -> tuple[int, dict[str, int]] | None:
        return None

    def reset_calls(self) -> None:
        pass

    def stamped(self, since: dict[str, datetime]) -> dict[str, Any] | None:
        return None  # not asked of a real Odoo (it would cost calls the cycles would count)

    def change(self, fraction: float) -> tuple[int, float]:
        t0 = time.perf_counter()
        ids = self.created[SSP]
        picked = sorted(random.Random(5).sample(ids, max(1, round(len(ids) * fraction))))
        rows = self.client.read(SSP, picked, ["completed"])
        for value in (True, False):
            flip = [r["id"] for r in rows if bool(r["completed"]) != value]
            for k in range(0, len(flip), 500):
                self.client.write(SSP, flip[k : k + 500], {"completed": value})
        return len(picked), time.perf_counter() - t0

    def close(self, keep: bool) -> None:
        if keep:
            print(f"--keep: seeded rows left in {self.db}: {_counts(self.created)}")
            return
        for model in (SSP, SCP, "slide.slide", "res.partner"):
            ids = self.created[model]
            try:
                for k in range(0, len(ids), 2000):
                    self.client.unlink(model, ids[k : k + 2000])
            except Exception as exc:  # report and go on: the rest should still be removed
                print(f"cleanup of {model} failed: {exc}", file=sys.stderr)
        print(f"removed the seeded rows: {_counts(self.created)}")


def _counts(created: dict[str, list[int]]) -> str:
    return ", ".join(f"{len(v)} {k}" for k, v in created.items())


def _stderr_progress(text: str) -> None:
    print(f"\r  seeding: {text}        ", end="", file=sys.stderr, flush=True)


# -- the sidecar side -----------------------------------------------------------------------------


def _client(url: str, db: str, user: str, password: str, page_size: int) -> Any:
    from connectors import OdooClient, OdooSettings

    return OdooClient(
        OdooSettings(url=url, database=db, username=user, secret=password, page_size=page_size)
    )


CONFIG = """\
odoo:
  url: {url}
  database: {db}
  username: {user}
  password: ${{BENCH_ODOO_PASSWORD}}
  page_size: {page_size}
store:
  url: sqlite:///{store}
programs:
  - key: bench
    name: Sync benchmark
    courses:
{courses}
"""


def _config(target: Any, workdir: Path, page_size: int) -> Any:
    import json

    from sidecar.config import load_config

    courses = "\n".join(
        f"      - course: {json.dumps(name)}\n        required: false"
        for name in target.courses.values()
    )
    path = workdir / "config.yaml"
    path.write_text(
        CONFIG.format(
            url=target.url,
            db=target.db,
            user=target.user,
            page_size=page_size,
            store=workdir / "bench.db",
            courses=courses,
        ),
        encoding="utf-8",
    )
    os.environ["BENCH_ODOO_PASSWORD"] = target.password
    return load_config(path)


class TimedTransport:
    """Wraps a client's transport: time spent waiting on Odoo (request, answer, XML-RPC decoding),
    and per `model.method` the calls, the rows answered and that time."""

    def __init__(self, client: Any) -> None:
        self.seconds = 0.0
        self.by: dict[str, list[float]] = {}  # "model.method" -> [calls, rows, seconds]
        self.first: dict[str, tuple[list[Any], dict[str, Any]]] = {}  # its first (args, kwargs)
        inner = client._transport
        original = inner.execute_kw

        def execute_kw(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            result: Any = None
            try:
                result = original(*args, **kwargs)
                return result
            finally:
                dt = time.perf_counter() - t0
                self.seconds += dt
                key = f"{args[3]}.{args[4]}" if len(args) > 4 else "?"
                if len(args) > 6 and key not in self.first:
                    self.first[key] = (args[5], args[6])
                entry = self.by.setdefault(key, [0, 0, 0.0])
                entry[0] += 1
                entry[1] += len(result) if isinstance(result, list) else 0
                entry[2] += dt

        inner.execute_kw = execute_kw
        login = inner.authenticate

        def authenticate(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return login(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                self.seconds += dt
                entry = self.by.setdefault("common.authenticate", [0, 0, 0.0])
                entry[0] += 1
                entry[2] += dt

        inner.authenticate = authenticate

    def reset(self) -> None:
        self.seconds = 0.0
        self.by = {}

    def total(self, method: str, models: Collection[str] | None = None) -> tuple[int, int, float]:
        """(calls, rows, seconds) of `method` over `models` (all models when None)."""
        calls = rows = 0
        seconds = 0.0
        for key, (c, r, t) in self.by.items():
            model, _, meth = key.rpartition(".")
            if meth == method and (models is None or model in models):
                calls, rows, seconds = calls + int(c), rows + int(r), seconds + t
        return calls, rows, seconds


class SqlCounter:
    """Counts the store's SQL statements by verb and first table, e.g. `SELECT student`."""

    def __init__(self, engine: Any) -> None:
        import re

        from sqlalchemy import event

        self.counts: Counter[str] = Counter()
        table = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.I)

        @event.listens_for(engine, "before_cursor_execute")
        def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            verb = statement.lstrip().split(None, 1)[0].upper()
            m = table.search(statement)
            self.counts[f"{verb} {m.group(1) if m else ''}".strip()] += 1

    def reset(self) -> None:
        self.counts.clear()

    def snapshot(self) -> dict[str, int]:
        return dict(self.counts)


def _timed_sync_job() -> type:
    from jobs.sync.runner import SyncJob

    class TimedSync(SyncJob):
        """SyncJob with the time of its recompute phase and of its partner reads added up."""

        recompute_seconds = 0.0
        partner_info_seconds = 0.0

        def recompute_pending(self) -> Any:
            t0 = time.perf_counter()
            try:
                return super().recompute_pending()
            finally:
                self.recompute_seconds += time.perf_counter() - t0

        def _partner_info(self, partner_ids: list[int]) -> Any:
            t0 = time.perf_counter()
            try:
                return super()._partner_info(partner_ids)
            finally:
                self.partner_info_seconds += time.perf_counter() - t0

    return TimedSync


# -- the floor ------------------------------------------------------------------------------------


def floor_read(
    url: str, db: str, user: str, password: str, reads: list[tuple[str, list, dict[str, Any]]]
) -> tuple[int, int]:
    """The full pass's own requests with a bare ServerProxy, one in flight, results dropped:
    (calls, rows read).

    Per stream, as `jobs/sync/blocks.py` reads with one reader: `search_read` of the stream's
    domain, fields, context and page size (`load=''`, the keyword arguments the sync sent), in id
    order, each page from the last id of the one before, until one comes short. What the sync
    adds to this (landing rows, the read-ahead thread, the recompute) is its local overhead."""
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(db, user, password, {})
    proxy = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    calls, delivered = 1, 0
    for model, domain, kwargs in reads:
        size = int(kwargs.get("limit") or 1000)
        start = 0
        while True:
            rows: Any = proxy.execute_kw(
                db, uid, password, model, "search_read", [[*domain, ("id", ">=", start)]],
                {**kwargs, "order": "id asc", "limit": size},
            )  # fmt: skip
            calls += 1
            delivered += len(rows)
            if len(rows) < size:
                break
            start = int(rows[-1]["id"]) + 1
            del rows
    return calls, delivered


# -- main -----------------------------------------------------------------------------------------

# Real Odoo 17 read rates over XML-RPC with load='' (docs/odoo-notes.md §20), for the estimate
# only.
ODOO17_CONTENT_ROWS_S = 15_000
ODOO17_LISTING_ROWS_S = 43_000


def _fmt_calls(by: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(by.items(), key=lambda kv: -kv[1]))


def _stream_calls(summary: Any) -> str:
    return ", ".join(f"{s.name} {s.calls}" for s in summary.streams)


def _naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _polled(sessions: Any) -> dict[str, datetime]:
    """Each stream's `polled_at` (start of its last complete pass, local clock), naive UTC."""
    from sqlalchemy import select

    from sidecar.store.models import SyncCursor

    with sessions() as session:
        rows = session.execute(select(SyncCursor.stream, SyncCursor.polled_at)).all()
    return {name: _naive(at) for name, at in rows if at is not None}


@dataclass
class Cycle:
    label: str
    phase: Phase
    summary: Any
    calls: int
    listed: tuple[int, int, float]  # listing calls, rows, seconds (stream models)
    content: tuple[int, int, float]  # read calls, rows, seconds (stream models)
    windows: dict[str, str]  # stream -> rows stamped at or after this are re-read by content
    expected: dict[str, int] | None = None  # stream -> rows Odoo holds stamped in that window
    login: float = 0.0  # seconds in `common.authenticate`


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 20k enrollments, 200k lessons")
    ap.add_argument("--target", choices=("emulator", "odoo"), default="emulator")
    ap.add_argument("--page-size", type=int, default=1000)
    ap.add_argument("--seed-hours", type=float, default=8.0, help="emulated span of the seed")
    ap.add_argument(
        "--seed-end-ago",
        type=float,
        default=0.0,
        help="emulator: the seeded write_dates end this many seconds before the seed (default 0:\n"
        "busy up to the full sync)",
    )
    ap.add_argument("--change", type=float, default=0.01, help="share of lesson rows changed")
    ap.add_argument(
        "--full-only", action="store_true", help="floors and full sync only (no cycles, no wait)"
    )
    ap.add_argument("--keep", action="store_true", help="odoo: leave the seeded rows in place")
    ap.add_argument("--profile", action="store_true", help="cProfile the full sync (slower)")
    ap.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    args = ap.parse_args(argv)
    if args.tracemalloc:
        tracemalloc.start()

    from jobs.context import JobContext
    from jobs.sync.plan import LISTING_FACTOR
    from jobs.sync.runner import DEFAULT_OVERLAP_SECONDS, SyncJob

    TimedSyncJob = _timed_sync_job()
    from jobs.sync.streams import STREAMS, Scope
    from sidecar.store.bootstrap import open_store
    from sidecar.store.models import utcnow

    overlap = DEFAULT_OVERLAP_SECONDS
    print(
        f"sync benchmark: target={args.target} scale={args.scale} page_size={args.page_size} "
        f"listing page {LISTING_FACTOR * args.page_size} overlap {overlap:.0f} s "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus"
    )
    t0 = time.perf_counter()
    target: Any = (EmulatorTarget if args.target == "emulator" else OdooTarget)(
        args.scale, args.seed_hours, args.seed_end_ago
    )
    seeded_at = _naive(utcnow())
    info = target.info
    print(
        f"seeded in {time.perf_counter() - t0:.1f} s: {info['partners']} partners, "
        f"{info['enrollments']} enrollments, {info['lessons']} lessons "
        f"({info['completed']} completed), {info['slides_added']} content slides added; "
        f"write_dates {info['span'][0]} .. {info['span'][1]}"
    )
    if "lessons_last_300s" in info:
        print(
            f"  emulator: demo load {info['demo_load_s']:.1f} s, seed {info['seed_s']:.1f} s; "
            f"tables now {info['scp_total']} memberships, {info['ssp_total']} lessons; "
            f"membership statuses {info['statuses']}; "
            f"{info['lessons_last_300s']} lessons written in the last 300 s of the seed"
        )
    cycles: list[Cycle] = []
    waited = 0.0
    try:
        with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
            cfg = _config(target, Path(tmp), args.page_size)
            store = open_store(cfg)
            client = _client(target.url, target.db, target.user, target.password, args.page_size)
            timer = TimedTransport(client)
            sql = SqlCounter(store.engine)
            job = TimedSyncJob(JobContext(cfg, store.sessions, client), overlap_seconds=overlap)

            # the scope's ids: the same names the config gives
            channel_ids = tuple(sorted(target.courses))
            scope = Scope(channel_ids, ())
            streams = [s for s in STREAMS if s.applies(scope)]
            models = {s.model for s in streams}
            model_of = {s.name: s.model for s in streams}

            def floor_reads() -> list[tuple[str, list, dict[str, Any]]]:
                """The requests the full pass sent (it ran first): per stream model, its first
                `search_read`'s domain (without the id bound the pass adds) and keywords."""
                reads = []
                for s in streams:
                    first = timer.first.get(f"{s.model}.search_read")
                    if first is None:
                        continue
                    domain = list(first[0][0])
                    while domain and isinstance(domain[-1], list | tuple) and domain[-1][0] == "id":
                        domain.pop()
                    reads.append((s.model, domain, dict(first[1])))
                return reads

            def floor(label: str) -> Phase:
                target.reset_calls()
                with measured(label) as ph:
                    calls, rows = floor_read(
                        target.url, target.db, target.user, target.password, floor_reads()
                    )
                ph.extra = {"calls": calls, "rows": rows, "server": target.server_calls()}
                return ph

            def cycle(label: str) -> Cycle:
                polled = _polled(store.sessions)
                bounds = {
                    name: (at - timedelta(seconds=overlap)).replace(microsecond=0)
                    for name, at in polled.items()
                }
                stamped = target.stamped(
                    {model_of[n]: b for n, b in bounds.items() if n in model_of}
                )
                target.reset_calls()
                timer.reset()
                before = client.stats.calls
                with measured(label) as ph:
                    ctx = JobContext(cfg, store.sessions, client)
                    result = SyncJob(ctx, overlap_seconds=overlap).run()
                ph.extra = {"server": target.server_calls(), "rpc_wait": timer.seconds}
                expected = None
                if stamped:
                    expected = {n: stamped[m]["since"] for n, m in model_of.items() if m in stamped}
                c = Cycle(
                    label,
                    ph,
                    result,
                    client.stats.calls - before,
                    timer.total("search_read", models),
                    timer.total("read", models),
                    {n: b.strftime(ODOO_DT) for n, b in bounds.items()},
                    expected,
                    timer.total("authenticate")[2],
                )
                cycles.append(c)
                return c

            sql.reset()
            timer.reset()
            profiler = cProfile.Profile() if args.profile else None
            by_before = dict(client.stats.by_method)
            with measured("full sync") as full:
                if profiler:
                    profiler.enable()
                summary = job.run(full=True)
                if profiler:
                    profiler.disable()
            full.extra = {
                "calls": client.stats.calls,
                "by_method": {
                    k: v - by_before.get(k, 0)
                    for k, v in client.stats.by_method.items()
                    if v - by_before.get(k, 0)
                },
                "server": target.server_calls(),
                "rpc_wait": timer.seconds,
                "listed": timer.total("search_read", models),
                "content": timer.total("read", models),
                "partners": timer.total("read", {"res.partner"}),
                "sql": sql.snapshot(),
                "compiled_cache": len(getattr(store.engine, "_compiled_cache", None) or ()),
                "recompute": job.recompute_seconds,
                "recompute_rpc": job.partner_info_seconds,
            }
            if not args.full_only:
                cycle("(a) no change, right after the full sync")
            for model, domain, kwargs in floor_reads():
                print(f"floor replays {model}: domain {domain}, keywords {kwargs}")
            floor1 = floor("floor 1")
            floor2 = floor("floor 2")
            if not args.full_only:
                # Steady state: the pass *before* the measured one must start more than the
                # overlap after Odoo's last write, or the measured pass still re-reads its rows.
                stamps = target.stamped({}) or {}
                lasts = [v["last"] for v in stamps.values() if v.get("last")]
                last_write = max(lasts) if lasts else seeded_at
                ready = last_write + timedelta(seconds=overlap + 2)
                now = _naive(utcnow())
                if now < ready:
                    waited = (ready - now).total_seconds()
                    print(f"waiting {waited:.0f} s for the last write to age past the overlap")
                    time.sleep(waited)
                cycle("(a2) no change, > overlap after the last write")
                steady = cycle("(b) no change, steady state (after a2)")
                steady.phase.extra["last_write"] = last_write.strftime(ODOO_DT)
                changed, change_s = target.change(args.change)
                cycle(f"(c) {args.change:.0%} of lessons changed")
                cycle("(d) no change, next pass after (c)")
            store.close()
            client.close()

        best = min(floor1, floor2, key=lambda p: p.seconds)
        tot = summary.total
        print()
        print(
            f"{'phase':46} {'wall s':>8} {'cpu s':>7} {'calls':>6} {'listed':>8} {'read':>8} "
            f"{'peak+ MB':>9}"
        )

        def line(ph: Phase, calls: int, listed: int | str, read: int) -> None:
            print(
                f"{ph.name:46} {ph.seconds:8.2f} {ph.cpu:7.2f} {calls:6d} {listed!s:>8} "
                f"{read:8d} {ph.growth_mb:9.1f}"
            )

        line(full, full.extra["calls"], tot.read, full.extra["content"][1])
        line(floor1, floor1.extra["calls"], "-", floor1.extra["rows"])
        line(floor2, floor2.extra["calls"], "-", floor2.extra["rows"])
        for c in cycles:
            line(c.phase, c.calls, c.summary.total.read, c.content[1])
        ratio = full.seconds / best.seconds
        # A full pass reads content in its listing (search_read of the fields, by id): its rows
        # are those listed; `read` calls are an incremental pass's.
        rows = full.extra["content"][1] or tot.read
        rpc = full.extra["rpc_wait"]
        local = full.seconds - rpc
        print()
        print(
            f"full sync / floor (faster of the two) = {full.seconds:.2f} / {best.seconds:.2f} "
            f"= {ratio:.2f}x   (local overhead only; the targets are against the bare reads: "
            "bench/sync_anchors.py)"
        )
        print(
            f"full sync: listed {tot.read}, read {rows}, created {tot.created}, updated "
            f"{tot.updated}; students created {summary.recomputed.students_created} for "
            f"{summary.recomputed.partners} partners; waiting on RPC {rpc:.2f} s, "
            f"local work {local:.2f} s = {1e6 * local / max(1, rows):.0f} us per row read"
        )
        lc, lr, ls = full.extra["listed"]
        cc, cr, cs = full.extra["content"]
        pc, pr, ps = full.extra["partners"]
        streams_s = full.seconds - full.extra["recompute"]
        streams_rpc = ls + cs
        rec_local = full.extra["recompute"] - ps
        print(
            f"  RPC: listing {lc} calls / {lr} rows / {ls:.2f} s; content read {cc} calls / "
            f"{cr} rows / {cs:.2f} s; partner names {pc} calls / {pr} rows / {ps:.2f} s"
        )
        streams_local = streams_s - streams_rpc
        per_partner = 1e3 * rec_local / max(1, summary.recomputed.partners)
        print(
            f"  split: scope + streams {streams_s:.2f} s (RPC {streams_rpc:.2f} s, local "
            f"{streams_local:.2f} s = {1e6 * streams_local / max(1, rows):.0f} us/row); "
            f"recompute {full.extra['recompute']:.2f} s (partner reads {ps:.2f} s, "
            f"local {rec_local:.2f} s = {per_partner:.2f} ms/partner)"
        )
        real_floor = rows / ODOO17_CONTENT_ROWS_S + lr / ODOO17_LISTING_ROWS_S
        print(
            f"  estimate on a real Odoo 17 (docs/odoo-notes.md §20: ~{ODOO17_CONTENT_ROWS_S} "
            f"rows/s content, ~{ODOO17_LISTING_ROWS_S} rows/s (id, write_date), XML-RPC load=''): "
            f"floor ~{real_floor:.1f} s, sync ~{real_floor:.1f} + {local:.1f} s local = "
            f"{(real_floor + local) / real_floor:.1f}x (not measured)"
        )
        statements = full.extra["sql"]
        print(
            f"  store: {sum(statements.values())} SQL statements "
            f"({_fmt_calls(dict(Counter(statements).most_common(6)))}); "
            f"SQLAlchemy compiled-statement cache holds {full.extra['compiled_cache']} entries"
        )
        print(f"  client calls by method: {_fmt_calls(full.extra['by_method'])}")
        if full.extra["server"]:
            n, by = full.extra["server"]
            print(f"  server saw {n} calls: {_fmt_calls(by)}")
        print(
            f"  RSS: baseline {full.rss_before_mb:.0f} MB, peak {full.peak_mb:.0f} MB "
            f"(+{full.growth_mb:.1f} MB); floor peak +{best.growth_mb:.1f} MB"
            + (
                f"; Python allocations peak +{full.py_peak_mb:.1f} MB (tracemalloc)"
                if full.py_peak_mb is not None
                else ""
            )
        )
        if waited:
            print(f"waited {waited:.0f} s before (a2) so that its pass starts > overlap after")
        for c in cycles:
            t = c.summary.total
            server = f"; server saw {c.phase.extra['server'][0]}" if c.phase.extra["server"] else ""
            per_model = len(c.summary.streams)
            print(
                f"{c.label}: {c.calls} calls for {per_model} models (per stream: "
                f"{_stream_calls(c.summary)}){server}; listed {t.read} in {c.listed[0]} calls, "
                f"read by content {c.content[1]} in {c.content[0]} calls; created {t.created}, "
                f"updated {t.updated}, unchanged {t.unchanged}; recomputed "
                f"{c.summary.recomputed.partners} partners; {c.phase.seconds:.2f} s "
                f"(RPC {c.phase.extra['rpc_wait']:.2f} s, of which login "
                f"{1e3 * c.login:.1f} ms)"
            )
            windows = ", ".join(f"{n} >= {w}" for n, w in sorted(c.windows.items()))
            expect = (
                "; Odoo holds "
                + ", ".join(f"{n} {v}" for n, v in sorted(c.expected.items()))
                + " rows stamped in it"
                if c.expected
                else ""
            )
            print(f"    re-read window: {windows}{expect}")
            if c.phase.extra["server"]:
                print(f"    server saw: {_fmt_calls(c.phase.extra['server'][1])}")
            if "last_write" in c.phase.extra:
                print(f"    Odoo's last write before it: {c.phase.extra['last_write']}")
        if not args.full_only:
            print(f"changed {changed} lesson rows through the {target.name} in {change_s:.1f} s")
        if profiler:
            dump = Path(tempfile.gettempdir()) / "sync_bench_full_sync.prof"
            profiler.dump_stats(dump)
            print(f"profile of the full sync written to {dump}")
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(r"(jobs|connectors|sidecar)/", 25)
            stats.sort_stats("tottime").print_stats(15)
            print(out.getvalue())
    finally:
        target.close(args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())

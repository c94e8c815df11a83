"""The fault matrix: cells of (fault, store), each run on a freshly seeded emulator and store,
healed, and counted: lost = expected Odoo effects missing, doubled = effects present more than
once, from the emulator's own records.

`python -m tests.faults` prints the table (`--quick` for the subset `./dev test` runs);
`tests/faults/test_matrix.py` runs the same cells under pytest."""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults import cells, cells_store, census
from tests.faults.running import Stage, heal
from tests.faults.world import Size, postgres_available, world

STORES = ("sqlite", "postgresql")
Place = Callable[[Path], AbstractContextManager[Path]]


@contextmanager
def plain(folder: Path) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


@dataclass(frozen=True)
class Cell:
    fault: str
    store: str
    driver: cells.Driver
    scale: int  # kills, outages, rounds, or seconds × 3 of a fault rate
    quick: bool = False
    place: Place = plain  # where the store and the certificates live

    @property
    def id(self) -> str:
        return f"{self.fault}@{self.store}"


@dataclass
class Result:
    cell: str
    base: int  # the run's seed; the cell's own is `seed_for(base, cell)`
    trials: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    recovered: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.skipped is not None or not (self.lost or self.doubled or self.problems)

    def reproduce(self) -> str:
        return f".venv/bin/python -m tests.faults --cell '{self.cell}' --seed {self.base}"

    def explain(self) -> str:
        lines = [f"{self.cell}: lost {len(self.lost)}, doubled {len(self.doubled)}"]
        lines += [f"  lost: {x}" for x in self.lost[:20]]
        lines += [f"  doubled: {x}" for x in self.doubled[:20]]
        lines += [f"  problem: {x}" for x in self.problems]
        lines += [f"  note: {x}" for x in self.notes]
        lines.append(f"  reproduce: {self.reproduce()}")
        return "\n".join(lines)


def all_cells() -> list[Cell]:
    found: list[Cell] = []
    for store in STORES:
        on_sqlite = store == "sqlite"
        found.append(Cell("kill9-random", store, cells.kill9_random, 4, quick=on_sqlite))
        found += [
            Cell(f"kill9-in-{job}", store, cells.kill9_in(job, slow), 3)
            for job, slow in cells.JOBS.items()
        ]
        found.append(Cell("kill9-in-deliver", store, cells.kill9_in_deliver, 3))
        found.append(Cell("kill9-mid-write", store, cells.kill9_mid_write, 4))
        found += [
            Cell("odoo-down", store, cells.odoo_down, 3),
            Cell("odoo-5xx", store, cells.odoo_rules(cells.FIVE_XX, 2.5), 3),
            Cell("odoo-dropped", store, cells.odoo_rules(cells.DROPPED, 2.5), 3, quick=on_sqlite),
            Cell("odoo-slow", store, cells.odoo_rules(cells.SLOW, 2.5), 3),
            Cell("manual-commands", store, cells_store.manual_commands, 2, quick=on_sqlite),
            Cell("commands-at-first-start", store, cells_store.commands_at_first_start, 2),
        ]
    found += [
        Cell("pg-backend-kills", "postgresql", cells_store.pg_backend_kills, 3, quick=True),
        Cell("two-replicas", "postgresql", cells_store.two_replicas, 5),
        Cell("disk-full", "sqlite", cells_store.disk_full, 2, place=cells_store.tmpfs),
        Cell("odoo-hang-past-backoff", "sqlite", cells.odoo_hang_past_backoff, 1),
    ]
    return found


def quick_cells() -> list[Cell]:
    return [c for c in all_cells() if c.quick]


def cell(cell_id: str) -> Cell:
    return next(c for c in all_cells() if c.id == cell_id)


def seed_for(base: int, cell_id: str) -> int:
    """Each cell's own seed, reproducible from the run's base seed and its name."""
    return (base ^ zlib.crc32(cell_id.encode())) & 0xFFFFFFFF


def run_cell(target: Cell, root: Path, base: int, *, quick: bool = False) -> Result:
    """Seed, fault, heal, count: one cell. In a quick run every fault is injected fewer times."""
    result = Result(target.id, base)
    if target.store == "postgresql" and not postgres_available():
        result.skipped = "needs OJT_TEST_POSTGRES_URL"
        return result
    started = time.monotonic()
    scale = max(1, (target.scale + 1) // 2) if quick else target.scale
    folder = root / target.id.replace("@", "-")
    logs = plain(folder / "logs")
    try:
        place_cm = target.place(folder)
        place = place_cm.__enter__()
    except OSError as exc:
        result.skipped = str(exc)
        return result
    try:
        with logs as log_dir, world(place / "world", target.store, Size()) as w:
            stage = Stage(w, random.Random(seed_for(base, target.id)), place, log_dir)
            try:
                try:
                    result.trials = target.driver(stage, scale)
                except Exception as exc:  # a fault that broke the harness's own wait
                    stage.problems.append(f"{type(exc).__name__}: {exc}")
                result.recovered = heal(stage)
            finally:
                stage.cleanup()
            counted = census.take(w.emu, w.expected, w.store_url)
            result.lost, result.doubled = counted.lost, counted.doubled
            result.problems, result.notes = stage.problems, stage.notes
    finally:
        place_cm.__exit__(None, None, None)
    result.seconds = time.monotonic() - started
    return result


HEADER = ("cell", "trials", "lost", "doubled", "healed", "seconds")


def table(results: list[Result]) -> str:
    rows = [HEADER]
    for r in results:
        if r.skipped is not None:
            rows.append((r.cell, "-", "-", "-", "skipped", r.skipped))
            continue
        healed = "yes" if r.recovered else "NO"
        verdict = "" if r.ok else "  FAIL"
        rows.append(
            (
                r.cell,
                str(r.trials),
                str(len(r.lost)),
                str(len(r.doubled)),
                healed,
                f"{r.seconds:.0f}{verdict}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(value.ljust(w) for value, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )

"""`python -m tests.faults [--quick] [--cell ID]... [--seed N] [--jobs N]`: run the fault matrix
and print, per cell, the faults injected and what was lost or doubled; exit 1 if any cell
lost or doubled anything, or did not heal."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stderr
from pathlib import Path

from tests.faults.matrix import Result, all_cells, cell, quick_cells, run_cell, table


def _one(cell_id: str, root: str, base: int, quick: bool) -> Result:
    # The emulator prints a traceback for each connection a killed client reset: keep the
    # table readable and those in the cell's folder.
    Path(root).mkdir(parents=True, exist_ok=True)
    with open(Path(root) / f"{cell_id.replace('@', '-')}.stderr", "w") as err, redirect_stderr(err):
        return run_cell(cell(cell_id), Path(root), base, quick=quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the subset ./dev test runs")
    parser.add_argument(
        "--cell", action="append", default=[], help="a cell id, e.g. odoo-5xx@sqlite"
    )
    parser.add_argument("--seed", type=int, help="the base seed (default: random, printed)")
    parser.add_argument("--jobs", type=int, default=2, help="cells run at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the cells' folders and logs")
    args = parser.parse_args(argv)
    chosen = [c.id for c in (quick_cells() if args.quick else all_cells())]
    if args.cell:
        chosen = [cell(name).id for name in args.cell]
    base = args.seed if args.seed is not None else random.randrange(2**31)
    root = Path(tempfile.mkdtemp(prefix="ojt-faults-"))
    print(f"fault matrix: {len(chosen)} cell(s), seed {base}, folders in {root}", flush=True)
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(_one, c, str(root), base, args.quick) for c in chosen]
        results = []
        for future in futures:
            result = future.result()
            results.append(result)
            print(f"  {result.cell}: {'ok' if result.ok else 'FAIL'}", flush=True)
    print(table(results))
    for result in results:
        if not result.ok:
            print(result.explain())
        else:
            for note in result.notes:
                print(f"{result.cell}: {note}")
    print(f"{len(results)} cell(s) in {time.monotonic() - started:.0f} s; seed {base}")
    if not args.keep and all(r.ok for r in results):
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

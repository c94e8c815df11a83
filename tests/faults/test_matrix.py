"""The fault matrix under pytest: the quick cells always, every cell when OJT_FAULT_MATRIX=full
(CI). Each cell drives real `ojt-sidecar run` processes against the emulator with a fault,
heals, and must leave every expected Odoo effect exactly once: lost = 0, doubled = 0."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.faults.matrix import Cell, all_cells, quick_cells, run_cell
from tests.faults.world import postgres_available

FULL = os.environ.get("OJT_FAULT_MATRIX") == "full"
QUICK_IDS = [c.id for c in quick_cells()]
OTHER_IDS = [c.id for c in all_cells() if c.id not in QUICK_IDS]


def check(target: Cell, tmp_path: Path, *, quick: bool) -> None:
    if target.store == "postgresql" and not postgres_available():
        pytest.skip("needs PostgreSQL: set OJT_TEST_POSTGRES_URL")
    base = int(os.environ.get("OJT_FAULT_SEED") or random.randrange(2**31))
    print(f"{target.id}: seed {base}")  # shown with the failure, to reproduce it
    result = run_cell(target, tmp_path, base, quick=quick)
    if result.skipped is not None:
        pytest.skip(result.skipped)
    assert result.trials > 0, f"no fault was injected\n{result.explain()}"
    assert result.lost == [], result.explain()
    assert result.doubled == [], result.explain()
    assert result.problems == [], result.explain()
    assert result.recovered, result.explain()


@pytest.mark.parametrize("cell_id", QUICK_IDS)
def test_quick_cell_loses_and_doubles_nothing(cell_id: str, tmp_path: Path) -> None:
    """In the full matrix these cells run at full scale instead."""
    target = next(c for c in quick_cells() if c.id == cell_id)
    check(target, tmp_path, quick=not FULL)


@pytest.mark.skipif(not FULL, reason="the full fault matrix runs with OJT_FAULT_MATRIX=full")
@pytest.mark.parametrize("cell_id", OTHER_IDS)
def test_cell_loses_and_doubles_nothing(cell_id: str, tmp_path: Path) -> None:
    target = next(c for c in all_cells() if c.id == cell_id)
    check(target, tmp_path, quick=False)

"""The cockpit's fixtures: `world` (tests/cockpit/world.py) on an emulated Odoo 17."""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from tests.cockpit.world import World, build, world_config
from tests.jobs.conftest import store  # noqa: F401 (its store fixture, on this `cfg`)


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return world_config(tmp_path, emu)


@pytest.fixture
def world(tmp_path: Path, emu: OdooEmulator, store: Store, cfg: Config) -> World:  # noqa: F811
    return build(tmp_path, emu, store, cfg)

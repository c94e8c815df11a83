"""The cockpit's fixtures: `world` (tests/cockpit/world.py) on an emulated Odoo 17."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from tests.cockpit.world import World, build, world_config
from tests.stores import open_migrated


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return world_config(tmp_path, emu)


@pytest.fixture
def store(cfg: Config) -> Iterator[Store]:
    opened = open_migrated(cfg)
    yield opened
    opened.close()


@pytest.fixture
def world(tmp_path: Path, emu: OdooEmulator, store: Store, cfg: Config) -> World:
    return build(tmp_path, emu, store, cfg)

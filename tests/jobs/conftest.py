"""Fixtures the job tests share; each module defines its own `cfg` (its programs), and may
define `version` (the emulated Odoo version of tests/conftest.py's `emu`) or its own `emu`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors import OdooClient
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from tests.jobs.syncing import client_for
from tests.stores import open_migrated


@pytest.fixture
def store(cfg: Config) -> Iterator[Store]:
    opened = open_migrated(cfg)
    yield opened
    opened.close()


@pytest.fixture
def odoo(emu: OdooEmulator) -> Iterator[OdooClient]:
    with client_for(emu) as client:
        yield client

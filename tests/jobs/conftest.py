"""Fixtures the job tests share; each module defines its own `cfg` (its programs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors import OdooClient
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from tests.jobs.syncing import client_for


@pytest.fixture
def store(cfg: Config) -> Iterator[Store]:
    opened = open_store(cfg)
    yield opened
    opened.close()


@pytest.fixture
def odoo(emu: OdooEmulator) -> Iterator[OdooClient]:
    with client_for(emu) as client:
        yield client

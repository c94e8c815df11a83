"""The API's fixtures: `api`, a client over the cockpit's world (tests/cockpit/conftest.py)
with the rows of tests/cockpit/api/data.py added."""

from __future__ import annotations

import pytest

from tests.cockpit.api.data import Api, enrich
from tests.cockpit.world import World


@pytest.fixture
def api(world: World) -> Api:
    enrich(world)
    return Api(world)

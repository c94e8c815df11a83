"""The browser tests' fixtures: the cockpit's test world (tests/cockpit/world.py) served by
waitress on 127.0.0.1, the tools (Debian's Chromium, chromedriver, axe-core) and where the
screenshots go (OJT_SCREENSHOTS, by default a folder in the temporary directory).

Without the tools the tests skip, saying what is missing; with OJT_BROWSER_TESTS=required (as
.ci/run sets) they fail instead."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from jobs.service.web import ThreadedServer
from tests.browser.chrome import REQUIRED_ENV, Tools, find_tools
from tests.cockpit.conftest import cfg, world  # noqa: F401 (the cockpit's world, on `emu`)
from tests.cockpit.world import World
from tests.jobs.conftest import store  # noqa: F401 (its store fixture, on this `cfg`)

SCREENSHOTS_ENV = "OJT_SCREENSHOTS"
_STARTED = time.time()


def screenshots_dir() -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / "ojt-cockpit-screenshots"


@pytest.fixture(scope="session")
def tools() -> Tools:
    found = find_tools()
    if isinstance(found, str):
        if os.environ.get(REQUIRED_ENV) == "required":
            pytest.fail(f"{found} ({REQUIRED_ENV}=required)")
        pytest.skip(found)
    return found


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def served(app: Flask, what: str) -> Iterator[str]:
    """`app` over real HTTP, by waitress: its base URL, http://127.0.0.1:<free port>."""
    from waitress import create_server

    server = ThreadedServer(
        lambda: create_server(app, host="127.0.0.1", port=0, threads=4),
        host="127.0.0.1",
        port=0,
        what=what,
        in_use_hint="port 0 is never in use",
    )
    server.start()
    host, port = server.addresses[0]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.close()


@pytest.fixture
def site(tools: Tools, world: World) -> Iterator[str]:  # noqa: F811
    """The world's cockpit over real HTTP."""
    with served(world.app, "cockpit under test") as base:
        yield base


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where this run's screenshots are (when run in this process: `pytest tests/browser`)."""
    folder = screenshots_dir()
    made = [p for p in folder.glob("*.png") if p.stat().st_mtime >= _STARTED]
    if made:
        terminalreporter.write_line(f"cockpit screenshots: {len(made)} PNG in {folder}")

"""`ojt-sidecar serve`: one line saying where it serves, whatever the log level, and one plain
sentence naming the address when it cannot listen there."""

from __future__ import annotations

import errno
import logging
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from sidecar.cli import main
from sidecar.config import load_config
from tests.config.samples import MINIMAL
from verify_site.serve import THREADS, CannotListen, make_server, make_wsgi_app, serve

# The CLI as a user runs it, in a process of its own (`serve` blocks until Ctrl-C).
CLI = [sys.executable, "-c", "import sys; from sidecar.cli import run; sys.exit(run())"]


def write_config(tmp_path: Path, store_url: str, port: int) -> Path:
    data = {
        **MINIMAL,
        "store": {"url": store_url},
        "verify_site": {"host": "127.0.0.1", "port": port},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@contextmanager
def serving(config: Path, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`ojt-sidecar serve` in a process of its own, killed at the end if it is still running."""
    process = subprocess.Popen(
        [*CLI, "serve", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_taken_port_is_one_sentence_with_the_address_and_exit_1(
    tmp_path: Path, store_url: str, engine: Engine, taken_port: int
) -> None:
    config = write_config(tmp_path, store_url, taken_port)
    result = CliRunner().invoke(main, ["serve", "-c", str(config)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{taken_port}: the address is already in use "
        "(another ojt-sidecar serve or run?)\n"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_serve_raises_cannot_listen_with_the_original_errno(
    tmp_path: Path, store_url: str, engine: Engine, taken_port: int
) -> None:
    cfg = load_config(write_config(tmp_path, store_url, 8080))
    said: list[str] = []
    with pytest.raises(CannotListen) as caught:
        serve(cfg, host="127.0.0.1", port=taken_port, say=said.append)
    assert caught.value.errno == errno.EADDRINUSE
    assert caught.value.strerror is not None
    assert caught.value.strerror.startswith(f"cannot listen on 127.0.0.1:{taken_port}: ")
    assert said == []  # never claims to serve


def test_a_host_that_does_not_resolve_is_one_sentence(
    tmp_path: Path, store_url: str, engine: Engine
) -> None:
    config = write_config(tmp_path, store_url, free_port())
    result = CliRunner().invoke(
        main, ["serve", "-c", str(config), "--host", "no-such-host.invalid"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot listen on no-such-host.invalid:")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_says_where_it_serves_without_v_and_stops_on_ctrl_c_or_sigterm(
    tmp_path: Path, store_url: str, engine: Engine, stop: signal.Signals
) -> None:
    """SIGTERM is what systemd and container runtimes send: the acceptance run found `serve`
    killed by it (exit 143) instead of stopping cleanly."""
    port = free_port()
    config = write_config(tmp_path, store_url, port)
    with serving(config, tmp_path) as process:
        assert process.stderr is not None
        first = process.stderr.readline()  # printed before serving, so this cannot hang
        assert first == (
            f"verify site: serving on http://127.0.0.1:{port}/ (Ctrl-C or SIGTERM stops)\n"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out == ""
    assert err == "verify site: stopped\n"


def test_waitress_warns_of_a_backlog_as_deep_as_its_workers_not_of_one_request_at_start_up(
    tmp_path: Path, store_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """CI saw "Task queue depth is 1" after one request to a just-started site: waitress counts
    a worker that has not yet begun waiting as busy."""
    config = load_config(write_config(tmp_path, store_url, free_port()))
    app = make_wsgi_app(config)
    server = make_server(app, config, port=0)
    try:
        queue_log = logging.getLogger("waitress.queue")
        with caplog.at_level(logging.WARNING, logger="waitress.queue"):
            queue_log.warning("Task queue depth is %d", 1)
            queue_log.warning("Task queue depth is %d", THREADS - 1)
            queue_log.warning("Task queue depth is %d", THREADS)
    finally:
        server.close()
        app.extensions["verify_site"].register.close()
    assert [r.getMessage() for r in caplog.records] == [f"Task queue depth is {THREADS}"]


def test_one_core_keeps_the_serving_process_on_one_of_its_cores(
    tmp_path: Path, store_url: str, engine: Engine
) -> None:
    """`verify_site.one_core`: the process says which core it keeps to, and keeps to it."""
    import os

    port = free_port()
    config = write_config(tmp_path, store_url, port)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["verify_site"]["one_core"] = True
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    allowed = sorted(os.sched_getaffinity(0))
    with serving(config, tmp_path) as process:
        assert process.stderr is not None
        assert process.stderr.readline().startswith("verify site: serving on ")
        kept = process.stderr.readline()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        # Every thread of it, waitress's workers started before it was told included.
        threads = os.listdir(f"/proc/{process.pid}/task")
        each = {tuple(sorted(os.sched_getaffinity(int(t)))) for t in threads}
        now = sorted(os.sched_getaffinity(process.pid))
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    if len(allowed) > 1:
        assert kept == f"verify site: kept on core {now[0]} (verify_site.one_core)\n"
        assert len(now) == 1 and now[0] in allowed
        assert len(threads) > 8 and each == {tuple(now)}  # waitress runs 8 workers
    else:
        assert "kept where it is" in kept and now == allowed
    assert process.returncode == 0

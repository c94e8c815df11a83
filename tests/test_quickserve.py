"""sidecar/quickserve.py over real sockets: quick requests on waitress's loop thread, the rest on
its workers, in order per connection, and a loop that a slow request or a client that does not
read cannot hold up."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
from waitress import create_server, wasyncore

from sidecar import quickserve

BIG = b"x" * (512 * 1024)


class App:
    """Answers with the path and the name of the thread that served it; `/slow` waits for
    `release`, `/big` answers 512 KiB."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.slow_started = threading.Event()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/slow":
            self.slow_started.set()
            self.release.wait(10)
        body = BIG if path == "/big" else f"{path} {threading.current_thread().name}".encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]


def quick_paths(request: Any) -> bool:
    return str(request.path).startswith(("/quick", "/big"))


@contextmanager
def served(
    app: Any, quick: quickserve.Quick = quick_paths, together: quickserve.Together | None = None
) -> Iterator[int]:
    """`app` on a free port, its loop run by `quickserve.loop` on a thread named "the-loop"."""
    each = together or (lambda requests: nullcontext())
    dispatcher = quickserve.QuickFirst(quick, threads=2, together=each)
    server = create_server(app, host="127.0.0.1", port=0, _dispatcher=dispatcher)
    stop = threading.Event()
    loop = threading.Thread(
        target=quickserve.loop, args=(server,), kwargs={"until": stop.is_set}, name="the-loop"
    )
    loop.start()
    try:
        yield int(server.effective_port)
    finally:
        if isinstance(app, App):
            app.release.set()
        stop.set()
        loop.join(5)
        server.task_dispatcher.shutdown()
        server.close()


def ask(port: int, *paths: str, timeout: float = 10) -> list[bytes]:
    """Send every request on one connection at once (pipelined); the bodies, in order."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths))
        reader = sock.makefile("rb")
        bodies = []
        for _ in paths:
            status = reader.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            bodies.append(reader.read(length))
        return bodies


def test_quick_requests_are_answered_on_the_loop_thread_and_the_rest_by_workers() -> None:
    with served(App()) as port:
        quick, other = ask(port, "/quick"), ask(port, "/other")
    assert quick == [b"/quick the-loop"]
    assert other[0].startswith(b"/other waitress-")


def test_a_slow_request_on_a_worker_does_not_hold_up_the_quick_ones() -> None:
    app = App()
    with served(app) as port:
        slow: list[bytes] = []
        waiting = threading.Thread(target=lambda: slow.extend(ask(port, "/slow")))
        waiting.start()
        assert app.slow_started.wait(10)
        quick = ask(port, "/quick", timeout=5)  # answered while /slow still waits
        assert not slow
        app.release.set()
        waiting.join(10)
    assert quick == [b"/quick the-loop"]
    assert slow and slow[0].startswith(b"/slow waitress-")


def test_pipelined_requests_are_answered_in_order_across_the_loop_and_the_workers() -> None:
    app = App()
    app.release.set()  # /slow only takes a worker
    with served(app) as port:
        bodies = ask(port, "/quick-1", "/slow", "/quick-2", "/other", "/quick-3")
    assert [body.split()[0] for body in bodies] == [
        b"/quick-1",
        b"/slow",
        b"/quick-2",
        b"/other",
        b"/quick-3",
    ]
    assert bodies[0].endswith(b"the-loop") and bodies[2].endswith(b"the-loop")
    assert bodies[1].split()[1].startswith(b"waitress-")


def test_a_client_that_does_not_read_is_left_to_a_worker_and_the_loop_goes_on() -> None:
    """waitress makes a thread wait while a connection's unsent answers are over 16 MiB; on the
    loop that wait would stop the whole server. 100 pipelined 512 KiB answers, never read."""
    with served(App()) as port:
        hog = socket.create_connection(("127.0.0.1", port))
        try:
            hog.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" * 100)
            time.sleep(0.5)  # the loop serves what it can of them, then the pool takes over
            started = time.monotonic()
            assert ask(port, "/quick", timeout=5) == [b"/quick the-loop"]
            assert time.monotonic() - started < 5
        finally:
            hog.close()


def test_a_predicate_that_fails_leaves_the_request_to_a_worker(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(request: Any) -> bool:
        raise RuntimeError("cannot tell")

    with caplog.at_level(logging.ERROR, logger="waitress"), served(App(), broken) as port:
        bodies = ask(port, "/quick")
    assert bodies[0].startswith(b"/quick waitress-")
    assert "could not tell whether a request is quick" in caplog.text


def test_under_waitress_own_run_every_request_goes_to_the_workers() -> None:
    """Nothing serves the ready queue without `loop`: a dispatcher left to `server.run()` must
    not queue anything there."""
    app = App()
    server = create_server(
        app, host="127.0.0.1", port=0, _dispatcher=quickserve.QuickFirst(quick_paths, threads=1)
    )
    stop = threading.Event()

    def waitress_loop() -> None:  # what `server.run()` does, but stoppable
        while not stop.is_set():
            wasyncore.loop(timeout=0.1, map=server._map, count=1)

    thread = threading.Thread(target=waitress_loop)
    thread.start()
    try:
        bodies = ask(int(server.effective_port), "/quick", timeout=5)
    finally:
        stop.set()
        thread.join(5)
        server.task_dispatcher.shutdown()
        server.close()
    assert bodies[0].startswith(b"/quick waitress-")


def test_each_round_is_served_inside_together_given_all_its_requests() -> None:
    """`together` sees a round's requests before the first is served (the site reads their
    statuses at once there); every quick request is served inside the round that listed it."""
    rounds: list[list[str]] = []
    current: list[str] = []

    @contextmanager
    def together(requests: list[Any]) -> Iterator[None]:
        current[:] = [str(r.path) for r in requests]
        rounds.append(list(current))
        try:
            yield
        finally:
            current.clear()

    served_in: list[tuple[str, list[str]]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        served_in.append((environ["PATH_INFO"], list(current)))
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    with served(app, together=together) as port:
        askers = [
            threading.Thread(target=ask, args=(port, f"/quick-{n}", "/other")) for n in range(8)
        ]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join(10)
    quick = [(path, inside) for path, inside in served_in if path.startswith("/quick")]
    assert sorted(path for path, _ in quick) == [f"/quick-{n}" for n in range(8)]
    assert all(path in inside for path, inside in quick)
    assert sum(len(r) for r in rounds) == 8


def test_a_round_that_cannot_be_prepared_is_served_all_the_same(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(requests: list[Any]) -> Any:
        raise RuntimeError("no round today")

    with caplog.at_level(logging.ERROR, logger="waitress"), served(App(), together=broken) as port:
        bodies = ask(port, "/quick", timeout=5)
    assert bodies == [b"/quick the-loop"]
    assert "could not prepare a round of quick requests" in caplog.text

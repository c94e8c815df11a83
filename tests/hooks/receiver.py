"""A stand-in webhook receiver for the emulator's tests: records each POST, and what a second
connection read at that moment (as the recordings on real Odoo did)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Arrival:
    path: str
    body: dict[str, Any]
    at: float
    seen: Any = None  # what `look(body)` answered on arrival


@contextmanager
def receiver(
    look: Callable[[dict[str, Any]], Any] | None = None, delay: float = 0.0, status: int = 200
) -> Iterator[tuple[str, list[Arrival]]]:
    """(base URL, arrivals) of a receiver on a free port; `delay` before answering."""
    arrivals: list[Arrival] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length))
            arrival = Arrival(self.path, body, time.monotonic())
            if look is not None:
                arrival.seen = look(body)
            arrivals.append(arrival)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:
                pass  # the sender gave up (its 1 s timeout)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", arrivals
    finally:
        server.shutdown()
        server.server_close()

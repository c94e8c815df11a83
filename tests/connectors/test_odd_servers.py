"""Servers that answer 200 with something that is not Odoo: a clear protocol error, never a
stray exception from xmlrpc.client, json or odoorpc."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors import OdooClient, OdooProtocolError, OdooSettings, RetryPolicy

ANSWERS = {
    "xhtml": ("text/html", b'<?xml version="1.0"?><html><body>Maintenance</body></html>'),
    "json-no-result": ("application/json", b'{"jsonrpc": "2.0", "id": 1}'),
    "json-list": ("application/json", b"[1, 2]"),
    "json-bad-error": ("application/json", b'{"error": "nope"}'),
    "not-json": ("text/plain", b"hello"),
}


def serve(body: tuple[str, bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", body[0])
            self.send_header("Content-Length", str(len(body[1])))
            self.end_headers()
            self.wfile.write(body[1])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=sorted(ANSWERS))
def odd_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from serve(ANSWERS[request.param])


@pytest.mark.parametrize("transport", ["xmlrpc", "jsonrpc"])
def test_a_non_odoo_answer_is_a_protocol_error(odd_url: str, transport: str) -> None:
    settings = OdooSettings(
        url=odd_url,
        database="ojt",
        username="admin",
        secret="admin",
        transport=transport,
        retry=RetryPolicy(max_attempts=1),
    )
    with OdooClient(settings) as client, pytest.raises(OdooProtocolError):
        client.version()

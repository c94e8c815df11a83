"""The public site fuzzed (issue 14 item 7): whatever path, query, method, headers and Host a
visitor sends, the answer is below 500, carries the security headers, never echoes the input
as markup, and never redirects elsewhere. In bulk through Flask's test client, and a smaller
batch as raw bytes through real waitress, whose own error pages are part of the site.

Case counts: each test records `fuzz_cases` (conftest prints the total at the end of the run).
Quick profile (default): 3 × max_examples through the test client and 1 × through waitress per
layout; HYPOTHESIS_PROFILE=thorough raises max_examples (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from sidecar.config import load_config
from tests.verify_site.conftest import AddCert, MakeApp, serving
from tests.verify_site.test_serve import write_config
from verify_site.security import HEADERS

MARKERS = ("<script>zq</script>", '"><img src=x onerror=zq>', "<b>zq</b>", "javascript:zq")
BLOCKED = (b"<script", b"onerror=", b"<b>zq", b"<img")  # never in any answer of this site
INJECTED = ("x-injected", "set-cookie")  # header names a CRLF in the input tries to add
CRLF = ("\r\nX-Injected: zq", "%0d%0aX-Injected:%20zq", "\r\nSet-Cookie: zq=1", "\n", "\r")
ROUTES = ("/", "/c/", "/healthz", "/static/site.css", "/.well-known/ojt-sidecar/keys.json")
WEIRD_PATHS = ("//", "/c//", "//c//", "/\\", "/%2e%2e/", "/c/..%2f", "/./", "/static/../")


def fuzz_settings(factor: int) -> settings:
    """The active profile's settings (tests/conftest.py) with `factor` × its max_examples."""
    profile = settings.default
    assert profile is not None
    return settings(
        profile,
        max_examples=factor * profile.max_examples,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=max_size)


def _junk() -> st.SearchStrategy[str]:
    """A value as a hostile visitor would write it: markers, CRLF, unicode, huge, percent-codes."""
    huge = st.integers(1_000, 20_000).map(lambda n: "A" * n)
    percent = st.lists(st.integers(0, 255).map(lambda b: f"%{b:02X}"), max_size=8).map("".join)
    parts = st.one_of(st.sampled_from(MARKERS + CRLF), _text(), percent, huge)
    return st.lists(parts, min_size=1, max_size=4).map("".join)


def _serial_like(serial: str) -> st.SearchStrategy[str]:
    variants = (serial, serial.lower(), serial.replace("-", ""), serial + ".json", serial + ".pdf")
    return st.sampled_from(variants)


def _paths(serial: str) -> st.SearchStrategy[str]:
    segment = st.one_of(_junk(), _serial_like(serial), st.sampled_from(("c", "static", "..")))
    tail = st.lists(segment, max_size=3).map("/".join)
    head = st.sampled_from(ROUTES + WEIRD_PATHS)
    return st.tuples(head, tail).map(lambda p: p[0] + p[1])


def _hosts() -> st.SearchStrategy[str]:
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=80)
    named = st.lists(label, min_size=1, max_size=4).map(".".join)
    port = st.sampled_from(("", ":80", ":8080", ":x", ":99999"))
    specials = st.sampled_from(("", "[::1", "[::1]:80", "..", "a" * 64, "ex\u00e9mple.org"))
    return st.one_of(
        st.tuples(named, port).map("".join), specials, _junk(), _text().map(lambda t: t + ".evil")
    )


METHODS = st.one_of(
    st.sampled_from(("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12),
)
HEADER_NAMES = st.one_of(
    st.sampled_from(
        ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Accept", "Referer")
    ),
    st.sampled_from(("Cookie", "User-Agent", "Accept-Language", "If-None-Match", "Range")),
    st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
)


def _forwarded_for() -> st.SearchStrategy[str]:
    address = st.one_of(st.ip_addresses().map(str), _junk(), st.just("unknown"))
    return st.lists(address, min_size=1, max_size=5).map(", ".join)


def _requests(serial: str) -> st.SearchStrategy[dict[str, Any]]:
    query = st.dictionaries(
        st.one_of(st.just("serial"), _text(10)), st.one_of(_junk(), _serial_like(serial))
    )
    headers = st.dictionaries(HEADER_NAMES, _junk(), max_size=4)
    return st.fixed_dictionaries(
        {
            "method": METHODS,
            "path": _paths(serial),
            "query": query,
            "host": _hosts(),
            "headers": headers,
            "forwarded_for": st.one_of(st.none(), _forwarded_for()),
        }
    )


def wsgi_safe(value: str) -> str:
    """What a server hands the app for `value`'s bytes: UTF-8 read as Latin-1, one line."""
    one_line = value.replace("\r", "").replace("\n", "")
    return one_line.encode("utf-8", "surrogatepass").decode("latin-1")


def environ_parts(request: dict[str, Any]) -> tuple[str, str, str]:
    """(Host, PATH_INFO, QUERY_STRING) as waitress hands them to the app: the path
    percent-decoded, everything as Latin-1 text of the bytes sent."""
    path = unquote_to_bytes(request["path"].encode("utf-8", "surrogatepass")).decode("latin-1")
    query = "&".join(f"{k}={v}" for k, v in request["query"].items())
    return wsgi_safe(request["host"]), path, wsgi_safe(query)


def check_answer(
    status: int, headers: dict[str, str], body: bytes, host: str, sent: str, cacheable: bool
) -> None:
    """`sent`: the request's path and query, where the Host's text may legitimately recur;
    `cacheable`: a stylesheet or the public keys, which may be cached (all else is no-store)."""
    assert status < 500, (status, body[:300])
    for name, value in HEADERS.items():
        assert headers.get(name.lower()) == value, (name, status)
    assert "cache-control" in headers
    if not cacheable:
        assert headers["cache-control"] == "no-store"
    lowered = body.lower()
    for blocked in BLOCKED:
        assert blocked not in lowered, (blocked, body[:300])
    assert b"Traceback" not in body
    for name in INJECTED:
        assert name not in headers, (name, headers)
    location = headers.get("location")
    if location is not None:
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        if len(host) >= 4 and host not in sent:
            assert host not in location, (host, location)


def cacheable(path: str, status: int) -> bool:
    return status == 200 and (path.startswith("/static/") or path.startswith(ROUTES[-1]))


def record(record_property: Any, count: int) -> None:
    assert count > 0
    record_property("fuzz_cases", count)


@pytest.fixture
def serial(add_cert: AddCert) -> str:
    return str(add_cert().serial)


@pytest.mark.parametrize("trust_proxy", [0, 1])
def test_fuzz_through_the_test_client(
    make_app: MakeApp, serial: str, trust_proxy: int, record_property: Any
) -> None:
    app = make_app(rate_limit_per_minute=10**9, trust_proxy=trust_proxy)
    client = app.test_client()
    cases = [0]

    @fuzz_settings(3)
    @given(request=_requests(serial))
    def visit(request: dict[str, Any]) -> None:
        cases[0] += 1
        headers = {wsgi_safe(k): wsgi_safe(v) for k, v in request["headers"].items()}
        if request["forwarded_for"] is not None:
            headers["X-Forwarded-For"] = wsgi_safe(request["forwarded_for"])
        host, path, query = environ_parts(request)
        # The parts go into the WSGI environ as a server would put them there, since the test
        # client's own URL handling (IDNA, `//`) would refuse some before the app saw them.
        response = client.open(
            "/",
            method=request["method"],
            headers=headers,
            environ_overrides={"HTTP_HOST": host, "PATH_INFO": path, "QUERY_STRING": query},
        )
        answer = {k.lower(): v for k, v in response.headers.items()}
        static = cacheable(request["path"], response.status_code)
        check_answer(response.status_code, answer, response.get_data(), host, path + query, static)

    visit()
    record(record_property, cases[0])


# -- through waitress: raw bytes, so also what no HTTP client library would send ---------------


@pytest.fixture
def served(tmp_path: Path, store_url: str, engine: Engine, make_app: MakeApp) -> Iterator[int]:
    config = load_config(write_config(tmp_path, store_url, 8080))
    app: Flask = make_app(rate_limit_per_minute=10**9, trust_proxy=1)
    with serving(app, config) as port:
        yield port


def raw_request(request: dict[str, Any]) -> bytes:
    target = request["path"]
    if request["query"]:
        target += "?" + "&".join(f"{k}={v}" for k, v in request["query"].items())
    lines = [f"{request['method']} {target} HTTP/1.1", f"Host: {request['host']}"]
    lines += [f"{name}: {value}" for name, value in request["headers"].items()]
    if request["forwarded_for"] is not None:
        lines.append(f"X-Forwarded-For: {request['forwarded_for']}")
    lines += ["Connection: close", "", ""]
    return "\r\n".join(lines).encode("utf-8", "surrogatepass")


def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """The answer to `raw`, or None when the connection was reset before a whole status line
    came back."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # waitress may answer and close before reading a huge request to its end.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            if b"\r\n" not in received:
                return None
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_fuzz_through_waitress(served: int, serial: str, record_property: Any) -> None:
    cases = [0]

    @fuzz_settings(1)
    @given(request=_requests(serial))
    def visit(request: dict[str, Any]) -> None:
        cases[0] += 1
        answer = exchange(served, raw_request(request))
        if answer is None:
            # A header value holding CR LF makes two requests of one; waitress answers and
            # closes with the rest unread, and the kernel's reset can overtake its answer. The
            # site must still be up and answering.
            assert (
                exchange(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                is not None
            )
            return
        status, headers, body = answer
        static = cacheable(request["path"], status)
        sent = wsgi_safe(request["host"]), wsgi_safe(request["path"] + str(request["query"]))
        check_answer(status, headers, body, *sent, static)

    visit()
    record(record_property, cases[0])

"""Whatever Host, path or forwarding headers a request carries: a plain non-5xx answer with the
security headers, redirects that stay on this site, and the client address only from proxies
the operator trusts (`verify_site.trust_proxy`)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client
from werkzeug.wrappers import Response as BaseResponse

from sidecar.config import load_config
from tests.config.samples import MINIMAL
from tests.verify_site.conftest import AddCert, MakeApp
from tests.verify_site.test_hostile import assert_plain
from verify_site.app import create_app
from verify_site.security import HEADERS, SecureHeaders, relative_location

HOSTS = [
    "a" * 64 + ".example.org",
    "a" * 64,
    "x." + "b" * 200 + ".example",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "exa mple.org",
    "ex\u00e9mple.org",
    "..",
    "[::1",
    "host:notaport",
    "",
]
PATHS = [
    "/",
    "/c/ABCD-EFGH-JKMN-PQRS-T",
    "/c/x.json",
    "/c/x.pdf",
    "/nope",
    "/healthz",
    "/?serial=x",
]


@pytest.mark.parametrize("host", HOSTS)
def test_any_host_header_gets_a_plain_answer_with_headers(client: FlaskClient, host: str) -> None:
    for path in PATHS:
        response = client.get(path, headers={"Host": host})
        assert_plain(response, allowed=(200, 302, 400, 404, 503))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if "<" in host or '"' in host:
            assert host not in response.get_data(as_text=True)


def test_a_64_character_label_gets_our_400_page(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert()
    host = "a" * 64 + ".example.org"
    page = client.get(f"/c/{cert.serial}", headers={"Host": host})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert 'href="/static/site.css"' in body and 'action="/"' in body  # links without a Host
    assert host not in body
    assert page.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
    twin = client.get(f"/c/{cert.serial}.page.json", headers={"Host": host})
    assert twin.status_code == 400 and twin.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/c//X", "//c//X", "/c//ABCD-EFGH-JKMN-PQRS-T.json"])
def test_slash_redirects_are_relative_not_built_from_the_host(
    client: FlaskClient, path: str
) -> None:
    response = client.get(
        "/", environ_overrides={"PATH_INFO": path}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 308
    location = response.headers["Location"]
    assert location.startswith("/c/") and "evil.example" not in location
    assert response.headers["X-Frame-Options"] == "DENY"
    assert b"evil.example" not in response.data  # nor in the page (found by the fuzzer)


def test_a_forwarded_scheme_of_any_text_never_puts_the_host_in_a_redirect(
    make_app: MakeApp,
) -> None:
    """Found by the fuzzer: with trust_proxy, X-Forwarded-Proto becomes the scheme of
    Werkzeug's absolute redirect; junk there hid the Host inside what looked like a path."""
    client = make_app(trust_proxy=1).test_client()
    response = client.get(
        "/c//X", headers={"Host": "0000", "X-Forwarded-Proto": "<script>zq</script>"}
    )
    assert response.status_code == 308
    assert response.headers["Location"] == "/c/X"


def test_a_redirect_page_repeats_nothing_of_the_request(client: FlaskClient) -> None:
    """Found by the fuzzer: Werkzeug's redirect page quoted the target, query and Host."""
    response = client.get(
        "/c//<script>zq</script>",
        query_string={"serial": '"><img src=x onerror=zq>'},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 308
    assert response.mimetype == "text/plain"
    for echoed in (b"script", b"onerror", b"evil.example", b"zq"):
        assert echoed not in response.data.lower()


def test_path_starting_with_two_slashes_never_redirects_off_site(client: FlaskClient) -> None:
    overrides = {"PATH_INFO": "//evil.example/c/X"}
    response = client.get("/", environ_overrides=overrides, headers={"Host": "attacker.example"})
    assert response.status_code in (308, 404)
    location = response.headers.get("Location", "/")
    assert location.startswith("/") and not location.startswith("//")
    assert "example" not in location


@pytest.mark.parametrize(
    ("given", "relative"),
    [
        ("http://evil.example/c/X", "/c/X"),
        ("https://evil.example//evil2.example/x?a=1#f", "/evil2.example/x?a=1#f"),
        ("//evil.example/x", "/x"),
        ("/\\evil.example/x", "/evil.example/x"),
        ("/c/X?serial=1", "/c/X?serial=1"),
    ],
)
def test_relative_location(given: str, relative: str) -> None:
    assert relative_location(given) == relative


def test_secure_headers_cover_answers_that_bypass_flask() -> None:
    def bare(environ: object, start_response: object) -> list[bytes]:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])  # type: ignore[operator]
        return [b"x"]

    response = Client(SecureHeaders(bare), BaseResponse).get("/")  # type: ignore[arg-type]
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Cache-Control"] == "no-store"


def config_app(tmp_path: Path, store_url: str, output_dir: Path, trust_proxy: int) -> Flask:
    data = {
        **MINIMAL,
        "store": {"url": store_url},
        "certificates": {**MINIMAL.get("certificates", {}), "output_dir": str(output_dir)},
        "verify_site": {"rate_limit_per_minute": 1, "trust_proxy": trust_proxy},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return create_app(load_config(path))


def two_forwarded(app: Flask) -> list[int]:
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    return [
        client.get("/", environ_base=proxy, headers={"X-Forwarded-For": forged}).status_code
        for forged in ("203.0.113.7", "198.51.100.9")
    ]


def test_without_trusted_proxies_forwarded_for_is_one_bucket(
    tmp_path: Path, store_url: str, output_dir: Path
) -> None:
    assert two_forwarded(config_app(tmp_path, store_url, output_dir, 0)) == [200, 429]


def test_trust_proxy_1_gives_each_forwarded_client_its_bucket(
    tmp_path: Path, store_url: str, output_dir: Path
) -> None:
    assert two_forwarded(config_app(tmp_path, store_url, output_dir, 1)) == [200, 200]


def test_trust_proxy_takes_only_the_trusted_hops(make_app: MakeApp) -> None:
    client = make_app(rate_limit_per_minute=1, trust_proxy=1).test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # The client may put anything left of the address the proxy appends: it is not believed.
    first = client.get("/", environ_base=proxy, headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
    again = client.get("/", environ_base=proxy, headers={"X-Forwarded-For": "2.2.2.2, 203.0.113.7"})
    assert (first.status_code, again.status_code) == (200, 429)


def test_access_log_names_the_real_client(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="verify_site.access")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    make_app(trust_proxy=1).test_client().get(
        "/", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.7"}
    )
    make_app().test_client().get("/", environ_base=proxy, headers={"X-Forwarded-For": "10.9.9.9"})
    lines = [r.getMessage() for r in caplog.records if r.name == "verify_site.access"]
    assert lines[0].startswith("203.0.113.7 GET '/' 200")
    assert lines[1].startswith("127.0.0.1 GET '/' 200")

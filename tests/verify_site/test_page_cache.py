"""The certificate page's ETag, `304 Not Modified` and the page cache: a cached page is answered
without Flask, but its status is read from the store on every request, so a revocation, a
re-issue or an expiry shows at once; 304s and cached answers carry every security header and
spend from the same per-address budget."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from sidecar.certificates.status import Status
from sidecar.config import load_config
from tests.verify_site.conftest import LOOP, TODAY, AddCert, MakeApp, at, serving
from tests.verify_site.test_serve import write_config
from verify_site.pagecache import PageCache, etag_of, matches
from verify_site.records import RegisterUnavailable
from verify_site.security import HEADERS

VALID = Status("valid")


def assert_secured(headers: Any) -> None:
    for name, value in HEADERS.items():
        assert headers[name] == value, name
    assert headers["Cache-Control"] == "no-store"


def count_calls(app: Flask, name: str) -> list[int]:
    """Count the register's `name` calls (find: Flask's full look-up; status_of: the cache's)."""
    register = app.extensions["verify_site"].register
    calls = [0]
    real = getattr(register, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    setattr(register, name, counted)
    return calls


def test_the_page_has_an_etag_and_a_matching_if_none_match_gets_304(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    first = client.get(f"/c/{cert.serial}")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag == etag_of(first.get_data())
    again = client.get(f"/c/{cert.serial}")  # from the cache now
    assert again.get_data() == first.get_data() and again.headers["ETag"] == etag
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        not_modified = client.get(f"/c/{cert.serial}", headers={"If-None-Match": sent})
        assert not_modified.status_code == 304, sent
        assert not_modified.get_data() == b""
        assert not_modified.headers["ETag"] == etag
        assert_secured(not_modified.headers)
    other = client.get(f"/c/{cert.serial}", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_flask_answers_304_too_before_the_page_is_cached(
    make_app: MakeApp, add_cert: AddCert
) -> None:
    cert = add_cert()
    etag = make_app().test_client().get(f"/c/{cert.serial}").headers["ETag"]
    fresh = make_app()  # another process: an empty cache
    finds = count_calls(fresh, "find")
    response = fresh.test_client().get(f"/c/{cert.serial}", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert_secured(response.headers)
    assert finds == [1]


def test_a_cached_page_is_answered_without_flask_but_with_a_status_query(
    app: Flask, add_cert: AddCert
) -> None:
    cert = add_cert()
    client = app.test_client()
    finds, statuses = count_calls(app, "find"), count_calls(app, "status_of")
    first = client.get(f"/c/{cert.serial}")
    assert finds == [1]
    for _ in range(3):
        response = client.get(f"/c/{cert.serial}")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert "Valid certificate" in response.get_data(as_text=True)
        assert response.get_data() == first.get_data()
        assert_secured(response.headers)
    assert finds == [1]  # Flask's look-up ran once
    assert statuses == [3]  # the status, every time
    head = client.head(f"/c/{cert.serial}")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(first.get_data()))


def test_revocation_shows_at_once_on_a_cached_page(
    client: FlaskClient, add_cert: AddCert, update_cert: Callable[..., None]
) -> None:
    cert = add_cert()
    valid = client.get(f"/c/{cert.serial}")
    assert client.get(f"/c/{cert.serial}").get_data() == valid.get_data()  # cached
    update_cert(cert, revoked_at=at(date(2025, 5, 20)), revoked_reason="Issued by mistake")
    revoked = client.get(f"/c/{cert.serial}", headers={"If-None-Match": valid.headers["ETag"]})
    assert revoked.status_code == 200  # the old ETag no longer matches
    html = revoked.get_data(as_text=True)
    assert "Revoked" in html and "Issued by mistake" in html and "Valid certificate" not in html
    assert revoked.headers["ETag"] != valid.headers["ETag"]
    assert_secured(revoked.headers)
    # and the revoked page is cached in its turn, under its own status
    again = client.get(f"/c/{cert.serial}", headers={"If-None-Match": revoked.headers["ETag"]})
    assert again.status_code == 304


def test_a_reissue_shows_at_once_on_a_cached_page(
    client: FlaskClient, add_cert: AddCert, update_cert: Callable[..., None]
) -> None:
    old = add_cert()
    valid = client.get(f"/c/{old.serial}")
    client.get(f"/c/{old.serial}")
    new = add_cert()
    update_cert(old, superseded_at=at(date(2025, 5, 25)), superseded_by_id=new.id)
    replaced = client.get(f"/c/{old.serial}")
    html = replaced.get_data(as_text=True)
    assert "Replaced by a newer certificate" in html and new.serial in html
    assert replaced.headers["ETag"] != valid.headers["ETag"]
    # A re-issue of the re-issue moves the link, though the old row did not change: superseded
    # pages are never answered from the cache.
    newest = add_cert()
    update_cert(new, superseded_at=at(date(2025, 5, 28)), superseded_by_id=newest.id)
    assert newest.serial in client.get(f"/c/{old.serial}").get_data(as_text=True)


def test_expiry_shows_at_once_on_a_cached_page(make_app: MakeApp, add_cert: AddCert) -> None:
    today = [TODAY]
    client = make_app(clock=lambda: today[0]).test_client()
    cert = add_cert(expires_on=TODAY)
    valid = client.get(f"/c/{cert.serial}")
    assert "Valid certificate" in valid.get_data(as_text=True)
    assert client.get(f"/c/{cert.serial}").get_data() == valid.get_data()
    today[0] = date(2025, 6, 2)
    expired = client.get(f"/c/{cert.serial}", headers={"If-None-Match": valid.headers["ETag"]})
    assert expired.status_code == 200
    assert "Expired" in expired.get_data(as_text=True)
    assert expired.headers["ETag"] != valid.headers["ETag"]


def test_cached_answers_and_304s_spend_from_the_rate_limit(
    make_app: MakeApp, add_cert: AddCert
) -> None:
    cert = add_cert()
    client = make_app(rate_limit_per_minute=3).test_client()
    etag = client.get(f"/c/{cert.serial}").headers["ETag"]  # 1: Flask
    assert client.get(f"/c/{cert.serial}").status_code == 200  # 2: the cache
    matching = {"If-None-Match": etag}
    assert client.get(f"/c/{cert.serial}", headers=matching).status_code == 304  # 3: the cache
    for headers in ({}, matching):
        limited = client.get(f"/c/{cert.serial}", headers=headers)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert "ETag" not in limited.headers
        assert_secured(limited.headers)
    other = {"REMOTE_ADDR": "192.0.2.9"}
    assert client.get(f"/c/{cert.serial}", environ_base=other).status_code == 200


def test_a_host_flask_refuses_gets_flasks_answer_also_for_a_cached_page(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    client.get(f"/c/{cert.serial}")
    client.get(f"/c/{cert.serial}")
    refused = client.get(f"/c/{cert.serial}", headers={"Host": "a" * 64 + ".example.org"})
    assert refused.status_code == 400


def test_a_store_that_stops_answering_gets_the_503_page_not_a_cached_one(
    app: Flask, add_cert: AddCert
) -> None:
    cert = add_cert()
    client = app.test_client()
    client.get(f"/c/{cert.serial}")
    register = app.extensions["verify_site"].register

    def down(*_: Any) -> None:
        raise RegisterUnavailable("the store does not answer")

    register.status_of = down
    register.find = down
    response = client.get(f"/c/{cert.serial}")
    assert response.status_code == 503
    assert "Valid certificate" not in response.get_data(as_text=True)
    assert_secured(response.headers)


def test_the_json_twin_has_an_etag_and_answers_304(
    client: FlaskClient, add_cert: AddCert, update_cert: Callable[..., None]
) -> None:
    cert = add_cert()
    first = client.get(f"/c/{cert.serial}.page.json")
    etag = first.headers["ETag"]
    again = client.get(f"/c/{cert.serial}.page.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert_secured(again.headers)
    update_cert(cert, revoked_at=at(date(2025, 5, 20)), revoked_reason="Issued by mistake")
    revoked = client.get(f"/c/{cert.serial}.page.json", headers={"If-None-Match": etag})
    assert revoked.status_code == 200 and revoked.json["status"]["state"] == "revoked"


def test_304_over_waitress_keeps_the_connection_usable(
    make_app: MakeApp, add_cert: AddCert, tmp_path: Path, store_url: str, engine: Engine
) -> None:
    cert = add_cert()
    config = load_config(write_config(tmp_path, store_url, 8080))
    with serving(make_app(), config) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = []
        for headers in ({}, {}, {"If-None-Match": "?"}, {}):
            if headers:
                headers = {"If-None-Match": answers[0][1]["ETag"]}
            conn.request("GET", f"/c/{cert.serial}", headers=headers)
            response = conn.getresponse()
            answers.append((response.status, response.headers, response.read()))
        conn.close()
    assert [status for status, _, _ in answers] == [200, 200, 304, 200]
    assert answers[2][2] == b""
    assert answers[1][2] == answers[0][2] == answers[3][2]
    for _, headers, _ in answers:
        assert_secured(headers)


def test_a_cached_page_is_answered_on_waitress_loop_and_a_first_visit_by_a_worker(
    make_app: MakeApp, add_cert: AddCert, tmp_path: Path, store_url: str, engine: Engine
) -> None:
    """The hot page skips the hand-over to a worker thread (sidecar/quickserve.py); a page not
    yet rendered, and any other page, still goes to the workers."""
    cert = add_cert()
    app = make_app()
    answered_on: list[str] = []
    site = app.wsgi_app

    def recording(environ: Any, start_response: Any) -> Any:
        answered_on.append(threading.current_thread().name)
        return site(environ, start_response)

    app.wsgi_app = recording  # type: ignore[method-assign]
    config = load_config(write_config(tmp_path, store_url, 8080))
    with serving(app, config) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(2):
            conn.request("GET", f"/c/{cert.serial}")
            response = conn.getresponse()
            assert response.status == 200 and b"Valid certificate" in response.read()
        conn.close()
    first_visit, from_cache = answered_on
    assert first_visit.startswith("waitress-")
    assert from_cache == LOOP


def test_the_page_links_to_the_signing_keys(client: FlaskClient, add_cert: AddCert) -> None:
    # `links.keys` in the template once named the dict's method: the page must not depend on
    # an object's address (nor reveal one), or one page would have an ETag per process.
    cert = add_cert()
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert '<a href="/.well-known/ojt-sidecar/keys.json">Signing keys</a>' in html
    assert "built-in" not in html and " at 0x" not in html


# -- the cache itself ------------------------------------------------------------------------------


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pages_are_forgotten_after_their_ttl() -> None:
    ticks = Ticks()
    pages = PageCache(ttl=60, clock=ticks)
    pages.put("A", VALID, "", b"page", host="h")
    assert pages.get("A", VALID, "") is not None
    ticks.now = 59.9
    assert pages.get("A", VALID, "") is not None
    ticks.now = 60.0
    assert pages.get("A", VALID, "") is None
    assert not pages.holds("A")


def test_the_cache_is_bounded_and_keeps_the_recently_used() -> None:
    pages = PageCache(size=2)
    for serial in "ABC":
        pages.put(serial, VALID, "", serial.encode(), host="h")
        pages.get("A", VALID, "")
    assert len(pages) == 2 and pages.holds("A") and pages.holds("C") and not pages.holds("B")


def test_a_new_status_replaces_the_old_page_and_superseded_pages_are_not_kept() -> None:
    pages = PageCache()
    revoked = Status("revoked", date(2025, 5, 20), "mistake")
    pages.put("A", VALID, "", b"valid", host="h")
    pages.put("A", revoked, "", b"revoked", host="h")
    assert pages.get("A", VALID, "") is None
    page = pages.get("A", revoked, "")
    assert page is not None and page.body == b"revoked"
    superseded = pages.put("B", Status("superseded", date(2025, 5, 1)), "", b"x", host="h")
    assert superseded.etag == etag_of(b"x") and not pages.holds("B")
    # a page held while valid is let go once superseded: the server's loop answers held pages
    pages.put("A", Status("superseded", date(2025, 5, 21)), "", b"newer", host="h")
    assert not pages.holds("A")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"abcd"', False),
        ("abc", False),
    ],
)
def test_if_none_match(header: str | None, expected: bool) -> None:
    assert matches(header, '"abc"') is expected

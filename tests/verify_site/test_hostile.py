"""Whatever a visitor sends: never a 500, never a traceback, never their HTML echoed back."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.verify_site.conftest import AddCert

HOSTILE_NAMES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')

GARBAGE = [
    "x",
    "ABCD-EFGH-JKMN-PQRS",
    "ABCD-EFGH-JKMN-PQRS-TT",
    "A" * 10_000,
    "%00",
    "ABCD%00EFGH",
    "..%2F..%2Fetc%2Fpasswd",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd.pdf",
    "<script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "ÄBCD-EFGH-JKMN-PQRS-T",
    "ıBCD-EFGH-JKMN-PQRS-T",
    "😀" * 17,
    "%F0%28%8C%28",
    "a/b/c",
    ".json",
    ".pdf",
    "' OR 1=1 --",
]


def assert_plain(response, *, allowed: tuple[int, ...] = (400, 404)) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code in allowed, (response.status_code, body[:200])
    assert "Traceback" not in body
    assert "Werkzeug" not in body and "werkzeug" not in body
    assert "<script>" not in body and "onerror=" not in body.replace("onerror=alert", "")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_html_in_names_is_shown_as_text(client: FlaskClient, add_cert: AddCert, name: str) -> None:
    cert = add_cert(participant_name=name, program_name=name, batch_name=name, issuer=name)
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert name not in html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;" in html


def test_html_in_a_revocation_reason_is_shown_as_text(
    client: FlaskClient, add_cert: AddCert, update_cert
) -> None:
    from datetime import date

    from tests.verify_site.conftest import at

    cert = add_cert()
    update_cert(cert, revoked_at=at(date(2025, 5, 1)), revoked_reason=HOSTILE_NAMES[1])
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "<img" not in html and "&#34;&gt;&lt;img" in html


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize("suffix", ["", ".json", ".page.json", ".pdf"])
def test_garbage_serials_get_a_plain_answer(client: FlaskClient, garbage: str, suffix: str) -> None:
    assert_plain(client.get(f"/c/{garbage}{suffix}"))


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_the_lookup_form_gets_a_plain_answer(client: FlaskClient, garbage: str) -> None:
    assert_plain(client.get("/", query_string={"serial": garbage}))


def test_a_garbage_serial_page_does_not_echo_it(client: FlaskClient) -> None:
    body = client.get("/c/<b>bold</b>").get_data(as_text=True)
    assert "<b>bold" not in body
    assert "not a certificate serial" in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_refused_plainly(
    client: FlaskClient, add_cert: AddCert, method: str
) -> None:
    cert = add_cert()
    for url in ("/", f"/c/{cert.serial}", f"/c/{cert.serial}.page.json", "/healthz"):
        response = client.open(url, method=method, data="x" * 100)
        assert_plain(response, allowed=(405,))
        assert "GET" in response.headers["Allow"]
    json_answer = client.post(f"/c/{cert.serial}.page.json")
    assert json_answer.mimetype == "application/json"


def test_unknown_paths_are_our_own_404(client: FlaskClient) -> None:
    for url in ("/admin", "/c/", "/static/../app.py", "/.well-known/x", "/favicon.ico"):
        response = client.get(url)
        assert_plain(response, allowed=(404,))
        assert "site.css" in response.get_data(as_text=True)  # our page, not Werkzeug's


def test_an_unexpected_error_is_a_plain_500_and_is_logged(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert_plain(response, allowed=(500,))
    assert "secret detail" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "secret detail" in caplog.text


def test_head_requests_work(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert()
    response = client.head(f"/c/{cert.serial}")
    assert response.status_code == 200
    assert response.data == b""

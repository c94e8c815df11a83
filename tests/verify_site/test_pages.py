"""The certificate page: what it shows for each status, and how it is served."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient

from sidecar.certificates.serial import new_serial
from sidecar.certificates.signing import canonical_json
from tests.certificates.conftest import make_fields
from tests.verify_site.conftest import AddCert, MakeApp, at


def test_valid_certificate_page_shows_its_details(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert()
    response = client.get(f"/c/{cert.serial}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for text in (
        "Valid certificate",
        "Jane Doe",
        "Welding Basics",
        "Spring 2025",
        "Acme Training",
        "14 March 2025",
        "87.5 %",
        cert.serial,
        "status-valid",
    ):
        assert text in html
    assert '<html lang="en" dir="ltr">' in html
    assert 'name="viewport"' in html
    assert 'name="robots" content="noindex' in html


def test_pages_carry_the_security_headers(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert()
    for url in ("/", f"/c/{cert.serial}", f"/c/{cert.serial}.page.json", "/c/nope", "/healthz"):
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
            " base-uri 'none'; frame-ancestors 'none'"
        ), url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Robots-Tag"] == "noindex, nofollow"
        assert headers["Cache-Control"] == "no-store", url


def test_pages_use_no_inline_style_script_or_third_party_assets(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    for url in ("/", f"/c/{cert.serial}", "/c/nope"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html
        assert "style=" not in html and "<style" not in html
        assert "http://" not in html and "https://" not in html and "//" not in html


def test_stylesheet_is_served_and_cacheable(client: FlaskClient) -> None:
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_missing_average_score_shows_a_dash(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert(average_score=None)
    assert "—" in client.get(f"/c/{cert.serial}").get_data(as_text=True)


def test_revocation_shows_at_once(client: FlaskClient, add_cert: AddCert, update_cert) -> None:
    cert = add_cert()
    assert "Valid certificate" in client.get(f"/c/{cert.serial}").get_data(as_text=True)
    update_cert(cert, revoked_at=at(date(2025, 5, 20)), revoked_reason="Issued by mistake")
    response = client.get(f"/c/{cert.serial}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Revoked" in html and "status-revoked" in html
    assert "20 May 2025" in html
    assert "Issued by mistake" in html
    assert "Valid certificate" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_expired_certificate_shows_its_end_date(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert(expires_on=date(2025, 5, 31))
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "Expired" in html and "status-expired" in html
    assert "31 May 2025" in html


def test_certificate_is_valid_on_its_last_day(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert(expires_on=date(2025, 6, 1))  # TODAY in conftest
    assert "Valid certificate" in client.get(f"/c/{cert.serial}").get_data(as_text=True)


def test_superseded_certificate_links_to_the_current_one(
    client: FlaskClient, add_cert: AddCert, update_cert
) -> None:
    first, second, third = add_cert(), add_cert(), add_cert()
    update_cert(first, superseded_by_id=second.id, superseded_at=at(date(2025, 4, 1)))
    update_cert(second, superseded_by_id=third.id, superseded_at=at(date(2025, 5, 1)))
    html = client.get(f"/c/{first.serial}").get_data(as_text=True)
    assert "Replaced by a newer certificate" in html
    assert "1 April 2025" in html
    assert f'href="/c/{third.serial}"' in html


def test_initials_mode_hides_the_full_name(make_app: MakeApp, add_cert: AddCert) -> None:
    cert = add_cert(participant_name="Jane van Doe")
    client = make_app(name_display="initials").test_client()
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "J. V. D." in html
    assert "Jane" not in html and "Doe" not in html
    body = client.get(f"/c/{cert.serial}.page.json").get_data(as_text=True)
    assert "J. V. D." in body
    assert "Jane" not in body and "Doe" not in body


def test_non_canonical_serial_redirects_to_the_canonical_address(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    sloppy = cert.serial.replace("-", "").lower()
    for suffix in ("", ".json", ".page.json", ".pdf"):
        response = client.get(f"/c/{sloppy}{suffix}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"/c/{cert.serial}{suffix}"


def test_lookup_form_redirects_to_the_certificate(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert()
    home = client.get("/")
    assert home.status_code == 200
    assert 'name="serial"' in home.get_data(as_text=True)
    response = client.get("/", query_string={"serial": f"  {cert.serial.lower()} "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{cert.serial}"


def test_unknown_serial_is_a_helpful_404(client: FlaskClient) -> None:
    serial = new_serial()
    response = client.get(f"/c/{serial}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f"No certificate with serial {serial}" in html
    assert 'name="serial"' in html


def test_mistyped_serial_says_it_looks_like_a_typo(client: FlaskClient) -> None:
    serial = new_serial()
    last = serial[-1]
    typo = serial[:-1] + ("0" if last != "0" else "1")
    for url in (f"/c/{typo}", f"/?serial={typo}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "typo" in html and "check the characters you typed" in html


def test_the_batch_dates_the_payload_states_are_shown(
    client: FlaskClient, add_cert: AddCert, update_cert: Any
) -> None:
    cert = add_cert()
    fields = make_fields(
        serial=cert.serial, batch_start=date(2026, 12, 2), batch_end=date(2026, 12, 12)
    )
    update_cert(cert, payload=canonical_json(fields.to_payload()).decode())
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "2 – 12 December 2026" in html
    shown = client.get(f"/c/{cert.serial}.page.json").get_json()["certificate"]
    assert (shown["batch_start"], shown["batch_end"]) == ("2026-12-02", "2026-12-12")
    # a payload without them (format 1, as the add_cert rows are) shows no dates
    other = add_cert()
    assert (
        client.get(f"/c/{other.serial}.page.json").get_json()["certificate"]["batch_start"] is None
    )


def test_a_valid_page_offers_its_address_to_share_and_linkedins_form(
    make_app: MakeApp, add_cert: AddCert, update_cert: Any
) -> None:
    from urllib.parse import parse_qs, urlsplit

    client = make_app(public_url="https://verify.example.org").test_client()
    cert = add_cert()
    html = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    share = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', html)
    assert share is not None and share.group(1) == f"https://verify.example.org/c/{cert.serial}"
    found = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html)
    assert found is not None
    form = parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)
    assert form["certId"] == [cert.serial] and form["certUrl"] == [share.group(1)]
    assert form["name"] == ["Welding Basics"] and form["issueYear"] == ["2025"]
    update_cert(cert, revoked_at=at(date(2025, 5, 20)), revoked_reason="Issued by mistake")
    revoked = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "linkedin.com" not in revoked  # nothing to add to a profile once revoked


def test_without_a_public_address_nothing_is_offered_to_share(
    client: FlaskClient, add_cert: AddCert
) -> None:
    html = client.get(f"/c/{add_cert().serial}").get_data(as_text=True)
    assert "share-link" not in html and "linkedin.com" not in html

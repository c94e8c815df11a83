"""The verify site serves the credential (`/c/<serial>.json`), the issuer's DID document and the
revocation status list, and the list agrees with the page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from jobs.issue.revocation import revoke
from sidecar.certificates import did as dids
from sidecar.certificates import proof
from sidecar.certificates.serial import new_serial
from sidecar.certificates.signing import generate_key, load_public_keys
from sidecar.certificates.status_publishing import publish_status_list
from sidecar.certificates.statuslist import LIST_SIZE, TTL_SECONDS, decode_list, is_set
from sidecar.store.models import Certificate
from tests.credentials.conftest import DID, World


def status_list(app: Flask) -> tuple[dict[str, Any], bytes]:
    response = app.test_client().get("/status/1")
    assert response.status_code == 200, response.get_data(as_text=True)
    document = json.loads(response.get_data())
    return document, decode_list(document["credentialSubject"]["encodedList"])


def revoke_now(world: World, cert: Certificate, reason: str = "Issued in error") -> None:
    with world.sessions() as session:
        row = session.get(Certificate, cert.id)
        assert row is not None
        revoke(session, row, reason, datetime.now(UTC))
        session.commit()


def test_the_credential_is_served_as_signed(world: World, site: Any) -> None:
    cert = world.issue()
    response = site().test_client().get(f"/c/{cert.serial}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"]
    assert response.get_data(as_text=True) == cert.credential
    page = site().test_client().get(f"/c/{cert.serial}").get_data(as_text=True)
    assert f'href="/c/{cert.serial}.json">Open Badges credential' in page
    twin = site().test_client().get(f"/c/{cert.serial}.page.json").get_json()
    assert twin["credential_url"] == f"/c/{cert.serial}.json"
    assert twin["payload"] == cert.payload


def test_unknown_and_older_certificates_answer_404_in_a_sentence(world: World, site: Any) -> None:
    client = site().test_client()
    unknown = client.get(f"/c/{new_serial()}.json")
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "Certificate not found"
    cert = world.issue()
    with world.sessions() as session:  # as a certificate issued before credentials existed
        row = session.get(Certificate, cert.id)
        assert row is not None
        row.credential, row.status_index = None, None
        session.commit()
    older = client.get(f"/c/{cert.serial}.json")
    assert older.status_code == 404
    assert "issued before this register issued Open Badges" in older.get_json()["message"]
    assert "Open Badges credential" not in client.get(f"/c/{cert.serial}").get_data(as_text=True)


def test_initials_only_withholds_the_credential(world: World, site: Any) -> None:
    cert = world.issue("Maria José")
    response = site(name_display="initials").test_client().get(f"/c/{cert.serial}.json")
    assert response.status_code == 404
    assert "Maria" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/status/0",
        "/status/2",
        "/status/-1",
        "/status/1.json",
        "/status/abc",
        "/status/99999999999999999999999",
        "/status/1%00",
        "/c/ABCD-EFGH-JKMN-PQRS-T.json.json",
        "/c/%3Cscript%3E.json",
    ],
)
def test_hostile_paths_get_a_plain_4xx(world: World, site: Any, path: str) -> None:
    response = site().test_client().get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_did_document_lists_every_key_current_and_retired(world: World, site: Any) -> None:
    before = world.issue()
    generate_key(world.cfg.certificates.signing_key, rotate=True)
    client = site().test_client()
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    document = response.get_json()
    assert client.get("/did.json").get_json() == document
    published = load_public_keys(world.cfg.certificates.signing_key)
    assert document["id"] == DID
    assert [m["id"] for m in document["verificationMethod"]] == [
        f"{DID}#{k['kid']}" for k in published
    ]
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    assert all(m["publicKeyMultibase"].startswith("z6Mk") for m in document["verificationMethod"])
    # the credential signed with the retired key still verifies from what the site serves
    served = json.loads(client.get(f"/c/{before.serial}.json").get_data())
    assert proof.verify_document(served, dids.key_resolver(DID, published))


def publish(world: World) -> None:
    """What the deliver job does at the end of each cycle (and `cert revoke` at once)."""
    with world.sessions() as session:
        assert publish_status_list(world.cfg, session, datetime.now(UTC))


def test_the_status_list_is_signed_big_enough_and_short_lived(world: World, site: Any) -> None:
    world.issue()
    publish(world)
    app = site()
    response = app.test_client().get("/status/1")
    assert response.headers["Cache-Control"] == f"public, max-age={TTL_SECONDS}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/ld+json"
    document, bits = status_list(app)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == DID and document["id"] == "https://verify.example.org/status/1"
    subject = document["credentialSubject"]
    assert subject["statusPurpose"] == "revocation" and subject["encodedList"].startswith("u")
    assert len(bits) * 8 == LIST_SIZE >= 131_072 and not any(bits)
    keys = dids.key_resolver(DID, load_public_keys(world.cfg.certificates.signing_key))
    assert proof.verify_document(document, keys)


def test_revoking_flips_the_bit_and_the_page_agrees(world: World, site: Any) -> None:
    kept, revoked = world.issue("Kept"), world.issue("Revoked")
    publish(world)
    app = site()
    _, bits = status_list(app)
    assert not is_set(bits, revoked.status_index)  # type: ignore[arg-type]
    revoke_now(world, revoked)
    _, bits = status_list(app)  # the site serves what is stored: not yet signed again
    assert not is_set(bits, revoked.status_index)  # type: ignore[arg-type]
    publish(world)
    _, bits = status_list(app)
    client = app.test_client()
    for cert in (kept, revoked):
        page = client.get(f"/c/{cert.serial}").get_data(as_text=True)
        bit = is_set(bits, cert.status_index)  # type: ignore[arg-type]
        assert bit == (cert is revoked)
        assert ("Revoked" in page) == bit, page
    assert [i for i in range(LIST_SIZE) if is_set(bits, i)] == [revoked.status_index]


def test_before_a_list_is_stored_the_site_says_so_in_a_sentence(world: World, site: Any) -> None:
    response = site().test_client().get("/status/1")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["error"] == "No status list yet"
    assert "has not been published yet" in response.get_json()["message"]


def test_the_site_serves_the_list_without_the_private_key(world: World, site: Any) -> None:
    """The site holds no private key: with the key file gone (its public keys stay), the
    stored list is served and verifies."""
    world.issue()
    publish(world)
    world.cfg.certificates.signing_key.unlink()
    app = site()
    assert app.extensions["verify_site"].settings.signing_key is not None  # public keys only
    document, _ = status_list(app)
    keys = dids.key_resolver(DID, load_public_keys(world.cfg.certificates.signing_key))
    assert proof.verify_document(document, keys)


def test_a_site_without_a_public_address_publishes_no_list(world: World) -> None:
    from verify_site.app import create_app

    app = create_app(
        store_url=world.cfg.store.url.get_secret_value(),
        output_dir=world.cfg.certificates.output_dir,
        signing_key=world.cfg.certificates.signing_key,
    )
    client = app.test_client()
    assert client.get("/status/1").status_code == 404
    assert client.get("/.well-known/did.json").status_code == 404

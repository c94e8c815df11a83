"""The holder's choice to hide their certificate's page: only their token opens the choice and
the details; the public then sees whether it holds, who issued it and when, and nothing else,
also from the page cache and the JSON twin; showing it again brings everything back."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from jobs.issue.revocation import revoke
from sidecar.store.models import Certificate, OutboxMessage
from tests.credentials.conftest import ISSUED_AT, World

NAME, PROGRAM = "Maria José", "Forklift Operator"


def choose(client: FlaskClient, cert: Certificate, hide: str, token: str | None = None) -> int:
    form = {"hide": hide, "t": cert.holder_token if token is None else token}
    return client.post(f"/c/{cert.serial}/privacy", data=form).status_code


def test_the_holder_hides_the_details_and_their_own_link_still_shows_them(
    world: World, site: Callable[..., Flask]
) -> None:
    cert = world.issue(NAME, odoo_lang="fr_FR")
    token = cert.holder_token
    assert token is not None and len(token) == 32 and cert.hidden_at is None
    client = site().test_client()
    public = f"/c/{cert.serial}"
    assert NAME in client.get(public).get_data(as_text=True)  # shown, and now in the cache

    choice = client.get(f"{public}/privacy?t={token}")
    assert choice.status_code == 200 and "Masquer les détails" in choice.get_data(as_text=True)
    with world.sessions() as session:  # opening the link (a mail scanner does) changes nothing
        assert (
            session.scalar(select(Certificate.hidden_at).where(Certificate.id == cert.id)) is None
        )
    assert choose(client, cert, "yes") == 200

    page = client.get(public).get_data(as_text=True)
    assert "Valid certificate" in page and "Test Training" in page and "1 May 2025" in page
    for withheld in (NAME, PROGRAM, ".pdf", "credential", 'lang="fr"'):
        assert withheld not in page, withheld
    assert client.get(f"{public}.pdf").status_code == 404
    assert client.get(f"{public}.json").status_code == 404
    twin = client.get(f"{public}.page.json").get_json()
    assert twin == {
        "serial": cert.serial,
        "status": {"state": "valid", "since": None, "hidden": True},
        "issuer": "Test Training",
        "issue_date": "2025-05-01",
    }

    own = client.get(f"{public}?t={token}").get_data(as_text=True)
    assert NAME in own and PROGRAM in own and 'lang="fr"' in own
    assert f'href="{public}.pdf?t={token}"' in own and f"{public}/privacy?t={token}" in own
    assert client.get(f"{public}.pdf?t={token}").status_code == 200
    assert client.get(f"{public}.json?t={token}").status_code == 200
    assert NAME not in client.get(public).get_data(as_text=True)  # the public cache is apart

    assert choose(client, cert, "no") == 200
    assert NAME in client.get(public).get_data(as_text=True)


def test_only_the_holders_token_opens_the_choice(world: World, site: Callable[..., Flask]) -> None:
    cert = world.issue(NAME)
    other = world.issue("Someone Else")
    client = site().test_client()
    for token in ("", "x" * 32, other.holder_token, "y" * 5000):
        assert client.get(f"/c/{cert.serial}/privacy?t={token}").status_code == 404
        assert choose(client, cert, "yes", token=token) == 404
        # a wrong token is no key to the details either
        page = client.get(f"/c/{cert.serial}?t={token}").get_data(as_text=True)
        assert NAME in page  # shown: nothing was hidden
    assert choose(client, cert, "maybe") == 400
    assert client.get("/c/NOT-A-SERIAL/privacy?t=x").status_code == 404
    with world.sessions() as session:
        assert session.get(Certificate, cert.id).hidden_at is None  # type: ignore[union-attr]


def test_a_hidden_revoked_certificate_says_revoked_and_nothing_more(
    world: World, site: Callable[..., Flask]
) -> None:
    cert = world.issue(NAME)
    client = site().test_client()
    assert choose(client, cert, "yes") == 200
    with world.sessions() as session, session.begin():
        row = session.get(Certificate, cert.id)
        assert row is not None
        revoke(session, row, "Issued to the wrong trainee", ISSUED_AT)
    page = client.get(f"/c/{cert.serial}").get_data(as_text=True)
    assert "Revoked" in page and "1 May 2025" in page
    assert NAME not in page and "wrong trainee" not in page


def test_a_replacement_stays_hidden_and_the_e_mail_carries_the_holders_links(
    world: World, site: Callable[..., Flask]
) -> None:
    cert = world.issue(NAME)
    assert choose(site().test_client(), cert, "yes") == 200
    new = world.replace(cert)
    assert new.hidden_at is not None and new.holder_token not in (None, cert.holder_token)
    with world.sessions() as session:
        bodies = {
            row.key: str(row.args)
            for row in session.scalars(select(OutboxMessage))
            if row.key == f"cert:{new.serial}:message:partner"
        }
    (body,) = bodies.values()
    assert f"{new.verify_url}/privacy?t={new.holder_token}" in body
    assert f"{new.verify_url}?t={new.holder_token}" in body

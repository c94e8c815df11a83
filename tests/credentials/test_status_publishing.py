"""The status list is signed by the side holding the key and stored; the site serves it as stored.

A revocation is in the list the site serves after one deliver cycle (or at once through
`ojt-sidecar cert revoke`); the list is signed again only when the revoked set changed, the
address changed or a day went by; two writers at once both succeed; without a key nothing fails.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from sidecar.certificates import status_publishing as publishing
from sidecar.certificates.status_publishing import (
    RESIGN_INTERVAL,
    publish_status_list,
    refresh_status_list,
    revoked_digest,
    stored_list,
)
from sidecar.certificates.statuslist import decode_list, is_set
from sidecar.cli.commands.certs import cert_revoke
from sidecar.store.models import Certificate, StatusList
from tests.credentials.conftest import BASE_URL, World, make_world
from tests.credentials.test_site import revoke_now, status_list

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


class AcceptingOdoo:
    """Odoo as far as delivery asks: every write lands (the revocation's note for the contact)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def call(self, model: str, method: str, *, ids: Any = None, **params: Any) -> int:
        self.calls.append((model, method))
        return 1

    def search(self, *args: Any, **kwargs: Any) -> list[int]:
        return []


def refresh(world: World, now: datetime = NOW, base_url: str = BASE_URL) -> bool:
    with world.sessions() as session:
        return refresh_status_list(session, world.issuing.signer, base_url, now)


def encoded(world: World) -> str:
    with world.sessions() as session:
        stored = stored_list(session)
    assert stored is not None
    return str(json.loads(stored.credential)["credentialSubject"]["encodedList"])


def test_a_revocation_is_served_after_one_deliver_cycle(
    world: World, site: Any, tmp_path: Path
) -> None:
    kept, revoked = world.issue("Kept"), world.issue("Revoked")
    odoo = AcceptingOdoo()
    ctx = JobContext(world.cfg, world.sessions, cast(OdooClient, odoo), files_root=tmp_path)
    deliver(ctx)  # the first cycle stores a list: nothing revoked yet
    app = site()
    _, bits = status_list(app)
    assert not any(bits)
    revoke_now(world, revoked)
    report = deliver(ctx)
    assert report.delivered == 1  # the revocation's note for the contact, in the same cycle
    _, bits = status_list(app)
    assert is_set(bits, revoked.status_index)  # type: ignore[arg-type]
    assert not is_set(bits, kept.status_index)  # type: ignore[arg-type]
    page = app.test_client().get(f"/c/{revoked.serial}").get_data(as_text=True)
    assert "Revoked" in page


def test_the_revoke_command_publishes_at_once(world: World, site: Any) -> None:
    cert = world.issue()
    said: list[str] = []
    cert_revoke(world.cfg, cert.serial, reason="Issued in error", echo=said.append)
    assert any(line.startswith(f"revoked {cert.serial}") for line in said)
    _, bits = status_list(site())
    assert is_set(bits, cert.status_index)  # type: ignore[arg-type]


def test_signed_again_only_when_something_changed(world: World) -> None:
    cert = world.issue()
    assert refresh(world)
    first = encoded(world)
    assert not refresh(world, NOW + timedelta(minutes=1))  # nothing changed: nothing written
    revoke_now(world, cert)
    assert refresh(world, NOW + timedelta(minutes=2))
    with world.sessions() as session:
        stored = stored_list(session)
    assert stored is not None and stored.revoked_digest == revoked_digest([cert.status_index or 0])
    assert encoded(world) != first
    assert not refresh(world, NOW + timedelta(minutes=3))
    # a day later it is signed again, so its validFrom stays recent; the bits are the same
    later = NOW + timedelta(minutes=2) + RESIGN_INTERVAL
    before = encoded(world)
    assert refresh(world, later)
    with world.sessions() as session:
        stored = stored_list(session)
    assert stored is not None and stored.signed_at == later
    assert json.loads(stored.credential)["validFrom"] == "2025-06-02T12:02:00Z"
    assert encoded(world) == before


def test_the_same_revoked_set_gives_the_same_list_but_for_its_timestamps(world: World) -> None:
    revoke_now(world, world.issue())
    assert refresh(world)
    with world.sessions() as session:
        one = json.loads(stored_list(session).credential)  # type: ignore[union-attr]
    assert refresh(world, NOW + RESIGN_INTERVAL)
    with world.sessions() as session:
        two = json.loads(stored_list(session).credential)  # type: ignore[union-attr]
    for document in (one, two):
        document.pop("validFrom")
        document.pop("proof")
    assert one == two


def test_a_changed_address_is_signed_again(world: World) -> None:
    assert refresh(world)
    assert refresh(world, NOW + timedelta(minutes=1), "https://certificates.example.org")
    with world.sessions() as session:
        stored = stored_list(session)
    assert stored is not None
    assert json.loads(stored.credential)["id"] == "https://certificates.example.org/status/1"


def test_two_writers_at_once_both_succeed(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both found no list and both write it (two replicas in the same moment): the upsert
    lets both land, one row stays, and it decodes."""
    world = make_world(tmp_path, db_url)
    revoke_now(world, world.issue())
    monkeypatch.setattr(publishing, "stored_list", lambda session, list_id=1: None)
    with world.sessions() as one, world.sessions() as two:
        assert refresh_status_list(one, world.issuing.signer, BASE_URL, NOW)
        assert refresh_status_list(two, world.issuing.signer, BASE_URL, NOW + timedelta(seconds=1))
    monkeypatch.undo()
    with world.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StatusList)) == 1
        stored = stored_list(session)
        index = session.scalar(select(Certificate.status_index))
    assert stored is not None and stored.signed_at == NOW + timedelta(seconds=1)
    assert index is not None
    document = json.loads(stored.credential)
    assert is_set(decode_list(document["credentialSubject"]["encodedList"]), index)


def test_without_a_key_nothing_fails_and_it_is_said_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # Before any credential there is nothing to publish, nor to say.
    with world.sessions() as session, caplog.at_level(logging.WARNING):
        assert not publish_status_list(world.cfg, session, NOW)
    assert not caplog.records
    world.issue("Holder")
    world.cfg.certificates.signing_key.unlink()
    publishing._reported.clear()
    with caplog.at_level(logging.WARNING), world.sessions() as session:
        assert not publish_status_list(world.cfg, session, NOW)
        assert not publish_status_list(world.cfg, session, NOW + timedelta(minutes=1))
    said = [r.getMessage() for r in caplog.records if "status list is not signed" in r.getMessage()]
    assert len(said) == 1 and "no signing key" in said[0]
    with world.sessions() as session:
        assert stored_list(session) is None

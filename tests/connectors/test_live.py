"""The connector against a real, stock Odoo 16.0 to 20.0 (demo data, website_slides,
website_slides_survey, hr_recruitment, event, survey). Run with ODOO_URL, ODOO_DB, ODOO_USER,
ODOO_PASSWORD set (and ODOO_API_KEY for JSON-2 on 19+): `./dev test -m live`. Written against
the behaviour docs/odoo-notes.md records, not against the emulator. Each test cleans up what it
creates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from connectors import (
    Cursor,
    OdooAuthenticationError,
    OdooClient,
    OdooMissingRecordError,
    OdooServerError,
    OdooSettings,
    OdooUnknownMethodError,
    OdooUnknownModelError,
    OdooValidationError,
)

pytestmark = pytest.mark.live


def settings(transport: str, **overrides: str) -> OdooSettings:
    values = {
        "url": os.environ.get("ODOO_URL", ""),
        "database": os.environ.get("ODOO_DB", ""),
        "username": os.environ.get("ODOO_USER", ""),
        "secret": os.environ.get("ODOO_PASSWORD", ""),
        "transport": transport,
    }
    values.update(overrides)
    return OdooSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["xmlrpc", "jsonrpc", "json2"])
def live(request: pytest.FixtureRequest) -> Iterator[OdooClient]:
    transport = str(request.param)
    if transport != "json2":
        with OdooClient(settings(transport)) as client:
            yield client
        return
    key = os.environ.get("ODOO_API_KEY")
    if not key:
        pytest.skip("JSON-2 needs an API key: set ODOO_API_KEY (Odoo 19 or later)")
    with OdooClient(settings(transport, secret=key, api_key=True)) as client:  # type: ignore[arg-type]
        if client.version().major < 19:
            pytest.skip(f"Odoo {client.version().version} has no JSON-2 API (19.0 and later)")
        yield client


@pytest.fixture
def scratch_partners(live: OdooClient) -> Iterator[list[int]]:
    created: list[int] = []
    yield created
    if created:
        live.unlink("res.partner", created)


def test_live_version_and_login(live: OdooClient) -> None:
    assert live.version().major >= 16
    assert live.authenticate() > 0


def test_live_wrong_password_is_an_authentication_error() -> None:
    client = OdooClient(settings("xmlrpc", secret="certainly-wrong"))
    with client, pytest.raises(OdooAuthenticationError):
        client.authenticate()


def test_live_typed_errors(live: OdooClient) -> None:
    with pytest.raises(OdooUnknownModelError):
        live.search("x.no.such.model", [])
    with pytest.raises(OdooUnknownMethodError):
        live.call("res.partner", "no_such_method", ids=[1])
    with pytest.raises(OdooMissingRecordError):
        live.write("res.partner", [999_999_999], {"comment": "x"})
    with pytest.raises(OdooServerError):
        live.read("res.partner", [1], ["no_such_field"])
    with pytest.raises(OdooValidationError):
        live.create("res.partner.category", {"color": 1})


def test_live_read_drops_missing_ids(live: OdooClient) -> None:
    rows = live.read("res.partner", [1, 999_999_999], ["name"])
    assert [row["id"] for row in rows] == [1]


def test_live_none_returning_method_is_success_and_applied(
    live: OdooClient, scratch_partners: list[int]
) -> None:
    partner = live.create("res.partner", {"name": "ojt-sidecar live test (archive)"})
    scratch_partners.append(partner)
    assert live.call("res.partner", "action_archive", ids=[partner]) is None
    rows = live.search_read_list(
        "res.partner", [("id", "=", partner)], ["active"], context={"active_test": False}
    )
    assert rows == [{"id": partner, "active": False}]


def test_live_paging_over_one_second_of_many_rows(
    live: OdooClient, scratch_partners: list[int]
) -> None:
    created = live.create_many(
        "res.partner", [{"name": f"ojt-sidecar live paging {i}"} for i in range(12)]
    )
    scratch_partners.extend(created)
    stamp = live.read("res.partner", [created[0]], ["write_date"])[0]["write_date"]
    pages = live.search_read(
        "res.partner", [("id", "in", created)], ["name"], since=Cursor(stamp), page_size=5
    )
    ids = [row["id"] for page in pages for row in page.rows]
    assert sorted(ids) == sorted(created)


def test_live_message_post_and_fields_get(live: OdooClient, scratch_partners: list[int]) -> None:
    partner = live.create("res.partner", {"name": "ojt-sidecar live test (chatter)"})
    scratch_partners.append(partner)
    message = live.message_post("res.partner", partner, "<b>escaped</b>")
    body = live.read("mail.message", [message], ["body"])[0]["body"]
    assert "&lt;b&gt;" in body
    fields = live.fields_get("slide.channel.partner")
    assert fields["channel_id"]["relation"] == "slide.channel"

"""OdooClient against the emulator over real HTTP, on both transports."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from connectors import (
    Cursor,
    OdooAccessError,
    OdooAuthenticationError,
    OdooClient,
    OdooConnectionError,
    OdooMissingRecordError,
    OdooProtocolError,
    OdooServerError,
    OdooUnknownDatabaseError,
    OdooUnknownMethodError,
    OdooUnknownModelError,
    OdooValidationError,
)
from sidecar.emulator import OdooEmulator
from tests.conftest import ClientFactory, logins


def calls_of(emu: OdooEmulator, model: str, method: str) -> int:
    return sum(1 for c in emu.calls if c.model == model and c.model_method == method)


def test_version_reports_odoo_17(client: OdooClient) -> None:
    version = client.version()
    assert (version.major, version.serie, version.protocol_version) == (17, "17.0", 1)


def test_authenticate_returns_the_admin_uid(client: OdooClient) -> None:
    assert client.authenticate() == 2


def test_a_client_with_the_same_settings_calls_as_a_logged_in_one_without_logging_in(
    emu: OdooEmulator, make_client: ClientFactory
) -> None:
    # A login costs a real Odoo a slow password hash: a sync's further readers share one.
    first = make_client()
    second = OdooClient(first.settings)
    assert not second.share_login(first)  # nothing to share before `first` logs in
    uid = first.uid
    emu.reset_calls()
    shared = second.share_login(first)
    count = second.search_count("res.partner", [])
    assert shared and second.uid == uid and not logins(emu)
    assert count > 0
    second.close()


def test_wrong_password_is_an_authentication_error(make_client: ClientFactory) -> None:
    client = make_client(secret="WRONG")
    with pytest.raises(OdooAuthenticationError, match="refused the login 'admin'"):
        client.authenticate()


def test_api_key_works_in_place_of_the_password(
    emu: OdooEmulator, make_client: ClientFactory
) -> None:
    client = make_client(secret=emu.new_api_key(uid=2))
    assert client.search_count("res.partner", [("id", "=", 3)]) == 1


def test_unknown_database_is_named(make_client: ClientFactory) -> None:
    with pytest.raises(OdooUnknownDatabaseError, match="no_such_db"):
        make_client(database="no_such_db").authenticate()


# What each kind of failed call raises, whatever the transport.
TYPED_ERRORS = [
    ("x.no.such.model", "search", {"domain": []}, OdooUnknownModelError),
    ("res.partner", "no_such_method", {"ids": [1]}, OdooUnknownMethodError),
    ("res.partner", "_get_name", {"ids": [1]}, OdooUnknownMethodError),
    (
        "res.partner",
        "write",
        {"ids": [999999], "vals": {"comment": "x"}},
        OdooMissingRecordError,
    ),
    ("res.partner", "read", {"ids": [1], "fields": ["no_such_field"]}, OdooServerError),
    ("res.partner.category", "create", {"vals_list": {"color": 1}}, OdooValidationError),
]


@pytest.mark.parametrize(("model", "method", "args", "error"), TYPED_ERRORS)
def test_faults_become_typed_errors_without_retry(
    emu: OdooEmulator,
    client: OdooClient,
    model: str,
    method: str,
    args: dict[str, Any],
    error: type[Exception],
) -> None:
    client.authenticate()
    emu.reset_calls()
    with pytest.raises(error):
        client.call(model, method, **args)
    assert calls_of(emu, model, method) == 1


def test_access_error_for_a_user_without_rights(
    emu: OdooEmulator, make_client: ClientFactory
) -> None:
    emu.create_user("Limited", "limited", "limited123", groups=("internal",))
    client = make_client(username="limited", secret="limited123")
    with pytest.raises(OdooAccessError, match=r"hr\.applicant"):
        client.search_read_list("hr.applicant", [], ["partner_name"], limit=1)
    assert client.check_access_rights("hr.applicant", "read") is False
    assert client.check_access_rights("res.partner", "read") is True


def test_method_returning_none_succeeds_once_and_is_applied(
    emu: OdooEmulator, client: OdooClient
) -> None:
    partner = client.create("res.partner", {"name": "To Archive"})
    emu.reset_calls()
    assert client.call("res.partner", "action_archive", ids=[partner]) is None
    assert calls_of(emu, "res.partner", "action_archive") == 1
    rows = client.search_read_list(
        "res.partner", [("id", "=", partner)], ["active"], context={"active_test": False}
    )
    assert rows == [{"id": partner, "active": False}]


def test_read_drops_missing_ids_and_chunks(emu: OdooEmulator, make_client: ClientFactory) -> None:
    client = make_client(read_chunk_size=2)
    ids = client.search("res.partner", [], order="id asc", limit=5)
    emu.reset_calls()
    rows = client.read("res.partner", [*ids, 999999], ["name"])
    assert [r["id"] for r in rows] == ids
    assert calls_of(emu, "res.partner", "read") == 3


def test_many2one_without_names_is_a_bare_id(client: OdooClient) -> None:
    with_names = client.search_read_list("res.users", [("id", "=", 2)], ["partner_id"])
    bare = client.search_read_list("res.users", [("id", "=", 2)], ["partner_id"], names=False)
    assert with_names[0]["partner_id"] == [3, "YourCompany, Mitchell Admin"]
    assert bare[0]["partner_id"] == 3


def test_fields_get_is_cached(emu: OdooEmulator, client: OdooClient) -> None:
    first = client.fields_get("slide.channel.partner")
    emu.reset_calls()
    assert client.fields_get("slide.channel.partner") is first
    assert calls_of(emu, "slide.channel.partner", "fields_get") == 0
    assert first["channel_id"]["relation"] == "slide.channel"


def test_message_post_returns_the_message_id_and_escapes_text(
    emu: OdooEmulator, client: OdooClient
) -> None:
    message_id = client.message_post("res.partner", 3, "<b>5 < 6</b>")
    html_id = client.message_post("res.partner", 3, "<p>Done</p>", body_is_html=True)
    bodies = {
        r["id"]: r["body"]
        for r in emu.env.search_read(
            "mail.message", [("id", "in", [message_id, html_id])], fields=["body"]
        )
    }
    assert "&lt;b&gt;" in bodies[message_id]
    assert bodies[html_id] == "<p>Done</p>"


def test_create_write_and_count(client: OdooClient) -> None:
    tag = client.create("res.partner.category", {"name": "Trainee"})
    assert client.write("res.partner.category", [tag], {"name": "OJT Trainee"}) is True
    assert client.search_count("res.partner.category", [("name", "=", "OJT Trainee")]) == 1
    assert client.create_many("res.partner.category", [{"name": "A"}, {"name": "B"}])


def test_incremental_pages_survive_one_second_holding_many_rows(
    emu: OdooEmulator, client: OdooClient
) -> None:
    # One transaction stamps every row with the same microsecond value (docs/odoo-notes.md §8).
    created = client.create_many("res.partner", [{"name": f"Bulk {i}"} for i in range(25)])
    since = emu.env.search_read("res.partner", [("id", "=", created[0])], ["write_date"])
    cursor = Cursor(since[0]["write_date"])
    pages = list(client.search_read("res.partner", [], ["name"], since=cursor, page_size=4))
    ids = [row["id"] for page in pages for row in page.rows]
    assert sorted(ids) == sorted(set(ids))
    assert set(created) <= set(ids)


def test_incremental_resume_from_a_page_cursor(emu: OdooEmulator, client: OdooClient) -> None:
    created = client.create_many("res.partner", [{"name": f"R {i}"} for i in range(9)])
    start = Cursor(
        emu.env.search_read("res.partner", [("id", "=", created[0])], ["write_date"])[0][
            "write_date"
        ]
    )
    first = next(iter(client.search_read("res.partner", [], ["name"], since=start, page_size=4)))
    rest = client.search_read("res.partner", [], ["name"], since=first.cursor, page_size=4)
    seen = {r["id"] for r in first.rows} | {r["id"] for p in rest for r in p.rows}
    assert set(created) <= seen


def test_unchanged_odoo_costs_one_call(emu: OdooEmulator, client: OdooClient) -> None:
    pages = list(client.search_read("slide.channel.partner", [], ["completion"]))
    last = pages[-1].cursor
    emu.advance(5)
    emu.reset_calls()
    later = Cursor(last.rewound(-3).second)  # past every existing row
    assert list(client.search_read("slide.channel.partner", [], ["completion"], since=later)) == []
    assert calls_of(emu, "slide.channel.partner", "search_read") == 1


def test_refused_connection_is_a_connection_error(make_client: ClientFactory) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(url=f"http://127.0.0.1:{port}")
    with pytest.raises(OdooConnectionError, match="refused"):
        client.version()
    assert client.stats.retries == 2  # read-only: retried up to the cap (3 attempts)


def test_wrong_url_path_is_a_protocol_error(emu: OdooEmulator) -> None:
    from connectors import OdooSettings

    client = OdooClient(
        OdooSettings(url=f"{emu.url}/nope", database=emu.db, username="admin", secret="admin")
    )
    with pytest.raises(OdooProtocolError, match="HTTP 404"):
        client.version()

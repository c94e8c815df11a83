"""API keys as ``res.users.apikeys`` records: own rows only, and (18.0 on) an expiration date that
every transport honours, over real HTTP."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc


@dataclass
class Keys:
    emu: OdooEmulator
    rpc: Rpc
    uid: int  # an internal user made for this module
    user_key: str
    admin_key: str


@pytest.fixture(scope="module", params=["16.0", "17.0", "18.0", "19.0", "20.0"])
def keys(request: pytest.FixtureRequest) -> Iterator[Keys]:
    with OdooEmulator(version=request.param) as emu:
        uid = emu.create_user("Key User", "keyuser", "keyuser-pw")
        user_key = emu.new_api_key(uid, name="user key")
        admin_key = emu.new_api_key(name="admin key")
        yield Keys(emu, Rpc(emu), uid, user_key, admin_key)


def _major(keys: Keys) -> int:
    return int(keys.emu.version.split(".")[0])


def _expired_key(keys: Keys) -> str:
    return keys.emu.new_api_key(keys.uid, "old key", keys.emu.clock() - timedelta(minutes=1))


def _json2(emu: OdooEmulator, key: str) -> tuple[int, dict, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    headers = {
        "Authorization": f"bearer {key}",
        "X-Odoo-Database": "ojt",
        "Content-Type": "application/json",
    }
    conn.request("POST", "/json/2/res.partner/search_count", b'{"domain": []}', headers)
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return response.status, body, {k.lower(): v for k, v in response.getheaders()}


def test_each_user_reads_only_its_own_keys(keys: Keys) -> None:
    fields = ["name", "user_id", "scope", "create_date"]
    admin_rows = keys.rpc.ek("res.users.apikeys", "search_read", [[], fields])
    assert admin_rows and all(r["user_id"] == [2, "Mitchell Admin"] for r in admin_rows)
    assert "admin key" in {r["name"] for r in admin_rows}
    auth = {"uid": keys.uid, "password": keys.user_key}
    (own,) = keys.rpc.ek("res.users.apikeys", "search_read", [[], fields], **auth)
    assert (own["name"], own["scope"]) == ("user key", False)
    assert own["user_id"] == [keys.uid, "Key User"]
    assert len(own["create_date"]) == 19
    (user,) = keys.rpc.ek("res.users", "read", [[keys.uid], ["api_key_ids"]], **auth)
    assert user["api_key_ids"] == [own["id"]]
    # the admin neither finds nor reads another user's key
    assert keys.rpc.ek("res.users.apikeys", "search", [[["id", "=", own["id"]]]]) == []
    fault = keys.rpc.fault("res.users.apikeys", "read", [[own["id"]], ["name"]])
    assert fault.faultCode == 4 and "top-secret records" in fault.faultString


def test_fields_get(keys: Keys) -> None:
    got = keys.rpc.ek(
        "res.users.apikeys", "fields_get", [], {"attributes": ["string", "type", "readonly"]}
    )
    assert got["name"] == {"string": "Description", "type": "char", "readonly": True}
    assert got["user_id"] == {"string": "User", "type": "many2one", "readonly": True}
    assert got["scope"] == {"string": "Scope", "type": "char", "readonly": True}
    assert "write_uid" not in got and "create_date" in got
    if _major(keys) >= 18:
        assert got["expiration_date"] == {
            "string": "Expiration Date",
            "type": "datetime",
            "readonly": True,
        }
    else:
        assert "expiration_date" not in got


def test_expiry_is_readable_from_18(keys: Keys) -> None:
    emu = keys.emu
    fields = ["name", "user_id", "expiration_date"]
    if _major(keys) < 18:
        with pytest.raises(ValueError):
            emu.new_api_key(keys.uid, expiration=emu.clock() + timedelta(days=1))
        fault = keys.rpc.fault("res.users.apikeys", "search_read", [[], fields])
        assert "Invalid field 'expiration_date'" in fault.faultString
        return
    until = (emu.clock() + timedelta(days=30)).replace(microsecond=0)
    emu.new_api_key(name="expiring", expiration=until)
    rows = keys.rpc.ek("res.users.apikeys", "search_read", [[], fields])
    by_name = {r["name"]: r for r in rows}
    assert by_name["expiring"]["expiration_date"] == until.strftime("%Y-%m-%d %H:%M:%S")
    assert by_name["admin key"]["expiration_date"] is False


def test_expired_key_is_refused_over_xmlrpc(keys: Keys) -> None:
    if _major(keys) < 18:
        pytest.skip("no expiration date before 18.0")
    key = _expired_key(keys)
    assert keys.rpc.common.authenticate("ojt", "keyuser", key, {}) is False
    fault = keys.rpc.fault("res.partner", "search_count", [[]], uid=keys.uid, password=key)
    assert (fault.faultCode, fault.faultString) == (3, "Access Denied")
    # the valid key of the same user still works
    assert keys.rpc.common.authenticate("ojt", "keyuser", keys.user_key, {}) == keys.uid
    assert keys.rpc.ek("res.partner", "search_count", [[]], uid=keys.uid, password=keys.user_key)


def test_a_key_expires_when_the_clock_passes_its_date(keys: Keys) -> None:
    if _major(keys) < 18:
        pytest.skip("no expiration date before 18.0")
    emu = keys.emu
    key = emu.new_api_key(keys.uid, "short key", emu.clock() + timedelta(hours=1))
    assert keys.rpc.common.authenticate("ojt", "keyuser", key, {}) == keys.uid
    emu.advance(2 * 3600)
    assert keys.rpc.common.authenticate("ojt", "keyuser", key, {}) is False
    answer = keys.rpc.post_json(
        "/jsonrpc",
        {"service": "common", "method": "authenticate", "args": ["ojt", "keyuser", key, {}]},
    )
    assert answer["result"] is False


def test_expired_key_is_refused_over_json2(keys: Keys) -> None:
    if _major(keys) < 19:
        pytest.skip("JSON-2 starts with 19.0")
    status, body, head = _json2(keys.emu, _expired_key(keys))
    assert (status, body["name"], body["message"]) == (
        401,
        "werkzeug.exceptions.Unauthorized",
        "Invalid apikey",
    )
    assert head["www-authenticate"] == "Bearer "
    status, body, _ = _json2(keys.emu, keys.user_key)
    assert status == 200 and body > 0


def test_pre_18_keys_never_expire(keys: Keys) -> None:
    if _major(keys) >= 18:
        pytest.skip("checked by the expiry tests")
    keys.emu.advance(3650 * 86400)
    assert keys.rpc.common.authenticate("ojt", "keyuser", keys.user_key, {}) == keys.uid

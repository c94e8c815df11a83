"""Fixtures: a fresh emulator per test, talked to over real HTTP with stdlib clients only."""

from __future__ import annotations

import http.client
import json
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sidecar.emulator import OdooEmulator


class Rpc:
    """``ek(model, method, args, kw)`` as in docs/odoo-notes.md, plus raw JSON-RPC posts."""

    def __init__(self, emu: OdooEmulator) -> None:
        self.emu = emu
        self.common = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/2/common")
        self.models = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/2/object")

    def ek(
        self,
        model: str,
        method: str,
        args: list,
        kw: dict | None = None,
        *,
        uid: int = 2,
        password: str = "admin",
    ) -> Any:
        return self.models.execute_kw("ojt", uid, password, model, method, args, kw or {})

    def fault(
        self, model: str, method: str, args: list, kw: dict | None = None, **auth: Any
    ) -> xmlrpc.client.Fault:
        with pytest.raises(xmlrpc.client.Fault) as info:
            self.ek(model, method, args, kw, **auth)
        return info.value

    def post_json(self, path: str, params: dict, request_id: int = 1) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id})
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        conn.close()
        return data

    def jek(self, model: str, method: str, args: list, kw: dict | None = None) -> dict:
        return self.post_json(
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["ojt", 2, "admin", model, method, args, kw or {}],
            },
        )


@pytest.fixture
def emu() -> Iterator[OdooEmulator]:
    with OdooEmulator(demo=True) as emulator:
        yield emulator


@pytest.fixture
def rpc(emu: OdooEmulator) -> Rpc:
    return Rpc(emu)


def last_line(fault: xmlrpc.client.Fault) -> str:
    return fault.faultString.rstrip("\n").splitlines()[-1]


LastLine = Callable[[xmlrpc.client.Fault], str]

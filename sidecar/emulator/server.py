"""The HTTP front: routes, keep-alive, call logging and fault injection."""

from __future__ import annotations

import json
import secrets
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from . import json2_api, jsonrpc_api, xmlrpc_api
from .errors import PyError
from .faults import CallRecord, FaultRule
from .jsonrpc_api import envelope
from .versions import Profile

if TYPE_CHECKING:
    from .emulator import OdooEmulator

_XMLRPC_ROUTES = {
    "/xmlrpc/2/common": ("common", False),
    "/xmlrpc/2/object": ("object", False),
    "/xmlrpc/2/db": ("db", False),
    "/xmlrpc/common": ("common", True),
    "/xmlrpc/object": ("object", True),
    "/xmlrpc/db": ("db", True),
}
_LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Odoo</title></head><body>"
    b'<form method="post" action="/web/login"><input name="login"/>'
    b'<input name="password" type="password"/><button>Log in</button></form></body></html>'
)


class _InjectedError(PyError):
    def __init__(self, type_name: str, message: str, debug: str) -> None:
        super().__init__(type_name, message, json_name=type_name)
        self._debug = debug

    def debug(self) -> str:
        return self._debug


def injected_error(rule: FaultRule) -> PyError:
    """The JSON-RPC twin of an injected XML-RPC fault: name and message from its last line."""
    text = rule.fault_string or "Exception: injected fault"
    last = text.rstrip("\n").splitlines()[-1] if text.strip() else "Exception: injected fault"
    type_name, _, message = last.partition(": ")
    if not message or " " in type_name:
        type_name, message = "Exception", last
    return _InjectedError(type_name, message, text)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: OdooEmulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        super().__init__((host, port), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this, Nagle + delayed ACK stall
    # every keep-alive response by ~40 ms
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer
    server_version = "Werkzeug/2.0.2"
    sys_version = "Python/3.11"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read calls instead
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self._deliver_webhooks()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        """Close the connection without a byte of answer."""
        self._deliver_webhooks()
        self.close_connection = True

    def _deliver_webhooks(self) -> None:
        """Odoo posts a call's webhooks before its answer (sidecar/emulator/webhooks.py)."""
        webhooks = self.server.emulator.store.webhooks
        if webhooks is not None:
            webhooks.deliver()

    def _not_found(self) -> None:
        body = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
        self._send(404, body, "text/html; charset=utf-8")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/web/login":
            self._send(200, _LOGIN_PAGE, "text/html; charset=utf-8")
        elif path.startswith(json2_api.PREFIX) and self._profile.has_json2:
            self._answer(json2_api.not_found_get())
        else:
            self._not_found()

    @property
    def _profile(self) -> Profile:
        return self.server.emulator.profile

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        legacy = self._profile.has_legacy_rpc
        if path.startswith(json2_api.PREFIX) and self._profile.has_json2:
            self._json2(path, body)
        elif path in _XMLRPC_ROUTES and legacy:
            self._xmlrpc(body, *_XMLRPC_ROUTES[path])
        elif (path != "/jsonrpc" or legacy) and path in (
            "/jsonrpc",
            "/web/webclient/version_info",
            "/web/session/authenticate",
            "/web/session/destroy",
            "/web/session/get_session_info",
        ):
            self._json(path, body)
        else:
            self._not_found()

    # -- fault injection --------------------------------------------------------------------
    def _inject(self, record: CallRecord, on_fault: Any) -> FaultRule | None:
        """Apply a matching rule before processing; return it when processing must follow."""
        emu = self.server.emulator
        emu.record_call(record)
        if emu.store.webhooks is not None:
            emu.store.webhooks.note_call(record.model_method or record.method)
        rule = emu.faults.pick(record.service, record.model, record.model_method or record.method)
        if rule is None:
            return None
        if rule.kind == "latency":
            time.sleep(rule.seconds)
            return None
        if rule.kind == "http_status":
            body = f"<html><body><h1>{rule.status} Service Unavailable</h1></body></html>".encode()
            self._send(rule.status, body, "text/html")
            return rule
        if rule.kind == "drop_before":
            self._drop()
            return rule
        if rule.kind == "fault":
            on_fault(rule)
            return rule
        return rule if rule.kind == "drop_after" else None

    # -- JSON-2 -----------------------------------------------------------------------------
    def _answer(self, answer: json2_api.Answer) -> None:
        self._send(answer.status, answer.body, answer.content_type, answer.headers)

    def _json2(self, path: str, body: bytes) -> None:
        target = json2_api.split_path(path)
        model, method = target if target else (None, None)
        record = CallRecord("json2", "object", method, model, method)

        def send_fault(rule: FaultRule) -> None:
            err = injected_error(rule)
            status = {2: 422, 3: 401, 4: 403}.get(rule.fault_code, 500)
            body = json2_api.error_body(err.json_name, err.message, [err.message], err.debug())
            self._send(status, body, json2_api.JSON_TYPE)

        rule = self._inject(record, send_fault)
        if rule is not None and rule.kind != "drop_after":
            return
        answer = json2_api.handle(self.server.emulator.services, path, self.headers, body)
        if rule is not None:
            self._drop()
            return
        self._answer(answer)

    # -- XML-RPC ----------------------------------------------------------------------------
    def _xmlrpc(self, body: bytes, service: str, legacy: bool) -> None:
        emu = self.server.emulator
        try:
            method, params = xmlrpc_api.decode(body)
        except Exception:  # malformed XML: answer like a broken request
            self._send(400, b"Bad Request", "text/plain")
            return
        model, model_method = xmlrpc_api.describe(service, method, params)
        record = CallRecord("xmlrpc", service, method, model, model_method)

        def send_fault(rule: FaultRule) -> None:
            text = rule.fault_string or PyError("Exception", "injected fault").fault_string()
            self._send(200, xmlrpc_api.fault_body(rule.fault_code, text), "text/xml")

        rule = self._inject(record, send_fault)
        if rule is not None and rule.kind != "drop_after":
            return
        answer = xmlrpc_api.respond(emu.services, service, method, params, legacy)
        if rule is not None:
            self._drop()
            return
        self._send(200, answer, "text/xml")

    # -- JSON -------------------------------------------------------------------------------
    def _json(self, path: str, body: bytes) -> None:
        emu = self.server.emulator
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._send(400, b"Bad Request", "text/plain")
            return
        request_id = payload.get("id") if isinstance(payload, dict) else None
        params = payload.get("params") if isinstance(payload, dict) else None
        if path == "/jsonrpc":
            service, method, model, model_method = jsonrpc_api.describe(params)
        else:
            service, method, model, model_method = "web", path, None, None
        record = CallRecord("jsonrpc", service, method, model, model_method)

        def send_fault(rule: FaultRule) -> None:
            code = self._profile.jsonrpc_error_code
            answer = envelope(request_id, error=injected_error(rule), code=code)
            self._send(200, answer, "application/json")

        rule = self._inject(record, send_fault)
        if rule is not None and rule.kind != "drop_after":
            return
        headers: dict[str, str] = {}
        if path == "/jsonrpc":
            answer = jsonrpc_api.call(emu.services, request_id, params)
        elif path == "/web/session/authenticate":
            answer, uid = jsonrpc_api.authenticate(emu.services, request_id, params)
            if uid is not None:
                sid = secrets.token_hex(20)
                headers["Set-Cookie"] = f"session_id={sid}; HttpOnly; Path=/; SameSite=Lax"
        elif path == "/web/session/get_session_info":
            answer = envelope(request_id, jsonrpc_api.session_info(emu.services, 2, "ojt"))
        elif path == "/web/session/destroy":
            answer = envelope(request_id, None)
        else:
            answer = envelope(request_id, emu.services.dispatch("common", "version", []))
        if rule is not None:
            self._drop()
            return
        self._send(200, answer, "application/json", headers)

"""JSON-2, Odoo 19's external API and the one that outlives XML-RPC and JSON-RPC: one
`POST /json/2/<model>/<method>` per call, named arguments as the JSON body, the API key as a
bearer token and the database in `X-Odoo-Database` (docs/odoo-notes.md §22).

Each call is its own transaction on the server, and a failure is an HTTP status with a JSON body
naming the exception: 401 for a wrong, revoked or expired key; 403, 404, 422 and 500 for what
Odoo raised (the transaction was rolled back, so nothing was applied); 502-504 from a gateway.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from connectors import errors, faults
from connectors.http_post import Answer, KeptAlive
from connectors.transport import Credentials, Endpoint, check_http_status

# Statuses whose body names the exception Odoo raised inside its (rolled-back) transaction.
_RAISED = (400, 403, 404, 422, 500)


class Json2Transport:
    name = "json2"

    def __init__(self, endpoint: Endpoint, timeout: float, credentials: Credentials) -> None:
        self.credentials = credentials
        self._endpoint = endpoint
        self._http = KeptAlive(endpoint, timeout)

    def version(self) -> dict[str, Any]:
        """JSON-2 has no version call: the web client's own route answers without a key."""
        body = {"jsonrpc": "2.0", "method": "call", "params": {}}
        answer = self._http.post(
            "/web/webclient/version_info",
            json.dumps(body).encode(),
            {"Content-Type": "application/json"},
        )
        raw = check_http_status(answer.status, answer.body, str(self._endpoint), None, None)
        result = _json(raw, self._endpoint).get("result")
        if not isinstance(result, dict):
            raise errors.OdooProtocolError(f"{self._endpoint} did not say its version")
        return result

    def login(self) -> int | None:
        """The key is the login: the user it belongs to, or None when Odoo refuses it."""
        try:
            context = self.call("res.users", "context_get", None, {})
        except errors.OdooAuthenticationError:
            return None
        uid = context.get("uid") if isinstance(context, dict) else None
        return int(uid) if isinstance(uid, int) else None

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        body = {**params, **({"ids": list(ids)} if ids is not None else {})}
        answer = self._http.post(
            f"/json/2/{model}/{method}",
            json.dumps(body).encode(),
            {
                "Content-Type": "application/json",
                "Authorization": f"bearer {self.credentials.secret}",
                "X-Odoo-Database": self.credentials.database,
            },
            model=model,
            method=method,
        )
        if answer.status == 200:
            return json.loads(answer.body) if answer.body.strip() else None
        raise self._error(answer, model, method)

    def close(self) -> None:
        self._http.close()

    def _error(self, answer: Answer, model: str, method: str) -> errors.OdooError:
        where: dict[str, Any] = {"model": model, "method": method}
        if answer.status == 401:
            return errors.OdooAuthenticationError(
                f"Odoo refused the API key of {self.credentials.login!r} "
                "(wrong, revoked or expired); JSON-2 needs an API key, not a password",
                **where,
            )
        is_json = answer.content_type.startswith("application/json")
        if answer.status in _RAISED and is_json:
            raised = faults.from_json2_error(_json(answer.body, self._endpoint))
            return faults.classify(raised, **where)
        if answer.status == 404:
            return errors.OdooProtocolError(
                f"{self._endpoint} has no JSON-2 API for database "
                f"{self.credentials.database!r} (JSON-2 needs Odoo 19 or later; "
                "use transport: xmlrpc for older servers)",
                **where,
            )
        check_http_status(answer.status, answer.body, str(self._endpoint), model, method)
        return errors.OdooProtocolError(
            f"{self._endpoint} answered HTTP {answer.status}", may_have_applied=True, **where
        )


def _json(raw: bytes, endpoint: Endpoint) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise errors.OdooProtocolError(f"the answer from {endpoint} is not JSON") from None
    if not isinstance(value, dict):
        raise errors.OdooProtocolError(f"the answer from {endpoint} is not a JSON object")
    return value

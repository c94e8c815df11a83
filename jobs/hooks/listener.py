"""The hook listener: `POST /hooks/odoo/<secret>`, answered at once, before any read.

Odoo's webhook action sends no header to authenticate with, so the secret is in the URL: a
wrong one is a 404, as for any other path. The body is a hint and nothing more: only its model
(`_model`) and record id (`_id`, else `id`) are looked at, to queue the record to be read from
Odoo; the values Odoo posted are never stored. So a forged, replayed or rolled-back hook can at
worst cause a read. Answers: 202 queued, 400 a body that is not a hook of a mirrored model, 404
wrong path, 405 not a POST, 413 too large, 503 the queue is full (the poll catches up). Never a
5xx, never a traceback: Odoo's write waits for this answer (up to 1 s), so it is given without
touching the store or Odoo.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from jobs.hooks.queue import HintQueue
from sidecar.config.hooks import HOOK_PATH

log = logging.getLogger("ojt_sidecar.hooks")

PREFIX = HOOK_PATH
MAX_BODY = 64 * 1024  # Odoo posts a few fields: a few hundred bytes

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

_REASONS = {
    202: "Accepted",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    503: "Service Unavailable",
}


class BadHook(ValueError):
    """A body that is not a webhook notification of a mirrored model."""


class HookApp:
    """The WSGI app. `models`: the model names a hint may name."""

    def __init__(self, secret: str, models: Iterable[str], queue: HintQueue) -> None:
        self._path = (PREFIX + secret).encode()
        self.models = frozenset(models)
        self.queue = queue

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        try:
            code, text = self._answer(environ)
        except Exception:  # never a 5xx: whatever went wrong, the hint is dropped, the poll stays
            log.warning("hook refused: could not be read", exc_info=log.isEnabledFor(logging.DEBUG))
            code, text = 400, "unreadable request"
        return _reply(start_response, code, text)

    def _answer(self, environ: Environ) -> tuple[int, str]:
        path = str(environ.get("PATH_INFO", "")).encode("latin-1", "replace")
        if not hmac.compare_digest(path, self._path):
            return 404, "not found"
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, "POST only"
        length = _length(environ)
        if length < 0:
            return 400, "bad Content-Length"
        if length > MAX_BODY:
            return 413, "body too large"
        try:
            model, rid = parse_hook(environ["wsgi.input"].read(length), self.models)
        except BadHook as exc:
            log.info("hook refused: %s", exc)
            return 400, str(exc)
        if not self.queue.offer(model, rid):
            log.warning(
                "hook for %s %d refused: %d records wait already", model, rid, len(self.queue)
            )
            return 503, "busy: the next poll will read it"
        return 202, "queued"


def parse_hook(body: bytes, models: frozenset[str]) -> tuple[str, int]:
    """(model, id) of a webhook body, or BadHook with a plain sentence."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadHook("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadHook("the body is not a JSON object")
    model = data.get("_model")
    if not isinstance(model, str):
        raise BadHook("the body has no _model")
    if model not in models:
        raise BadHook(f"{model[:64]!r} is not a model the sidecar mirrors")
    rid = data.get("_id", data.get("id"))
    if isinstance(rid, bool) or not isinstance(rid, int) or not 0 < rid < 2**63:
        raise BadHook("the body has no record id (_id)")
    return model, rid


def _length(environ: Environ) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return -1


def _reply(start_response: StartResponse, code: int, text: str) -> list[bytes]:
    body = json.dumps({"ok": code == 202, "message": text}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    if code == 503:
        headers.append(("Retry-After", "60"))
    start_response(f"{code} {_REASONS[code]}", headers)
    return [body]

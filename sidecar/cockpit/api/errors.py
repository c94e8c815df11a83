"""The API's errors: JSON `{"error": code, "message": one sentence}`, whatever went wrong,
including what Flask itself answers under /api/ (no route, wrong method)."""

from __future__ import annotations

from flask import Response, json
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
}
MESSAGES = {
    400: "The request could not be read.",
    401: "This address needs a bearer token (Authorization: Bearer ojt_...).",
    403: "This token's scopes do not open this address.",
    404: "There is nothing at this address.",
    405: "This API only answers GET requests.",
    413: "That is more than this API accepts.",
    429: "Too many requests for this token; wait and try again.",
    500: "Something went wrong on our side; please try again later.",
}
# Headers of Flask's own error answers worth keeping (405's list of methods).
KEPT = ("Allow",)


class ApiError(Exception):
    """Raised by the API's views and guards; answered by `problem`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def problem(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    phrase = HTTP_STATUS_CODES.get(status, "error")
    body = {
        "error": CODES.get(status) or phrase.lower().replace(" ", "_"),
        "message": message or MESSAGES.get(status) or f"{phrase}.",
    }
    answer = Response(json.dumps(body), status=status, mimetype="application/json")
    answer.headers.update(headers or {})
    return answer


def from_api_error(exc: ApiError) -> Response:
    return problem(exc.status, exc.message, exc.headers)


def from_http(exc: HTTPException) -> Response:
    """Flask's own answers (404, 405, 413, ...) as API errors; never HTML."""
    code = exc.code or 500
    kept = {k: v for k, v in exc.get_headers() if k in KEPT}
    return problem(code, None, kept)

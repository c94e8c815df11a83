"""What a request may ask (one pydantic model per address: its query and path parameters, from
which the OpenAPI document describes them too), the opaque cursor of a page, and the answer
with its strong ETag."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from flask import Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar.cockpit.api.errors import ApiError
from sidecar.config.fieldtypes import MAX_ODOO_ID
from sidecar.statuses import BatchStatus, StudentStatus

LIMIT = 100
MAX_LIMIT = 500
BIGGEST = 2**63 - 1  # a store id or an Odoo id as the store keeps it (BIGINT)

# A program's or batch's key: the config's slugs, and `event#<id>` for batches made in Odoo.
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_#-]{0,63}$", max_length=64)]
PartnerId = Annotated[int, Field(ge=1, le=MAX_ODOO_ID, description="An Odoo contact's id.")]


class Listing(BaseModel):
    """Every list: `limit` rows a page, after `cursor`."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page, 1 to 500.")
    cursor: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,80}$",
        description="The `next_cursor` of the previous page; absent for the first page.",
    )


class ProgramArgs(Listing):
    pass


class BatchArgs(Listing):
    program: Key | None = Field(None, description="Only this program's batches (its key).")
    status: BatchStatus | None = Field(None, description="Only batches in this status.")


class TraineeArgs(Listing):
    program: Key | None = Field(None, description="Only this program's trainees (its key).")
    batch: Key | None = Field(None, description="Only this batch's trainees (its key).")
    status: StudentStatus | None = Field(None, description="Only trainees in this status.")


class TraineePath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: PartnerId


class ProgressArgs(Listing):
    program: Key | None = Field(None, description="Only this program's courses (its key).")
    partner: PartnerId | None = Field(None, description="Only this trainee (Odoo contact id).")


class BatchRowArgs(Listing):
    """Rows that belong to a batch: attendance, scores, certificates."""

    program: Key | None = Field(None, description="Only this program (its key).")
    batch: Key | None = Field(None, description="Only this batch (its key).")
    partner: PartnerId | None = Field(None, description="Only this trainee (Odoo contact id).")


A = TypeVar("A", bound=BaseModel)


def parse(model: type[A], path: Mapping[str, Any]) -> A:
    """The request's parameters as `model`; ApiError 400 with a sentence for an unknown,
    repeated or bad query parameter, 404 for a path that names nothing."""
    args = request.args
    for name in args:
        if name in path or len(args.getlist(name)) > 1:
            raise ApiError(400, f"Give the query parameter {_shown(name)} once, or not at all.")
    try:
        return model.model_validate({**args.to_dict(), **path})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        if name in path:
            raise ApiError(404, "There is nothing at this address.") from None
        if first["type"] == "extra_forbidden":
            known = ", ".join(n for n in model.model_fields if n not in path) or "none"
            message = f"There is no query parameter {_shown(name)} here (known: {known})."
        elif first["type"] == "string_pattern_mismatch":  # the regex would say little
            message = (
                f"The query parameter {_shown(name)} is not valid: it does not have the form it"
                " takes (see /api/v1/openapi.json)."
            )
        else:
            why = str(first["msg"])
            message = (
                f"The query parameter {_shown(name)} is not valid: {why[:1].lower()}{why[1:]}."
            )
        raise ApiError(400, message) from None


def _shown(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:39] + "…")


def cursor_of(*keys: int) -> str:
    """An opaque cursor for the row after `keys` (its place in the order)."""
    text = ",".join(str(k) for k in keys)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def after(cursor: str | None, size: int = 1) -> tuple[int, ...] | None:
    """The keys a cursor stands for; ApiError 400 when it is not one of ours."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    parts = text.split(",")
    if len(parts) != size or not all(p.isascii() and p.isdigit() and len(p) <= 19 for p in parts):
        raise ApiError(400, "This cursor is not one this API gave; start again without it.")
    keys = tuple(int(p) for p in parts)
    if any(k > BIGGEST for k in keys):
        raise ApiError(400, "This cursor is not one this API gave; start again without it.")
    return keys


def answer(body: str | bytes) -> Response:
    """JSON `body` with a strong ETag of it; 304 with no body when the request's If-None-Match
    names that ETag."""
    response = Response(body, mimetype="application/json")
    response.add_etag()
    response.make_conditional(request)  # werkzeug turns the same object into the 304
    return response

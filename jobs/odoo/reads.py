"""What the app adapters share: the shape of a stream (a declared, typed read), the config's
Odoo ids (`Scope`), what an app needs of Odoo (`AppNeeds`, for `ojt-sidecar check`), and the
conversions of raw field values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement

from connectors import OdooClient

Row = dict[str, Any]
# Archived rows too: Odoo archives some rows instead of deleting them, and a config may name
# an archived course or event.
WITH_ARCHIVED = {"active_test": False}


@dataclass(frozen=True)
class Scope:
    """The Odoo ids the configuration covers, resolved once per cycle."""

    channel_ids: tuple[int, ...]
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class Stream:
    """One model the sync mirrors: its fields (only those), its domain from the scope, the mirror
    table it lands in, and how one row (many2one values as bare ids, `load=''`) maps to that
    table's columns."""

    name: str
    model: str
    fields: tuple[str, ...]
    table: type[Any]
    domain: Callable[[Scope], list[Any]]
    to_columns: Callable[[Row], dict[str, Any]]
    # Which of our mirror rows the domain covers (the reconcile pass compares those only).
    local_scope: Callable[[Scope], ColumnElement[bool]]
    # Odoo archives rather than deletes some rows: read them too, so an archive is seen.
    include_archived: bool = False
    scoped_by: Literal["courses", "events"] = "courses"

    def applies(self, scope: Scope) -> bool:
        return bool(scope.event_ids if self.scoped_by == "events" else scope.channel_ids)

    @property
    def content_fields(self) -> list[str]:
        """What a read by content asks for: the stream's fields and the stamp the loader keeps."""
        return [*self.fields, "write_date"]

    @property
    def context(self) -> dict[str, Any] | None:
        """The context its reads need: archived rows included where the stream reads them."""
        return WITH_ARCHIVED if self.include_archived else None

    def signature(self, scope: Scope) -> str:
        """Changes when the stream's domain does: its cursor then restarts from the beginning."""
        return repr(self.domain(scope))


@dataclass(frozen=True)
class AppNeeds:
    """What the sidecar reads and writes in one Odoo app, as `ojt-sidecar check` verifies it."""

    label: str
    reads: tuple[str, ...]  # models
    writes: tuple[tuple[str, str], ...]  # (model, operation)
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # fields read, per model


def fields_of(
    streams: Iterable[Stream], *extra: tuple[str, tuple[str, ...]]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The fields each stream reads, per model, plus `extra` reads: for `AppNeeds.fields`."""
    return (*((s.model, s.fields) for s in streams), *extra)


class OddRow(ValueError):
    """An Odoo row the sidecar cannot use (a required link is empty); it is skipped."""


def m2o(value: Any) -> int | None:
    """A many2one as read: False, a bare id (load='') or [id, name]."""
    if type(value) is int:  # the sync's reads (load=''), first: it runs for every row
        return value
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def required(row: Row, name: str) -> int:
    value = m2o(row.get(name))
    if value is None:
        raise OddRow(f"record {row.get('id')} has no {name}")
    return value


def as_int(value: Any) -> int:
    return int(value) if value not in (False, None) else 0


def as_text(value: Any) -> str | None:
    return str(value) if value not in (False, None) else None


def find_named(
    client: OdooClient, model: str, ref: int | str, name_field: str = "name", *, limit: int
) -> list[tuple[int, str]]:
    """Records the config names by id or exact name: (id, display name) of at most `limit`."""
    rows = client.search_read_list(
        model, ref_domain(ref, name_field), ["id", "display_name"], limit=limit
    )
    return [(int(r["id"]), str(r["display_name"])) for r in rows]


def ref_domain(ref: int | str, name_field: str = "name") -> list[Any]:
    """A record the config names by id or by exact name (or login)."""
    if isinstance(ref, int):
        return [("id", "=", ref)]
    return [(name_field, "=", ref.strip())]

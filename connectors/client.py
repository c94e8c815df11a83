"""OdooClient: the one way the rest of ojt-sidecar reads and writes Odoo.

It authenticates lazily, retries what is safe to retry (`connectors.retry`), pages incremental
reads (`connectors.paging`), chunks large reads, and caches `fields_get`. It returns plain Python
values (dicts, lists, ints) and raises only `connectors.errors` types.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors import errors
from connectors.paging import Cursor, Page, iter_pages
from connectors.retry import READ_ONLY_METHODS, RetryPolicy, call_with_retry
from connectors.transport import Credentials, Endpoint, Transport

log = logging.getLogger("ojt_sidecar.odoo")


@dataclass(frozen=True)
class OdooSettings:
    """How to reach Odoo; built from the operator's config by the caller."""

    url: str
    database: str
    username: str
    secret: str = field(repr=False)  # password or API key: Odoo accepts either in the same place
    transport: str = "xmlrpc"  # "xmlrpc" | "jsonrpc" | "json2" | "auto"
    api_key: bool = False  # the secret is an API key (JSON-2 takes nothing else)
    timeout_seconds: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    page_size: int = 1000
    read_chunk_size: int = 500
    parallel_reads: int = 1  # connections a first or full sync pass reads with


@dataclass(frozen=True)
class ServerVersion:
    version: str  # "17.0", "saas~17.2", "17.0+e"
    serie: str
    major: int
    info: tuple[Any, ...]
    protocol_version: int


@dataclass
class CallStats:
    """Counters for /metrics and tests: calls sent, calls failed, retries made."""

    calls: int = 0
    errors: int = 0
    retries: int = 0
    by_method: dict[str, int] = field(default_factory=dict)


def make_transport(settings: OdooSettings) -> Transport:
    endpoint = Endpoint.parse(settings.url)
    credentials = Credentials(settings.database, settings.username, settings.secret)
    if settings.transport == "xmlrpc":
        from connectors.xmlrpc_transport import XmlRpcTransport

        return XmlRpcTransport(endpoint, settings.timeout_seconds, credentials)
    if settings.transport == "auto":
        from connectors.auto_transport import AutoTransport

        return AutoTransport(
            endpoint, settings.timeout_seconds, credentials, api_key=settings.api_key
        )
    if settings.transport == "json2":
        from connectors.json2_transport import Json2Transport

        return Json2Transport(endpoint, settings.timeout_seconds, credentials)
    if settings.transport == "jsonrpc":
        from connectors.jsonrpc_transport import JsonRpcTransport

        return JsonRpcTransport(endpoint, settings.timeout_seconds, credentials)
    raise ValueError(
        f"unknown transport {settings.transport!r} (use auto, xmlrpc, jsonrpc or json2)"
    )


class OdooClient:
    """A connection to one Odoo database as one user."""

    def __init__(self, settings: OdooSettings, transport: Transport | None = None) -> None:
        self.settings = settings
        self._transport = transport or make_transport(settings)
        self._uid: int | None = None
        self._version: ServerVersion | None = None
        self._fields_cache: dict[tuple[str, tuple[str, ...]], dict[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.stats = CallStats()

    @property
    def transport(self) -> Transport:
        """The wire this client speaks over (a dry run wraps it to record writes)."""
        return self._transport

    # -- session ---------------------------------------------------------------------------------

    def version(self) -> ServerVersion:
        """The server's version, asked once per client (it changes only with an upgrade and a
        restart, which a long-running service notices through its next client)."""
        with self._lock:
            known = self._version
        if known is not None:
            return known
        raw = self._retrying("version", True, self._transport.version)
        info = tuple(raw.get("server_version_info") or ())
        version = str(raw.get("server_version", ""))
        major = info[0] if info and isinstance(info[0], int) else _major_of(version)
        found = ServerVersion(
            version=version,
            serie=str(raw.get("server_serie", version)),
            major=major,
            info=info,
            protocol_version=int(raw.get("protocol_version", 1)),
        )
        with self._lock:
            self._version = found
        return found

    def authenticate(self) -> int:
        """Log in; the uid. Odoo answers a bad password with False, which we turn into an error."""
        s = self.settings
        uid = self._retrying("authenticate", True, self._transport.login)
        if uid is None:
            raise errors.OdooAuthenticationError(
                f"Odoo refused the login {s.username!r} on database {s.database!r}: "
                "wrong login, password or API key"
            )
        self._uid = int(uid)
        return self._uid

    def share_login(self, other: OdooClient) -> bool:
        """Take the login of `other`, a client with the same settings that has logged in,
        rather than log in again (a login costs Odoo a slow password hash). False, and nothing
        taken, where `other` has not logged in or this transport logs in otherwise."""
        with other._lock:
            uid = other._uid
        adopt = getattr(self._transport, "adopt", None)
        if uid is None or adopt is None or other.settings != self.settings:
            return False
        adopt(uid)
        with self._lock:
            self._uid = uid
        return True

    @property
    def uid(self) -> int:
        with self._lock:
            return self._uid if self._uid is not None else self.authenticate()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> OdooClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generic call ----------------------------------------------------------------------------

    def call(
        self, model: str, method: str, *, ids: Sequence[Any] | None = None, **params: Any
    ) -> Any:
        """`model.method` on the records `ids` (none for a model method such as `search`), with
        named parameters as Odoo names them; None for methods returning nothing."""
        _ = self.uid  # log in first, as a read: a refused login is never a write's failure
        record_ids = None if ids is None else list(ids)
        return self._retrying(
            f"{model}.{method}",
            method in READ_ONLY_METHODS,
            lambda: self._transport.call(model, method, record_ids, params),
        )

    # -- reads -----------------------------------------------------------------------------------

    def search(
        self,
        model: str,
        domain: Sequence[Any],
        *,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        kwargs = _without_none(order=order, limit=limit, offset=offset or None, context=context)
        return list(self.call(model, "search", domain=list(domain), **kwargs))

    def search_count(
        self, model: str, domain: Sequence[Any], *, context: dict[str, Any] | None = None
    ) -> int:
        count = self.call(
            model, "search_count", domain=list(domain), **_without_none(context=context)
        )
        return int(count)

    def search_read_list(
        self,
        model: str,
        domain: Sequence[Any],
        fields: Sequence[str],
        *,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        names: bool = True,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One `search_read` call. `names=False` reads many2one values as bare ids (`load=''`),
        which halves Odoo's time on large pages (docs/odoo-notes.md §20)."""
        kwargs = _without_none(
            fields=list(fields),
            order=order,
            limit=limit,
            offset=offset or None,
            context=context,
            load=None if names else "",
        )
        return list(self.call(model, "search_read", domain=list(domain), **kwargs))

    def search_read(
        self,
        model: str,
        domain: Sequence[Any],
        fields: Sequence[str],
        *,
        since: Cursor | None = None,
        page_size: int | None = None,
        names: bool = False,
        context: dict[str, Any] | None = None,
    ) -> Iterator[Page]:
        """Pages of rows changed at or after `since`, in (write_date, id) order, each with the
        cursor to store once its rows are stored. See `connectors.paging` for why this is safe
        against Odoo's second-truncated write_date."""
        wanted = list(dict.fromkeys([*fields, "id", "write_date"]))

        def fetch(domain_: list[Any], order: str, limit: int) -> list[dict[str, Any]]:
            return self.search_read_list(
                model, domain_, wanted, order=order, limit=limit, names=names, context=context
            )

        return iter_pages(
            fetch, domain, since=since, page_size=page_size or self.settings.page_size
        )

    def read(
        self,
        model: str,
        ids: Iterable[int],
        fields: Sequence[str],
        *,
        names: bool = True,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """`read` in chunks of `read_chunk_size`; missing ids are dropped, as Odoo does."""
        id_list = list(ids)
        size = self.settings.read_chunk_size
        kwargs = _without_none(context=context, load=None if names else "")
        rows: list[dict[str, Any]] = []
        for start in range(0, len(id_list), size):
            chunk = id_list[start : start + size]
            rows.extend(self.call(model, "read", ids=chunk, fields=list(fields), **kwargs))
        return rows

    def fields_get(
        self, model: str, attributes: Sequence[str] = ("string", "type", "relation", "required")
    ) -> dict[str, dict[str, Any]]:
        """Field definitions, cached per (model, attributes): they change only on module upgrade."""
        key = (model, tuple(attributes))
        if key not in self._fields_cache:
            self._fields_cache[key] = self.call(model, "fields_get", attributes=list(attributes))
        return self._fields_cache[key]

    def check_access_rights(self, model: str, operation: str) -> bool:
        """Whether the user may `operation` ('read', 'write', 'create', 'unlink') on `model`.
        Odoo 18 replaced `check_access_rights` with `has_access` (on no records: the model)."""
        if self.version().major >= 18:
            return bool(self.call(model, "has_access", ids=[], operation=operation))
        return bool(
            self.call(model, "check_access_rights", operation=operation, raise_exception=False)
        )

    # -- writes ----------------------------------------------------------------------------------

    def create(
        self, model: str, values: dict[str, Any], *, context: dict[str, Any] | None = None
    ) -> int:
        made = self.call(model, "create", vals_list=values, **_without_none(context=context))
        return _one_id(made)

    def create_many(
        self,
        model: str,
        values: Sequence[dict[str, Any]],
        *,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        return list(
            self.call(model, "create", vals_list=list(values), **_without_none(context=context))
        )

    def write(
        self,
        model: str,
        ids: Sequence[int],
        values: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
    ) -> bool:
        return bool(
            self.call(model, "write", ids=ids, vals=values, **_without_none(context=context))
        )

    def unlink(self, model: str, ids: Sequence[int]) -> bool:
        return bool(self.call(model, "unlink", ids=ids))

    def message_post(
        self,
        model: str,
        res_id: int,
        body: str,
        *,
        subtype_xmlid: str = "mail.mt_note",
        message_type: str = "comment",
        partner_ids: Sequence[int] = (),
        attachment_ids: Sequence[int] = (),
        body_is_html: bool = False,
        subject: str | None = None,
    ) -> int:
        """Post on a record's chatter; the new mail.message id.

        Odoo escapes `body` unless `body_is_html` (docs/odoo-notes.md §10); Odoo 16 does not,
        so the client escapes it there. `partner_ids` are notified by e-mail even on a note;
        ids must be plain ints, never x2many commands.
        """
        if not body_is_html and self.version().major < 17:
            body = html.escape(body, quote=False)
        kwargs: dict[str, Any] = {
            "body": body,
            "message_type": message_type,
            "subtype_xmlid": subtype_xmlid,
        }
        if partner_ids:
            kwargs["partner_ids"] = [int(p) for p in partner_ids]
        if attachment_ids:
            kwargs["attachment_ids"] = [int(a) for a in attachment_ids]
        if body_is_html:
            kwargs["body_is_html"] = True
        if subject is not None:
            kwargs["subject"] = subject
        return _one_id(self.call(model, "message_post", ids=[res_id], **kwargs))

    # -- internals -------------------------------------------------------------------------------

    def _retrying(self, what: str, read_only: bool, fn: Any) -> Any:
        def counted() -> Any:
            self.stats.calls += 1
            self.stats.by_method[what] = self.stats.by_method.get(what, 0) + 1
            try:
                return fn()
            except errors.OdooError:
                self.stats.errors += 1
                raise

        def on_retry(_: errors.OdooError) -> None:
            self.stats.retries += 1

        return call_with_retry(
            counted, policy=self.settings.retry, read_only=read_only, what=what, on_retry=on_retry
        )


def _one_id(result: Any) -> int:
    """The id of the one record a call made: a bare id, or (Odoo 19's `message_post`, and
    every recordset over JSON-2) a list holding it."""
    return int(result[0] if isinstance(result, list) else result)


def _without_none(**kwargs: Any) -> dict[str, Any]:
    return {key: value for key, value in kwargs.items() if value is not None}


def _major_of(version: str) -> int:
    digits = "".join(ch for ch in version.split(".")[0] if ch.isdigit())
    return int(digits) if digits else 0

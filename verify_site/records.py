"""The site's read-only view of the certificate register (the sidecar store).

The site never migrates, and writes one thing only: a holder's choice to hide their page's
details (verify_site/privacy.py). A store whose schema is missing or behind this version makes
/healthz say so and the pages answer 503, until the sidecar (`ojt-sidecar db upgrade`) fixes it.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from sidecar.certificates.document import CertificateFields
from sidecar.certificates.sharing import holder_link
from sidecar.certificates.status import Status, certificate_status
from sidecar.store.engine import make_engine
from sidecar.store.migrate import current_revision, head_revision, known_revisions
from sidecar.store.models import Certificate, StatusList
from verify_site.register_errors import STORE_DOWN, Dropped, RegisterUnavailable, failed
from verify_site.status_query import StatusQuery

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MAX_SUCCESSOR_HOPS = 20  # a re-issue chain longer than this is a data error, not a loop to follow
# Connections kept in the pool: at least the server's threads (verify_site.serve.THREADS = 8).
# With SQLAlchemy's default of 5, whenever more than 5 threads are in a query at once, the extra
# connections are opened and closed again on their return: on PostgreSQL a new backend each
# time, and its prepared status query lost with it.
POOL_SIZE = 10
MAX_TOKEN = 128  # a holder token is 32 characters; anything much longer is not one


@dataclass(frozen=True)
class CertificateView:
    """What the pages show of one certificate: plain values, no ORM row outside a session."""

    serial: str
    participant_name: str
    program_name: str
    batch_name: str | None
    batch_start: date | None  # from the signed payload (format 2); None on format 1
    batch_end: date | None
    issuer: str
    issue_date: date
    expires_on: date | None
    total_assignments: int
    average_score: float | None
    payload: str
    signature: str
    key_id: str
    pdf_path: str
    status: Status
    current_serial: str | None  # for a superseded certificate: the one that replaces it
    status_index: int | None = None  # None: issued before Open Badges credentials
    lang: str | None = None  # its language (sidecar/i18n); None: issued before languages
    previous_serial: str | None = None  # the certificate it replaced (a re-issue or renewal)
    holder_token: str | None = field(default=None, repr=False)  # the holder's key (privacy)

    @property
    def hidden(self) -> bool:
        """The holder hid the page's details (`status.hidden`)."""
        return self.status.hidden

    def opened_by(self, token: str | None) -> bool:
        """Whether `token` is the holder's (compared in constant time): it shows the details
        while hidden, and opens the privacy choice (verify_site/privacy.py)."""
        if not token or not self.holder_token or len(token) > MAX_TOKEN:
            return False
        return hmac.compare_digest(token.encode(), self.holder_token.encode())


def own_link(page_url: str, cert: CertificateView) -> str:
    """The holder's own address of the page (`page_url` with their token): the details, hidden
    or not."""
    return holder_link(page_url, cert.holder_token or "")


class Register:
    """One engine per site; a pooled connection per look-up."""

    def __init__(self, url: str) -> None:
        # No pre-ping: on PostgreSQL it is a round trip per look-up, a third of the page's cost
        # (bench/cert_bench.py). A connection that died with the server is retried once below.
        #
        # On PostgreSQL every statement commits by itself (the site only reads, one statement
        # per answer): no transaction stays open, the pool's rollback on return is no round trip,
        # and psycopg keeps the status query prepared (a ROLLBACK would drop it).
        extra = {"isolation_level": "AUTOCOMMIT"} if _is_postgres(url) else {}
        self.engine: Engine = make_engine(url, pool_pre_ping=False, pool_size=POOL_SIZE, **extra)
        self._schema_ok = False  # latched once seen at head: a schema only moves forward
        self._status_query = StatusQuery(self.engine)
        self._lock = threading.Lock()
        self._read_together = threading.local()  # .rows: statuses read for a round, by serial

    def close(self) -> None:
        self.engine.dispose()

    def schema_problem(self) -> str | None:
        """None when the store is reachable and its schema is this version's; else why not."""
        return self._retrying(self._schema_once)

    def check_health(self) -> str | None:
        """None when the schema is current and the certificates table answers a query.

        A connection the server dropped (a restarted PostgreSQL: the site does not pre-ping) is
        retried once on a fresh one, so a store that is back answers healthy at once.
        """
        return self._retrying(self._health_once)

    def _retrying(self, attempt: Callable[[], str | None]) -> str | None:
        try:
            return attempt()
        except Dropped:
            log.info("a pooled store connection was dropped; checking again on a fresh one")
        try:
            return attempt()
        except Dropped as exc:
            log.warning("store unreachable", exc_info=exc.__cause__)
            return STORE_DOWN

    def _schema_once(self) -> str | None:
        try:
            current = current_revision(self.engine)
        except SQLAlchemyError as exc:
            return failed(exc, STORE_DOWN)
        head = head_revision()  # read from the scripts once per process
        if current is None:
            return "the store has no schema yet: run `ojt-sidecar db upgrade`"
        if current != head and current not in known_revisions():
            # A store already upgraded by a newer sidecar: migrations only add, so this site
            # keeps answering during a rolling upgrade instead of going dark.
            log.info("store schema %s is newer than this site's %s", current, head)
            return None
        if current != head:
            return (
                f"the store schema is at {current}, this version needs {head}:"
                " run `ojt-sidecar db upgrade` (or update this site)"
            )
        return None

    def _health_once(self) -> str | None:
        problem = self._schema_once()
        if problem is not None:
            return problem
        try:
            with self.engine.connect() as connection:
                connection.execute(_ANY_CERTIFICATE).all()
        except SQLAlchemyError as exc:
            return failed(exc, "the certificates table does not answer")
        with self._lock:
            self._schema_ok = True
        return None

    def _ensure_schema(self) -> None:
        if self._schema_ok:
            return
        problem = self.schema_problem()
        if problem is not None:
            raise RegisterUnavailable(problem)
        with self._lock:
            self._schema_ok = True

    def find(self, serial: str, today: date) -> CertificateView | None:
        """The certificate with this canonical serial, or None.

        One Core statement on a pooled connection, no ORM session: this is the site's hot path,
        and a session with its identity map cost more than the query itself (bench/cert_bench.py).
        """
        return self._reading(lambda: self._find(serial, today))

    def status_of(self, serial: str, today: date) -> Status | None:
        """The status of the certificate with this canonical serial, or None when there is none:
        one small query, for the page cache (verify_site/pagecache.py), read on every request.

        Straight through the DB-API on a pooled connection: SQLAlchemy's execution path cost
        3-5 times the query itself (11 µs against 40-60 on SQLite in a loop; docs/benchmarks.md,
        "Certificates and the verification page").
        """
        together = getattr(self._read_together, "rows", None)
        if together is not None and serial in together:
            row = together[serial]
            return None if row is None else certificate_status(row, today)
        self._ensure_schema()
        for attempt in range(2):
            try:
                row = self._status_query.run(self.engine, serial)
            except Dropped:
                if attempt:
                    log.error("certificate status look-up failed", exc_info=True)
                    raise RegisterUnavailable(STORE_DOWN) from None
                continue  # a dropped pooled connection (a restarted server): once on a fresh one
            return None if row is None else certificate_status(row, today)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def statuses_read_together(self, serials: list[str]) -> Iterator[None]:
        """Within the block, on this thread, `status_of` answers for `serials` from one query
        made now for all of them, instead of one query each: the pages one round of the
        server's loop answers (verify_site/serve.py), every one of them asked for before this
        read. A store that fails here leaves each to its own query, which says so."""
        try:
            self._ensure_schema()
            rows = self._status_query.run_many(self.engine, serials)
        except (Dropped, RegisterUnavailable):
            yield
            return
        self._read_together.rows = {serial: rows.get(serial) for serial in serials}
        try:
            yield
        finally:
            self._read_together.rows = None

    def _reading(self, read: Callable[[], _T]) -> _T:
        self._ensure_schema()
        try:
            return read()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                log.error("certificate look-up failed", exc_info=True)
                raise RegisterUnavailable(STORE_DOWN) from exc
        # The pooled connection was dead (a restarted server): the pool is refreshed, try once.
        try:
            return read()
        except SQLAlchemyError as exc:
            log.error("certificate look-up failed", exc_info=True)
            raise RegisterUnavailable(STORE_DOWN) from exc

    def credential_of(self, serial: str) -> str | None:
        """The stored Open Badges credential of the certificate with this serial (None: no such
        certificate, or one issued before credentials were)."""
        query = select(Certificate.credential).where(Certificate.serial == serial)
        return self._reading(lambda: self._scalar(query))

    def status_list_text(self, list_id: int) -> str | None:
        """The signed status list credential the jobs stored (None: none stored yet). The site
        only serves it: it holds no private key to sign one with (docs/credentials.md)."""
        query = select(StatusList.credential).where(StatusList.list_id == list_id)
        return self._reading(lambda: self._scalar(query))

    def _scalar(self, query: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.scalar(query)

    def _find(self, serial: str, today: date) -> CertificateView | None:
        try:
            with self.engine.connect() as connection:
                row = connection.execute(_BY_SERIAL, {"serial": serial}).first()
                if row is None:
                    return None
                status = certificate_status(row, today)
                current = (
                    _current_serial(connection, row.superseded_by_id)
                    if status.state == "superseded"
                    else None
                )
                previous = connection.scalar(_PREVIOUS, {"id": row.id})
                return _view(row, status, current, previous)
        except DBAPIError:
            raise
        except SQLAlchemyError as exc:
            log.error("certificate look-up failed", exc_info=True)
            raise RegisterUnavailable(STORE_DOWN) from exc


_ANY_CERTIFICATE = select(Certificate.id).limit(1)

_BY_SERIAL = select(
    Certificate.id,
    Certificate.serial,
    Certificate.participant_name,
    Certificate.program_name,
    Certificate.batch_name,
    Certificate.issuer,
    Certificate.issue_date,
    Certificate.expires_on,
    Certificate.total_assignments,
    Certificate.average_score,
    Certificate.payload,
    Certificate.signature,
    Certificate.key_id,
    Certificate.pdf_path,
    Certificate.revoked_at,
    Certificate.revoked_reason,
    Certificate.superseded_at,
    Certificate.superseded_by_id,
    Certificate.status_index,
    Certificate.lang,
    Certificate.holder_token,
    Certificate.hidden_at,
).where(Certificate.serial == bindparam("serial"))
# The certificate this one replaced; a chain has one predecessor per link, the newest wins.
_PREVIOUS = (
    select(Certificate.serial)
    .where(Certificate.superseded_by_id == bindparam("id"))
    .order_by(Certificate.id.desc())
    .limit(1)
)


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _current_serial(connection: Connection, next_id: int | None) -> str | None:
    """Follow the re-issue chain to the newest certificate (the one not superseded itself)."""
    serial = None
    for _ in range(MAX_SUCCESSOR_HOPS):
        if next_id is None:
            break
        row = connection.execute(
            select(Certificate.serial, Certificate.superseded_by_id).where(
                Certificate.id == next_id
            )
        ).first()
        if row is None:
            break
        serial, next_id = row
    return serial


def _view(
    cert: Any, status: Status, current_serial: str | None, previous_serial: str | None = None
) -> CertificateView:
    start, end = _batch_dates(cert.payload)
    return CertificateView(
        serial=cert.serial,
        participant_name=cert.participant_name,
        program_name=cert.program_name,
        batch_name=cert.batch_name,
        batch_start=start,
        batch_end=end,
        issuer=cert.issuer,
        issue_date=cert.issue_date,
        expires_on=cert.expires_on,
        total_assignments=cert.total_assignments,
        average_score=cert.average_score,
        payload=cert.payload,
        signature=cert.signature,
        key_id=cert.key_id,
        pdf_path=cert.pdf_path,
        status=status,
        current_serial=current_serial,
        status_index=cert.status_index,
        lang=cert.lang,
        previous_serial=previous_serial,
        holder_token=cert.holder_token,
    )


def _batch_dates(payload: str) -> tuple[date | None, date | None]:
    """The batch's dates as the signed payload states them (format 2; none on format 1, or on
    a payload that does not read)."""
    try:
        fields = CertificateFields.from_payload(json.loads(payload))
    except ValueError:
        return None, None
    return fields.batch_start, fields.batch_end

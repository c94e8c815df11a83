"""The revocation status list as published (docs/credentials.md): signed by the side that holds
the private key, the deliver job every cycle and `ojt-sidecar cert revoke` at once, and stored
in `status_lists`, from which the verify site serves it as it is. The public site holds no
private key, so taking it over forges nothing.

`refresh_status_list` signs a new list only when it must: the store's revoked set is not the
one the stored list encodes (compared by the SHA-256 of the sorted indexes), the stored list
names another address (`certificates.verify_base_url` changed), or it was signed
`RESIGN_INTERVAL` ago or more, so its ``validFrom`` and proof stay recent. The list has no
``validUntil``: a service stopped for a while then leaves the last list verifying, where an
expiry would make every credential's status check fail until it is back.

Two writers at once (two replicas, the deliver job and the CLI) both upsert the one row, so
neither fails; for the same revoked set the list is the same apart from its timestamps and
proof (`encode_list` is deterministic). A writer that read the set just before a revocation
committed leaves a list without it, which the next refresh sees and replaces.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sidecar.certificates.did import did_web, method_id
from sidecar.certificates.linked_data import LinkedDataError
from sidecar.certificates.proof import sign_document
from sidecar.certificates.signing import KeyFileError, Signer
from sidecar.certificates.statuslist import LIST_ID, list_url, status_list_credential
from sidecar.config import Config
from sidecar.store.models import Certificate, StatusList

log = logging.getLogger(__name__)

RESIGN_INTERVAL = timedelta(days=1)
SignerSource = Signer | Callable[[], Signer]  # a callable is called only when a list is signed

_reported: set[str] = set()  # problems logged since the last list was stored: each once


@dataclass(frozen=True)
class StoredList:
    credential: str
    revoked_digest: str
    signed_at: datetime


def revoked_indexes(session: Session) -> list[int]:
    """The status list bits of every revoked certificate, sorted."""
    query = select(Certificate.status_index).where(
        Certificate.revoked_at.is_not(None), Certificate.status_index.is_not(None)
    )
    return sorted({int(i) for i in session.scalars(query) if i is not None})


def revoked_digest(indexes: Iterable[int]) -> str:
    """SHA-256 (hex) of the sorted, distinct indexes: what the stored list is compared by."""
    text = ",".join(str(i) for i in sorted(set(indexes)))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def stored_list(session: Session, list_id: int = LIST_ID) -> StoredList | None:
    row = session.execute(
        select(StatusList.credential, StatusList.revoked_digest, StatusList.signed_at).where(
            StatusList.list_id == list_id
        )
    ).first()
    return StoredList(*row) if row is not None else None


def signed_list_text(signer: Signer, base_url: str, revoked: Iterable[int], now: datetime) -> str:
    """The signed BitstringStatusListCredential, as JSON text (what the site serves)."""
    did = did_web(base_url)
    unsigned = status_list_credential(base_url, did, revoked, now)
    signed = sign_document(unsigned, signer, method_id(did, signer.kid), now)
    return json.dumps(signed, indent=2) + "\n"


def refresh_status_list(
    session: Session,
    signer: SignerSource,
    base_url: str,
    now: datetime,
    *,
    interval: timedelta = RESIGN_INTERVAL,
) -> bool:
    """Sign and store the list again when it is missing, out of date or `interval` old, and
    commit; True when it wrote. Raises KeyFileError (from a callable `signer`),
    LinkedDataError or SQLAlchemyError; `publish_status_list` turns those into a log line."""
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    revoked = revoked_indexes(session)
    digest = revoked_digest(revoked)
    stored = stored_list(session)
    if stored is not None and _still_good(stored, digest, base_url, now, interval):
        return False
    key = signer if isinstance(signer, Signer) else signer()
    text = signed_list_text(key, base_url, revoked, now)
    values = {"list_id": LIST_ID, "credential": text, "revoked_digest": digest, "signed_at": now}
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table: Table = StatusList.__table__  # type: ignore[assignment]
    statement = upsert(table).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["list_id"],
            set_={name: statement.excluded[name] for name in values if name != "list_id"},
        )
    )
    session.commit()
    return True


def _still_good(
    stored: StoredList, digest: str, base_url: str, now: datetime, interval: timedelta
) -> bool:
    if stored.revoked_digest != digest or now - stored.signed_at >= interval:
        return False
    try:
        named = json.loads(stored.credential).get("id")
    except (ValueError, AttributeError):
        return False
    return bool(named == list_url(base_url))


def publish_status_list(cfg: Config, session: Session, now: datetime) -> bool:
    """`refresh_status_list` with the key and the address the config names. Never raises: when
    there is no key or address, or the list cannot be signed or stored, it logs that (once,
    until a list is stored again) and returns False, so no job fails for it."""
    base_url = cfg.certificates.verify_base_url
    if base_url is None:  # pragma: no cover - the config fills it in
        _report("the status list is not published: certificates.verify_base_url is not set.")
        return False
    try:
        if not _any_credential(session):
            return False  # none issued yet: nothing to publish, nor to warn about
        wrote = refresh_status_list(
            session, lambda: Signer.load(cfg.certificates.signing_key), str(base_url), now
        )
    except KeyFileError as exc:
        session.rollback()
        _report(f"the status list is not signed: {exc}")
        return False
    except (LinkedDataError, SQLAlchemyError):
        session.rollback()
        log.debug("status list refresh failed", exc_info=True)
        _report("the status list could not be signed and stored; it is tried again next cycle.")
        return False
    if wrote:
        _reported.clear()
        log.info("signed and stored the certificate status list")
    return wrote


def _any_credential(session: Session) -> bool:
    found = session.scalar(
        select(Certificate.id).where(Certificate.status_index.is_not(None)).limit(1)
    )
    return found is not None


def _report(problem: str) -> None:
    if problem not in _reported:
        _reported.add(problem)
        log.warning(problem)

"""Putting a backup archive (`sidecar.store.backup`) back where a config says.

In this order, and nothing is written before the third step:
1. the whole archive is read and every member checked against the manifest (sha256 and size,
   none missing, none extra; `sidecar.store.archive.check_archive`), and a hostile or cut-short
   archive refused;
2. the destination is checked: the store kinds agree, the schema revision is one this version
   knows, no live lease says a service works on the store, and nothing would be overwritten
   unless `force`;
3. the archive is read again and each member written to a temporary file beside its target and
   checked once more (the file may have changed since step 1); only when all are there are they
   renamed into place, and the SQLite store's stale `-wal`/`-shm` files removed first;
4. pending migrations are applied to the store, and its pending Odoo writes marked to be
   looked for in Odoo before they are sent (the backup cannot know what was sent after it).
On PostgreSQL the store is not in the archive: it is restored with pg_restore first, and steps
2 to 4 then apply to it (its files come from the archive).

The lease check catches a job at work, not an idle service between runs: the service must be
stopped (every replica) before a restore, as docs/operations.md says.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from sidecar.statuses import OutboxState
from sidecar.store.archive import (
    CERTIFICATES,
    CHUNK,
    KEY_MEMBER,
    MANIFEST,
    PRIVATE_MODE,
    PUBLIC_MEMBER,
    PUBLIC_MODE,
    STORE_MEMBER,
    BackupError,
    Checked,
    Entry,
    check_archive,
    scan,
)
from sidecar.store.backup import Locations, StoreFacts, store_facts
from sidecar.store.engine import make_engine
from sidecar.store.migrate import current_revision, known_revisions, upgrade
from sidecar.store.models import JobLease, OutboxMessage


@dataclass
class RestoreReport:
    checked: Checked
    written: dict[str, Path] = field(default_factory=dict)  # member → where it went
    revision_after: str | None = None
    facts: StoreFacts | None = None
    kept_keys: list[str] = field(default_factory=list)  # public keys kept from the list there
    looked_up: int = 0  # pending Odoo writes to be looked for in Odoo before sending


def restore_backup(where: Locations, archive: Path, *, force: bool, now: datetime) -> RestoreReport:
    checked = check_archive(archive)
    _check_destination(where, checked, force=force, now=now)
    report = RestoreReport(checked)
    _place(where, checked, report)
    engine = make_engine(where.store_url)
    try:
        upgrade(engine)
        report.revision_after = current_revision(engine)
        report.facts = store_facts(engine)
        report.looked_up = _look_up_before_sending(engine)
    finally:
        engine.dispose()
    return report


def _look_up_before_sending(engine: Engine) -> int:
    """A restored store cannot know which of its pending Odoo writes were sent after the
    backup, and delivery runs a row's lookup only before a second attempt: count one attempt on
    each, so each is looked for in Odoo (and adopted if there) before it is sent."""
    with engine.begin() as connection:
        result = connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.attempts == 0)
            .values(attempts=1)
        )
    return int(result.rowcount)


# --- 2. the destination ----------------------------------------------------------------------


def _check_destination(where: Locations, checked: Checked, *, force: bool, now: datetime) -> None:
    if checked.store_included and where.kind != "sqlite":
        raise BackupError(
            "the archive holds a SQLite store but the config's store is on PostgreSQL; "
            "restore it with a config whose store.url is a SQLite file"
        )
    if not checked.store_included and where.kind == "sqlite":
        raise BackupError(
            "the archive holds no store (it was on PostgreSQL, which pg_dump backs up); "
            "restore it with a config whose store.url is that PostgreSQL database"
        )
    revision = checked.revision
    if revision is not None and revision not in known_revisions():
        made_by = checked.manifest.get("sidecar_version", "a newer version")
        raise BackupError(
            f"the archive's store is at schema revision {revision}, which this ojt-sidecar does "
            f"not know; restore it with ojt-sidecar {made_by} or newer"
        )
    _check_store(where, now)
    for name in checked.entries:
        _target(where, name)  # refuses a certificate whose folder is a link leading elsewhere
    existing = _existing(where, checked)
    if existing and not force:
        raise BackupError(
            f"{_listed(existing)} already exist; a restore replaces them only with --force"
        )


def _check_store(where: Locations, now: datetime) -> None:
    """A PostgreSQL store must be there (pg_restore comes first); no live lease on either."""
    store = where.sqlite_file
    if where.kind == "sqlite" and (store is None or not store.is_file()):
        return
    engine = make_engine(where.store_url)
    try:
        if where.kind == "postgresql" and current_revision(engine) is None:
            raise BackupError(
                "the PostgreSQL store is empty: restore its pg_dump with pg_restore first, "
                "then run this again"
            )
        lease = _live_lease(engine, now)
    finally:
        engine.dispose()
    if lease is not None:
        raise BackupError(
            f"{lease.holder} holds the {lease.job!r} lease on this store until "
            f"{lease.expires_at:%H:%M:%S} UTC, so the service is running: stop it (every "
            "replica) before restoring"
        )


def _live_lease(engine: Engine, now: datetime) -> Any:
    try:
        if not inspect(engine).has_table(JobLease.__tablename__):
            return None
        with engine.connect() as connection:
            return connection.execute(
                select(JobLease.holder, JobLease.job, JobLease.expires_at)
                .where(JobLease.expires_at > now, JobLease.holder.is_not(None))
                .limit(1)
            ).first()
    except SQLAlchemyError:  # not a store we can read: nothing of ours runs on it
        return None


def _existing(where: Locations, checked: Checked) -> list[str]:
    existing = []
    store = where.sqlite_file
    if checked.store_included and store is not None and store.is_file() and store.stat().st_size:
        existing.append(f"the store {store}")
    if KEY_MEMBER in checked.entries and where.signing_key.exists():
        existing.append(f"the signing key {where.signing_key}")
    if PUBLIC_MEMBER in checked.entries and where.public_keys.exists():
        existing.append(f"the public key list {where.public_keys}")
    pdfs = sum(
        1
        for name in checked.entries
        if name.startswith(f"{CERTIFICATES}/") and _target(where, name)[0].exists()
    )
    if pdfs:
        existing.append(f"{pdfs} certificate file(s) in {where.certificates}")
    return existing


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _target(where: Locations, name: str) -> tuple[Path, int]:
    if name == STORE_MEMBER:
        if where.sqlite_file is None:
            raise BackupError("the config's store is not a SQLite file to restore the store into")
        return where.sqlite_file, PRIVATE_MODE
    if name == KEY_MEMBER:
        return where.signing_key, PRIVATE_MODE
    if name == PUBLIC_MEMBER:
        return where.public_keys, PUBLIC_MODE
    target = where.certificates.joinpath(*PurePosixPath(name).parts[1:])
    root = os.path.realpath(where.certificates)
    if not os.path.realpath(target).startswith(root + os.sep):
        raise BackupError(f"{target} leads outside {where.certificates}; nothing was restored")
    return target, PRIVATE_MODE


# --- 3. writing -------------------------------------------------------------------------------


def _place(where: Locations, checked: Checked, report: RestoreReport) -> None:
    staged: dict[str, Path] = {}

    def stage(name: str, stream: IO[bytes]) -> None:
        if name == MANIFEST:
            return
        if name in staged:
            raise BackupError(
                f"{checked.archive} changed while it was being restored; nothing was written"
            )
        target, mode = _target(where, name)
        # As `keys generate` makes it: only the service user may list the keys' folder.
        target.parent.mkdir(
            mode=0o700 if name == KEY_MEMBER else 0o777, parents=True, exist_ok=True
        )
        staged[name] = _stage(stream, target, mode, checked.entries[name], checked.archive)

    try:
        scan(checked.archive, stage)
        if staged.keys() != checked.entries.keys():
            raise BackupError(
                f"{checked.archive} changed while it was being restored; nothing was written"
            )
        if PUBLIC_MEMBER in staged:
            report.kept_keys = _keep_known_keys(where.public_keys, staged[PUBLIC_MEMBER])
        store = where.sqlite_file
        if STORE_MEMBER in staged and store is not None:
            # A stale write-ahead log would be replayed into the restored file.
            for suffix in ("-wal", "-shm"):
                store.with_name(store.name + suffix).unlink(missing_ok=True)
        for name, temporary in staged.items():
            target = _target(where, name)[0]
            os.replace(temporary, target)
            report.written[name] = target
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def _stage(stream: IO[bytes], target: Path, mode: int, expected: Entry, archive: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restoring.")
    temporary = Path(name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            digest, size = hashlib.sha256(), 0
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if Entry(expected.name, digest.hexdigest(), size) != expected:
            raise BackupError(f"{archive} changed while it was being restored; nothing was written")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _keep_known_keys(existing: Path, restored: Path) -> list[str]:
    """Public keys the list already there knows and the archive's does not (a rotation after
    the backup) are kept, retired: certificates they signed must still verify."""
    try:
        there = json.loads(existing.read_text(encoding="utf-8"))
        coming = json.loads(restored.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(there, list) or not isinstance(coming, list):
        return []
    known = {k.get("kid") for k in coming if isinstance(k, dict)}
    kept = [
        {**k, "status": "retired"}
        for k in there
        if isinstance(k, dict) and k.get("kid") and k.get("kid") not in known
    ]
    if kept:
        restored.write_text(json.dumps(coming + kept, indent=2) + "\n", encoding="utf-8")
    return [str(k["kid"]) for k in kept]

"""One archive holding what a sidecar needs to come back (`write_backup`): the store, the signing
key with its public key list, and the certificate PDFs, described by a manifest of sha256s.
`sidecar.store.restore` puts it back; `sidecar.store.archive` holds the format.

Why a .tar.gz and not a zip: it is what an operator on a Unix server inspects without us
(`tar tvzf`), each member keeps its Unix mode (the private key is 0600 inside the archive too),
gzip's CRC catches a cut file on top of the manifest's checksums, and the standard library both
writes and streams it.

The store: a SQLite file is copied with SQLite's online backup (`scratch_sessions`, the copy dry
runs use), so the service may keep running. A PostgreSQL store is not in the archive: it is
backed up with `pg_dump`, under the database's own regime (a client matching the server's
version, its credentials, point-in-time recovery where there is one); the archive then holds the
files only and its manifest says the store is on PostgreSQL. Revocations are columns of the
`certificates` table, so they travel with the store; the manifest counts them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from sidecar.store.archive import (
    CERTIFICATES,
    FORMAT,
    FORMAT_VERSION,
    KEY_MEMBER,
    MANIFEST,
    PRIVATE_MODE,
    PUBLIC_MEMBER,
    PUBLIC_MODE,
    STORE_MEMBER,
    BackupError,
    Entry,
)
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import current_revision
from sidecar.store.scratch import scratch_sessions


@dataclass(frozen=True)
class Locations:
    """Where a config keeps what a backup holds (the command reads them from the config)."""

    store_url: str  # may carry a password: never printed
    signing_key: Path
    public_keys: Path
    certificates: Path

    @property
    def kind(self) -> str:
        """ "sqlite" or "postgresql"."""
        return make_url(self.store_url).get_backend_name()

    @property
    def sqlite_file(self) -> Path | None:
        url = make_url(self.store_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(str(url.database).removeprefix("file:").split("?", 1)[0])


@dataclass(frozen=True)
class StoreFacts:
    revision: str | None
    certificates: int | None  # None: the store has no certificates table (yet)
    revoked: int | None


@dataclass
class BackupReport:
    archive: Path
    manifest: dict[str, Any]
    private_key: bool  # the archive holds the private signing key
    missing: list[Path] = field(default_factory=list)  # named by the config, not there


def store_facts(engine: Engine) -> StoreFacts:
    """The schema revision and how many certificates, and revoked ones, a store holds."""
    revision = current_revision(engine)
    counts: list[int | None] = []
    for sql in (
        "SELECT count(*) FROM certificates",
        "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL",
    ):
        try:  # one connection each: a failed statement spoils a PostgreSQL transaction
            with engine.connect() as connection:
                counts.append(int(connection.execute(text(sql)).scalar_one()))
        except SQLAlchemyError:  # an empty or very old store: nothing to count
            counts.append(None)
    return StoreFacts(revision, counts[0], counts[1])


def write_backup(where: Locations, archive: Path, *, version: str, now: datetime) -> BackupReport:
    """Write the archive at `archive` (never over an existing file)."""
    if archive.exists():
        raise BackupError(f"{archive} already exists; a backup never overwrites a file")
    if not archive.parent.is_dir():
        raise BackupError(f"the folder {archive.parent} does not exist")
    store_file = where.sqlite_file
    if where.kind == "sqlite" and (
        store_file is None or not store_file.is_file() or store_file.stat().st_size == 0
    ):
        raise BackupError(
            f"there is no store at {store_file or 'an in-memory URL'}: nothing to back up"
        )
    engine = make_engine(where.store_url)
    try:
        if store_file is None:
            facts = store_facts(engine)
            return _write(where, archive, None, _manifest_head(version, now, where, facts))
        with scratch_sessions(make_sessionmaker(engine)) as copy:
            copied: Engine = copy.kw["bind"]
            facts = store_facts(copied)
            # Archived as the online backup left it: no connection of ours may touch it after.
            copied.dispose()
            path = Path(str(copied.url.database))
            return _write(where, archive, path, _manifest_head(version, now, where, facts))
    finally:
        engine.dispose()


def _manifest_head(
    version: str, now: datetime, where: Locations, facts: StoreFacts
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sidecar_version": version,
        "created_at": now.isoformat(),
        "store_kind": where.kind,
        "store_included": where.kind == "sqlite",
        "schema_revision": facts.revision,
        "certificates": {"issued": facts.certificates, "revoked": facts.revoked},
    }


def _write(
    where: Locations, archive: Path, store_copy: Path | None, manifest: dict[str, Any]
) -> BackupReport:
    report = BackupReport(archive, manifest, private_key=False)
    # The store is copied before the PDFs are listed: issuance writes a PDF before it commits
    # its row, so every certificate in the copy finds its PDF in the archive.
    sources = list(_sources(where, store_copy, report))
    mtime = int(datetime.fromisoformat(manifest["created_at"]).timestamp())
    # Written beside the archive as 0600 (mkstemp's mode: it holds the private key) and renamed
    # when complete, so a crash never leaves half an archive under the name asked for.
    fd, name = tempfile.mkstemp(dir=archive.parent, prefix=f".{archive.name}.", suffix=".partial")
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            with tarfile.open(fileobj=out, mode="w:gz") as tar:
                entries = [_add(tar, name, path, mode, mtime) for name, path, mode in sources]
                manifest["files"] = [
                    {"path": e.name, "sha256": e.sha256, "size": e.size}
                    for e in entries
                    if e is not None
                ]
                data = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
                tar.addfile(_info(MANIFEST, len(data), PUBLIC_MODE, mtime), io.BytesIO(data))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, archive)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report.private_key = any(e["path"] == KEY_MEMBER for e in manifest["files"])
    return report


def _sources(
    where: Locations, store_copy: Path | None, report: BackupReport
) -> Iterator[tuple[str, Path, int]]:
    if store_copy is not None:
        yield STORE_MEMBER, store_copy, PRIVATE_MODE
    for name, path, mode in (
        (KEY_MEMBER, where.signing_key, PRIVATE_MODE),
        (PUBLIC_MEMBER, where.public_keys, PUBLIC_MODE),
    ):
        if path.is_file():
            yield name, path, mode
        else:
            report.missing.append(path)
    if not where.certificates.is_dir():
        report.missing.append(where.certificates)
        return
    for path in sorted(where.certificates.rglob("*")):
        # Links are left out: a restore writes plain files only, and a link could lead anywhere.
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(where.certificates).as_posix()
            yield f"{CERTIFICATES}/{relative}", path, PRIVATE_MODE


class _Hashing:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._source.read(size)
        self.digest.update(data)
        return data


def _info(name: str, size: int, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, mtime
    return info


def _add(tar: tarfile.TarFile, name: str, path: Path, mode: int, mtime: int) -> Entry | None:
    try:
        source = path.open("rb")
    except FileNotFoundError:  # a certificate's temporary file, renamed since it was listed
        return None
    with source:
        size = os.fstat(source.fileno()).st_size
        reader = _Hashing(source)
        tar.addfile(_info(name, size, mode, mtime), reader)
    return Entry(name, reader.digest.hexdigest(), size)

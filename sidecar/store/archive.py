"""The backup archive's format: the names of its members, its manifest, and reading it back
with every member checked (`check_archive`), which `sidecar.store.restore` does before it writes
anything. `sidecar.store.backup` writes it.

A member is named by what it is, not by where the old config kept it, so a restore puts each where
its own config says; links, absolute paths, `..` and names no backup holds are refused, and so is
an archive cut short (gzip's trailer is read too).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "ojt-sidecar-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STORE_MEMBER = "store/ojt-sidecar.db"
KEY_MEMBER = "keys/signing.key"
PUBLIC_MEMBER = "keys/signing.key.public.json"
CERTIFICATES = "certificates"
# The private key; the store and the PDFs too, as the service writes them (personal data).
PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644
CHUNK = 1 << 16
MAX_MANIFEST = 64 * 1024 * 1024
_FIXED = (STORE_MEMBER, KEY_MEMBER, PUBLIC_MEMBER)


class BackupError(Exception):
    """A backup or a restore that cannot go ahead: one sentence saying why."""


@dataclass(frozen=True)
class Entry:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Checked:
    """An archive whose members all match its manifest."""

    archive: Path
    manifest: dict[str, Any]
    entries: dict[str, Entry]

    @property
    def store_included(self) -> bool:
        return STORE_MEMBER in self.entries

    @property
    def revision(self) -> str | None:
        value = self.manifest.get("schema_revision")
        return value if isinstance(value, str) else None


def parse_manifest(data: bytes, archive: Path) -> tuple[dict[str, Any], dict[str, Entry]]:
    """The manifest's fields checked, and its files by name."""
    unreadable = BackupError(
        f"{archive} has a manifest this ojt-sidecar cannot read; it is refused"
    )
    try:
        manifest = json.loads(data)
    except ValueError:
        raise unreadable from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise unreadable
    version = manifest.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise BackupError(
            f"{archive} was made by a newer ojt-sidecar; restore it with that version"
        )
    files = manifest.get("files")
    if version != FORMAT_VERSION or not isinstance(files, list):
        raise unreadable
    entries: dict[str, Entry] = {}
    for item in files:
        entry = _entry(item)
        if entry is None or entry.name in entries or entry.name == MANIFEST:
            raise unreadable
        entries[entry.name] = entry
    if manifest.get("store_included") is not (STORE_MEMBER in entries):
        raise unreadable
    return manifest, entries


def _entry(item: Any) -> Entry | None:
    if not isinstance(item, dict):
        return None
    name, sha, size = item.get("path"), item.get("sha256"), item.get("size")
    if not isinstance(name, str) or not isinstance(sha, str) or len(sha) != 64:
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return None
    return Entry(name, sha.lower(), size)


def check_archive(archive: Path) -> Checked:
    """Every member read and checked against the manifest; nothing is written."""
    if not archive.is_file():
        raise BackupError(f"there is no archive at {archive}")
    found: dict[str, Entry] = {}
    manifest: list[bytes] = []

    def visit(name: str, stream: IO[bytes]) -> None:
        if name in found or (name == MANIFEST and manifest):
            raise BackupError(f"{archive} holds {name!r} twice; it is refused")
        if name == MANIFEST:
            manifest.append(stream.read(MAX_MANIFEST + 1))
        else:
            found[name] = _digest(name, stream)

    scan(archive, visit)
    if not manifest or len(manifest[0]) > MAX_MANIFEST:
        raise BackupError(f"{archive} has no manifest; it is not an ojt-sidecar backup")
    parsed, entries = parse_manifest(manifest[0], archive)
    _compare(archive, found, entries)
    return Checked(archive, parsed, entries)


def scan(archive: Path, visit: Callable[[str, IO[bytes]], None]) -> None:
    try:
        with gzip.open(archive, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            for member in tar:
                name = _checked_member(member, archive)
                stream = tar.extractfile(member)
                if stream is None:  # pragma: no cover - a plain file always has a stream
                    raise BackupError(f"{archive} holds {name!r}, which cannot be read")
                visit(name, stream)
            # gzip checks its CRC and length only at the end of the stream: read up to it.
            while gz.read(CHUNK):
                pass
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
        raise BackupError(
            f"{archive} is damaged, truncated or not an ojt-sidecar backup; nothing was restored"
        ) from None


def _checked_member(member: tarfile.TarInfo, archive: Path) -> str:
    name = member.name
    if member.issym() or member.islnk():
        raise BackupError(
            f"{archive} holds a link ({name!r}); a backup never does, so it is refused"
        )
    if not member.isfile():
        raise BackupError(f"{archive} holds {name!r}, which is not a plain file; it is refused")
    _check_name(name, archive)
    return name


def _check_name(name: str, archive: Path) -> None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or str(path) != name:
        raise BackupError(
            f"{archive} holds {name!r}, a path that leads outside the restore; it is refused"
        )
    certificate = path.parts[0] == CERTIFICATES and len(path.parts) > 1
    if name not in (MANIFEST, *_FIXED) and not certificate:
        raise BackupError(f"{archive} holds {name!r}, which no backup holds; it is refused")


def _digest(name: str, stream: IO[bytes]) -> Entry:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return Entry(name, digest.hexdigest(), size)


def _compare(archive: Path, found: dict[str, Entry], listed: dict[str, Entry]) -> None:
    extra = sorted(found.keys() - listed.keys())
    if extra:
        raise BackupError(
            f"{archive} holds {extra[0]!r}, which its manifest does not list; refused"
        )
    missing = sorted(listed.keys() - found.keys())
    if missing:
        raise BackupError(f"{archive} lacks {missing[0]!r}, which its manifest lists; incomplete")
    changed = sorted(name for name, entry in found.items() if entry != listed[name])
    if changed:
        raise BackupError(
            f"{changed[0]!r} in {archive} does not match its checksum in the manifest: "
            "the archive was changed or damaged, so nothing was restored"
        )

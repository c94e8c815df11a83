"""Ed25519 signatures over canonical JSON, and the key files.

The private key lives at the configured path (PEM PKCS8, mode 0600, its directory 0700). Beside
it, ``<path>.public.json`` lists the public half of this key and of every earlier one (as JWK-like
entries, ``status`` "current" or "retired"), so a certificate signed before a rotation still
verifies after it. Only the private key of the current key is kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sidecar.files import write_atomic

_GENERATE_HINT = "create one with `ojt-sidecar keys generate`"


class KeyFileError(Exception):
    """A signing key file is missing, unreadable or not what it should be."""


@dataclass(frozen=True)
class SignedPayload:
    payload_bytes: bytes  # exactly the bytes that were signed (canonical JSON)
    signature: str  # base64url, no padding
    kid: str


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The one byte form of a payload that is signed and verified."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: raises ValueError (binascii.Error) on anything but unpadded base64url."""
    if not isinstance(text, str) or not text.isascii() or "=" in text:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex characters of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


def raw_public_key(entry: Mapping[str, Any]) -> bytes | None:
    """The 32 raw bytes of a published key entry, or None when the entry is not a well-formed
    Ed25519 key whose `kid` matches it (such an entry is not trusted)."""
    try:
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            return None
        raw = b64url_decode(entry["x"])
        if len(raw) != 32:
            return None
        if key_id(Ed25519PublicKey.from_public_bytes(raw)) != entry.get("kid"):
            return None
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return None
    return raw


def public_keys_path(path: Path) -> Path:
    return path.with_name(path.name + ".public.json")


def load_public_keys(path: Path) -> list[dict[str, Any]]:
    """The public key list kept beside the private key at `path` (empty if there is none)."""
    pub_path = public_keys_path(Path(path))
    if not pub_path.exists():
        return []
    return read_keys_file(pub_path)


def read_keys_file(path: Path) -> list[dict[str, Any]]:
    """Public keys from a file: the list kept beside a signing key, or what a verify site
    publishes at /.well-known/ojt-sidecar/keys.json (`{"keys": [...]}`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFileError(f"cannot read the public keys at {path}: {exc.strerror}.") from exc
    try:
        keys = json.loads(text)
    except ValueError as exc:
        raise KeyFileError(f"the public keys at {path} are not valid JSON.") from exc
    if isinstance(keys, dict) and set(keys) == {"keys"}:
        keys = keys["keys"]
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise KeyFileError(f"the public keys at {path} are not a JSON list of keys.")
    return keys


def generate_key(path: Path, *, rotate: bool = False) -> str:
    """Create a new signing key at `path` and return its kid. Without `rotate`, refuses when a
    key already exists; with it, the old key's public entry is kept as "retired"."""
    path = Path(path)
    if path.exists() and not rotate:
        raise KeyFileError(
            f"a signing key already exists at {path}; rotate it instead of overwriting it."
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    entries = [
        {**k, "status": "retired"} if k.get("status") == "current" else k
        for k in load_public_keys(path)
    ]
    entries.append(
        {
            "kid": kid,
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(_raw(private.public_key())),
            "created": datetime.now(UTC).date().isoformat(),
            "status": "current",
        }
    )
    # The public list first: a crash between the two writes leaves a known public key without
    # its private half (harmless), never a private key whose signatures nobody can verify.
    write_atomic(
        public_keys_path(path), (json.dumps(entries, indent=2) + "\n").encode("utf-8"), 0o644
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic(path, pem, 0o600)
    return kid


class Signer:
    """Signs payloads with the private key loaded from a key file."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.kid = key_id(private_key.public_key())

    @classmethod
    def load(cls, path: Path) -> Signer:
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileError(f"no signing key at {path}; {_GENERATE_HINT}.") from None
        except OSError as exc:
            raise KeyFileError(f"cannot read the signing key at {path}: {exc.strerror}.") from exc
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(
                f"the file at {path} is not an unencrypted Ed25519 private key in PEM form."
            )
        return cls(key)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def sign(self, payload: Mapping[str, Any]) -> SignedPayload:
        data = canonical_json(payload)
        return SignedPayload(data, b64url(self._key.sign(data)), self.kid)

    def sign_bytes(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of `data` (a Data Integrity proof's hash data)."""
        return self._key.sign(data)


def verify_signature(
    payload_bytes: bytes, signature: str, public_keys: list[dict[str, Any]], kid: str
) -> bool:
    """True when `signature` is a valid signature of `payload_bytes` by the key named `kid`
    among `public_keys`. False on any malformed input; never raises."""
    try:
        entry = next((k for k in public_keys if isinstance(k, dict) and k.get("kid") == kid), None)
        if entry is None or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            return False
        raw = b64url_decode(entry["x"])
        if len(raw) != 32:
            return False
        public = Ed25519PublicKey.from_public_bytes(raw)
        if key_id(public) != kid:  # an entry whose kid does not match its key is not trusted
            return False
        sig = b64url_decode(signature)
        if len(sig) != 64 or not isinstance(payload_bytes, bytes | bytearray):
            return False
        public.verify(sig, bytes(payload_bytes))
    except (InvalidSignature, ValueError, TypeError, KeyError, binascii.Error):
        return False
    return True

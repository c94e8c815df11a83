"""Multibase and Multikey: how Data Integrity proofs and DID documents write bytes and keys.

A proof value is ``z`` + base58btc of the 64-byte Ed25519 signature; an Ed25519 public key is a
Multikey, ``z`` + base58btc of the multicodec prefix ``0xed01`` and the 32 raw key bytes (so it
reads ``z6Mk…``); a status list is ``u`` + unpadded base64url. Base58 is 20 lines of arithmetic,
checked against the W3C's test vectors in the tests, not worth a dependency.
"""

from __future__ import annotations

import base64
import binascii

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
ED25519_PUBLIC = b"\xed\x01"  # multicodec ed25519-pub, as a varint
ED25519_PRIVATE = b"\x80\x26"  # multicodec ed25519-priv, as a varint
_MAX_BASE58 = 200  # longer than any key or signature written here: refused before the arithmetic


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Strict: ValueError on anything but base58btc characters (or a text too long to be ours)."""
    if not isinstance(text, str) or len(text) > _MAX_BASE58:
        raise ValueError("not base58btc")
    number = 0
    for char in text:
        value = _INDEX.get(char)
        if value is None:
            raise ValueError("not base58btc")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def z_base58(data: bytes) -> str:
    """Multibase base58btc."""
    return "z" + b58encode(data)


def from_z_base58(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not multibase base58btc")
    return b58decode(text[1:])


def u_base64url(data: bytes) -> str:
    """Multibase base64url, without padding."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_u_base64url(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("u") or not text.isascii() or "=" in text:
        raise ValueError("not multibase base64url")
    body = text[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:
        raise ValueError("not multibase base64url") from exc


def ed25519_multikey(raw_public_key: bytes) -> str:
    """The ``publicKeyMultibase`` of a 32-byte Ed25519 public key."""
    if len(raw_public_key) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return z_base58(ED25519_PUBLIC + raw_public_key)


def ed25519_from_multikey(text: str) -> bytes:
    """The 32 raw bytes of an Ed25519 ``publicKeyMultibase``; ValueError on anything else."""
    data = from_z_base58(text)
    if len(data) != 34 or not data.startswith(ED25519_PUBLIC):
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]

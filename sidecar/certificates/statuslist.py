"""A Bitstring Status List (W3C "Bitstring Status List v1.0") of revoked certificates.

Every credential names one bit of one list (`status_entry`): its ``statusListIndex``, drawn at
random when the certificate is made and never given to another (`draw_index`; the store's
unique column guarantees it). A random index tells an observer of the list nothing about which
certificate is which, or how many were issued when.

The list credential (`status_list_credential`) is built from the store's revoked certificates,
signed by the jobs or the CLI and stored for the verify site to serve (`status_publishing`): the
bit of a revoked certificate is 1, every other bit 0. The list
has `LIST_SIZE` bits (131,072, the spec's minimum, so one list's fill says little), index 0 the
most significant bit of the first byte; it is GZIP-compressed and written as multibase
base64url (``u…``). Its ``ttl`` says how long a verifier may keep it: `TTL_SECONDS`.

Only revocation is listed. A superseded certificate was true when issued and stays true (its
page says which one replaced it); an expired one carries its own ``validUntil``.
"""

from __future__ import annotations

import gzip
import secrets
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sidecar.certificates.linked_data import CREDENTIALS_V2
from sidecar.certificates.multibase import from_u_base64url, u_base64url
from sidecar.certificates.proof import timestamp

LIST_SIZE = 131_072
LIST_ID = 1  # the one list there is; its URL is <verify base URL>/status/1
PURPOSE = "revocation"
TTL_SECONDS = 60  # one deliver cycle at its default interval: a revocation shows within it
MAX_DRAWS = 64


class StatusListFull(Exception):
    """No free index was found: the list is (nearly) full."""


def list_url(base_url: str, list_id: int = LIST_ID) -> str:
    return f"{str(base_url).rstrip('/')}/status/{list_id}"


def status_entry(base_url: str, index: int) -> dict[str, str]:
    """The credential's ``credentialStatus``: bit `index` of the revocation list."""
    url = list_url(base_url)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def draw_index(taken: Callable[[int], bool], draws: int = MAX_DRAWS) -> int:
    """A random index that `taken` says is free. Even with the list 90 % full, 64 draws all
    miss one time in a thousand; StatusListFull then (a second list would be the way on)."""
    for _ in range(draws):
        index = secrets.randbelow(LIST_SIZE)
        if not taken(index):
            return index
    raise StatusListFull(
        f"no free place was found in the certificate status list of {LIST_SIZE} entries."
    )


def encode_list(revoked: Iterable[int]) -> str:
    """The ``encodedList`` with the bits of `revoked` set (indexes outside the list ignored)."""
    bits = bytearray(LIST_SIZE // 8)
    for index in revoked:
        if 0 <= index < LIST_SIZE:
            bits[index // 8] |= 0x80 >> (index % 8)
    return u_base64url(gzip.compress(bytes(bits), mtime=0))


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ValueError when it is not one of `LIST_SIZE` bits
    (decompression stops there, so a hostile list cannot fill the memory)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(from_u_base64url(encoded), LIST_SIZE // 8 + 1)
    except zlib.error as exc:
        raise ValueError("the status list is not GZIP data") from exc
    if len(bits) != LIST_SIZE // 8:
        raise ValueError(f"the status list does not have {LIST_SIZE} bits")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    base_url: str, issuer_did: str, revoked: Iterable[int], now: datetime
) -> dict[str, Any]:
    """The (unsigned) BitstringStatusListCredential of the revocation list."""
    url = list_url(base_url)
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_list(revoked),
            "ttl": TTL_SECONDS * 1000,
        },
    }

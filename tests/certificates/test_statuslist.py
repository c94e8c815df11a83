"""The Bitstring Status List: its encoding (decoded by hand here), and indexes drawn at random
without reuse."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.certificates.statuslist import (
    LIST_SIZE,
    StatusListFull,
    decode_list,
    draw_index,
    encode_list,
    is_set,
    status_entry,
    status_list_credential,
)


def by_hand(encoded: str) -> bytes:
    """What the spec says a verifier does: drop the 'u', base64url-decode, GUNZIP."""
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_the_list_has_131072_bits_and_index_0_is_the_first_bit() -> None:
    bits = by_hand(encode_list([0, 9, LIST_SIZE - 1]))
    assert len(bits) * 8 == LIST_SIZE == 131_072
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000 and bits[-1] == 0b0000_0001
    assert sum(bin(b).count("1") for b in bits) == 3


@given(st.sets(st.integers(0, LIST_SIZE - 1), max_size=50))
def test_exactly_the_revoked_bits_are_set(revoked: set[int]) -> None:
    bits = decode_list(encode_list(revoked))
    assert bits == by_hand(encode_list(revoked))
    for index in [*revoked, 0, 1, LIST_SIZE - 1]:
        assert is_set(bits, index) == (index in revoked)
    assert sum(bin(b).count("1") for b in bits) == len(revoked)


def test_decoding_refuses_what_is_not_a_list() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(10 * LIST_SIZE))).decode()
    for encoded in (
        "uAAAA",
        "zabc",
        bomb.rstrip("="),
        "u" + base64.urlsafe_b64encode(b"x").decode(),
    ):
        with pytest.raises(ValueError):
            decode_list(encoded.rstrip("="))


def test_draws_skip_taken_indexes_and_give_up_on_a_full_list() -> None:
    taken: set[int] = set()
    for _ in range(500):
        index = draw_index(lambda i: i in taken)
        assert index not in taken and 0 <= index < LIST_SIZE
        taken.add(index)
    assert max(taken) - min(taken) > LIST_SIZE // 2  # spread, not counted up
    with pytest.raises(StatusListFull):
        draw_index(lambda i: True)


def test_the_entry_and_the_list_credential() -> None:
    entry = status_entry("https://verify.example.org/", 42)
    assert entry["statusListCredential"] == "https://verify.example.org/status/1"
    assert entry["statusListIndex"] == "42" and entry["id"].endswith("/status/1#42")
    document = status_list_credential(
        "https://verify.example.org",
        "did:web:verify.example.org",
        [42],
        datetime(2025, 5, 1, tzinfo=UTC),
    )
    assert document["id"] == entry["statusListCredential"]
    assert document["validFrom"] == "2025-05-01T00:00:00Z"
    subject = document["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"], subject["ttl"]) == (
        "BitstringStatusList",
        "revocation",
        60_000,
    )
    assert is_set(decode_list(subject["encodedList"]), 42)

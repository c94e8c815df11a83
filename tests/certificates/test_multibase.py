"""Base58btc, Multikey and multibase base64url, against the W3C's test vectors for eddsa-rdfc-2022
(github.com/w3c/vc-di-eddsa, TestVectors/)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from sidecar.certificates.multibase import (
    ED25519_PRIVATE,
    b58decode,
    b58encode,
    ed25519_from_multikey,
    ed25519_multikey,
    from_u_base64url,
    from_z_base58,
    u_base64url,
    z_base58,
)

# TestVectors/keyPair.json
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
# TestVectors/eddsa-rdfc-2022/combinedHashDataInt.txt and the proofValue of signedDataInt.json
HASH_DATA = (
    "4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb"
    "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
)
PROOF_VALUE = (
    "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
)


def _vector_key() -> Ed25519PrivateKey:
    secret = from_z_base58(PRIVATE)
    assert secret[:2] == ED25519_PRIVATE and len(secret) == 34
    return Ed25519PrivateKey.from_private_bytes(secret[2:])


def test_the_w3c_key_pair_reads_as_its_multikey() -> None:
    raw = (
        _vector_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    assert ed25519_multikey(raw) == PUBLIC
    assert ed25519_from_multikey(PUBLIC) == raw


def test_the_w3c_hash_data_signs_to_the_w3c_proof_value() -> None:
    assert z_base58(_vector_key().sign(bytes.fromhex(HASH_DATA))) == PROOF_VALUE


@given(st.binary(max_size=80))
def test_base58_round_trips_leading_zeros_included(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@given(st.binary(max_size=200))
def test_base64url_round_trips(data: bytes) -> None:
    text = u_base64url(data)
    assert text.startswith("u") and "=" not in text
    assert from_u_base64url(text) == data


@pytest.mark.parametrize("text", ["0abc", "O", "I", "l", "abc+", "z" * 500, ""])
def test_strict_decoding(text: str) -> None:
    with pytest.raises(ValueError):
        ed25519_from_multikey(text)


def test_a_multikey_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        ed25519_from_multikey(z_base58(b"\x12\x00" + bytes(32)))
    with pytest.raises(ValueError):
        from_u_base64url("zabc")

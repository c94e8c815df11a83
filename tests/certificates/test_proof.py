"""eddsa-rdfc-2022 Data Integrity proofs: signed here and checked here (Digital Bazaar's verifier
checks the same proofs in tests/credentials/test_outside_verifier.py)."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sidecar.certificates.did import key_resolver, method_id
from sidecar.certificates.linked_data import canonicalize
from sidecar.certificates.multibase import from_z_base58
from sidecar.certificates.proof import hash_data, sign_document, verify_document
from sidecar.certificates.signing import Signer, generate_key, load_public_keys
from tests.certificates.test_linked_data import DOCUMENT

DID = "did:web:verify.example.org"
CREATED = datetime(2025, 5, 1, 12, 30, 15, tzinfo=UTC)


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "signing.key"
    generate_key(path)
    return path


def signed(key: Path, document: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    signer = Signer.load(key)
    return sign_document(document, signer, method_id(DID, signer.kid), CREATED)


def keys(key: Path) -> dict[str, bytes]:
    return key_resolver(DID, load_public_keys(key))


def test_the_proof_is_a_data_integrity_proof_over_both_hashes(key: Path) -> None:
    document = signed(key)
    (proof,) = document["proof"]
    assert {k: v for k, v in proof.items() if k != "proofValue"} == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-05-01T12:30:15Z",
        "verificationMethod": f"{DID}#{Signer.load(key).kid}",
        "proofPurpose": "assertionMethod",
    }
    config = {"@context": DOCUMENT["@context"], **proof}
    del config["proofValue"]
    expected = hashlib.sha256(canonicalize(config).encode()).digest()
    expected += hashlib.sha256(canonicalize(DOCUMENT).encode()).digest()
    assert hash_data(document, proof) == expected
    Signer.load(key).public_key.verify(from_z_base58(proof["proofValue"]), expected)
    assert verify_document(document, keys(key))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["credentialSubject"].update(name="John Doe"),
        lambda d: d.update(validFrom="2025-05-02T12:00:00Z"),
        lambda d: d["issuer"].update(name="Someone"),
        lambda d: d["proof"][0].update(created="2025-05-01T12:30:16Z"),
        lambda d: d["proof"][0].update(proofPurpose="authentication"),
        lambda d: d["proof"][0].update(cryptosuite="eddsa-jcs-2022"),
        lambda d: d["proof"][0].update(proofValue="z" + "1" * 80),
        lambda d: d["proof"][0].update(verificationMethod=f"{DID}#0000000000000000"),
        lambda d: d["proof"].append(copy.deepcopy(d["proof"][0])),
        lambda d: d.update(proof=[]),
        lambda d: d.pop("proof"),
        lambda d: d.update(extra="unsigned"),
    ],
)
def test_any_change_fails(key: Path, tamper: Any) -> None:
    document = signed(key)
    tamper(document)
    assert not verify_document(document, keys(key))


def test_another_key_does_not_verify(key: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    generate_key(other)
    assert not verify_document(signed(key), keys(other))


def test_a_retired_key_still_verifies_after_rotation(key: Path) -> None:
    document = signed(key)
    generate_key(key, rotate=True)
    assert verify_document(document, keys(key))
    assert verify_document(signed(key), keys(key))


@pytest.mark.parametrize("garbage", [None, 3, "text", [], {"proof": "x"}, {"proof": [{"a": 1}]}])
def test_garbage_never_raises(garbage: Any, key: Path) -> None:
    assert verify_document(garbage, keys(key)) is False


def test_a_single_proof_object_is_read_too(key: Path) -> None:
    document = signed(key)
    document["proof"] = document["proof"][0]
    assert verify_document(document, keys(key))


def test_proofs_of_one_second_share_the_configs_hash_and_each_is_its_own(key: Path) -> None:
    from sidecar.certificates import proof as proof_module

    proof_module._config_hash.cache_clear()
    first, second = signed(key), signed(key, {**DOCUMENT, "name": "Another"})
    assert proof_module._config_hash.cache_info().hits >= 1  # the second reused the first's
    for document in (first, second):
        (proof,) = document["proof"]
        config = {"@context": document["@context"], **proof}
        del config["proofValue"]
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        expected = hashlib.sha256(canonicalize(config).encode()).digest()
        expected += hashlib.sha256(canonicalize(unsecured).encode()).digest()
        assert hash_data(document, proof) == expected
        assert verify_document(document, keys(key))
    # A proof a second later is hashed for its own `created`, not served the cached one's.
    later = sign_document(
        DOCUMENT, Signer.load(key), method_id(DID, Signer.load(key).kid), CREATED.replace(second=16)
    )
    assert verify_document(later, keys(key))
    assert later["proof"][0]["proofValue"] != first["proof"][0]["proofValue"]
    moved = copy.deepcopy(later)
    moved["proof"][0]["created"] = first["proof"][0]["created"]
    assert not verify_document(moved, keys(key))

"""did:web from the verify site's address, and its DID document of every published key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecar.certificates.did import (
    DID_V1,
    MULTIKEY_V1,
    did_document,
    did_web,
    document_path,
    key_resolver,
)
from sidecar.certificates.multibase import ed25519_from_multikey
from sidecar.certificates.signing import b64url_decode, generate_key, load_public_keys


@pytest.mark.parametrize(
    ("url", "did", "path"),
    [
        ("https://verify.example.org", "did:web:verify.example.org", "/.well-known/did.json"),
        ("https://Verify.Example.org/", "did:web:verify.example.org", "/.well-known/did.json"),
        ("http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080", "/.well-known/did.json"),
        ("https://example.org/verify/site", "did:web:example.org:verify:site", "/did.json"),
    ],
)
def test_did_web_of_the_site(url: str, did: str, path: str) -> None:
    assert did_web(url) == did
    assert document_path(url) == path


def test_a_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValueError):
        did_web("not a url")


def test_the_document_lists_current_and_retired_keys(tmp_path: Path) -> None:
    key = tmp_path / "signing.key"
    old = generate_key(key)
    new = generate_key(key, rotate=True)
    published = load_public_keys(key)
    published.append({**published[0], "kid": "0000000000000000"})  # a kid that lies: skipped
    did = "did:web:verify.example.org"
    document = did_document(did, published)
    assert document["@context"] == [DID_V1, MULTIKEY_V1]
    ids = [f"{did}#{old}", f"{did}#{new}"]
    assert [m["id"] for m in document["verificationMethod"]] == ids
    assert document["assertionMethod"] == ids
    for method, entry in zip(document["verificationMethod"], published, strict=False):
        assert method["type"] == "Multikey" and method["controller"] == did
        assert ed25519_from_multikey(method["publicKeyMultibase"]) == b64url_decode(entry["x"])
    assert sorted(key_resolver(did, published)) == sorted(ids)

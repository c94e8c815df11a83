"""The issuer's identifier: ``did:web`` on the verify site's host (docs/credentials.md).

did:web rather than did:key, because the signing key rotates (`ojt-sidecar keys rotate`): a
did:key *is* one key, so every rotation would make a new issuer, and credentials signed before
it would name an issuer that no longer signs. did:web names the site, and its DID document lists
every key the site publishes, current and retired, as Multikey verification methods, so a
credential signed with a retired key still verifies, exactly as the PDF's signature does with
`/.well-known/ojt-sidecar/keys.json`.

``http://127.0.0.1:8080`` becomes ``did:web:127.0.0.1%3A8080``, resolved at
``/.well-known/did.json``; a base URL with a path (``https://example.org/verify``) becomes
``did:web:example.org:verify``, resolved at ``/verify/did.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from sidecar.certificates.multibase import ed25519_multikey
from sidecar.certificates.signing import raw_public_key

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
WELL_KNOWN = "/.well-known/did.json"


def did_web(base_url: str) -> str:
    """The did:web of the verify site at `base_url` (scheme, host, optional port and path)."""
    parts = urlsplit(str(base_url))
    if not parts.hostname:
        raise ValueError(f"{base_url!r} has no host to make a did:web of.")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += f":{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", quote(host, safe=""), *segments])


def document_path(base_url: str) -> str:
    """Where, below the site's own root, its DID document is served for `base_url`: a did:web
    with a path resolves to ``<path>/did.json``, which a reverse proxy hands the site as
    ``/did.json``."""
    return WELL_KNOWN if not urlsplit(str(base_url)).path.strip("/") else "/did.json"


def method_id(did: str, kid: str) -> str:
    """The verification method of the key `kid`: the DID with the key id as its fragment."""
    return f"{did}#{kid}"


def verification_methods(
    did: str, public_keys: Iterable[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """A Multikey verification method for each well-formed Ed25519 key of the published list."""
    methods = []
    for entry in public_keys:
        raw = raw_public_key(entry)
        if raw is None:
            continue
        methods.append(
            {
                "id": method_id(did, str(entry["kid"])),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ed25519_multikey(raw),
            }
        )
    return methods


def did_document(did: str, public_keys: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The DID document: every published key, current and retired, may assert credentials."""
    methods = verification_methods(did, public_keys)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def key_resolver(did: str, public_keys: Iterable[Mapping[str, Any]]) -> dict[str, bytes]:
    """Verification method id -> raw public key, for `proof.verify_document`."""
    resolved = {}
    for entry in public_keys:
        raw = raw_public_key(entry)
        if raw is not None:
            resolved[method_id(did, str(entry["kid"]))] = raw
    return resolved

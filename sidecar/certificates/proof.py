"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C "Data Integrity EdDSA
Cryptosuites v1.0", §3.2), made with the certificates' own Ed25519 signing key.

To sign: the proof configuration (the document's ``@context``, type ``DataIntegrityProof``, the
cryptosuite, ``created``, the verification method, ``proofPurpose: assertionMethod``) and the
document without its proof are each canonicalized (RDFC-1.0, `linked_data.canonicalize`) and
hashed with SHA-256; the signature is over the proof configuration's hash followed by the
document's, and ``proofValue`` is its multibase base58btc (``z…``).

The proof is written as a one-element list: Verifiable Credentials allow one proof or a list,
and 1EdTech's Open Badges JSON Schema accepts only the list.
"""

from __future__ import annotations

import binascii
import copy
import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sidecar.certificates.linked_data import LinkedDataError, canonicalize
from sidecar.certificates.multibase import from_z_base58, z_base58
from sidecar.certificates.signing import Signer

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PURPOSE = "assertionMethod"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as credentials write them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_options(verification_method: str, created: datetime) -> dict[str, str]:
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PURPOSE,
    }


def hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof configuration, then SHA-256 of the canonical document."""
    config = {"@context": document["@context"], **options}
    config.pop("proofValue", None)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config_json = json.dumps(config, sort_keys=True)
    # Only a configuration of the usual size is kept: a hostile one is hashed and forgotten.
    of_config = _config_hash if len(config_json) <= 2048 else _config_hash.__wrapped__
    return of_config(config_json) + hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()


@functools.lru_cache(maxsize=64)
def _config_hash(config_json: str) -> bytes:
    """The proof configuration's hash, by its JSON: it changes only with `created` (a second),
    so the credentials made, or checked, within one second share one canonicalization, half of
    what a proof cost. A configuration that does not canonicalize raises each time (lru_cache
    keeps only answers)."""
    return hashlib.sha256(canonicalize(json.loads(config_json)).encode("utf-8")).digest()


def sign_document(
    document: Mapping[str, Any], signer: Signer, verification_method: str, created: datetime
) -> dict[str, Any]:
    """A copy of `document` (a deep one, any proof it had left out) with an eddsa-rdfc-2022 proof.
    LinkedDataError when the document does not canonicalize with the bundled contexts."""
    unsecured = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    options = proof_options(verification_method, created)
    signature = signer.sign_bytes(hash_data(unsecured, options))
    return {**unsecured, "proof": [{**options, "proofValue": z_base58(signature)}]}


def verify_document(document: Any, keys: Mapping[str, bytes]) -> bool:
    """True when `document` carries exactly one proof, an eddsa-rdfc-2022 assertion by one of
    `keys` (verification method id -> raw Ed25519 public key), that verifies. False on anything
    else, malformed input included; never raises."""
    try:
        proofs = document["proof"]
        proofs = proofs if isinstance(proofs, list) else [proofs]
        if len(proofs) != 1 or not isinstance(proofs[0], dict):
            return False
        proof = proofs[0]
        if (proof.get("type"), proof.get("cryptosuite"), proof.get("proofPurpose")) != (
            PROOF_TYPE,
            CRYPTOSUITE,
            PURPOSE,
        ):
            return False
        method = proof.get("verificationMethod")
        raw = keys.get(method) if isinstance(method, str) else None
        signature = from_z_base58(proof["proofValue"])
        if raw is None or len(signature) != 64:
            return False
        data = hash_data(document, proof)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except (InvalidSignature, LinkedDataError, ValueError, TypeError, KeyError, binascii.Error):
        return False
    return True

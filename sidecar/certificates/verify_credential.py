"""The Open Badges credential a certificate PDF carries (`ojt-credential.json`), checked
offline as part of `verify-pdf`: its Data Integrity proof under one of the known keys, and that it
says what the signed payload says (docs/credentials.md). A PDF made before credentials existed
has none, which is no problem. Problems are plain sentences; nothing here raises."""

from __future__ import annotations

import json
from typing import Any, Literal

from sidecar.certificates import did as dids
from sidecar.certificates import proof
from sidecar.certificates.document import CertificateFields
from sidecar.certificates.pdf import CREDENTIAL_NAME

# valid: its proof holds under a known key and it agrees with the payload; invalid: either not;
# unchecked: no public key was given; absent: the PDF carries no credential.
CredentialState = Literal["valid", "invalid", "unchecked", "absent"]


def check_credential(
    attachment: list[bytes] | None,
    fields: CertificateFields | None,
    public_keys: list[dict[str, Any]],
    problems: list[str],
) -> CredentialState:
    if not attachment:
        return "absent"
    try:
        credential = json.loads(attachment[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        credential = None
    if not isinstance(credential, dict):
        problems.append(f"The embedded {CREDENTIAL_NAME} is not a JSON credential.")
        return "invalid"
    disagreement = _disagreement(credential, fields)
    if disagreement:
        problems.append(f"The embedded credential {disagreement}.")
        return "invalid"
    if not public_keys:
        return "unchecked"
    issuer = credential.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else None
    if not isinstance(did, str) or not proof.verify_document(
        credential, dids.key_resolver(did, public_keys)
    ):
        problems.append(
            "The embedded credential's proof does not hold under the known keys: "
            "it was altered or not signed by this issuer."
        )
        return "invalid"
    return "valid"


def _disagreement(credential: dict[str, Any], fields: CertificateFields | None) -> str | None:
    """What the credential says differently from the signed payload, or None."""
    if fields is None:
        return None  # the payload's own problem is reported already
    subject = credential.get("credentialSubject")
    name = subject.get("name") if isinstance(subject, dict) else None
    if credential.get("id") != fields.verify_url:
        return f"names another certificate than {fields.serial}"
    if not isinstance(name, str) or name.split() != fields.participant.split():
        return f"is not awarded to {fields.participant}"
    return None

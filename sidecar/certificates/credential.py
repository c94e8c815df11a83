"""The Open Badges 3.0 credential of a certificate: an ``OpenBadgeCredential`` (Verifiable
Credentials Data Model 2.0) that says what the PDF says, signed with an eddsa-rdfc-2022 Data
Integrity proof by the certificates' own key (docs/credentials.md).

What it holds: the issuer's profile (its did:web, its name, the verify site's URL); the
achievement, which is the program (its name, its criteria in words, `CertificateOfCompletion`)
and, where the program has them, how its results are described (the assignments' count, the
average score in percent); the subject, the trainee, by name, with the batch (as the term) and
its dates; the results; ``validFrom`` (the moment of issue) and ``validUntil`` (the end of the
expiry day, when the certificate expires); and the ``credentialStatus`` entry of its bit in the
revocation list (`statuslist`); for a renewal or re-issue, the credential it replaces as a
``relatedResource`` with its SHA-384 digest.

The credential's ``id`` is the certificate's verification URL, the one its QR code encodes.
The achievement and its result descriptions are named by UUIDs derived from the issuer's DID
and the program's key: the same program has the same achievement on every certificate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sidecar.certificates.did import did_web, method_id
from sidecar.certificates.document import CertificateFields
from sidecar.certificates.linked_data import CREDENTIALS_V2, OPEN_BADGES_V3, plain_text
from sidecar.certificates.proof import sign_document, timestamp
from sidecar.certificates.signing import Signer
from sidecar.certificates.statuslist import status_entry
from sidecar.config.programs import Program as ProgramConfig

EMBEDDED_NAME = "ojt-credential.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@dataclass(frozen=True)
class CredentialIssuer:
    """Who signs: the verify site's did:web, the issuer's name, the site's public URL."""

    did: str
    name: str
    url: str

    @classmethod
    def of_site(cls, base_url: str, name: str) -> CredentialIssuer:
        return cls(did_web(base_url), name, str(base_url).rstrip("/"))


@dataclass(frozen=True)
class Award:
    """What one certificate's credential says beyond its fields."""

    title: str  # the certificates' title, e.g. "Certificate of Completion"
    criteria: str  # what the program asks, in words (`criteria_in_words`)
    status_index: int
    issued_at: datetime
    replaces: Replaced | None = None  # the credential a renewal or re-issue replaces


@dataclass(frozen=True)
class Replaced:
    """The credential this one replaces: where it is served and its exact text, named in
    `relatedResource` with its digest (VC 2.0, integrity of related resources), so a verifier
    can fetch the predecessor and check it is the one meant."""

    url: str  # its /c/<serial>.json
    text: str

    def related(self) -> dict[str, str]:
        digest = base64.b64encode(hashlib.sha384(self.text.encode("utf-8")).digest()).decode()
        return {"id": self.url, "digestSRI": f"sha384-{digest}", "mediaType": "application/vc"}


def _urn(issuer: CredentialIssuer, *names: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join((issuer.did, *names))).urn


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def open_badge_credential(
    fields: CertificateFields, issuer: CredentialIssuer, award: Award
) -> dict[str, Any]:
    """The unsigned credential of the certificate `fields` describe."""
    text = plain_text
    achievement, results = _achievement_and_results(fields, issuer, award)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": text(fields.participant),
        # Open Badges asks for an id or an identifier; a trainee has no DID: their name, plain.
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": text(fields.participant),
            }
        ],
        "achievement": achievement,
    }
    if fields.batch:
        subject["term"] = text(fields.batch)
    if fields.batch_start:
        subject["activityStartDate"] = _day_start(fields.batch_start)
    if fields.batch_end:
        subject["activityEndDate"] = _day_start(fields.batch_end)
    if results:
        subject["result"] = results
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": fields.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": text(f"{award.title}: {fields.program}"),
        "issuer": {
            "id": issuer.did,
            "type": ["Profile"],
            "name": text(issuer.name),
            "url": issuer.url,
        },
        "validFrom": timestamp(award.issued_at),
        "awardedDate": timestamp(award.issued_at),
        "credentialSubject": subject,
        "credentialStatus": status_entry(issuer.url, award.status_index),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "JsonSchema"}],
    }
    if fields.expires_on is not None:  # valid to the end of its last day
        credential["validUntil"] = f"{fields.expires_on.isoformat()}T23:59:59Z"
    if award.replaces is not None:
        credential["relatedResource"] = [award.replaces.related()]
    return credential


def _achievement_and_results(
    fields: CertificateFields, issuer: CredentialIssuer, award: Award
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The program as an Achievement, with the descriptions of the results this certificate
    states (the assignments' count when any were counted, the average when there is one)."""
    key = fields.program_key
    descriptions: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def add(name: str, value: str, kind: str, **limits: str) -> None:
        described = _urn(issuer, "program", key, name.lower().replace(" ", "-"))
        descriptions.append(
            {"id": described, "type": ["ResultDescription"], "name": name, "resultType": kind}
            | limits
        )
        results.append({"type": ["Result"], "resultDescription": described, "value": value})

    if fields.total_assignments:
        add("Assignments", str(fields.total_assignments), "Result")
    if fields.average_score is not None:
        add("Average score", f"{fields.average_score:.1f}", "Percent", valueMin="0", valueMax="100")
    achievement: dict[str, Any] = {
        "id": _urn(issuer, "program", key),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": plain_text(fields.program),
        "description": plain_text(f"Completion of the training program {fields.program}."),
        "criteria": {"narrative": plain_text(award.criteria)},
        "humanCode": key,
    }
    if descriptions:
        achievement["resultDescription"] = descriptions
    return achievement, results


def signed_credential(
    fields: CertificateFields, issuer: CredentialIssuer, award: Award, signer: Signer
) -> dict[str, Any]:
    """The credential with its proof by `signer`'s key, a verification method of the issuer's
    DID document. LinkedDataError if it does not canonicalize (a bug, not an input)."""
    credential = open_badge_credential(fields, issuer, award)
    return sign_document(credential, signer, method_id(issuer.did, signer.kid), award.issued_at)


def credential_text(credential: Mapping[str, Any]) -> str:
    """The JSON stored, served at /c/<serial>.json and embedded in the PDF."""
    return json.dumps(credential, ensure_ascii=False, indent=2) + "\n"


def criteria_in_words(program: ProgramConfig | None) -> str:
    """What the program asks of a trainee, as a reader of the credential would want it said."""
    if program is None:
        return "Complete the training program."
    required = sum(1 for course in program.courses if course.required)
    plural = "s" if required != 1 else ""
    sentences = [f"Complete the program's {required} required eLearning course{plural}."]
    needs = program.requirements
    if needs.min_attendance:
        sentences.append(f"Attend at least {needs.min_attendance:g} % of the batch's sessions.")
    if needs.min_average_score:
        what = "the assignments" if program.assignments else "the graded quizzes"
        sentences.append(f"Score at least {needs.min_average_score:g} % on average in {what}.")
    if needs.min_submitted:
        plural = "s" if needs.min_submitted != 1 else ""
        sentences.append(f"Hand in at least {needs.min_submitted} assignment{plural}.")
    if program.issue_on == "batch_done":
        sentences.append("The certificate is issued when the batch ends.")
    return " ".join(sentences)

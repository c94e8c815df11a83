"""What the site serves of the Open Badges credentials (docs/credentials.md): a certificate's
credential, the issuer's DID document, and the revocation status list credential.

The status list is served as the jobs stored it (`sidecar.certificates.status_publishing`):
the deliver job signs it again whenever the revoked set changes, and `ojt-sidecar cert revoke`
at once, so the site holds no private key (taking the site over forges nothing). It is sent
with a `max-age` of `TTL_SECONDS` (60 s), so a revocation reaches verifiers at the latest a
deliver cycle plus a minute after it was made.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Response

from sidecar.certificates.did import did_document, did_web
from sidecar.certificates.signing import KeyFileError, load_public_keys
from sidecar.certificates.statuslist import LIST_ID, TTL_SECONDS
from verify_site.pages import problem
from verify_site.records import CertificateView, Register, RegisterUnavailable
from verify_site.settings import SiteSettings

log = logging.getLogger(__name__)

LINKED_DATA = "application/ld+json"
DID_CACHE = "public, max-age=300"  # as the keys: they change rarely
ANYONE = {"Access-Control-Allow-Origin": "*"}  # public documents a web wallet may fetch
_NOT_PUBLISHED = (
    "This register does not publish Open Badges credentials: it has no public address"
    " (certificates.verify_base_url) to name their issuer by."
)
_NOT_YET = (
    "The certificate status list has not been published yet: the sidecar's deliver job signs"
    " and stores it within a minute of starting. Please try again shortly."
)


def status_list_answer(settings: SiteSettings, register: Register, list_id: int) -> Response:
    """The stored, signed status list; 404 in a sentence while none has been stored yet (the
    next deliver cycle stores it), as for a site without a public address."""
    if list_id != LIST_ID or settings.public_url is None:
        return problem(404, "No such status list", "This register publishes one status list, 1.")
    try:
        text = register.status_list_text(list_id)
    except RegisterUnavailable as exc:
        log.warning("status list unavailable: %s", exc.reason)
        return _unavailable()
    if text is None:
        response = problem(404, "No status list yet", _NOT_YET)
        response.headers["Cache-Control"] = "no-store"
        return response
    response = Response(text, mimetype=LINKED_DATA, headers=ANYONE)
    response.headers["Cache-Control"] = f"public, max-age={TTL_SECONDS}"
    return response


def did_answer(settings: SiteSettings) -> Response:
    """The DID document of the issuer's did:web: every published key, current and retired."""
    if settings.public_url is None:
        return problem(404, "No DID document", _NOT_PUBLISHED)
    try:
        keys = load_public_keys(settings.signing_key) if settings.signing_key else []
    except KeyFileError as exc:
        log.error("public keys unreadable: %s", exc)
        return problem(503, "Temporarily unavailable", "The public keys cannot be read right now.")
    document = did_document(did_web(settings.public_url), keys)
    response = Response(json.dumps(document, indent=2) + "\n", mimetype="application/did+json")
    response.headers.update({**ANYONE, "Cache-Control": DID_CACHE})
    return response


def credential_answer(cert: CertificateView, settings: SiteSettings, register: Register) -> Any:
    """The certificate's Open Badges credential, exactly as signed when it was issued."""
    if settings.initials_only:
        return problem(
            404,
            "Credential not published",
            "This register shows initials only, so Open Badges credentials (which hold the full"
            " name) are not published here. The certificate's PDF carries its credential.",
            serial=cert.serial,
        )
    try:
        text = register.credential_of(cert.serial)
    except RegisterUnavailable as exc:
        log.warning("credential look-up unavailable: %s", exc.reason)
        return _unavailable()
    if text is None:
        return problem(
            404,
            "No Open Badges credential",
            f"Certificate {cert.serial} was issued before this register issued Open Badges"
            " credentials, so it has none. Its page and its signed PDF remain the record.",
            serial=cert.serial,
        )
    return Response(text, mimetype=LINKED_DATA, headers=ANYONE)


def _unavailable() -> Response:
    return problem(
        503,
        "Temporarily unavailable",
        "The certificate status list cannot be read right now. Please try again in a few minutes.",
    )

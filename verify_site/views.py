"""The site's routes: look-up form, certificate page and its twins (the page as JSON, the PDF,
the Open Badges credential), public keys, the issuer's DID document, the status list."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from sidecar.certificates import serial as serials
from sidecar.certificates.sharing import linkedin_add_url
from sidecar.certificates.signing import KeyFileError, load_public_keys
from sidecar.i18n import words
from verify_site import display
from verify_site.health import CachedHealth
from verify_site.openbadges import credential_answer, did_answer, status_list_answer
from verify_site.pagecache import PageCache, etag_of, matches
from verify_site.pages import problem
from verify_site.records import CertificateView, Register, RegisterUnavailable, own_link
from verify_site.settings import SiteSettings

log = logging.getLogger(__name__)

bp = Blueprint("site", __name__)

Kind = Literal["html", "json", "pdf", "credential"]
# Longest first: `.page.json` (the page as JSON) before `.json` (the Open Badges credential).
SUFFIXES: dict[str, Kind] = {".page.json": "json", ".json": "credential", ".pdf": "pdf"}
KEYS_CACHE = "public, max-age=300"  # keys change rarely; no browser or proxy keeps a status


@dataclass
class SiteState:
    settings: SiteSettings
    register: Register
    health: CachedHealth
    pages: PageCache


def state() -> SiteState:
    site: SiteState = current_app.extensions["verify_site"]
    return site


@bp.get("/")
def index() -> BaseResponse:
    """The look-up form; `?serial=` sends the visitor to the certificate's canonical page."""
    typed = request.args.get("serial")
    if typed is None or not typed.strip():
        return Response(render_template("index.html"), mimetype="text/html")
    verdict = serials.check(typed)
    if verdict == "malformed":
        return _not_a_serial()
    canonical = serials.normalize(typed)
    if canonical is None:  # check() said it has a serial's shape; normalize disagrees
        return _not_a_serial()
    if verdict == "typo":
        return _typo(canonical)
    return redirect(url_for("site.certificate", raw=canonical), 302)


@bp.get("/c/<path:raw>")
def certificate(raw: str) -> BaseResponse:
    """`/c/<serial>`, `/c/<serial>.page.json`, `/c/<serial>.pdf` and `/c/<serial>.json` (the
    Open Badges credential); other spellings of a serial (lower case, spaces, no hyphens) are
    redirected to the canonical address."""
    text, kind, suffix = _split(raw)
    verdict = serials.check(text)
    if verdict == "malformed":
        return _not_a_serial()
    canonical = serials.normalize(text)
    if canonical is None:
        return _not_a_serial()
    if verdict == "typo":
        return _typo(canonical)
    if canonical != text:
        return redirect(url_for("site.certificate", raw=canonical + suffix), 301)
    site = state()
    try:
        cert = site.register.find(canonical, site.settings.clock())
    except RegisterUnavailable as exc:
        log.warning("certificate look-up unavailable: %s", exc.reason)
        return problem(503, "Temporarily unavailable", UNAVAILABLE)
    if cert is None:
        return problem(
            404,
            "Certificate not found",
            f"No certificate with serial {canonical} is in this register. Check that the serial"
            " matches the one printed on the certificate.",
            serial=canonical,
        )
    holder = cert.opened_by(request.args.get("t"))
    if cert.hidden and not holder:
        return _hidden(cert, kind, site)
    if kind == "json":
        return _conditional(_json_twin(cert, site.settings))
    if kind == "credential":
        answer = credential_answer(cert, site.settings, site.register)
        return _conditional(answer) if answer.status_code == 200 else answer
    if kind == "pdf":
        return _pdf(cert, site.settings)
    if holder:  # the holder's own link: never kept in the page cache, which the public reads
        body = _render_page(cert, site.settings, holder=True)
        return _conditional(Response(body, mimetype="text/html"))
    return _page(cert, site)


def _hidden(cert: CertificateView, kind: Kind, site: SiteState) -> BaseResponse:
    """What the public gets of a certificate whose holder hid its details: the page says only
    whether it holds, who issued it and when; its JSON twin the same; no PDF, no credential."""
    if kind == "html":
        return _page(cert, site)
    if kind == "json":
        status = {"state": cert.status.state, "since": _iso(cert.status.since), "hidden": True}
        body = {"serial": cert.serial, "status": status, "issuer": cert.issuer}
        body["issue_date"] = cert.issue_date.isoformat()
        return _conditional(jsonify(body))
    return problem(
        404,
        "Details not published",
        "The holder of this certificate has chosen not to publish its details here.",
        serial=cert.serial,
    )


@bp.get("/.well-known/ojt-sidecar/keys.json")
def keys() -> BaseResponse:
    """The public half of every signing key, current and retired, to check signatures offline."""
    signing_key = state().settings.signing_key
    try:
        published = load_public_keys(signing_key) if signing_key is not None else []
    except KeyFileError as exc:
        log.error("public keys unreadable: %s", exc)
        return problem(503, "Temporarily unavailable", "The public keys cannot be read right now.")
    response = jsonify({"keys": published})
    response.headers["Cache-Control"] = KEYS_CACHE
    return response


@bp.get("/.well-known/did.json")
@bp.get("/did.json")  # where a did:web with a path resolves, once a proxy strips the path
def did() -> BaseResponse:
    """The DID document of the issuer's did:web (docs/credentials.md)."""
    return did_answer(state().settings)


@bp.get("/status/<int:list_id>")
def status_list(list_id: int) -> BaseResponse:
    """The revocation status list credential, as the jobs signed and stored it."""
    site = state()
    return status_list_answer(site.settings, site.register, list_id)


@bp.get("/healthz")
def healthz() -> BaseResponse:
    """200 when the store answered a query on the certificates table; 503 with the reason.
    Rate-limited like every page, and from a result at most a second old (verify_site/health.py)."""
    reason = state().health.reason()
    if reason is None:
        return jsonify({"status": "ok"})
    response = jsonify({"status": "unavailable", "reason": reason})
    response.status_code = 503
    return response


UNAVAILABLE = (
    "The certificate register cannot be read right now. Please try again in a few minutes."
)


def _split(raw: str) -> tuple[str, Kind, str]:
    for suffix, kind in SUFFIXES.items():
        if raw.endswith(suffix):
            return raw[: -len(suffix)], kind, suffix
    return raw, "html", ""


def _not_a_serial() -> Response:
    return problem(
        404,
        "Not a certificate serial",
        "That is not a certificate serial. A serial has 17 letters and digits in groups, like"
        " ABCD-EFGH-JKMN-PQRS-T; it is printed under the QR code on the certificate.",
    )


def _typo(canonical: str) -> Response:
    return problem(
        404,
        "Serial looks mistyped",
        f"{canonical} looks like a typo: its last character, a check character, does not match"
        " the others, so no certificate can have this serial. Please check the characters you"
        " typed against the certificate.",
        serial=canonical,
    )


def _page(cert: CertificateView, site: SiteState) -> Response:
    """The page, stored in the page cache (keyed by its status) for CertificatePages to answer
    the next requests without Flask (verify_site/fastpage.py)."""
    body = _render_page(cert, site.settings).encode("utf-8")
    environ = request.environ
    script_root = str(environ.get("SCRIPT_NAME") or "")
    page = site.pages.put(
        cert.serial, cert.status, script_root, body, host=environ.get("HTTP_HOST")
    )
    return _conditional(Response(body, mimetype="text/html"), page.etag)


def _conditional(response: Response, etag: str | None = None) -> Response:
    """`response` with its ETag, or `304 Not Modified` when If-None-Match names that ETag (the
    after_request hooks add the security headers and `no-store` to either)."""
    etag = etag or etag_of(response.get_data())
    if matches(request.headers.get("If-None-Match"), etag):
        response = Response(status=304)
    response.headers["ETag"] = etag
    return response


def _render_page(cert: CertificateView, settings: SiteSettings, *, holder: bool = False) -> str:
    if cert.hidden and not holder:
        # In the site's language, not the holder's: that would say something about them.
        return render_template(
            "hidden.html", cert=cert, public_only=True, _=words(settings.default_language)
        )
    # Built once here rather than by four url_for calls in the template: this is the hot page.
    base = url_for("site.certificate", raw=cert.serial)
    links = {
        "pdf": f"{base}.pdf",
        "json": f"{base}.page.json",
        "credential": f"{base}.json" if cert.status_index is not None else None,
        "keys": url_for("site.keys"),
        "current": url_for("site.certificate", raw=cert.current_serial)
        if cert.current_serial
        else None,
        "previous": url_for("site.certificate", raw=cert.previous_serial)
        if cert.previous_serial
        else None,
    }
    # The address the QR code holds, to share; LinkedIn's form only for a certificate that holds.
    links["share"] = f"{settings.public_url}/c/{cert.serial}" if settings.public_url else None
    if cert.hidden:  # the holder's view: their own links, which show the details
        for name in ("pdf", "json", "credential", "share"):
            link = links[name]
            links[name] = own_link(link, cert) if link else None
        links["privacy"] = own_link(url_for("privacy.privacy", serial=cert.serial), cert)
    if links["share"] and cert.status.is_valid:
        links["linkedin"] = linkedin_add_url(cert, links["share"])
    return render_template(
        "certificate.html",
        cert=cert,
        links=links,
        name=display.shown_name(cert.participant_name, settings.name_display),
        initials_only=settings.initials_only,
        display=display,
        _=words(cert.lang or settings.default_language),
        holder_view=cert.hidden,
    )


def _json_twin(cert: CertificateView, settings: SiteSettings) -> Response:
    body: dict[str, Any] = {
        "serial": cert.serial,
        "status": {
            "state": cert.status.state,
            "since": _iso(cert.status.since),
            "reason": cert.status.reason,
        },
        "current_serial": cert.current_serial,
        "previous_serial": cert.previous_serial,
        "lang": cert.lang or settings.default_language,
        "certificate": {
            "participant": display.shown_name(cert.participant_name, settings.name_display),
            "name_display": settings.name_display,
            "program": cert.program_name,
            "batch": cert.batch_name,
            "batch_start": _iso(cert.batch_start),
            "batch_end": _iso(cert.batch_end),
            "issuer": cert.issuer,
            "issue_date": cert.issue_date.isoformat(),
            "expires_on": _iso(cert.expires_on),
            "total_assignments": cert.total_assignments,
            "average_score": cert.average_score,
        },
        "html_url": url_for("site.certificate", raw=cert.serial),
        "credential_url": None
        if cert.status_index is None or settings.initials_only
        else url_for("site.certificate", raw=cert.serial + ".json"),
        "keys_url": url_for("site.keys"),
    }
    if settings.initials_only:
        # The signed payload carries the full name: only the PDF's holder can verify offline.
        body.update(payload=None, payload_parsed=None, signature=None, key_id=None, pdf_url=None)
        body["withheld"] = (
            "This register shows initials only, so the signed payload (which holds the full"
            " name) and the PDF are not published. The PDF's holder can check its signature."
        )
    else:
        body.update(
            payload=cert.payload,
            payload_parsed=_parsed(cert.payload),
            signature=cert.signature,
            signature_algorithm="Ed25519",
            key_id=cert.key_id,
            pdf_url=url_for("site.certificate", raw=cert.serial + ".pdf"),
        )
    return jsonify(body)


def _pdf(cert: CertificateView, settings: SiteSettings) -> BaseResponse:
    if settings.initials_only:
        return problem(
            404,
            "PDF not published",
            "This register shows initials only, so certificate PDFs are not published here."
            " Ask the certificate's holder for the PDF.",
            serial=cert.serial,
        )
    root = settings.output_dir.resolve()
    path = (root / cert.pdf_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.warning("PDF of %s not found in the output folder: %s", cert.serial, cert.pdf_path)
        return problem(
            404,
            "PDF not available",
            f"The PDF of certificate {cert.serial} is not available here. The certificate's"
            " status on its page is still authoritative.",
            serial=cert.serial,
        )
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"certificate-{cert.serial}.pdf",
        conditional=False,
    )
    # Not kept by browsers or proxies, like every status: a revoked certificate's PDF must not
    # outlive the revocation in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _parsed(payload: str) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        log.error("stored payload is not JSON")
        return None


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())

"""Offline verification of a certificate PDF: the embedded signed payload, the signature, the
serial's check character, the QR code on the page and the visible text; and the Open Badges
credential beside the payload, when it has one (`verify_credential`).

A PDF handed to us may be anything, so everything here reports problems as plain sentences and
never raises: the caller shows them (``ojt-sidecar verify-pdf``) and decides from ``ok``.

Without any public key the signature cannot be checked: that is not a problem of the PDF (a
genuine certificate would be called forged), so it is no entry in ``problems``; ``signature`` says
"unchecked" and ``ok`` stays False, since nothing vouches for the data.
"""

from __future__ import annotations

import binascii
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from sidecar.certificates import serial as serials
from sidecar.certificates.document import CertificateFields
from sidecar.certificates.pdf import CREDENTIAL_NAME, EMBEDDED_NAME
from sidecar.certificates.signing import verify_signature
from sidecar.certificates.verify_credential import CredentialState, check_credential

# What a hostile or broken file can make a third-party PDF parser raise. Listed, not a blanket
# `except Exception`, so a bug of ours still shows as one.
_PARSE_ERRORS = (
    PyPdfError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    OSError,
    EOFError,
    zlib.error,
    binascii.Error,
)
_RENDER_SCALE = 3.0  # ~7 pixels per QR module on the page as drawn

# valid: a known key signed exactly this data; invalid: it did not; unknown_key: keys are known
# but not the one named; unchecked: no public key was given; absent: no signed data to check.
SignatureState = Literal["valid", "invalid", "unknown_key", "unchecked", "absent"]


@dataclass
class PdfVerification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    fields: CertificateFields | None = None
    kid: str | None = None
    qr_url: str | None = None
    signature: SignatureState = "absent"
    credential: CredentialState = "absent"  # the Open Badges credential beside the payload

    @property
    def unverified(self) -> bool:
        """Nothing wrong was found, but the signature could not be checked (no keys)."""
        return not self.problems and self.signature == "unchecked"


def verify_pdf(data: bytes, public_keys: list[dict[str, Any]]) -> PdfVerification:
    """Check a certificate PDF against the known public keys; never raises."""
    result = PdfVerification(ok=False)
    if not isinstance(data, bytes | bytearray) or not bytes(data[:1024]).lstrip().startswith(
        b"%PDF-"
    ):
        result.problems.append("The file is not a PDF.")
        return result
    data = bytes(data)
    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
        attachment = attachments.get(EMBEDDED_NAME)
        credential = attachments.get(CREDENTIAL_NAME)
        text = reader.pages[0].extract_text() if len(reader.pages) else ""
    except _PARSE_ERRORS:
        result.problems.append("The file is not a readable PDF.")
        return result
    envelope = _envelope(attachment, result.problems)
    if envelope is not None:
        payload_text, signature, kid = envelope
        result.kid = kid
        result.signature = (
            _check_signature(payload_text, signature, kid, public_keys, result.problems)
            if public_keys
            else "unchecked"
        )
        result.fields = _fields(payload_text, result.problems)
    result.credential = check_credential(credential, result.fields, public_keys, result.problems)
    result.qr_url = _qr_url(data, result.problems)
    if result.fields is not None:
        _check_consistency(result.fields, result.qr_url, text or "", result.problems)
    result.ok = not result.problems and result.signature == "valid"
    return result


def _envelope(attachment: list[bytes] | None, problems: list[str]) -> tuple[str, str, str] | None:
    if not attachment:
        problems.append(f"The PDF carries no signed certificate data ({EMBEDDED_NAME}).")
        return None
    try:
        envelope = json.loads(attachment[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        envelope = None
    if not isinstance(envelope, dict) or not all(
        isinstance(envelope.get(k), str) for k in ("payload", "signature", "kid")
    ):
        problems.append(f"The embedded {EMBEDDED_NAME} is not a signed certificate envelope.")
        return None
    return envelope["payload"], envelope["signature"], envelope["kid"]


def _check_signature(
    payload_text: str,
    signature: str,
    kid: str,
    public_keys: list[dict[str, Any]],
    problems: list[str],
) -> SignatureState:
    if not any(isinstance(k, dict) and k.get("kid") == kid for k in public_keys):
        problems.append(
            f"The certificate is signed with key {kid}, which is not among the known keys."
        )
        return "unknown_key"
    try:
        payload_bytes = payload_text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from \ud800 escapes
        payload_bytes = b""
    if not verify_signature(payload_bytes, signature, public_keys, kid):
        problems.append(
            f"The signature does not match the certificate's data for key {kid}: "
            "the data was altered or the signature is not genuine."
        )
        return "invalid"
    return "valid"


def _fields(payload_text: str, problems: list[str]) -> CertificateFields | None:
    try:
        return CertificateFields.from_payload(json.loads(payload_text))
    except RecursionError:
        problems.append("The signed certificate data is not valid.")
    except ValueError as exc:  # json errors are ValueErrors too, with a technical message
        message = str(exc) if not isinstance(exc, json.JSONDecodeError) else "it is not JSON."
        problems.append(f"The signed certificate data is not valid: {message}")
    return None


def _qr_url(data: bytes, problems: list[str]) -> str | None:
    """The text of the first QR code on the rendered first page, or None."""
    try:
        pdf = pypdfium2.PdfDocument(data)
        try:
            image = pdf[0].render(scale=_RENDER_SCALE, grayscale=True).to_pil()
        finally:
            pdf.close()
    except (pypdfium2.PdfiumError, IndexError, ValueError, OSError):
        problems.append("The first page of the PDF cannot be rendered to read its QR code.")
        return None
    codes = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    if not codes:
        problems.append("No QR code can be read on the first page.")
        return None
    return str(codes[0].text)


def _check_consistency(
    fields: CertificateFields, qr_url: str | None, text: str, problems: list[str]
) -> None:
    if serials.check(fields.serial) != "ok" or serials.normalize(fields.serial) != fields.serial:
        problems.append(f"The serial {fields.serial} is not a valid serial (its check fails).")
    if not fields.verify_url.endswith(f"/c/{fields.serial}"):
        problems.append("The verification address does not end with /c/ and the serial.")
    if qr_url is not None and qr_url != fields.verify_url:
        problems.append(f"The QR code points to {qr_url}, not to {fields.verify_url}.")
    if not _shows(text, fields.participant):
        problems.append(f"The page does not show the signed participant name {fields.participant}.")
    if not _shows(text, fields.serial):
        problems.append(f"The page does not show the signed serial {fields.serial}.")


def _shows(page_text: str, wanted: str) -> bool:
    """Whether `wanted` appears in the extracted page text, ignoring whitespace (extraction adds
    and drops spaces and line breaks). A character outside Windows-1252 may come back as NUL
    when the embedded font had no glyph for it (e.g. CJK in DejaVu), so it matches either."""
    page = "".join(page_text.split())
    parts = []
    for ch in "".join(wanted.split()):
        try:
            ch.encode("cp1252")
            parts.append(re.escape(ch))
        except UnicodeEncodeError:
            parts.append(f"[{re.escape(ch)}\\x00]")
    return re.search("".join(parts), page) is not None

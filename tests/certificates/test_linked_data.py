"""The bundled contexts, pinned; nothing loaded from anywhere else; pyld held to safe mode."""

from __future__ import annotations

import hashlib
from importlib.resources import files
from typing import Any

import pytest

from sidecar.certificates.linked_data import (
    BUNDLED,
    CREDENTIALS_V2,
    OPEN_BADGES_V3,
    LinkedDataError,
    canonicalize,
    document_loader,
    plain_text,
)

PINNED = {
    CREDENTIALS_V2: "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    OPEN_BADGES_V3: "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
}
DOCUMENT: dict[str, Any] = {
    "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
    "id": "urn:uuid:2b5d2f5e-57a6-4c8f-9d1c-31f3d1d0c001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:verify.example.org", "type": ["Profile"], "name": "Acme"},
    "validFrom": "2025-05-01T12:00:00Z",
    "credentialSubject": {"type": ["AchievementSubject"], "name": "Jane Doe"},
}


@pytest.mark.parametrize("url", sorted(BUNDLED))
def test_the_bundled_contexts_are_the_pinned_bytes(url: str) -> None:
    data = (files("sidecar.certificates") / "contexts" / BUNDLED[url]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == PINNED[url]
    assert document_loader(url)["document"]["@context"]["@protected"] is True


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_no_other_url_is_loaded(url: str) -> None:
    with pytest.raises(LinkedDataError, match="not one of the bundled contexts"):
        canonicalize({**DOCUMENT, "@context": [CREDENTIALS_V2, url]})


def test_canonical_form_is_sorted_n_quads_with_canonical_blank_nodes() -> None:
    lines = canonicalize(DOCUMENT).splitlines()
    assert lines == sorted(lines)
    assert '_:c14n0 <https://schema.org/name> "Jane Doe" .' in lines
    assert canonicalize(dict(reversed(list(DOCUMENT.items())))) == canonicalize(DOCUMENT)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"nickname": "J"}, "terms no context defines: nickname"),
        ({"type": ["VerifiableCredential", "Diploma"]}, "not an absolute IRI"),
        ({"id": "credentials/1"}, "not an absolute IRI"),
    ],
)
def test_what_would_go_unsigned_is_an_error(change: dict[str, Any], says: str) -> None:
    with pytest.raises(LinkedDataError, match=says):
        canonicalize({**DOCUMENT, **change})


def test_plain_text_drops_what_pyld_and_rdfc_would_write_differently() -> None:
    assert plain_text("A\x00B\x07C\x0bD\x1fE\x7f") == "ABCDE"
    assert plain_text('tab\tnew\nline\r"q" \\ é 😀') == 'tab\tnew\nline\r"q" \\ é 😀'

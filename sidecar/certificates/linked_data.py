"""JSON-LD with the bundled contexts only, and RDF Dataset Canonicalization (RDFC-1.0).

pyld does the work: expansion with a document loader that answers the bundled contexts
(`contexts/`, pinned, see its README) and refuses every other URL, so signing and verifying
never touch the network; then URDNA2015, whose output RDFC-1.0 keeps.

Two guards make pyld as strict as Digital Bazaar's "safe mode", which the verifiers use:
- a term no context defines is dropped by JSON-LD expansion, and a dropped term is not signed;
  here it is an error instead;
- a relative IRI where an IRI belongs (`id`, `type`) is dropped from the RDF; an error too.

One difference between pyld and RDFC-1.0 is kept out by construction: pyld's N-Quads escape
only tab, newline, carriage return, quote and backslash, RDFC-1.0 also the other control
characters. Texts that go into a credential pass through `plain_text`, which removes those.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from pyld.jsonld import JsonLdError, JsonLdProcessor

from sidecar.certificates.expansion_cache import ExpansionCache

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
BUNDLED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
}

_ABSOLUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|_:)")
# RDFC-1.0 writes these as \uXXXX (or \b, \f); pyld would write them raw: neither may occur.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LinkedDataError(ValueError):
    """A document that does not canonicalize with the bundled contexts; one plain sentence."""


def plain_text(text: str) -> str:
    """`text` without the control characters pyld and RDFC-1.0 would write differently."""
    return _CONTROL.sub("", text)


@functools.cache
def _bundled(url: str) -> str:
    return (files("sidecar.certificates") / "contexts" / BUNDLED[url]).read_text("utf-8")


def bundled_context(url: str) -> dict[str, Any]:
    """The bundled context document for `url` (a fresh copy); KeyError when none is bundled."""
    document: dict[str, Any] = json.loads(_bundled(url))
    return document


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the bundled contexts, and nothing from anywhere else."""
    if url not in BUNDLED:
        raise JsonLdError(
            f"{url} is not one of the bundled contexts; nothing is fetched from the network.",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url)}


# No base: pyld would resolve a relative IRI against a stand-in (http://example.org/base/).
_OPTIONS = {"documentLoader": document_loader, "base": None}


def expand(document: Mapping[str, Any]) -> list[Any]:
    """JSON-LD expansion with the bundled contexts, in safe mode: LinkedDataError when the
    document uses a context that is not bundled or a term no context defines."""
    dropped: list[str] = []
    processor = JsonLdProcessor(on_property_dropped=dropped.append)
    try:
        expanded: list[Any] = processor.expand(copy.deepcopy(dict(document)), dict(_OPTIONS))
    except JsonLdError as exc:
        raise LinkedDataError(f"the document is not valid JSON-LD here: {_reason(exc)}") from exc
    if dropped:
        terms = ", ".join(sorted({str(term) for term in dropped}))
        raise LinkedDataError(f"the document uses terms no context defines: {terms}.")
    return expanded


def canonicalize(document: Mapping[str, Any], *, cached: bool = True) -> str:
    """The RDFC-1.0 canonical N-Quads of `document`; LinkedDataError when it uses a context that
    is not bundled, a term no context defines, or a relative IRI. With `cached`, the expansion
    comes from a template when a document of the same shape was expanded before
    (`expansion_cache`): the same result, without pyld's context processing, most of its time."""
    expanded = _templates.expand(document) if cached else expand(document)
    _require_absolute(expanded)
    processor = _already_expanded() if cached else JsonLdProcessor()
    try:
        canonical = processor.normalize(
            expanded, {"algorithm": "URDNA2015", "format": "application/n-quads", **_OPTIONS}
        )
    except JsonLdError as exc:
        raise LinkedDataError(f"the document is not valid JSON-LD here: {_reason(exc)}") from exc
    if not isinstance(canonical, str):  # pragma: no cover - the format option makes it text
        raise LinkedDataError("the canonical form is not text.")
    return canonical


_templates = ExpansionCache(expand)


def _already_expanded() -> Any:
    """pyld's processor for a document that is expanded already: its RDF conversion expands
    its input first, which for an expanded document changes nothing (expansion is idempotent)
    and was half of what canonicalizing a credential still cost."""
    processor = JsonLdProcessor()
    processor.expand = lambda input_, options: input_
    return processor


def _require_absolute(node: Any) -> None:
    """Every `@id` and `@type` of the expanded form is an absolute IRI or a blank node."""
    if isinstance(node, list):
        for item in node:
            _require_absolute(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("@id", "@type"):
            for iri in value if isinstance(value, list) else [value]:
                if not isinstance(iri, str) or not _ABSOLUTE.match(iri):
                    raise LinkedDataError(f"{key[1:]} {str(iri)[:80]!r} is not an absolute IRI.")
        elif key != "@value":
            _require_absolute(value)


def _reason(exc: JsonLdError) -> str:
    """The innermost message of a pyld error (it wraps its causes)."""
    while isinstance(exc.__cause__, JsonLdError):
        exc = exc.__cause__
    message = exc.args[0] if exc.args else exc.type
    return str(message)[:200]

"""Expansion from a template gives what pyld gives: the canonical form of generated credentials,
status lists and proof configurations is the same with the cache and without it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sidecar.certificates.credential import Award, CredentialIssuer, open_badge_credential
from sidecar.certificates.document import CertificateFields
from sidecar.certificates.expansion_cache import ExpansionCache
from sidecar.certificates.linked_data import canonicalize, expand
from sidecar.certificates.proof import proof_options
from sidecar.certificates.statuslist import status_list_credential

texts = st.text(min_size=1, max_size=40).filter(str.strip)
awkward = st.sampled_from(
    [
        'Zoë "Q" O\'Brien',
        "back\\slash",
        "new\nline\ttab",
        "did:example:123",
        "https://x.example/",
        "名前",
        "a:b",
    ]
)
names = st.one_of(texts, awkward)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def credentials(draw: st.DrawFn) -> dict[str, Any]:
    batch = draw(st.none() | names)
    fields = CertificateFields(
        serial="ABCD-EFGH-JKMN-PQRS-T",
        participant=draw(names),
        program=draw(names),
        program_key=draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        batch=batch,
        issue_date=draw(days),
        expires_on=draw(st.none() | days),
        total_assignments=draw(st.integers(0, 50)),
        average_score=draw(st.none() | st.floats(0, 100)),
        issuer=draw(names),
        verify_url="https://verify.example.org/c/ABCD-EFGH-JKMN-PQRS-T",
        batch_start=draw(st.none() | days) if batch else None,
        batch_end=draw(st.none() | days) if batch else None,
    )
    issuer = CredentialIssuer.of_site(
        draw(st.sampled_from(["https://v.example", "http://127.0.0.1:8080"])), fields.issuer
    )
    moment = datetime(2025, 5, 1, 12, tzinfo=UTC)
    award = Award(draw(names), draw(names), draw(st.integers(0, 131_071)), moment)
    return open_badge_credential(fields, issuer, award)


@settings(max_examples=150, deadline=None)
@given(credentials())
def test_credentials_canonicalize_alike_with_and_without_the_cache(
    credential: dict[str, Any],
) -> None:
    assert canonicalize(credential) == canonicalize(credential, cached=False)


@settings(max_examples=60, deadline=None)
@given(names, st.sampled_from(["assertionMethod", "authentication", "capabilityInvocation"]))
def test_proof_configurations_alike(method: str, purpose: str) -> None:
    config: dict[str, Any] = {"@context": ["https://www.w3.org/ns/credentials/v2"]}
    config |= proof_options(f"did:web:v.example#{method}", datetime(2025, 1, 1, tzinfo=UTC))
    config["proofPurpose"] = purpose  # a vocabulary term: a constant of the template, not a slot
    assert canonicalize(config) == canonicalize(config, cached=False)


@settings(max_examples=30, deadline=None)
@given(st.sets(st.integers(0, 131_071), max_size=20))
def test_status_lists_alike(revoked: set[int]) -> None:
    document = status_list_credential(
        "https://v.example", "did:web:v.example", revoked, datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert canonicalize(document) == canonicalize(document, cached=False)


def test_types_are_constants_and_a_new_type_is_expanded_afresh() -> None:
    calls: list[object] = []

    def counting(document: Any) -> list[Any]:
        calls.append(document)
        return expand(document)

    cache = ExpansionCache(counting)
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "name": "One",
        "issuer": "did:web:v.example",
        "validFrom": "2025-01-01T00:00:00Z",
    }
    first = cache.expand(document)
    made = len(calls)
    second = cache.expand({**document, "name": "Two", "id": "urn:uuid:2"})
    assert len(calls) == made  # from the template
    assert second == expand({**document, "name": "Two", "id": "urn:uuid:2"}) != first
    cache.expand({**document, "type": ["VerifiableCredential", "BitstringStatusListCredential"]})
    assert len(calls) > made  # another type: not the template's

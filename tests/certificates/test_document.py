import json
from datetime import date
from typing import Any

import pytest

from sidecar.certificates.document import CertificateFields, format_average
from sidecar.certificates.signing import canonical_json
from tests.certificates.conftest import make_fields


def test_payload_round_trips_through_canonical_json() -> None:
    fields = make_fields(batch=None, expires_on=None, average_score=None)
    payload = json.loads(canonical_json(fields.to_payload()))
    assert payload["v"] == 1
    assert payload["average_score"] is None and payload["batch"] is None
    assert payload["issue_date"] == "2024-05-31"
    assert "kid" not in payload
    assert CertificateFields.from_payload(payload) == fields


def test_payload_with_every_field_round_trips() -> None:
    fields = make_fields()
    assert CertificateFields.from_payload(fields.to_payload()) == fields


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 2}, "format version"),
        ({"issue_date": "31/05/2024"}, "issue_date"),
        ({"expires_on": "2024-02-30"}, "expires_on"),
        ({"total_assignments": -1}, "total_assignments"),
        ({"total_assignments": True}, "total_assignments"),
        ({"average_score": "87"}, "average_score"),
        ({"participant": ""}, "participant"),
        ({"batch": 3}, "batch"),
        ({"extra": 1}, "unknown keys"),
    ],
)
def test_from_payload_rejects_bad_input(change: dict[str, Any], message: str) -> None:
    payload = {**make_fields().to_payload(), **change}
    with pytest.raises(ValueError, match=message):
        CertificateFields.from_payload(payload)


def test_from_payload_rejects_missing_keys_and_non_objects() -> None:
    payload = make_fields().to_payload()
    del payload["serial"]
    with pytest.raises(ValueError, match="lacks serial"):
        CertificateFields.from_payload(payload)
    with pytest.raises(ValueError, match="not a JSON object"):
        CertificateFields.from_payload([1, 2])


def test_format_average() -> None:
    assert format_average(None) == "—"
    assert format_average(87.5) == "87.5 %"
    assert format_average(100.0) == "100 %"
    assert format_average(66.666) == "66.7 %"


def test_issue_date_is_a_date() -> None:
    assert make_fields().issue_date == date(2024, 5, 31)

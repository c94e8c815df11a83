import json
from datetime import date
from typing import Any

import pytest

from sidecar.certificates.document import CertificateFields, format_average, format_span
from sidecar.certificates.signing import canonical_json
from tests.certificates.conftest import make_fields


def test_payload_round_trips_through_canonical_json() -> None:
    fields = make_fields(batch=None, expires_on=None, average_score=None)
    payload = json.loads(canonical_json(fields.to_payload()))
    assert payload["v"] == 2
    assert payload["average_score"] is None and payload["batch"] is None
    assert payload["batch_start"] is None and payload["batch_end"] is None
    assert payload["issue_date"] == "2024-05-31"
    assert "kid" not in payload
    assert CertificateFields.from_payload(payload) == fields


def test_payload_with_every_field_round_trips() -> None:
    fields = make_fields()
    assert CertificateFields.from_payload(fields.to_payload()) == fields


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 3}, "format version"),
        ({"v": True}, "format version"),
        ({"batch_start": "2024-13-01"}, "batch_start"),
        ({"batch_end": 20240601}, "batch_end"),
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


def test_batch_dates_round_trip_and_format_1_still_reads() -> None:
    fields = make_fields(batch_start=date(2026, 12, 2), batch_end=date(2026, 12, 12))
    payload = fields.to_payload()
    assert (payload["batch_start"], payload["batch_end"]) == ("2026-12-02", "2026-12-12")
    assert CertificateFields.from_payload(payload) == fields
    # a certificate signed before batch dates were printed (format 1) still reads, without them
    old = {k: v for k, v in payload.items() if k not in ("batch_start", "batch_end")}
    old["v"] = 1
    read = CertificateFields.from_payload(old)
    assert (read.batch_start, read.batch_end, read.batch) == (None, None, fields.batch)
    with pytest.raises(ValueError, match="unknown keys: batch_start"):
        CertificateFields.from_payload({**old, "batch_start": None})


def test_format_span() -> None:
    assert format_span(date(2026, 12, 2), date(2026, 12, 12)) == "2 – 12 December 2026"
    assert format_span(date(2026, 11, 28), date(2026, 12, 12)) == "28 November – 12 December 2026"
    assert format_span(date(2026, 12, 28), date(2027, 1, 8)) == "28 December 2026 – 8 January 2027"
    assert format_span(date(2026, 12, 2), None) == "2 December 2026"
    assert format_span(None, None) == ""

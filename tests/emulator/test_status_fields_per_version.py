"""What `status_in_odoo` leans on, over XML-RPC on each version, as real servers answer: contact
tags (`res.partner.category`, names not unique) linked and unlinked with Commands on the
contact's `category_id`, seen from the tag as `partner_ids`; and applicant properties (17.0+),
defined on the job, where a write replaces every value and keeps only the defined ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc

TAG, PARTNER = "res.partner.category", "res.partner"
APPLICANT, JOB = "hr.applicant", "hr.job"
DEFINITION = [
    {"name": "seniority", "string": "Seniority", "type": "char"},
    {
        "name": "ojt_status",
        "string": "OJT status",
        "type": "selection",
        "selection": [["enrolled", "enrolled"], ["completed", "completed"]],
    },
    {"name": "ojt_progress", "string": "OJT progress %", "type": "float"},
]


@pytest.fixture(params=("16.0", "17.0", "18.0", "19.0"))
def rpc(request: pytest.FixtureRequest) -> Iterator[Rpc]:
    with OdooEmulator(demo=True, version=request.param) as emu:
        yield Rpc(emu)


def major(rpc: Rpc) -> int:
    return int(rpc.emu.version[:2])


def tags(rpc: Rpc, partner: int) -> list[int]:
    tag_ids: list[int] = rpc.ek(PARTNER, "read", [[partner], ["category_id"]])[0]["category_id"]
    return tag_ids


def test_tag_names_are_not_unique_and_commands_link_and_unlink(rpc: Rpc) -> None:
    first = rpc.ek(TAG, "create", [{"name": "OJT Welding: enrolled"}])
    second = rpc.ek(TAG, "create", [{"name": "OJT Welding: enrolled"}])
    other = rpc.ek(TAG, "create", [{"name": "VIP"}])
    assert first != second
    found = rpc.ek(TAG, "search", [[("name", "=", "OJT Welding: enrolled")]], {"order": "id"})
    assert found == [first, second]

    rpc.ek(PARTNER, "write", [[7], {"category_id": [(4, other)]}])
    rpc.ek(PARTNER, "write", [[7], {"category_id": [(4, first), (4, first)]}])
    assert tags(rpc, 7) == [other, first]
    rpc.ek(PARTNER, "write", [[7], {"category_id": [(3, first), (4, second)]}])
    assert tags(rpc, 7) == [other, second]
    rpc.ek(PARTNER, "write", [[7], {"category_id": [(3, first)]}])  # not linked: a no-op
    assert tags(rpc, 7) == [other, second]
    rpc.ek(PARTNER, "write", [[8], {"category_id": [(6, 0, [second])]}])

    seen = rpc.ek(TAG, "read", [[second, first], ["partner_ids"]])
    assert [row["partner_ids"] for row in seen] == [[7, 8], []]
    assert rpc.ek(PARTNER, "search", [[("category_id", "in", [second])]], {"order": "id"}) == [
        7,
        8,
    ]


def test_applicant_properties_are_defined_on_the_job_from_17(rpc: Rpc) -> None:
    applicant_fields = rpc.ek(APPLICANT, "fields_get", [], {"attributes": ["type"]})
    job_fields = rpc.ek(JOB, "fields_get", [], {"attributes": ["type"]})
    if major(rpc) == 16:
        assert "applicant_properties" not in applicant_fields
        assert "applicant_properties_definition" not in job_fields
        return
    assert applicant_fields["applicant_properties"]["type"] == "properties"
    assert job_fields["applicant_properties_definition"]["type"] == "properties_definition"

    applicant = rpc.ek(APPLICANT, "search", [[]], {"order": "id", "limit": 1})[0]
    job = rpc.ek(APPLICANT, "read", [[applicant], ["job_id"]])[0]["job_id"][0]
    rpc.ek(JOB, "write", [[job], {"applicant_properties_definition": DEFINITION}])
    values = {"seniority": "jr", "ojt_status": "enrolled", "ojt_progress": 12.5, "gone": 1}
    rpc.ek(APPLICANT, "write", [[applicant], {"applicant_properties": values}])
    read = rpc.ek(APPLICANT, "read", [[applicant], ["applicant_properties"]])[0]
    assert {p["name"]: p.get("value") for p in read["applicant_properties"]} == {
        "seniority": "jr",
        "ojt_status": "enrolled",
        "ojt_progress": 12.5,
    }

    # a write replaces every value: what it leaves out is empty afterwards
    rpc.ek(APPLICANT, "write", [[applicant], {"applicant_properties": {"ojt_progress": 50.0}}])
    read = rpc.ek(APPLICANT, "read", [[applicant], ["applicant_properties"]])[0]
    shown = {p["name"]: p.get("value", False) for p in read["applicant_properties"]}
    assert shown == {"seniority": False, "ojt_status": False, "ojt_progress": 50.0}


def test_a_bad_definition_is_refused(rpc: Rpc) -> None:
    if major(rpc) == 16:
        return
    job = rpc.ek(JOB, "search", [[]], {"limit": 1})[0]
    bad = [{"name": "OJT status", "string": "OJT status", "type": "char"}]
    rpc.fault(JOB, "write", [[job], {"applicant_properties_definition": bad}])

"""The demo dataset is the same on every version, with the same ids; only a version's model
shape changes a record (16.0 memberships, 18.0 candidates, 18.0+ applicants without a name)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sidecar.emulator import OdooEmulator
from sidecar.emulator.versions import VERSIONS

from .conftest import Rpc


@pytest.fixture(scope="module")
def rpcs() -> Iterator[dict[str, Rpc]]:
    emulators = {v: OdooEmulator(version=v).start() for v in VERSIONS}
    try:
        yield {v: Rpc(emu) for v, emu in emulators.items()}
    finally:
        for emu in emulators.values():
            emu.stop()


def _rows(rpc: Rpc, model: str, fields: list[str]) -> list[dict]:
    return rpc.ek(
        model,
        "search_read",
        [[]],
        {"fields": fields, "order": "id", "load": "", "context": {"active_test": False}},
    )


SHARED = {
    "res.partner": ["email", "parent_id", "is_company"],
    "res.users": ["login", "partner_id", "active"],
    "hr.job": ["name"],
    "hr.recruitment.stage": ["name", "sequence", "hired_stage"],
    "hr.applicant": ["partner_id", "partner_name", "email_from", "job_id", "stage_id"],
    "slide.channel": ["name", "total_slides"],
    "slide.slide": ["name", "channel_id", "slide_category", "is_published"],
    "slide.channel.partner": ["channel_id", "partner_id", "completion", "completed_slides_count"],
    "slide.slide.partner": ["slide_id", "partner_id", "completed"],
    "event.event": ["name", "stage_id"],
    "event.registration": ["event_id", "partner_id", "state"],
    "survey.survey": ["title"],
    "survey.user_input": ["survey_id", "partner_id", "state"],
}


@pytest.mark.parametrize("model", sorted(SHARED))
def test_same_records_on_every_version(rpcs: dict[str, Rpc], model: str) -> None:
    fields = SHARED[model]  # not partner names: 19.0+ name applicant contacts after the person
    baseline = _rows(rpcs["17.0"], model, fields)
    assert baseline
    for version, rpc in rpcs.items():
        assert _rows(rpc, model, fields) == baseline, (version, model)


def test_the_trainees_in_training(rpcs: dict[str, Rpc]) -> None:
    for rpc in rpcs.values():
        rows = rpc.ek("hr.applicant", "read", [[6, 7, 8], ["stage_id", "job_id"]], {"load": ""})
        assert [(r["stage_id"], r["job_id"]) for r in rows] == [(7, 7)] * 3


def test_shape_adaptations(rpcs: dict[str, Rpc]) -> None:
    v16 = _rows(rpcs["16.0"], "slide.channel.partner", ["completed"])
    assert [r["completed"] for r in v16] == [False] * 12
    v17 = _rows(rpcs["17.0"], "slide.channel.partner", ["member_status", "active"])
    assert [r["member_status"] for r in v17[:3]] == ["ongoing", "ongoing", "joined"]
    for version in ("17.0", "19.0", "20.0"):
        assert rpcs[version].ek("hr.applicant", "read", [[6], ["partner_name"]])[0]
    assert rpcs["17.0"].ek("hr.applicant", "read", [[6], ["name"]])[0]["name"] == (
        "Trainee - Carpentry"
    )
    assert "name" not in rpcs["19.0"].ek("hr.applicant", "fields_get", [], {"attributes": ["type"]})
    names = {v: rpcs[v].ek("res.partner", "read", [[67], ["name"]])[0]["name"] for v in rpcs}
    assert names["17.0"] == names["16.0"] == names["18.0"] == "enrique.jones152@gmail.example.com"
    assert names["19.0"] == names["20.0"] == "Enrique Jones"

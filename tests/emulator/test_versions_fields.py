"""Every version answers its own ``version()``, and ``fields_get`` as its reference has it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sidecar.emulator import OdooEmulator
from sidecar.emulator.registry import FIELD_CHANGES_20
from sidecar.emulator.versions import REFERENCE_ROOT, VERSIONS

from .conftest import Rpc

RECORDED = ("16.0", "17.0", "18.0", "19.0")


def _models(version: str) -> list[str]:
    return sorted(p.stem for p in (REFERENCE_ROOT / version / "fields").glob("*.json"))


@pytest.fixture(scope="module", params=VERSIONS)
def vrpc(request: pytest.FixtureRequest) -> Iterator[Rpc]:
    with OdooEmulator(version=request.param, demo=False) as emu:
        yield Rpc(emu)


def test_version_answers_that_versions_file(vrpc: Rpc) -> None:
    version = vrpc.emu.version
    expected = json.loads((REFERENCE_ROOT / version / "version.json").read_text())
    assert vrpc.common.version() == expected
    assert expected["server_version"] == version
    assert expected["server_version_info"][:2] == [int(version[:2]), 0]


def test_fields_get_is_the_reference_for_every_model(vrpc: Rpc) -> None:
    version = vrpc.emu.version
    source = version if version in RECORDED else "19.0"  # 20.0 starts from 19.0's fields
    for model in _models(source):
        expected = json.loads((REFERENCE_ROOT / source / "fields" / f"{model}.json").read_text())
        if version == "20.0" and model in FIELD_CHANGES_20:
            removed, added = FIELD_CHANGES_20[model]
            expected = {k: v for k, v in expected.items() if k not in removed} | added
        got = vrpc.ek(model, "fields_get", [], {})
        assert got == expected, (version, model)
        attrs = ["string", "type", "relation", "selection", "required", "readonly", "store"]
        some = sorted(expected)[:5]
        narrowed = vrpc.ek(model, "fields_get", [some], {"attributes": attrs})
        assert narrowed == {f: {a: expected[f][a] for a in attrs if a in expected[f]} for f in some}


def test_models_per_version() -> None:
    assert "hr.candidate" in _models("18.0")
    assert all("hr.candidate" not in _models(v) for v in ("16.0", "17.0", "19.0"))
    # the 25 first recorded, then event.tag and its category, then the Project app's 6 models,
    # then base.automation (Automation Rules, recorded on every version, 16.0's without webhooks)
    assert len(_models("17.0")) == 34
    assert all("base.automation" in _models(v) for v in RECORDED)
    project = {
        "project.project",
        "project.task",
        "project.task.type",
        "project.tags",
        "project.collaborator",
        "project.share.wizard",
    }
    assert all(project <= set(_models(v)) for v in RECORDED)
    assert all(set(_models("17.0")) <= set(_models(v)) for v in RECORDED)
    assert Path(REFERENCE_ROOT / "20.0" / "version.json").is_file()


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Odoo version"):
        OdooEmulator(version="15.0")

"""The shipped example and the smallest file both load, with the documented defaults."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sidecar.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.yaml"


def test_example_loads_without_any_environment() -> None:
    cfg = load_config(EXAMPLE, environ={})
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "admin"
    assert [p.key for p in cfg.programs] == ["junior-developers", "woodworking"]


def test_example_names_records_from_odoo_demo_data() -> None:
    cfg = load_config(EXAMPLE, environ={})
    courses = {c.course for p in cfg.programs for c in p.courses}
    assert courses == {
        "Basics of Gardening",
        "Taking care of Trees",
        "Trees, Wood and Gardens",
        "Choose your wood!",
    }
    assert cfg.programs[0].jobs == ("Experienced Developer",)
    assert cfg.recruitment.ojt_stage == "On the Job Training"
    assert (cfg.odoo.url, cfg.odoo.database, cfg.odoo.username) == (
        "http://127.0.0.1:8069",
        "ojt",
        "admin",
    )


def test_example_has_a_completion_program_and_a_batch_done_program() -> None:
    cfg = load_config(EXAMPLE, environ={})
    completion, batch_done = cfg.programs
    assert completion.issue_on == "completion"
    assert completion.weights.elearning == 1.0
    assert batch_done.issue_on == "batch_done"
    assert batch_done.batches and batch_done.weights.attendance > 0


def test_example_uses_environment_when_set() -> None:
    cfg = load_config(EXAMPLE, environ={"ODOO_PASSWORD": "s3cret"})
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "s3cret"


def test_example_documents_every_key() -> None:
    # Every field of every model appears as a key in the example file.
    from sidecar.config import models

    text = EXAMPLE.read_text(encoding="utf-8")
    written = set(re.findall(r"([a-z_]+):", text))
    sections = [
        cls
        for cls in vars(models).values()
        if isinstance(cls, type) and issubclass(cls, models.Section) and cls is not models.Section
    ]
    missing = {
        f"{cls.__name__}.{name}"
        for cls in sections
        for name in cls.model_fields
        if name not in written
    }
    assert not missing


def test_minimal_file_loads_with_defaults(load, minimal) -> None:
    cfg = load(minimal)
    assert cfg.odoo.transport == "auto"
    assert cfg.odoo.timeout_seconds == 30
    assert cfg.odoo.page_size == 1000
    assert cfg.odoo.read_chunk_size == 500
    assert cfg.odoo.retry.max_attempts == 5
    assert cfg.schedules.enroll.every == timedelta(minutes=5)
    assert cfg.schedules.reconcile.every == timedelta(days=1)
    assert cfg.recruitment.ojt_stage == "On the Job Training"
    program = cfg.programs[0]
    assert program.courses[0].required is True
    assert program.courses[0].completion_threshold == 100
    assert (program.weights.elearning, program.weights.attendance) == (1.0, 0.0)
    assert program.issue_on == "completion"
    assert program.eligibility.require_email is True
    assert cfg.certificates.title == "Certificate of Completion"
    assert cfg.verify_site.port == 8080
    assert cfg.logging.level == "INFO"

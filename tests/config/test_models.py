"""What other code reads from a loaded Config: derived values, resolved paths, helpers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import ValidationError

from sidecar.config import Config


def test_required_apps_for_elearning_only_program(load, minimal) -> None:
    minimal["odoo"]["apps"] = {"surveys": False}
    assert load(minimal).required_apps() == ["elearning"]


def test_required_apps_include_surveys_when_enabled(load, minimal) -> None:
    assert load(minimal).required_apps() == ["elearning", "surveys"]


def test_required_apps_include_recruitment_when_a_program_lists_jobs(load, minimal) -> None:
    minimal["programs"][0]["jobs"] = ["Experienced Developer"]
    assert "recruitment" in load(minimal).required_apps()


def test_required_apps_include_events_when_a_batch_has_an_event(load, minimal) -> None:
    minimal["programs"][0]["batches"] = [{"key": "b", "name": "B", "event": "Business workshops"}]
    assert "events" in load(minimal).required_apps()


def test_required_apps_include_events_when_attendance_counts(load, minimal) -> None:
    program = minimal["programs"][0]
    program["batches"] = [{"key": "b", "name": "B", "event": 5}]
    program["requirements"] = {"min_attendance": 80}
    cfg = load(minimal)
    assert cfg.programs[0].uses_attendance
    assert "events" in cfg.required_apps()


def test_required_apps_leave_out_disabled_apps(load, minimal) -> None:
    minimal["programs"][0]["jobs"] = ["Experienced Developer"]
    minimal["odoo"]["apps"] = {"recruitment": False, "surveys": False}
    assert load(minimal).required_apps() == ["elearning"]


def test_config_dir_is_the_directory_of_the_file(load, minimal, tmp_path) -> None:
    assert load(minimal).config_dir == tmp_path


def test_relative_certificate_paths_resolve_against_config_dir(load, minimal, tmp_path) -> None:
    minimal["certificates"] = {"output_dir": "out/pdf", "signing_key": "../keys/k.key"}
    cfg = load(minimal)
    assert cfg.certificates.output_dir == tmp_path / "out" / "pdf"
    assert cfg.certificates.signing_key == tmp_path.parent / "keys" / "k.key"


def test_default_certificate_paths_resolve_against_config_dir(load, minimal, tmp_path) -> None:
    cfg = load(minimal)
    assert cfg.certificates.output_dir == tmp_path / "var" / "certificates"
    assert cfg.certificates.signing_key == tmp_path / "var" / "keys" / "signing.key"


def test_absolute_paths_are_kept(load, minimal) -> None:
    minimal["certificates"] = {"output_dir": "/srv/ojt/pdf"}
    assert load(minimal).certificates.output_dir == Path("/srv/ojt/pdf")


def test_existing_logo_loads_as_absolute_path(load, minimal, tmp_path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n")
    minimal["certificates"] = {"issuer": {"logo": "logo.png"}}
    assert load(minimal).certificates.issuer.logo == tmp_path / "logo.png"


def test_relative_sqlite_url_resolves_against_config_dir(load, minimal, tmp_path) -> None:
    cfg = load(minimal)
    assert cfg.store.url.get_secret_value() == f"sqlite:///{tmp_path}/var/ojt-sidecar.db"
    assert cfg.store.backend == "sqlite"


def test_in_memory_sqlite_url_is_kept(load, minimal) -> None:
    minimal["store"] = {"url": "sqlite://"}
    assert load(minimal).store.url.get_secret_value() == "sqlite://"


def test_postgresql_url_is_masked_for_display(load, minimal) -> None:
    minimal["store"] = {"url": "postgresql+psycopg://ojt:pw@db:5432/ojt"}
    cfg = load(minimal)
    assert cfg.store.backend == "postgresql"
    assert cfg.store.display_url == "postgresql+psycopg://ojt:***@db:5432/ojt"
    assert "pw" not in repr(cfg.store)


def test_secrets_are_masked_in_repr(load, minimal) -> None:
    assert "pw" not in repr(load(minimal).odoo)


def test_odoo_secret_prefers_api_key(load, minimal) -> None:
    del minimal["odoo"]["password"]
    minimal["odoo"]["api_key"] = "k"
    assert load(minimal).odoo.secret.get_secret_value() == "k"


def test_verify_base_url_defaults_to_the_verify_site(load, minimal) -> None:
    minimal["verify_site"] = {"host": "0.0.0.0", "port": 9000}
    cfg = load(minimal)
    assert cfg.certificates.verify_base_url == "http://0.0.0.0:9000"


def test_verification_url_appends_the_serial(load, minimal) -> None:
    minimal["certificates"] = {"verify_base_url": "https://verify.example.com/"}
    cfg = load(minimal)
    assert cfg.certificates.verification_url("ABC") == "https://verify.example.com/c/ABC"


def test_colours_are_upper_cased(load, minimal) -> None:
    minimal["certificates"] = {"issuer": {"primary_color": "#1f3a5f"}}
    assert load(minimal).certificates.issuer.primary_color == "#1F3A5F"


def test_interval_schedule_gives_an_interval_trigger(load, minimal) -> None:
    minimal["schedules"] = {"sync": {"every": "1h30m"}}
    schedule = load(minimal).schedules.sync
    assert schedule.every == timedelta(minutes=90)
    assert isinstance(schedule.trigger(), IntervalTrigger)


def test_cron_schedule_gives_a_cron_trigger(load, minimal) -> None:
    minimal["schedules"] = {"reconcile": {"cron": "0  3 * * *"}}
    schedule = load(minimal).schedules.reconcile
    assert schedule.cron == "0 3 * * *"
    assert isinstance(schedule.trigger(timezone="UTC"), CronTrigger)


def test_schedules_jobs_lists_every_job(load, minimal) -> None:
    assert list(load(minimal).schedules.jobs()) == [
        "enroll",
        "sync",
        "issue",
        "notify",
        "deliver",
        "reconcile",
    ]


def test_numeric_references_stay_ids(load, minimal) -> None:
    minimal["recruitment"] = {"ojt_stage": 7}
    minimal["programs"][0]["courses"] = [{"course": 3}]
    cfg = load(minimal)
    assert cfg.recruitment.ojt_stage == 7
    assert cfg.programs[0].courses[0].course == 3


def test_numeric_batch_key_is_taken_as_text(load, minimal) -> None:
    minimal["programs"][0]["batches"] = [{"key": 2026, "name": "B", "event": 1}]
    assert load(minimal).programs[0].batches[0].key == "2026"


def test_domain_is_stored_as_nested_tuples(load, minimal) -> None:
    minimal["programs"][0]["eligibility"] = {
        "domain": ["|", ["email_from", "!=", False], ["partner_id.email", "ilike", "@"]]
    }
    domain = load(minimal).programs[0].eligibility.domain
    assert domain == ("|", ("email_from", "!=", False), ("partner_id.email", "ilike", "@"))


def test_empty_jobs_key_means_no_jobs(load, minimal) -> None:
    minimal["programs"][0]["jobs"] = None
    assert load(minimal).programs[0].jobs == ()


def test_program_lookup_by_key(load, minimal) -> None:
    cfg = load(minimal)
    assert cfg.program("p").name == "Program"
    with pytest.raises(KeyError):
        cfg.program("missing")


def test_config_is_immutable(load, minimal) -> None:
    cfg = load(minimal)
    with pytest.raises(ValidationError):
        cfg.odoo.page_size = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        cfg.programs.append(cfg.programs[0])  # type: ignore[attr-defined]


def test_config_can_be_built_in_code_with_the_same_checks(minimal) -> None:
    minimal["programs"][0]["issue_on"] = "batch_done"
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(minimal)
    assert caught.value.errors()[0]["loc"] == ("programs", 0, "issue_on")

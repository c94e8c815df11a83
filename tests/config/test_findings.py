"""The findings of the bad-input campaign (issue 14, items 6 and 7), one test each: every one
of these was accepted, echoed a secret or crashed before it was fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sidecar.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


def check_config(tmp_path: Path, old: str, new: str) -> Result:
    """`check-config` on the example with `old` replaced by `new` (which must be there)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return CliRunner().invoke(main, ["check-config", "-c", str(path)])


def refused(result: Result, said: str) -> None:
    assert result.exit_code == 2, result.output
    assert said in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


def test_an_infinite_timeout_is_refused(tmp_path: Path) -> None:
    result = check_config(tmp_path, "timeout_seconds: 30", "timeout_seconds: .inf")
    refused(result, "odoo.timeout_seconds: must be a finite number (got .inf)")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("initial_backoff_seconds: 0.5", ".inf"),
        ("max_backoff_seconds: 30", "1e300"),
        ("jitter_seconds: 0.5", "1.0e+300"),
        ("timeout_seconds: 30", "86401"),
    ],
)
def test_waits_beyond_a_day_are_refused(tmp_path: Path, setting: str, value: str) -> None:
    key = setting.split(":")[0]
    result = check_config(tmp_path, setting, f"{key}: {value}")
    assert result.exit_code == 2, result.output
    assert f"odoo.{'retry.' if 'timeout' not in key else ''}{key}: must" in result.stderr


def test_a_course_id_of_2_to_the_80_is_refused(tmp_path: Path) -> None:
    result = check_config(tmp_path, "course: Basics of Gardening", f"course: {2**80}")
    refused(
        result,
        "programs[0].courses[0].course: must be a record name or an id from 1 to 2147483647 "
        "(got a number of 25 digits)",
    )


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("jobs: [Experienced Developer]", "jobs: [2147483648]", "programs[0].jobs[0]"),
        ("responsible_user: admin", "responsible_user: -3", "programs[0].responsible_user"),
        ("ojt_stage: On the Job Training", f"ojt_stage: {2**63}", "recruitment.ojt_stage"),
        (
            "event: ${OJT_Q1_EVENT:-Business workshops}",
            "event: 9999999999",
            "programs[1].batches[0].event",
        ),
    ],
)
def test_every_odoo_id_in_the_config_fits_odoo(
    tmp_path: Path, old: str, new: str, path: str
) -> None:
    result = check_config(tmp_path, old, new)
    refused(result, f"{path}: must be a record name or an id from 1 to 2147483647")


def test_a_domain_value_odoo_cannot_take_is_refused(tmp_path: Path) -> None:
    result = check_config(tmp_path, "domain: []", f"domain: [[id, '=', {2**40}]]")
    refused(result, "programs[0].eligibility.domain[0][2]: must be a number Odoo can take")


def test_a_url_containing_a_space_is_refused(tmp_path: Path) -> None:
    result = check_config(
        tmp_path, "url: http://127.0.0.1:8069", "url: http://127.0.0.1:8069/my odoo"
    )
    refused(result, "odoo.url: must not contain spaces or other blank or control characters")


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://odoo.example.com/web", "https://odoo.example.com"),
        ("https://odoo.example.com/web/", "https://odoo.example.com"),
        ("https://odoo.example.com/odoo", "https://odoo.example.com"),
        ("https://odoo.example.com/odoo/", "https://odoo.example.com"),
        ("https://odoo.example.com/web/login", "https://odoo.example.com"),
        ("https://odoo.example.com/odoo/action-123", "https://odoo.example.com"),
        ("https://odoo.example.com:8443/erp/web#action=12", "https://odoo.example.com:8443/erp"),
        ("http://127.0.0.1:8069/WEB", "http://127.0.0.1:8069"),
    ],
)
def test_an_odoo_url_copied_from_the_browser_is_refused(
    tmp_path: Path, url: str, base: str
) -> None:
    result = check_config(tmp_path, "url: http://127.0.0.1:8069", f'url: "{url}"')
    refused(
        result,
        "odoo.url: is the address of Odoo's web client as a browser shows it (/web or /odoo); "
        f"give Odoo's base URL instead, like {base}\n",
    )


def test_an_odoo_mounted_under_a_path_prefix_is_fine(tmp_path: Path) -> None:
    result = check_config(
        tmp_path, "url: http://127.0.0.1:8069", "url: https://odoo.example.com/erp/"
    )
    assert result.exit_code == 0, result.output
    assert "Odoo https://odoo.example.com/erp database" in result.stdout


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://odoo.example.com", "must be an http:// or https:// URL"),
        ("http://:8069", "must be an http:// or https:// URL"),
        ("https://odoo.example.com:70000", "has a port that is not a number from 1 to 65535"),
        ("https://odoo.exa_mple!.com", "has an invalid host 'odoo.exa_mple!.com'"),
        ("https://999.1.1.1", "has an invalid host '999.1.1.1'"),
        ("https://odoo.example.com?db=x", "must be a base URL without ?query or #fragment"),
    ],
)
def test_an_odoo_url_of_every_other_wrong_kind_is_named(
    tmp_path: Path, url: str, said: str
) -> None:
    result = check_config(tmp_path, "url: http://127.0.0.1:8069", f'url: "{url}"')
    refused(result, f"odoo.url: {said}")


@pytest.mark.parametrize("secret", ["s3cretpw", "p%40ss:w/rd", "x"])
def test_a_password_inside_the_odoo_url_is_refused_and_never_shown(
    tmp_path: Path, secret: str
) -> None:
    result = check_config(
        tmp_path, "url: http://127.0.0.1:8069", f'url: "http://admin:{secret}@127.0.0.1:8069"'
    )
    refused(result, "odoo.url: must not carry a user name or password (user:password@host); ")
    assert "odoo.api_key (or odoo.password), taken from the environment" in result.stderr
    assert f":{secret}" not in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8069/?password=s3cr3t", "'http://127.0.0.1:8069/?…'"),
        ("http://127.0.0.1:8069/#s3cr3t", "'http://127.0.0.1:8069/#…'"),
        ("http://127.0.0.1:8069/\r\nX-Evil: s3cr3t", "'http://127.0.0.1:8069/…'"),
    ],
)
def test_a_refused_url_is_shown_without_what_may_be_a_secret(
    tmp_path: Path, url: str, shown: str
) -> None:
    """Found by the acceptance run: a token pasted into the query or after a line break came
    back in the refusal."""
    result = check_config(tmp_path, "url: http://127.0.0.1:8069", f'url: "{url}"')
    assert result.exit_code == 2, result.output
    assert f"(got {shown})" in result.stderr, result.stderr
    assert "s3cr3t" not in result.output


def test_a_password_inside_the_verify_url_is_refused_and_never_shown(tmp_path: Path) -> None:
    result = check_config(
        tmp_path,
        "verify_base_url: ${OJT_VERIFY_URL:-http://127.0.0.1:8080}",
        "verify_base_url: https://u:hunter22@verify.example.com",
    )
    refused(result, "certificates.verify_base_url: must not carry a user name or password")
    assert "hunter22" not in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:secret@h/db", "store postgresql://u:***@h/db\n"),
        (
            "postgresql+psycopg://u@h/db?password=secret&sslmode=require",
            "store postgresql+psycopg://u@h/db?password=***&sslmode=require\n",
        ),
    ],
)
def test_check_config_masks_the_store_password(tmp_path: Path, url: str, shown: str) -> None:
    result = check_config(tmp_path, "url: sqlite:///var/ojt-sidecar.db", f"url: {url}")
    assert result.exit_code == 0, result.output
    assert shown in result.stdout
    assert "secret" not in result.output


def test_a_bad_value_holding_a_password_url_is_shown_masked(tmp_path: Path) -> None:
    result = check_config(
        tmp_path, 'reconcile: {cron: "0 3 * * *"}', 'reconcile: {cron: "http://u:hunter22@h"}'
    )
    assert result.exit_code == 2, result.output
    assert "schedules.reconcile.cron: is not a valid cron expression 'http://u:***@h'" in (
        result.stderr
    )
    assert "hunter22" not in result.output
    result = check_config(tmp_path, "format: text", "format: http://u:hunter22@h")
    assert "logging.format: must be one of: text, json" in result.stderr
    assert "http://u:***@h" in result.stderr and "hunter22" not in result.output


@pytest.mark.parametrize("start", ["!", "*"])
def test_a_yaml_error_on_a_password_line_does_not_quote_it(tmp_path: Path, start: str) -> None:
    result = check_config(
        tmp_path, "password: ${ODOO_PASSWORD:-admin}", f"password: {start}Hunter22"
    )
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "password: ${ODOO_PASSWORD" in text)
    refused(
        result, f"line {line}: this value starts with {start}, which YAML gives a special meaning"
    )
    assert "Hunter22" not in result.output


def test_control_characters_in_text_are_refused(tmp_path: Path) -> None:
    result = check_config(tmp_path, "name: Junior Developer OJT", 'name: "Junior\\0Developer"')
    refused(result, "programs[0].name: must not contain control characters (found U+0000)")


def test_a_listen_host_with_a_space_is_refused(tmp_path: Path) -> None:
    result = check_config(tmp_path, "  host: 127.0.0.1", "  host: not a host")
    refused(result, "verify_site.host: must be a host name or an IP address, without spaces")


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [str(2**31), str(2**63), str(2**80), "0", "-1"])
@pytest.mark.parametrize("option", ["--applicant", "--partner"])
def test_ids_beyond_odoo_on_the_command_line_are_refused(option: str, value: str) -> None:
    extra = ["--program", "junior-developers"] if option == "--partner" else []
    result = CliRunner().invoke(main, ["enroll", "-c", str(EXAMPLE), option, value, *extra])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': an Odoo id is from 1 to 2147483647" in result.stderr
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("host", ["not a host", "", "a..b", "-x", "300.1.1.1", "h\x00st"])
def test_serve_refuses_a_host_that_is_none(host: str) -> None:
    result = CliRunner().invoke(main, ["serve", "-c", str(EXAMPLE), "--host", host])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--host'" in result.stderr
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("length", [201, 200_000])
def test_a_name_longer_than_the_store_keeps_is_refused(tmp_path: Path, length: int) -> None:
    """Found by the acceptance run: accepted, then every command failed on PostgreSQL with
    "value too long for type character varying(200)"."""
    result = check_config(tmp_path, "name: Junior Developer OJT", f"name: {'x' * length}")
    refused(result, f"programs[0].name: must be at most 200 characters (got {length})")

"""`${VAR}` interpolation: secrets from the environment, every missing variable reported."""

from __future__ import annotations

import pytest

from sidecar.config import ConfigError, load_config


def test_whole_value_variable_is_substituted(load, minimal) -> None:
    minimal["odoo"]["password"] = "${ODOO_PASSWORD}"
    cfg = load(minimal, {"ODOO_PASSWORD": "s3cret"})
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "s3cret"


def test_embedded_variable_is_substituted(load, minimal) -> None:
    minimal["store"] = {"url": "postgresql+psycopg://ojt:${PGPASS}@db/ojt"}
    cfg = load(minimal, {"PGPASS": "pw"})
    assert cfg.store.url.get_secret_value() == "postgresql+psycopg://ojt:pw@db/ojt"


def test_missing_variable_is_reported_at_its_path(problem, minimal) -> None:
    minimal["odoo"]["password"] = "${ODOO_PASSWORD}"
    assert problem(minimal) == "odoo.password: environment variable ODOO_PASSWORD is not set"


def test_every_missing_variable_is_reported(problems, minimal) -> None:
    minimal["odoo"]["password"] = "${ODOO_PASSWORD}"
    minimal["odoo"]["database"] = "${ODOO_DB}"
    minimal["programs"][0]["jobs"] = ["${JOB_A}", "${JOB_B}"]
    assert [str(p) for p in problems(minimal)] == [
        "odoo.database: environment variable ODOO_DB is not set",
        "odoo.password: environment variable ODOO_PASSWORD is not set",
        "programs[0].jobs[0]: environment variable JOB_A is not set",
        "programs[0].jobs[1]: environment variable JOB_B is not set",
    ]


def test_two_missing_variables_in_one_value_are_named_together(problem, minimal) -> None:
    minimal["store"] = {"url": "postgresql://${PGUSER}:${PGPASS}@db/ojt"}
    assert problem(minimal) == "store.url: environment variables PGUSER and PGPASS are not set"


def test_missing_variable_is_not_reported_again_as_a_bad_value(problem, minimal) -> None:
    minimal["verify_site"] = {"port": "${PORT}"}
    assert problem(minimal) == "verify_site.port: environment variable PORT is not set"


def test_default_is_used_when_variable_unset(load, minimal) -> None:
    minimal["odoo"]["database"] = "${ODOO_DB:-ojt_demo}"
    assert load(minimal).odoo.database == "ojt_demo"


def test_default_is_used_when_variable_empty(load, minimal) -> None:
    minimal["odoo"]["database"] = "${ODOO_DB:-ojt_demo}"
    assert load(minimal, {"ODOO_DB": ""}).odoo.database == "ojt_demo"


def test_variable_wins_over_default(load, minimal) -> None:
    minimal["odoo"]["database"] = "${ODOO_DB:-ojt_demo}"
    assert load(minimal, {"ODOO_DB": "prod"}).odoo.database == "prod"


def test_defaulted_number_is_coerced_after_interpolation(load, minimal) -> None:
    minimal["verify_site"] = {"port": "${PORT:-8081}"}
    assert load(minimal).verify_site.port == 8081


def test_empty_default_leaves_an_optional_secret_unset(load, minimal) -> None:
    minimal["odoo"]["api_key"] = "${ODOO_API_KEY:-}"
    assert load(minimal).odoo.api_key is None


def test_double_dollar_is_a_literal_dollar(load, minimal) -> None:
    minimal["odoo"]["password"] = "pa$$word$${NOT_A_VAR}"
    cfg = load(minimal)
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "pa$word${NOT_A_VAR}"


def test_lone_dollar_is_kept(load, minimal) -> None:
    minimal["odoo"]["password"] = "cost$5"
    cfg = load(minimal)
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "cost$5"


def test_invalid_variable_name_is_reported(problem, minimal) -> None:
    minimal["odoo"]["database"] = "${ODOO DB}"
    assert problem(minimal) == (
        "odoo.database: ${ODOO DB} is not a valid variable reference; write ${NAME} or "
        "${NAME:-default}, or $$ for a literal $"
    )


def test_unclosed_reference_is_reported(problem, minimal) -> None:
    minimal["odoo"]["database"] = "${ODOO_DB"
    assert (
        problem(minimal)
        == "odoo.database: has a ${ without its closing }; write $$ for a literal $"
    )


def test_keys_are_not_interpolated(problem, minimal) -> None:
    minimal["odoo"]["${KEY}"] = "x"
    assert problem(minimal, {"KEY": "database"}).startswith("odoo.${KEY}: unknown key")


def test_substituted_value_is_not_interpolated_again(load, minimal) -> None:
    minimal["odoo"]["password"] = "${ODOO_PASSWORD}"
    cfg = load(minimal, {"ODOO_PASSWORD": "${OTHER}"})
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "${OTHER}"


def test_os_environ_is_the_default_source(write, minimal, monkeypatch) -> None:
    minimal["odoo"]["password"] = "${OJT_TEST_PASSWORD}"
    monkeypatch.setenv("OJT_TEST_PASSWORD", "from-os")
    cfg = load_config(write(minimal))
    assert cfg.odoo.password is not None
    assert cfg.odoo.password.get_secret_value() == "from-os"


@pytest.mark.parametrize(
    ("section", "key"),
    [("odoo", "password"), ("odoo", "api_key"), ("store", "url")],
)
def test_secret_values_never_appear_in_errors(write, minimal, section, key) -> None:
    secret = "hunter2-do-not-print"
    minimal.setdefault(section, {})
    minimal["odoo"].pop("password")
    minimal[section][key] = "${SECRET}"
    # A secret that fails validation, next to one that does not fit at all.
    minimal["odoo"]["api_key" if key == "password" else "password"] = "other"
    environ = {"SECRET": secret if key != "url" else f"nosuchdb://u:{secret}@h/db"}
    with pytest.raises(ConfigError) as caught:
        load_config(write(minimal), environ=environ)
    assert caught.value.problems
    assert secret not in str(caught.value)
    assert all(secret not in p.message for p in caught.value.problems)


def test_secret_of_wrong_type_is_not_echoed(problem, minimal) -> None:
    minimal["odoo"]["password"] = 123456
    assert problem(minimal) == "odoo.password: must be text; put it in quotes"


def test_unparseable_store_url_is_not_echoed(problem, minimal) -> None:
    minimal["store"] = {"url": "not a url with secret pw"}
    message = problem(minimal)
    assert message.startswith("store.url: must be a SQLAlchemy URL like")
    assert "secret pw" not in message

"""`ojt-sidecar api-token create|list|revoke` as an operator meets them, on the world's config
and store: the token is printed once and works, the store keeps only its hash, a revoked token
is refused, and bad input is one sentence and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from sidecar.cli import main
from sidecar.cockpit.api import tokens
from sidecar.store.models import ApiToken
from tests.cockpit.api.data import Api


@pytest.fixture
def config(api: Api, tmp_path: Path) -> str:
    """The world's config file (tests/jobs/syncing.py writes it there)."""
    return str(tmp_path / "config.yaml")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_create_prints_the_token_once_and_it_works(api: Api, config: str) -> None:
    made = invoke(
        "api-token", "create", "-c", config, "--name", "erp-sync", "--scope", "trainees",
        "--scope", "scores", "--rate-per-minute", "30",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("ojt_") and len(token) > 40
    assert "shown only this once" in made.stderr
    assert api.get("/api/v1/trainees", token).status_code == 200
    assert api.get("/api/v1/programs", token).status_code == 403
    with api.world.store.sessions() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.name == "erp-sync"))
        assert row is not None
        assert (row.scopes, row.rate_per_minute) == ("trainees scores", 30)
        assert row.token_hash == tokens.token_hash(token)
    store = api.world.cfg.store.url.get_secret_value().removeprefix("sqlite:///")
    with open(store, "rb") as raw:
        assert token.encode() not in raw.read()


def test_list_shows_no_secret_and_revoke_refuses_the_token(api: Api, config: str) -> None:
    token = invoke("api-token", "create", "-c", config, "--name", "bi", "--scope", "all").stdout
    token = token.strip()
    listed = invoke("api-token", "list", "-c", config)
    assert listed.exit_code == 0 and "bi" in listed.output and "all" in listed.output
    assert "120" in listed.output and token not in listed.output
    as_json = json.loads(invoke("api-token", "list", "-c", config, "--json").output)
    assert [(t["name"], t["scopes"], t["revoked_at"]) for t in as_json] == [("bi", ["all"], None)]
    assert set(as_json[0]) == {
        "name",
        "scopes",
        "rate_per_minute",
        "created_at",
        "last_used_at",
        "revoked_at",
    }

    revoked = invoke("api-token", "revoke", "-c", config, "bi")
    assert revoked.exit_code == 0 and revoked.output == "api-token 'bi' revoked\n"
    assert api.get("/api/v1/programs", token).status_code == 401
    assert "no API tokens yet" in invoke("api-token", "list", "-c", config).output
    everything = invoke("api-token", "list", "-c", config, "--all")
    assert "bi" in everything.output and "revoked" in everything.output


BAD = (
    (("create", "--name", "dup", "--scope", "all"), "a token named 'dup' exists already"),
    (("create", "--name", "x", "--scope", "everything"), "'--scope'"),
    (("create", "--name", "x"), "'--scope'"),
    (("create", "--scope", "all"), "'--name'"),
    (("create", "--name", "", "--scope", "all"), "1 to 100 printable characters"),
    (("create", "--name", "a\x00b", "--scope", "all"), "1 to 100 printable characters"),
    (("create", "--name", "x" * 101, "--scope", "all"), "1 to 100 printable characters"),
    (("create", "--name", "x", "--scope", "all", "--rate-per-minute", "0"), "rate-per-minute"),
    (("create", "--name", "x", "--scope", "all", "--rate-per-minute", "ten"), "rate-per"),
    (("revoke", "nobody"), "no token named 'nobody' in use"),
)


def test_bad_input_is_one_sentence_and_exit_2(api: Api, config: str) -> None:
    api.token("all", name="dup")
    for args, says in BAD:
        result = invoke("api-token", *args[:1], "-c", config, *args[1:])
        assert result.exit_code == 2, (args, result.output)
        assert says in result.stderr and "Traceback" not in result.output, (args, result.stderr)
    assert [t.name for t in _tokens(api)] == ["dup"]  # nothing made by the failures


def _tokens(api: Api) -> list[tokens.TokenInfo]:
    with api.world.store.sessions() as db:
        return tokens.listing(db, revoked=True)

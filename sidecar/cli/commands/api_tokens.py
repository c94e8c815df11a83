"""`ojt-sidecar api-token create|list|revoke`: the bearer tokens of the cockpit's REST API
(docs/api.md). A token is printed once, when it is made; the store keeps only its hash."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn, TypeVar

import click
from sqlalchemy.orm import Session

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.cli.output import table
from sidecar.cockpit.api import tokens

T = TypeVar("T")


def _usage(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@contextmanager
def _store(config_path: Path) -> Iterator[Session]:
    """One transaction on the config's store, committed when the block ends without error."""
    from sidecar.store.bootstrap import open_store

    store = open_store(load_or_exit(config_path))
    try:
        with store.sessions() as session, session.begin():
            yield session
    finally:
        store.close()


def _run(config_path: Path, work: Callable[[Session], T]) -> T:
    try:
        with _store(config_path) as session:
            return work(session)
    except tokens.TokenProblem as exc:
        _usage(str(exc))


@click.group("api-token")
def api_token() -> None:
    """Bearer tokens of the cockpit's REST API (/api/v1): make, list, revoke."""


@api_token.command()
@CONFIG_OPTION
@click.option("--name", required=True, help="Who uses it, unique among tokens in use.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([*tokens.SCOPES, tokens.ALL]),
    help="What it may read; repeat for several. `all` is every scope.",
)
@click.option(
    "--rate-per-minute",
    type=click.IntRange(1, tokens.MAX_RATE),
    default=tokens.DEFAULT_RATE,
    show_default=True,
    help="Requests a minute this token may make.",
)
def create(config_path: Path, name: str, scopes: tuple[str, ...], rate_per_minute: int) -> None:
    """Make a token and print it (shown only this once)."""
    now = datetime.now(UTC)
    token = _run(config_path, lambda s: tokens.create(s, name, scopes, rate_per_minute, now))
    click.echo(token)
    click.echo(
        f"api-token {name.strip()!r} made. It is shown only this once: keep it in a secret "
        "store now. Send it as: Authorization: Bearer <token>",
        err=True,
    )


@api_token.command("list")
@CONFIG_OPTION
@click.option("--all", "revoked", is_flag=True, help="Revoked tokens too.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_tokens(config_path: Path, revoked: bool, as_json: bool) -> None:
    """List tokens: name, scopes, rate, made, last used (never the token)."""
    found = _run(config_path, lambda s: tokens.listing(s, revoked=revoked))
    if as_json:
        click.echo(json.dumps([t.to_json() for t in found], indent=2))
        return
    if not found:
        click.echo("no API tokens yet (ojt-sidecar api-token create --name N --scope S)")
        return
    headers = ["name", "scopes", "per minute", "made", "last used"]
    if revoked:
        headers.append("revoked")
    rows = [
        [
            t.name,
            " ".join(t.scopes),
            t.rate_per_minute,
            _day(t.created_at),
            _day(t.last_used_at),
            *([_day(t.revoked_at)] if revoked else []),
        ]
        for t in found
    ]
    click.echo(table(headers, rows))


def _day(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else None


@api_token.command()
@CONFIG_OPTION
@click.argument("name")
def revoke(config_path: Path, name: str) -> None:
    """Revoke the token in use named NAME: it is refused from the next request on."""
    now = datetime.now(UTC)
    _run(config_path, lambda s: tokens.revoke(s, name, now))
    click.echo(f"api-token {name.strip()!r} revoked")

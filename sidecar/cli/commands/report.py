"""`ojt-sidecar report NAME`: the integration plan's questions answered from the store (no Odoo
call), as a table, CSV or JSON. The SQL is in `sidecar/store/reports/`; docs/reports.md says
what each report counts and which date its `--from`/`--to` filter on."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.cli.output import spreadsheet_safe, table

NAMES = ("enrollment", "completion", "time-to-completion", "funnel", "trainees", "attendance")
FORMATS = ("table", "csv", "json")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@click.command()
@click.argument("name", required=False, metavar="NAME")
@CONFIG_OPTION
@click.option("--program", "program_key", metavar="KEY", help="Only this program (its key).")
@click.option("--batch", "batch_key", metavar="KEY", help="Only the trainees of this batch.")
@click.option("--from", "date_from", metavar="DATE", help="First day, UTC, included (2026-03-01).")
@click.option("--to", "date_to", metavar="DATE", help="Last day, UTC, included (2026-03-31).")
@click.option("--per", metavar="week|month", help="enrollment: a row per week or month (month).")
@click.option(
    "--format",
    "output",
    metavar="table|csv|json",
    default="table",
    show_default=True,
    help="A table to read, or CSV or JSON for a spreadsheet or a script.",
)
def report(
    name: str | None,
    config_path: Path,
    program_key: str | None,
    batch_key: str | None,
    date_from: str | None,
    date_to: str | None,
    per: str | None,
    output: str,
) -> None:
    """Report NAME from the store (no Odoo call): enrollment, completion, time-to-completion,
    funnel, trainees or attendance. docs/reports.md describes each one and its dates."""
    from sidecar.store.bootstrap import open_store
    from sidecar.store.reports import ReportFilter, ReportInputError, run_report

    wanted = ReportFilter(program_key, batch_key, _day("--from", date_from), _day("--to", date_to))
    chosen = _check(name, per, output)
    cfg = load_or_exit(config_path)
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            found = run_report(session, chosen, wanted, per or "month")
    except ReportInputError as exc:
        _refuse(str(exc))
    finally:
        store.close()
    if output == "json":
        filters = {**wanted.to_json(), "per": (per or "month") if chosen == "enrollment" else None}
        click.echo(json.dumps(_json(found, filters), indent=2))
    elif output == "csv":
        click.echo(_csv(found.columns, found.rows), nl=False)
    else:
        click.echo(_table(found, filtered=wanted.any))


def _refuse(sentence: str) -> NoReturn:
    click.echo(f"error: {sentence}", err=True)
    sys.exit(2)


def _check(name: str | None, per: str | None, output: str) -> str:
    if name is None:
        _refuse(f"name a report: {', '.join(NAMES)}")
    if name not in NAMES:
        _refuse(f"no report {name!r} (reports: {', '.join(NAMES)})")
    if output not in FORMATS:
        _refuse(f"--format is table, csv or json, not {output!r}")
    if per is not None and name != "enrollment":
        _refuse("--per applies to the enrollment report only")
    if per is not None and per not in ("week", "month"):
        _refuse(f"--per is week or month, not {per!r}")
    return name


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if _DAY.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    shown = text if len(text) <= 40 else text[:39] + "…"
    _refuse(f"{option} {shown!r} is not a date: write it as YYYY-MM-DD, like 2026-03-01")


def _json(found: Any, filters: dict[str, Any]) -> dict[str, Any]:
    rows = [{k: _plain(v) for k, v in record.items()} for record in found.records()]
    notes = list(found.notes) + ([] if rows else [found.empty])
    return {"report": found.name, "filters": filters, "rows": rows, "notes": notes}


def _plain(value: Any) -> Any:
    """A value as JSON and CSV carry it: dates and times in ISO 8601 (UTC)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    # a trainee named "=HYPERLINK(...)" must not become a formula in the operator's spreadsheet
    return spreadsheet_safe(_plain(value))


def _table(found: Any, *, filtered: bool) -> str:
    cells = [tuple(_shown(v) for v in row) for row in found.rows]
    lines = [table(found.columns, cells)]
    if not found.rows:
        lines.append(f"{found.empty}{' for these filters' if filtered else ''}")
    lines.extend(found.notes)
    return "\n".join(lines)


def _shown(value: Any) -> object:
    """A value as a person reads it: yes/no, times to the minute (UTC)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value

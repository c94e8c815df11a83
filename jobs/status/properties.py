"""`OJT progress %` and `OJT status` on the trainee's applicant (opt-in, Odoo 17+).

Applicant properties are defined on the applicant's job. The sidecar adds its two to the job's
definition, keeping every property a person defined there (read, merge by name, write), and
writes an applicant's values only once the job defines them, with the values a person set kept
(a write replaces them all). Each change of progress or status is written once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.odoo import recruitment
from jobs.status.changed import Change
from sidecar import outbox
from sidecar.config.status import StatusInOdoo
from sidecar.statuses import StudentStatus
from sidecar.store.models import StatusShown

PROGRESS, STATUS = "ojt_progress", "ojt_status"
RETRY_REFUSED = timedelta(days=1)
SHOWN = (
    StudentStatus.ENROLLED,
    StudentStatus.IN_PROGRESS,
    StudentStatus.COMPLETED,
    StudentStatus.CERTIFIED,
)


def definition(settings: StatusInOdoo) -> list[dict[str, Any]]:
    """Our two properties, as a job's applicant property definition lists them."""
    options = [[s.value, settings.labels.label(s.value)] for s in SHOWN]
    return [
        {"name": PROGRESS, "string": "OJT progress %", "type": "float"},
        {"name": STATUS, "string": "OJT status", "type": "selection", "selection": options},
    ]


def merged(current: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The job's definition with ours in it: each of ours replaces the property of its name in
    place, or is added at the end; every other property stays as it is."""
    by_name = {p["name"]: p for p in ours}
    result = [by_name.pop(p.get("name"), p) for p in current]
    return result + [p for p in ours if p["name"] in by_name]


def defines(current: list[dict[str, Any]], ours: list[dict[str, Any]]) -> bool:
    """Whether the job already defines our properties as we would."""
    have = {p.get("name"): p for p in current}
    return all(_same(have.get(p["name"]), p) for p in ours)


def _same(found: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    if found is None:
        return False
    keys = ("type", "string", "selection")
    return all(_plain(found.get(k)) == _plain(wanted.get(k)) for k in keys)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass
class Read:
    """What Odoo says of the applicants of a chunk and of their jobs."""

    applicants: dict[int, recruitment.ApplicantValues] = field(default_factory=dict)
    jobs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def read(client: OdooClient, changes: Sequence[Change]) -> Read:
    """Two calls: the applicants (job, values), then their jobs' definitions."""
    ids = sorted({c.applicant_id for c in changes if c.applicant_id is not None})
    applicants = recruitment.applicant_values(client, ids)
    job_ids = sorted({a.job_id for a in applicants.values() if a.job_id is not None})
    return Read(applicants, recruitment.job_definitions(client, job_ids))


@dataclass
class PropertyCounts:
    written: int = 0
    jobs_defined: int = 0
    waiting: int = 0  # applicants whose job does not define our properties yet
    refused: int = 0  # applicants whose job Odoo refused to define them on (retried daily)


def write_properties(
    session: Session,
    settings: StatusInOdoo,
    changes: Sequence[Change],
    shown: dict[int, StatusShown],
    found: Read,
    now: datetime,
) -> PropertyCounts:
    counts = PropertyCounts()
    ours = definition(settings)
    writes: list[outbox.Write] = []
    for change in changes:
        row = shown[change.student_id]
        if change.applicant_id is None or _up_to_date(row, change):
            continue
        applicant = found.applicants.get(change.applicant_id)
        job = found.jobs.get(applicant.job_id) if applicant and applicant.job_id else None
        if applicant is not None and job is not None:
            if not defines(job, ours):
                state = _define(session, applicant.job_id or 0, merged(job, ours), now)
                counts.jobs_defined += state == "queued"
                if state != "failed":
                    counts.waiting += 1
                    continue  # written once the job defines them: the next cycle finds it again
                counts.refused += 1  # not read again each cycle: noted as shown
            else:
                writes.append(_write(change, row, applicant.values))
                counts.written += 1
        # an applicant without a job (or gone) has no properties: noted as shown, not retried
        row.applicant_id, row.property_pct = change.applicant_id, change.pct
        row.property_status, row.properties_applied_at = change.status or None, now
    outbox.enqueue_all(session, writes)  # the chunk's writes: one query, one flush
    return counts


def _up_to_date(row: StatusShown, change: Change) -> bool:
    return (
        row.applicant_id == change.applicant_id
        and row.property_pct == change.pct
        and (row.property_status or "") == change.status
    )


def _write(change: Change, row: StatusShown, values: dict[str, Any]) -> outbox.Write:
    row.property_changes += 1
    assert change.applicant_id is not None
    new = {**values, PROGRESS: change.pct, STATUS: change.status or False}
    key = f"status-props:{change.program_key}:{change.partner_id}:{row.property_changes}"
    return recruitment.write_applicant_values(
        key,
        change.applicant_id,
        new,
        subject=f"status:{change.program_key}:{change.partner_id}",
        what=f"OJT progress {change.pct:g} %, status {change.status or 'none'}",
    )


def _define(session: Session, job_id: int, definition_: list[dict[str, Any]], now: datetime) -> str:
    """Queue the job's new definition unless a write of it is on its way ("waiting"); one Odoo
    refused is tried again a day later ("failed" until then), not every cycle."""
    prefix = f"status-job-properties:{job_id}:"
    last = outbox.latest_of_round(session, prefix)
    if last is not None and last.state == outbox.PENDING:
        return "waiting"
    if last is not None and last.state == outbox.FAILED and now - last.created_at < RETRY_REFUSED:
        return "failed"
    key = f"{prefix}{outbox.next_round(session, prefix)}"
    outbox.enqueue(session, recruitment.define_job_properties(key, job_id, definition_))
    return "queued"

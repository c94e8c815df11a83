"""The step the sync runs after its recompute: find the students with something new to show
(one store query; none, no Odoo call), read what Odoo has of them (the tags by name, their
applicants and jobs), and queue the writes, a chunk of students at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors import OdooError, OdooTransientError
from jobs.context import JobContext
from jobs.odoo import contacts, recruitment
from jobs.odoo.profile import profile_of
from jobs.status import properties, tags
from jobs.status.changed import Change, changed_students, shown_rows

CHUNK = 500


@dataclass
class StatusReport:
    tags_moved: int = 0
    properties: properties.PropertyCounts = field(default_factory=properties.PropertyCounts)
    problems: list[str] = field(default_factory=list)


def show_statuses(ctx: JobContext) -> StatusReport:
    """Queue what the students' statuses call for; a refusal from Odoo (no right on contact
    tags, say) is a problem of the cycle, not its end, while a transient error still ends it."""
    report = StatusReport()
    settings = ctx.cfg.status_in_odoo
    with_properties = settings.applicant_properties and _properties_here(ctx)
    if not settings.partner_tags and not with_properties:
        return report
    after = 0
    while not ctx.should_stop():
        with ctx.sessions() as session:
            changes = changed_students(
                session,
                tags=settings.partner_tags,
                properties=with_properties,
                after=after,
                limit=CHUNK,
            )
        if not changes:
            break
        after = changes[-1].student_id
        try:
            _chunk(ctx, changes, with_properties, report)
        except OdooTransientError:
            raise
        except OdooError as exc:
            report.problems.append(f"status in Odoo: {exc}")
            break
    if report.properties.refused:
        report.problems.append(
            f"status in Odoo: {report.properties.refused} applicant(s) without OJT properties: "
            "Odoo refused to define them on their job (see ojt-sidecar status)"
        )
    return report


def _properties_here(ctx: JobContext) -> bool:
    """Applicants are the sidecar's only where Recruitment is used; 16.0 has no properties."""
    if "recruitment" not in ctx.cfg.required_apps():
        return False
    return recruitment.has_applicant_properties(profile_of(ctx.client))


def _chunk(
    ctx: JobContext, changes: list[Change], with_properties: bool, report: StatusReport
) -> None:
    """Odoo is read before the store's write transaction opens, so no call runs while
    SQLite's write lock is held."""
    settings = ctx.cfg.status_in_odoo
    read_at = ctx.clock()
    names = tags.wanted_names(settings, changes) if settings.partner_tags else []
    existing = contacts.partner_tags_named(ctx.client, names)
    wanted = [c for c in changes if c.applicant_id is not None] if with_properties else []
    found = properties.read(ctx.client, wanted) if wanted else properties.Read()
    with ctx.sessions() as session, session.begin():
        shown = shown_rows(session, changes)
        if settings.partner_tags:
            report.tags_moved += tags.move_tags(
                session, settings, changes, shown, existing, read_at
            )
        if with_properties:
            counts = properties.write_properties(session, settings, wanted, shown, found, read_at)
            report.properties.written += counts.written
            report.properties.jobs_defined += counts.jobs_defined
            report.properties.waiting += counts.waiting
            report.properties.refused += counts.refused

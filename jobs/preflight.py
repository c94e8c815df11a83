"""`ojt-sidecar check`: is this Odoo ready for the sidecar, as configured?

One finding per line, so an operator can fix them all in one pass: the server version, the
authenticated user, each app the config needs, the access rights on each model the sidecar reads
or writes, the fields it reads, and every Odoo record the config names (stage, jobs, courses,
users, events). Nothing is written to Odoo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from connectors import OdooClient, OdooError, OdooUnknownModelError
from jobs.members_check import member_counts
from jobs.odoo import contacts, elearning, events, mail, projects, recruitment, surveys
from jobs.odoo.capabilities import capability_findings
from jobs.odoo.profile import OdooProfile, profile_of
from jobs.odoo.reads import AppNeeds, find_named
from sidecar.certificates.signing import KeyFileError, Signer
from sidecar.config import Config

Level = Literal["ok", "warn", "fail"]
SUPPORTED_MAJORS = range(16, 21)


@dataclass(frozen=True)
class Finding:
    level: Level
    text: str

    def __str__(self) -> str:
        return f"{self.level.upper():<4}  {self.text}"


def app_needs(app: str, profile: OdooProfile) -> AppNeeds:
    """What an app adapter reads and writes on this Odoo, as `check` verifies it (the streams'
    own fields)."""
    if app == "elearning":
        return elearning.needs(profile)
    if app == "recruitment":
        return recruitment.needs(profile)
    if app == "project":
        return projects.NEEDS
    return events.needs(profile) if app == "events" else surveys.NEEDS


def signing_key_finding(cfg: Config) -> Finding:
    """The key that signs certificates must exist before the first `issue`, or every issuance
    cycle fails; it is never made behind the operator's back, since a replica that made its own
    would sign with a key the others do not publish."""
    path = cfg.certificates.signing_key
    try:
        signer = Signer.load(path)
    except KeyFileError as exc:
        return Finding("fail", f"signing key: {exc}")
    return Finding("ok", f"signing key {path} (key id {signer.kid})")


def run_preflight(client: OdooClient, cfg: Config) -> list[Finding]:
    """All findings; connection and login failures end the list early (nothing else can run)."""
    findings: list[Finding] = [signing_key_finding(cfg)]
    try:
        findings.append(_version(client))
        findings.append(_login(client))
    except OdooError as exc:
        findings.append(Finding("fail", _plain(exc)))
        return findings
    for step in (
        _capabilities,
        _apps_and_rights,
        _configured_records,
        _members,
        _tagged_batches,
        _template_projects,
        _status_in_odoo,
    ):
        try:
            findings.extend(step(client, cfg))
        except OdooError as exc:
            findings.append(Finding("fail", _plain(exc)))
    return findings


def _version(client: OdooClient) -> Finding:
    version = client.version()
    where = client.settings.url
    if version.major not in SUPPORTED_MAJORS:
        return Finding("warn", f"Odoo {version.version} at {where}: only 16.0 to 20.0 are tested")
    return Finding("ok", f"Odoo {version.version} at {where}")


def _login(client: OdooClient) -> Finding:
    uid = client.authenticate()
    name = contacts.user_name(client, uid) or "?"
    return Finding(
        "ok",
        f"logged in to {client.settings.database!r} as {name} ({client.settings.username}, "
        f"uid {uid}) over {client.transport.name}",
    )


def _capabilities(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    for level, text in capability_findings(client, cfg):
        yield Finding(level, text)


def _apps_and_rights(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    writes: list[tuple[str, str]] = list(mail.CERTIFICATE_WRITES)
    profile = profile_of(client)
    for app in cfg.required_apps():
        needs = app_needs(app, profile)
        missing = [m for m in needs.reads if not _model_exists(client, m)]
        if missing:
            yield Finding("fail", f"{needs.label} is not installed (no model {', '.join(missing)})")
            continue
        yield Finding("ok", f"{needs.label} installed")
        denied = [m for m in needs.reads if not client.check_access_rights(m, "read")]
        if denied:
            yield Finding("fail", f"the service user may not read {', '.join(denied)}")
        writes.extend(needs.writes)
        for model, fields in needs.fields:
            absent = sorted(set(fields) - set(client.fields_get(model, ("type",))))
            if absent:
                yield Finding(
                    "fail", f"{model} has no field {', '.join(absent)} (unsupported Odoo version?)"
                )
    refused = [
        f"{op} {model}"
        for model, op in dict.fromkeys(writes)
        if not client.check_access_rights(model, op)
    ]
    if refused:
        yield Finding("fail", f"the service user may not {'; '.join(refused)}")
    else:
        yield Finding("ok", "access rights: every read and write the sidecar needs is allowed")


def _model_exists(client: OdooClient, model: str) -> bool:
    try:
        client.check_access_rights(model, "read")
    except OdooUnknownModelError:
        return False
    return True


def _configured_records(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    apps = set(cfg.required_apps())
    if "recruitment" in apps:
        yield _find_one(client, recruitment.STAGE, cfg.recruitment.ojt_stage, "OJT stage")
    for program in cfg.programs:
        label = f"program {program.key}"
        if "recruitment" in apps:
            for job in program.jobs:
                yield _find_one(client, recruitment.JOB, job, f"{label}: job")
        for course in program.courses:
            yield _find_one(client, elearning.COURSE, course.course, f"{label}: course")
        if program.responsible_user is not None:
            yield _find_one(
                client,
                contacts.USER,
                program.responsible_user,
                f"{label}: responsible",
                name_field="login",
            )
        if "events" in apps:
            for batch in program.batches:
                if batch.event is not None:
                    yield _find_one(
                        client, events.EVENT, batch.event, f"{label}: batch {batch.key} event"
                    )


def _members(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    """How many members of each program's courses are no trainees, by rule (product-rules §12)."""
    if "elearning" in cfg.required_apps():
        yield from (Finding("ok", text) for text in member_counts(client, cfg))


def _template_projects(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    """Each program's template project: found once, with its assignments (top-level tasks)."""
    if "project" not in cfg.required_apps():
        return
    properties = projects.scores_in_properties(profile_of(client))
    for program in cfg.programs:
        if program.assignments is None:
            continue
        ref, label = program.assignments.template_project, f"program {program.key}"
        found = projects.find_template(client, ref)
        if len(found) != 1:
            what = "is not a project in Odoo" if not found else "names two projects; give its id"
            yield Finding("fail", f"{label}: template project {ref!r} {what}")
            continue
        if projects.collaborator_access(client) is None:
            yield Finding(
                "warn",
                f"{label}: this Odoo's project collaborators cannot be kept to their own tasks, "
                "so trainees are not made collaborators: they hand in by posting files on their "
                "task (or ojt-sidecar submit), not by moving its stage",
            )
        tasks = projects.assignment_tasks(client, found[0][0], properties)
        level: Level = "ok" if tasks else "warn"
        yield Finding(
            level,
            f"{label}: template project {found[0][1]!r} (project {found[0][0]}) has "
            f"{len(tasks)} assignment(s)" + ("" if tasks else ": add a task per assignment"),
        )


def _status_in_odoo(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    """What `status_in_odoo` writes: contact tags, and (17.0+) the applicant's properties with
    their definition on the job (docs/status-in-odoo.md)."""
    settings, profile = cfg.status_in_odoo, profile_of(client)
    wanted = [contacts.STATUS_TAG_NEEDS] if settings.partner_tags else []
    if settings.applicant_properties and "recruitment" in cfg.required_apps():
        if recruitment.has_applicant_properties(profile):
            wanted.append(recruitment.STATUS_PROPERTY_NEEDS)
        else:
            yield Finding(
                "warn",
                f"Odoo {profile.series} has no applicant properties: "
                "status_in_odoo.applicant_properties is skipped, the status shows as contact "
                "tags only",
            )
    for needs in wanted:
        absent = [
            f"{model}.{name}"
            for model, fields in needs.fields
            for name in sorted(set(fields) - set(client.fields_get(model, ("type",))))
        ]
        refused = [
            f"{op} {model}"
            for model, op in (*((m, "read") for m in needs.reads), *needs.writes)
            if not client.check_access_rights(model, op)
        ]
        if absent or refused:
            problems = [f"no field {', '.join(absent)}"] if absent else []
            problems += [f"the service user may not {'; '.join(refused)}"] if refused else []
            yield Finding("fail", f"status in Odoo, {needs.label}: {'; '.join(problems)}")
        else:
            yield Finding("ok", f"status in Odoo, {needs.label}: fields and rights are there")


def _tagged_batches(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    """Each program's batch tag, the batches it finds, and trainees in two open ones."""
    tagging = [p for p in cfg.programs if p.batch_tag is not None]
    if not tagging or "events" not in cfg.required_apps():
        return
    category = cfg.sync.batch_tag_category
    names = sorted({p.batch_tag for p in tagging if p.batch_tag})
    category_id, tags = events.batch_tags(client, category, names)
    tagged = events.events_tagged(client, sorted(set(tags.values())))
    open_events = events.events_not_over(client, [e.id for e in tagged])
    for program in tagging:
        label, tag = f"program {program.key}", program.batch_tag or ""
        if tag not in tags:
            where = "its category is missing too" if category_id is None else "in that category"
            yield Finding(
                "warn",
                f"{label}: batch tag {tag!r} is not in Odoo ({where}); the next sync creates "
                f"it in event tag category {category!r}",
            )
            continue
        carrying = [e for e in tagged if tags[tag] in e.tag_ids]
        yield Finding(
            "ok",
            f"{label}: batch tag {tag!r} → event.tag {tags[tag]}, {len(carrying)} tagged event(s)",
        )
        for event in carrying:
            dates = f"{(event.begin or '?')[:10]} to {(event.end or '?')[:10]}"
            yield Finding("ok", f"{label}: batch {event.name!r} (event {event.id}, {dates})")
        yield from _in_two_batches(client, label, [e for e in carrying if e.id in open_events])


def _in_two_batches(
    client: OdooClient, label: str, open_batches: list[events.TaggedEvent]
) -> Iterator[Finding]:
    by_partner: dict[int, list[str]] = {}
    for event_id, partner_id in events.registered_partners(client, [e.id for e in open_batches]):
        name = next(e.name for e in open_batches if e.id == event_id)
        by_partner.setdefault(partner_id, []).append(name)
    for partner_id, names in sorted(by_partner.items()):
        if len(names) > 1:
            yield Finding(
                "warn",
                f"{label}: partner {partner_id} is registered in {len(names)} open batches "
                f"({', '.join(repr(n) for n in sorted(names))}); a trainee belongs to one",
            )


def _find_one(
    client: OdooClient, model: str, ref: int | str, label: str, *, name_field: str = "name"
) -> Finding:
    """Resolve a config reference (id or exact name) to exactly one record."""
    field = "id" if isinstance(ref, int) else name_field
    found = find_named(client, model, ref, name_field, limit=2)
    if not found:
        return Finding("fail", f"{label} {ref!r}: no {model} with {field} {ref!r}")
    if len(found) > 1:
        return Finding("fail", f"{label} {ref!r}: several {model} records match; use its id")
    (record_id, shown), *_ = found
    return Finding("ok", f"{label} {ref!r} → {model} {record_id} ({shown})")


def _plain(exc: OdooError) -> str:
    return str(exc)

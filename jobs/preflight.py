"""`ojt-sidecar check`: is this Odoo ready for the sidecar, as configured?

One finding per line, so an operator can fix them all in one pass: the server version, the
authenticated user, each app the config needs, the access rights on each model the sidecar reads
or writes, the fields it reads, and every Odoo record the config names (stage, jobs, courses,
users, events). Nothing is written to Odoo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from connectors import OdooClient, OdooError, OdooUnknownModelError
from sidecar.certificates.signing import KeyFileError, Signer
from sidecar.config import Config

Level = Literal["ok", "warn", "fail"]
SUPPORTED_MAJORS = range(16, 20)


@dataclass(frozen=True)
class Finding:
    level: Level
    text: str

    def __str__(self) -> str:
        return f"{self.level.upper():<4}  {self.text}"


@dataclass(frozen=True)
class AppNeeds:
    label: str
    reads: tuple[str, ...]
    writes: tuple[tuple[str, str], ...]  # (model, operation)
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # fields the sidecar reads, per model


APPS: dict[str, AppNeeds] = {
    "elearning": AppNeeds(
        "eLearning",
        ("slide.channel", "slide.slide", "slide.channel.partner", "slide.slide.partner"),
        (("slide.channel.partner", "create"), ("slide.channel.partner", "write")),
        (
            ("slide.channel.partner", ("channel_id", "partner_id", "completion", "active")),
            ("slide.slide.partner", ("slide_id", "partner_id", "completed", "quiz_attempts_count")),
            ("slide.slide", ("channel_id", "slide_category", "is_published")),
        ),
    ),
    "recruitment": AppNeeds(
        "Recruitment",
        ("hr.applicant", "hr.recruitment.stage", "hr.job"),
        (("hr.applicant", "write"), ("mail.activity", "create")),
        (("hr.applicant", ("stage_id", "job_id", "partner_id", "email_from", "active")),),
    ),
    "events": AppNeeds(
        "Events",
        ("event.event", "event.registration", "event.stage"),
        (),
        (("event.registration", ("event_id", "partner_id", "state")),),
    ),
    "surveys": AppNeeds(
        "Surveys",
        ("survey.survey", "survey.user_input"),
        (),
        (("survey.user_input", ("scoring_percentage", "scoring_success", "state")),),
    ),
}
# Writes every configuration makes: certificates and notes on contacts.
CORE_WRITES = (("res.partner", "write"), ("ir.attachment", "create"))


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
    for step in (_apps_and_rights, _configured_records):
        try:
            findings.extend(step(client, cfg))
        except OdooError as exc:
            findings.append(Finding("fail", _plain(exc)))
    return findings


def _version(client: OdooClient) -> Finding:
    version = client.version()
    where = client.settings.url
    if version.major not in SUPPORTED_MAJORS:
        return Finding("warn", f"Odoo {version.version} at {where}: only 16.0 to 19.0 are tested")
    return Finding("ok", f"Odoo {version.version} at {where}")


def _login(client: OdooClient) -> Finding:
    uid = client.authenticate()
    rows = client.read("res.users", [uid], ["name", "login"])
    name = rows[0]["name"] if rows else "?"
    return Finding(
        "ok",
        f"logged in to {client.settings.database!r} as {name} ({client.settings.username}, "
        f"uid {uid}) over {client.settings.transport}",
    )


def _apps_and_rights(client: OdooClient, cfg: Config) -> Iterator[Finding]:
    writes: list[tuple[str, str]] = list(CORE_WRITES)
    for app in cfg.required_apps():
        needs = APPS[app]
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
        yield _find_one(client, "hr.recruitment.stage", cfg.recruitment.ojt_stage, "OJT stage")
    for program in cfg.programs:
        label = f"program {program.key}"
        if "recruitment" in apps:
            for job in program.jobs:
                yield _find_one(client, "hr.job", job, f"{label}: job")
        for course in program.courses:
            yield _find_one(client, "slide.channel", course.course, f"{label}: course")
        if program.responsible_user is not None:
            yield _find_one(
                client,
                "res.users",
                program.responsible_user,
                f"{label}: responsible",
                name_field="login",
            )
        if "events" in apps:
            for batch in program.batches:
                if batch.event is not None:
                    yield _find_one(
                        client, "event.event", batch.event, f"{label}: batch {batch.key} event"
                    )


def _find_one(
    client: OdooClient, model: str, ref: int | str, label: str, *, name_field: str = "name"
) -> Finding:
    """Resolve a config reference (id or exact name) to exactly one record."""
    field = "id" if isinstance(ref, int) else name_field
    rows: list[dict[str, Any]] = client.search_read_list(
        model, [(field, "=", ref)], ["id", "display_name"], limit=2
    )
    if not rows:
        return Finding("fail", f"{label} {ref!r}: no {model} with {field} {ref!r}")
    if len(rows) > 1:
        return Finding("fail", f"{label} {ref!r}: several {model} records match; use its id")
    return Finding("ok", f"{label} {ref!r} → {model} {rows[0]['id']} ({rows[0]['display_name']})")


def _plain(exc: OdooError) -> str:
    return str(exc)

"""Recruitment: applicants, their stage and job, and the note that tells the recruiter an
applicant was enrolled. An applicant's display fields are kept raw (`names=True` reads give
`[id, name]` pairs) for the flow's messages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors import Cursor, OdooClient
from jobs.odoo.profile import OdooProfile, profile_of
from jobs.odoo.reads import WITH_ARCHIVED, AppNeeds, m2o, ref_domain
from sidecar.enrollment import html_text
from sidecar.outbox import Lookup, Write

APPLICANT = "hr.applicant"
CANDIDATE = "hr.candidate"
STAGE = "hr.recruitment.stage"
JOB = "hr.job"
# What the flow reads of an applicant on every version: the person's fields are the applicant's
# own, or (18.0) related to its candidate and readable the same.
APPLICANT_FIELDS = (
    "partner_name",
    "email_from",
    "partner_id",
    "job_id",
    "stage_id",
    "active",
    "refuse_reason_id",
)


def applicant_fields(profile: OdooProfile) -> tuple[str, ...]:
    """`name` (the application's title) until 17.0; the candidate on 18.0; the recruiter as a
    user until 19.0."""
    title = ("name",) if profile.applicant_name else ()
    candidate = ("candidate_id",) if profile.candidates else ()
    recruiter = ("user_id",) if profile.applicant_recruiter else ()
    return (*title, *APPLICANT_FIELDS, *recruiter, *candidate)


def needs(profile: OdooProfile) -> AppNeeds:
    # 18.0: the contact is linked on the candidate (the applicant's is a read-only mirror)
    person = CANDIDATE if profile.candidates else APPLICANT
    return AppNeeds(
        "Recruitment",
        (APPLICANT, STAGE, JOB, *((CANDIDATE,) if profile.candidates else ())),
        ((person, "write"), ("mail.activity", "create")),
        ((APPLICANT, applicant_fields(profile)),),
    )


@dataclass(frozen=True)
class Applicant:
    """An applicant as the enrollment flow sees it."""

    id: int
    name: str  # the candidate's name, else the applicant's title
    email: str | None
    partner_id: int | None
    job_id: int | None
    job_name: str | None
    stage_id: int | None
    recruiter_id: int | None
    active: bool
    refused: bool
    candidate_id: int | None = None  # 18.0: where the person lives

    @property
    def open(self) -> bool:
        """Neither refused nor archived."""
        return self.active and not self.refused


def _applicant(row: dict[str, Any]) -> Applicant:
    job = row.get("job_id")
    return Applicant(
        id=int(row["id"]),
        name=str(row.get("partner_name") or row.get("name") or ""),
        email=(row.get("email_from") or None),
        partner_id=m2o(row.get("partner_id")),
        job_id=m2o(job),
        job_name=str(job[1]) if isinstance(job, list | tuple) and len(job) > 1 else None,
        stage_id=m2o(row.get("stage_id")),
        recruiter_id=m2o(row.get("user_id")),
        active=bool(row.get("active", True)),
        refused=bool(row.get("refuse_reason_id")),
        candidate_id=m2o(row.get("candidate_id")),
    )


def applicant_pages(
    client: OdooClient, since: Cursor | None
) -> Iterator[tuple[list[Applicant], Cursor]]:
    """Every applicant stamped at or after `since`, archived and refused ones included, a page
    at a time with the cursor to store once the page is stored."""
    fields = applicant_fields(profile_of(client))
    pages = client.search_read(
        APPLICANT, [], fields, since=since, names=True, context=WITH_ARCHIVED
    )
    for page in pages:
        yield [_applicant(row) for row in page.rows], page.cursor


def applicants(client: OdooClient, ids: list[int]) -> list[Applicant]:
    fields = applicant_fields(profile_of(client))
    rows = client.read(APPLICANT, ids, fields, context=WITH_ARCHIVED)
    return [_applicant(row) for row in rows]


def applicants_matching(client: OdooClient, ids: list[int], domain: list[Any]) -> set[int]:
    """Which of `ids` match an operator's Odoo domain on applicants."""
    return set(client.search(APPLICANT, [("id", "in", ids), *domain], context=WITH_ARCHIVED))


def applicants_in_stages(client: OdooClient, stage_ids: list[int]) -> list[Applicant]:
    fields = applicant_fields(profile_of(client))
    rows = client.search_read_list(
        APPLICANT, [("stage_id", "in", stage_ids)], fields, order="id asc"
    )
    return [_applicant(row) for row in rows]


def recruiter(client: OdooClient, applicant_id: int) -> int | None:
    """The applicant's recruiter, a user (none on 20.0, where the recruiter is an employee)."""
    if not profile_of(client).applicant_recruiter:
        return None
    rows = client.read(APPLICANT, [applicant_id], ["user_id"], names=False)
    return int(rows[0]["user_id"]) if rows and rows[0].get("user_id") else None


def stages_named(client: OdooClient, ref: int | str) -> dict[int, list[int]]:
    """The stage(s) the config names, each with the jobs it is restricted to (empty: every
    job)."""
    rows = client.search_read_list(STAGE, ref_domain(ref), ["job_ids"], names=False)
    return {int(r["id"]): sorted(r.get("job_ids") or []) for r in rows}


def jobs_named(client: OdooClient, ref: int | str) -> list[int]:
    return client.search(JOB, ref_domain(ref), context=WITH_ARCHIVED)


# --- writes -------------------------------------------------------------------------------------


def link_partner(
    key: str, subject: str, applicant_id: int, partner_id: Any, candidate_id: int | None = None
) -> Write:
    """The applicant's contact, as Odoo itself sets it when it makes one from the e-mail; on
    18.0 it is set on the applicant's candidate, whose contact the applicant shows."""
    model, ids = (CANDIDATE, [candidate_id]) if candidate_id else (APPLICANT, [applicant_id])
    return Write(
        key=key,
        model=model,
        method="write",
        ids=ids,
        params={"vals": {"partner_id": partner_id}},
        summary=f"link applicant {applicant_id} to its contact",
        subject=subject,
    )


def note_marker(program_name: str) -> str:
    """The start of the note as Odoo stores it: how an earlier attempt's note is found."""
    return html_text(f"Enrolled in {program_name}:")[3:-4]  # without <p> and </p>


def enrolled_note(key: str, subject: str, applicant_id: int, program_name: str, text: str) -> Write:
    return Write(
        key=key,
        model=APPLICANT,
        method="message_post",
        ids=[applicant_id],
        # Escaped here, not by Odoo: Odoo 16 stores a plain-text body as HTML unescaped.
        params={
            "body": html_text(text),
            "body_is_html": True,
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_note",
        },
        lookup=Lookup(
            "mail.message",
            [
                ("model", "=", APPLICANT),
                ("res_id", "=", applicant_id),
                ("body", "ilike", note_marker(program_name)),
            ],
        ),
        summary=f"note on applicant {applicant_id}: {text}",
        subject=subject,
    )


# --- the trainee's status on the applicant (docs/status-in-odoo.md) ----------------------------

VALUES = "applicant_properties"  # on the applicant; defined per job (17.0+)
DEFINITION = "applicant_properties_definition"
STATUS_PROPERTY_NEEDS = AppNeeds(
    "Applicant properties",
    (APPLICANT, JOB),
    ((APPLICANT, "write"), (JOB, "write")),
    ((APPLICANT, ("job_id", VALUES)), (JOB, (DEFINITION,))),
)


def has_applicant_properties(profile: OdooProfile) -> bool:
    """Applicants have properties, defined on their job, from 17.0 on."""
    return profile.major >= 17


@dataclass(frozen=True)
class ApplicantValues:
    """An applicant's job and its property values, as they can be written back."""

    id: int
    job_id: int | None
    values: dict[str, Any]


def applicant_values(client: OdooClient, ids: list[int]) -> dict[int, ApplicantValues]:
    """Archived applicants too: a hired applicant may be archived and still be the trainee's."""
    if not ids:
        return {}
    rows = client.read(APPLICANT, ids, ["job_id", VALUES], names=False, context=WITH_ARCHIVED)
    return {
        int(r["id"]): ApplicantValues(int(r["id"]), m2o(r.get("job_id")), _writable(r.get(VALUES)))
        for r in rows
    }


def _writable(value: Any) -> dict[str, Any]:
    """Properties as read (the definition with a `value` each; 19.0 leaves it out when empty)
    → {name: value} in the form a write takes: a write replaces every value, so the ones a
    person set must be written back. Relations read as [id, name] are written as ids."""
    found: dict[str, Any] = {}
    for prop in value if isinstance(value, list) else []:
        if not isinstance(prop, dict) or "value" not in prop or not isinstance(prop["name"], str):
            continue
        current = prop["value"]
        if prop.get("type") == "many2one" and isinstance(current, list | tuple):
            current = current[0] if current else False
        elif prop.get("type") == "many2many" and isinstance(current, list):
            current = [v[0] if isinstance(v, list | tuple) else v for v in current]
        found[prop["name"]] = current
    return found


def job_definitions(client: OdooClient, job_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each job's applicant property definition (a list of properties, each a dict)."""
    if not job_ids:
        return {}
    rows = client.read(JOB, job_ids, [DEFINITION], context=WITH_ARCHIVED)
    return {int(r["id"]): [p for p in r.get(DEFINITION) or [] if isinstance(p, dict)] for r in rows}


def define_job_properties(key: str, job_id: int, definition: list[dict[str, Any]]) -> Write:
    """The job's whole definition: the properties it had, with ours added (a write replaces the
    definition, so what a person defined must be in it)."""
    return Write(
        key=key,
        model=JOB,
        method="write",
        ids=[job_id],
        params={"vals": {DEFINITION: definition}},
        summary=f"define the OJT properties of the applicants of job {job_id}",
    )


def write_applicant_values(
    key: str, applicant_id: int, values: dict[str, Any], *, subject: str, what: str
) -> Write:
    return Write(
        key=key,
        model=APPLICANT,
        method="write",
        ids=[applicant_id],
        params={"vals": {VALUES: values}},
        summary=f"applicant {applicant_id}: {what}",
        subject=subject,
    )

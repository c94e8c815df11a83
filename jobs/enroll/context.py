"""What the enrollment flow needs to know about Odoo before it decides anything: the OJT stage(s),
which job leads to which program, the programs' courses, and the ids a To-Do needs. Read once
per cycle (a handful of calls)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.incremental.scope import resolve_scope
from jobs.odoo import contacts, mail, recruitment
from jobs.odoo.recruitment import Applicant
from sidecar.config import Config
from sidecar.config.programs import Eligibility
from sidecar.statuses import CourseStatus
from sidecar.store.models import CourseIntegration, Program


class EnrollSetupError(Exception):
    """The configuration names something Odoo does not have (e.g. the OJT stage)."""


@dataclass(frozen=True)
class Course:
    channel_id: int
    name: str
    integration_id: int


@dataclass
class ProgramInfo:
    id: int  # the store's program id
    key: str
    name: str
    eligibility: Eligibility
    responsible_user_id: int | None
    courses: list[Course] = field(default_factory=list)


@dataclass
class EnrollContext:
    stages: dict[int, list[int]]  # OJT stage id -> its job_ids (empty: every job)
    by_job: dict[int, ProgramInfo]
    by_key: dict[str, ProgramInfo]
    applicant_model_id: int | None  # None when no program enrolls applicants
    todo_type_id: int | None
    problems: list[str] = field(default_factory=list)
    # Why applicants are not enrolled now (no program lists jobs, or Recruitment is off), or
    # None. Applicants being enrolled then wait, untouched, until enrollment resumes.
    paused: str | None = None

    @property
    def signature(self) -> str:
        """What the applicant listing depends on: a change lists every applicant again."""
        jobs = sorted((job, p.key) for job, p in self.by_job.items())
        return f"stages={sorted(self.stages.items())};jobs={jobs}"

    def in_ojt(self, app: Applicant) -> bool:
        """In an OJT stage that applies to the applicant's job, and neither refused nor archived."""
        from sidecar.enrollment import stage_applies

        if not app.open or app.stage_id not in self.stages:
            return False
        return stage_applies(self.stages[app.stage_id], app.job_id)


def resolve_context(session: Session, client: OdooClient, cfg: Config) -> EnrollContext:
    """Resolve the config's references against Odoo; raises EnrollSetupError when a program
    lists jobs and the OJT stage does not exist. Unknown jobs, users or courses are problems,
    not errors."""
    problems: list[str] = []
    _, course_problems = resolve_scope(session, client)
    problems.extend(course_problems)

    paused = paused_because(cfg)
    stages = {} if paused else _ojt_stages(client, cfg)

    stored = {p.key: p for p in session.scalars(select(Program).where(Program.active.is_(True)))}
    by_job: dict[int, ProgramInfo] = {}
    by_key: dict[str, ProgramInfo] = {}
    for program in cfg.programs:
        row = stored.get(program.key)
        if row is None:
            continue
        info = ProgramInfo(
            id=row.id,
            key=program.key,
            name=program.name,
            eligibility=program.eligibility,
            responsible_user_id=_user_id(client, program.responsible_user, program.key, problems),
            courses=[
                Course(c.odoo_channel_id, c.course_name or c.course_ref, c.id)
                for c in session.scalars(
                    select(CourseIntegration)
                    .where(
                        CourseIntegration.program_id == row.id,
                        CourseIntegration.status == CourseStatus.ACTIVE,
                    )
                    .order_by(CourseIntegration.position)
                )
                if c.odoo_channel_id is not None
            ],
        )
        by_key[program.key] = info
        for job in () if paused else program.jobs:
            found = recruitment.jobs_named(client, job)
            if not found:
                problems.append(f"program {program.key!r}: Odoo has no job {job!r}")
            for job_id in found:
                by_job[job_id] = info

    # Only applicants get To-Dos, so the model must exist only when applicants are enrolled.
    applicant_model_id = None if paused else mail.model_id(client, recruitment.APPLICANT)
    if not paused and applicant_model_id is None:
        raise EnrollSetupError(
            f"Odoo has no {recruitment.APPLICANT} model: is Recruitment installed?"
        )
    return EnrollContext(
        stages=stages,
        by_job=by_job,
        by_key=by_key,
        applicant_model_id=applicant_model_id,
        todo_type_id=mail.todo_type_id(client),
        problems=problems,
        paused=paused,
    )


def paused_because(cfg: Config) -> str | None:
    """Why no applicant is enrolled from Recruitment with this config, or None."""
    if "recruitment" in cfg.required_apps():
        return None
    if not any(program.jobs for program in cfg.programs):
        return "no program lists jobs, so no applicant is enrolled from Recruitment"
    return "Recruitment is disabled (odoo.apps.recruitment), so no applicant is enrolled"


def _ojt_stages(client: OdooClient, cfg: Config) -> dict[int, list[int]]:
    """The OJT stage's id(s) with the jobs each is restricted to; asked only while applicants
    are enrolled (`paused_because` is None), since only then must the stage exist."""
    ref = cfg.recruitment.ojt_stage
    stages = recruitment.stages_named(client, ref)
    if not stages:
        raise EnrollSetupError(
            f"recruitment.ojt_stage: Odoo has no recruitment stage {ref!r}; "
            "name an existing stage (by name or id)"
        )
    return stages


def _user_id(
    client: OdooClient, ref: int | str | None, key: str, problems: list[str]
) -> int | None:
    if ref is None:
        return None
    found = contacts.user_named(client, ref)
    if found is None:
        problems.append(f"program {key!r}: Odoo has no user {ref!r} (responsible_user)")
    return found

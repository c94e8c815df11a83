"""Training programs in the configuration: courses, weights, eligibility and batches."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field

from sidecar.config.assignments import Assignments
from sidecar.config.base import Finding, Section, have, list_check, raw_field
from sidecar.config.fieldtypes import (
    Domain,
    FreeText,
    OdooRef,
    Percent,
    Slug,
    Text,
    between,
)
from sidecar.config.messages import describe, number
from sidecar.config.notifications import ProgramNotifications

WEIGHT_TOLERANCE = 1e-6


def _none_is_empty(value: Any) -> Any:
    # `jobs:` with nothing under it reads as null in YAML; the operator means "none".
    return () if value is None else value


def _ref_key(ref: Any) -> tuple[str, int | str] | None:
    """How two Odoo references compare: ids exactly, names ignoring case and blanks."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ("id", ref)
    if isinstance(ref, str) and ref.strip():
        return ("name", ref.strip().casefold())
    return None


def _shown(ref: Any) -> str:
    return describe(ref.strip() if isinstance(ref, str) else ref)


def _duplicates(items: list[Any], field: str, what: str, where: str) -> Iterator[Finding]:
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        value = raw_field(item, field)
        key = _ref_key(value)
        if key is None:
            continue
        if key in seen:
            yield (
                (index, field),
                f"{what} {_shown(value)} is listed twice (also at {where}[{seen[key]}])",
            )
        else:
            seen[key] = index


def _unique_courses(items: list[Any]) -> Iterator[Finding]:
    return _duplicates(items, "course", "course", "courses")


def _unique_batch_keys(items: list[Any]) -> Iterator[Finding]:
    return _duplicates(items, "key", "batch key", "batches")


def _unique_jobs(items: list[Any]) -> Iterator[Finding]:
    seen: dict[Any, int] = {}
    for index, job in enumerate(items):
        key = _ref_key(job)
        if key is None:
            continue
        if key in seen:
            yield (index,), f"job {_shown(job)} is listed twice (also at jobs[{seen[key]}])"
        else:
            seen[key] = index


def check_programs(items: list[Any]) -> Iterator[Finding]:
    """Program keys are unique, and a job leads to one program only."""
    yield from _duplicates(items, "key", "program key", "programs")
    owner: dict[Any, tuple[int, Any]] = {}
    for index, program in enumerate(items):
        jobs = raw_field(program, "jobs")
        if not isinstance(jobs, list | tuple):
            continue
        for job_index, job in enumerate(jobs):
            key = _ref_key(job)
            if key is None:
                continue
            first = owner.setdefault(key, (index, raw_field(program, "key")))
            if first[0] != index:
                yield (
                    (index, "jobs", job_index),
                    f"job {_shown(job)} already leads to program {_shown(first[1])}; "
                    "an applicant's job must select one program",
                )


class ProgramCourse(Section):
    """One eLearning course (slide.channel) of a program."""

    course: OdooRef
    required: bool = True
    completion_threshold: Annotated[float, between(0, 100, low_open=True)] = 100.0


def _adding_up_to_one(values: Mapping[str, Any], names: tuple[str, ...]) -> Iterator[Finding]:
    """Weights that must add up to 1 (within `WEIGHT_TOLERANCE`): one sentence when not."""
    if not have(values, *names):
        return
    total = sum(values[name] for name in names)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        yield (), f"{' + '.join(names)} must add up to 1 (got {number(round(total, 6))})"


class AssessmentParts(Section):
    """What the assessments part is made of: the quizzes' average, the certifications' and the
    assignments' (weighted by assignment); they add up to 1. A part without a result yet is
    left out."""

    _has_cross_checks: ClassVar[bool] = True

    quizzes: Annotated[float, between(0, 1)] = 0.0
    certifications: Annotated[float, between(0, 1)] = 0.0
    assignments: Annotated[float, between(0, 1)] = 0.0

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        return _adding_up_to_one(values, ("quizzes", "certifications", "assignments"))


class Weights(Section):
    """How much each part counts towards overall progress; they add up to 1."""

    _has_cross_checks: ClassVar[bool] = True

    elearning: Annotated[float, between(0, 1)] = 1.0
    attendance: Annotated[float, between(0, 1)] = 0.0
    assessments: Annotated[float, between(0, 1)] = 0.0
    # None: one average over every quiz and certification, the assignments' average counting
    # as one more item
    assessment_parts: AssessmentParts | None = None

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        return _adding_up_to_one(values, ("elearning", "attendance", "assessments"))


class Requirements(Section):
    """Thresholds, in percent, a trainee must meet besides completing the courses."""

    min_attendance: Percent | None = None
    # With assignments, of their average (0-100); otherwise of quizzes and certifications.
    min_average_score: Percent | None = None
    # Assignments handed in (in a submitted or scored stage, or a file the trainee posted).
    min_submitted: Annotated[int, between(0)] | None = None


class Eligibility(Section):
    """Which applicants in the OJT stage are enrolled automatically."""

    require_email: bool = True
    domain: Domain = ()  # extra Odoo domain on hr.applicant, as nested tuples
    criteria: FreeText = ""  # shown to reviewers on the To-Do
    auto_enroll: bool = True  # false: every applicant waits for `ojt-sidecar enroll`


class Batch(Section):
    """A cohort of a program: dates, and optionally an Odoo event that closes it."""

    _has_cross_checks: ClassVar[bool] = True

    key: Slug
    name: Text
    start: date | None = None  # required unless `event` is set (then the event's dates apply)
    end: date | None = None
    event: OdooRef | None = None  # event.event; the batch is done when it reaches an end stage

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "start", "end", "event"):
            return
        start, end = values["start"], values["end"]
        if values["event"] is None:
            for name in ("start", "end"):
                if values[name] is None:
                    yield (name,), "is required unless the batch is bound to an event"
        if start is not None and end is not None and end < start:
            yield ("end",), f"must be on or after start ({start.isoformat()}) (got {end})"


class Renewal(Section):
    """What renews a certificate of the program that expires (certificates.validity_days):
    nothing; the trainee still meeting the requirements on its last valid day; or the trainee
    completing a refresher course, one of the program's courses, from `window_days` before
    expiry on (docs/product-rules.md §15)."""

    _has_cross_checks: ClassVar[bool] = True

    rule: Literal["none", "requirements", "refresher"] = "none"
    course: OdooRef | None = None  # with rule refresher: the refresher course
    window_days: Annotated[int, between(1, 3650)] = 30

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "rule", "course"):
            return
        if values["rule"] == "refresher" and values["course"] is None:
            yield ("course",), "is required with rule: refresher (the refresher course)"
        if values["rule"] != "refresher" and values["course"] is not None:
            yield ("course",), "is used only with rule: refresher"


def _renewal_problems(values: Mapping[str, Any]) -> Iterator[Finding]:
    if not have(values, "renewal", "courses"):
        return
    course = values["renewal"].course
    if course is not None and course not in {c.course for c in values["courses"]}:
        yield (
            ("renewal", "course"),
            f"must be one of the program's courses, so that it is read from Odoo "
            f"(add {course!r} under courses, with required: false)",
        )


def _removal_problems(values: Mapping[str, Any]) -> Iterator[Finding]:
    if (
        have(values, "revoke_on_removal", "removed_membership")
        and values["revoke_on_removal"]
        and values["removed_membership"] != "drop"
    ):
        yield (
            ("revoke_on_removal",),
            "needs removed_membership: drop (with keep_completion a removal changes nothing)",
        )


class Program(Section):
    """A training program: the courses, who enters it, and when a certificate is issued."""

    _has_cross_checks: ClassVar[bool] = True

    key: Slug
    name: Text
    responsible_user: OdooRef | None = None  # res.users login or id, for review To-Dos
    jobs: Annotated[
        tuple[OdooRef, ...], list_check(_unique_jobs), BeforeValidator(_none_is_empty)
    ] = ()
    courses: Annotated[
        tuple[ProgramCourse, ...], list_check(_unique_courses, at_least_one="course")
    ]
    weights: Weights = Field(default_factory=Weights)
    requirements: Requirements = Field(default_factory=Requirements)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    issue_on: Literal["completion", "batch_done"] = "completion"
    # Every event.event carrying this tag (of sync.batch_tag_category) is a batch of the program.
    batch_tag: Text | None = None
    # Unconfirmed registrations to a tagged event wait for a mentor to confirm them.
    batch_approval: bool = False
    batches: Annotated[
        tuple[Batch, ...], list_check(_unique_batch_keys), BeforeValidator(_none_is_empty)
    ] = ()
    # What trainees and mentors are told through Odoo, per kind (docs/notifications.md).
    notifications: ProgramNotifications = Field(default_factory=ProgramNotifications)
    # Assignments in Odoo's Project app, a project per batch (docs/guide-mentors.md).
    assignments: Assignments | None = None
    # --- who counts (issue 16 item 4) ---
    # Internal users and the courses' responsible users are trainees only when this is true (or
    # when they came in through an applicant); docs/product-rules.md §12.
    include_internal_users: bool = False
    # What an archived or deleted membership does to its course's completion (§12).
    removed_membership: Literal["keep_completion", "drop"] = "keep_completion"
    # With `drop`: revoke a certificate already issued when its trainee leaves a counted course.
    revoke_on_removal: bool = False
    # What renews an expiring certificate (certificates.validity_days); docs/product-rules.md §15.
    renewal: Renewal = Field(default_factory=Renewal)

    @property
    def uses_attendance(self) -> bool:
        """True when attendance counts towards progress or completion."""
        return self.weights.attendance > 0 or self.requirements.min_attendance is not None

    @property
    def uses_events(self) -> bool:
        """True when the program needs the Events app: attendance, or batches that are events."""
        bound = any(batch.event is not None for batch in self.batches)
        return self.uses_attendance or bound or self.batch_tag is not None

    def figure_minimums(self) -> tuple[float | None, float | None]:
        """(min_attendance, min_average_score) as the progress figures apply them: with
        assignments, the average minimum is checked on their average, at issuance only."""
        average = None if self.assignments else self.requirements.min_average_score
        return self.requirements.min_attendance, average

    def batch(self, key: str) -> Batch:
        """The batch with this key; KeyError when there is none."""
        for batch in self.batches:
            if batch.key == key:
                return batch
        raise KeyError(key)

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        yield from _removal_problems(values)
        yield from _renewal_problems(values)
        tagged = have(values, "batch_tag") and values["batch_tag"] is not None
        if (
            have(values, "issue_on", "batches")
            and values["issue_on"] == "batch_done"
            and not values["batches"]
            and not tagged
        ):
            yield (
                ("issue_on",),
                "is batch_done, which needs at least one batch under batches, or a batch_tag",
            )
        if (
            have(values, "assignments", "batches")
            and values["assignments"] is not None
            and not values["batches"]
            and not tagged
        ):
            yield (
                ("assignments",),
                "are made per batch, which needs at least one batch under batches, or a batch_tag",
            )
        if (
            have(values, "assignments", "requirements")
            and values["assignments"] is None
            and values["requirements"].min_submitted is not None
        ):
            yield (
                ("requirements", "min_submitted"),
                "counts submitted assignments, but the program has no assignments section",
            )
        if have(values, "weights", "requirements", "batches"):
            weights, requirements = values["weights"], values["requirements"]
            if tagged or any(batch.event is not None for batch in values["batches"]):
                return
            # Attendance is measured on the registrations of a batch's event: without one, a
            # program that counts attendance could never be completed.
            reason = "counts attendance, but no batch of this program is bound to an event"
            if weights.attendance > 0:
                yield ("weights", "attendance"), reason
            if requirements.min_attendance is not None:
                yield ("requirements", "min_attendance"), reason

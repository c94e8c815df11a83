"""When a certificate is issued, and to whom (docs/product-rules.md §3): pure rules, no database,
no Odoo.

- `issue_on: completion` — a trainee whose program is complete gets a certificate at once; one
  whose required courses are all completed but who misses a minimum (attendance, average score)
  is flagged for review instead.
- `issue_on: batch_done` — nothing happens until the trainee's batch is done; then every
  participant whose program is complete gets a certificate and every other one is flagged.
A batch bound to an Odoo event is done when the event reaches an end stage
(`event.stage.pipe_end`); a batch with dates only is done the day after its end date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Literal

from sidecar.figures import Requirements
from sidecar.figures.assignments import AssignmentFigures

Action = Literal["issue", "review", "wait"]


@dataclass(frozen=True)
class TraineeState:
    """What the rules need to know of one student in one program."""

    complete: bool  # figures.program_complete: courses and every configured minimum
    required_courses_done: bool
    attendance_pct: float | None
    average_score: float | None
    has_name: bool = True
    # Why the name cannot be printed as it is (too long, a script no font has), or None.
    name_problem: str | None = None
    # The batch's assignments, for a program that has them (`programs[].assignments`).
    assignments: AssignmentFigures | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...] = ()


def batch_done(
    *, event_bound: bool, event_in_end_stage: bool | None, end: date | None, today: date
) -> bool:
    """Done when its event reached an end stage, or (dates only) once its end date has passed."""
    if event_bound:
        return bool(event_in_end_stage)
    return end is not None and today > end


NO_NAME = "the contact in Odoo has no name to print on the certificate"
NOT_COMPLETE = "the program is not complete"


@dataclass(frozen=True)
class Cohort:
    """A batch as the placement rule sees it."""

    id: int
    event_id: int | None  # resolved Odoo event of an event-bound batch
    event_bound: bool
    start: date | None
    end: date | None


def cohort_of(
    batches: Sequence[Cohort],
    *,
    partner_id: int,
    joined: date,
    registered: Mapping[int, Collection[int]],
    recorded: int | None,
) -> int | None:
    """The trainee's batch: one whose event they registered for (`registered`: partners per
    event), else a dates-only batch during which they joined the program, else the one already
    recorded. The first match in `batches`' order wins."""
    for batch in batches:
        if batch.event_id is not None and partner_id in registered.get(batch.event_id, ()):
            return batch.id
    for batch in batches:
        if (
            not batch.event_bound
            and batch.start is not None
            and batch.end is not None
            and batch.start <= joined <= batch.end
        ):
            return batch.id
    return next((b.id for b in batches if b.id == recorded), None)


def review_summary(program: str, batch: str | None) -> str:
    """The To-Do's title: found again by it, so it names the program and the batch."""
    return f"OJT review: {program}" + (f" ({batch})" if batch else "")


def review_note(trainee: str, program: str, reasons: Sequence[str]) -> str:
    """The To-Do's note (HTML) for the reviewer: why there is no certificate, what to do."""
    items = "".join(f"<li>{escape(r)}</li>" for r in reasons)
    return (
        f"<p>{escape(trainee or 'This trainee')} has no certificate for "
        f"<b>{escape(program)}</b> because:</p><ul>{items}</ul>"
        "<p>Decide whether to help them finish, or re-issue by hand once the requirements "
        "are met (ojt-sidecar issues automatically as soon as they are).</p>"
    )


def unmet_requirements(state: TraineeState, requirements: Requirements) -> tuple[str, ...]:
    """Plain sentences a reviewer reads, one per requirement that does not hold."""
    reasons: list[str] = []
    if not state.required_courses_done:
        reasons.append("not every required course is completed")
    reasons += _short_of(
        state.attendance_pct,
        requirements.min_attendance,
        missing="no attendance recorded (",
        label="attendance",
    )
    if state.assignments is None:  # with assignments, the minimum is of their average
        reasons += _short_of(
            state.average_score,
            requirements.min_average_score,
            missing="no graded result yet (average of ",
            label="average score",
        )
    reasons += assignment_problems(state.assignments, requirements)
    if not state.has_name:
        reasons.append(NO_NAME)
    if state.name_problem:
        reasons.append(state.name_problem)
    return tuple(reasons)


def assignment_problems(figures: AssignmentFigures | None, requirements: Requirements) -> list[str]:
    """What in the assignments stands between a participant and a certificate: unscored ones
    under the `block` rule (named, for the mentor's To-Do), too few handed in, a low average."""
    if figures is None:
        return []
    reasons: list[str] = []
    if figures.blocked:
        named = ", ".join(figures.unscored[:10]) + ("…" if len(figures.unscored) > 10 else "")
        reasons.append(f"assignments not scored yet: {named}")
        if figures.untrusted:
            reasons.append(
                "a score is out of range (below 0, above its max_score, or max_score 0) on: "
                + ", ".join(figures.untrusted[:10])
            )
    least = requirements.min_submitted
    if least is not None and figures.submitted < least:
        reasons.append(
            f"{figures.submitted} of {figures.total} assignments handed in; "
            f"at least {least} required"
        )
    reasons += _short_of(
        figures.average,
        requirements.min_average_score,
        missing="no assignment scored yet (average of ",
        label="assignment average",
    )
    return reasons


def _short_of(value: float | None, minimum: float | None, *, missing: str, label: str) -> list[str]:
    """The sentence for a configured minimum that `value` does not reach (none: no value)."""
    if minimum is None:
        return []
    if value is None:
        return [f"{missing}at least {_pct(minimum)} required)"]
    if value < minimum:
        return [f"{label} {_pct(value)} is below the required {_pct(minimum)}"]
    return []


def decide(
    state: TraineeState,
    requirements: Requirements,
    *,
    issue_on: Literal["completion", "batch_done"],
    batch_is_done: bool,
) -> Decision:
    """What to do for a trainee who holds no certificate yet for this program and batch."""
    if issue_on == "batch_done" and not batch_is_done:
        return Decision("wait")
    pending = assignment_problems(state.assignments, requirements)
    printable = state.has_name and not state.name_problem
    if state.complete and printable and not pending:
        return Decision("issue")
    if issue_on == "completion" and not state.required_courses_done:
        return Decision("wait")  # still learning: nothing to review yet
    if pending and not batch_is_done and issue_on == "completion":
        return Decision("wait")  # assignments are still being handed in and scored
    reasons = unmet_requirements(state, requirements)
    if not state.complete and all(r in (NO_NAME, state.name_problem) for r in reasons):
        # Not complete by the figures, yet no rule says why (stale figures, changed minimums):
        # say so, or a reviewer who fixes the name is left without a reason it still waits.
        reasons = (NOT_COMPLETE, *reasons)
    return Decision("review", reasons)


def _pct(value: float) -> str:
    return f"{value:g} %"

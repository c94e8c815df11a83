"""A participant's assignment figures in a batch: how many, submitted, scored, late, and the
average score on a 0–100 scale, weighted by assignment.

Mentors score in Odoo, where a score is a task property that Odoo does not validate: a score
above its maximum, a negative one or a maximum of 0 reaches us as typed. Such a score is not
trusted: it counts as unscored and is named, so that the mentor's review To-Do can say which
task to fix.

What an unscored assignment does to the average is the program's rule (`unscored`):
- `block`: the average is over the scored ones, and the participant is not certified while any
  assignment is unscored (the mentor gets a review To-Do listing them);
- `zero`: it counts as 0;
- `exclude`: it is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sidecar.figures.rules import round_1

UnscoredRule = Literal["block", "zero", "exclude"]


@dataclass(frozen=True)
class AssignmentResult:
    """One participant × one assignment, as the sync read it."""

    assignment: str  # its title, for the To-Do
    weight: float  # > 0: the program's weight of the assignment
    max_score: float | None  # the task's max_score, else the assignment's default
    score: float | None  # None: not scored yet
    submitted: bool
    late: bool  # submitted after the deadline, or not submitted and the deadline passed


@dataclass(frozen=True)
class AssignmentFigures:
    total: int
    submitted: int
    scored: int
    late: int
    average: float | None  # 0..100, one decimal; None when no assignment counts
    unscored: tuple[str, ...]  # titles of the assignments without a score to trust
    untrusted: tuple[str, ...]  # of those, the ones whose score was out of range
    blocked: bool  # the rule is `block` and something is unscored


def trusted(result: AssignmentResult) -> bool:
    """A score we can divide: 0 <= score <= max_score, and max_score > 0."""
    return (
        result.score is not None
        and result.max_score is not None
        and result.max_score > 0
        and 0 <= result.score <= result.max_score
    )


def assignment_figures(
    results: Sequence[AssignmentResult], unscored_rule: UnscoredRule
) -> AssignmentFigures:
    scored = [r for r in results if trusted(r)]
    unscored = [r for r in results if not trusted(r)]
    counted = [(r.weight, _fraction(r)) for r in scored]
    if unscored_rule == "zero":
        counted += [(r.weight, 0.0) for r in unscored]
    weights = sum(weight for weight, _ in counted)
    # round(…, 9) first: (2*0.9 + 0.75) / 4 is 63.74999… in binary, and is 63.75 to a person
    average = (
        round_1(round(100 * sum(weight * part for weight, part in counted) / weights, 9))
        if counted and weights > 0
        else None
    )
    return AssignmentFigures(
        total=len(results),
        submitted=sum(1 for r in results if r.submitted),
        scored=len(scored),
        late=sum(1 for r in results if r.late),
        average=average,
        unscored=tuple(r.assignment for r in unscored),
        untrusted=tuple(r.assignment for r in unscored if r.score is not None),
        blocked=unscored_rule == "block" and bool(unscored),
    )


def _fraction(result: AssignmentResult) -> float:
    assert result.score is not None and result.max_score  # trusted() holds
    return result.score / result.max_score

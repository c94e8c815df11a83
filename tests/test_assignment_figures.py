"""Assignment figures: totals, the weighted average on 0-100, and the three unscored rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.figures.assignments import AssignmentResult, assignment_figures, trusted


def result(
    name: str,
    score: float | None,
    max_score: float | None = 10,
    weight: float = 1,
    *,
    submitted: bool = True,
    late: bool = False,
) -> AssignmentResult:
    return AssignmentResult(name, weight, max_score, score, submitted, late)


THREE = [
    result("Weld a T-joint", 9, weight=2),  # 90 %, weight 2
    result("Safety quiz", 15, max_score=20),  # 75 %
    result("Report", None, submitted=False, late=True),  # not scored
]


def test_totals_and_the_average_by_rule() -> None:
    block = assignment_figures(THREE, "block")
    assert (block.total, block.submitted, block.scored, block.late) == (3, 2, 2, 1)
    assert block.average == 85.0  # (2 * 90 + 75) / 3
    assert block.unscored == ("Report",) and block.untrusted == () and block.blocked
    assert assignment_figures(THREE, "exclude").average == 85.0
    assert not assignment_figures(THREE, "exclude").blocked
    assert assignment_figures(THREE, "zero").average == 63.8  # (180 + 75 + 0) / 4 = 63.75


def test_an_out_of_range_score_is_not_trusted_but_named() -> None:
    figures = assignment_figures(
        [result("A", 12), result("B", -1), result("C", 5, max_score=0), result("D", 5)],
        "exclude",
    )
    assert figures.unscored == ("A", "B", "C") and figures.untrusted == ("A", "B", "C")
    assert figures.average == 50.0 and figures.scored == 1


def test_nothing_to_count() -> None:
    assert assignment_figures([], "zero").average is None
    figures = assignment_figures([result("A", None)], "exclude")
    assert figures.average is None and figures.unscored == ("A",) and not figures.blocked
    assert assignment_figures([result("A", None)], "zero").average == 0.0


@pytest.mark.parametrize(("score", "max_score"), [(0, 10), (10, 10), (0.5, 0.5)])
def test_the_ends_of_the_range_are_trusted(score: float, max_score: float) -> None:
    assert trusted(result("A", score, max_score))


scores = st.builds(
    result,
    st.sampled_from(["A", "B", "C"]),
    st.one_of(st.none(), st.floats(-5, 30, allow_nan=False)),
    st.one_of(st.none(), st.floats(0, 20, allow_nan=False)),
    st.floats(0.1, 5, allow_nan=False),
)


@given(st.lists(scores, max_size=8))
def test_rules_order_and_bounds(results: list[AssignmentResult]) -> None:
    zero, exclude, block = (assignment_figures(results, r) for r in ("zero", "exclude", "block"))
    for figures in (zero, exclude, block):
        assert figures.average is None or 0 <= figures.average <= 100
        assert figures.scored + len(figures.unscored) == figures.total == len(results)
    assert exclude.average == block.average  # they differ in blocking, not in the figure
    if exclude.average is not None:
        assert zero.average is not None and zero.average <= exclude.average + 0.05
    assert block.blocked == bool(block.unscored)
    if not block.unscored:
        assert zero.average == exclude.average

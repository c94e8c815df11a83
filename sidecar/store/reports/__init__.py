"""Reports over the store for `ojt-sidecar report NAME`: plain SQL over the mirrored and
computed tables, never a call to Odoo. One module per report or two; `scope` holds the filters
they share, `result` what they answer. docs/reports.md describes each one."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from sidecar.store.reports.attendance import attendance
from sidecar.store.reports.completion import completion, time_to_completion
from sidecar.store.reports.enrollment import PERIODS, enrollment
from sidecar.store.reports.funnel import funnel, trainee_rows
from sidecar.store.reports.result import Report
from sidecar.store.reports.scope import ReportFilter, ReportInputError, Scope, resolve

REPORTS: dict[str, Callable[[Session, Scope], Report]] = {
    "enrollment": enrollment,
    "completion": completion,
    "time-to-completion": time_to_completion,
    "funnel": funnel,
    "trainees": trainee_rows,
    "attendance": attendance,
}


def run_report(session: Session, name: str, wanted: ReportFilter, per: str = "month") -> Report:
    """The report `name` over the store for the filter `wanted`; ReportInputError for a name,
    program, batch or period the store does not know."""
    if name not in REPORTS:
        raise ReportInputError(f"no report {name!r} (reports: {', '.join(REPORTS)})")
    if per not in PERIODS:
        raise ReportInputError(f"--per is week or month, not {per!r}")
    scope = resolve(session, wanted)
    if name == "enrollment":
        return enrollment(session, scope, per)
    return REPORTS[name](session, scope)


__all__ = ["REPORTS", "Report", "ReportFilter", "ReportInputError", "run_report"]
